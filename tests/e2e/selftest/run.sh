#!/usr/bin/env bash
# Self-test of the e2e harness against the shared third-party models: checks
# that the Keras reference, both TFLite runtimes (LiteRT.js, the default, and the
# 2023 tfjs-tflite interpreter), the comparers and keras_case.sh behave (exit
# codes included). Needs no tflc. The other checks use the default runtime
# (TFLC_E2E_RUNTIME selects it).
#
# usage: selftest/run.sh [models dir]
#   models dir: default $TFLC_SHARED_MODELS, else <repo>/../shared/models,
#   else /work/shared/models.
# Ends with "N passed, N failed"; exit 0 only when nothing failed.
set -uo pipefail

e2e="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
models="${1:-${TFLC_SHARED_MODELS:-}}"
if [[ -z "$models" ]]; then
  for d in "$e2e/../../../shared/models" /work/shared/models; do
    [[ -d "$d" ]] && { models="$(cd "$d" && pwd)"; break; }
  done
fi
[[ -d "${models:-}" ]] || { echo "SKIP: selftest: shared models not found (pass a dir or set TFLC_SHARED_MODELS)"; exit 77; }

"$e2e/setup.sh" || exit 2

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

# expect <wanted exit code> <description> <command…>
expect() {
  local want="$1" what="$2"
  shift 2
  "$@" >"$tmp/out" 2>&1
  local rc=$?
  if (( rc == want )); then
    passed=$((passed + 1))
    echo "ok    $what"
  else
    failed=$((failed + 1))
    echo "FAIL  $what (exit $rc, wanted $want)"
    sed 's/^/      /' "$tmp/out"
  fi
}

# Keras reference loads for every model (QKeras must fail naming QDense; tfjs-layers has no
# MultiHeadAttention: the transformer models fail too, their reference is
# tests/references/keras_numpy_reference.py).
expect 0 "check_references: all Keras models load and predict" \
  node "$e2e/check_references.js" "$models" --expect-fail qkeras --expect-fail transformer_model
node "$e2e/check_references.js" "$models/ts_transformer_keras39_mha" --expect-fail transformer >"$tmp/t" 2>&1
[[ -d "$models/ts_transformer_keras39_mha" ]] && expect 0 "transformer model fails in tfjs-layers naming MultiHeadAttention" \
  grep -q "Unknown layer: MultiHeadAttention" "$tmp/t"
node "$e2e/check_references.js" "$models/hls4ml_qkeras_v3_keras3" --expect-fail qkeras >"$tmp/q" 2>&1
expect 0 "QKeras model fails with a message naming QDense" grep -q "Unknown layer: QDense" "$tmp/q"

icu="$models/icu_dense_keras3_h5_dynrange"

# LiteRT.js runner units (float16 I/O coding, silent-failure detection, runtime selection).
# TFLC_E2E_GATHER_MODEL: tflc's conversion of the generated Embedding model (set by ctest when the
# gen_keras_embedding test has written it) for the silent GATHER failure check.
expect 0 "litert_units: LiteRT runner unit checks" node "$e2e/selftest/litert_units.js" "$icu/model.tflite" \
  "${TFLC_E2E_GATHER_MODEL:-}"

# Every shared .tflite runs in both runtimes with the same results: float within 1e-5 relative,
# integer outputs within 1 quantum. fdmobilenet's float output (dequantized int8) differs by one
# int8 step between the runtimes (rounding of int8 ties), so it gets its own bound; the
# ParseExample model (string I/O, custom op) is refused by both.
agree=()
while IFS= read -r f; do
  case "$f" in
    */st_fdmobilenet_*|*/serving_parse_example_tflite/*) ;;
    */st_miniresnet*) agree+=("$f:-80,0") ;;
    */st_har_*) agree+=("$f:-30,37") ;;
    */st_stmnist_*|*/st_mobilenet_v1_*) agree+=("$f:0,1") ;;
    *) agree+=("$f") ;;
  esac
done < <(find "$models" -name '*.tflite' | sort)
expect 0 "runtimes_agree: ${#agree[@]} shared .tflite files, LiteRT.js == tfjs-tflite" \
  node "$e2e/selftest/runtimes_agree.js" "${agree[@]}"
fdm="$models/st_fdmobilenet_025_128_flowers/fdmobilenet_0.25_128_int8.tflite"
[[ -f "$fdm" ]] && expect 0 "runtimes_agree: fdmobilenet within one int8 output step (0.03)" \
  node "$e2e/selftest/runtimes_agree.js" "$fdm:0,1" --tolerance 0.03

for rt in litert tfjs-tflite; do
# Float pair: tight default tolerance.
expect 0 "[$rt] compare_keras icu float pair (tol 1e-4)" node "$e2e/compare_keras.js" "$icu/model.h5" "$icu/model.tflite" --runtime $rt

# Official int8 pairs, loose tolerance, per-model input ranges (see TESTING.md).
while read -r dir h5 tfl range; do
  expect 0 "[$rt] compare_keras $dir (int8 official, tol 0.2, range $range)" \
    node "$e2e/compare_keras.js" "$models/$dir/$h5" "$models/$dir/$tfl" --tolerance 0.2 --range "$range" --runtime $rt
done <<'EOF'
st_mobilenet_v2_035_128_flowers mobilenet_v2_0.35_128.h5 mobilenet_v2_0.35_128_int8.tflite -1,1
st_miniresnet_1stacks_esc10 miniresnet_1stacks_64x50.h5 miniresnet_1stacks_64x50_int8.tflite -80,0
st_miniresnetv2_1stacks_esc10 miniresnetv2_1stacks_64x50.h5 miniresnetv2_1stacks_64x50_int8.tflite -80,0
st_stmnist_v1 stmnist_v1.h5 stmnist_v1_int8.tflite 0,1
st_fdmobilenet_025_128_flowers fdmobilenet_0.25_128.h5 fdmobilenet_0.25_128_int8.tflite 0,1
st_mobilenet_v1_025_96_vww mobilenet_v1_0.25_96.h5 mobilenet_v1_0.25_96_int8.tflite 0,1
st_har_gmp_wl_24_wisdm gmp_wl_24.h5 gmp_wl_24_int8.tflite -30,37
EOF
done

# A quantized model is not within 1e-4 of its float source: must report a mismatch.
vww="$models/st_mobilenet_v1_025_96_vww"
expect 1 "compare_keras int8 vs float at tol 1e-4 is a mismatch (exit 1)" \
  node "$e2e/compare_keras.js" "$vww/mobilenet_v1_0.25_96.h5" "$vww/mobilenet_v1_0.25_96_int8.tflite" --range 0,1

# compare_tflite: identical files → 0 difference; different models → mismatch.
for f in "$icu/model.tflite" "$vww/mobilenet_v1_0.25_96_int8.tflite" \
         "$models/st_stmnist_v1/stmnist_v1_int8.tflite"; do
  node "$e2e/compare_tflite.js" "$f" "$f" --json >"$tmp/j" 2>&1
  expect 0 "compare_tflite $(basename "$f") vs itself: max abs diff 0" \
    node -e 'const s=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8").trim().split("\n").pop());
             process.exit(s.pass && s.outputs.every((o) => o.max_abs_diff === 0) ? 0 : 1)' "$tmp/j"
done
expect 1 "compare_tflite miniresnet vs miniresnetv2 is a mismatch (exit 1)" \
  node "$e2e/compare_tflite.js" "$models/st_miniresnet_1stacks_esc10/miniresnet_1stacks_64x50_int8.tflite" \
    "$models/st_miniresnetv2_1stacks_esc10/miniresnetv2_1stacks_64x50_int8.tflite" --range -80,0

# Errors: exit 2 and the message names the file.
head -c 3000 /dev/urandom >"$tmp/garbage.tflite"
head -c 1000 "$models/st_stmnist_v1/stmnist_v1_int8.tflite" >"$tmp/truncated.tflite"
echo "not a model" >"$tmp/garbage.h5"
check_error() { # <description> <file that must be named> <command…>
  local what="$1" file="$2"
  shift 2
  "$@" >"$tmp/e" 2>&1
  local rc=$?
  if (( rc == 2 )) && grep -qF "$file" "$tmp/e"; then
    passed=$((passed + 1)); echo "ok    $what"
  else
    failed=$((failed + 1)); echo "FAIL  $what (exit $rc)"; sed 's/^/      /' "$tmp/e"
  fi
}
check_error "compare_keras: missing Keras model" "$tmp/nope.h5" \
  node "$e2e/compare_keras.js" "$tmp/nope.h5" "$icu/model.tflite"
check_error "compare_keras: missing candidate" "$tmp/nope.tflite" \
  node "$e2e/compare_keras.js" "$icu/model.h5" "$tmp/nope.tflite"
check_error "compare_keras: garbage candidate" "$tmp/garbage.tflite" \
  node "$e2e/compare_keras.js" "$icu/model.h5" "$tmp/garbage.tflite"
check_error "compare_keras: truncated candidate" "$tmp/truncated.tflite" \
  node "$e2e/compare_keras.js" "$models/st_stmnist_v1/stmnist_v1.h5" "$tmp/truncated.tflite"
check_error "compare_keras: garbage Keras model" "$tmp/garbage.h5" \
  node "$e2e/compare_keras.js" "$tmp/garbage.h5" "$icu/model.tflite"
check_error "compare_keras: shape mismatch" "$icu/model.tflite" \
  node "$e2e/compare_keras.js" "$models/st_stmnist_v1/stmnist_v1.h5" "$icu/model.tflite"
check_error "compare_tflite: missing reference" "$tmp/nope.tflite" \
  node "$e2e/compare_tflite.js" "$tmp/nope.tflite" "$icu/model.tflite"
check_error "compare_tflite: garbage candidate" "$tmp/garbage.tflite" \
  node "$e2e/compare_tflite.js" "$icu/model.tflite" "$tmp/garbage.tflite"
parse="$models/serving_parse_example_tflite/parse_example_tflite/00000123/model.tflite"
if [[ -f "$parse" ]]; then
  check_error "compare_tflite: runtime refuses a custom op (message names the file)" "$parse" \
    node "$e2e/compare_tflite.js" "$parse" "$parse"
fi

# keras_case.sh with a fake tflc.
fake="$e2e/selftest/fake_tflc.sh"
expect 0 "keras_case.sh with fake tflc (icu float pair)" \
  "$e2e/keras_case.sh" "$fake" "$icu/model.h5" "$tmp/cases" --samples 4 -- --some_flag
expect 0 "keras_case.sh with fake tflc (vww int8, tol 0.2)" \
  env FAKE_TFLC_SOURCE="$vww/mobilenet_v1_0.25_96_int8.tflite" \
  "$e2e/keras_case.sh" "$fake" "$vww/mobilenet_v1_0.25_96.h5" "$tmp/cases" --range 0,1 --tolerance 0.2
expect 1 "keras_case.sh: numeric mismatch → exit 1" \
  env FAKE_TFLC_SOURCE="$vww/mobilenet_v1_0.25_96_int8.tflite" \
  "$e2e/keras_case.sh" "$fake" "$vww/mobilenet_v1_0.25_96.h5" "$tmp/cases" --range 0,1
expect 3 "keras_case.sh: tflc failure → exit 3" \
  env FAKE_TFLC_FAIL=1 "$e2e/keras_case.sh" "$fake" "$icu/model.h5" "$tmp/cases"
expect 2 "keras_case.sh: garbage .tflite from tflc → exit 2" \
  env FAKE_TFLC_SOURCE="$tmp/garbage.tflite" "$e2e/keras_case.sh" "$fake" "$icu/model.h5" "$tmp/cases"

echo "selftest: $passed passed, $failed failed"
(( failed == 0 ))
