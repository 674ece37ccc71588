#!/usr/bin/env bash
# One end-to-end Keras case: convert a Keras model with tflc, then check the
# .tflite numerically against the Keras model (compare_keras.js).
#
# usage: keras_case.sh <path/to/tflc> <keras model (.h5|.keras)> <out dir>
#                      [compare_keras options…] [-- extra tflc convert args…]
#
# Runs: setup.sh
#       <tflc> convert --keras_model_file <model> --output_file <out dir>/<name>.tflite [extra…]
#       node compare_keras.js <model> <out dir>/<name>.tflite [options…]
# where <name> is the model's file name without its extension.
# Exit: 0 pass; 1 numeric mismatch; 2 harness/usage error (bad file, runtime
# refused the .tflite, …); 3 tflc failed or wrote no output.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
usage="usage: keras_case.sh <path/to/tflc> <keras model> <out dir> [compare_keras options…] [-- extra tflc convert args…]"

if (( $# < 3 )); then
  echo "$usage" >&2
  exit 2
fi
tflc="$1"
model="$2"
out_dir="$3"
shift 3

compare_opts=()
tflc_extra=()
while (( $# )); do
  if [[ "$1" == "--" ]]; then
    shift
    tflc_extra=("$@")
    break
  fi
  compare_opts+=("$1")
  shift
done

if [[ ! -x "$tflc" || -d "$tflc" ]] && ! command -v "$tflc" >/dev/null 2>&1; then
  echo "keras_case.sh: $tflc: not an executable file" >&2
  exit 2
fi
[[ -f "$model" ]] || { echo "keras_case.sh: $model: no such file" >&2; exit 2; }
mkdir -p "$out_dir" || { echo "keras_case.sh: cannot create $out_dir" >&2; exit 2; }

"$here/setup.sh" || exit 2

name="$(basename "$model")"
name="${name%.*}"
out="$out_dir/$name.tflite"
rm -f "$out"

echo "+ $tflc convert --keras_model_file $model --output_file $out ${tflc_extra[*]}"
"$tflc" convert --keras_model_file "$model" --output_file "$out" "${tflc_extra[@]}"
rc=$?
if (( rc != 0 )); then
  echo "keras_case.sh: tflc convert failed (exit $rc) for $model" >&2
  exit 3
fi
if [[ ! -s "$out" ]]; then
  echo "keras_case.sh: tflc convert exited 0 but wrote no $out" >&2
  exit 3
fi

node "$here/compare_keras.js" "$model" "$out" "${compare_opts[@]}"
