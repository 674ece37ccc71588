#!/usr/bin/env bash
# --input_shapes applies to SavedModel signature inputs (here an input of unknown rank), and a shape
# count that does not match the signature is an error naming its inputs.
# Usage: tf_input_shapes.sh TFLC SAVED_MODEL_DIR OUTDIR
set -uo pipefail
tflc=$1 dir=$2 out=$3
[ -d "$dir" ] || { echo "SKIP: $dir not found (../shared/models absent)"; exit 77; }
mkdir -p "$out"
"$tflc" convert --saved_model_dir "$dir" --output_file "$out/a.tflite" --input_shapes 2,2 >/dev/null || exit 1
"$tflc" inspect "$out/a.tflite" > "$out/a.txt" || exit 1
grep -q '"X:0" FLOAT32 \[2,2\]' "$out/a.txt" || { echo "FAIL: input X is not [2,2]"; cat "$out/a.txt"; exit 1; }
rm -f "$out/b.tflite"
if "$tflc" convert --saved_model_dir "$dir" --output_file "$out/b.tflite" --input_shapes 2,2:3 2>"$out/b.err"; then
  echo "FAIL: a wrong number of shapes was accepted"; exit 1
fi
grep -q "has 1 input(s): 'X'" "$out/b.err" || { echo "FAIL: unclear message"; cat "$out/b.err"; exit 1; }
[ ! -e "$out/b.tflite" ] || { echo "FAIL: output left behind"; exit 1; }
echo "ok"
