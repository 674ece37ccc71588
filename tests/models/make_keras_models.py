#!/usr/bin/python3
"""Writes small Keras models (and broken ones) for tflc's Keras frontend tests.

Every file is written by this script with h5py / zipfile, in exactly the layout Keras writes:
  * legacy full-model .h5 as tf.keras 2.x writes it (root attrs model_config / keras_version /
    backend, /model_weights/<layer> groups with weight_names, datasets <layer>/<weight>:0);
  * one legacy .h5 as Keras 3's legacy writer writes it (Keras 3 config dialect inside);
  * Keras 3 .keras zip archives (config.json, metadata.json, model.weights.h5 with
    layers/<snake_case class>/vars/N).
Configs use the JSON shape tf.keras 2.x writes (so tfjs-layers can load the tfjs-compatible ones,
see manifest.json). Weights come from a seeded numpy RNG: output is deterministic.

Usage: make_keras_models.py OUT_DIR [name ...]     (no names = all)
       make_keras_models.py --list
Run it with /usr/bin/python3 (needs h5py + numpy). Writes OUT_DIR/<name>.h5|.keras and
OUT_DIR/manifest.json ({name: {file, tfjs, range, expect, about}}), and prints one line per file.
  tfjs:   true when tfjs-layers 4.x computes the same function (usable as an e2e reference);
  range:  input range for random test inputs (Embedding needs valid indices);
  expect: "ok", or for broken models the text the error message must contain;
  reference (some models): a fixed input and the Keras output computed with numpy, for models
          tfjs-layers cannot check.
"""
import io
import json
import os
import sys
import zipfile

import h5py
import numpy as np

# ----------------------------------------------------------------------------------------------
# Keras 2 (tf.keras 2.8) layer configs


def _init(name, **cfg):
    return {"class_name": name, "config": cfg}


GLOROT = _init("GlorotUniform", seed=None)
ZEROS = _init("Zeros")
ONES = _init("Ones")


def _common(name, trainable=True):
    return {"name": name, "trainable": trainable, "dtype": "float32"}


def _dense_like(activation, use_bias):
    return {"activation": activation, "use_bias": use_bias, "kernel_initializer": GLOROT,
            "bias_initializer": ZEROS, "kernel_regularizer": None, "bias_regularizer": None,
            "activity_regularizer": None, "kernel_constraint": None, "bias_constraint": None}


def c_dense(name, units, activation="linear", use_bias=True):
    return dict(_common(name), units=units, **_dense_like(activation, use_bias))


def c_conv(name, filters, kernel, rank=2, strides=1, padding="valid", dilation=1, activation="linear",
           use_bias=True, groups=1, data_format="channels_last"):
    t = lambda v: [v] * rank if isinstance(v, int) else list(v)
    cfg = dict(_common(name), filters=filters, kernel_size=t(kernel), strides=t(strides), padding=padding,
               data_format=data_format, dilation_rate=t(dilation), groups=groups)
    cfg.update(_dense_like(activation, use_bias))
    return cfg


def c_conv_transpose(name, filters, kernel, strides=1, padding="valid", activation="linear", use_bias=True,
                     output_padding=None):
    cfg = c_conv(name, filters, kernel, 2, strides, padding, 1, activation, use_bias)
    cfg["output_padding"] = output_padding
    return cfg


def c_depthwise(name, kernel, strides=1, padding="valid", depth_multiplier=1, dilation=1, activation="linear",
                use_bias=True):
    return dict(_common(name), kernel_size=[kernel, kernel], strides=[strides, strides], padding=padding,
                data_format="channels_last", dilation_rate=[dilation, dilation], groups=1, activation=activation,
                use_bias=use_bias, bias_initializer=ZEROS, bias_regularizer=None, activity_regularizer=None,
                bias_constraint=None, depth_multiplier=depth_multiplier, depthwise_initializer=GLOROT,
                depthwise_regularizer=None, depthwise_constraint=None)


def c_separable(name, filters, kernel, strides=1, padding="valid", depth_multiplier=1, activation="linear",
                use_bias=True):
    return dict(_common(name), filters=filters, kernel_size=[kernel, kernel], strides=[strides, strides],
                padding=padding, data_format="channels_last", dilation_rate=[1, 1], groups=1,
                activation=activation, use_bias=use_bias, bias_initializer=ZEROS, bias_regularizer=None,
                activity_regularizer=None, bias_constraint=None, depth_multiplier=depth_multiplier,
                depthwise_initializer=GLOROT, pointwise_initializer=GLOROT, depthwise_regularizer=None,
                pointwise_regularizer=None, depthwise_constraint=None, pointwise_constraint=None)


def c_bn(name, axis=-1, epsilon=0.001, center=True, scale=True):
    return dict(_common(name), axis=axis, momentum=0.99, epsilon=epsilon, center=center, scale=scale,
                beta_initializer=ZEROS, gamma_initializer=ONES, moving_mean_initializer=ZEROS,
                moving_variance_initializer=ONES, beta_regularizer=None, gamma_regularizer=None,
                beta_constraint=None, gamma_constraint=None)


def c_pool(name, pool, strides=None, padding="valid", rank=2):
    t = lambda v: [v] * rank if isinstance(v, int) else list(v)
    return dict(_common(name), pool_size=t(pool), padding=padding, strides=t(strides if strides else pool),
                data_format="channels_last")


def c_global_pool(name, keepdims=False):
    return dict(_common(name), data_format="channels_last", keepdims=keepdims)


def c_simple(name, **extra):
    return dict(_common(name), **extra)


def c_lstm(name, units, return_sequences=False, activation="tanh", recurrent_activation="sigmoid",
           use_bias=True, go_backwards=False, stateful=False):
    return dict(_common(name), return_sequences=return_sequences, return_state=False, go_backwards=go_backwards,
                stateful=stateful, unroll=False, time_major=False, units=units, activation=activation,
                recurrent_activation=recurrent_activation, use_bias=use_bias, kernel_initializer=GLOROT,
                recurrent_initializer=_init("Orthogonal", gain=1.0, seed=None), bias_initializer=ZEROS,
                unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                activity_regularizer=None, kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                dropout=0.0, recurrent_dropout=0.0, implementation=2)


def c_gru(name, units, return_sequences=False, reset_after=True, activation="tanh",
          recurrent_activation="sigmoid", use_bias=True, go_backwards=False):
    cfg = c_lstm(name, units, return_sequences, activation, recurrent_activation, use_bias, go_backwards)
    del cfg["unit_forget_bias"]
    cfg["reset_after"] = reset_after
    return cfg


# ----------------------------------------------------------------------------------------------
# Model building (Keras 2 functional wiring)


class Model:
    """A Keras 2 model being built: layers in call order, weights per layer."""

    def __init__(self, name, rng, cls="Functional"):
        self.name, self.rng, self.cls = name, rng, cls
        self.layers = []      # config entries
        self.by_name = {}
        self.weights = {}     # layer name -> [(weight name, array)] in Keras weight order
        self.inputs, self.outputs = [], []

    def input(self, name, shape, dtype="float32"):
        entry = {"class_name": "InputLayer", "config": {"batch_input_shape": [None] + list(shape), "dtype": dtype,
                 "sparse": False, "ragged": False, "name": name}, "name": name, "inbound_nodes": []}
        self._add(entry)
        self.inputs.append([name, 0, 0])
        return (name, 0, 0)

    def _add(self, entry):
        self.layers.append(entry)
        self.by_name[entry["name"]] = entry

    def layer(self, class_name, cfg, inputs, weights=()):
        """Adds a layer and calls it on `inputs` (one ref or a list); returns its output ref."""
        name = cfg["name"]
        entry = {"class_name": class_name, "config": cfg, "name": name, "inbound_nodes": []}
        self._add(entry)
        self.weights[name] = [(f"{name}/{w}:0" if ":" not in w else w, a.astype(np.float32)) for w, a in weights]
        return self.call(name, inputs)

    def call(self, name, inputs):
        """Calls an existing layer again (a shared layer): a new inbound node."""
        entry = self.by_name[name]
        refs = inputs if isinstance(inputs, list) else [inputs]
        entry["inbound_nodes"].append([[r[0], r[1], r[2], {}] for r in refs])
        return (name, len(entry["inbound_nodes"]) - 1, 0)

    def nested(self, inner, inputs):
        """Uses a built inner Model as a layer; its weights live in one group named after it.

        Keras 2 gives a built model its own node 0 (its input → output graph) and leaves it out of
        the config, so the outer model's references to the first call say node 1.
        """
        entry = {"class_name": inner.cls, "config": inner.config()["config"], "name": inner.name,
                 "inbound_nodes": []}
        self._add(entry)
        # A model's weight list: every trainable weight of its layers, then every non-trainable one.
        trainable, non_trainable = [], []
        for l in inner.layers:
            for wn, a in inner.weights.get(l["name"], []):
                (non_trainable if "moving_" in wn else trainable).append((wn, a))
        self.weights[inner.name] = trainable + non_trainable
        name, node, index = self.call(inner.name, inputs)
        return (name, node + 1, index)

    def call_nested(self, name, inputs):
        """Calls a nested model again (its config node numbers start at 1, see nested())."""
        n, node, index = self.call(name, inputs)
        return (n, node + 1, index)

    def output(self, ref):
        self.outputs.append([ref[0], ref[1], ref[2]])

    def config(self):
        if self.cls == "Sequential":
            layers = []
            for e in self.layers:
                layers.append({"class_name": e["class_name"], "config": e["config"]})
            return {"class_name": "Sequential", "config": {"name": self.name, "layers": layers}}
        return {"class_name": self.cls, "config": {"name": self.name, "layers": self.layers,
                                                   "input_layers": self.inputs, "output_layers": self.outputs}}

    # weight helpers
    def w(self, *shape, scale=0.3):
        return self.rng.normal(0.0, scale, shape)

    def positive(self, *shape):
        return self.rng.uniform(0.5, 1.5, shape)


def seq(name, rng):
    """A Sequential model: call seq.layer(class, cfg, prev) in order (the first gets batch_input_shape)."""
    return Model(name, rng, "Sequential")


# ----------------------------------------------------------------------------------------------
# Writers


def write_legacy_h5(path, model, keras_version="2.8.0", vlen=False, split_layer_names=False, config=None):
    config = config if config is not None else model.config()
    with h5py.File(path, "w") as f:
        f.attrs["keras_version"] = keras_version
        f.attrs["backend"] = "tensorflow"
        f.attrs["model_config"] = json.dumps(config).encode("utf8")
        g = f.create_group("model_weights")
        names = [e["name"] for e in model.layers]
        if model.cls == "Sequential" and model.layers and model.layers[0]["class_name"] == "InputLayer":
            names = names[1:]  # a Sequential's model.layers does not include its InputLayer
        if split_layer_names:
            half = (len(names) + 1) // 2
            g.attrs["layer_names0"] = np.array([n.encode() for n in names[:half]])
            g.attrs["layer_names1"] = np.array([n.encode() for n in names[half:]])
        elif vlen:
            g.attrs.create("layer_names", names, dtype=h5py.string_dtype("utf-8"))
        else:
            g.attrs["layer_names"] = np.array([n.encode() for n in names])
        g.attrs["backend"] = b"tensorflow"
        g.attrs["keras_version"] = keras_version.encode()
        for n in names:
            lg = g.create_group(n)
            ws = model.weights.get(n, [])
            if vlen:
                lg.attrs.create("weight_names", [wn for wn, _ in ws], dtype=h5py.string_dtype("utf-8"))
            else:
                lg.attrs["weight_names"] = np.array([wn.encode() for wn, _ in ws], dtype="S")
            for wn, a in ws:
                lg.create_dataset(wn, data=a)


def snake(name):
    import re
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def _write_container(parent, layers):
    used = {}
    lg = parent.create_group("layers")
    for item in layers:
        lname, cls, arrays, cell = item[:4]
        inner = item[4] if len(item) > 4 else None
        key = snake(cls)
        if key in used:
            used[key] += 1
            key = f"{key}_{used[key]}"
        else:
            used[key] = 0
        g = lg.create_group(key)
        v = g.create_group("vars")
        v.attrs["name"] = lname
        target = v
        if cell:
            c = g.create_group("cell")
            target = c.create_group("vars")
            target.attrs["name"] = f"{snake(cls)}_cell"
        for i, a in enumerate(arrays):
            target.create_dataset(str(i), data=a.astype(np.float32))
        if inner is not None:  # a nested model: its own layers/ group
            _write_container(g, inner)


def write_keras_zip(path, config, layers, model_name, keras_version="3.8.0"):
    """layers: [(layer name, class name, [arrays], cell[, nested layers])] in model.layers order;
    cell = True puts the arrays under <key>/cell/vars (RNN layers); a nested model's layers go
    under <key>/layers/."""
    buf = io.BytesIO()
    with h5py.File(buf, "w") as f:
        _write_container(f, layers)
        f.create_group("vars").attrs["name"] = model_name
    meta = {"keras_version": keras_version, "date_saved": "2025-01-01@00:00:00"}
    with zipfile.ZipFile(path, "w") as z:
        for member, data, comp in [("metadata.json", json.dumps(meta).encode(), zipfile.ZIP_DEFLATED),
                                   ("config.json", json.dumps(config).encode(), zipfile.ZIP_DEFLATED),
                                   ("model.weights.h5", buf.getvalue(), zipfile.ZIP_STORED)]:
            info = zipfile.ZipInfo(member, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = comp
            z.writestr(info, data)


# ----------------------------------------------------------------------------------------------
# The models. Each returns (description, writer(path)).

MODELS = {}


def model(name, ext=".h5", tfjs=True, rng_range=(-1.0, 1.0), expect="ok", args=()):
    """args: extra `tflc convert` arguments (e.g. --input_shapes for an unknown time axis)."""
    def deco(fn):
        MODELS[name] = dict(fn=fn, ext=ext, tfjs=tfjs, range=list(rng_range), expect=expect, args=list(args))
        return fn
    return deco


@model("conv2d")
def m_conv2d(path, rng):
    m = Model("conv2d_model", rng)
    x = m.input("image", [12, 12, 3])
    y = m.layer("Conv2D", c_conv("conv_same_relu", 8, 3, padding="same", activation="relu"), x,
                [("kernel", m.w(3, 3, 3, 8)), ("bias", m.w(8, scale=0.1))])
    y = m.layer("Conv2D", c_conv("conv_stride2_nobias", 6, [3, 2], strides=2, use_bias=False), y,
                [("kernel", m.w(3, 2, 8, 6))])
    y = m.layer("Conv2D", c_conv("conv_dilated", 4, 2, padding="same", dilation=2, activation="tanh"), y,
                [("kernel", m.w(2, 2, 6, 4)), ("bias", m.w(4, scale=0.1))])
    m.output(y)
    write_legacy_h5(path, m)
    return "Conv2D same/relu, strided valid without bias, dilated same/tanh"


@model("depthwise_conv2d")
def m_depthwise(path, rng):
    m = Model("depthwise_model", rng)
    x = m.input("image", [10, 10, 3])
    y = m.layer("DepthwiseConv2D", c_depthwise("dw_mult2", 3, padding="same", depth_multiplier=2, activation="relu6"),
                x, [("depthwise_kernel", m.w(3, 3, 3, 2)), ("bias", m.w(6, scale=0.1))])
    y = m.layer("DepthwiseConv2D", c_depthwise("dw_stride2", 3, strides=2, use_bias=False), y,
                [("depthwise_kernel", m.w(3, 3, 6, 1))])
    m.output(y)
    write_legacy_h5(path, m)
    return "DepthwiseConv2D (depth_multiplier 2, relu6; strided without bias)"


@model("separable_conv2d")
def m_separable(path, rng):
    m = Model("separable_model", rng)
    x = m.input("image", [9, 9, 4])
    y = m.layer("SeparableConv2D", c_separable("sep", 5, 3, padding="same", activation="relu"), x,
                [("depthwise_kernel", m.w(3, 3, 4, 1)), ("pointwise_kernel", m.w(1, 1, 4, 5)),
                 ("bias", m.w(5, scale=0.1))])
    y = m.layer("SeparableConv2D", c_separable("sep_mult2", 3, 3, strides=2, depth_multiplier=2), y,
                [("depthwise_kernel", m.w(3, 3, 5, 2)), ("pointwise_kernel", m.w(1, 1, 10, 3)),
                 ("bias", m.w(3, scale=0.1))])
    m.output(y)
    write_legacy_h5(path, m)
    return "SeparableConv2D (same/relu; strided with depth_multiplier 2)"


# tfjs-layers ignores Conv2DTranspose's output_padding (its output width comes out 22 where Keras'
# deconv_output_length gives (11-1)*2 + 3 - 2*1 + 0 = 21), so the numpy reference is the oracle here.
@model("conv2d_transpose", tfjs=False)
def m_conv_transpose(path, rng):
    m = Model("conv_transpose_model", rng)
    x = m.input("code", [5, 5, 4])
    y = m.layer("Conv2DTranspose", c_conv_transpose("up_same", 6, 3, strides=2, padding="same", activation="relu"), x,
                [("kernel", m.w(3, 3, 6, 4)), ("bias", m.w(6, scale=0.1))])
    y = m.layer("Conv2DTranspose", c_conv_transpose("up_valid", 3, [3, 2], strides=[2, 1], padding="valid"), y,
                [("kernel", m.w(3, 2, 3, 6)), ("bias", m.w(3, scale=0.1))])
    y = m.layer("Conv2DTranspose", c_conv_transpose("up_outpad", 2, 3, strides=2, padding="same",
                                                    output_padding=[1, 0], use_bias=False), y,
                [("kernel", m.w(3, 3, 2, 3))])
    m.output(y)
    write_legacy_h5(path, m)
    return "Conv2DTranspose (same, valid with unequal strides, output_padding)"


@model("conv1d")
def m_conv1d(path, rng):
    m = Model("conv1d_model", rng)
    x = m.input("signal", [20, 4])
    y = m.layer("Conv1D", c_conv("conv1d_same", 6, 3, rank=1, padding="same", activation="relu"), x,
                [("kernel", m.w(3, 4, 6)), ("bias", m.w(6, scale=0.1))])
    y = m.layer("Conv1D", c_conv("conv1d_dilated", 5, 3, rank=1, padding="same", dilation=2), y,
                [("kernel", m.w(3, 6, 5)), ("bias", m.w(5, scale=0.1))])
    y = m.layer("Conv1D", c_conv("conv1d_stride", 3, 2, rank=1, strides=2, use_bias=False), y,
                [("kernel", m.w(2, 5, 3))])
    m.output(y)
    write_legacy_h5(path, m)
    return "Conv1D (same/relu, dilated, strided valid without bias)"


@model("conv1d_causal", tfjs=False)
def m_conv1d_causal(path, rng):
    m = Model("conv1d_causal_model", rng)
    x = m.input("signal", [12, 3])
    y = m.layer("Conv1D", c_conv("conv1d_causal", 4, 3, rank=1, padding="causal", dilation=2), x,
                [("kernel", m.w(3, 3, 4)), ("bias", m.w(4, scale=0.1))])
    m.output(y)
    write_legacy_h5(path, m)
    return "Conv1D with causal padding and dilation 2 (not in tfjs-layers)"


@model("pooling1d")
def m_pool1d(path, rng):
    m = Model("pool1d_model", rng)
    x = m.input("signal", [17, 3])
    y = m.layer("MaxPooling1D", c_pool("max_pool1d", 2, rank=1), x)
    y = m.layer("AveragePooling1D", c_pool("avg_pool1d", 3, strides=1, padding="same", rank=1), y)
    m.output(y)
    write_legacy_h5(path, m)
    return "MaxPooling1D, AveragePooling1D (same, stride 1)"


@model("pooling2d")
def m_pool2d(path, rng):
    m = Model("pool2d_model", rng)
    x = m.input("image", [11, 11, 3])
    y = m.layer("MaxPooling2D", c_pool("max_pool", 2), x)
    y = m.layer("AveragePooling2D", c_pool("avg_pool_same", 3, strides=2, padding="same"), y)
    y = m.layer("MaxPooling2D", c_pool("max_pool_s1", 2, strides=1, padding="same"), y)
    m.output(y)
    write_legacy_h5(path, m)
    return "MaxPooling2D / AveragePooling2D (valid, same, stride 1)"


@model("global_pooling")
def m_global(path, rng):
    m = Model("global_pool_model", rng)
    img = m.input("image", [6, 5, 4])
    seqin = m.input("sequence", [7, 3])
    a = m.layer("GlobalAveragePooling2D", c_global_pool("gap2d"), img)
    b = m.layer("GlobalMaxPooling2D", c_global_pool("gmp2d"), img)
    c = m.layer("GlobalAveragePooling1D", c_global_pool("gap1d"), seqin)
    d = m.layer("GlobalMaxPooling1D", c_global_pool("gmp1d"), seqin)
    y = m.layer("Concatenate", c_simple("concat", axis=-1), [a, b, c, d])
    m.output(y)
    write_legacy_h5(path, m)
    return "GlobalAverage/MaxPooling1D/2D, two inputs, Concatenate"


@model("global_pooling_keepdims", tfjs=False)
def m_global_keep(path, rng):
    m = Model("global_pool_keepdims_model", rng)
    img = m.input("image", [6, 5, 4])
    a = m.layer("GlobalAveragePooling2D", c_global_pool("gap2d_keep", keepdims=True), img)
    b = m.layer("GlobalMaxPooling2D", c_global_pool("gmp2d_keep", keepdims=True), img)
    y = m.layer("Add", c_simple("add"), [a, b])
    m.output(y)
    write_legacy_h5(path, m)
    return "GlobalAverage/MaxPooling2D with keepdims=True (tfjs-layers ignores keepdims)"


@model("batchnorm_conv")
def m_bn_conv(path, rng):
    m = Model("bn_conv_model", rng)
    x = m.input("image", [8, 8, 3])
    y = m.layer("Conv2D", c_conv("conv", 6, 3, padding="same"), x, [("kernel", m.w(3, 3, 3, 6)), ("bias", m.w(6))])
    y = m.layer("BatchNormalization", c_bn("bn", axis=[3]), y,
                [("gamma", m.positive(6)), ("beta", m.w(6)), ("moving_mean", m.w(6)), ("moving_variance", m.positive(6))])
    y = m.layer("ReLU", c_simple("relu", max_value=None, negative_slope=0.0, threshold=0.0), y)
    y = m.layer("BatchNormalization", c_bn("bn_plain", center=False, scale=False, epsilon=1e-5), y,
                [("moving_mean", m.w(6)), ("moving_variance", m.positive(6))])
    m.output(y)
    write_legacy_h5(path, m)
    return "Conv2D + BatchNormalization (fused) + ReLU + BatchNormalization(center=False, scale=False)"


@model("batchnorm_standalone")
def m_bn_standalone(path, rng):
    m = Model("bn_standalone_model", rng)
    v = m.input("features", [10])
    a = m.layer("BatchNormalization", c_bn("bn_dense"), v,
                [("gamma", m.positive(10)), ("beta", m.w(10)), ("moving_mean", m.w(10)), ("moving_variance", m.positive(10))])
    a = m.layer("Dense", c_dense("dense", 3), a, [("kernel", m.w(10, 3)), ("bias", m.w(3))])
    m.output(a)
    write_legacy_h5(path, m)
    return "BatchNormalization on a rank-2 input (Mul + AddV2) + Dense"


@model("batchnorm_axis1", tfjs=False)
def m_bn_axis1(path, rng):
    m = Model("bn_axis1_model", rng)
    s = m.input("sequence", [5, 4])
    b = m.layer("BatchNormalization", c_bn("bn_seq_axis1", axis=1, center=False), s,
                [("gamma", m.positive(5)), ("moving_mean", m.w(5)), ("moving_variance", m.positive(5))])
    m.output(b)
    write_legacy_h5(path, m)
    return "BatchNormalization on axis 1 of a rank-3 input, center=False (tfjs-layers normalizes the last axis)"


ACTIVATIONS_TFJS = ["linear", "relu", "relu6", "sigmoid", "tanh", "elu", "selu", "softplus", "softsign", "swish",
                    "hard_sigmoid", "gelu", "softmax"]


@model("dense_activations")
def m_dense_acts(path, rng):
    m = Model("dense_activations_model", rng)
    y = m.input("features", [12])
    width = 12
    for act in ACTIVATIONS_TFJS:
        y = m.layer("Dense", c_dense(f"dense_{act}", 8, activation=act), y,
                    [("kernel", m.w(width, 8)), ("bias", m.w(8, scale=0.1))])
        width = 8
    m.output(y)
    write_legacy_h5(path, m)
    return "Dense with every activation tfjs-layers knows: " + ", ".join(ACTIVATIONS_TFJS)


@model("activations_extra", tfjs=False)
def m_acts_extra(path, rng):
    m = Model("activations_extra_model", rng)
    x = m.input("features", [6])
    y = m.layer("Dense", c_dense("dense_exponential", 6, activation="exponential"), x,
                [("kernel", m.w(6, 6, scale=0.1)), ("bias", m.w(6, scale=0.1))])
    y = m.layer("Activation", c_simple("act_silu", activation="silu"), y)
    y = m.layer("Activation", c_simple("act_mish", activation="mish"), y)
    y = m.layer("Activation", c_simple("act_log_softmax", activation="log_softmax"), y)
    m.output(y)
    write_legacy_h5(path, m)
    return "exponential, silu, mish, log_softmax (not in tfjs-layers)"


@model("activation_layers")
def m_act_layers(path, rng):
    m = Model("activation_layers_model", rng)
    x = m.input("features", [4, 6])
    y = m.layer("Activation", c_simple("act_relu", activation="relu"), x)
    y2 = m.layer("LeakyReLU", c_simple("leaky", alpha=0.2), x)
    y3 = m.layer("LeakyReLU", c_simple("leaky_default", alpha=0.30000001192092896), x)
    y4 = m.layer("ELU", c_simple("elu_1", alpha=1.0), x)
    y6 = m.layer("ThresholdedReLU", c_simple("thresholded", theta=0.25), x)
    y7 = m.layer("Softmax", c_simple("softmax_last", axis=-1), x)
    y9 = m.layer("ReLU", c_simple("relu6_layer", max_value=6.0, negative_slope=0.0, threshold=0.0), x)
    y10 = m.layer("ReLU", c_simple("relu_clip", max_value=0.5, negative_slope=0.0, threshold=0.0), x)
    y = m.layer("Concatenate", c_simple("concat", axis=-1), [y, y2, y3, y4, y6, y7, y9, y10])
    m.output(y)
    write_legacy_h5(path, m)
    return "Activation, LeakyReLU, ELU, ThresholdedReLU, Softmax, ReLU(max_value)"


@model("softmax_axis", tfjs=False)
def m_softmax_axis(path, rng):
    m = Model("softmax_axis_model", rng)
    x = m.input("features", [4, 6])
    m.output(m.layer("Softmax", c_simple("softmax_axis1", axis=1), x))
    write_legacy_h5(path, m)
    return "Softmax over axis 1 of a rank-3 input (tfjs-layers only supports the last axis)"


@model("relu_general", tfjs=False)
def m_relu_general(path, rng):
    m = Model("relu_general_model", rng)
    x = m.input("features", [9])
    outs = []
    for name, mv, ns, th in [("relu_slope", None, 0.1, 0.0), ("relu_threshold", None, 0.0, 0.5),
                             ("relu6_slope", 6.0, 0.1, 0.0), ("relu_all", 2.5, 0.2, 0.3)]:
        outs.append(m.layer("ReLU", c_simple(name, max_value=mv, negative_slope=ns, threshold=th), x))
    outs.append(m.layer("ELU", c_simple("elu_half", alpha=0.5), x))
    y = m.layer("Concatenate", c_simple("concat", axis=-1), outs)
    m.output(y)
    write_legacy_h5(path, m)
    return "ReLU with negative_slope / threshold / max_value, ELU(alpha=0.5) (tfjs-layers supports neither)"


@model("prelu")
def m_prelu(path, rng):
    m = Model("prelu_model", rng)
    img = m.input("image", [5, 4, 3])
    vec = m.input("features", [7])
    a = m.layer("PReLU", c_simple("prelu_shared", alpha_initializer=ZEROS, alpha_regularizer=None,
                                  alpha_constraint=None, shared_axes=[1, 2]), img, [("alpha", m.w(1, 1, 3))])
    b = m.layer("PReLU", c_simple("prelu_full", alpha_initializer=ZEROS, alpha_regularizer=None,
                                  alpha_constraint=None, shared_axes=None), vec, [("alpha", m.w(7))])
    m.output(a)
    m.output(b)
    write_legacy_h5(path, m)
    return "PReLU with shared_axes [1, 2] on an image and per-element on a vector; two inputs, two outputs"


@model("merge")
def m_merge(path, rng):
    m = Model("merge_model", rng)
    a = m.input("a", [6])
    b = m.input("b", [6])
    c = m.input("c", [6])
    outs = [m.layer("Add", c_simple("add"), [a, b, c]),
            m.layer("Multiply", c_simple("multiply"), [a, b]),
            m.layer("Average", c_simple("average"), [a, b, c]),
            m.layer("Maximum", c_simple("maximum"), [a, b]),
            m.layer("Minimum", c_simple("minimum"), [b, c])]
    y = m.layer("Concatenate", c_simple("concat", axis=1), outs)
    m.output(y)
    write_legacy_h5(path, m)
    return "Add (3 inputs), Multiply, Average, Maximum, Minimum, Concatenate"


@model("subtract", tfjs=False)
def m_subtract(path, rng):
    m = Model("subtract_model", rng)
    a = m.input("a", [4, 3])
    b = m.input("b", [4, 3])
    m.output(m.layer("Subtract", c_simple("subtract"), [a, b]))
    write_legacy_h5(path, m)
    return "Subtract (not in tfjs-layers)"


@model("concatenate")
def m_concat(path, rng):
    m = Model("concat_model", rng)
    a = m.input("a", [4, 5, 2])
    b = m.input("b", [4, 5, 3])
    c = m.input("c", [4, 2, 3])
    y1 = m.layer("Concatenate", c_simple("concat_last", axis=-1), [a, b])
    y2 = m.layer("Concatenate", c_simple("concat_axis2", axis=2), [b, c])
    m.output(y1)
    m.output(y2)
    write_legacy_h5(path, m)
    return "Concatenate on the last axis and axis 2; three inputs, two outputs"


@model("concatenate_negative_axis", tfjs=False)
def m_concat_neg(path, rng):
    m = Model("concat_neg_model", rng)
    a = m.input("a", [4, 5, 2])
    b = m.input("b", [3, 5, 2])
    m.output(m.layer("Concatenate", c_simple("concat_neg3", axis=-3), [a, b]))
    write_legacy_h5(path, m)
    return "Concatenate on axis -3 (tfjs-layers gets negative axes other than -1 wrong)"


@model("padding_cropping")
def m_pad_crop(path, rng):
    m = Model("pad_crop_model", rng)
    x = m.input("image", [6, 7, 2])
    y = m.layer("ZeroPadding2D", c_simple("pad", padding=[[1, 2], [3, 0]], data_format="channels_last"), x)
    y = m.layer("Cropping2D", c_simple("crop", cropping=[[1, 0], [2, 1]], data_format="channels_last"), y)
    y = m.layer("ZeroPadding2D", c_simple("pad_sym", padding=[1, 1], data_format="channels_last"), y)
    m.output(y)
    write_legacy_h5(path, m)
    return "ZeroPadding2D (asymmetric, symmetric), Cropping2D"


@model("padding_cropping_1d", tfjs=False)
def m_pad_crop_1d(path, rng):
    m = Model("pad_crop_1d_model", rng)
    x = m.input("signal", [9, 3])
    y = m.layer("ZeroPadding1D", c_simple("pad1d", padding=[2, 1]), x)
    y = m.layer("Cropping1D", c_simple("crop1d", cropping=[1, 3]), y)
    m.output(y)
    write_legacy_h5(path, m)
    return "ZeroPadding1D, Cropping1D (not in tfjs-layers)"


@model("upsampling2d")
def m_up2d(path, rng):
    m = Model("upsampling2d_model", rng)
    x = m.input("image", [4, 3, 2])
    y = m.layer("UpSampling2D", c_simple("up_nearest", size=[2, 3], data_format="channels_last",
                                         interpolation="nearest"), x)
    m.output(y)
    write_legacy_h5(path, m)
    return "UpSampling2D nearest (2, 3)"


@model("upsampling2d_bilinear", tfjs=False)
def m_up2d_bilinear(path, rng):
    m = Model("upsampling2d_bilinear_model", rng)
    x = m.input("image", [4, 3, 2])
    y = m.layer("UpSampling2D", c_simple("up_bilinear", size=[2, 2], data_format="channels_last",
                                         interpolation="bilinear"), x)
    m.output(y)
    write_legacy_h5(path, m)
    return "UpSampling2D bilinear (TF uses half-pixel centers, tfjs-layers does not)"


@model("upsampling1d", tfjs=False)
def m_up1d(path, rng):
    m = Model("upsampling1d_model", rng)
    x = m.input("signal", [5, 3])
    m.output(m.layer("UpSampling1D", c_simple("up1d", size=3), x))
    write_legacy_h5(path, m)
    return "UpSampling1D size 3 (not in tfjs-layers)"


@model("embedding", rng_range=(0, 20))
def m_embedding(path, rng):
    m = Model("embedding_model", rng)
    x = m.input("tokens", [6])
    y = m.layer("Embedding", c_simple("embedding", input_dim=20, output_dim=4,
                                      embeddings_initializer=_init("RandomUniform", minval=-0.05, maxval=0.05, seed=None),
                                      embeddings_regularizer=None, activity_regularizer=None,
                                      embeddings_constraint=None, mask_zero=False, input_length=6), x,
                [("embeddings", m.w(20, 4))])
    y = m.layer("Flatten", c_simple("flatten", data_format="channels_last"), y)
    y = m.layer("Dense", c_dense("dense", 2, activation="softmax"), y, [("kernel", m.w(24, 2)), ("bias", m.w(2))])
    m.output(y)
    write_legacy_h5(path, m)
    return "Embedding (float token ids cast to int32, use inputs in [0, 20)) + Flatten + Dense"


@model("rescaling", rng_range=(0, 255))
def m_rescaling(path, rng):
    m = Model("rescaling_model", rng)
    x = m.input("image", [4, 4, 3])
    y = m.layer("Rescaling", c_simple("rescaling", scale=1.0 / 127.5, offset=-1.0), x)
    y = m.layer("Conv2D", c_conv("conv", 2, 1), y, [("kernel", m.w(1, 1, 3, 2)), ("bias", m.w(2))])
    m.output(y)
    write_legacy_h5(path, m)
    return "Rescaling(1/127.5, offset -1) + Conv2D"


@model("reshape_permute_flatten")
def m_reshape(path, rng):
    m = Model("reshape_model", rng)
    x = m.input("features", [4, 6])
    y = m.layer("Reshape", c_simple("reshape_infer", target_shape=[3, -1]), x)
    y = m.layer("Permute", c_simple("permute", dims=[2, 1]), y)
    y = m.layer("Reshape", c_simple("reshape_3d", target_shape=[2, 4, 3]), y)
    y = m.layer("Flatten", c_simple("flatten", data_format="channels_last"), y)
    y = m.layer("Dense", c_dense("dense", 5), y, [("kernel", m.w(24, 5)), ("bias", m.w(5))])
    z = m.layer("Dense", c_dense("dense_3d", 3, activation="relu"), x, [("kernel", m.w(6, 3)), ("bias", m.w(3))])
    z = m.layer("RepeatVector", c_simple("repeat", n=2), m.layer("Flatten", c_simple("flatten_1", data_format="channels_last"), z))
    m.output(y)
    m.output(z)
    write_legacy_h5(path, m)
    return "Reshape (-1), Permute, Flatten, Dense on rank 3 (Tensordot), RepeatVector"


@model("lstm")
def m_lstm(path, rng):
    m = Model("lstm_model", rng)
    x = m.input("sequence", [8, 3])
    y = m.layer("LSTM", c_lstm("lstm", 6, return_sequences=True), x,
                [("lstm/lstm_cell/kernel:0", m.w(3, 24)), ("lstm/lstm_cell/recurrent_kernel:0", m.w(6, 24)),
                 ("lstm/lstm_cell/bias:0", m.w(24, scale=0.1))])
    y = m.layer("LSTM", c_lstm("lstm_1", 4, go_backwards=True), y,
                [("lstm_1/lstm_cell_1/kernel:0", m.w(6, 16)), ("lstm_1/lstm_cell_1/recurrent_kernel:0", m.w(4, 16)),
                 ("lstm_1/lstm_cell_1/bias:0", m.w(16, scale=0.1))])
    y = m.layer("Dense", c_dense("dense", 2), y, [("kernel", m.w(4, 2)), ("bias", m.w(2))])
    m.output(y)
    write_legacy_h5(path, m)
    return "LSTM (return_sequences) + LSTM (go_backwards) + Dense"


@model("gru")
def m_gru(path, rng):
    m = Model("gru_model", rng)
    x = m.input("sequence", [7, 3])
    y = m.layer("GRU", c_gru("gru", 5, return_sequences=True, reset_after=False), x,
                [("gru/gru_cell/kernel:0", m.w(3, 15)), ("gru/gru_cell/recurrent_kernel:0", m.w(5, 15)),
                 ("gru/gru_cell/bias:0", m.w(15, scale=0.1))])
    y = m.layer("GRU", c_gru("gru_1", 4, reset_after=False, use_bias=False), y,
                [("gru_1/gru_cell_1/kernel:0", m.w(5, 12)), ("gru_1/gru_cell_1/recurrent_kernel:0", m.w(4, 12))])
    m.output(y)
    write_legacy_h5(path, m)
    return "GRU reset_after=False (return_sequences; without bias)"


@model("gru_reset_after", tfjs=False)
def m_gru_ra(path, rng):
    m = Model("gru_reset_after_model", rng)
    x = m.input("sequence", [6, 4])
    y = m.layer("GRU", c_gru("gru", 3, reset_after=True), x,
                [("gru/gru_cell/kernel:0", m.w(4, 9)), ("gru/gru_cell/recurrent_kernel:0", m.w(3, 9)),
                 ("gru/gru_cell/bias:0", m.w(2, 9, scale=0.1))])
    m.output(y)
    write_legacy_h5(path, m)
    return "GRU reset_after=True, bias [2, 3u] (tfjs-layers lacks reset_after)"


@model("nested_model")
def m_nested(path, rng):
    inner = seq("inner_block", rng)
    inner.layers.append({"class_name": "InputLayer", "config": {"batch_input_shape": [None, 6], "dtype": "float32",
                         "sparse": False, "ragged": False, "name": "inner_input"}, "name": "inner_input"})
    inner.weights["inner_dense_a"] = [("inner_dense_a/kernel:0", inner.w(6, 5).astype(np.float32)),
                                      ("inner_dense_a/bias:0", inner.w(5).astype(np.float32))]
    inner.weights["inner_bn"] = [("inner_bn/gamma:0", inner.positive(5).astype(np.float32)),
                                 ("inner_bn/beta:0", inner.w(5).astype(np.float32)),
                                 ("inner_bn/moving_mean:0", inner.w(5).astype(np.float32)),
                                 ("inner_bn/moving_variance:0", inner.positive(5).astype(np.float32))]
    inner.weights["inner_dense_b"] = [("inner_dense_b/kernel:0", inner.w(5, 4).astype(np.float32)),
                                      ("inner_dense_b/bias:0", inner.w(4).astype(np.float32))]
    for cls, cfg in [("Dense", c_dense("inner_dense_a", 5, activation="relu")), ("BatchNormalization", c_bn("inner_bn")),
                     ("Dense", c_dense("inner_dense_b", 4))]:
        inner.layers.append({"class_name": cls, "config": cfg, "name": cfg["name"]})
    m = Model("outer_model", rng)
    x = m.input("features", [3])
    y = m.layer("Dense", c_dense("outer_dense", 6, activation="tanh"), x, [("kernel", m.w(3, 6)), ("bias", m.w(6))])
    y = m.nested(inner, y)
    y = m.layer("Dense", c_dense("head", 2, activation="softmax"), y, [("kernel", m.w(4, 2)), ("bias", m.w(2))])
    m.output(y)
    write_legacy_h5(path, m)
    return "Functional model using a Sequential (Dense, BatchNormalization, Dense) as a layer"


@model("shared_layer")
def m_shared(path, rng):
    m = Model("shared_model", rng)
    a = m.input("left", [5])
    b = m.input("right", [5])
    ya = m.layer("Dense", c_dense("shared_dense", 4, activation="relu"), a, [("kernel", m.w(5, 4)), ("bias", m.w(4))])
    yb = m.call("shared_dense", b)
    y = m.layer("Concatenate", c_simple("concat", axis=-1), [ya, yb])
    y = m.layer("Dense", c_dense("head", 1, activation="sigmoid"), y, [("kernel", m.w(8, 1)), ("bias", m.w(1))])
    m.output(y)
    write_legacy_h5(path, m)
    return "one Dense called on two inputs (two nodes, one set of weights)"


@model("multi_io")
def m_multi_io(path, rng):
    m = Model("multi_io_model", rng)
    img = m.input("image", [8, 8, 2])
    meta = m.input("meta", [5])
    a = m.layer("Conv2D", c_conv("conv", 4, 3, strides=2, activation="relu"), img,
                [("kernel", m.w(3, 3, 2, 4)), ("bias", m.w(4))])
    a = m.layer("Flatten", c_simple("flatten", data_format="channels_last"), a)
    b = m.layer("Dense", c_dense("meta_dense", 6, activation="relu"), meta, [("kernel", m.w(5, 6)), ("bias", m.w(6))])
    y = m.layer("Concatenate", c_simple("concat", axis=-1), [a, b])
    y = m.layer("Dropout", c_simple("dropout", rate=0.5, noise_shape=None, seed=None), y)
    c = m.layer("Dense", c_dense("class_out", 3, activation="softmax"), y, [("kernel", m.w(42, 3)), ("bias", m.w(3))])
    r = m.layer("Dense", c_dense("reg_out", 1), y, [("kernel", m.w(42, 1)), ("bias", m.w(1))])
    m.output(c)
    m.output(r)
    write_legacy_h5(path, m)
    return "two inputs (image, meta), two outputs (class_out softmax, reg_out linear)"


@model("noise_layers", tfjs=False)
def m_noise(path, rng):
    m = Model("noise_model", rng)
    x = m.input("image", [4, 4, 3])
    y = m.layer("SpatialDropout2D", c_simple("sdrop2d", rate=0.2, noise_shape=None, seed=None), x)
    y = m.layer("GaussianNoise", c_simple("gnoise", stddev=0.1), y)
    y = m.layer("GaussianDropout", c_simple("gdrop", rate=0.1), y)
    y = m.layer("AlphaDropout", c_simple("adrop", rate=0.1, noise_shape=None, seed=None), y)
    y = m.layer("ActivityRegularization", c_simple("actreg", l1=0.01, l2=0.0), y)
    y = m.layer("Conv2D", c_conv("conv", 2, 1), y, [("kernel", m.w(1, 1, 3, 2)), ("bias", m.w(2))])
    m.output(y)
    write_legacy_h5(path, m)
    return "SpatialDropout2D, GaussianNoise, GaussianDropout, AlphaDropout, ActivityRegularization (all removed)"


@model("sequential_no_input")
def m_sequential(path, rng):
    m = seq("sequential", rng)
    layers = [("Dense", dict(c_dense("dense", 8, activation="relu"), batch_input_shape=[None, 5]), [("kernel", m.w(5, 8)), ("bias", m.w(8))]),
              ("Dropout", c_simple("dropout", rate=0.1, noise_shape=None, seed=None), []),
              ("Dense", c_dense("dense_1", 3, activation="softmax"), [("kernel", m.w(8, 3)), ("bias", m.w(3))])]
    for cls, cfg, ws in layers:
        m.layers.append({"class_name": cls, "config": cfg, "name": cfg["name"]})
        m.weights[cfg["name"]] = [(f"{cfg['name']}/{r}:0", a.astype(np.float32)) for r, a in ws]
    write_legacy_h5(path, m, keras_version="2.3.0-tf")
    return "Sequential without InputLayer (batch_input_shape on the first Dense), Keras 2.3 style"


@model("sequential_vlen_split")
def m_seq_vlen(path, rng):
    m = seq("sequential_vlen", rng)
    m.layers.append({"class_name": "InputLayer", "config": {"batch_input_shape": [None, 4], "dtype": "float32",
                     "sparse": False, "ragged": False, "name": "input_1"}, "name": "input_1"})
    prev = 4
    for i in range(6):
        n = f"dense_{i}"
        m.layers.append({"class_name": "Dense", "config": c_dense(n, 4, activation="relu"), "name": n})
        m.weights[n] = [(f"{n}/kernel:0", m.w(prev, 4).astype(np.float32)), (f"{n}/bias:0", m.w(4).astype(np.float32))]
        prev = 4
    write_legacy_h5(path, m, vlen=True)
    # Re-write layer_names split in two attributes (what Keras does past 64 KB).
    with h5py.File(path, "r+") as f:
        g = f["model_weights"]
        names = [n.decode() if isinstance(n, bytes) else n for n in g.attrs["layer_names"]]
        del g.attrs["layer_names"]
        g.attrs["layer_names0"] = np.array([n.encode() for n in names[:3]])
        g.attrs["layer_names1"] = np.array([n.encode() for n in names[3:]])
    return "Sequential with InputLayer; variable-length string attrs, layer_names split into layer_names0/1"


# -------------------------------------------------------------------------------------- Keras 3

def k3_policy():
    return {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": None}


def k3_init(name, **cfg):
    return {"module": "keras.initializers", "class_name": name, "config": cfg, "registered_name": None}


def k3_tensor(layer, shape, node=0, index=0):
    return {"class_name": "__keras_tensor__", "config": {"shape": shape, "dtype": "float32",
                                                         "keras_history": [layer, node, index]}}


def k3_layer(cls, cfg, inbound=None, build_shape=None, module="keras.layers"):
    e = {"module": module, "class_name": cls, "config": cfg, "registered_name": None, "name": cfg["name"]}
    if build_shape is not None:
        e["build_config"] = {"input_shape": build_shape}
    if inbound is not None:
        e["inbound_nodes"] = inbound
    return e


def k3_common(name):
    return {"name": name, "trainable": True, "dtype": k3_policy()}


def k3_dense(name, units, activation="linear"):
    return dict(k3_common(name), units=units, activation=activation, use_bias=True,
                kernel_initializer=k3_init("GlorotUniform", seed=None), bias_initializer=k3_init("Zeros"),
                kernel_regularizer=None, bias_regularizer=None, kernel_constraint=None, bias_constraint=None)


def k3_functional_config(name, layers, inputs, outputs):
    return {"module": "keras", "class_name": "Functional",
            "config": {"name": name, "trainable": True, "layers": layers, "input_layers": inputs,
                       "output_layers": outputs},
            "registered_name": "Functional", "build_config": {"input_shape": None}, "compile_config": None}


@model("keras3_legacy_h5", rng_range=(-1, 1))
def m_keras3_h5(path, rng):
    w = lambda *s: rng.normal(0, 0.3, s).astype(np.float32)
    layers = [
        k3_layer("InputLayer", {"batch_shape": [None, 6], "dtype": "float32", "sparse": False, "name": "input_a"}, []),
        k3_layer("InputLayer", {"batch_shape": [None, 6], "dtype": "float32", "sparse": False, "name": "input_b"}, []),
        k3_layer("Dense", k3_dense("dense", 5, "relu"), [{"args": [k3_tensor("input_a", [None, 6])], "kwargs": {}}], [None, 6]),
        k3_layer("Dense", k3_dense("dense_1", 5, "hard_sigmoid"), [{"args": [k3_tensor("input_b", [None, 6])], "kwargs": {}}], [None, 6]),
        k3_layer("Add", dict(k3_common("add")), [{"args": [[k3_tensor("dense", [None, 5]), k3_tensor("dense_1", [None, 5])]], "kwargs": {}}],
                 [[None, 5], [None, 5]]),
        k3_layer("LeakyReLU", dict(k3_common("leaky_re_lu"), negative_slope=0.1),
                 [{"args": [k3_tensor("add", [None, 5])], "kwargs": {}}], [None, 5]),
        k3_layer("Dense", k3_dense("dense_2", 2), [{"args": [k3_tensor("leaky_re_lu", [None, 5])], "kwargs": {}}], [None, 5]),
    ]
    # The Keras 3 legacy writer: no "module" on the top level, Keras 3 layer entries inside.
    config = {"class_name": "Functional", "config": {"name": "functional", "trainable": True, "layers": layers,
                                                      "input_layers": [["input_a", 0, 0], ["input_b", 0, 0]],
                                                      "output_layers": [["dense_2", 0, 0]]}}
    weights = {"dense": [("functional/dense/kernel", w(6, 5)), ("functional/dense/bias", w(5))],
               "dense_1": [("functional/dense_1/kernel", w(6, 5)), ("functional/dense_1/bias", w(5))],
               "dense_2": [("functional/dense_2/kernel", w(5, 2)), ("functional/dense_2/bias", w(2))]}
    fake = Model("functional", rng)
    fake.layers = [{"name": l["name"]} for l in layers]
    fake.weights = weights
    write_legacy_h5(path, fake, keras_version="3.8.0", vlen=True, config=config)
    return "Keras 3 legacy .h5: DTypePolicy dicts, batch_shape, __keras_tensor__ inbound nodes, hard_sigmoid (Keras 3 form)"


@model("keras3_legacy_depthwise")
def m_keras3_h5_depthwise(path, rng):
    w = lambda *s: rng.normal(0, 0.3, s).astype(np.float32)
    dw_cfg = dict(k3_common("depthwise_conv2d"), kernel_size=[3, 3], strides=[1, 1], padding="same",
                  data_format="channels_last", dilation_rate=[1, 1], activation="relu", use_bias=True,
                  depth_multiplier=2, depthwise_initializer=k3_init("GlorotUniform", seed=None),
                  bias_initializer=k3_init("Zeros"), depthwise_regularizer=None, bias_regularizer=None,
                  activity_regularizer=None, depthwise_constraint=None, bias_constraint=None)
    layers = [
        {"class_name": "InputLayer", "config": {"batch_shape": [None, 5, 5, 2], "dtype": "float32", "sparse": False,
                                                "name": "input_layer"}},
        {"class_name": "DepthwiseConv2D", "config": dw_cfg},
    ]
    config = {"class_name": "Sequential", "config": {"name": "sequential", "trainable": True, "dtype": k3_policy(),
                                                      "layers": layers, "build_input_shape": [None, 5, 5, 2]}}
    fake = Model("sequential", rng, "Sequential")
    fake.layers = [{"name": "input_layer", "class_name": "InputLayer"}, {"name": "depthwise_conv2d", "class_name": "DepthwiseConv2D"}]
    # Keras 3 calls the depthwise weight "kernel".
    fake.weights = {"depthwise_conv2d": [("sequential/depthwise_conv2d/kernel", w(3, 3, 2, 2)),
                                         ("sequential/depthwise_conv2d/bias", w(4))]}
    write_legacy_h5(path, fake, keras_version="3.8.0", vlen=True, config=config)
    return "Keras 3 legacy .h5 Sequential with a DepthwiseConv2D (Keras 3 names its weight 'kernel')"


@model("keras3_functional", ext=".keras")
def m_keras3_zip(path, rng):
    w = lambda *s: rng.normal(0, 0.3, s).astype(np.float32)
    pos = lambda *s: rng.uniform(0.5, 1.5, s).astype(np.float32)
    conv_cfg = dict(k3_common("conv2d"), filters=4, kernel_size=[3, 3], strides=[1, 1], padding="same",
                    data_format="channels_last", dilation_rate=[1, 1], groups=1, activation="linear", use_bias=True,
                    kernel_initializer=k3_init("GlorotUniform", seed=None), bias_initializer=k3_init("Zeros"),
                    kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                    bias_constraint=None)
    bn_cfg = dict(k3_common("batch_normalization"), axis=-1, momentum=0.99, epsilon=0.001, center=True, scale=True,
                  beta_initializer=k3_init("Zeros"), gamma_initializer=k3_init("Ones"),
                  moving_mean_initializer=k3_init("Zeros"), moving_variance_initializer=k3_init("Ones"),
                  beta_regularizer=None, gamma_regularizer=None, beta_constraint=None, gamma_constraint=None,
                  synchronized=False)
    layers = [
        k3_layer("InputLayer", {"batch_shape": [None, 6, 6, 3], "dtype": "float32", "sparse": False, "name": "input_layer"}, []),
        k3_layer("Conv2D", conv_cfg, [{"args": [k3_tensor("input_layer", [None, 6, 6, 3])], "kwargs": {}}], [None, 6, 6, 3]),
        k3_layer("BatchNormalization", bn_cfg, [{"args": [k3_tensor("conv2d", [None, 6, 6, 4])], "kwargs": {"training": False}}],
                 [None, 6, 6, 4]),
        k3_layer("ReLU", dict(k3_common("re_lu"), max_value=6.0, negative_slope=0.0, threshold=0.0),
                 [{"args": [k3_tensor("batch_normalization", [None, 6, 6, 4])], "kwargs": {}}], [None, 6, 6, 4]),
        k3_layer("GlobalAveragePooling2D", dict(k3_common("global_average_pooling2d"), data_format="channels_last", keepdims=False),
                 [{"args": [k3_tensor("re_lu", [None, 6, 6, 4])], "kwargs": {}}], [None, 6, 6, 4]),
        k3_layer("Dense", k3_dense("dense", 3, "softmax"),
                 [{"args": [k3_tensor("global_average_pooling2d", [None, 4])], "kwargs": {}}], [None, 4]),
    ]
    config = k3_functional_config("functional", layers, [["input_layer", 0, 0]], [["dense", 0, 0]])
    write_keras_zip(path, config, [
        ("input_layer", "InputLayer", [], False),
        ("conv2d", "Conv2D", [w(3, 3, 3, 4), w(4)], False),
        ("batch_normalization", "BatchNormalization", [pos(4), w(4), w(4), pos(4)], False),
        ("re_lu", "ReLU", [], False),
        ("global_average_pooling2d", "GlobalAveragePooling2D", [], False),
        ("dense", "Dense", [w(4, 3), w(3)], False)], "functional")
    return "Keras 3 .keras functional: Conv2D, BatchNormalization, ReLU(6), GlobalAveragePooling2D, Dense softmax"


@model("keras3_lstm", ext=".keras")
def m_keras3_lstm(path, rng):
    w = lambda *s: rng.normal(0, 0.3, s).astype(np.float32)
    lstm_cfg = dict(k3_common("lstm"), return_sequences=False, return_state=False, go_backwards=False, stateful=False,
                    unroll=False, zero_output_for_mask=False, units=5, activation="tanh", recurrent_activation="sigmoid",
                    use_bias=True, kernel_initializer=k3_init("GlorotUniform", seed=None),
                    recurrent_initializer=k3_init("Orthogonal", seed=None, gain=1.0), bias_initializer=k3_init("Zeros"),
                    unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                    activity_regularizer=None, kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                    dropout=0.0, recurrent_dropout=0.0, seed=None)
    layers = [
        {"module": "keras.layers", "class_name": "InputLayer",
         "config": {"batch_shape": [None, 9, 2], "dtype": "float32", "sparse": False, "name": "input_layer"}, "registered_name": None},
        k3_layer("LSTM", lstm_cfg, None, [None, 9, 2]),
        k3_layer("Dropout", dict(k3_common("dropout"), rate=0.2, seed=None, noise_shape=None), None, [None, 5]),
        k3_layer("Dense", k3_dense("dense", 1), None, [None, 5]),
    ]
    for l in layers:
        l.pop("name", None)
    config = {"module": "keras", "class_name": "Sequential",
              "config": {"name": "sequential", "trainable": True, "dtype": k3_policy(), "layers": layers},
              "registered_name": None, "build_config": {"input_shape": [None, 9, 2]}, "compile_config": None}
    write_keras_zip(path, config, [
        ("lstm", "LSTM", [w(2, 20), w(5, 20), w(20)], True),
        ("dropout", "Dropout", [], False),
        ("dense", "Dense", [w(5, 1), w(1)], False)], "sequential")
    return "Keras 3 .keras Sequential: LSTM (weights under layers/lstm/cell/vars) + Dropout + Dense"


@model("nested_functional")
def m_nested_functional(path, rng):
    inner = Model("inner_functional", rng)
    a = inner.input("inner_in", [4])
    b = inner.layer("Dense", c_dense("branch_a", 4, activation="relu"), a, [("kernel", inner.w(4, 4)), ("bias", inner.w(4))])
    c = inner.layer("Dense", c_dense("branch_b", 4), a, [("kernel", inner.w(4, 4)), ("bias", inner.w(4))])
    inner.output(inner.layer("Add", c_simple("inner_add"), [b, c]))
    m = Model("outer_functional", rng)
    x = m.input("features", [4])
    y = m.nested(inner, x)
    y = m.call_nested("inner_functional", y)  # the same nested model called twice
    m.output(m.layer("Dense", c_dense("head", 2), y, [("kernel", m.w(4, 2)), ("bias", m.w(2))]))
    write_legacy_h5(path, m)
    return "a Functional model used as a layer twice (shared nested model, config node indices 1 and 2)"


@model("keras3_nested", ext=".keras")
def m_keras3_nested(path, rng):
    w = lambda *s: rng.normal(0, 0.3, s).astype(np.float32)
    inner_layers = [
        {"module": "keras.layers", "class_name": "InputLayer",
         "config": {"batch_shape": [None, 5], "dtype": "float32", "sparse": False, "name": "input_layer_1"},
         "registered_name": None},
        k3_layer("Dense", k3_dense("dense", 4, "relu"), None, [None, 5]),
        k3_layer("Dense", k3_dense("dense_1", 3), None, [None, 4]),
    ]
    for l in inner_layers:
        l.pop("name", None)
    seq_entry = {"module": "keras", "class_name": "Sequential",
                 "config": {"name": "sequential", "trainable": True, "dtype": k3_policy(), "layers": inner_layers},
                 "registered_name": None, "build_config": {"input_shape": [None, 5]}, "name": "sequential",
                 "inbound_nodes": [{"args": [k3_tensor("input_layer", [None, 5])], "kwargs": {}}]}
    layers = [
        k3_layer("InputLayer", {"batch_shape": [None, 5], "dtype": "float32", "sparse": False, "name": "input_layer"}, []),
        seq_entry,
        # Keras 3 numbers a nested Sequential's calls from 0.
        k3_layer("Dense", k3_dense("dense_2", 2, "softmax"),
                 [{"args": [k3_tensor("sequential", [None, 3], 0, 0)], "kwargs": {}}], [None, 3]),
    ]
    config = k3_functional_config("functional", layers, [["input_layer", 0, 0]], [["dense_2", 0, 0]])
    write_keras_zip(path, config, [
        ("input_layer", "InputLayer", [], False),
        ("sequential", "Sequential", [], False, [("dense", "Dense", [w(5, 4), w(4)], False),
                                                  ("dense_1", "Dense", [w(4, 3), w(3)], False)]),
        ("dense_2", "Dense", [w(3, 2), w(2)], False)], "functional")
    return "Keras 3 .keras functional model using a Sequential as a layer (weights under layers/sequential/layers/...)"


# ------------------------------------------------------------------------------------ bad inputs

def _small_dense_model(rng, name="small"):
    m = Model(name, rng)
    x = m.input("input_1", [4])
    y = m.layer("Dense", c_dense("dense", 3, activation="relu"), x, [("kernel", m.w(4, 3)), ("bias", m.w(3))])
    y = m.layer("Dense", c_dense("dense_1", 2), y, [("kernel", m.w(3, 2)), ("bias", m.w(2))])
    m.output(y)
    return m


@model("bad_weights_only", tfjs=False, expect="save_weights")
def b_weights_only(path, rng):
    m = _small_dense_model(rng)
    write_legacy_h5(path + ".tmp", m)
    with h5py.File(path + ".tmp", "r") as src, h5py.File(path, "w") as dst:
        for k, v in src["model_weights"].attrs.items():
            dst.attrs[k] = v
        for n in src["model_weights"]:
            src.copy(src["model_weights"][n], dst, n)
    os.remove(path + ".tmp")
    return "weights-only file (what model.save_weights() writes)"


@model("bad_invalid_json", tfjs=False, expect="JSON")
def b_invalid_json(path, rng):
    write_legacy_h5(path, _small_dense_model(rng))
    with h5py.File(path, "r+") as f:
        f.attrs["model_config"] = b'{"class_name": "Functional", "config": {"layers": [}'
    return "model_config is not valid JSON"


@model("bad_missing_dataset", tfjs=False, expect="dense_1/kernel:0")
def b_missing(path, rng):
    write_legacy_h5(path, _small_dense_model(rng))
    with h5py.File(path, "r+") as f:
        del f["model_weights/dense_1/dense_1/kernel:0"]
    return "weight_names lists dense_1/kernel:0 but the dataset is gone"


@model("bad_weight_shape", tfjs=False, expect="dense_1")
def b_shape(path, rng):
    write_legacy_h5(path, _small_dense_model(rng))
    with h5py.File(path, "r+") as f:
        del f["model_weights/dense_1/dense_1/kernel:0"]
        f["model_weights/dense_1"].create_dataset("dense_1/kernel:0", data=np.zeros((5, 2), np.float32))
    return "dense_1's kernel is [5, 2] but the config implies [3, 2]"


@model("bad_unknown_layers", tfjs=False, expect="QDense")
def b_unknown(path, rng):
    m = Model("qmodel", rng)
    x = m.input("input_1", [4])
    y = m.layer("QDense", dict(c_dense("q_dense", 3), kernel_quantizer="quantized_bits(4,0,1)"), x,
                [("kernel", m.w(4, 3)), ("bias", m.w(3))])
    y = m.layer("QActivation", c_simple("q_activation", activation="quantized_relu(4)"), y)
    y = m.layer("Dense", c_dense("dense", 2), y, [("kernel", m.w(3, 2)), ("bias", m.w(2))])
    y = m.layer("Lambda", c_simple("my_lambda", function="x * 2", function_type="raw"), y)
    m.output(y)
    write_legacy_h5(path, m)
    return "custom layers QDense, QActivation and a Lambda"


@model("bad_truncated", tfjs=False, expect="truncated")
def b_truncated(path, rng):
    write_legacy_h5(path + ".tmp", _small_dense_model(rng))
    data = open(path + ".tmp", "rb").read()
    os.remove(path + ".tmp")
    with open(path, "wb") as f:
        f.write(data[: len(data) // 2])
    return "the first half of a valid file"


@model("bad_not_hdf5", tfjs=False, expect="neither HDF5")
def b_not_hdf5(path, rng):
    with open(path, "w") as f:
        f.write("this is a text file, not a Keras model\n" * 10)
    return "a text file"


@model("bad_empty", tfjs=False, expect="empty")
def b_empty(path, rng):
    open(path, "wb").close()
    return "an empty file"


@model("bad_conv_groups", tfjs=False, expect="groups")
def b_groups(path, rng):
    m = Model("groups_model", rng)
    x = m.input("image", [6, 6, 4])
    m.output(m.layer("Conv2D", c_conv("grouped_conv", 4, 3, groups=2), x, [("kernel", m.w(3, 3, 2, 4)), ("bias", m.w(4))]))
    write_legacy_h5(path, m)
    return "Conv2D with groups=2"


@model("bad_channels_first", tfjs=False, expect="channels_first")
def b_channels_first(path, rng):
    m = Model("cf_model", rng)
    x = m.input("image", [3, 6, 6])
    m.output(m.layer("Conv2D", c_conv("conv_cf", 4, 3, data_format="channels_first"), x,
                     [("kernel", m.w(3, 3, 3, 4)), ("bias", m.w(4))]))
    write_legacy_h5(path, m)
    return "Conv2D with data_format=channels_first"


@model("bad_several_refusals", tfjs=False, expect="layer 'conv_cf' (Conv2D)")
def b_several(path, rng):
    # Two unsupported configurations in independent branches and a layer after each: one error
    # names both (the layers they feed are skipped, not reported).
    m = Model("several_model", rng)
    x = m.input("image", [6, 6, 4])
    a = m.layer("Conv2D", c_conv("grouped_conv", 4, 3, groups=2), x, [("kernel", m.w(3, 3, 2, 4)), ("bias", m.w(4))])
    b = m.layer("Conv2D", c_conv("conv_cf", 4, 3, data_format="channels_first"), x,
                [("kernel", m.w(3, 3, 6, 4)), ("bias", m.w(4))])
    m.output(m.layer("Flatten", c_simple("flatten_a"), a))
    m.output(m.layer("Flatten", c_simple("flatten_b"), b))
    write_legacy_h5(path, m)
    return "two Conv2D layers with unsupported configurations (groups=2, channels_first)"


@model("bad_stateful_lstm", tfjs=False, expect="stateful")
def b_stateful(path, rng):
    m = Model("stateful_model", rng)
    x = m.input("sequence", [4, 2])
    m.output(m.layer("LSTM", c_lstm("stateful_lstm", 3, stateful=True), x,
                     [("stateful_lstm/lstm_cell/kernel:0", m.w(2, 12)),
                      ("stateful_lstm/lstm_cell/recurrent_kernel:0", m.w(3, 12)),
                      ("stateful_lstm/lstm_cell/bias:0", m.w(12))]))
    write_legacy_h5(path, m)
    return "stateful LSTM"


# ------------------------------------------------------------------------------ numpy references
# For models without a tfjs-layers oracle (and a few others), the Keras function computed with
# numpy on a fixed input, stored in manifest.json as {"inputs": [[...]], "outputs": [[...]]}
# (row-major, batch 1). Weights are read back from the written file.

def ref_inputs(shapes, lo, hi):
    out = []
    for k, shape in enumerate(shapes):
        n = int(np.prod(shape))
        v = lo + (hi - lo) * (np.sin(0.7 * np.arange(n) + 0.3 * k) + 1.0) / 2.0
        out.append(v.astype(np.float32).reshape([1] + list(shape)))
    return out


def h5w(path, layer, name):
    with h5py.File(path, "r") as f:
        g = f["model_weights"][layer]
        for wn in g.attrs["weight_names"]:
            wn = wn.decode() if isinstance(wn, bytes) else wn
            if wn.split("/")[-1].split(":")[0] == name:
                return g[wn][()].astype(np.float64)
    raise KeyError(f"{layer}/{name}")


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def k2_relu(x, alpha=0.0, max_value=None, threshold=0.0):
    """Keras 2 backend.relu."""
    if alpha != 0:
        if max_value is None and threshold == 0:
            return np.where(x >= 0, x, alpha * x)
        negative_part = np.maximum(-x + threshold, 0) if threshold != 0 else np.maximum(-x, 0)
    clip_max = max_value is not None
    if threshold != 0:
        y = x * (x > threshold)
    elif max_value == 6:
        y = np.clip(x, 0, 6)
        clip_max = False
    else:
        y = np.maximum(x, 0)
    if clip_max:
        y = np.clip(y, 0, max_value)
    if alpha != 0:
        y = y - alpha * negative_part
    return y


def elu(x, alpha=1.0):
    return np.where(x > 0, x, alpha * (np.exp(np.minimum(x, 0)) - 1))


def resize_bilinear_half_pixel(x, out_h, out_w):
    """tf.image.resize bilinear (half_pixel_centers=True), NHWC."""
    n, h, w, c = x.shape
    def coords(out, inp):
        scale = inp / out
        src = (np.arange(out) + 0.5) * scale - 0.5
        lo = np.floor(src)
        lerp = src - lo
        lo_i = np.clip(lo.astype(int), 0, inp - 1)
        hi_i = np.clip(np.ceil(src).astype(int), 0, inp - 1)
        return lo_i, hi_i, lerp
    ty, by, ly = coords(out_h, h)
    lx, rx, lxw = coords(out_w, w)
    top = x[:, ty][:, :, lx] * (1 - lxw)[None, None, :, None] + x[:, ty][:, :, rx] * lxw[None, None, :, None]
    bot = x[:, by][:, :, lx] * (1 - lxw)[None, None, :, None] + x[:, by][:, :, rx] * lxw[None, None, :, None]
    return top * (1 - ly)[None, :, None, None] + bot * ly[None, :, None, None]


def ref_relu_general(path, x):
    (x,) = x
    outs = [k2_relu(x, 0.1), k2_relu(x, 0.0, None, 0.5), k2_relu(x, 0.1, 6.0), k2_relu(x, 0.2, 2.5, 0.3), elu(x, 0.5)]
    return [np.concatenate(outs, axis=-1)]


def ref_subtract(path, x):
    return [x[0] - x[1]]


def ref_pad_crop_1d(path, x):
    y = np.pad(x[0], [[0, 0], [2, 1], [0, 0]])
    return [y[:, 1:y.shape[1] - 3, :]]


def ref_up1d(path, x):
    return [np.repeat(x[0], 3, axis=1)]


def ref_up2d_bilinear(path, x):
    return [resize_bilinear_half_pixel(x[0], 8, 6)]


def ref_gru_reset_after(path, x):
    (x,) = x
    k, r, b = (h5w(path, "gru", n) for n in ("kernel", "recurrent_kernel", "bias"))
    u = r.shape[0]
    h = np.zeros((1, u))
    for t in range(x.shape[1]):
        xz = x[:, t] @ k + b[0]
        rz = h @ r + b[1]
        z = sigmoid(xz[:, :u] + rz[:, :u])
        rr = sigmoid(xz[:, u:2 * u] + rz[:, u:2 * u])
        hh = np.tanh(xz[:, 2 * u:] + rr * rz[:, 2 * u:])
        h = z * h + (1 - z) * hh
    return [h]


def ref_activations_extra(path, x):
    (x,) = x
    y = np.exp(x @ h5w(path, "dense_exponential", "kernel") + h5w(path, "dense_exponential", "bias"))
    y = y * sigmoid(y)
    y = y * np.tanh(np.log1p(np.exp(y)))
    m = y.max(axis=-1, keepdims=True)
    return [y - m - np.log(np.exp(y - m).sum(axis=-1, keepdims=True))]


def ref_keepdims(path, x):
    return [x[0].mean(axis=(1, 2), keepdims=True) + x[0].max(axis=(1, 2), keepdims=True)]


def ref_noise(path, x):
    return [np.einsum("nhwc,co->nhwo", x[0], h5w(path, "conv", "kernel")[0, 0]) + h5w(path, "conv", "bias")]


def ref_conv1d_causal(path, x):
    (x,) = x
    k, b = h5w(path, "conv1d_causal", "kernel"), h5w(path, "conv1d_causal", "bias")
    ks, d = k.shape[0], 2
    xp = np.pad(x, [[0, 0], [(ks - 1) * d, 0], [0, 0]])
    steps = x.shape[1]
    y = np.zeros((1, steps, k.shape[2]))
    for t in range(steps):
        for j in range(ks):
            y[:, t] += xp[:, t + j * d] @ k[j]
    return [y + b]


def ref_bn_axis1(path, x):
    g = h5w(path, "bn_seq_axis1", "gamma")
    mean, var = h5w(path, "bn_seq_axis1", "moving_mean"), h5w(path, "bn_seq_axis1", "moving_variance")
    return [(x[0] - mean[None, :, None]) / np.sqrt(var[None, :, None] + 1e-3) * g[None, :, None]]


def ref_concat_neg(path, x):
    return [np.concatenate(x, axis=1)]


def ref_merge(path, x):
    a, b, c = x
    return [np.concatenate([a + b + c, a * b, (a + b + c) / 3, np.maximum(a, b), np.minimum(b, c)], axis=1)]


def ref_sequential_no_input(path, x):
    y = np.maximum(x[0] @ h5w(path, "dense", "kernel") + h5w(path, "dense", "bias"), 0)
    y = y @ h5w(path, "dense_1", "kernel") + h5w(path, "dense_1", "bias")
    e = np.exp(y - y.max(axis=-1, keepdims=True))
    return [e / e.sum(axis=-1, keepdims=True)]


def ref_keras3_legacy_h5(path, x):
    a, b = x
    y1 = np.maximum(a @ h5w(path, "dense", "kernel") + h5w(path, "dense", "bias"), 0)
    z = b @ h5w(path, "dense_1", "kernel") + h5w(path, "dense_1", "bias")
    y2 = np.clip(z + 3, 0, 6) / 6  # Keras 3 hard_sigmoid
    y = y1 + y2
    y = np.where(y >= 0, y, 0.1 * y)
    return [y @ h5w(path, "dense_2", "kernel") + h5w(path, "dense_2", "bias")]


def ref_softmax_axis(path, x):
    e = np.exp(x[0] - x[0].max(axis=1, keepdims=True))
    return [e / e.sum(axis=1, keepdims=True)]


def conv2d_transpose(x, w, b, strides, padding, out_hw):
    """TF Conv2DBackpropInput + bias; w is [kh, kw, out, in]."""
    _, ih, iw, _ = x.shape
    kh, kw, oc, _ = w.shape
    sh, sw = strides
    oh, ow = out_hw
    full = np.zeros((1, (ih - 1) * sh + kh, (iw - 1) * sw + kw, oc))
    for i in range(ih):
        for j in range(iw):
            full[0, i * sh:i * sh + kh, j * sw:j * sw + kw] += np.einsum("c,hwoc->hwo", x[0, i, j], w)
    if padding == "same":
        pt = max((ih - 1) * sh + kh - oh, 0) // 2
        pl = max((iw - 1) * sw + kw - ow, 0) // 2
    else:
        pt = pl = 0
    out = np.zeros((1, oh, ow, oc))
    hh, ww = min(oh, full.shape[1] - pt), min(ow, full.shape[2] - pl)
    out[:, :hh, :ww] = full[:, pt:pt + hh, pl:pl + ww]
    return out + (0 if b is None else b)


def ref_conv2d_transpose(path, x):
    y = np.maximum(conv2d_transpose(x[0], h5w(path, "up_same", "kernel"), h5w(path, "up_same", "bias"), (2, 2), "same", (10, 10)), 0)
    y = conv2d_transpose(y, h5w(path, "up_valid", "kernel"), h5w(path, "up_valid", "bias"), (2, 1), "valid", (21, 11))
    return [conv2d_transpose(y, h5w(path, "up_outpad", "kernel"), None, (2, 2), "same", (42, 21))]


def lstm(x, k, r, b, go_backwards=False, return_sequences=False):
    u = r.shape[0]
    h, c = np.zeros((1, u)), np.zeros((1, u))
    steps = range(x.shape[1] - 1, -1, -1) if go_backwards else range(x.shape[1])
    seq = []
    for t in steps:
        z = x[:, t] @ k + h @ r + b
        i, f, g, o = sigmoid(z[:, :u]), sigmoid(z[:, u:2 * u]), np.tanh(z[:, 2 * u:3 * u]), sigmoid(z[:, 3 * u:])
        c = f * c + i * g
        h = o * np.tanh(c)
        seq.append(h)
    return np.stack(seq, axis=1) if return_sequences else h


def ref_lstm(path, x):
    y = lstm(x[0], *(h5w(path, "lstm", n) for n in ("kernel", "recurrent_kernel", "bias")), return_sequences=True)
    y = lstm(y, *(h5w(path, "lstm_1", n) for n in ("kernel", "recurrent_kernel", "bias")), go_backwards=True)
    return [y @ h5w(path, "dense", "kernel") + h5w(path, "dense", "bias")]


# name → (input shapes without batch, numpy function)
REFERENCES = {
    "relu_general": ([[9]], ref_relu_general),
    "subtract": ([[4, 3], [4, 3]], ref_subtract),
    "padding_cropping_1d": ([[9, 3]], ref_pad_crop_1d),
    "upsampling1d": ([[5, 3]], ref_up1d),
    "upsampling2d_bilinear": ([[4, 3, 2]], ref_up2d_bilinear),
    "gru_reset_after": ([[6, 4]], ref_gru_reset_after),
    "activations_extra": ([[6]], ref_activations_extra),
    "global_pooling_keepdims": ([[6, 5, 4]], ref_keepdims),
    "noise_layers": ([[4, 4, 3]], ref_noise),
    "conv1d_causal": ([[12, 3]], ref_conv1d_causal),
    "batchnorm_axis1": ([[5, 4]], ref_bn_axis1),
    "concatenate_negative_axis": ([[4, 5, 2], [3, 5, 2]], ref_concat_neg),
    "merge": ([[6], [6], [6]], ref_merge),
    "sequential_no_input": ([[5]], ref_sequential_no_input),
    "keras3_legacy_h5": ([[6], [6]], ref_keras3_legacy_h5),
    "softmax_axis": ([[4, 6]], ref_softmax_axis),
    "conv2d_transpose": ([[5, 5, 4]], ref_conv2d_transpose),
    "lstm": ([[8, 3]], ref_lstm),
}


REFERENCE_SAMPLES = 8


def _ref_sample(fn, path, xs):
    ys = fn(path, [x.astype(np.float64) if x.dtype.kind == "f" else x for x in xs])
    return {"inputs": [[float(v) for v in x.reshape(-1)] for x in xs],
            "outputs": [[float(v) for v in np.asarray(y, np.float32).reshape(-1)] for y in ys],
            "output_shapes": [list(np.asarray(y).shape) for y in ys]}


def reference(name, path, lo, hi):
    """The numpy reference: one smooth input (sin ramp) and REFERENCE_SAMPLES seeded random ones.
    A REFERENCES entry is (input shapes, fn) or (input shapes, fn, maker) where maker(rng, shapes)
    returns the input arrays (batch 1) for inputs that are not uniform floats (ids, masks)."""
    shapes, fn = REFERENCES[name][:2]
    maker = REFERENCES[name][2] if len(REFERENCES[name]) > 2 else None
    rng = np.random.default_rng(sum(map(ord, name)) * 104729)

    def draw():
        if maker:
            return [np.asarray(a) for a in maker(rng, shapes)]
        return [rng.uniform(lo, hi, [1] + list(s)).astype(np.float32) for s in shapes]
    ref = _ref_sample(fn, path, draw() if maker else ref_inputs(shapes, lo, hi))
    ref["input_shapes"] = [[1] + list(s) for s in shapes]
    ref["samples"] = [_ref_sample(fn, path, draw()) for _ in range(REFERENCE_SAMPLES)]
    return ref


def _load_generator_modules():
    """tests/models/gen_*.py add models: each defines register(km), km = this module (MODELS,
    REFERENCES, model, Model, the writers and config helpers)."""
    import glob
    import importlib.util
    here = os.path.dirname(os.path.abspath(__file__))
    for p in sorted(glob.glob(os.path.join(here, "gen_*.py"))):
        spec = importlib.util.spec_from_file_location(os.path.basename(p)[:-3], p)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        # This module as loaded (a script, an import, or a spec loader that did not register it).
        km = sys.modules.get(__name__)
        if km is None or getattr(km, "MODELS", None) is not MODELS:
            import types
            km = types.SimpleNamespace(**globals())
        mod.register(km)


_load_generator_modules()


# ----------------------------------------------------------------------------------------------

def main(argv):
    if len(argv) >= 2 and argv[1] == "--list":
        for name, spec in MODELS.items():
            print(f"{name}{spec['ext']}\ttfjs={str(spec['tfjs']).lower()}\texpect={spec['expect']}")
        return 0
    if len(argv) < 2:
        print(__doc__.strip().split("\n\n")[1], file=sys.stderr)
        return 2
    out = argv[1]
    names = argv[2:] or list(MODELS)
    unknown = [n for n in names if n not in MODELS]
    if unknown:
        print(f"unknown model name(s): {', '.join(unknown)} (see --list)", file=sys.stderr)
        return 2
    os.makedirs(out, exist_ok=True)
    manifest_path = os.path.join(out, "manifest.json")
    manifest = {}
    if os.path.exists(manifest_path):
        with open(manifest_path) as f:
            manifest = json.load(f)
    for name in names:
        spec = MODELS[name]
        path = os.path.join(out, name + spec["ext"])
        about = spec["fn"](path, np.random.default_rng(sum(map(ord, name)) * 7919))
        manifest[name] = {"file": name + spec["ext"], "tfjs": spec["tfjs"], "range": spec["range"],
                          "expect": spec["expect"], "about": about, "args": spec.get("args", [])}
        if name in REFERENCES:
            manifest[name]["reference"] = reference(name, path, *spec["range"])
        print(f"wrote {path}: {about}")
    with open(manifest_path, "w") as f:
        json.dump(manifest, f, indent=1, sort_keys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
