#!/usr/bin/env bash
# TF2 control flow (While/If with library functions, TensorLists, Keras LSTM loops) on one model of
# tests/tf/gen_control_flow.py: generates the models into OUTDIR/NAME, converts the manifest entry NAME
# with tflc, then
#   expect "ok":    conversion succeeds and the .tflite (real TFLite runtime) matches the TF graph run
#                   in tfjs-converter (tests/e2e/compare_tf.js, max rel err <= 1e-4), and every
#                   `expect_ops` {OP: N} entry counts exactly N operators OP in the .tflite (all subgraphs);
#   expect PATTERN: tflc exits with a status in 1..127 (an error, not a crash), the message matches the
#                   case-insensitive ERE PATTERN and every `expect_also` substring but no `expect_not`
#                   one (the model's path is replaced by <model> first), and no output file is left.
# Entries with "format": "saved_model" are SavedModel directories (converted with --saved_model_dir;
# inputs/outputs are signature keys); "inspect_expect": substrings `tflc inspect` of the result must
# print; "known_failure": REASON marks a converter bug seen on this entry: the test is skipped (exit 77)
# with the reason printed (TFLC_RUN_KNOWN_FAILURES=1 runs it anyway).
# Usage: tf_control_flow_v2.sh TFLC GENERATOR OUTDIR NAME
set -uo pipefail
tflc=$1 gen=$2 out=$3 name=$4
here=$(cd "$(dirname "$0")/.." && pwd)
dir="$out/$name"
rm -rf "$dir"
mkdir -p "$dir"
/usr/bin/python3 "$gen" "$dir" >"$dir/gen.log" 2>&1 || { cat "$dir/gen.log"; echo "FAIL: $gen failed"; exit 1; }

# Manifest entry → shell variables (one value per line; lists joined with the unit separator).
fields=$(/usr/bin/python3 - "$dir/manifest.json" "$name" <<'EOF'
import json, sys
m = [e for e in json.load(open(sys.argv[1]))['models'] if e['name'] == sys.argv[2]]
if not m:
    sys.exit(f'no manifest entry {sys.argv[2]}')
e = m[0]
us = '\x1f'
print(e['file'])
print(','.join(i['name'] for i in e['inputs']))
print(','.join(e['outputs']))
print(e['expect'])
print(us.join(e.get('expect_also', [])))
print(us.join(e['args']))
print(us.join(e['compare']))
print(','.join(f"{i['name']}:{'x'.join(map(str, i['shape']))}" for i in e['inputs']
               if all(d >= 0 for d in i['shape'])))
print(us.join(e.get('expect_not', [])))
print(us.join(f'{op}={n}' for op, n in e.get('expect_ops', {}).items()))
print(e.get('format', 'graph_def'))
print(us.join(e.get('inspect_expect', [])))
print(e.get('known_failure', '').replace('\n', ' '))
print('end')
EOF
) || { echo "FAIL: manifest: $fields"; exit 1; }
mapfile -t f <<< "$fields"
model="$dir/${f[0]}" inputs=${f[1]} outputs=${f[2]} expect=${f[3]}
IFS=$'\x1f' read -r -a also <<< "${f[4]}"
IFS=$'\x1f' read -r -a args <<< "${f[5]}"
IFS=$'\x1f' read -r -a compare <<< "${f[6]}"
shapes=${f[7]}
IFS=$'\x1f' read -r -a never <<< "${f[8]}"
IFS=$'\x1f' read -r -a opcounts <<< "${f[9]}"
format=${f[10]}
IFS=$'\x1f' read -r -a inspect_expect <<< "${f[11]}"
known_failure=${f[12]}
[ "${f[13]:-}" = end ] || { echo "FAIL: bad manifest fields for $name"; exit 1; }
if [ -n "$known_failure" ] && [ "${TFLC_RUN_KNOWN_FAILURES:-0}" != 1 ]; then
  echo "SKIP ($name): known converter failure: $known_failure"
  exit 77
fi
tfl="$dir/$name.tflite"
for k in "${!args[@]}"; do [[ ${args[$k]} == @* ]] && args[$k]="$dir/${args[$k]#@}"; done

if [ "$format" = saved_model ]; then
  conv=("$tflc" convert --saved_model_dir "$model" "${args[@]}" --output_file "$tfl")
else
  conv=("$tflc" convert --graph_def_file "$model" --input_arrays "$inputs" --output_arrays "$outputs"
        "${args[@]}" --output_file "$tfl")
fi
echo "${conv[*]}"
"${conv[@]}" 2>"$dir/convert.err"
rc=$?
msg=$(cat "$dir/convert.err")
msg=${msg//"$model"/<model>}  # the file name must not satisfy a pattern

if [ "$expect" != ok ]; then
  if [ $rc -eq 0 ] || [ $rc -ge 128 ]; then
    echo "FAIL ($name): exit status $rc, expected an error matching /$expect/"; echo "$msg"; exit 1
  fi
  grep -qEi -- "$expect" <<< "$msg" || { echo "FAIL ($name): message does not match /$expect/:"; echo "$msg"; exit 1; }
  for want in "${also[@]}"; do
    grep -qFi -- "$want" <<< "$msg" || { echo "FAIL ($name): message lacks '$want':"; echo "$msg"; exit 1; }
  done
  for bad in "${never[@]}"; do
    if grep -qFi -- "$bad" <<< "$msg"; then
      echo "FAIL ($name): failed for the wrong reason ('$bad'):"; echo "$msg"; exit 1
    fi
  done
  [ ! -e "$tfl" ] || { echo "FAIL ($name): output file left behind"; exit 1; }
  echo "PASS ($name): $msg"
  exit 0
fi

[ $rc -eq 0 ] || { echo "FAIL ($name): tflc convert exit $rc:"; echo "$msg"; exit 1; }
[ -s "$tfl" ] || { echo "FAIL ($name): no output file"; exit 1; }
# expect_ops {OP: N}: exactly N operators OP over all subgraphs written (as tf_compare_tf.sh --expect).
if [ ${#opcounts[@]} -gt 0 ]; then
  dump=$("$tflc" inspect --no_options "$tfl") || { echo "FAIL ($name): tflc inspect failed"; exit 1; }
  for e in "${opcounts[@]}"; do
    op=${e%%=*} want=${e#*=}
    got=$(printf '%s\n' "$dump" | grep -cE "^    \[[0-9]+\] $op(\(| )" || true)
    [ "$got" = "$want" ] || { echo "FAIL ($name): expected $op=$want, found $got"; printf '%s\n' "$dump" | head -60; exit 1; }
    echo "ok: $op=$got"
  done
fi
if [ ${#inspect_expect[@]} -gt 0 ]; then
  "$tflc" inspect "$tfl" >"$dir/inspect.txt" 2>&1 || { echo "FAIL ($name): tflc inspect failed"; cat "$dir/inspect.txt"; exit 1; }
  for want in "${inspect_expect[@]}"; do
    grep -qF -- "$want" "$dir/inspect.txt" || { echo "FAIL ($name): tflc inspect lacks '$want':"; cat "$dir/inspect.txt"; exit 1; }
  done
fi
"$here/e2e/setup.sh" || { echo "FAIL: tests/e2e/setup.sh failed (node / npm packages)"; exit 1; }
cmp=(--outputs "$outputs" --tolerance 1e-4)
[ -n "$shapes" ] && cmp+=(--inputs "$shapes")
# A fused LSTM (UNIDIRECTIONAL_SEQUENCE_LSTM) keeps its state in variable tensors, which LiteRT.js
# 2.5.3 refuses at load (tests/e2e/README.md "Variable tensors", ctest e2e_litert_variable_tensors):
# such a file runs in the 2023 runtime, said here, unless the caller chose a runtime.
# (grep reads the whole dump: with pipefail, `grep -q` closing the pipe early would fail the test.)
if [ -z "${TFLC_E2E_RUNTIME:-}" ] && "$tflc" inspect --no_options "$tfl" | grep -c '^  \[[0-9]*\] UNIDIRECTIONAL_SEQUENCE_LSTM' >/dev/null; then
  echo "note: the .tflite has UNIDIRECTIONAL_SEQUENCE_LSTM (variable state tensors, which LiteRT.js cannot load): compared in the 2023 runtime (tfjs-tflite)"
  export TFLC_E2E_RUNTIME=tfjs-tflite
fi
node "$here/e2e/compare_tf.js" "$model" "$tfl" "${cmp[@]}" "${compare[@]}"
rc=$?
[ $rc -eq 0 ] && { echo "PASS ($name)"; exit 0; }
echo "FAIL ($name): compare_tf.js exit $rc"; exit 1
