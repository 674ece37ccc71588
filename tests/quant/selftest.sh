#!/usr/bin/env bash
# Self-test of the quantization harness (make_dataset.py, check_structure.py, compare_quant.js,
# quant_e2e.sh, bad_input.sh) with fake_tflc.sh standing in for `tflc convert`: the official int8
# files must pass against themselves, and wrong candidates must fail with the right exit code.
# usage: selftest.sh TFLC SHARED_MODELS OUT_DIR      (TFLC: the real one, for inspect and float
# conversions).  Exit 0 all as expected, 1 otherwise, 77 without the shared models.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
tflc=$1 M=$2 out=$3
[[ -e "$M/st_stmnist_v1/stmnist_v1.h5" ]] || { echo "SKIP: $M not found (../shared/models absent)"; exit 77; }
rm -rf "$out" && mkdir -p "$out" || exit 1
"$here/../e2e/setup.sh" || exit 1
export FAKE_TFLC_REAL=$tflc
fake="$here/fake_tflc.sh"
passed=0 failed=0
expect() {  # expect RC NAME command...
  local want=$1 name=$2; shift 2
  "$@" >"$out/$name.log" 2>&1
  local rc=$?
  if (( rc == want )); then passed=$((passed + 1)); echo "ok   $name (exit $rc)"
  else failed=$((failed + 1)); echo "FAIL $name: exit $rc, expected $want"; sed 's/^/  | /' "$out/$name.log" | tail -25; fi
}
mnist=st_stmnist_v1/stmnist_v1.h5 mnist_q=st_stmnist_v1/stmnist_v1_int8.tflite
har=st_har_gmp_wl_24_wisdm/gmp_wl_24.h5 har_q=st_har_gmp_wl_24_wisdm/gmp_wl_24_int8.tflite
mv2=st_mobilenet_v2_035_128_flowers/mobilenet_v2_0.35_128.h5
mv2_q=st_mobilenet_v2_035_128_flowers/mobilenet_v2_0.35_128_int8.tflite
fd_q=st_fdmobilenet_025_128_flowers/fdmobilenet_0.25_128_int8.tflite
"$tflc" convert --keras_model_file "$M/$mnist" --output_file "$out/mnist_float.tflite" >/dev/null || exit 1

# Official int8 files as candidates: pass.
expect 0 int8_official_mnist env FAKE_TFLC_COPY="$M/$mnist_q" "$here/quant_e2e.sh" "$fake" "$M" "$out/a" \
  int8 $mnist 0,1 --official $mnist_q --input-type uint8 --output-type float32
expect 0 int8_official_har_floatio env FAKE_TFLC_COPY="$M/$har_q" "$here/quant_e2e.sh" "$fake" "$M" "$out/b" \
  int8 $har -30,37 --official $har_q --float-io --dataset-format npy-dir
expect 0 dynrange_official_icu env FAKE_TFLC_COPY="$M/icu_dense_keras3_h5_dynrange/model.tflite" \
  "$here/quant_e2e.sh" "$fake" "$M" "$out/c" dynrange icu_dense_keras3_h5_dynrange/model.h5 -1,1 --tol 2e-2 --min-large 0
# Wrong candidates: fail (exit 1).
expect 1 int8_uint8_input_is_not_float_io env FAKE_TFLC_COPY="$M/$mnist_q" "$here/quant_e2e.sh" "$fake" "$M" "$out/d" \
  int8 $mnist 0,1 --official $mnist_q --float-io
# (Another model with the same I/O: fdmobilenet's int8 file as "our" mobilenet_v2. Random inputs
# saturate the miniresnets, so miniresnet vs miniresnetv2 would still reach cosine 0.997.)
expect 1 int8_other_model_worse_than_official env FAKE_TFLC_COPY="$M/$fd_q" "$here/quant_e2e.sh" "$fake" "$M" "$out/e" \
  int8 $mv2 -1,1 --official $mv2_q --input-type uint8 --output-type float32
expect 1 int8_float_model_wrong_types env FAKE_TFLC_COPY="$out/mnist_float.tflite" "$here/quant_e2e.sh" "$fake" "$M" "$out/f" \
  int8 $mnist 0,1 --official $mnist_q --input-type uint8 --output-type float32
expect 1 dynrange_float_weights env FAKE_TFLC_COPY="$out/mnist_float.tflite" "$here/quant_e2e.sh" "$fake" "$M" "$out/g" \
  dynrange $mnist 0,1 --tol 2e-2
expect 1 float16_float_model env FAKE_TFLC_COPY="$out/mnist_float.tflite" "$here/quant_e2e.sh" "$fake" "$M" "$out/h" \
  float16 $mnist 0,1 --tol 1e-2
expect 1 tolerance_int8_vs_1e-3 node "$here/../e2e/compare_quant.js" "$M/$mnist" "$M/$mnist_q" --range=0,1 --mode tolerance --tol 1e-3
expect 0 tolerance_float_vs_1e-5 node "$here/../e2e/compare_quant.js" "$M/$mnist" "$out/mnist_float.tflite" --range=0,1 --mode tolerance --tol 1e-5
expect 2 compare_missing_file node "$here/../e2e/compare_quant.js" "$M/$mnist" "$out/nope.tflite"
expect 3 quant_e2e_convert_fails env FAKE_TFLC_FAIL="boom" "$here/quant_e2e.sh" "$fake" "$M" "$out/i" dynrange $mnist 0,1
# bad_input.sh: a clear refusal passes; success, or a vague message, fails.
expect 0 bad_input_clear_message env FAKE_TFLC_FAIL="tflc: error: dataset input 'input_1': sample shape [29,29,2], expected [28,28,1]" \
  "$here/bad_input.sh" "$fake" "$M" "$out/j" wrong_shape
expect 1 bad_input_vague_message env FAKE_TFLC_FAIL="tflc: error: bad dataset" "$here/bad_input.sh" "$fake" "$M" "$out/k" wrong_shape
expect 1 bad_input_accepted env FAKE_TFLC_COPY="$M/$mnist_q" "$here/bad_input.sh" "$fake" "$M" "$out/l" nan
# make_dataset.py variants.
expect 0 make_dataset_variants /usr/bin/python3 - "$here/make_dataset.py" "$M/$mnist" "$out/ds" <<'PY'
import subprocess, sys, numpy as np
tool, model, d = sys.argv[1:]
want = {"ok": ((100, 28, 28, 1), "float32", "input_1"), "wrong-shape": ((100, 29, 29, 2), "float32", "input_1"),
        "float64": ((100, 28, 28, 1), "float64", "input_1"), "wrong-name": ((100, 28, 28, 1), "float32", "not_an_input"),
        "empty": ((0, 28, 28, 1), "float32", "input_1"), "nan": ((100, 28, 28, 1), "float32", "input_1"),
        "inf": ((100, 28, 28, 1), "float32", "input_1")}
for v, (shape, dtype, name) in want.items():
    p = f"{d}_{v}.npz"
    subprocess.run([sys.executable, tool, p, "--keras", model, "--range=0,1", "--variant", v], check=True, stdout=subprocess.DEVNULL)
    z = np.load(p)
    assert list(z.keys()) == [name], (v, list(z.keys()))
    a = z[name]
    assert a.shape == shape and str(a.dtype) == dtype, (v, a.shape, a.dtype)
    finite = np.isfinite(a).all()
    assert finite == (v not in ("nan", "inf")), v
    if a.size and finite:
        assert 0 <= a.min() and a.max() <= 1, v
a1 = np.load(f"{d}_ok.npz")["input_1"]
subprocess.run([sys.executable, tool, f"{d}_again.npz", "--keras", model, "--range=0,1"], check=True, stdout=subprocess.DEVNULL)
assert (np.load(f"{d}_again.npz")["input_1"] == a1).all(), "not deterministic"
PY
echo "$passed passed, $failed failed"
(( failed == 0 ))
