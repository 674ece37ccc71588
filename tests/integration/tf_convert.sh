#!/usr/bin/env bash
# CLI-level conversion of one TensorFlow model (frozen GraphDef or SavedModel) with tflc; with an
# official .tflite of the same model, also compares outputs in the real TFLite runtime
# (tests/e2e/compare_tflite.js) and checks that ours has no more operators than the official one.
# Exit 77 (CTest: skipped) when the model is absent.
# Usage: tf_convert.sh TFLC MODEL OUT.tflite OFFICIAL.tflite|- [tflc convert args...]
#   MODEL: a .pb/.pbtxt file (→ --graph_def_file) or a SavedModel directory (→ --saved_model_dir)
set -uo pipefail
tflc=$1 model=$2 ours=$3 official=$4; shift 4
if [ ! -e "$model" ]; then
  echo "SKIP: $model not found (the shared model corpus ../shared/models is absent)"; exit 77
fi
here=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$(dirname "$ours")"
rm -f "$ours"
if [ -d "$model" ]; then src=(--saved_model_dir "$model"); else src=(--graph_def_file "$model"); fi
"$tflc" convert "${src[@]}" --output_file "$ours" "$@" || { echo "FAIL: tflc convert failed"; exit 1; }
[ -s "$ours" ] || { echo "FAIL: no output file"; exit 1; }
"$tflc" inspect "$ours" > /dev/null || { echo "FAIL: tflc inspect cannot read the output"; exit 1; }
[ "$official" = "-" ] && { echo "PASS (converted)"; exit 0; }
[ -e "$official" ] || { echo "SKIP: $official not found"; exit 77; }

count() { "$tflc" inspect --no_options "$1" | sed -n '/^  operators:/,/^[a-z]/p' | grep -E '^    \[[0-9]+\]' |
          grep -vE '\] (QUANTIZE|DEQUANTIZE)\(' | wc -l; }
n_ours=$(count "$ours") n_official=$(count "$official")
echo "operators: ours=$n_ours official=$n_official"
if [ "$n_ours" -le 0 ] || [ "$n_ours" -gt "$n_official" ]; then echo "FAIL: more operators than the official .tflite"; exit 1; fi

"$here/e2e/setup.sh" || { echo "FAIL: tests/e2e/setup.sh failed (node / npm packages)"; exit 1; }
# TFLC_COMPARE_TOLERANCE=0 demands bit-identical outputs (e.g. half_plus_two: exactly 0.5*x + 2).
node "$here/e2e/compare_tflite.js" "$official" "$ours" --tolerance "${TFLC_COMPARE_TOLERANCE:-1e-5}"
