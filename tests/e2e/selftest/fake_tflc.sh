#!/usr/bin/env bash
# Stand-in for tflc, to test keras_case.sh before tflc exists:
#   fake_tflc.sh convert --keras_model_file <model> --output_file <out> [args…]
# copies $FAKE_TFLC_SOURCE (default: model.tflite beside the model) to <out>.
# FAKE_TFLC_FAIL=1 makes it fail instead.
set -euo pipefail
[[ "${1:-}" == convert ]] || { echo "fake_tflc: unknown command '${1:-}'" >&2; exit 64; }
shift
model="" out=""
while (( $# )); do
  case "$1" in
    --keras_model_file) model="$2"; shift 2 ;;
    --output_file) out="$2"; shift 2 ;;
    *) shift ;; # extra convert args are accepted and ignored
  esac
done
[[ -n "$model" && -n "$out" ]] || { echo "fake_tflc: need --keras_model_file and --output_file" >&2; exit 64; }
if [[ -n "${FAKE_TFLC_FAIL:-}" ]]; then
  echo "fake_tflc: failing on purpose for $model" >&2
  exit 1
fi
cp "${FAKE_TFLC_SOURCE:-$(dirname "$model")/model.tflite}" "$out"
