#!/usr/bin/env bash
# (1) Several SavedModel signatures -> several subgraphs, each with its SignatureDef.
# (2) Unsupported ops: one message listing every op type with its count and first node names, and
#     the options that would carry them; exit != 0 and no output file.
# Usage: tf_signatures_and_unsupported.sh TFLC HALF_PLUS_TWO_DIR UNSUPPORTED.pbtxt OUTDIR
set -uo pipefail
tflc=$1 hp2=$2 pbtxt=$3 out=$4
mkdir -p "$out"; fail=0
if [ -d "$hp2" ]; then
  "$tflc" convert --saved_model_dir "$hp2" --saved_model_signature_key serving_default,regress_x2_to_y3 \
    --output_file "$out/two.tflite" >/dev/null || exit 1
  "$tflc" inspect "$out/two.tflite" > "$out/two.txt" || exit 1
  grep -q '^subgraphs: 2' "$out/two.txt" || { echo "FAIL: expected 2 subgraphs"; fail=1; }
  grep -q '"serving_default" subgraph=0' "$out/two.txt" || { echo "FAIL: serving_default SignatureDef"; fail=1; }
  grep -q '"regress_x2_to_y3" subgraph=1' "$out/two.txt" || { echo "FAIL: regress_x2_to_y3 SignatureDef"; fail=1; }
else
  echo "SKIP part 1: $hp2 not found"
fi
rm -f "$out/u.tflite"
if "$tflc" convert --graph_def_file "$pbtxt" --input_arrays x --output_arrays y --output_file "$out/u.tflite" 2>"$out/u.err"; then
  echo "FAIL: unsupported ops were accepted"; fail=1
fi
cat "$out/u.err"
for t in "2 op types (3 nodes) cannot be lowered" "AcmeFancyOp x2 (first: 'a', 'b')" "Erf x1 (first: 'e')" \
         "--enable_select_tf_ops" "--allow_custom_ops"; do
  grep -qF -- "$t" "$out/u.err" || { echo "FAIL: message lacks '$t'"; fail=1; }
done
[ ! -e "$out/u.tflite" ] || { echo "FAIL: output left behind"; fail=1; }
exit $fail
