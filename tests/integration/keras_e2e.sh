#!/usr/bin/env bash
# End-to-end: convert a Keras model with tflc, run it in the real TFLite runtime (WASM) and compare
# with tfjs-layers running the same Keras model. Exit 77 (CTest: skipped) when the model is absent.
# Usage: keras_e2e.sh TFLC MODEL OUTDIR [compare_keras.js options...]
set -uo pipefail
tflc=$1 model=$2 out=$3; shift 3
if [ ! -e "$model" ]; then
  echo "SKIP: $model not found (the shared model corpus ../shared/models is absent)"
  exit 77
fi
here=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out"
exec "$here/e2e/keras_case.sh" "$tflc" "$model" "$out" --samples 8 --seed 1 "$@"
