#!/usr/bin/env bash
# A plugin directory holding a non-library .so, an empty .so, a library without the entry point,
# plugins that decline our ABI, tables too small or with NULL required callbacks, and an entry point
# or Create that throws: tflc warns naming each file and still converts.
# Usage: bad_plugins_test.sh TFLC ABI_TEST_PLUGIN_DIR WORKDIR
set -uo pipefail
tflc=$1 plugins=$2 work=$3
rm -rf "$work" && mkdir -p "$work/plugins"
echo "not an ELF file" > "$work/plugins/garbage.so"
: > "$work/plugins/empty.so"
bad="libtest_no_entry.so libtest_declines_abi.so libtest_wrong_major.so libtest_small_api.so libtest_small_row.so
     libtest_null_lower.so libtest_null_infer_shape.so libtest_null_apply.so libtest_null_load.so
     libtest_throws_in_query.so libtest_throws_in_create.so"
for f in $bad; do cp "$plugins/$f" "$work/plugins/"; done
/usr/bin/python3 "$(dirname "$0")/../../examples/models/make_example_model.py" "$work/model.h5" >/dev/null
"$tflc" convert --plugin_dir "$work/plugins" --keras_model_file "$work/model.h5" --output_file "$work/model.tflite" \
  2>"$work/stderr" || { echo "FAIL: conversion failed"; cat "$work/stderr"; exit 1; }
fail=0
for f in garbage.so empty.so $bad; do
  if grep -q "warning: skipping $work/plugins/$f" "$work/stderr"; then echo "ok   warned about $f"
  else echo "FAIL no warning naming $f"; fail=1; fi
done
[ -s "$work/model.tflite" ] || { echo "FAIL: no output"; fail=1; }
cat "$work/stderr"
exit $fail
