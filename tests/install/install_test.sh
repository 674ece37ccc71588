#!/usr/bin/env bash
# `cmake --install` gives <prefix>/bin/tflc, <prefix>/lib/tflc/plugins/, the SDK headers and a CMake
# package; the installed tflc finds its plugins with no flags; tflite_convert is installed beside it
# and writes what tflc convert writes; a plugin built out of tree against the installed package loads.  Usage: install_test.sh BUILD_DIR SOURCE_DIR WORKDIR
set -euo pipefail
build=$(cd "$1" && pwd) src=$(cd "$2" && pwd) work=$3
rm -rf "$work" && mkdir -p "$work"
cmake --install "$build" --prefix "$work/prefix" >/dev/null
p="$work/prefix"
for f in bin/tflc bin/tflite_convert include/tflc/abi/tflc_plugin.h include/tflc/sdk/plugin.h lib/cmake/tflc/tflcConfig.cmake; do
  [ -e "$p/$f" ] || { echo "FAIL: $f not installed"; exit 1; }
done
ls "$p"/lib/tflc/plugins/*.so >/dev/null || { echo "FAIL: no plugins in lib/tflc/plugins"; exit 1; }
"$p/bin/tflc" plugins > "$work/plugins.txt"
grep -q "file: $p/lib/tflc/plugins/" "$work/plugins.txt" || { echo "FAIL: installed tflc did not find its plugins"; cat "$work/plugins.txt"; exit 1; }
g="$src/tests/tf/data/shape_fold.pbtxt"
"$p/bin/tflite_convert" --enable_v1_converter --graph_def_file "$g" --input_arrays x --output_arrays y \
    --post_training_quantize --output_file "$work/tflite_convert.tflite" >/dev/null ||
  { echo "FAIL: the installed tflite_convert did not convert"; exit 1; }
"$p/bin/tflc" convert --graph_def_file "$g" --input_arrays x --output_arrays y --optimizations DEFAULT \
    --output_file "$work/tflc.tflite" >/dev/null || { echo "FAIL: the installed tflc did not convert"; exit 1; }
cmp "$work/tflite_convert.tflite" "$work/tflc.tflite" ||
  { echo "FAIL: the installed tflite_convert and tflc convert wrote different files"; exit 1; }
cmake -S "$src/tests/install/consumer" -B "$work/consumer" -DCMAKE_PREFIX_PATH="$p" \
      -DTFLC_TEST_PLUGIN_SOURCE="$src/tests/abi/plugins/good_plugin.cc" >/dev/null
cmake --build "$work/consumer" >/dev/null
"$p/bin/tflc" plugins --plugin_dir "$work/consumer" > "$work/plugins_consumer.txt"
grep -q "^test_good_plugin 1.2.3" "$work/plugins_consumer.txt" ||
  { echo "FAIL: out-of-tree plugin not loaded"; cat "$work/plugins_consumer.txt"; exit 1; }
echo "install layout, plugin discovery, tflite_convert and out-of-tree plugin: ok"
