#!/usr/bin/env bash
# An input whose batch dimension is unknown gets shape 1 and shape_signature -1 (TF's convention),
# in every frontend, and `tflc inspect` shows it; an input of known shape (or one given with
# --input_shapes) gets no shape_signature.
# Usage: dynamic_batch.sh TFLC PBTXT KERAS_MODELS_DIR SHARED_MODELS_DIR OUT_DIR
set -uo pipefail
tflc=$1 pbtxt=$2 keras_dir=$3 shared=$4 out=$5
mkdir -p "$out"
fail=0
# expect NAME PATTERN CONVERT_ARGS... : the inspect dump of the converted file must match PATTERN.
expect() {
  local name=$1 pattern=$2; shift 2
  local f="$out/$name.tflite"
  rm -f "$f"
  "$tflc" convert "$@" --output_file "$f" >/dev/null || { echo "FAIL ($name): tflc convert failed"; fail=1; return; }
  local dump
  dump=$("$tflc" inspect --no_options "$f") || { echo "FAIL ($name): tflc inspect failed"; fail=1; return; }
  if grep -qE -- "$pattern" <<< "$dump"; then echo "PASS ($name)"; else
    echo "FAIL ($name): no line matching '$pattern' in:"; echo "$dump" | head -40; fail=1; fi
}
# GraphDef: Placeholder [-1,4,2] → [1,4,2] sig=[-1,4,2]; with --input_shapes: no signature.
expect graphdef '"x" FLOAT32 \[1,4,2\] .*sig=\[-1,4,2\]' --graph_def_file "$pbtxt" --input_arrays x --output_arrays y
expect graphdef_given '"x" FLOAT32 \[1,4,2\] buffer=' --graph_def_file "$pbtxt" --input_arrays x --output_arrays y \
  --input_shapes 1,4,2
# Keras (generated): Input(shape=(12,12,3)) has an unknown batch.
expect keras '"serving_default_image:0" FLOAT32 \[1,12,12,3\] .*sig=\[-1,12,12,3\]' --keras_model_file "$keras_dir/conv2d.h5"
# SavedModel (shared corpus): the official converter keeps shape_signature [-1,128,1] for this one.
if [ -d "$shared/onnx2tf_motor_cnn_savedmodel_pair/models/model_tf" ] || [ -d "$shared/onnx2tf_motor_cnn_savedmodel_pair" ]; then
  sm=$(dirname "$(find "$shared/onnx2tf_motor_cnn_savedmodel_pair" -name saved_model.pb | head -1)")
  expect saved_model '\[1,128,1\] .*sig=\[-1,128,1\]' --saved_model_dir "$sm"
else
  echo "SKIP (saved_model): $shared/onnx2tf_motor_cnn_savedmodel_pair not found (../shared/models absent)"
fi
exit $fail
