#!/usr/bin/env bash
# Our conversion must not have more operators than the official converter's .tflite of the same
# model (QUANTIZE/DEQUANTIZE at the edges of the official int8 files are not counted).
# Usage: opcount.sh TFLC MODEL OFFICIAL.tflite OUTDIR   (MODEL: a Keras file or a SavedModel directory)
set -uo pipefail
tflc=$1 model=$2 official=$3 out=$4
if [ ! -e "$model" ] || [ ! -e "$official" ]; then
  echo "SKIP: $model or $official not found (../shared/models absent)"; exit 77
fi
mkdir -p "$out"
ours="$out/ours.tflite"
if [ -d "$model" ]; then flag=--saved_model_dir; else flag=--keras_model_file; fi
"$tflc" convert "$flag" "$model" --output_file "$ours" || exit 1
count() { "$tflc" inspect --no_options "$1" | sed -n '/^  operators:/,/^[a-z]/p' | grep -E '^    \[[0-9]+\]' |
          grep -vE '\] (QUANTIZE|DEQUANTIZE)\(' | wc -l; }
n_ours=$(count "$ours") n_official=$(count "$official")
echo "operators (without QUANTIZE/DEQUANTIZE): ours=$n_ours official=$n_official"
[ "$n_ours" -gt 0 ] && [ "$n_ours" -le "$n_official" ]
