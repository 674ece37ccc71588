#!/usr/bin/env bash
# End-to-end numeric check of one TensorFlow model without an official .tflite: converts it with
# tflc, then compares the .tflite (real TFLite runtime, WASM) with an independent reference of the
# TF graph (tfjs-converter's graph executor, tests/e2e/compare_tf.js).
# Exit 77 (CTest: skipped) when the model is absent or the node harness cannot be set up.
# Usage: tf_compare_tf.sh TFLC MODEL OUT.tflite [compare options...] -- [tflc convert args...]
#   compare options: compare_tf.js's; when they contain --fixed NAME=VALUE (an input held at a fixed
#   value in both the reference and the candidate), tests/tf/compare_tf_fixed.js runs instead.
#   MODEL: a .pb/.pbtxt file (→ --graph_def_file) or a SavedModel directory (→ --saved_model_dir)
set -uo pipefail
tflc=$1 model=$2 ours=$3; shift 3
compare=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do compare+=("$1"); shift; done
[ $# -gt 0 ] && shift
if [ ! -e "$model" ]; then
  echo "SKIP: $model not found (the shared model corpus ../shared/models is absent)"; exit 77
fi
here=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$(dirname "$ours")"
rm -f "$ours"
if [ -d "$model" ]; then src=(--saved_model_dir "$model"); else src=(--graph_def_file "$model"); fi
"$tflc" convert "${src[@]}" --output_file "$ours" "$@" || { echo "FAIL: tflc convert failed"; exit 1; }
[ -s "$ours" ] || { echo "FAIL: no output file"; exit 1; }
command -v node > /dev/null || { echo "SKIP: node not found"; exit 77; }
"$here/e2e/setup.sh" > /dev/null 2>&1 || { echo "SKIP: tests/e2e/setup.sh failed (no node / npm packages)"; exit 77; }
tool="$here/e2e/compare_tf.js"
for a in "${compare[@]}"; do [ "$a" = "--fixed" ] && tool="$here/tf/compare_tf_fixed.js"; done
node "$tool" "$model" "$ours" "${compare[@]}"
rc=$?
[ $rc -eq 0 ] && exit 0
echo "FAIL: $(basename "$tool") exit $rc"; exit 1
