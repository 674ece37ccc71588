#!/usr/bin/env bash
# Self-test of the TensorFlow reference (lib/tf_reference.js, compare_tf.js) on the
# shared third-party models. Needs no tflc.
#
# usage: selftest/tf_selftest.sh [models dir]
#   models dir: default $TFLC_SHARED_MODELS, else <repo>/../shared/models, else
#   /work/shared/models. Exit 77 (SKIP) when none exists.
# Ends with "N passed, N failed"; exit 0 only when nothing failed.
set -uo pipefail

e2e="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
models="${1:-${TFLC_SHARED_MODELS:-}}"
if [[ -z "$models" ]]; then
  for d in "$e2e/../../../shared/models" /work/shared/models; do
    [[ -d "$d" ]] && { models="$(cd "$d" && pwd)"; break; }
  done
fi
[[ -d "${models:-}" ]] || { echo "SKIP: tf_selftest: shared models not found (pass a dir or set TFLC_SHARED_MODELS)"; exit 77; }

"$e2e/setup.sh" || exit 2

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

# expect <wanted exit code> <description> <command…>; prints the command's output
# indented on success too (the numbers are the point of this test).
expect() {
  local want="$1" what="$2"
  shift 2
  "$@" >"$tmp/out" 2>&1
  local rc=$?
  if (( rc == want )); then
    passed=$((passed + 1))
    echo "ok    $what"
    [[ -n "${VERBOSE:-1}" ]] && grep -v '^\s*$' "$tmp/out" | sed 's/^/      /'
  else
    failed=$((failed + 1))
    echo "FAIL  $what (exit $rc, wanted $want)"
    sed 's/^/      /' "$tmp/out"
  fi
}

expect 0 "unit checks: TensorProto typed fields, snappy SSTable block" node "$e2e/selftest/tf_units.js"

hp2="$models/serving_half_plus_two_tf1/saved_model_half_plus_two_cpu/00000123"
hp2_tfl="$models/serving_half_plus_two_tf1/saved_model_half_plus_two_tflite/00000123/model.tflite"
hp2_sig_tfl="$models/serving_half_plus_two_tf1/saved_model_half_plus_two_tflite_with_sigdef/00000123/model.tflite"
reg="$models/tf2onnx_regression"

# TF1 SavedModel (VariableV2 frozen from the checkpoint): exactly 0.5x + 2.
expect 0 "half_plus_two SavedModel: y == 0.5x + 2 exactly" \
  node "$e2e/selftest/tf_run.js" "$hp2" --expect half_plus_two --samples 8
expect 0 "compare_tf half_plus_two SavedModel vs official TOCO tflite (tol 0)" \
  node "$e2e/compare_tf.js" "$hp2" "$hp2_tfl" --tolerance 0 --range -100,100
expect 0 "compare_tf half_plus_two SavedModel vs official MLIR tflite with sigdef (tol 0)" \
  node "$e2e/compare_tf.js" "$hp2" "$hp2_sig_tfl" --tolerance 0

# tf2onnx regression: frozen graph and TF1 SavedModel vs the official tflite.
expect 0 "compare_tf regression frozen.pb vs official model.tflite (tol 1e-7)" \
  node "$e2e/compare_tf.js" "$reg/graphdef/frozen.pb" "$reg/tflite/model.tflite" --tolerance 1e-7 --range -10,10 --samples 16
expect 0 "compare_tf regression SavedModel vs official model.tflite (tol 1e-7)" \
  node "$e2e/compare_tf.js" "$reg/saved_model" "$reg/tflite/model.tflite" --tolerance 1e-7 --range -10,10 --samples 16

# Frozen GraphDefs without a tflite pair: run, finite outputs of the right shape.
check_shape() { # <want shape> <tf_run args…>
  local want="$1"; shift
  node "$e2e/selftest/tf_run.js" "$@" >"$tmp/run" 2>&1 || { cat "$tmp/run"; return 1; }
  cat "$tmp/run"
  grep -q "shape \[$want\] finite yes" "$tmp/run"
}
expect 0 "fc_layers frozen MLP runs: output [1,10], finite" \
  check_shape 1,10 "$models/tf2onnx_fc_layers_frozen/frozen.pb"
expect 0 "ae0 frozen autoencoder runs: output [1,784], finite" \
  check_shape 1,784 "$models/tf2onnx_ae0_frozen/frozen.pb"
expect 0 "lstm frozen (unrolled, keep_prob=1.0) runs: output [1,10], finite" \
  check_shape 1,10 "$models/tf2onnx_lstm_frozen/frozen.pb" --feed keep_prob=1.0
# TF2 Keras SavedModel: StatefulPartitionedCall inlined, VarHandleOp frozen.
expect 0 "number_guesser TF2 SavedModel runs: output [1,10], finite" \
  check_shape 1,10 "$models/number_guesser_keras_savedmodel/saved_model"

# Exit codes.
expect 1 "compare_tf regression SavedModel vs half_plus_two tflite: mismatch (exit 1)" \
  node "$e2e/compare_tf.js" "$reg/saved_model" "$hp2_tfl"
printf 'this is not a flatbuffer model file at all\n' >"$tmp/garbage.tflite"
expect 2 "compare_tf garbage candidate (exit 2)" node "$e2e/compare_tf.js" "$hp2" "$tmp/garbage.tflite"
expect 2 "compare_tf missing model (exit 2)" node "$e2e/compare_tf.js" "$tmp/nope.pb" "$hp2_tfl"
printf '\xff\xff\xff\xff garbage\n' >"$tmp/garbage.pb"
expect 2 "compare_tf garbage GraphDef (exit 2)" node "$e2e/compare_tf.js" "$tmp/garbage.pb" "$hp2_tfl"
expect 2 "compare_tf unknown signature (exit 2)" node "$e2e/compare_tf.js" "$hp2" "$hp2_tfl" --signature nope
expect 2 "compare_tf bad option (exit 2)" node "$e2e/compare_tf.js" "$hp2" "$hp2_tfl" --bogus
mkdir -p "$tmp/broken_sm/variables"
cp "$hp2/saved_model.pb" "$tmp/broken_sm/"
printf '%0100d' 0 >"$tmp/broken_sm/variables/variables.index"
expect 2 "compare_tf SavedModel with a corrupt checkpoint index (exit 2)" \
  node "$e2e/compare_tf.js" "$tmp/broken_sm" "$hp2_tfl"

echo "$passed passed, $failed failed"
(( failed == 0 ))
