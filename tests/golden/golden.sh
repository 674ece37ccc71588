#!/usr/bin/env bash
# Golden test: generate a Keras model with the project's generator, convert it with tflc, and compare
# `tflc inspect` of the result with keras/<name>.expected.txt — or, for models that must fail, the
# error message with keras/<name>.expected-error.txt (paths replaced by <MODEL>).
# With TFLC_UPDATE_GOLDENS=1 the expected file is rewritten instead (review the diff!).
# Usage: golden.sh TFLC NAME WORKDIR
set -uo pipefail
tflc=$1 name=$2 work=$3
here=$(cd "$(dirname "$0")" && pwd)
gen="$here/../models/make_keras_models.py"
mkdir -p "$work"
/usr/bin/python3 "$gen" "$work" "$name" >/dev/null || { echo "generator failed for $name"; exit 1; }
model=$(ls "$work"/"$name".h5 "$work"/"$name".keras 2>/dev/null | head -1)
[ -n "$model" ] || { echo "generator wrote no $name.h5/.keras in $work"; exit 1; }
out="$work/$name.tflite"
expected="$here/keras/$name.expected.txt"
expected_err="$here/keras/$name.expected-error.txt"
if "$tflc" convert --keras_model_file "$model" --output_file "$out" >/dev/null 2>"$work/$name.stderr"; then
  "$tflc" inspect "$out" > "$work/$name.actual.txt" || exit 1
  target=$expected
else
  sed "s|$model|<MODEL>|g" "$work/$name.stderr" > "$work/$name.actual.txt"
  target=$expected_err
fi
if [ "${TFLC_UPDATE_GOLDENS:-0}" = 1 ]; then
  rm -f "$expected" "$expected_err"
  cp "$work/$name.actual.txt" "$target"
  echo "updated $target"
  exit 0
fi
if [ ! -f "$target" ]; then
  echo "no golden $(basename "$target") for $name; actual output:"; cat "$work/$name.actual.txt"
  echo "(run 'make update-goldens' to create it, then review the diff)"; exit 1
fi
if diff -u "$target" "$work/$name.actual.txt"; then echo "golden $name: match"; else
  echo "golden $name differs (TFLC_UPDATE_GOLDENS=1 to accept, then review)"; exit 1; fi
