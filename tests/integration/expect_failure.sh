#!/usr/bin/env bash
# A conversion that must fail: exit status != 0 (no crash), the message names the file and contains
# each given text, and no output file is left.  Usage: expect_failure.sh TFLC MODEL OUTDIR TEXT...
set -uo pipefail
tflc=$1 model=$2 out=$3; shift 3
[ -e "$model" ] || { echo "SKIP: $model not found (../shared/models absent)"; exit 77; }
mkdir -p "$out"; rm -f "$out/out.tflite"
"$tflc" convert --keras_model_file "$model" --output_file "$out/out.tflite" 2>"$out/stderr"; rc=$?
cat "$out/stderr"
[ $rc -ne 0 ] && [ $rc -lt 128 ] || { echo "FAIL: exit status $rc"; exit 1; }
grep -qF -- "$model" "$out/stderr" || { echo "FAIL: message does not name $model"; exit 1; }
for t in "$@"; do grep -qF -- "$t" "$out/stderr" || { echo "FAIL: message lacks '$t'"; exit 1; }; done
[ ! -e "$out/out.tflite" ] || { echo "FAIL: output file left behind"; exit 1; }
