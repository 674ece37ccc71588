"""Generated models for the 3-D / extra Keras layers (task layers3d): both config dialects.

Every model is written twice where it matters: a tf.keras 2 legacy .h5 (Keras 2 config dialect)
and a Keras 3 .keras zip (Keras 3 dialect: DTypePolicy dicts, __keras_tensor__ inbound nodes,
weights under layers/<snake>/vars). References are numpy implementations of the documented layer
semantics (keras-team/keras layers/*), reading the weights back from the written file.
"""
import io
import json
import zipfile

import h5py
import numpy as np

km = None  # the make_keras_models module, set by register()


# ---------------------------------------------------------------------------------------------
# A model built once, written in either dialect.

class Dual:
    """Layers in call order: (class, keras2 cfg, keras3 cfg, input refs, weights [(role, array)])."""

    def __init__(self, name, rng):
        self.name, self.rng = name, rng
        self.inputs = []    # (name, shape)
        self.layers = []    # dicts
        self.outputs = []

    def w(self, *shape, scale=0.3):
        return self.rng.normal(0.0, scale, shape).astype(np.float32)

    def input(self, name, shape):
        self.inputs.append((name, list(shape)))
        return name

    def layer(self, cls, name, cfg, inputs, weights=(), k3cfg=None, k2cfg=None, kwargs=None):
        """cfg: options common to both dialects (besides name/trainable/dtype); k3cfg / k2cfg:
        dialect-only options. inputs: a layer name or a list (merge layers)."""
        self.layers.append(dict(cls=cls, name=name, cfg=dict(cfg), k3=dict(k3cfg or {}), k2=dict(k2cfg or {}),
                                inputs=inputs, weights=list(weights), kwargs=kwargs or {}))
        return name

    def output(self, ref):
        self.outputs.append(ref)

    # ---- Keras 2 legacy h5
    def write_h5(self, path):
        m = km.Model(self.name, self.rng)
        refs = {}
        for n, shape in self.inputs:
            refs[n] = m.input(n, shape)
        for l in self.layers:
            cfg = dict(km._common(l["name"]), **l["cfg"], **l["k2"])
            ins = [refs[i] for i in l["inputs"]] if isinstance(l["inputs"], list) else refs[l["inputs"]]
            refs[l["name"]] = m.layer(l["cls"], cfg, ins, [(r, a) for r, a in l["weights"]])
        for o in self.outputs:
            m.output(refs[o])
        km.write_legacy_h5(path, m, keras_version="2.13.1")

    # ---- Keras 3 .keras
    def write_keras(self, path):
        layers = []
        for n, shape in self.inputs:
            layers.append(km.k3_layer("InputLayer", {"batch_shape": [None] + shape, "dtype": "float32",
                                                     "sparse": False, "name": n}, []))
        for l in self.layers:
            cfg = dict(km.k3_common(l["name"]), **l["cfg"], **l["k3"])
            if isinstance(l["inputs"], list):
                args = [[km.k3_tensor(i, None) for i in l["inputs"]]]
            else:
                args = [km.k3_tensor(l["inputs"], None)]
            layers.append(km.k3_layer(l["cls"], cfg, [{"args": args, "kwargs": l["kwargs"]}], None))
        config = km.k3_functional_config(self.name, layers, [[n, 0, 0] for n, _ in self.inputs],
                                         [[o, 0, 0] for o in self.outputs])
        entries = [(n, "InputLayer", [], False) for n, _ in self.inputs]
        entries += [(l["name"], l["cls"], [a for _, a in l["weights"]], False) for l in self.layers]
        km.write_keras_zip(path, config, entries, self.name, keras_version="3.8.0")


def weights(path, layer):
    """The layer's weight arrays in file order, from a legacy .h5 or a .keras zip."""
    if path.endswith(".h5"):
        with h5py.File(path, "r") as f:
            g = f["model_weights"][layer]
            out = []
            for wn in g.attrs["weight_names"]:
                wn = wn.decode() if isinstance(wn, bytes) else wn
                out.append(g[wn][()].astype(np.float64))
            return out
    with zipfile.ZipFile(path) as z:
        data = z.read("model.weights.h5")
    with h5py.File(io.BytesIO(data), "r") as f:
        for key in f["layers"]:
            v = f["layers"][key]["vars"]
            if v.attrs.get("name") == layer:
                return [v[str(i)][()].astype(np.float64) for i in range(len(v))]
    raise KeyError(layer)


def both(name, build, ref, shapes, tfjs=False, rng_range=(-1.0, 1.0)):
    """Registers `name` (.h5, Keras 2 dialect) and `name`_k3 (.keras, Keras 3 dialect)."""
    def h5(path, rng):
        d = build(rng, False)
        d.write_h5(path)
        for layer, wname, dtype in getattr(d, "retype", []):  # weights Keras stores as ints
            with h5py.File(path, "r+") as f:
                g = f["model_weights"][layer]
                key = f"{layer}/{wname}:0"
                data = g[key][()].astype(dtype)
                del g[key]
                g.create_dataset(key, data=data)
        return d.about + " (tf.keras 2 .h5)"

    def k3(path, rng):
        d = build(rng, True)
        d.write_keras(path)
        return d.about + " (Keras 3 .keras)"

    km.MODELS[name] = dict(fn=h5, ext=".h5", tfjs=tfjs, range=list(rng_range), expect="ok")
    km.MODELS[name + "_k3"] = dict(fn=k3, ext=".keras", tfjs=False, range=list(rng_range), expect="ok")
    km.REFERENCES[name] = (shapes, ref)
    km.REFERENCES[name + "_k3"] = (shapes, ref)


# ---------------------------------------------------------------------------------------------
# Global pooling with channels_first, 3-D global pooling

def build_global_cf(rng, k3):
    d = Dual("global_pool_cf_model", rng)
    s = d.input("sequence", [5, 7])       # (batch, features, steps) as geolife's transformer
    v = d.input("volume", [3, 4, 2, 5])   # (batch, channels, d, h, w) / (batch, d, h, w, c)
    img = d.input("image", [2, 3, 4])
    d.output(d.layer("GlobalAveragePooling1D", "gap1d_cf", dict(data_format="channels_first", keepdims=False), s))
    d.output(d.layer("GlobalMaxPooling1D", "gmp1d_cf_keep", dict(data_format="channels_first", keepdims=True), s))
    d.output(d.layer("GlobalAveragePooling2D", "gap2d_cf", dict(data_format="channels_first", keepdims=False), img))
    d.output(d.layer("GlobalMaxPooling2D", "gmp2d_cf", dict(data_format="channels_first", keepdims=False), img))
    d.output(d.layer("GlobalAveragePooling3D", "gap3d", dict(data_format="channels_last", keepdims=False), v))
    d.output(d.layer("GlobalMaxPooling3D", "gmp3d_keep", dict(data_format="channels_last", keepdims=True), v))
    d.output(d.layer("GlobalAveragePooling3D", "gap3d_cf_keep", dict(data_format="channels_first", keepdims=True), v))
    d.output(d.layer("GlobalMaxPooling3D", "gmp3d_cf", dict(data_format="channels_first", keepdims=False), v))
    d.about = ("GlobalAverage/MaxPooling1D/2D with data_format channels_first (1D averages axis 2), "
               "GlobalAverage/MaxPooling3D channels_last/first, keepdims")
    return d


def ref_global_cf(path, x):
    s, v, img = x
    return [s.mean(axis=2), s.max(axis=2, keepdims=True), img.mean(axis=(2, 3)), img.max(axis=(2, 3)),
            v.mean(axis=(1, 2, 3)), v.max(axis=(1, 2, 3), keepdims=True), v.mean(axis=(2, 3, 4), keepdims=True),
            v.max(axis=(2, 3, 4))]


# ---------------------------------------------------------------------------------------------
# Conv1DTranspose, DepthwiseConv1D

def INIT(k3, name):
    return km.k3_init(name, seed=None) if k3 and name != "Zeros" else (km.k3_init(name) if k3 else km._init(name))


def conv_cfg(k3, filters, kernel, strides=1, padding="valid", dilation=1, activation="linear", use_bias=True,
             **extra):
    cfg = dict(kernel_size=[kernel], strides=[strides], padding=padding, data_format="channels_last",
               dilation_rate=[dilation], activation=activation, use_bias=use_bias,
               bias_initializer=INIT(k3, "Zeros"), bias_regularizer=None, activity_regularizer=None,
               bias_constraint=None, **extra)
    if filters is not None:
        cfg.update(filters=filters, groups=1, kernel_initializer=INIT(k3, "GlorotUniform"), kernel_regularizer=None,
                   kernel_constraint=None)
    return cfg


def deconv_length(n, k, padding, op, s):
    """keras conv_utils.deconv_output_length (dilation 1)."""
    if op is None:
        return n * s + max(k - s, 0) if padding == "valid" else n * s
    pad = k // 2 if padding == "same" else 0
    return (n - 1) * s + k - 2 * pad + op


CT_SPECS = [  # name, filters, kernel, strides, padding, output_padding, activation, use_bias
    ("convt_same", 4, 3, 2, "same", None, "relu", True),
    ("convt_valid", 3, 4, 3, "valid", None, "linear", True),
    ("convt_outpad", 2, 3, 2, "same", 1, "tanh", False),
]


def build_conv1d_transpose(rng, k3):
    d = Dual("conv1d_transpose_model", rng)
    y, cin = d.input("signal", [6, 3]), 3
    for name, f, k, s, pad, op, act, bias in CT_SPECS:
        w = [("kernel", d.w(k, f, cin))] + ([("bias", d.w(f, scale=0.1))] if bias else [])
        y = d.layer("Conv1DTranspose", name, conv_cfg(k3, f, k, s, pad, 1, act, bias,
                                                      output_padding=None if op is None else [op]), y, w)
        cin = f
    d.output(y)
    d.about = "Conv1DTranspose: same/relu stride 2, valid kernel 4 stride 3, output_padding 1 without bias"
    return d


def conv1d_transpose(x, k, b, s, pad, out_len):
    """TF conv1d_transpose = Conv2DBackpropInput on a unit height; k is [k, out, in]."""
    y = km.conv2d_transpose(x[:, None], k[None], b, (1, s), pad, (1, out_len))
    return y[:, 0]


def ref_conv1d_transpose(path, x):
    (y,) = x
    for name, f, k, s, pad, op, act, bias in CT_SPECS:
        w = weights(path, name)
        y = conv1d_transpose(y, w[0], w[1] if bias else None, s, pad, deconv_length(y.shape[1], k, pad, op, s))
        y = {"relu": lambda v: np.maximum(v, 0), "tanh": np.tanh, "linear": lambda v: v}[act](y)
    return [y]


def dw_specs(k3):
    # name, kernel, strides, padding, depth_multiplier, dilation, activation, use_bias
    specs = [("dw1d_same", 3, 1, "same", 2, 1, "relu", True),
             ("dw1d_stride", 3, 2, "valid", 1, 1, "linear", False),
             ("dw1d_dilated", 2, 1, "same", 1, 2, "tanh", True)]
    if not k3:  # tf-keras DepthwiseConv1D (a Conv1D) accepts causal padding; Keras 3 does not
        specs.append(("dw1d_causal", 3, 1, "causal", 1, 2, "linear", True))
    return specs


def build_depthwise1d(rng, k3):
    d = Dual("depthwise_conv1d_model", rng)
    y, cin = d.input("signal", [11, 3]), 3
    for name, k, s, pad, mult, dil, act, bias in dw_specs(k3):
        w = [("depthwise_kernel", d.w(k, cin, mult))] + ([("bias", d.w(cin * mult, scale=0.1))] if bias else [])
        y = d.layer("DepthwiseConv1D", name, conv_cfg(k3, None, k, s, pad, dil, act, bias, depth_multiplier=mult,
                                                      depthwise_initializer=INIT(k3, "GlorotUniform"),
                                                      depthwise_regularizer=None, depthwise_constraint=None), y, w)
        cin *= mult
    d.output(y)
    d.about = "DepthwiseConv1D: same/relu multiplier 2, strided valid without bias, dilated same/tanh (+ causal in Keras 2)"
    return d


def depthwise1d(x, k, b, s, pad, dil):
    n, c = x.shape[1], x.shape[2]
    ks, _, mult = k.shape
    span = (ks - 1) * dil + 1
    if pad == "causal":
        x = np.pad(x, [[0, 0], [span - 1, 0], [0, 0]])
        pad, n = "valid", x.shape[1]
    if pad == "same":
        out = -(-n // s)
        total = max((out - 1) * s + span - n, 0)
        x = np.pad(x, [[0, 0], [total // 2, total - total // 2], [0, 0]])
    else:
        out = (n - span) // s + 1
    y = np.zeros((1, out, c * mult))
    for t in range(out):
        for j in range(ks):
            y[0, t] += (x[0, t * s + j * dil][:, None] * k[j]).reshape(-1)
    return y + (0 if b is None else b)


def ref_depthwise1d(k3):
    def ref(path, x):
        (y,) = x
        for name, k, s, pad, mult, dil, act, bias in dw_specs(k3):
            w = weights(path, name)
            y = depthwise1d(y, w[0], w[1] if bias else None, s, pad, dil)
            y = {"relu": lambda v: np.maximum(v, 0), "tanh": np.tanh, "linear": lambda v: v}[act](y)
        return [y]
    return ref


# ---------------------------------------------------------------------------------------------
# 3-D pooling, padding, cropping, upsampling

P3_SPECS = [  # class, name, pool, strides, padding
    ("MaxPooling3D", "max3d", [2, 2, 2], None, "valid"),
    ("AveragePooling3D", "avg3d_same", [3, 2, 3], [2, 1, 2], "same"),
    ("MaxPooling3D", "max3d_same", [2, 3, 1], [1, 2, 1], "same"),
    ("AveragePooling3D", "avg3d_valid", [2, 1, 2], [1, 1, 1], "valid"),
]


def build_pool3d(rng, k3):
    d = Dual("pool3d_model", rng)
    x = d.input("volume", [7, 6, 9, 2])
    for cls, name, pool, strides, pad in P3_SPECS:
        d.output(d.layer(cls, name, dict(pool_size=pool, strides=strides or pool, padding=pad,
                                         data_format="channels_last"), x))
    d.about = "MaxPooling3D / AveragePooling3D: valid, same with unequal strides (odd sizes: partial SAME windows)"
    return d


def pool3d(x, pool, strides, pad, op):
    _, n0, n1, n2, c = x.shape
    outs, starts = [], []
    for n, p, s in zip((n0, n1, n2), pool, strides):
        if pad == "same":
            o = -(-n // s)
            before = max((o - 1) * s + p - n, 0) // 2
        else:
            o, before = (n - p) // s + 1, 0
        outs.append(o)
        starts.append([i * s - before for i in range(o)])
    y = np.zeros([1] + outs + [c])
    for i, a in enumerate(starts[0]):
        for j, b in enumerate(starts[1]):
            for k, e in enumerate(starts[2]):
                win = x[0, max(a, 0):a + pool[0], max(b, 0):b + pool[1], max(e, 0):e + pool[2]].reshape(-1, c)
                y[0, i, j, k] = win.max(axis=0) if op == "max" else win.mean(axis=0)  # mean over valid cells
    return y


def ref_pool3d(path, x):
    return [pool3d(x[0], pool, strides or pool, pad, "max" if cls.startswith("Max") else "avg")
            for cls, name, pool, strides, pad in P3_SPECS]


def build_spatial3d(rng, k3):
    d = Dual("spatial3d_model", rng)
    x = d.input("volume", [3, 4, 5, 2])
    d.output(d.layer("ZeroPadding3D", "pad3d", dict(padding=[[1, 0], [0, 2], [1, 1]], data_format="channels_last"), x))
    d.output(d.layer("ZeroPadding3D", "pad3d_int_cf", dict(padding=1, data_format="channels_first"), x))
    d.output(d.layer("Cropping3D", "crop3d", dict(cropping=[[1, 0], [1, 2], [0, 1]], data_format="channels_last"), x))
    d.output(d.layer("Cropping3D", "crop3d_cf", dict(cropping=[1, 2, 0], data_format="channels_first"), x))
    d.output(d.layer("UpSampling3D", "up3d", dict(size=[2, 1, 3], data_format="channels_last"), x))
    d.output(d.layer("UpSampling3D", "up3d_cf", dict(size=[1, 2, 2], data_format="channels_first"), x))
    d.about = "ZeroPadding3D / Cropping3D / UpSampling3D, channels_last and channels_first, int and per-axis specs"
    return d


def ref_spatial3d(path, x):
    (v,) = x
    return [np.pad(v, [[0, 0], [1, 0], [0, 2], [1, 1], [0, 0]]),
            np.pad(v, [[0, 0], [0, 0], [1, 1], [1, 1], [1, 1]]),
            v[:, 1:, 1:-2, 0:-1, :],
            v[:, :, 1:-1, 2:-2, :],
            v.repeat(2, axis=1).repeat(3, axis=3),
            v.repeat(2, axis=3).repeat(2, axis=4)]


# ---------------------------------------------------------------------------------------------
# Conv3D (TFLite CONV_3D, filter DHWIO)

# The dilated layer comes first: the e2e TFLite runtime (2023 WASM build) disagrees with TF's
# semantics (and with this reference and tflc's own CONV_3D kernel) for a dilated SAME CONV_3D whose
# input depth equals the kernel depth (2x4x3 input, kernel 2x2x2, dilation (1, 2, 1)); on larger
# volumes it agrees.
C3_SPECS = [  # name, filters, kernel, strides, padding, dilation, activation, use_bias
    ("conv3d_dilated", 3, [2, 2, 2], [1, 1, 1], "same", [1, 2, 1], "tanh", True),
    ("conv3d_same", 4, [3, 3, 3], [1, 1, 1], "same", [1, 1, 1], "relu", True),
    ("conv3d_strided", 2, [2, 3, 2], [2, 1, 2], "valid", [1, 1, 1], "linear", False),
]


def build_conv3d(rng, k3):
    d = Dual("conv3d_model", rng)
    y, cin = d.input("volume", [5, 6, 7, 2]), 2
    for name, f, k, s, pad, dil, act, bias in C3_SPECS:
        cfg = dict(filters=f, kernel_size=k, strides=s, padding=pad, data_format="channels_last", dilation_rate=dil,
                   groups=1, activation=act, use_bias=bias, kernel_initializer=INIT(k3, "GlorotUniform"),
                   bias_initializer=INIT(k3, "Zeros"), kernel_regularizer=None, bias_regularizer=None,
                   activity_regularizer=None, kernel_constraint=None, bias_constraint=None)
        w = [("kernel", d.w(*k, cin, f))] + ([("bias", d.w(f, scale=0.1))] if bias else [])
        y = d.layer("Conv3D", name, cfg, y, w)
        cin = f
    d.output(y)
    d.about = "Conv3D: same/relu, strided valid without bias, dilated same/tanh"
    return d


def conv3d(x, k, b, strides, pad, dil):
    n = x.shape[1:4]
    ks = k.shape[:3]
    span = [(ks[i] - 1) * dil[i] + 1 for i in range(3)]
    if pad == "same":
        out = [-(-n[i] // strides[i]) for i in range(3)]
        tot = [max((out[i] - 1) * strides[i] + span[i] - n[i], 0) for i in range(3)]
        x = np.pad(x, [[0, 0]] + [[t // 2, t - t // 2] for t in tot] + [[0, 0]])
    else:
        out = [(n[i] - span[i]) // strides[i] + 1 for i in range(3)]
    y = np.zeros([1] + out + [k.shape[4]])
    for a in range(ks[0]):
        for bb in range(ks[1]):
            for c in range(ks[2]):
                sl = x[:, a * dil[0]:a * dil[0] + (out[0] - 1) * strides[0] + 1:strides[0],
                       bb * dil[1]:bb * dil[1] + (out[1] - 1) * strides[1] + 1:strides[1],
                       c * dil[2]:c * dil[2] + (out[2] - 1) * strides[2] + 1:strides[2]]
                y += sl @ k[a, bb, c]
    return y + (0 if b is None else b)


def ref_conv3d(path, x):
    (y,) = x
    for name, f, k, s, pad, dil, act, bias in C3_SPECS:
        w = weights(path, name)
        y = conv3d(y, w[0], w[1] if bias else None, s, pad, dil)
        y = {"relu": lambda v: np.maximum(v, 0), "tanh": np.tanh, "linear": lambda v: v}[act](y)
    return [y]


# ---------------------------------------------------------------------------------------------
# Dot, Normalization, Resizing, CenterCrop, Identity

def build_dot(rng, k3):
    d = Dual("dot_model", rng)
    a, b = d.input("a", [6]), d.input("b", [6])
    p, q, r = d.input("p", [3, 4]), d.input("q", [5, 4]), d.input("r", [3, 5])
    d.output(d.layer("Dot", "dot_vec", dict(axes=1, normalize=False), [a, b]))
    d.output(d.layer("Dot", "dot_cosine", dict(axes=-1, normalize=True), [a, b]))
    d.output(d.layer("Dot", "dot_last_last", dict(axes=[2, 2], normalize=False), [p, q]))
    d.output(d.layer("Dot", "dot_first_first_norm", dict(axes=1, normalize=True), [p, r]))
    d.output(d.layer("Dot", "dot_last_first", dict(axes=[2, 1], normalize=False), [q, d.layer(
        "Permute", "perm", dict(dims=[2, 1]), p)]))
    d.about = "Dot: rank 2 (plain, normalize=True cosine), rank 3 with axes (2,2), (1,1)+normalize, (2,1)"
    return d


def l2n(x, axis):
    return x / np.sqrt(np.maximum((x * x).sum(axis=axis, keepdims=True), 1e-12))


def ref_dot(path, x):
    a, b, p, q, r = x
    pt = p.transpose(0, 2, 1)
    return [(a * b).sum(axis=1, keepdims=True), (l2n(a, 1) * l2n(b, 1)).sum(axis=1, keepdims=True),
            np.einsum("bik,bjk->bij", p, q), np.einsum("bki,bkj->bij", l2n(p, 1), l2n(r, 1)),
            np.einsum("bik,bkj->bij", q, pt)]


def build_normalization(rng, k3):
    d = Dual("normalization_model", rng)
    x = d.input("features", [4, 3])
    mean, var = d.w(3, scale=1.0), rng.uniform(0.2, 3.0, 3).astype(np.float32)
    d.output(d.layer("Normalization", "norm_adapted", dict(axis=[-1], mean=None, variance=None, invert=False), x,
                     [("mean", mean), ("variance", var), ("count", np.array(100, np.float32))]))
    d.output(d.layer("Normalization", "norm_config_invert",
                     dict(axis=1, mean=[0.5, -1.0, 2.0, 0.0], variance=[4.0, 0.25, 1.0, 9.0], invert=True), x))
    d.output(d.layer("Normalization", "norm_scalar", dict(axis=None, mean=1.5, variance=2.0, invert=False), x))
    d.output(d.layer("Identity", "identity", dict(), x))
    d.retype = [("norm_adapted", "count", np.int64)]  # Keras' count is an int64 scalar
    d.about = ("Normalization: adapted weights (mean, variance, count) on axis -1; config "
               "mean/variance on axis 1 with invert; axis None with scalar stats; Identity")
    return d


def ref_normalization(path, x):
    (v,) = x
    mean, var = weights(path, "norm_adapted")[:2]
    eps = 1e-7
    m1, v1 = np.array([0.5, -1.0, 2.0, 0.0])[None, :, None], np.array([4.0, 0.25, 1.0, 9.0])[None, :, None]
    return [(v - mean) / np.maximum(np.sqrt(var), eps), m1 + v * np.maximum(np.sqrt(v1), eps),
            (v - 1.5) / np.sqrt(2.0), v]


def resize_nearest_half_pixel(x, oh, ow):
    """tf.image.resize nearest: ResizeNearestNeighbor(half_pixel_centers=True)."""
    _, h, w, _ = x.shape
    iy = np.minimum(np.floor((np.arange(oh) + 0.5) * (h / oh)).astype(int), h - 1)
    ix = np.minimum(np.floor((np.arange(ow) + 0.5) * (w / ow)).astype(int), w - 1)
    return x[:, iy][:, :, ix]


def crop_to_aspect(x, th, tw):
    _, h, w, _ = x.shape
    ch = max(min(h, int(w * th / tw)), 1)
    cw = max(min(w, int(h * tw / th)), 1)
    h0, w0 = int((h - ch) / 2), int((w - cw) / 2)
    return x[:, h0:h0 + ch, w0:w0 + cw]


def pad_to_aspect(x, th, tw, fill):
    _, h, w, _ = x.shape
    ph, pw = max(h, int(w * th / tw)), max(w, int(h * tw / th))
    h0, w0 = int((ph - h) / 2), int((pw - w) / 2)
    return np.pad(x, [[0, 0], [h0, ph - h - h0], [w0, pw - w - w0], [0, 0]], constant_values=fill)


def build_resizing(rng, k3):
    d = Dual("resizing_model", rng)
    x = d.input("image", [6, 9, 2])
    common = dict(data_format="channels_last") if k3 else {}
    d.output(d.layer("Resizing", "resize_bilinear", dict(height=4, width=5, interpolation="bilinear",
                                                         crop_to_aspect_ratio=False, **common), x))
    d.output(d.layer("Resizing", "resize_nearest_crop", dict(height=3, width=3, interpolation="nearest",
                                                             crop_to_aspect_ratio=True, **common), x))
    d.output(d.layer("CenterCrop", "center_crop", dict(height=3, width=4, **common), x))
    d.output(d.layer("CenterCrop", "center_crop_upsize", dict(height=8, width=8, **common), x))
    if k3:
        d.output(d.layer("Resizing", "resize_pad", dict(height=5, width=4, interpolation="bilinear",
                                                        crop_to_aspect_ratio=False, pad_to_aspect_ratio=True,
                                                        fill_mode="constant", fill_value=0.5, **common), x))
    d.about = ("Resizing bilinear / nearest+crop_to_aspect_ratio, CenterCrop (crop, and upsize of a smaller "
               "input) (+ Keras 3 pad_to_aspect_ratio with fill_value)")
    return d


def ref_resizing(k3):
    def ref(path, x):
        (v,) = x
        outs = [km.resize_bilinear_half_pixel(v, 4, 5),
                resize_nearest_half_pixel(crop_to_aspect(v, 3, 3), 3, 3),
                v[:, 1:4, 2:6],
                km.resize_bilinear_half_pixel(crop_to_aspect(v, 8, 8), 8, 8)]
        if k3:
            outs.append(km.resize_bilinear_half_pixel(pad_to_aspect(v, 5, 4, 0.5), 5, 4))
        return outs
    return ref


# ---------------------------------------------------------------------------------------------
# Refused configurations: the error names the file, the layer and the option.

def refused(name, build, expect):
    def fn(path, rng):
        d = build(rng)
        d.write_h5(path)
        return d.about
    km.MODELS[name] = dict(fn=fn, ext=".h5", tfjs=False, range=[-1.0, 1.0], expect=expect)


def bad_conv1d_transpose_dilated(rng):
    d = Dual("bad_convt_model", rng)
    x = d.input("signal", [6, 3])
    d.output(d.layer("Conv1DTranspose", "convt_dilated", conv_cfg(False, 2, 3, 1, "same", 2, "linear", False,
                                                                 output_padding=None), x,
                     [("kernel", d.w(3, 2, 3))]))
    d.about = "Conv1DTranspose with dilation_rate 2 (TFLite TRANSPOSE_CONV has no dilation): refused"
    return d


def bad_resizing_bicubic(rng):
    d = Dual("bad_resizing_model", rng)
    x = d.input("image", [6, 6, 1])
    d.output(d.layer("Resizing", "resize_bicubic", dict(height=3, width=3, interpolation="bicubic",
                                                        crop_to_aspect_ratio=False), x))
    d.about = "Resizing with bicubic interpolation (no TFLite builtin): refused"
    return d


def bad_pool3d_channels_first(rng):
    d = Dual("bad_pool3d_model", rng)
    x = d.input("volume", [2, 4, 4, 4])
    d.output(d.layer("MaxPooling3D", "max3d_cf", dict(pool_size=[2, 2, 2], strides=[2, 2, 2], padding="valid",
                                                      data_format="channels_first"), x))
    d.about = "MaxPooling3D with data_format channels_first: refused"
    return d


def register(module):
    global km
    km = module
    both("global_pooling_channels_first", build_global_cf, ref_global_cf, [[5, 7], [3, 4, 2, 5], [2, 3, 4]])
    both("conv1d_transpose", build_conv1d_transpose, ref_conv1d_transpose, [[6, 3]])
    both("depthwise_conv1d", build_depthwise1d, ref_depthwise1d(False), [[11, 3]])
    km.REFERENCES["depthwise_conv1d_k3"] = ([[11, 3]], ref_depthwise1d(True))
    both("pooling3d", build_pool3d, ref_pool3d, [[7, 6, 9, 2]])
    both("conv3d", build_conv3d, ref_conv3d, [[5, 6, 7, 2]])
    both("dot", build_dot, ref_dot, [[6], [6], [3, 4], [5, 4], [3, 5]])
    both("normalization", build_normalization, ref_normalization, [[4, 3]])
    both("resizing", build_resizing, ref_resizing(False), [[6, 9, 2]])
    km.REFERENCES["resizing_k3"] = ([[6, 9, 2]], ref_resizing(True))
    refused("bad_conv1d_transpose_dilated", bad_conv1d_transpose_dilated, "layer 'convt_dilated' (Conv1DTranspose): dilation_rate")
    refused("bad_resizing_bicubic", bad_resizing_bicubic, "interpolation 'bicubic' is not supported")
    refused("bad_pool3d_channels_first", bad_pool3d_channels_first, "layer 'max3d_cf' (MaxPooling3D): data_format 'channels_first'")
    both("spatial3d", build_spatial3d, ref_spatial3d, [[3, 4, 5, 2]])
