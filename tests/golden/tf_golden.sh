#!/usr/bin/env bash
# Golden test of a TensorFlow GraphDef with control flow: convert it with tflc and compare `tflc
# inspect` of the result (subgraphs, WHILE / IF options naming them) with tf/<name>.expected.txt.
# The graph is either one of tests/tf/gen_control_flow.py (SOURCE "gen": the generator writes it and
# its manifest entry gives the inputs, outputs and extra convert args) or a file of the shared model
# corpus (SOURCE "shared:<path under shared/models>", convert args after it; exit 77 = skipped when
# the corpus is absent). With TFLC_UPDATE_GOLDENS=1 the expected file is rewritten (review the diff!).
# Usage: tf_golden.sh TFLC NAME WORKDIR gen
#        tf_golden.sh TFLC NAME WORKDIR shared:<model> [tflc convert args...]
set -uo pipefail
tflc=$1 name=$2 work=$3 source=$4
shift 4
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work"
mkdir -p "$work"
if [ "$source" = gen ]; then
  gen="$here/../tf/gen_control_flow.py"
  /usr/bin/python3 "$gen" "$work" >"$work/gen.log" 2>&1 || { cat "$work/gen.log"; echo "generator failed"; exit 1; }
  fields=$(/usr/bin/python3 - "$work/manifest.json" "$name" <<'PY'
import json, sys
m = [e for e in json.load(open(sys.argv[1]))['models'] if e['name'] == sys.argv[2]]
if not m:
    sys.exit(f'no manifest entry {sys.argv[2]}')
e = m[0]
if e['expect'] != 'ok':
    sys.exit(f'manifest entry {sys.argv[2]} is an error case')
print(e['file'])
print(','.join(i['name'] for i in e['inputs']))
print(','.join(e['outputs']))
print('\x1f'.join(e['args']))
print('end')
PY
) || { echo "manifest: $fields"; exit 1; }
  mapfile -t f <<< "$fields"
  [ "${f[4]:-}" = end ] || { echo "bad manifest fields for $name"; exit 1; }
  model="$work/${f[0]}"
  IFS=$'\x1f' read -r -a extra <<< "${f[3]}"
  for k in "${!extra[@]}"; do [[ ${extra[$k]} == @* ]] && extra[$k]="$work/${extra[$k]#@}"; done
  args=(--input_arrays "${f[1]}" --output_arrays "${f[2]}" "${extra[@]}")
else
  shared="$here/../../../shared/models"
  model="$shared/${source#shared:}"
  [ -e "$model" ] || { echo "SKIP: $model not present (the shared model corpus is absent)"; exit 77; }
  args=("$@")
fi
out="$work/$name.tflite"
expected="$here/tf/$name.expected.txt"
"$tflc" convert --graph_def_file "$model" "${args[@]}" --output_file "$out" >/dev/null 2>"$work/$name.stderr" ||
  { cat "$work/$name.stderr"; echo "conversion of $name failed"; exit 1; }
"$tflc" inspect "$out" > "$work/$name.actual.txt" || exit 1
if [ "${TFLC_UPDATE_GOLDENS:-0}" = 1 ]; then
  cp "$work/$name.actual.txt" "$expected"
  echo "updated $expected"
  exit 0
fi
if [ ! -f "$expected" ]; then
  echo "no golden $(basename "$expected") for $name; actual output:"; cat "$work/$name.actual.txt"
  echo "(run 'make update-goldens' to create it, then review the diff)"; exit 1
fi
if diff -u "$expected" "$work/$name.actual.txt"; then echo "golden $name: match"; else
  echo "golden $name differs (TFLC_UPDATE_GOLDENS=1 to accept, then review)"; exit 1; fi
