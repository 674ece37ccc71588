#!/usr/bin/env bash
# Converts a Keras LSTM model with tflc and runs selftest/litert_variable_tensors.js on the result:
# LiteRT.js still cannot run UNIDIRECTIONAL_SEQUENCE_LSTM's variable state tensors, which is why
# the LSTM e2e tests ask for the 2023 runtime (see that script and tests/e2e/README.md).
# Usage: litert_variable_tensors.sh TFLC MODEL.h5 OUTDIR   (exit 0 pass, 1 fail)
set -uo pipefail
tflc=$1 model=$2 out=$3
here=$(cd "$(dirname "$0")" && pwd)
"$here/../setup.sh" || { echo "FAIL: tests/e2e/setup.sh failed (node / npm packages)"; exit 1; }
mkdir -p "$out"
tfl="$out/$(basename "${model%.*}").tflite"
rm -f "$tfl"
"$tflc" convert --keras_model_file "$model" --output_file "$tfl" || { echo "FAIL: tflc convert $model"; exit 1; }
exec node "$here/litert_variable_tensors.js" "$tfl"
