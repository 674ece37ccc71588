#!/usr/bin/python3
"""Writes a large Keras 2-format H5 model (a stack of square Dense layers) for benchmarks.

Usage: make_big_keras.py OUT.h5 TARGET_BYTES [WIDTH]
Weights are written in chunks from a seeded RNG, so memory stays small while writing.
"""
import json
import sys

import h5py
import numpy as np


def main(out, target_bytes, width=8192):
    per_layer = width * width * 4 + width * 4
    n = max(1, -(-target_bytes // per_layer))
    layers = [{"class_name": "InputLayer", "name": "input_1", "inbound_nodes": [],
               "config": {"batch_input_shape": [None, width], "dtype": "float32", "sparse": False,
                          "ragged": False, "name": "input_1"}}]
    for i in range(n):
        name = f"dense_{i}"
        layers.append({"class_name": "Dense", "name": name,
                       "inbound_nodes": [[[layers[-1]["name"], 0, 0, {}]]],
                       "config": {"name": name, "trainable": True, "dtype": "float32", "units": width,
                                  "activation": "relu" if i + 1 < n else "linear", "use_bias": True,
                                  "kernel_initializer": {"class_name": "Zeros", "config": {}},
                                  "bias_initializer": {"class_name": "Zeros", "config": {}},
                                  "kernel_regularizer": None, "bias_regularizer": None,
                                  "activity_regularizer": None, "kernel_constraint": None,
                                  "bias_constraint": None}})
    config = {"class_name": "Functional", "config": {"name": "big", "layers": layers,
              "input_layers": [["input_1", 0, 0]], "output_layers": [[layers[-1]["name"], 0, 0]]}}
    rng = np.random.default_rng(0)
    with h5py.File(out, "w") as f:
        f.attrs["keras_version"] = "2.8.0"
        f.attrs["backend"] = "tensorflow"
        f.attrs["model_config"] = json.dumps(config).encode()
        g = f.create_group("model_weights")
        g.attrs["layer_names"] = np.array([l["name"].encode() for l in layers])
        g.create_group("input_1").attrs["weight_names"] = np.array([], dtype="S1")
        for l in layers[1:]:
            name = l["name"]
            lg = g.create_group(name)
            lg.attrs["weight_names"] = np.array([f"{name}/kernel:0".encode(), f"{name}/bias:0".encode()])
            k = lg.create_dataset(f"{name}/kernel:0", (width, width), dtype="float32")
            rows = 512
            for r in range(0, width, rows):
                k[r:r + rows] = rng.standard_normal((rows, width), dtype=np.float32) * 0.01
            lg.create_dataset(f"{name}/bias:0", data=np.zeros(width, np.float32))
    print(f"wrote {out}: {n} Dense({width}) layers, {n * per_layer / 1e9:.2f} GB of weights")


if __name__ == "__main__":
    main(sys.argv[1], int(float(sys.argv[2])), *(int(a) for a in sys.argv[3:]))
