#!/usr/bin/env bash
# Checks the TF-graph reference (tests/e2e/compare_tf.js) on a model tflc cannot convert yet:
# converts an EQUIVALENT graph written without that feature (e.g. If → SelectV2) with tflc, then
# compares the .tflite with the reference run of the ORIGINAL model. Same input/output names.
# Exit 77 (CTest: skipped) when the original model is absent.
# Usage: tf_compare_tf_equivalent.sh TFLC MODEL EQUIVALENT.pbtxt OUT_DIR [--expect-mismatch]
#          [compare_tf.js options...] -- [tflc convert args...]
#   --expect-mismatch: the equivalent graph is deliberately wrong; pass when compare_tf exits 1
#   (the comparison can fail).
set -uo pipefail
tflc=$1 model=$2 equivalent=$3 out=$4; shift 4
want=0
if [ "${1:-}" = "--expect-mismatch" ]; then want=1; shift; fi
compare=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do compare+=("$1"); shift; done
[ $# -gt 0 ] && shift
if [ ! -e "$model" ]; then
  echo "SKIP: $model not found (the shared model corpus ../shared/models is absent)"; exit 77
fi
here=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out"
src="$equivalent"
if [ "$want" = 1 ]; then
  # Deliberate error: Less → Greater swaps the branches of the first output.
  src="$out/mutant.pbtxt"
  sed 's/op: "Less"/op: "Greater"/' "$equivalent" >"$src"
  cmp -s "$src" "$equivalent" && { echo "FAIL: $equivalent has no Less node to mutate"; exit 1; }
fi
ours="$out/$(basename "${src%.*}").tflite"
rm -f "$ours"
"$tflc" convert --graph_def_file "$src" --output_file "$ours" "$@" || { echo "FAIL: tflc convert failed"; exit 1; }
"$here/e2e/setup.sh" || { echo "FAIL: tests/e2e/setup.sh failed (node / npm packages)"; exit 1; }
node "$here/e2e/compare_tf.js" "$model" "$ours" "${compare[@]}"
rc=$?
[ $rc -eq "$want" ] && { echo "ok: compare_tf exit $rc as expected"; exit 0; }
echo "FAIL: compare_tf.js exit $rc, wanted $want"; exit 1
