#!/usr/bin/env bash
# Benchmark (not a test): calibration throughput of `tflc convert --optimizations DEFAULT
# --representative_dataset` beside the real TFLite runtime's float inference of the same model on
# this machine (the tfjs-tflite WebAssembly interpreter, 1 thread, via bench/tflite_infer_bench.js).
# Target: calibrating one sample costs no more than one TFLite inference (ratio <= 1).
# Usage: bench/calibration.sh BUILD_DIR     (needs ../shared/models and tests/e2e/node_modules)
# CALIB_SAMPLES (default 100) sets the dataset size.
set -euo pipefail
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
tflc="$build/bin/tflc"
name=st_mobilenet_v2_035_128_flowers
model="$root/../shared/models/$name/mobilenet_v2_0.35_128.h5"
range="-1,1"   # the input range the official .tflite implies (docs: TESTING.md)
samples=${CALIB_SAMPLES:-100}

if [ ! -d "$root/../shared/models" ]; then
  echo "bench/calibration.sh: skipped: $root/../shared/models is absent" >&2
  exit 0
fi
[ -f "$model" ] || { echo "bench/calibration.sh: $model is missing" >&2; exit 1; }
[ -x "$tflc" ] || { echo "bench/calibration.sh: $tflc is not built (make build BUILD=$build)" >&2; exit 1; }
"$root/tests/e2e/setup.sh"   # installs tests/e2e/node_modules when missing; quiet otherwise

work="$build/bench/calibration"
mkdir -p "$work"
float="$work/$name.float.tflite"
dataset="$work/$name.$samples.npz"

# (a) float .tflite for the runtime.
"$tflc" convert --keras_model_file "$model" --output_file "$float" >/dev/null

# (b) the runtime's float inference, 1 thread.
infer_json=$(node "$here/tflite_infer_bench.js" "$float" --range="$range" --warmup 20 --runs 100 --batches 7 --json)
echo "runtime: $infer_json" >&2

# (c) calibration, median of 3 runs, with 1 thread and with the converter's default thread count.
[ -f "$dataset" ] || /usr/bin/python3 "$root/tests/quant/make_dataset.py" "$dataset" --keras "$model" \
  --range="$range" --samples "$samples" >/dev/null
# calibrate THREADS_OR_EMPTY: prints "SAMPLES_PER_S THREADS", the median of 3 runs.
calibrate() {
  local log="$work/calibration_${1:-default}.txt" run line
  : > "$log"
  for run in 1 2 3; do
    env ${1:+TFLC_CALIBRATION_THREADS=$1} TFLC_TIMING=1 "$tflc" convert --keras_model_file "$model" \
      --output_file "$work/$name.int8.tflite" --optimizations DEFAULT --representative_dataset "$dataset" \
      2> "$work/stderr.txt" >/dev/null || { cat "$work/stderr.txt" >&2; exit 1; }
    line=$(grep 'tflc: calibration:' "$work/stderr.txt") \
      || { echo "bench/calibration.sh: no 'tflc: calibration:' line (TFLC_TIMING=1) from $tflc" >&2; exit 1; }
    echo "$line" >&2
    # tflc: calibration: N samples in S s on T threads (X samples/s)
    echo "$line" | sed -E 's/.* on ([0-9]+) threads? \(([0-9.]+) samples\/s\).*/\2 \1/' >> "$log"
  done
  sort -n "$log" | sed -n 2p
}
read -r cal1 _ < <(calibrate 1)
read -r caln threads < <(calibrate "")

# (d) the table.
/usr/bin/python3 - "$name" "$infer_json" "$cal1" "$caln" "$threads" "$samples" > "$work/results.md" <<'PY'
import json, sys
name, infer, cal1, caln, threads, samples = sys.argv[1], json.loads(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), sys.argv[5], sys.argv[6]
ms = infer["ms_per_inference"]
cal1_ms, caln_ms = 1000 / cal1, 1000 / caln
print("| model | TFLite WASM float inference (1 thread) | tflc calibration, 1 thread | "
      f"tflc calibration, {threads} threads | calibration / inference, 1 thread | "
      f"calibration / inference, {threads} threads |")
print("|---|---|---|---|---|---|")
print(f"| {name} | {infer['inferences_per_s']:.0f} inferences/s ({ms:.2f} ms) | "
      f"{cal1:.1f} samples/s ({cal1_ms:.2f} ms) | {caln:.1f} samples/s ({caln_ms:.2f} ms) | "
      f"{cal1_ms / ms:.2f} | {caln_ms / ms:.2f} |")
print()
print(f"Ratio = calibration time per sample / inference time; target <= 1. Calibration: {samples} "
      f"samples uniform in [-1, 1], median of 3 runs. Inference: {infer['runtime']}, median of "
      f"{infer['batches']} batches of {infer['runs_per_batch']} after {infer['warmup']} warm-up.")
try:  # other tenants on a shared VM make both figures (and thread scaling) drift: say so
    some = open("/proc/pressure/cpu").readline().split()
    avg60 = float(dict(kv.split("=") for kv in some[1:])["avg60"])
    if avg60 > 20:
        print(f"Note: CPU pressure was {avg60:.0f} % (some, avg60) when this finished: other processes competed "
              "for the cores, so the thread scaling and the absolute figures are unreliable; the ratio less so.")
except (OSError, KeyError, ValueError, IndexError):
    pass
PY
cat "$work/results.md"
