#!/usr/bin/env bash
# The vendor workflow end to end, against an installed tflc:
#   1. cmake --install BUILD_DIR into WORKDIR/prefix;
#   2. build examples/vendor_plugin out of tree with find_package(tflc) (and run its unit tests
#      when the install ships tflc::testing);
#   3. drop libacme_ops.so into a plugins directory and convert make_model.py's GraphDef (AcmeClip +
#      Relu6) without --allow_custom_ops: 2 ACME_CLIP custom ops with FlexBuffer-map options;
#   4. convert again with full-integer quantization: ACME_CLIP and its CONV_2D neighbours are int8.
# Usage: vendor_plugin_test.sh BUILD_DIR SOURCE_DIR WORKDIR
# Exit 77 (skip) only when cmake or a C++ compiler is missing; one FAIL line per broken check.
set -uo pipefail
build=$(cd "$1" && pwd) src=$(cd "$2" && pwd) work=$3
example="$src/examples/vendor_plugin"
check="python3 $src/tests/vendor/check_tflite.py"
unset TFLC_PLUGIN_PATH

command -v cmake >/dev/null || { echo "SKIP: cmake not found"; exit 77; }
cxx=${CXX:-}
[ -n "$cxx" ] || cxx=$(command -v c++ || command -v g++ || command -v clang++ || true)
[ -n "$cxx" ] && cxx=$(command -v "$cxx" || true)
[ -n "$cxx" ] || { echo "SKIP: no C++ compiler (c++, g++, clang++; or set CXX to one)"; exit 77; }
command -v python3 >/dev/null || { echo "FAIL: python3 not found (make_model.py and the checks need it)"; exit 1; }

rm -rf "$work" && mkdir -p "$work"
work=$(cd "$work" && pwd)
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
# Prints the last lines of a log file, indented, after a failure.
show() { sed -n '1,200p' "$1" | tail -n 40 | sed 's/^/    /'; }

# ---- 1. install --------------------------------------------------------------------------------
p="$work/prefix"
if ! cmake --install "$build" --prefix "$p" > "$work/install.log" 2>&1; then
  fail "cmake --install $build failed"; show "$work/install.log"; exit 1
fi
tflc="$p/bin/tflc"
[ -x "$tflc" ] || { fail "$tflc not installed"; exit 1; }

# ---- 2. build the example out of tree ----------------------------------------------------------
eb="$work/acme-build"
if ! cmake -S "$example" -B "$eb" -DCMAKE_PREFIX_PATH="$p" -DCMAKE_BUILD_TYPE=Release \
       -DCMAKE_CXX_COMPILER="$cxx" > "$work/configure.log" 2>&1; then
  fail "configuring examples/vendor_plugin against $p failed"; show "$work/configure.log"; exit 1
fi
if ! cmake --build "$eb" -j2 > "$work/build.log" 2>&1; then
  fail "building examples/vendor_plugin failed"; show "$work/build.log"; exit 1
fi
lib="$eb/libacme_ops.so"
[ -f "$lib" ] || { fail "the example built no libacme_ops.so"; ls "$eb"; exit 1; }
if [ -x "$eb/acme_ops_test" ]; then
  if ! "$eb/acme_ops_test" > "$work/unit_test.log" 2>&1; then
    fail "the example's unit tests (FakeHost + conformance, built against the installed tflc::testing) failed"
    grep -E '^\[  FAILED|Failure|error' "$work/unit_test.log" | head -n 30 | sed 's/^/    /'
  else
    echo "example unit tests against the installed tflc::testing: $(grep -c '^\[       OK' "$work/unit_test.log") passed"
  fi
else
  echo "note: example unit tests not built (no tflc::testing in the install, or no GoogleTest)"
fi

# ---- 3. float conversion through the vendor plugin ---------------------------------------------
plugins="$work/plugins"
mkdir -p "$plugins" && cp "$lib" "$plugins/"
"$tflc" plugins --plugin_dir "$plugins" > "$work/plugins.txt" 2>&1
grep -q "^acme_ops 1.0.0" "$work/plugins.txt" || { fail "tflc plugins does not list acme_ops"; show "$work/plugins.txt"; }
grep -qi "skipping $plugins" "$work/plugins.txt" && { fail "the host skipped the vendor plugin"; show "$work/plugins.txt"; }

python3 "$example/make_model.py" -o "$work/model.pbtxt" || { fail "make_model.py failed"; exit 1; }
conv_args=(--graph_def_file "$work/model.pbtxt" --input_arrays x --output_arrays y)

# Without the plugin AcmeClip is an unsupported op (and no output is written).
if "$tflc" convert "${conv_args[@]}" --output_file "$work/no_plugin.tflite" > "$work/no_plugin.log" 2>&1; then
  fail "converting without the acme_ops plugin succeeded; AcmeClip should be unsupported"
elif ! grep -q "AcmeClip" "$work/no_plugin.log"; then
  fail "the error without the plugin does not name AcmeClip"; show "$work/no_plugin.log"
fi

if ! "$tflc" convert --plugin_dir "$plugins" "${conv_args[@]}" --output_file "$work/out.tflite" \
       > "$work/convert.log" 2>&1; then
  fail "tflc convert --plugin_dir (no --allow_custom_ops) failed"; show "$work/convert.log"
else
  $check float "$work/out.tflite" > "$work/check_float.txt" 2>&1 || failures=$((failures + 1))
  cat "$work/check_float.txt"
  if "$tflc" inspect "$work/out.tflite" > "$work/inspect.txt" 2>&1; then
    [ "$(grep -c 'ACME_CLIP' "$work/inspect.txt")" -ge 1 ] || fail "tflc inspect does not show ACME_CLIP"
    grep -q "RELU6" "$work/inspect.txt" && fail "tflc inspect shows a RELU6 op"
    # When inspect decodes custom options, it must show both option maps.
    if grep -q "custom_options={" "$work/inspect.txt"; then
      grep -Eq 'custom_options=\{hi: 2\.5, lo: -1\.5\}' "$work/inspect.txt" ||
        fail "tflc inspect does not show custom_options={hi: 2.5, lo: -1.5}"
      grep -Eq 'custom_options=\{hi: 6(\.0*)?, lo: 0(\.0*)?\}' "$work/inspect.txt" ||
        fail "tflc inspect does not show custom_options={hi: 6, lo: 0}"
    fi
  else
    fail "tflc inspect failed"; show "$work/inspect.txt"
  fi
fi

# ---- 4. full-integer quantization through ACME_CLIP's quant spec --------------------------------
# A seeded representative dataset: a stored .npz with x.npy, 16 samples of [8, 8, 3] in [0, 1).
python3 - "$work/calib.npz" <<'EOF'
import random, struct, sys, zipfile
n, shape = 16, (8, 8, 3)
rng = random.Random(7)
values = [rng.random() for _ in range(n * 8 * 8 * 3)]
header = "{'descr': '<f4', 'fortran_order': False, 'shape': (%d, %d, %d, %d), }" % ((n,) + shape)
header += " " * (63 - (10 + len(header)) % 64) + "\n"  # pad so the data starts at a multiple of 64
npy = b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + struct.pack("<%df" % len(values), *values)
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_STORED) as z:
    z.writestr("x.npy", npy)
EOF
[ -f "$work/calib.npz" ] || { fail "could not write the representative dataset"; exit 1; }
if ! "$tflc" convert --plugin_dir "$plugins" "${conv_args[@]}" --output_file "$work/out_int8.tflite" \
       --optimizations DEFAULT --representative_dataset "$work/calib.npz" > "$work/convert_int8.log" 2>&1; then
  fail "tflc convert with --optimizations DEFAULT --representative_dataset failed"; show "$work/convert_int8.log"
else
  $check int8 "$work/out_int8.tflite" > "$work/check_int8.txt" 2>&1 || failures=$((failures + 1))
  cat "$work/check_int8.txt"
  "$tflc" inspect "$work/out_int8.tflite" > "$work/inspect_int8.txt" 2>&1 || fail "tflc inspect of the int8 model failed"
fi

if [ "$failures" -ne 0 ]; then
  echo "vendor plugin: $failures check(s) failed; logs in $work"
  exit 1
fi
echo "vendor plugin: out-of-tree build, vendor op support without --allow_custom_ops, Relu6 override, FlexBuffer options, int8: ok"
