#!/usr/bin/python3
"""Writes a seeded representative dataset for `tflc convert --representative_dataset`.

N samples uniform in [lo, hi], float32, one array per model input, samples on the first axis:
a model input [1, 28, 28, 1] gives an array of shape (N, 28, 28, 1). Arrays are named after the
Keras model's input layers (the names the converter shows in its signature), or arr_0, arr_1, ...
with --positional (numpy.savez's default names).

Usage:
  make_dataset.py OUT (--keras MODEL.h5 | --input NAME:D1xD2x...) [--input ...]
                  [--samples 100] [--range lo,hi] [--seed 1] [--positional] [--variant V]
  OUT ends in .npz, or is a directory for --variant npy-dir.

Variants (default "ok"); the broken ones are for the CLI's bad-input tests:
  ok            the dataset described above
  npy-dir       OUT is a directory of .npy files, one sample per file, each with the model's input
                shape including the batch dim 1 (single-input models only)
  wrong-shape   every non-batch dim of each input grows by one
  float64       the right values, stored as float64
  wrong-name    the first array is named "not_an_input" instead of the input's name
  empty         0 samples (arrays of shape (0, ...))
  nan           one NaN in sample 3 (or the last sample if fewer)
  inf           one +Inf in sample 3 (or the last sample if fewer)

Input names and shapes come from the .h5's model_config (legacy full-model H5, Keras 2 or 3;
InputLayer's batch_input_shape / batch_shape, or the first layer's batch_input_shape for a
Sequential without an InputLayer). --input overrides that. Prints one line per array written.
Run with /usr/bin/python3 (needs numpy, and h5py for --keras).
"""
import argparse
import json
import os
import sys

import numpy as np

VARIANTS = ("ok", "npy-dir", "wrong-shape", "float64", "wrong-name", "empty", "nan", "inf")


def fail(msg):
    print(f"make_dataset.py: {msg}", file=sys.stderr)
    sys.exit(2)


def keras_inputs(path):
    """[(name, [1, d1, d2, ...])] for the model's inputs, in the model's input order."""
    import h5py  # only needed here

    try:
        with h5py.File(path, "r") as f:
            raw = f.attrs.get("model_config")
    except OSError as e:
        fail(f"{path}: cannot open as HDF5 ({e})")
    if raw is None:
        fail(f"{path}: no model_config attribute (not a full-model .h5)")
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8")
    config = json.loads(raw)
    cfg = config.get("config", {})
    layers = cfg.get("layers", []) if isinstance(cfg, dict) else cfg
    by_name = {}
    for layer in layers:
        lc = layer.get("config", {})
        by_name[lc.get("name", layer.get("name"))] = layer

    def shape_of(layer):
        lc = layer.get("config", {})
        shape = lc.get("batch_input_shape") or lc.get("batch_shape")
        if shape is None:
            fail(f"{path}: layer {lc.get('name')} has no batch_input_shape / batch_shape")
        if any(d is None for d in shape[1:]):
            fail(f"{path}: input {lc.get('name')} has an unknown dimension {shape}; use --input")
        return [1] + [int(d) for d in shape[1:]]

    names = []
    for entry in cfg.get("input_layers", []) if isinstance(cfg, dict) else []:
        # Keras 2: [name, node, tensor]; Keras 3: {"class_name": "__keras_tensor__", ...} or [name, ...]
        if isinstance(entry, list) and entry and isinstance(entry[0], str):
            names.append(entry[0])
        elif isinstance(entry, dict):
            names.append(entry.get("config", {}).get("keras_history", [None])[0])
    if names and all(n in by_name for n in names):
        return [(n, shape_of(by_name[n])) for n in names]
    # Sequential: the InputLayer, else the first layer's batch_input_shape.
    for layer in layers:
        if layer.get("class_name") == "InputLayer":
            return [(layer["config"]["name"], shape_of(layer))]
    if layers:
        first = layers[0]
        return [(first["config"]["name"] if "name" in first.get("config", {}) else "input_1", shape_of(first))]
    fail(f"{path}: no layers in model_config")


def parse_input(spec):
    name, sep, dims = spec.rpartition(":")
    if not sep or not name:
        fail(f"--input {spec}: expected NAME:D1xD2x... (batch dim included, e.g. input_1:1x28x28x1)")
    try:
        shape = [int(d) for d in dims.split("x")] if dims else []
    except ValueError:
        fail(f"--input {spec}: dims must be integers joined by x")
    return name, shape


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--keras", help="Keras .h5 whose inputs give the names and shapes")
    ap.add_argument("--input", action="append", default=[], help="NAME:D1xD2x... (overrides --keras)")
    ap.add_argument("--samples", type=int, default=100)
    ap.add_argument("--range", default="-1,1", help="lo,hi")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--positional", action="store_true", help="name arrays arr_0, arr_1, ...")
    ap.add_argument("--variant", default="ok", choices=VARIANTS)
    args = ap.parse_args()

    if args.input:
        inputs = [parse_input(s) for s in args.input]
    elif args.keras:
        inputs = keras_inputs(args.keras)
    else:
        fail("give --keras MODEL.h5 or --input NAME:DIMS")
    try:
        lo, hi = (float(x) for x in args.range.split(","))
    except ValueError:
        fail(f"--range {args.range}: expected lo,hi")
    if not lo <= hi:
        fail(f"--range {args.range}: lo must be <= hi")
    if args.samples < 1 and args.variant != "empty":
        fail("--samples must be >= 1")

    n = 0 if args.variant == "empty" else args.samples
    rng = np.random.default_rng(args.seed)
    arrays = {}
    for k, (name, shape) in enumerate(inputs):
        if not shape or shape[0] != 1:
            fail(f"input {name}: shape {shape} must start with the batch dim 1")
        per_sample = list(shape[1:])
        if args.variant == "wrong-shape":
            per_sample = [d + 1 for d in per_sample]
        data = rng.uniform(lo, hi, size=[n] + per_sample).astype(np.float32)
        if args.variant in ("nan", "inf") and k == 0:
            i = min(3, n - 1)
            data.reshape(n, -1)[i, data[0].size // 2] = np.nan if args.variant == "nan" else np.inf
        if args.variant == "float64":
            data = data.astype(np.float64)
        key = f"arr_{k}" if args.positional else name
        if args.variant == "wrong-name" and k == 0:
            key = "not_an_input"
        arrays[key] = data

    if args.variant == "npy-dir":
        if len(arrays) != 1:
            fail("--variant npy-dir supports single-input models only")
        (data,) = arrays.values()
        os.makedirs(args.out, exist_ok=True)
        for i in range(n):
            p = os.path.join(args.out, f"sample_{i:04d}.npy")
            np.save(p, data[i:i + 1])  # batch dim 1: exactly the model's input shape
        print(f"{args.out}: {n} .npy files of shape {list(data[0:1].shape)} float32")
        return
    if not args.out.endswith(".npz"):
        fail(f"{args.out}: the output must end in .npz")
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    np.savez(args.out, **arrays)
    for key, data in arrays.items():
        print(f"{args.out}: {key} {list(data.shape)} {data.dtype} range [{lo}, {hi}] seed {args.seed}")


if __name__ == "__main__":
    main()
