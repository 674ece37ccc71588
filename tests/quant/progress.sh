#!/usr/bin/env bash
# Calibration shows a progress bar on a terminal, counting every sample the dataset holds, and
# draws nothing when stderr is not a terminal (logs, CI).
#
# usage: progress.sh TFLC SHARED_MODELS OUT_DIR
# Exit: 0 pass, 1 fail, 2 usage error, 77 the models are absent or `script` (util-linux) is missing.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
(( $# == 3 )) || { echo "usage: progress.sh TFLC SHARED_MODELS OUT_DIR" >&2; exit 2; }
tflc=$1 shared=$2 out=$3
model="$shared/st_stmnist_v1/stmnist_v1.h5"
[[ -e "$model" ]] || { echo "SKIP: $model not found (the shared model corpus ../shared/models is absent)"; exit 77; }
command -v script >/dev/null || { echo "SKIP: script (util-linux) not installed: no pseudo-terminal"; exit 77; }
rm -rf "$out" && mkdir -p "$out" || exit 2

# 7 samples: not a round number, so the count must come from the dataset.
/usr/bin/python3 "$here/make_dataset.py" "$out/d.npz" --keras "$model" --range=0,1 --samples 7 >/dev/null || exit 2
cmd=("$tflc" convert --keras_model_file "$model" --output_file "$out/m.tflite" --optimizations DEFAULT
     --representative_dataset "$out/d.npz")

# On a pseudo-terminal (script runs the command with its stdio on a pty).
script -qec "$(printf '%q ' "${cmd[@]}")" /dev/null > "$out/tty.log" 2>&1
code=$?
fail=0
(( code == 0 )) || { echo "FAIL: conversion on a terminal exited $code"; cat "$out/tty.log"; exit 1; }
if grep -aq 'calibrating \[=*\] 7/7 samples' "$out/tty.log"; then
  echo "PASS progress bar on a terminal reaches 7/7 samples"
else
  echo "FAIL no progress bar reaching 7/7 samples on a terminal:"; cat "$out/tty.log"; fail=1
fi

# Not a terminal: no bar.
"${cmd[@]}" > "$out/pipe.log" 2>&1 || { echo "FAIL: conversion exited $?"; cat "$out/pipe.log"; exit 1; }
if grep -aq calibrating "$out/pipe.log"; then
  echo "FAIL a progress bar was drawn into a pipe:"; cat "$out/pipe.log"; fail=1
else
  echo "PASS no progress bar when stderr is not a terminal"
fi
exit $fail
