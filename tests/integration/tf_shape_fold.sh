#!/usr/bin/env bash
# Shape-subgraph folding on a hand-written GraphDef (tests/tf/data/shape_fold.pbtxt):
# Reshape(x, Pack(StridedSlice(Shape(x)), 8)) must come out as one RESHAPE whose shape input is
# the constant INT32 [1, 8] (FNV-1a 64 of its 8 bytes = 89a2916bced8d42c, as `tflc inspect` prints).
# Usage: tf_shape_fold.sh TFLC PBTXT OUT_DIR
set -uo pipefail
tflc=$1 model=$2 out=$3
mkdir -p "$out"
fail=0
check() {  # name, extra convert args...
  local name=$1; shift
  local f="$out/shape_fold_$name.tflite"
  rm -f "$f"
  "$tflc" convert --graph_def_file "$model" --input_arrays x --output_arrays y "$@" --output_file "$f" ||
    { echo "FAIL ($name): tflc convert failed"; fail=1; return; }
  local dump ops
  dump=$("$tflc" inspect --no_options "$f") || { echo "FAIL ($name): tflc inspect failed"; fail=1; return; }
  ops=$(sed -n '/^  operators:/,/^[a-z]/p' <<< "$dump" | grep -E '^    \[[0-9]+\]')
  if [ "$(wc -l <<< "$ops")" -ne 1 ] || ! grep -qE '^    \[0\] RESHAPE\(0, 1\) -> \(2\)$' <<< "$ops"; then
    echo "FAIL ($name): expected only RESHAPE, got:"; echo "$ops"; fail=1; return
  fi
  if ! grep -qE '^    \[1\] "stack" INT32 \[2\] buffer=[1-9][0-9]* \(8 bytes, fnv1a=89a2916bced8d42c\)$' <<< "$dump" ||
     ! grep -qE '^    \[2\] "y" FLOAT32 \[1,8\] ' <<< "$dump"; then
    echo "FAIL ($name): the shape input is not the constant [1,8]:"; echo "$dump"; fail=1; return
  fi
  echo "PASS ($name)"
}
check input_shapes --input_shapes 1,4,2   # batch given
check default_batch                       # unknown batch of a known-rank placeholder → 1
exit $fail
