#!/usr/bin/env bash
# End-to-end numeric check of one TensorFlow model without an official .tflite: converts it with
# tflc, then compares the .tflite (real TFLite runtime, WASM) with an independent reference of the
# TF graph (tfjs-converter's graph executor, tests/e2e/compare_tf.js).
# Exit 77 (CTest: skipped) when the model is absent; a harness that cannot be set up is a failure.
# Usage: tf_compare_tf.sh TFLC MODEL OUT.tflite [compare_tf.js options...] -- [tflc convert args...]
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
"$here/e2e/setup.sh" || { echo "FAIL: tests/e2e/setup.sh failed (node / npm packages)"; exit 1; }
node "$here/e2e/compare_tf.js" "$model" "$ours" "${compare[@]}"
rc=$?
[ $rc -eq 0 ] && exit 0
echo "FAIL: compare_tf.js exit $rc"; exit 1
