#!/usr/bin/env bash
# TF1 control flow (Switch/Merge from tf.cond, Enter/Exit/NextIteration loops from tf.while_loop)
# fails with one clear error naming a node and saying how to re-export with control flow v2; no
# crash, no output file. Usage: tf_control_flow_v1.sh TFLC DATA_DIR OUTDIR
set -uo pipefail
tflc=$1 data=$2 out=$3
mkdir -p "$out"
fail=0
check() {  # name, pbtxt, inputs, node the message names
  local name=$1 model=$2 inputs=$3 node=$4
  local f="$out/$name.tflite"
  rm -f "$f"
  "$tflc" convert --graph_def_file "$model" --input_arrays "$inputs" --output_arrays y --output_file "$f" \
    2>"$out/$name.err"; local rc=$?
  local msg; msg=$(cat "$out/$name.err")
  if [ $rc -eq 0 ] || [ $rc -ge 128 ]; then echo "FAIL ($name): exit status $rc"; fail=1; return; fi
  for want in "TensorFlow 1 control flow" "node '$node'" "tf.compat.v1.enable_control_flow_v2()" \
              "tf.saved_model.save" "$model"; do
    grep -qF -- "$want" <<< "$msg" || { echo "FAIL ($name): message lacks '$want':"; echo "$msg"; fail=1; return; }
  done
  [ ! -e "$f" ] || { echo "FAIL ($name): output file left behind"; fail=1; return; }
  echo "PASS ($name)"
}
check cond "$data/control_flow_v1_cond.pbtxt" x,pred cond/Switch
check while "$data/control_flow_v1_while.pbtxt" start while/Exit
exit $fail
