#!/usr/bin/env bash
# A bad TensorFlow input must fail cleanly: exit != 0, no crash (exit < 128), the expected text in
# the message, and no output file. The broken input is made at run time from a copy of a shared model.
# Usage: tf_expect_failure.sh TFLC CASE SHARED_MODELS OUTDIR
set -uo pipefail
tflc=$1 case=$2 shared=$3 out=$4
hp2="$shared/serving_half_plus_two_tf1/saved_model_half_plus_two_cpu/00000123"
fc="$shared/tf2onnx_fc_layers_frozen/frozen.pb"
[ -e "$hp2" ] && [ -e "$fc" ] || { echo "SKIP: ../shared/models absent"; exit 77; }
work="$out/$case"
rm -rf "$work"; mkdir -p "$work"
result="$work/out.tflite"
copy_hp2() { cp -r "$hp2" "$work/model"; }
case $case in
  corrupt_saved_model)
    copy_hp2; truncate -s 1000 "$work/model/saved_model.pb"
    args=(--saved_model_dir "$work/model"); expect="is not a valid SavedModel" ;;
  missing_variables)
    copy_hp2; rm -rf "$work/model/variables"
    args=(--saved_model_dir "$work/model"); expect="variables.index is missing" ;;
  truncated_variables)
    copy_hp2; truncate -s 4 "$work/model/variables/variables.data-00000-of-00001"
    args=(--saved_model_dir "$work/model"); expect="is truncated" ;;
  checksum_mismatch)
    copy_hp2; printf '\x55' | dd of="$work/model/variables/variables.data-00000-of-00001" bs=1 seek=0 conv=notrunc 2>/dev/null
    args=(--saved_model_dir "$work/model"); expect="checksum mismatch for tensor" ;;
  unknown_tag)
    args=(--saved_model_dir "$hp2" --saved_model_tag_set train); expect="available tag sets: 'serve'" ;;
  unknown_signature)
    args=(--saved_model_dir "$hp2" --saved_model_signature_key nope); expect="available signature keys:" ;;
  unknown_output)
    args=(--graph_def_file "$fc" --input_arrays X --output_arrays outptu); expect="did you mean 'output'" ;;
  cycle)
    printf '%s\n' 'node { name: "x" op: "Placeholder" attr { key: "dtype" value { type: DT_FLOAT } } attr { key: "shape" value { shape { dim { size: 1 } } } } }' \
      'node { name: "a" op: "AddV2" input: "x" input: "b" attr { key: "T" value { type: DT_FLOAT } } }' \
      'node { name: "b" op: "Neg" input: "a" attr { key: "T" value { type: DT_FLOAT } } }' > "$work/cycle.pbtxt"
    args=(--graph_def_file "$work/cycle.pbtxt" --input_arrays x --output_arrays b); expect="has a cycle" ;;
  recursive_function)
    printf '%s\n' 'node { name: "x" op: "Placeholder" attr { key: "dtype" value { type: DT_FLOAT } } attr { key: "shape" value { shape { dim { size: 1 } } } } }' \
      'node { name: "call" op: "PartitionedCall" input: "x" attr { key: "f" value { func { name: "loop" } } } }' \
      'library { function { signature { name: "loop" input_arg { name: "a" type: DT_FLOAT } output_arg { name: "out" type: DT_FLOAT } }' \
      '  node_def { name: "again" op: "PartitionedCall" input: "a" attr { key: "f" value { func { name: "loop" } } } }' \
      '  ret { key: "out" value: "again:output:0" } } }' > "$work/rec.pbtxt"
    args=(--graph_def_file "$work/rec.pbtxt" --input_arrays x --output_arrays call); expect="calls itself" ;;
  *) echo "unknown case $case"; exit 2 ;;
esac
msg=$("$tflc" convert "${args[@]}" --output_file "$result" 2>&1); rc=$?
echo "$msg"
[ $rc -ne 0 ] || { echo "FAIL: exit 0"; exit 1; }
[ $rc -lt 128 ] || { echo "FAIL: crashed (exit $rc)"; exit 1; }
[ ! -e "$result" ] || { echo "FAIL: an output file was left behind"; exit 1; }
grep -qF -- "$expect" <<<"$msg" || { echo "FAIL: the message lacks '$expect'"; exit 1; }
echo PASS
