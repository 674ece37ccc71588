#!/usr/bin/env bash
# Benchmarks (not tests): converting generated Keras models with >= 1 GB and > 2.2 GB of weights.
# Reports wall time, throughput (MB of weights per second) and peak RSS. Usage: bench/run.sh BUILD_DIR
set -euo pipefail
build=${1:-build}
tflc="$build/bin/tflc"
work="$build/bench"
mkdir -p "$work"
here=$(cd "$(dirname "$0")" && pwd)
printf '| model | weights | wall time | throughput | peak RSS | RSS / weights | output |\n|---|---|---|---|---|---|---|\n' > "$work/results.md"
for spec in "1gb:1.0e9" "2_2gb:2.3e9"; do
  name=${spec%%:*} bytes=${spec#*:}
  model="$work/big_$name.h5"
  [ -f "$model" ] || /usr/bin/python3 "$here/make_big_keras.py" "$model" "$bytes"
  weights=$(/usr/bin/python3 -c "
import h5py
t=0
def v(n,o):
    global t
    if isinstance(o,h5py.Dataset): t+=o.size*o.dtype.itemsize
h5py.File('$model','r').visititems(v); print(t)")
  cat "$model" > /dev/null  # warm the page cache: measure conversion, not the disk
  out="$work/big_$name.tflite"
  /usr/bin/time -f '%e %M' -o "$work/time_$name" "$tflc" convert --keras_model_file "$model" --output_file "$out" >/dev/null
  read -r secs kb < "$work/time_$name"
  size=$(stat -c %s "$out")
  "$tflc" inspect --no_hashes "$out" > "$work/inspect_$name.txt"   # our reader round-trips the output
  grep -q buffer_location "$work/inspect_$name.txt" && layout="offset buffers" || layout="inline buffers"
  /usr/bin/python3 - "$name" "$weights" "$secs" "$kb" "$size" "$layout" >> "$work/results.md" <<'PY'
import sys
name, w, s, kb, size, layout = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
print(f"| {name} | {w/1e9:.2f} GB | {s:.2f} s | {w/1e6/max(s,1e-9):.0f} MB/s | {kb*1024/1e9:.2f} GB | {kb*1024/w:.2f} | {size/1e9:.2f} GB, {layout} |")
PY
done
cat "$work/results.md"
