#!/usr/bin/env python3
"""Writes small Keras 2 H5 models for the tfjs-layers cross-check of keras_numpy_reference.py
(layers both know: LayerNormalization, Conv1D, Dense on rank 3, Add, GlobalAveragePooling1D,
Flatten, Reshape, Dropout), with the project's generator helpers (tests/models/make_keras_models.py).
usage: selfcheck_models.py OUT_DIR   -> prints the written file names."""
import importlib.util
import os
import sys

import numpy as np

here = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("make_keras_models", os.path.join(here, "..", "models", "make_keras_models.py"))
km = importlib.util.module_from_spec(spec)
spec.loader.exec_module(km)


def c_layernorm(name, axis=-1, epsilon=1e-3):
    return dict(km.c_simple(name), axis=axis, epsilon=epsilon, center=True, scale=True,
                beta_initializer=km.ZEROS, gamma_initializer=km.ONES, beta_regularizer=None,
                gamma_regularizer=None, beta_constraint=None, gamma_constraint=None)


def encoder_block(path, rng):
    m = km.Model("selfcheck_encoder", rng)
    x = m.input("seq", [7, 5])
    h = m.layer("LayerNormalization", c_layernorm("ln_in", axis=-1, epsilon=1e-6), x,
                [("gamma", m.positive(5)), ("beta", m.w(5, scale=0.2))])
    c = m.layer("Conv1D", km.c_conv("conv_k3", 6, 3, rank=1, padding="same", activation="relu"), h,
                [("kernel", m.w(3, 5, 6)), ("bias", m.w(6, scale=0.1))])
    c = m.layer("Dropout", km.c_simple("drop", rate=0.3, noise_shape=None, seed=None), c)
    p = m.layer("Conv1D", km.c_conv("conv_k1", 5, 1, rank=1), c,
                [("kernel", m.w(1, 6, 5)), ("bias", m.w(5, scale=0.1))])
    r = m.layer("Add", km.c_simple("residual"), [x, p])
    d = m.layer("Dense", km.c_dense("dense3d", 4, activation="tanh"), r,
                [("kernel", m.w(5, 4)), ("bias", m.w(4, scale=0.1))])
    n = m.layer("LayerNormalization", c_layernorm("ln_2axes", axis=[1, 2], epsilon=1e-3), d,
                [("gamma", m.positive(7, 4)), ("beta", m.w(7, 4, scale=0.2))])
    g = m.layer("GlobalAveragePooling1D", km.c_global_pool("gap"), n)
    f = m.layer("Flatten", km.c_simple("flat", data_format="channels_last"), n)
    y1 = m.layer("Dense", km.c_dense("head", 6, activation="softmax"), f,
                 [("kernel", m.w(28, 6)), ("bias", m.w(6, scale=0.1))])
    y2 = m.layer("Reshape", km.c_simple("reshape", target_shape=[2, 2]), g)
    m.output(y1)
    m.output(y2)
    km.write_legacy_h5(path, m)


def strided_conv(path, rng):
    m = km.Model("selfcheck_conv", rng)
    x = m.input("sig", [11, 3])
    y = m.layer("Conv1D", km.c_conv("conv_valid_s2", 4, 3, rank=1, strides=2), x,
                [("kernel", m.w(3, 3, 4)), ("bias", m.w(4, scale=0.1))])
    y = m.layer("Conv1D", km.c_conv("conv_dil", 2, 2, rank=1, dilation=2, padding="same", activation="sigmoid"), y,
                [("kernel", m.w(2, 4, 2)), ("bias", m.w(2, scale=0.1))])
    m.output(y)
    km.write_legacy_h5(path, m)


def main(out):
    os.makedirs(out, exist_ok=True)
    for name, fn in (("selfcheck_encoder.h5", encoder_block), ("selfcheck_conv.h5", strided_conv)):
        p = os.path.join(out, name)
        fn(p, np.random.default_rng(sum(map(ord, name))))
        print(p)


if __name__ == "__main__":
    main(sys.argv[1])
