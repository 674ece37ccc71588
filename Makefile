# Entry points that work on a fresh Debian 12 machine: each installs what is missing, configures,
# builds, then does its job.
#   make demo   convert the bundled example model and print what was produced
#   make test   build everything and run the whole test suite (what CI runs)
BUILD ?= build
JOBS ?= $(shell nproc)
PYTHON := /usr/bin/python3

.PHONY: all deps configure build demo test clean bench bench-calibration update-goldens

all: build

deps:
	@./scripts/install-deps.sh

$(BUILD)/CMakeCache.txt:
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null

configure: deps $(BUILD)/CMakeCache.txt

build: configure
	@MAKEFLAGS= MAKELEVEL= cmake --build $(BUILD) -j$(JOBS)

demo: build
	@mkdir -p $(BUILD)/demo
	@$(PYTHON) examples/models/make_example_model.py $(BUILD)/demo/example_cnn.h5
	$(BUILD)/bin/tflc convert --keras_model_file $(BUILD)/demo/example_cnn.h5 --output_file $(BUILD)/demo/example_cnn.tflite
	$(BUILD)/bin/tflc inspect --no_options $(BUILD)/demo/example_cnn.tflite

test: build
	@./tests/e2e/setup.sh
	@cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

bench: build
	@./bench/run.sh $(BUILD)

# Calibration samples/s beside the TFLite WASM runtime's float inference (needs ../shared/models).
bench-calibration: build
	@./bench/calibration.sh $(BUILD)

clean:
	rm -rf $(BUILD)

update-goldens: build
	@cd $(BUILD) && TFLC_UPDATE_GOLDENS=1 ctest -L golden --output-on-failure -j$(JOBS)
