#!/usr/bin/env bash
# Stand-in for tflc in the quantization harness's self-test: `convert ... --output_file O ...` copies
# $FAKE_TFLC_COPY to O (ignoring every other flag); anything else (inspect) runs $FAKE_TFLC_REAL.
# With $FAKE_TFLC_COPY_FLOAT set, a convert without --optimizations copies that file instead.
# With $FAKE_TFLC_FAIL set, convert prints it on stderr and exits 1 (writing nothing).
set -uo pipefail
if [[ ${1:-} != convert ]]; then exec "$FAKE_TFLC_REAL" "$@"; fi
if [[ -n ${FAKE_TFLC_FAIL:-} ]]; then echo "$FAKE_TFLC_FAIL" >&2; exit 1; fi
out="" optimized=0
while (( $# )); do
  case "$1" in
    --output_file) out=$2; shift ;;
    --output_file=*) out=${1#*=} ;;
    --optimizations|--optimizations=*) optimized=1 ;;
  esac
  shift
done
[[ -n "$out" ]] || { echo "fake_tflc: no --output_file" >&2; exit 2; }
src=$FAKE_TFLC_COPY
(( optimized )) || src=${FAKE_TFLC_COPY_FLOAT:-$FAKE_TFLC_COPY}
cp "$src" "$out" && echo "fake_tflc: wrote $out (copy of $src)"
