#!/usr/bin/env bash
# Two files holding the same Keras model (e.g. the bitcoin transformer saved as legacy .h5 and as
# .keras) must convert to byte-identical .tflite files. Exit 77 when the shared corpus is absent.
# Usage: same_conversion.sh TFLC MODEL_A MODEL_B OUTDIR
set -uo pipefail
tflc=$1 a=$2 b=$3 out=$4
for m in "$a" "$b"; do
  [ -e "$m" ] || { echo "SKIP: ../shared/models not found ($m is absent)"; exit 77; }
done
mkdir -p "$out"
rm -f "$out/a.tflite" "$out/b.tflite"
"$tflc" convert --keras_model_file "$a" --output_file "$out/a.tflite" || { echo "FAIL: tflc could not convert $a"; exit 1; }
"$tflc" convert --keras_model_file "$b" --output_file "$out/b.tflite" || { echo "FAIL: tflc could not convert $b"; exit 1; }
if cmp "$out/a.tflite" "$out/b.tflite"; then
  echo "PASS: $(basename "$a") and $(basename "$b") convert to identical files ($(stat -c %s "$out/a.tflite") bytes)"
  exit 0
fi
echo "FAIL: $a and $b convert to different .tflite files ($out/a.tflite, $out/b.tflite)"
exit 1
