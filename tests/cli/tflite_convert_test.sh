#!/usr/bin/env bash
# tflite_convert (TensorFlow's flags) against tflc convert (tflc's):
#   data   - GraphDefs from tests/tf/data: the same options give byte-identical files; accepted
#            debugging flags print one note each and change nothing
#   models - Keras .h5, SavedModels and frozen GraphDefs from ../shared/models (exit 77 without them)
#   errors - bad flag combinations give TensorFlow's messages (or tflc's refusal naming the flag and
#            what to use instead), exit != 0 and no output file; conversion errors are tflc convert's
# Usage: tflite_convert_test.sh MODE TFLITE_CONVERT TFLC TF_DATA_DIR SHARED_MODELS WORKDIR
set -uo pipefail
mode=$1 tfc=$2 tflc=$3 data=$4 models=$5 work=$6
rm -rf "$work" && mkdir -p "$work"
fail=0

# same NAME TFLITE_CONVERT_ARGS... :: TFLC_CONVERT_ARGS...  (--output_file is added to both)
same() {
  local name=$1; shift
  local a=() b=()
  while [ $# -gt 0 ] && [ "$1" != "::" ]; do a+=("$1"); shift; done
  shift; b=("$@")
  local fa="$work/$name.tflite_convert.tflite" fb="$work/$name.tflc.tflite"
  if ! "$tfc" "${a[@]}" --output_file "$fa" >"$work/$name.tfc.out" 2>"$work/$name.tfc.err"; then
    echo "FAIL $name: tflite_convert failed:"; cat "$work/$name.tfc.err"; fail=1; return 1
  fi
  if ! "$tflc" convert "${b[@]}" --output_file "$fb" >"$work/$name.tflc.out" 2>"$work/$name.tflc.err"; then
    echo "FAIL $name: tflc convert failed:"; cat "$work/$name.tflc.err"; fail=1; return 1
  fi
  if ! cmp -s "$fa" "$fb"; then
    echo "FAIL $name: files differ: tflite_convert ${a[*]}  vs  tflc convert ${b[*]}"; fail=1; return 1
  fi
  echo "ok   $name: $(stat -c %s "$fa") bytes, identical"
}

# note NAME TEXT: the last `same` run printed this note on stderr.
note() {
  grep -qF -- "tflite_convert: note: $2" "$work/$1.tfc.err" ||
    { echo "FAIL $1: no note '$2' on stderr:"; cat "$work/$1.tfc.err"; fail=1; }
}

# refused NAME EXIT_CLASS TEXT ARGS...: exit != 0 (EXIT_CLASS 1 or 2: the exact status), no crash,
# the message contains TEXT, no output file.
refused() {
  local name=$1 want_rc=$2 text=$3; shift 3
  local out="$work/$name.tflite"
  "$tfc" "$@" --output_file "$out" >"$work/$name.out" 2>"$work/$name.err"
  local rc=$? ok=1
  [ $rc -eq "$want_rc" ] || { echo "FAIL $name: exit status $rc, expected $want_rc"; ok=0; }
  grep -qF -- "$text" "$work/$name.err" || { echo "FAIL $name: message lacks '$text'"; ok=0; }
  grep -qF -- "tflite_convert: error: " "$work/$name.err" || { echo "FAIL $name: no 'tflite_convert: error:'"; ok=0; }
  [ -e "$out" ] && { echo "FAIL $name: an output file was left behind"; ok=0; }
  if [ $ok -eq 1 ]; then echo "ok   $name: $(head -c 300 "$work/$name.err" | tr '\n' ' ')"; else cat "$work/$name.err"; fail=1; fi
}

case $mode in
data)
  mix=$data/select_tf_mix.pbtxt fold=$data/shape_fold.pbtxt
  v1=(--enable_v1_converter)
  same select_tf_ops "${v1[@]}" --graph_def_file "$mix" --input_arrays x --output_arrays m \
       --target_ops TFLITE_BUILTINS,SELECT_TF_OPS \
    :: --graph_def_file "$mix" --input_arrays x --output_arrays m --target_spec.supported_ops TFLITE_BUILTINS,SELECT_TF_OPS
  same select_tf_and_custom_ops "${v1[@]}" --graph_def_file "$mix" --input_arrays x --output_arrays y \
       --target_ops SELECT_TF_OPS,TFLITE_BUILTINS --allow_custom_ops \
    :: --graph_def_file "$mix" --input_arrays x --output_arrays y --target_spec.supported_ops SELECT_TF_OPS,TFLITE_BUILTINS \
       --allow_custom_ops
  grep -qF "FlexCumprod x1, FlexErf x1" "$work/select_tf_and_custom_ops.tfc.out" ||
    { echo "FAIL select_tf_and_custom_ops: Flex ops not listed"; fail=1; }
  grep -qF "AcmeFancyOp x1" "$work/select_tf_and_custom_ops.tfc.err" ||
    { echo "FAIL select_tf_and_custom_ops: no custom-op warning"; fail=1; }
  same graph_def "${v1[@]}" --graph_def_file "$fold" --input_arrays x --output_arrays y \
    :: --graph_def_file "$fold" --input_arrays x --output_arrays y
  same input_shapes "${v1[@]}" --graph_def_file "$fold" --input_arrays x --output_arrays y --input_shapes 3,4,2 \
    :: --graph_def_file "$fold" --input_arrays x --output_arrays y --input_shapes 3,4,2
  cmp -s "$work/graph_def.tflc.tflite" "$work/input_shapes.tflc.tflite" &&
    { echo "FAIL input_shapes: --input_shapes changed nothing"; fail=1; }
  same post_training_quantize "${v1[@]}" --graph_def_file "$mix" --input_arrays x --output_arrays m \
       --target_ops TFLITE_BUILTINS,SELECT_TF_OPS --post_training_quantize \
    :: --graph_def_file "$mix" --input_arrays x --output_arrays m --target_spec.supported_ops TFLITE_BUILTINS,SELECT_TF_OPS \
       --optimizations DEFAULT
  same quantize_weights_alias "${v1[@]}" --graph_def_file "$fold" --input_arrays x --output_arrays y --quantize_weights \
    :: --graph_def_file "$fold" --input_arrays x --output_arrays y --optimizations DEFAULT
  same float16 "${v1[@]}" --graph_def_file "$fold" --input_arrays x --output_arrays y --post_training_quantize \
       --quantize_to_float16 \
    :: --graph_def_file "$fold" --input_arrays x --output_arrays y --optimizations DEFAULT \
       --target_spec.supported_types float16
  # TensorFlow: float16 needs --post_training_quantize, else it only prints a message.
  same float16_alone "${v1[@]}" --graph_def_file "$fold" --input_arrays x --output_arrays y --quantize_to_float16 \
    :: --graph_def_file "$fold" --input_arrays x --output_arrays y
  note float16_alone "--quantize_to_float16 will only take effect with the --post_training_quantize flag enabled."
  # Debugging-only and no-op flags: accepted with one note each, same file.
  same debug_flags "${v1[@]}" --graph_def_file "$fold" --input_arrays x --output_arrays y --output_format tflite \
       --dump_graphviz_dir "$work/dot" --dump_graphviz_video --conversion_summary_dir "$work/summary" \
       --experimental_new_converter --experimental_new_quantizer=false --drop_control_dependency \
       --reorder_across_fake_quant --change_concat_input_ranges=false --inference_type FLOAT \
       --inference_input_type float --mean_values 127.5 --std_dev_values 127.5 \
    :: --graph_def_file "$fold" --input_arrays x --output_arrays y
  for n in "--dump_graphviz_dir/--dump_graphviz_video: accepted and ignored" \
           "--conversion_summary_dir: accepted and ignored" "--experimental_new_converter: accepted" \
           "--experimental_new_quantizer: accepted and ignored" "--drop_control_dependency: accepted" \
           "--reorder_across_fake_quant: accepted and ignored" "--change_concat_input_ranges: accepted and ignored" \
           "--mean_values/--std_dev_values: no effect with FLOAT inference types"; do
    note debug_flags "$n"
  done
  [ "$(grep -c 'tflite_convert: note: ' "$work/debug_flags.tfc.err")" -eq 8 ] ||
    { echo "FAIL debug_flags: expected 8 notes"; cat "$work/debug_flags.tfc.err"; fail=1; }
  [ -e "$work/dot" ] || [ -e "$work/summary" ] && { echo "FAIL debug_flags: created a dump directory"; fail=1; }
  # --help lists TF's flags.
  "$tfc" --help >"$work/help.txt" || { echo "FAIL help: exit status != 0"; fail=1; }
  for f in output_file saved_model_dir keras_model_file enable_v1_converter graph_def_file input_arrays input_shapes \
           output_arrays inference_type inference_input_type mean_values std_dev_values default_ranges_min \
           post_training_quantize quantize_to_float16 target_ops allow_custom_ops custom_opdefs output_format \
           dump_graphviz_dir conversion_summary_dir experimental_new_converter experimental_select_user_tf_ops \
           saved_model_tag_set saved_model_signature_key plugin_dir; do
    grep -q -- "--$f" "$work/help.txt" || { echo "FAIL help: --$f not listed"; fail=1; }
  done
  ;;

models)
  [ -d "$models" ] || { echo "SKIP: $models is absent (the shared model corpus)"; exit 77; }
  h5=$models/cyril_lenet_avgpool/lecunmodel.h5
  same keras_tf2 --keras_model_file "$h5" :: --keras_model_file "$h5"
  same keras_v1_dynamic_range --enable_v1_converter --keras_model_file "$h5" --post_training_quantize \
    :: --keras_model_file "$h5" --optimizations DEFAULT
  same keras_v1_float16 --enable_v1_converter --keras_model_file "$h5" --post_training_quantize --quantize_to_float16 \
    :: --keras_model_file "$h5" --optimizations DEFAULT --target_spec.supported_types float16
  cmp -s "$work/keras_tf2.tflc.tflite" "$work/keras_v1_dynamic_range.tflc.tflite" &&
    { echo "FAIL keras_v1_dynamic_range: --post_training_quantize changed nothing"; fail=1; }
  sm=$models/tf2onnx_regression/saved_model
  same saved_model_tf2 --saved_model_dir "$sm" :: --saved_model_dir "$sm"
  hp2=$models/serving_half_plus_two_tf1/saved_model_half_plus_two_cpu/00000123
  same saved_model_signatures --saved_model_dir "$hp2" --saved_model_tag_set serve \
       --saved_model_signature_key serving_default,regress_x2_to_y3 \
    :: --saved_model_dir "$hp2" --saved_model_tag_set serve --saved_model_signature_key serving_default,regress_x2_to_y3
  ng=$models/number_guesser_keras_savedmodel/saved_model
  same saved_model_v1_quantized --enable_v1_converter --saved_model_dir "$ng" --post_training_quantize \
    :: --saved_model_dir "$ng" --optimizations DEFAULT
  fc=$models/tf2onnx_fc_layers_frozen/frozen.pb
  same frozen_graph --enable_v1_converter --graph_def_file "$fc" --input_arrays X --output_arrays output \
    :: --graph_def_file "$fc" --input_arrays X --output_arrays output
  same frozen_graph_dynamic_range --enable_v1_converter --graph_def_file "$fc" --input_arrays X --output_arrays output \
       --post_training_quantize \
    :: --graph_def_file "$fc" --input_arrays X --output_arrays output --optimizations DEFAULT
  lstm=$models/tf2onnx_lstm_frozen/frozen.pb
  same frozen_graph_input_shapes --enable_v1_converter --graph_def_file "$lstm" --input_arrays X,keep_prob \
       --input_shapes 1,784: --output_arrays output \
    :: --graph_def_file "$lstm" --input_arrays X,keep_prob --input_shapes 1,784: --output_arrays output
  ;;

errors)
  g=$data/shape_fold.pbtxt
  v1=(--enable_v1_converter)
  # argparse (exit 2)
  "$tfc" --graph_def_file "$g" >"$work/no_output.out" 2>"$work/no_output.err"
  [ $? -eq 2 ] && grep -qF "the following arguments are required: --output_file" "$work/no_output.err" &&
    echo "ok   no_output_file" || { echo "FAIL no_output_file"; cat "$work/no_output.err"; fail=1; }
  refused tf2_no_input 1 "one of the arguments --saved_model_dir --keras_model_file is required"
  refused tf2_graph_def 1 "--graph_def_file is a TensorFlow 1.X flag: add --enable_v1_converter" --graph_def_file "$g"
  refused tf2_two_inputs 2 "argument --keras_model_file: not allowed with argument --saved_model_dir" \
          --saved_model_dir "$work" --keras_model_file "$work/m.h5"
  refused v1_two_inputs 2 "argument --saved_model_dir: not allowed with argument --graph_def_file" \
          "${v1[@]}" --graph_def_file "$g" --saved_model_dir "$work"
  refused v1_no_input 2 "one of the arguments --graph_def_file --saved_model_dir --keras_model_file is required" "${v1[@]}"
  refused tf2_tf1_flags 2 "unrecognized arguments: --input_arrays --post_training_quantize (TensorFlow 1.X converter flags: add --enable_v1_converter" \
          --keras_model_file "$work/m.h5" --input_arrays x --post_training_quantize
  refused unknown_flag 2 "unrecognized arguments: --no_such_flag" --keras_model_file "$work/m.h5" --no_such_flag=1
  refused toco_flag 1 "use --graph_def_file instead of --input_file" "${v1[@]}" --keras_model_file "$work/m.h5" \
          --input_file "$g"
  # TF's _check_tf1_flags (exit 1)
  refused graph_def_needs_arrays 1 "--input_arrays and --output_arrays are required with --graph_def_file" \
          "${v1[@]}" --graph_def_file "$g" --output_arrays y
  refused input_shapes_without_arrays 1 "--input_shapes must be used with --input_arrays" \
          "${v1[@]}" --keras_model_file "$work/m.h5" --input_shapes 1,4,2
  refused input_shapes_count 1 "--input_shapes and --input_arrays must have the same number of items" \
          "${v1[@]}" --graph_def_file "$g" --input_arrays x --output_arrays y --input_shapes 1,4,2:1
  refused mean_without_std 1 "--std_dev_values and --mean_values must be used together" \
          "${v1[@]}" --graph_def_file "$g" --input_arrays x --output_arrays y --mean_values 128
  refused mean_std_count 1 "--std_dev_values, --mean_values must have the same number of items" \
          "${v1[@]}" --graph_def_file "$g" --input_arrays x --output_arrays y --mean_values 128,1 --std_dev_values 127
  refused mean_inputs_count 1 "Mismatching --input_arrays, --std_dev_values, and --mean_values" \
          "${v1[@]}" --graph_def_file "$g" --input_arrays x --output_arrays y --mean_values 128,1 --std_dev_values 127,1
  refused default_ranges_alone 1 "--default_ranges_min and --default_ranges_max must be used together" \
          "${v1[@]}" --graph_def_file "$g" --input_arrays x --output_arrays y --default_ranges_min 0
  refused default_ranges_float 2 "argument --default_ranges_max: invalid float value: 'six'" \
          "${v1[@]}" --graph_def_file "$g" --input_arrays x --output_arrays y --default_ranges_min 0 --default_ranges_max six
  refused graphviz_video_alone 1 "--dump_graphviz_video must be used with --dump_graphviz_dir" \
          "${v1[@]}" --graph_def_file "$g" --input_arrays x --output_arrays y --dump_graphviz_video
  refused custom_opdefs_alone 1 "--custom_opdefs must be used with --allow_custom_ops" \
          "${v1[@]}" --graph_def_file "$g" --input_arrays x --output_arrays y --custom_opdefs "name: 'Acme'"
  refused bad_target_ops 1 "Invalid value for --target_ops. Options: TFLITE_BUILTINS,SELECT_TF_OPS" \
          "${v1[@]}" --graph_def_file "$g" --input_arrays x --output_arrays y --target_ops TFLITE_BUILTINS,FLEX
  refused bad_inference_type 1 "Unsupported value for \`inference_type\` flag. Expected FLOAT, INT8, UINT8, or QUANTIZED_UINT8 instead got INT4." \
          "${v1[@]}" --graph_def_file "$g" --input_arrays x --output_arrays y --inference_type int4
  refused bad_output_format 2 "argument --output_format: invalid choice: 'PDF'" \
          "${v1[@]}" --graph_def_file "$g" --input_arrays x --output_arrays y --output_format pdf
  refused bad_new_converter 2 "Invalid argument to --experimental_new_converter. Must use flag alone, or specify true/false." \
          --keras_model_file "$work/m.h5" --experimental_new_converter=maybe
  refused user_tf_ops_without_select 1 "--experimental_select_user_tf_ops can only be set if --target_ops contains SELECT_TF_OPS." \
          "${v1[@]}" --graph_def_file "$g" --input_arrays x --output_arrays y --experimental_select_user_tf_ops MyOp
  # What tflc cannot honour (exit 1), naming what to use instead.
  refused quantized_inference_type 1 "--representative_dataset" \
          "${v1[@]}" --graph_def_file "$g" --input_arrays x --output_arrays y --inference_type QUANTIZED_UINT8 \
          --mean_values 128 --std_dev_values 127
  grep -qF -- "--inference_type QUANTIZED_UINT8" "$work/quantized_inference_type.err" ||
    { echo "FAIL quantized_inference_type: flag not named"; fail=1; }
  refused quantized_input_type 1 "--inference_input_type UINT8" \
          "${v1[@]}" --graph_def_file "$g" --input_arrays x --output_arrays y --inference_input_type uint8 \
          --mean_values 128 --std_dev_values 127
  refused graphviz_output 1 "--output_format GRAPHVIZ_DOT is not supported" \
          "${v1[@]}" --graph_def_file "$g" --input_arrays x --output_arrays y --output_format GRAPHVIZ_DOT
  refused toco 1 "--experimental_new_converter=false asks for TOCO" \
          --keras_model_file "$work/m.h5" --experimental_new_converter=False
  refused user_tf_ops 1 "--experimental_select_user_tf_ops is not supported" \
          "${v1[@]}" --graph_def_file "$g" --input_arrays x --output_arrays y --target_ops TFLITE_BUILTINS,SELECT_TF_OPS \
          --experimental_select_user_tf_ops MyOp
  # Conversion errors: tflc convert's message, word for word.
  bad=$data/unsupported_ops.pbtxt
  refused unsupported_ops 1 "cannot be lowered" "${v1[@]}" --graph_def_file "$bad" --input_arrays x --output_arrays y
  "$tflc" convert --graph_def_file "$bad" --input_arrays x --output_arrays y --output_file "$work/u.tflite" \
          2>"$work/unsupported_ops.tflc.err" >/dev/null
  if diff <(sed 's/^tflite_convert: /PROGRAM: /' "$work/unsupported_ops.err") \
          <(sed 's/^tflc: /PROGRAM: /' "$work/unsupported_ops.tflc.err") >/dev/null; then
    echo "ok   unsupported_ops: same message as tflc convert"
  else
    echo "FAIL unsupported_ops: messages differ"; diff "$work/unsupported_ops.err" "$work/unsupported_ops.tflc.err"; fail=1
  fi
  refused missing_file 1 "$work/nope.h5" --keras_model_file "$work/nope.h5"
  refused unknown_output 1 "did you mean" "${v1[@]}" --graph_def_file "$g" --input_arrays x --output_arrays why
  ;;
*) echo "unknown mode $mode"; exit 2 ;;
esac
exit $fail
