#!/usr/bin/env bash
# The same Keras model saved as .h5 and as .keras converts to byte-identical .tflite files (float,
# dynamic-range and float16): nothing in the emitted graph may depend on the container (names,
# constant order, weight names).  Usage: container_identity.sh TFLC MODEL_A MODEL_B OUTDIR
set -uo pipefail
tflc=$1 a=$2 b=$3 out=$4
for m in "$a" "$b"; do [ -e "$m" ] || { echo "FAIL: $m not found (build the tree: the generator writes it)"; exit 1; }; done
mkdir -p "$out"
run() {  # tag, options...
  local tag=$1; shift
  "$tflc" convert --keras_model_file "$a" --output_file "$out/a_$tag.tflite" "$@" >/dev/null || { echo "FAIL: $a ($tag)"; exit 1; }
  "$tflc" convert --keras_model_file "$b" --output_file "$out/b_$tag.tflite" "$@" >/dev/null || { echo "FAIL: $b ($tag)"; exit 1; }
  cmp "$out/a_$tag.tflite" "$out/b_$tag.tflite" || { echo "FAIL: $tag outputs differ between $a and $b"; exit 1; }
}
run float
run dynamic --optimizations DEFAULT
run float16 --optimizations DEFAULT --target_spec.supported_types float16
echo "byte-identical .tflite from both containers (float, dynamic range, float16)"
