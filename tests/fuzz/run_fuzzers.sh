#!/usr/bin/env bash
# run_fuzzers.sh BUILD_DIR [SECONDS]: builds the libFuzzer targets of tests/fuzz with clang in
# BUILD_DIR (its own build: ASan + UBSan + libFuzzer instrumentation; only the targets and what they
# link), generates seed corpora from the project's own models and tools, then runs each target for
# SECONDS (default 60). Exits non-zero on any finding (crash, hang > 10 s, > 2 GiB RSS, leak,
# sanitizer report) and prints the path of the input that triggers it.
#
# Environment:
#   TFLC_BIN        a tflc binary from an ordinary build (CTest passes it): converts the generated
#                   SavedModel to .tflite seeds for inspect_fuzzer (without it, only shared seeds).
#   TFLC_FUZZERS    space-separated subset of targets to run (default: all four).
#   TFLC_FUZZ_JOBS  parallel build jobs (default: nproc).
#   TFLC_FUZZ_ASAN_OPTIONS  ASAN_OPTIONS for the runs (default detect_leaks=1; detect_leaks=0 where
#                   LeakSanitizer cannot run, e.g. some containers without ptrace).
# ../shared/models (next to the repository), when present, adds its models to the seeds.
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 BUILD_DIR [SECONDS]" >&2; exit 2; }
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(mkdir -p "$1" && cd "$1" && pwd)
SECONDS_EACH=${2:-60}
SHARED="$SRC/../shared/models"
FUZZERS=${TFLC_FUZZERS:-"graphdef_fuzzer saved_model_fuzzer checkpoint_fuzzer inspect_fuzzer"}
JOBS=${TFLC_FUZZ_JOBS:-$(nproc)}

for tool in clang clang++; do
  command -v $tool >/dev/null || {
    echo "run_fuzzers: $tool is missing; install it with scripts/install-deps.sh (clang libclang-rt-14-dev)" >&2
    exit 1
  }
done

# One run per build directory at a time (a second one waits): runs share the build and the seeds.
exec 9>"$BUILD/.run_fuzzers.lock"
flock 9

# --- configure + build (only the fuzz targets and the seed tools) ---
if [ ! -f "$BUILD/CMakeCache.txt" ]; then
  CC=clang CXX=clang++ cmake -S "$SRC" -B "$BUILD" -DTFLC_BUILD_FUZZERS=ON -DTFLC_BUILD_TESTS=OFF \
    "-DTFLC_PLUGINS=frontend_graphdef;frontend_saved_model" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g" "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O1 -g" >/dev/null
fi
MAKEFLAGS= MAKELEVEL= cmake --build "$BUILD" --target tflc_fuzzers -j"$JOBS" >"$BUILD/fuzz-build.log" 2>&1 || {
  tail -50 "$BUILD/fuzz-build.log" >&2
  echo "run_fuzzers: the fuzz build failed (log: $BUILD/fuzz-build.log)" >&2
  exit 1
}
BIN="$BUILD/fuzz"

# --- seeds (regenerated every run, in the build dir) ---
SEEDS="$BUILD/fuzz-seeds"
rm -rf "$SEEDS"
mkdir -p "$SEEDS"/{graphdef_fuzzer,saved_model_fuzzer,checkpoint_fuzzer,inspect_fuzzer}
export ASAN_OPTIONS=detect_leaks=0  # for the seed tools only; the fuzzers run with leak checks
PROTOC=$(command -v protoc || true)
# A small TF1 SavedModel (3 layers of 8x8 MatMul + BiasAdd + Relu, TF1 saver, real checkpoint).
GEN="$SEEDS/generated_saved_model"
"$BUILD/bin/make_big_saved_model" "$GEN" 600 8 >/dev/null
cp "$GEN/saved_model.pb" "$SEEDS/saved_model_fuzzer/generated.pb"
cp "$GEN/variables/variables.index" "$SEEDS/checkpoint_fuzzer/generated.index"
"$BIN/make_checkpoint_seed" "$GEN/variables/variables" "$SEEDS/checkpoint_fuzzer/generated.records"
# The project's text GraphDefs, and their binary form.
for f in "$SRC"/tests/tf/data/*.pbtxt; do
  n=$(basename "$f" .pbtxt)
  cp "$f" "$SEEDS/graphdef_fuzzer/$n.pbtxt"
  if [ -n "$PROTOC" ]; then
    "$PROTOC" -I "$SRC/schema/tf" --encode=tflc.tf.GraphDef graph.proto <"$f" >"$SEEDS/graphdef_fuzzer/$n.pb"
  fi
done
if [ -n "$PROTOC" ]; then  # the generated SavedModel as text
  "$PROTOC" -I "$SRC/schema/tf" --decode=tflc.tf.SavedModel saved_model.proto \
    <"$GEN/saved_model.pb" >"$SEEDS/saved_model_fuzzer/generated.pbtxt"
fi
# .tflite seeds: the generated SavedModel converted by tflc (float and dynamic-range quantized).
if [ -n "${TFLC_BIN:-}" ] && [ -x "$TFLC_BIN" ]; then
  "$TFLC_BIN" convert --saved_model_dir "$GEN" --output_file "$SEEDS/inspect_fuzzer/generated.tflite" >/dev/null
  "$TFLC_BIN" convert --saved_model_dir "$GEN" --optimizations DEFAULT \
    --output_file "$SEEDS/inspect_fuzzer/generated_dynrange.tflite" >/dev/null
fi
# ../shared/models when present (read only; never copied into the repository).
if [ -d "$SHARED" ]; then
  i=0
  while IFS= read -r -d '' f; do
    i=$((i + 1))
    case "$f" in
      */saved_model.pb) cp "$f" "$SEEDS/saved_model_fuzzer/shared_$i.pb" ;;
      */variables.index)
        cp "$f" "$SEEDS/checkpoint_fuzzer/shared_$i.index"
        "$BIN/make_checkpoint_seed" "${f%.index}" "$SEEDS/checkpoint_fuzzer/shared_$i.records" || true ;;
      *.tflite) cp "$f" "$SEEDS/inspect_fuzzer/shared_$i.tflite" ;;
      *.pb) cp "$f" "$SEEDS/graphdef_fuzzer/shared_$i.pb" ;;
    esac
  done < <(find "$SHARED" \( -name '*.pb' -o -name 'variables.index' -o -name '*.tflite' \) -size -2M -print0 | sort -z)
fi
unset ASAN_OPTIONS

# --- run ---
declare -A MAX_LEN=([graphdef_fuzzer]=65536 [saved_model_fuzzer]=131072 [checkpoint_fuzzer]=16384
                    [inspect_fuzzer]=65536)
export TFLC_FUZZ_SAVED_MODEL_DIR="$GEN"
# Where the targets write their per-input files (this run's own directory; tmpfs when there is one).
shm=/tmp; [ -d /dev/shm ] && [ -w /dev/shm ] && shm=/dev/shm
export TFLC_FUZZ_TMPDIR=$(mktemp -d "$shm/tflc_fuzz_run.XXXXXX")
trap 'rm -rf "$TFLC_FUZZ_TMPDIR"' EXIT
export ASAN_OPTIONS=${TFLC_FUZZ_ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
failed=()
for t in $FUZZERS; do
  corpus="$BUILD/fuzz-corpus/$t" findings="$BUILD/fuzz-findings/$t"
  mkdir -p "$corpus" "$findings"
  log="$BUILD/fuzz-logs/$t.log"
  mkdir -p "$(dirname "$log")"
  echo "run_fuzzers: $t for ${SECONDS_EACH}s ($(ls "$SEEDS/$t" | wc -l) seeds, -max_len=${MAX_LEN[$t]})"
  if "$BIN/$t" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 -max_len="${MAX_LEN[$t]}" \
       -print_final_stats=1 -artifact_prefix="$findings/" "$corpus" "$SEEDS/$t" >"$log" 2>&1; then
    grep -E '^stat::number_of_executed_units|^stat::new_units_added' "$log" | tr '\n' ' ' | sed 's/^/  /'; echo
  else
    tail -60 "$log" >&2
    echo "run_fuzzers: FINDING in $t (log: $log); reproduce with: $BIN/$t <input>" >&2
    for f in "$findings"/*; do [ -e "$f" ] && echo "  input: $f" >&2; done
    failed+=("$t")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "run_fuzzers: findings in ${failed[*]}" >&2
  exit 1
fi
echo "run_fuzzers: no findings"
