#!/usr/bin/env bash
# Benchmarks (not tests): converting generated models — Keras H5 with >= 1 GB and > 2.2 GB of
# weights, a GPT-2-small-shaped Keras 3 .keras transformer, and a TF1 SavedModel with >= 1 GB of
# variables.
# Reports wall time, throughput (MB of weights per second) and peak RSS. Usage: bench/run.sh BUILD_DIR
# BENCH_CASES="1gb sm_1gb" (say) runs only those cases; default: all.
set -euo pipefail
build=${1:-build}
tflc="$build/bin/tflc"
work="$build/bench"
mkdir -p "$work"
here=$(cd "$(dirname "$0")" && pwd)
cases=${BENCH_CASES:-"1gb 2_2gb sm_1gb gpt2"}
printf '| model | weights | wall time (median of 3) | throughput | phases: load / pipeline / export | peak RSS | RSS / weights | output | same-size dd write |\n|---|---|---|---|---|---|---|---|---|\n' > "$work/results.md"

# bench_case NAME WEIGHT_BYTES TFLC_INPUT_FLAG MODEL_PATH FILES_TO_WARM...
bench_case() {
  local name=$1 weights=$2 flag=$3 model=$4
  shift 4
  local out="$work/big_$name.tflite"
  # Median of 3 runs. Before each: flush dirty pages (writeback of the previous output would compete
  # for the 2 cores) and warm the page cache, so the figure is the conversion, not the disk.
  : > "$work/time_$name"
  : > "$work/phases_$name"
  for run in 1 2 3; do
    rm -f "$out"; sync; sleep 1
    cat "$@" > /dev/null
    TFLC_TIMING=1 /usr/bin/time -f '%e %M' -a -o "$work/time_$name" "$tflc" convert "$flag" "$model" \
      --output_file "$out" 2> >(grep timing | awk '{printf "%s ", $4} END {print ""}' >> "$work/phases_$name") >/dev/null
  done
  sleep 0.5
  local secs kb phases ddsecs size layout
  read -r secs kb < <(sort -n "$work/time_$name" | sed -n 2p)
  kb=$(awk '{ if ($2 > m) m = $2 } END { print m }' "$work/time_$name")   # peak RSS: the worst run
  phases=$(sort -k1,1n "$work/phases_$name" | sed -n 2p | awk '{printf "%.2f / %.2f / %.2f s", $1, $2, $3}')
  # What writing the same number of bytes costs on this machine right now (page-cache speed varies a lot on VMs).
  rm -f "$work/dd.bin"; sync; sleep 1
  /usr/bin/time -f '%e' -o "$work/dd_time" dd if=/dev/zero of="$work/dd.bin" bs=16M count=$(( $(stat -c %s "$out") / 16777216 + 1 )) 2>/dev/null
  ddsecs=$(cat "$work/dd_time")
  rm -f "$work/dd.bin"
  size=$(stat -c %s "$out")
  "$tflc" inspect --no_hashes "$out" > "$work/inspect_$name.txt"   # our reader round-trips the output
  grep -q buffer_location "$work/inspect_$name.txt" && layout="offset buffers" || layout="inline buffers"
  /usr/bin/python3 - "$name" "$weights" "$secs" "$kb" "$size" "$layout" "$phases" "$ddsecs" >> "$work/results.md" <<'PY'
import sys
name, w, s, kb, size, layout, phases, dd = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6], sys.argv[7], float(sys.argv[8])
print(f"| {name} | {w/1e9:.2f} GB | {s:.2f} s | {w/1e6/max(s,1e-9):.0f} MB/s | {phases} | {kb*1024/1e9:.2f} GB | {kb*1024/w:.2f} | {size/1e9:.2f} GB, {layout} | {dd:.2f} s |")
PY
}

for spec in "1gb:1.0e9" "2_2gb:2.3e9"; do
  name=${spec%%:*} bytes=${spec#*:}
  [[ " $cases " == *" $name "* ]] || continue
  model="$work/big_$name.h5"
  [ -f "$model" ] || /usr/bin/python3 "$here/make_big_keras.py" "$model" "$bytes"
  weights=$(/usr/bin/python3 -c "
import h5py
t=0
def v(n,o):
    global t
    if isinstance(o,h5py.Dataset): t+=o.size*o.dtype.itemsize
h5py.File('$model','r').visititems(v); print(t)")
  bench_case "$name" "$weights" --keras_model_file "$model" "$model"
done

# A GPT-2-small-shaped Keras 3 .keras decoder from stock layers (Embedding, causal MultiHeadAttention,
# LayerNormalization, Dense; ~124 M parameters), written by bench/make_gpt2_keras.py.
if [[ " $cases " == *" gpt2 "* ]]; then
  model="$work/gpt2_small.keras"
  [ -f "$model" ] || /usr/bin/python3 "$here/make_gpt2_keras.py" "$model"
  weights=$(/usr/bin/python3 -c "
import h5py, io, zipfile
t = 0
def v(n, o):
    global t
    if isinstance(o, h5py.Dataset): t += o.size * o.dtype.itemsize
with zipfile.ZipFile('$model') as z, z.open('model.weights.h5') as f:
    h5py.File(io.BytesIO(f.read()), 'r').visititems(v)
print(t)")
  bench_case gpt2 "$weights" --keras_model_file "$model" "$model"
fi

# SavedModel: TF1 graph (VariableV2 + MatMul/BiasAdd/Relu) with its variables in a TensorBundle,
# written by bench/make_big_saved_model (built with tflc: $build/bin/make_big_saved_model).
for spec in "sm_1gb:1.0e9"; do
  name=${spec%%:*} bytes=${spec#*:}
  [[ " $cases " == *" $name "* ]] || continue
  model="$work/big_$name"
  if [ ! -f "$model/saved_model.pb" ]; then
    [ -x "$build/bin/make_big_saved_model" ] || { echo "bench: $build/bin/make_big_saved_model is not built" >&2; exit 1; }
    "$build/bin/make_big_saved_model" "$model" "$bytes"
  fi
  # The variables are packed back to back in the one data shard: its size is the variable bytes.
  weights=$(stat -c %s "$model/variables/variables.data-00000-of-00001")
  bench_case "$name" "$weights" --saved_model_dir "$model" "$model/saved_model.pb" "$model"/variables/*
done
cat "$work/results.md"
