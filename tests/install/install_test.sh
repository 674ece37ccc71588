#!/usr/bin/env bash
# `cmake --install` gives <prefix>/bin/tflc, <prefix>/lib/tflc/plugins/, the SDK headers and a CMake
# package; the installed tflc finds its plugins with no flags; a plugin built out of tree against
# the installed package loads.  Usage: install_test.sh BUILD_DIR SOURCE_DIR WORKDIR
set -euo pipefail
build=$(cd "$1" && pwd) src=$(cd "$2" && pwd) work=$3
rm -rf "$work" && mkdir -p "$work"
cmake --install "$build" --prefix "$work/prefix" >/dev/null
p="$work/prefix"
for f in bin/tflc include/tflc/abi/tflc_plugin.h include/tflc/sdk/plugin.h lib/cmake/tflc/tflcConfig.cmake; do
  [ -e "$p/$f" ] || { echo "FAIL: $f not installed"; exit 1; }
done
ls "$p"/lib/tflc/plugins/*.so >/dev/null || { echo "FAIL: no plugins in lib/tflc/plugins"; exit 1; }
"$p/bin/tflc" plugins > "$work/plugins.txt"
grep -q "file: $p/lib/tflc/plugins/" "$work/plugins.txt" || { echo "FAIL: installed tflc did not find its plugins"; cat "$work/plugins.txt"; exit 1; }
cmake -S "$src/tests/install/consumer" -B "$work/consumer" -DCMAKE_PREFIX_PATH="$p" \
      -DTFLC_TEST_PLUGIN_SOURCE="$src/tests/abi/plugins/good_plugin.cc" >/dev/null
cmake --build "$work/consumer" >/dev/null
"$p/bin/tflc" plugins --plugin_dir "$work/consumer" > "$work/plugins_consumer.txt"
grep -q "^test_good_plugin 1.2.3" "$work/plugins_consumer.txt" ||
  { echo "FAIL: out-of-tree plugin not loaded"; cat "$work/plugins_consumer.txt"; exit 1; }
echo "install layout, plugin discovery and out-of-tree plugin: ok"
