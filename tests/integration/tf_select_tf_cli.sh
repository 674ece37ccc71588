#!/usr/bin/env bash
# Select TF and custom ops through the CLI: `tflc convert` prints the Flex ops used and warns listing
# the custom ops; `tflc inspect` shows each Flex op's NodeDef and each custom op's attribute map;
# ops outside the Flex allowlist are refused (all at once, no output file) unless custom ops are
# allowed. Usage: tf_select_tf_cli.sh TFLC SELECT_TF_MIX.pbtxt OUTDIR
set -uo pipefail
tflc=$1 pbtxt=$2 out=$3
mkdir -p "$out"; fail=0
args=(--graph_def_file "$pbtxt" --input_arrays x --output_arrays y)

rm -f "$out/mix.tflite"
if ! "$tflc" convert "${args[@]}" --target_spec.supported_ops TFLITE_BUILTINS,SELECT_TF_OPS --allow_custom_ops \
     --output_file "$out/mix.tflite" >"$out/mix.out" 2>"$out/mix.err"; then
  echo "FAIL: conversion with Select TF and custom ops failed"; cat "$out/mix.err"; exit 1
fi
grep -qF "Select TF ops used" "$out/mix.out" && grep -qF "FlexCumprod x1, FlexErf x1" "$out/mix.out" ||
  { echo "FAIL: stdout does not list the Flex ops used"; cat "$out/mix.out"; fail=1; }
grep -qF "warning: custom ops emitted" "$out/mix.err" && grep -qF "AcmeFancyOp x1" "$out/mix.err" ||
  { echo "FAIL: no warning listing the custom ops"; cat "$out/mix.err"; fail=1; }

"$tflc" inspect "$out/mix.tflite" >"$out/mix.txt" || { echo "FAIL: tflc inspect failed"; exit 1; }
for want in \
  'CUSTOM "FlexErf"(1) -> (2) custom_options=["Erf", node_def { name: "model/erf" op: "Erf" input: "r" input: "^x" device: "/device:CPU:0" attr { key: "T" value { type: DT_FLOAT } } }]' \
  'CUSTOM "FlexCumprod"(2, 3) -> (4) custom_options=["Cumprod", node_def { name: "model/cumprod" op: "Cumprod" input: "model/erf" input: "axis" device: "" attr { key: "T" value { type: DT_FLOAT } } attr { key: "Tidx" value { type: DT_INT32 } } attr { key: "exclusive" value { b: false } } attr { key: "reverse" value { b: true } } }]' \
  'CUSTOM "AcmeFancyOp"(6) -> (7) custom_options={T: 0, alpha: 0.25, count: -7, dims: [1, 2, 3], enabled: true, mode: "fast", names: ["a", "bc"], out_dtype: 2, scales: [0.5, 1.5]}' \
  'RELU(0) -> (1)' 'TANH(7) -> (8)'; do
  grep -qF -- "$want" "$out/mix.txt" || { echo "FAIL: inspect lacks: $want"; fail=1; }
done

# Select TF alone: AcmeFancyOp is not in the allowlist.
rm -f "$out/flex_only.tflite"
if "$tflc" convert "${args[@]}" --enable_select_tf_ops --output_file "$out/flex_only.tflite" 2>"$out/flex_only.err"; then
  echo "FAIL: AcmeFancyOp was accepted as a Select TF op"; fail=1
fi
for t in "AcmeFancyOp x1 (first: 'acme')" "Flex allowlist" "--allow_custom_ops"; do
  grep -qF -- "$t" "$out/flex_only.err" || { echo "FAIL: message lacks '$t'"; cat "$out/flex_only.err"; fail=1; }
done
[ ! -e "$out/flex_only.tflite" ] || { echo "FAIL: output left behind"; fail=1; }
exit $fail
