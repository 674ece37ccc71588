#!/usr/bin/env bash
# Bad input must give exit status != 0, a message naming the file (and the layer where there is
# one), no crash, and no output file.  Usage: bad_input_test.sh TFLC WORKDIR
set -uo pipefail
tflc=$1 work=$2
rm -rf "$work" && mkdir -p "$work/in" "$work/out"
/usr/bin/python3 "$(dirname "$0")/make_bad_inputs.py" "$work/in" >/dev/null || { echo "generator failed"; exit 1; }
fail=0
# case | file | text the message must contain besides the path ("" = just the path)
check() {
  local name=$1 file=$2 must=$3
  local out="$work/out/$name.tflite"
  "$tflc" convert --keras_model_file "$file" --output_file "$out" >"$work/out/$name.stdout" 2>"$work/out/$name.stderr"
  local rc=$?
  local msg; msg=$(cat "$work/out/$name.stderr")
  local ok=1
  if [ $rc -eq 0 ]; then echo "FAIL $name: exit status 0"; ok=0; fi
  if [ $rc -ge 128 ]; then echo "FAIL $name: crashed (status $rc)"; ok=0; fi
  if ! grep -qF -- "$file" "$work/out/$name.stderr"; then echo "FAIL $name: message does not name $file"; ok=0; fi
  if [ -n "$must" ] && ! grep -qF -- "$must" "$work/out/$name.stderr"; then echo "FAIL $name: message lacks '$must'"; ok=0; fi
  if ls "$work/out/" | grep -q "^$name.tflite"; then echo "FAIL $name: an output file was left behind"; ok=0; fi
  if [ $ok -eq 1 ]; then echo "ok   $name: $msg" | head -c 400; echo; else echo "     message: $msg"; fail=1; fi
}
check missing_file "$work/in/does_not_exist.h5" "does not exist"
check empty_file "$work/in/empty.h5" "empty"
check not_hdf5 "$work/in/not_hdf5.h5" ""
check truncated "$work/in/truncated.h5" ""
check weights_only "$work/in/weights_only.h5" "save_weights"
check invalid_json "$work/in/invalid_json.h5" "JSON"
check missing_weight "$work/in/missing_weight.h5" "dense"
check unknown_layer "$work/in/unknown_layer.h5" "FancyActivation"
check wrong_weight_shape "$work/in/wrong_weight_shape.h5" "dense"
exit $fail
