#!/usr/bin/python3
"""Writes broken Keras inputs for the CLI error tests, derived from the example model.

Usage: make_bad_inputs.py OUT_DIR   (writes OUT_DIR/<case>.h5 and friends, prints the list)
"""
import json
import os
import shutil
import subprocess
import sys

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLE = os.path.join(HERE, "..", "..", "examples", "models", "make_example_model.py")


def main(out):
    os.makedirs(out, exist_ok=True)
    good = os.path.join(out, "good.h5")
    subprocess.run([sys.executable, EXAMPLE, good], check=True, stdout=subprocess.DEVNULL)

    open(os.path.join(out, "empty.h5"), "wb").close()
    with open(os.path.join(out, "not_hdf5.h5"), "w") as f:
        f.write("this is a text file, not HDF5\n" * 20)
    data = open(good, "rb").read()
    with open(os.path.join(out, "truncated.h5"), "wb") as f:
        f.write(data[: len(data) // 2])

    # Weights only: what model.save_weights('x.h5') writes (no model_config).
    with h5py.File(good, "r") as src, h5py.File(os.path.join(out, "weights_only.h5"), "w") as dst:
        for k, v in src["model_weights"].attrs.items():
            dst.attrs[k] = v
        for name in src["model_weights"]:
            src.copy(src["model_weights"][name], dst, name)

    def mutate(name, fn):
        path = os.path.join(out, name)
        shutil.copy(good, path)
        with h5py.File(path, "r+") as f:
            fn(f)

    mutate("invalid_json.h5", lambda f: f.attrs.__setitem__("model_config", b'{"class_name": "Functional", "config": {'))

    def drop_dataset(f):
        del f["model_weights/dense/dense/kernel:0"]
    mutate("missing_weight.h5", drop_dataset)

    def unknown_layer(f):
        cfg = json.loads(f.attrs["model_config"])
        for l in cfg["config"]["layers"]:
            if l["name"] == "re_lu":
                l["class_name"] = "FancyActivation"
        f.attrs["model_config"] = json.dumps(cfg).encode()
    mutate("unknown_layer.h5", unknown_layer)

    def wrong_shape(f):
        del f["model_weights/dense/dense/bias:0"]
        f["model_weights/dense"].create_dataset("dense/bias:0", data=np.zeros((7,), np.float32))
    mutate("wrong_weight_shape.h5", wrong_shape)
    print("\n".join(sorted(os.listdir(out))))


if __name__ == "__main__":
    main(sys.argv[1])
