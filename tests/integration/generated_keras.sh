#!/usr/bin/env bash
# One generated Keras model (tests/models/make_keras_models.py, written at build time), per its
# manifest entry: convert it and compare in the real TFLite runtime with tfjs-layers (tfjs=true) or
# with the generator's independent numpy reference; models that must fail must fail with the
# expected text, no crash and no output file; `inspect:A|B` models must convert to a file whose
# `tflc inspect` shows A and B.  Usage: generated_keras.sh TFLC MODELS_DIR NAME OUTDIR
set -uo pipefail
tflc=$1 models=$2 name=$3 out=$4
here=$(cd "$(dirname "$0")/.." && pwd)
manifest="$models/manifest.json"
[ -f "$manifest" ] || { echo "no $manifest: build the tree first (the generator runs at build time)"; exit 1; }
mkdir -p "$out"
eval "$(/usr/bin/python3 - "$manifest" "$name" "$out" <<'PY'
import json, shlex, sys
m = json.load(open(sys.argv[1]))[sys.argv[2]]
print(f"file={shlex.quote(m['file'])} expect={shlex.quote(m['expect'])} tfjs={int(m['tfjs'])}")
print(f"range={m['range'][0]},{m['range'][1]}")
print("args=(" + " ".join(shlex.quote(a) for a in m.get("args", [])) + ")")
if 'reference' in m:
    json.dump(m['reference'], open(f"{sys.argv[3]}/reference.json", "w"))
    print("has_ref=1")
else:
    print("has_ref=0")
PY
)"
model="$models/$file"
tfl="$out/${file%.*}.tflite"
rm -f "$tfl"
if [[ "$expect" == inspect:* ]]; then
  # Converts (e.g. to custom ops no runtime here implements): `tflc inspect` must show each of the
  # '|'-separated texts.
  "$tflc" convert --keras_model_file "$model" --output_file "$tfl" "${args[@]}" || { echo "FAIL: conversion failed"; exit 1; }
  "$tflc" inspect "$tfl" > "$out/inspect.txt" || { echo "FAIL: tflc inspect failed"; exit 1; }
  IFS='|' read -r -a needles <<< "${expect#inspect:}"
  for n in "${needles[@]}"; do
    grep -qF -- "$n" "$out/inspect.txt" || { echo "FAIL: tflc inspect lacks '$n'"; cat "$out/inspect.txt"; exit 1; }
  done
  echo "inspect shows: ${expect#inspect:}"
  exit 0
fi
if [ "$expect" != ok ]; then
  "$tflc" convert --keras_model_file "$model" --output_file "$tfl" "${args[@]}" 2>"$out/stderr"; rc=$?
  cat "$out/stderr"
  [ $rc -ne 0 ] && [ $rc -lt 128 ] || { echo "FAIL: exit status $rc"; exit 1; }
  grep -qF -- "$expect" "$out/stderr" || { echo "FAIL: message lacks '$expect'"; exit 1; }
  grep -qF -- "$model" "$out/stderr" || { echo "FAIL: message does not name the file"; exit 1; }
  [ ! -e "$tfl" ] || { echo "FAIL: output file left behind"; exit 1; }
  exit 0
fi
if [ "$tfjs" = 1 ]; then
  [ ${#args[@]} -eq 0 ] || { echo "FAIL: tfjs cases take no extra convert arguments"; exit 1; }
  exec "$here/e2e/keras_case.sh" "$tflc" "$model" "$out" --samples 8 --seed 1 --range "$range" --tolerance 1e-4
fi
[ "$has_ref" = 1 ] || { echo "FAIL: no reference for $name"; exit 1; }
"$tflc" convert --keras_model_file "$model" --output_file "$tfl" "${args[@]}" || exit 1
"$here/e2e/setup.sh" || exit 1
exec node "$here/e2e/compare_reference.js" "$out/reference.json" "$tfl" --tolerance 1e-4
