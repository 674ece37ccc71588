#!/usr/bin/env bash
# One post-training-quantization end-to-end case: make a seeded representative dataset, convert a
# Keras model with tflc's quantization flags, check the ops through `tflc inspect`, and check the
# numbers in the real TFLite runtime (WASM) against the float Keras model (tests/e2e/compare_quant.js).
#
# usage: quant_e2e.sh TFLC SHARED_MODELS OUT_DIR KIND MODEL RANGE [options]
#   KIND   int8      full integer: dataset, --inference_input_type/--inference_output_type as given;
#                    same QUANTIZE/DEQUANTIZE placement as --official, integer-only ops; cosine and
#                    argmax agreement vs the official model's (compare_quant.js --mode int8)
#          int16x8   dataset + EXPERIMENTAL_TFLITE_BUILTINS_ACTIVATIONS_INT16_WEIGHTS_INT8; float I/O
#                    with one QUANTIZE/DEQUANTIZE (int16) per input/output, integer-only ops; --tol
#          float16   --target_spec.supported_types float16; size <= 0.55 x tflc's float conversion;
#                    FLOAT16 constants behind DEQUANTIZE; --tol
#          dynrange  DEFAULT without a dataset; weights >= 1024 elements INT8, smaller FLOAT32; --tol
#   MODEL  Keras model, relative to SHARED_MODELS;  RANGE  lo,hi of the model's inputs
#   --official REL      official .tflite of the same model (relative to SHARED_MODELS; int8)
#   --input-type T      int8: --inference_input_type T, and the candidate's inputs must be T
#   --output-type T     int8: --inference_output_type T, and the candidate's outputs must be T
#   --float-io          int8: no I/O type flags; float32 I/O with the st_har_gmp placement of
#                       QUANTIZE/DEQUANTIZE (instead of comparing placement with --official)
#   --dataset-format F  npz (named after the model's inputs, default) | positional (arr_0…) | npy-dir
#   --samples N         dataset samples (default 100)
#   --tol T             relative tolerance for int16x8/float16/dynrange (default 1e-2)
#   --min-large N       dynrange: weights with >= 1024 elements the model must have (default 1)
#   --flag X            extra `tflc convert` argument (repeatable)
# Exit: 0 pass; 1 a check failed; 2 harness/usage error; 3 tflc convert failed or wrote nothing;
#       77 the model is absent (CTest: skipped).
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
e2e="$(cd "$here/../e2e" && pwd)"
py=/usr/bin/python3
usage="usage: quant_e2e.sh TFLC SHARED_MODELS OUT_DIR int8|int16x8|float16|dynrange MODEL lo,hi [options]"

(( $# >= 6 )) || { echo "$usage" >&2; exit 2; }
tflc=$1 shared=$2 out=$3 kind=$4 model_rel=$5 range=$6
shift 6
official_rel="" in_type="" out_type="" float_io=0 ds_format=npz samples=100 tol=1e-2 min_large=1
extra=()
while (( $# )); do
  case "$1" in
    --official) official_rel=$2; shift 2 ;;
    --input-type) in_type=$2; shift 2 ;;
    --output-type) out_type=$2; shift 2 ;;
    --float-io) float_io=1; shift ;;
    --dataset-format) ds_format=$2; shift 2 ;;
    --samples) samples=$2; shift 2 ;;
    --tol) tol=$2; shift 2 ;;
    --min-large) min_large=$2; shift 2 ;;
    --flag) extra+=("$2"); shift 2 ;;
    *) echo "quant_e2e.sh: unknown option $1" >&2; echo "$usage" >&2; exit 2 ;;
  esac
done
case "$kind" in int8|int16x8|float16|dynrange) ;; *) echo "$usage" >&2; exit 2 ;; esac

model="$shared/$model_rel"
if [[ ! -e "$model" ]]; then
  echo "SKIP: $model not found (the shared model corpus ../shared/models is absent)"
  exit 77
fi
official=""
if [[ -n "$official_rel" ]]; then
  official="$shared/$official_rel"
  [[ -e "$official" ]] || { echo "SKIP: $official not found"; exit 77; }
fi
[[ $kind != int8 || -n "$official" ]] || { echo "quant_e2e.sh: int8 needs --official" >&2; exit 2; }

rm -rf "$out" && mkdir -p "$out" || { echo "quant_e2e.sh: cannot create $out" >&2; exit 2; }
"$e2e/setup.sh" || exit 2

step() { echo "+ $*"; "$@"; }

# 1. Representative dataset (seed 1; compare_quant.js draws its test inputs with seed 1001).
flags=(--optimizations DEFAULT)
if [[ $kind == int8 || $kind == int16x8 ]]; then
  case "$ds_format" in
    npz) ds="$out/dataset.npz"; ds_args=() ;;
    positional) ds="$out/dataset.npz"; ds_args=(--positional) ;;
    npy-dir) ds="$out/dataset"; ds_args=(--variant npy-dir) ;;
    *) echo "quant_e2e.sh: bad --dataset-format $ds_format" >&2; exit 2 ;;
  esac
  step "$py" "$here/make_dataset.py" "$ds" --keras "$model" --samples "$samples" --range="$range" --seed 1 \
      "${ds_args[@]}" || { echo "quant_e2e.sh: make_dataset.py failed" >&2; exit 2; }
  flags+=(--representative_dataset "$ds")
fi
case "$kind" in
  int8)
    if (( ! float_io )); then
      [[ -n "$in_type" ]] && flags+=(--inference_input_type "$in_type")
      [[ -n "$out_type" ]] && flags+=(--inference_output_type "$out_type")
    fi ;;
  int16x8) flags+=(--target_spec.supported_ops EXPERIMENTAL_TFLITE_BUILTINS_ACTIVATIONS_INT16_WEIGHTS_INT8) ;;
  float16) flags+=(--target_spec.supported_types float16) ;;
esac
flags+=("${extra[@]}")

# 2. Convert.
convert() {  # convert OUTPUT [flags...]
  local o=$1; shift
  rm -f "$o"
  step "$tflc" convert --keras_model_file "$model" --output_file "$o" "$@"
  local rc=$?
  if (( rc != 0 )); then echo "quant_e2e.sh: tflc convert failed (exit $rc)" >&2; exit 3; fi
  [[ -s "$o" ]] || { echo "quant_e2e.sh: tflc convert exited 0 but wrote no $o" >&2; exit 3; }
}
cand="$out/model.tflite"
convert "$cand" "${flags[@]}"

fail=0
# 3. Structure, through tflc inspect.
"$tflc" inspect "$cand" --no_hashes --no_options >"$out/model.txt" || { echo "quant_e2e.sh: tflc inspect failed" >&2; exit 2; }
checks=()
case "$kind" in
  int8)
    if (( float_io )); then
      checks=(--float-io int8 --no-float-ops)
    else
      "$tflc" inspect "$official" --no_hashes --no_options >"$out/official.txt" || exit 2
      checks=(--like "$out/official.txt" --no-float-ops)
    fi ;;
  int16x8) checks=(--float-io int16 --no-float-ops) ;;
  float16) checks=(--float16) ;;
  dynrange) checks=(--dynrange "$min_large") ;;
esac
"$py" "$here/check_structure.py" "$out/model.txt" "${checks[@]}" || fail=1

if [[ $kind == float16 ]]; then
  convert "$out/float.tflite"
  fsize=$(stat -c %s "$out/float.tflite") qsize=$(stat -c %s "$cand")
  if (( qsize * 100 <= fsize * 55 )); then
    echo "  PASS size: $qsize bytes <= 0.55 x $fsize (float conversion) = $(( fsize * 55 / 100 ))"
  else
    echo "  FAIL size: $qsize bytes > 0.55 x $fsize (float conversion) = $(( fsize * 55 / 100 ))"; fail=1
  fi
fi

# 4. Numbers.
cmp=(node "$e2e/compare_quant.js" "$model" "$cand" --range="$range" --samples 32 --seed 1001)
case "$kind" in
  int8)
    cmp+=(--mode int8 --official "$official")
    if (( float_io )); then cmp+=(--expect-input-type float32 --expect-output-type float32)
    else
      [[ -n "$in_type" ]] && cmp+=(--expect-input-type "$in_type")
      [[ -n "$out_type" ]] && cmp+=(--expect-output-type "$out_type")
    fi ;;
  *) cmp+=(--mode tolerance --tol "$tol" --expect-input-type float32 --expect-output-type float32) ;;
esac
step "${cmp[@]}"
rc=$?
(( rc == 2 )) && exit 2
(( rc != 0 )) && fail=1

if (( fail )); then echo "FAIL: $kind $model_rel"; exit 1; fi
echo "PASS: $kind $model_rel"
