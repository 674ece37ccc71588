#!/usr/bin/env bash
# A plugin written against the raw C ABI whose Conv2D lowering (at a priority above lower_builtin's)
# throws a C++ exception: `tflc convert` must not crash; it exits 1 with an error naming the plugin's
# file, the row and the node, and writes no output.
# Usage: throwing_plugin_test.sh TFLC ABI_TEST_PLUGIN_DIR WORKDIR
set -uo pipefail
tflc=$1 plugins=$2 work=$3
rm -rf "$work" && mkdir -p "$work/plugins"
cp "$plugins/libtest_throwing_plugin.so" "$work/plugins/"
/usr/bin/python3 "$(dirname "$0")/../../examples/models/make_example_model.py" "$work/model.h5" >/dev/null
"$tflc" convert --plugin_dir "$work/plugins" --keras_model_file "$work/model.h5" --output_file "$work/model.tflite" \
  2>"$work/stderr"
rc=$?
cat "$work/stderr"
fail=0
[ "$rc" -eq 1 ] && echo "ok   exit status 1" || { echo "FAIL: exit status $rc (expected 1: an error, not a crash)"; fail=1; }
for want in "tflc: error: " "plugin 'test_throwing_plugin' ($work/plugins/libtest_throwing_plugin.so) failed unexpectedly" \
            "its Lower callback of lowering row 'Conv2D' threw a C++ exception (ThrowingPlugin: Lower exploded)" \
            "(Conv2D): plugin" "report it to its authors"; do
  if grep -qF -- "$want" "$work/stderr"; then echo "ok   stderr says: $want"
  else echo "FAIL stderr lacks: $want"; fail=1; fi
done
if ls "$work" | grep -q '^model\.tflite'; then echo "FAIL: output written: $(ls "$work")"; fail=1
else echo "ok   no output written"; fi
exit $fail
