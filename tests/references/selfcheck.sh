#!/usr/bin/env bash
# Self-check of keras_numpy_reference.py (needs no tflc):
#  1. unit checks of every numpy layer on hand-computed cases (test_keras_numpy_reference.py);
#  2. against tfjs-layers on models both know: small models written here (LayerNormalization,
#     Conv1D general/strided/dilated, Dense on rank 3, Add, GAP1D, Flatten, Reshape) and the
#     generated models of the build tree it supports (when BUILD_MODELS_DIR is given);
#  3. on the shared transformer models (when present): runs, finite outputs, shapes, and the
#     bitcoin .h5 and .keras (same weights, two containers) give the same outputs.
# Usage: selfcheck.sh [SHARED_MODELS_DIR] [BUILD_MODELS_DIR]. Ends with "N passed, N failed".
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
models=${1:-$here/../../../shared/models}
gen=${2:-}
py=/usr/bin/python3
ref="$here/keras_numpy_reference.py"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0
check() { # <description> <command...>
  local what=$1; shift
  if "$@" >"$tmp/out" 2>&1; then passed=$((passed + 1)); echo "ok    $what"
  else failed=$((failed + 1)); echo "FAIL  $what"; sed 's/^/      /' "$tmp/out"; fi
}
check "numpy layer unit checks" $py "$here/test_keras_numpy_reference.py"
"$here/../e2e/setup.sh" || exit 1
$py "$here/selfcheck_models.py" "$tmp/m" >/dev/null || { echo "FAIL: selfcheck_models.py"; exit 1; }
cross() { # <model>
  $py "$ref" "$1" "$tmp/r.json" --samples 4 --seed 3 && node "$here/tfjs_compare.js" "$1" "$tmp/r.json"
}
for f in "$tmp"/m/*.h5; do check "numpy == tfjs-layers: $(basename "$f")" cross "$f"; done
if [ -n "$gen" ] && [ -d "$gen" ]; then
  for n in conv1d dense_activations merge concatenate shared_layer sequential_no_input; do
    f=$(ls "$gen/$n".h5 "$gen/$n".keras 2>/dev/null | head -1)
    [ -n "$f" ] && check "numpy == tfjs-layers: generated $n" cross "$f"
  done
fi
if [ -n "$gen" ] && [ -f "$gen/manifest.json" ]; then
  # Models the generator checks with its own numpy reference (tfjs=false): two independent
  # numpy implementations must agree.
  gen_ref() { # <name>
    $py - "$gen" "$1" "$here" <<'PY'
import json, os, sys
import numpy as np
gen, name, here = sys.argv[1:]
sys.path.insert(0, here)
import keras_numpy_reference as R
e = json.load(open(os.path.join(gen, "manifest.json")))[name]
ref = e["reference"]
m = R.Model(os.path.join(gen, e["file"]))
worst = 0.0
for s in [ref] + ref.get("samples", []):
    xs = [np.asarray(x, np.float64).reshape(sh) for x, sh in zip(s["inputs"], ref["input_shapes"])]
    for y, want in zip(m(xs), s["outputs"]):
        worst = max(worst, float(np.max(np.abs(y.reshape(-1) - np.asarray(want)))))
print(f"max abs diff {worst:.3g}")
assert worst <= 1e-5, worst
PY
  }
  for n in conv1d_causal softmax_axis subtract concatenate_negative_axis; do
    check "numpy == generator's numpy reference: generated $n" gen_ref "$n"
  done
fi
if [ -d "$models" ]; then
  for f in ts_transformer_keras39_mha/transformer_model.keras geolife_transformer_h5_keras211/transformer_model.h5 \
           bitcoin_mha_keras39_h5_and_keras/transformer_model.h5 bitcoin_mha_keras39_h5_and_keras/transformer_model.keras; do
    n=$(echo "$f" | tr '/' '_')
    check "reference runs (finite, shapes): $f" $py "$ref" "$models/$f" "$tmp/$n.json" --samples 8 --seed 1
  done
  same() {
    $py - "$tmp/bitcoin_mha_keras39_h5_and_keras_transformer_model.h5.json" \
          "$tmp/bitcoin_mha_keras39_h5_and_keras_transformer_model.keras.json" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
assert a["output_shapes"] == [[1, 7, 13]], a["output_shapes"]
assert a == b, "the .h5 and .keras references differ"
print("identical inputs and outputs over", 1 + len(a["samples"]), "samples")
PY
  }
  check "bitcoin .h5 and .keras references identical (H5 positional vs .keras path weights)" same
else
  echo "note: $models not found, shared transformer checks skipped"
fi
echo "references selfcheck: $passed passed, $failed failed"
(( failed == 0 ))
