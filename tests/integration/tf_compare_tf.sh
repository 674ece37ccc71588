#!/usr/bin/env bash
# End-to-end numeric check of one TensorFlow model without an official .tflite: converts it with
# tflc, then compares the .tflite (real TFLite runtime, WASM) with an independent reference of the
# TF graph (tfjs-converter's graph executor, tests/e2e/compare_tf.js).
# Exit 77 (CTest: skipped) when the model is absent; a harness that cannot be set up is a failure.
# Usage: tf_compare_tf.sh TFLC MODEL OUT.tflite [--expect OP=N]... [compare_tf.js options...] -- [tflc convert args...]
#   MODEL: a .pb/.pbtxt file (→ --graph_def_file) or a SavedModel directory (→ --saved_model_dir)
#   --expect OP=N: the .tflite has exactly N operators OP in all subgraphs (`tflc inspect`);
#     `subgraphs=N` counts subgraphs; `CUSTOM=0` means no custom or Flex op.
set -uo pipefail
tflc=$1 model=$2 ours=$3; shift 3
expects=()
while [ $# -gt 0 ] && [ "$1" = "--expect" ]; do expects+=("$2"); shift 2; done
compare=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do compare+=("$1"); shift; done
[ $# -gt 0 ] && shift
if [ ! -e "$model" ]; then
  echo "SKIP: $model not found (the shared model corpus ../shared/models is absent)"; exit 77
fi
here=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$(dirname "$ours")"
rm -f "$ours"
if [ -d "$model" ]; then src=(--saved_model_dir "$model"); else src=(--graph_def_file "$model"); fi
"$tflc" convert "${src[@]}" --output_file "$ours" "$@" || { echo "FAIL: tflc convert failed"; exit 1; }
[ -s "$ours" ] || { echo "FAIL: no output file"; exit 1; }
if [ ${#expects[@]} -gt 0 ]; then
  dump=$("$tflc" inspect --no_options "$ours") || { echo "FAIL: tflc inspect failed"; exit 1; }
  for e in "${expects[@]}"; do
    op=${e%%=*} want=${e#*=}
    if [ "$op" = CUSTOM ]; then  # operator codes with a custom_code (custom or Flex ops)
      got=$(printf '%s\n' "$dump" | sed -n '/^operator_codes:/,/^subgraphs:/p' | grep -c '"' || true)
    elif [ "$op" = subgraphs ]; then
      got=$(printf '%s\n' "$dump" | sed -n 's/^subgraphs: \([0-9]*\).*/\1/p')
    else
      got=$(printf '%s\n' "$dump" | grep -cE "^    \[[0-9]+\] $op(\(| )" || true)
    fi
    [ "$got" = "$want" ] || { echo "FAIL: expected $op=$want in $ours, found $got"; printf '%s\n' "$dump" | head -60; exit 1; }
    echo "ok: $op=$got"
  done
fi
"$here/e2e/setup.sh" || { echo "FAIL: tests/e2e/setup.sh failed (node / npm packages)"; exit 1; }
# A fused LSTM (UNIDIRECTIONAL_SEQUENCE_LSTM) keeps its state in variable tensors, which LiteRT.js
# 2.5.3 refuses at load (tests/e2e/README.md "Variable tensors", ctest e2e_litert_variable_tensors):
# such a file runs in the 2023 runtime, said here, unless the caller chose a runtime.
# (grep reads the whole dump: with pipefail, `grep -q` closing the pipe early would fail the test.)
if [ -z "${TFLC_E2E_RUNTIME:-}" ] && "$tflc" inspect --no_options "$ours" | grep -c '^  \[[0-9]*\] UNIDIRECTIONAL_SEQUENCE_LSTM' >/dev/null; then
  echo "note: the .tflite has UNIDIRECTIONAL_SEQUENCE_LSTM (variable state tensors, which LiteRT.js cannot load): compared in the 2023 runtime (tfjs-tflite)"
  export TFLC_E2E_RUNTIME=tfjs-tflite
fi
node "$here/e2e/compare_tf.js" "$model" "$ours" "${compare[@]}"
rc=$?
[ $rc -eq 0 ] && exit 0
echo "FAIL: compare_tf.js exit $rc"; exit 1
