#!/usr/bin/env bash
# The Einsum table test's models in the real TFLite runtime: lower_builtin_test writes each case's
# .tflite, inputs and naive result (TFLC_EINSUM_DUMP_DIR), einsum_tflite_runtime.js runs them in the
# WASM interpreter. Exit 77 (skip) when the test binary has no opset (nothing written).
# Usage: einsum_tflite_runtime.sh LOWER_BUILTIN_TEST OUT_DIR
set -uo pipefail
test_bin=$1 out=$2
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
"$root/tests/e2e/setup.sh" || { echo "FAIL: tests/e2e/setup.sh failed (node / npm packages)"; exit 1; }
rm -rf "$out" && mkdir -p "$out"
TFLC_EINSUM_DUMP_DIR="$out" "$test_bin" --gtest_filter='Equations/EinsumTableTest.*' --gtest_brief=1 ||
  { echo "FAIL: the Einsum table test failed"; exit 1; }
if [ -z "$(ls -A "$out")" ]; then echo "SKIP: no models written (opset_builtin not linked)"; exit 77; fi
node "$here/einsum_tflite_runtime.js" "$out"
