#!/usr/bin/env bash
# The same input and options give byte-identical output; --exclude_conversion_metadata drops the
# CONVERSION_METADATA entry.  Usage: deterministic.sh TFLC MODEL OUTDIR
set -uo pipefail
tflc=$1 model=$2 out=$3
[ -e "$model" ] || { echo "SKIP: $model not found (../shared/models absent)"; exit 77; }
mkdir -p "$out"
"$tflc" convert --keras_model_file "$model" --output_file "$out/a.tflite" >/dev/null || exit 1
"$tflc" convert --keras_model_file "$model" --output_file "$out/b.tflite" >/dev/null || exit 1
cmp "$out/a.tflite" "$out/b.tflite" || { echo "FAIL: two conversions differ"; exit 1; }
"$tflc" inspect "$out/a.tflite" > "$out/a.txt" || exit 1
grep -q '"CONVERSION_METADATA"' "$out/a.txt" || { echo "FAIL: no CONVERSION_METADATA by default"; exit 1; }
grep -q '"min_runtime_version"' "$out/a.txt" || { echo "FAIL: no min_runtime_version"; exit 1; }
"$tflc" convert --keras_model_file "$model" --output_file "$out/c.tflite" --exclude_conversion_metadata >/dev/null || exit 1
"$tflc" inspect "$out/c.tflite" > "$out/c.txt" || exit 1
if grep -q '"CONVERSION_METADATA"' "$out/c.txt"; then echo "FAIL: --exclude_conversion_metadata kept it"; exit 1; fi
echo "byte-identical twice; metadata present, and dropped on request"
