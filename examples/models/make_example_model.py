#!/usr/bin/python3
"""Writes the bundled example model: a small Keras 2-format CNN saved as a full-model HDF5 file.

The file is written by this script (h5py), in exactly the layout tf.keras 2.x writes with
model.save('x.h5'), with deterministic weights. Usage: make_example_model.py OUT.h5
"""
import json
import sys

import h5py
import numpy as np


def layer(class_name, name, **config):
    config = dict(name=name, trainable=True, dtype="float32", **config)
    return {"class_name": class_name, "config": config}


def main(out):
    rng = np.random.default_rng(7)
    layers = [
        layer("InputLayer", "input_1", batch_input_shape=[None, 16, 16, 3], sparse=False, ragged=False),
        layer("Conv2D", "conv2d", filters=8, kernel_size=[3, 3], strides=[1, 1], padding="same",
              data_format="channels_last", dilation_rate=[1, 1], groups=1, activation="linear",
              use_bias=True, kernel_initializer={"class_name": "GlorotUniform", "config": {"seed": None}},
              bias_initializer={"class_name": "Zeros", "config": {}}, kernel_regularizer=None,
              bias_regularizer=None, activity_regularizer=None, kernel_constraint=None, bias_constraint=None),
        layer("BatchNormalization", "batch_normalization", axis=[3], momentum=0.99, epsilon=0.001,
              center=True, scale=True, beta_initializer={"class_name": "Zeros", "config": {}},
              gamma_initializer={"class_name": "Ones", "config": {}},
              moving_mean_initializer={"class_name": "Zeros", "config": {}},
              moving_variance_initializer={"class_name": "Ones", "config": {}},
              beta_regularizer=None, gamma_regularizer=None, beta_constraint=None, gamma_constraint=None),
        layer("ReLU", "re_lu", max_value=6.0, negative_slope=0.0, threshold=0.0),
        layer("MaxPooling2D", "max_pooling2d", pool_size=[2, 2], padding="valid", strides=[2, 2],
              data_format="channels_last"),
        layer("Flatten", "flatten", data_format="channels_last"),
        layer("Dense", "dense", units=10, activation="softmax", use_bias=True,
              kernel_initializer={"class_name": "GlorotUniform", "config": {"seed": None}},
              bias_initializer={"class_name": "Zeros", "config": {}}, kernel_regularizer=None,
              bias_regularizer=None, activity_regularizer=None, kernel_constraint=None, bias_constraint=None),
    ]
    # Functional-model wiring, as tf.keras 2.x writes it.
    for i, l in enumerate(layers):
        l["name"] = l["config"]["name"]
        l["inbound_nodes"] = [] if i == 0 else [[[layers[i - 1]["name"], 0, 0, {}]]]
    config = {"class_name": "Functional", "config": {
        "name": "example_cnn", "layers": layers,
        "input_layers": [["input_1", 0, 0]], "output_layers": [["dense", 0, 0]]}}

    weights = {
        "conv2d": [("conv2d/kernel:0", rng.normal(0, 0.3, (3, 3, 3, 8))),
                   ("conv2d/bias:0", rng.normal(0, 0.1, (8,)))],
        "batch_normalization": [("batch_normalization/gamma:0", rng.uniform(0.5, 1.5, (8,))),
                                ("batch_normalization/beta:0", rng.normal(0, 0.1, (8,))),
                                ("batch_normalization/moving_mean:0", rng.normal(0, 0.1, (8,))),
                                ("batch_normalization/moving_variance:0", rng.uniform(0.5, 1.5, (8,)))],
        "dense": [("dense/kernel:0", rng.normal(0, 0.1, (8 * 8 * 8, 10))),
                  ("dense/bias:0", rng.normal(0, 0.1, (10,)))],
    }
    with h5py.File(out, "w") as f:
        f.attrs["keras_version"] = "2.8.0"
        f.attrs["backend"] = "tensorflow"
        f.attrs["model_config"] = json.dumps(config).encode("utf8")
        g = f.create_group("model_weights")
        g.attrs["layer_names"] = np.array([l["name"].encode() for l in layers])
        g.attrs["backend"] = b"tensorflow"
        g.attrs["keras_version"] = b"2.8.0"
        for l in layers:
            lg = g.create_group(l["name"])
            ws = weights.get(l["name"], [])
            lg.attrs["weight_names"] = np.array([n.encode() for n, _ in ws], dtype="S")
            for n, w in ws:
                lg.create_dataset(n, data=w.astype(np.float32))
    print(f"wrote {out}: Keras 2 functional CNN (Conv2D+BN+ReLU6+MaxPool+Dense softmax), input [1,16,16,3]")


if __name__ == "__main__":
    main(sys.argv[1])
