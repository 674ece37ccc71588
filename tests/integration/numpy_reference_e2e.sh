#!/usr/bin/env bash
# End-to-end against the independent numpy reference (tests/references/keras_numpy_reference.py),
# for shared models no JS library runs (MultiHeadAttention transformers): convert with tflc,
# compute the reference on 1 + 8 seeded inputs, run the .tflite in the TFLite runtime (LiteRT.js
# by default, TFLC_E2E_RUNTIME=tfjs-tflite for the 2023 one) and compare: every output within
# 1e-4 x max(1, max|ref|). Exit 77 (CTest: skipped) when the shared model corpus is absent.
# Usage: numpy_reference_e2e.sh TFLC MODEL OUTDIR [lo,hi]
set -uo pipefail
tflc=$1 model=$2 out=$3 range=${4:--1,1}
if [ ! -e "$model" ]; then
  echo "SKIP: ../shared/models not found ($model is absent)"
  exit 77
fi
here=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out"
name=$(basename "$model"); name=${name%.*}
tfl="$out/$name.tflite"
rm -f "$tfl" "$out/reference.json"
/usr/bin/python3 "$here/references/keras_numpy_reference.py" "$model" "$out/reference.json" \
  --samples 8 --seed 1 --range="$range" || { echo "FAIL: the numpy reference failed on $model"; exit 1; }
"$tflc" convert --keras_model_file "$model" --output_file "$tfl" || { echo "FAIL: tflc could not convert $model"; exit 1; }
[ -s "$tfl" ] || { echo "FAIL: tflc wrote no $tfl"; exit 1; }
"$here/e2e/setup.sh" || exit 1
exec node "$here/e2e/compare_reference.js" "$out/reference.json" "$tfl" --tolerance 1e-4
