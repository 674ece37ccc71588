#!/usr/bin/env bash
# A quantized conversion that must be refused: exit status != 0 (no crash), a message that contains
# each required pattern, and no output file.
#
# usage: bad_input.sh TFLC SHARED_MODELS OUT_DIR CASE
#   dataset cases (st_stmnist_v1, input "input_1" [1,28,28,1], dataset from make_dataset.py):
#     wrong_shape   arrays (N,29,29,2)      -> names the input and the expected shape 28x28x1
#     wrong_dtype   float64 arrays          -> names the input, the expected shape and a dtype
#     wrong_name    array "not_an_input"    -> names the input and the expected shape
#     empty         0 samples               -> says the dataset is empty
#     nan / inf     one NaN / +Inf value    -> says NaN / Inf
#     missing       no such dataset file    -> names the file
#     garbage       a text file as .npz     -> names the file
#   bias_correction_value  --bias_correction maybe -> names the option and its values
#   int8_only_lstm  stock_lstm_keras3/lstm_model.h5 with --target_spec.supported_ops
#                   TFLITE_BUILTINS_INT8 alone: the LSTM has no int8 kernel -> the message lists it
# Patterns are extended regular expressions, matched case-insensitively where noted, on stdout+stderr.
# Exit: 0 pass, 1 fail, 2 usage error, 77 the models are absent (CTest: skipped).
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
py=/usr/bin/python3
(( $# == 4 )) || { echo "usage: bad_input.sh TFLC SHARED_MODELS OUT_DIR CASE" >&2; exit 2; }
tflc=$1 shared=$2 out=$3 case=$4

model="$shared/st_stmnist_v1/stmnist_v1.h5"
[[ $case == int8_only_lstm ]] && model="$shared/stock_lstm_keras3/lstm_model.h5"
[[ -e "$model" ]] || { echo "SKIP: $model not found (the shared model corpus ../shared/models is absent)"; exit 77; }
rm -rf "$out" && mkdir -p "$out" || exit 2

ds="$out/dataset.npz"
flags=(--optimizations DEFAULT --representative_dataset "$ds")
shape='28[^0-9]+28[^0-9]+1'   # the expected sample shape, in any notation: [1,28,28,1], (28, 28, 1), 28x28x1
must=()        # case-sensitive patterns
must_i=()      # case-insensitive patterns
must_f=()      # fixed strings (file paths)
variant=""
case "$case" in
  wrong_shape) variant=wrong-shape; must=(input_1 "$shape") ;;
  wrong_dtype) variant=float64; must=(input_1 "$shape"); must_i=('float64|double|f8') ;;
  wrong_name) variant=wrong-name; must=(input_1 "$shape") ;;
  empty) variant=empty; must_i=('empty|no samples|0 samples|zero samples') ;;
  nan) variant=nan; must_i=('\bnan\b|not a number') ;;
  inf) variant=inf; must_i=('\binf\b|infinit') ;;
  missing) ds="$out/does_not_exist.npz"; flags=(--optimizations DEFAULT --representative_dataset "$ds"); must_f=("$ds") ;;
  garbage) echo "this is not an npz file" >"$ds"; must_f=("$ds") ;;
  bias_correction_value)
    "$py" "$here/make_dataset.py" "$ds" --keras "$model" --samples 4 --range=0,1 >/dev/null || exit 2
    flags+=(--bias_correction maybe)
    must=('bias_correction' 'true' 'false' 'maybe') ;;
  int8_only_lstm)
    "$py" "$here/make_dataset.py" "$ds" --keras "$model" --samples 10 --range=-1,1 >/dev/null || exit 2
    flags+=(--target_spec.supported_ops TFLITE_BUILTINS_INT8)
    must=('LSTM') ;;
  *) echo "bad_input.sh: unknown case $case" >&2; exit 2 ;;
esac
if [[ -n "$variant" ]]; then
  "$py" "$here/make_dataset.py" "$ds" --keras "$model" --samples 20 --range=0,1 --variant "$variant" >/dev/null || exit 2
fi

o="$out/out.tflite"
echo "+ $tflc convert --keras_model_file $model --output_file $o ${flags[*]}"
"$tflc" convert --keras_model_file "$model" --output_file "$o" "${flags[@]}" >"$out/log" 2>&1
rc=$?
sed 's/^/  | /' "$out/log"
fail=0
if (( rc == 0 )); then echo "FAIL $case: exit status 0"; fail=1; fi
if (( rc >= 128 )); then echo "FAIL $case: crashed (status $rc)"; fail=1; fi
if grep -qiE 'unrecognised option|unrecognized option|unknown option' "$out/log"; then
  echo "FAIL $case: tflc does not know a quantization flag yet"; fail=1
fi
for p in "${must[@]}"; do
  grep -qE -- "$p" "$out/log" || { echo "FAIL $case: the message does not match /$p/"; fail=1; }
done
for p in "${must_i[@]}"; do
  grep -qiE -- "$p" "$out/log" || { echo "FAIL $case: the message does not match /$p/i"; fail=1; }
done
for p in "${must_f[@]}"; do
  grep -qF -- "$p" "$out/log" || { echo "FAIL $case: the message does not name $p"; fail=1; }
done
if ls "$out" | grep -q '^out\.tflite'; then echo "FAIL $case: an output file was left behind: $(ls "$out" | grep '^out\.tflite')"; fail=1; fi
if (( fail )); then exit 1; fi
echo "PASS $case (exit $rc)"
