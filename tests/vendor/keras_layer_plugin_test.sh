#!/usr/bin/env bash
# A Keras LAYER plugin end to end, against an installed tflc (issue 14 acceptance):
#   1. cmake --install BUILD_DIR into WORKDIR/prefix;
#   2. build examples/keras_layer_plugin out of tree with find_package(tflc) (and run its unit
#      tests when the install ships tflc::testing);
#   3. examples/keras_layer_plugin/make_model.py writes the keras.io "Text classification with
#      Transformer" model (custom TransformerBlock, TokenAndPositionEmbedding) as a Keras 3 .keras
#      and a tf.keras .h5, a variant with a config the recipe does not have, and a numpy reference;
#   4. without the plugin: the frontend's error names both custom layers, and no file is written;
#   5. with --plugin_dir: both files convert and match the numpy reference in the real TFLite runtime;
#   6. the changed config: the plugin's refusal names what differs.
# Usage: keras_layer_plugin_test.sh BUILD_DIR SOURCE_DIR WORKDIR
# Exit 77 (skip) only when cmake or a C++ compiler is missing; one FAIL line per broken check.
set -uo pipefail
build=$(cd "$1" && pwd) src=$(cd "$2" && pwd) work=$3
example="$src/examples/keras_layer_plugin"
unset TFLC_PLUGIN_PATH

command -v cmake >/dev/null || { echo "SKIP: cmake not found"; exit 77; }
cxx=${CXX:-}
[ -n "$cxx" ] || cxx=$(command -v c++ || command -v g++ || command -v clang++ || true)
[ -n "$cxx" ] && cxx=$(command -v "$cxx" || true)
[ -n "$cxx" ] || { echo "SKIP: no C++ compiler (c++, g++, clang++; or set CXX to one)"; exit 77; }
py=/usr/bin/python3
[ -x "$py" ] || py=$(command -v python3 || true)
[ -n "$py" ] || { echo "FAIL: python3 not found (make_model.py needs it, with h5py and numpy)"; exit 1; }

rm -rf "$work" && mkdir -p "$work"
work=$(cd "$work" && pwd)
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
show() { tail -n 40 "$1" | sed 's/^/    /'; }

# ---- 1. install --------------------------------------------------------------------------------
p="$work/prefix"
if ! cmake --install "$build" --prefix "$p" > "$work/install.log" 2>&1; then
  fail "cmake --install $build failed"; show "$work/install.log"; exit 1
fi
tflc="$p/bin/tflc"
[ -x "$tflc" ] || { fail "$tflc not installed"; exit 1; }

# ---- 2. build the example out of tree ----------------------------------------------------------
eb="$work/recipe-build"
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
if ! cmake -S "$example" -B "$eb" -DCMAKE_PREFIX_PATH="$p" -DCMAKE_BUILD_TYPE=Release \
       -DCMAKE_CXX_COMPILER="$cxx" "${launcher[@]}" > "$work/configure.log" 2>&1; then
  fail "configuring examples/keras_layer_plugin against $p failed"; show "$work/configure.log"; exit 1
fi
if ! cmake --build "$eb" -j2 > "$work/build.log" 2>&1; then
  fail "building examples/keras_layer_plugin failed"; show "$work/build.log"; exit 1
fi
lib="$eb/libkeras_recipe_layers.so"
[ -f "$lib" ] || { fail "the example built no libkeras_recipe_layers.so"; ls "$eb"; exit 1; }
if [ -x "$eb/keras_recipe_layers_test" ]; then
  if ! "$eb/keras_recipe_layers_test" > "$work/unit_test.log" 2>&1; then
    fail "the example's unit tests (FakeHost + conformance, against the installed tflc::testing) failed"
    grep -E '^\[  FAILED|Failure|error|  - ' "$work/unit_test.log" | head -n 30 | sed 's/^/    /'
  else
    echo "example unit tests against the installed tflc::testing: $(grep -c '^\[       OK' "$work/unit_test.log") passed"
  fi
else
  echo "note: example unit tests not built (no tflc::testing in the install, or no GoogleTest)"
fi

plugins="$work/plugins"
mkdir -p "$plugins" && cp "$lib" "$plugins/"
"$tflc" plugins --plugin_dir "$plugins" > "$work/plugins.txt" 2>&1
grep -q "^keras_recipe_layers 1.0.0" "$work/plugins.txt" || { fail "tflc plugins does not list keras_recipe_layers"; show "$work/plugins.txt"; }
grep -qi "skipping $plugins" "$work/plugins.txt" && { fail "the host skipped the layer plugin"; show "$work/plugins.txt"; }

# ---- 3. the models -----------------------------------------------------------------------------
m="$work/models"
"$py" "$example/make_model.py" "$m" > "$work/make_model.log" 2>&1 || { fail "make_model.py failed"; show "$work/make_model.log"; exit 1; }

# ---- 4. without the plugin: the frontend's error naming both layers, no output -----------------
for f in recipe.keras recipe.h5; do
  out="$work/no_plugin_${f%.*}.tflite"
  if "$tflc" convert --keras_model_file "$m/$f" --output_file "$out" > "$work/no_plugin_$f.log" 2>&1; then
    fail "converting $f without the plugin succeeded; its custom layers have no code in the file"
  else
    for word in TransformerBlock TokenAndPositionEmbedding; do
      grep -q "$word" "$work/no_plugin_$f.log" || { fail "the error for $f without the plugin does not name $word"; show "$work/no_plugin_$f.log"; }
    done
    grep -qi "plugin" "$work/no_plugin_$f.log" || { fail "the error for $f without the plugin does not mention a layer plugin"; show "$work/no_plugin_$f.log"; }
  fi
  [ -e "$out" ] && fail "converting $f without the plugin wrote $out"
done

# ---- 5. with the plugin: matches the numpy reference in the real runtime -----------------------
if ! "$src/tests/e2e/setup.sh" > "$work/e2e_setup.log" 2>&1; then
  fail "tests/e2e/setup.sh failed (node / npm packages for the TFLite runtime)"; show "$work/e2e_setup.log"
else
  for f in recipe.keras recipe.h5; do
    out="$work/${f%.*}_${f##*.}.tflite"
    if ! "$tflc" convert --plugin_dir "$plugins" --keras_model_file "$m/$f" --output_file "$out" \
           > "$work/convert_$f.log" 2>&1; then
      fail "tflc convert --plugin_dir of $f failed"; show "$work/convert_$f.log"; continue
    fi
    if node "$src/tests/e2e/compare_reference.js" "$m/reference.json" "$out" --tolerance 1e-4 > "$work/compare_$f.log" 2>&1; then
      echo "$f: $(grep -m1 'max |ours' "$work/compare_$f.log")"
    else
      fail "$f converted with the plugin does not match the numpy reference"; show "$work/compare_$f.log"
    fi
    "$tflc" inspect "$out" > "$work/inspect_$f.txt" 2>&1 || fail "tflc inspect $out failed"
    grep -q "CUSTOM" "$work/inspect_$f.txt" && { fail "$out has a custom op; the plugin lowers to builtins"; show "$work/inspect_$f.txt"; }
  done
fi

# ---- 6. a config the recipe does not have: the plugin's refusal --------------------------------
out="$work/changed.tflite"
if "$tflc" convert --plugin_dir "$plugins" --keras_model_file "$m/recipe_changed.keras" --output_file "$out" \
     > "$work/changed.log" 2>&1; then
  fail "recipe_changed.keras (TransformerBlock config with 'epsilon') converted; the plugin must refuse it"
else
  grep -q "config key 'epsilon' is not an argument of the keras.io recipe's TransformerBlock" "$work/changed.log" ||
    { fail "the refusal of recipe_changed.keras does not name the config key 'epsilon'"; show "$work/changed.log"; }
  grep -q "transformer_block" "$work/changed.log" || { fail "the refusal does not name the layer transformer_block"; show "$work/changed.log"; }
  grep -q "SavedModel" "$work/changed.log" || { fail "the refusal does not give the SavedModel route"; show "$work/changed.log"; }
fi
[ -e "$out" ] && fail "the refused conversion wrote $out"

if [ "$failures" -ne 0 ]; then
  echo "keras layer plugin: $failures check(s) failed; logs in $work"
  exit 1
fi
echo "keras layer plugin: out-of-tree build, recipe .keras and .h5 match numpy in the runtime, no-plugin error, config refusal: ok"
