"""TF-op layers (tf.keras TFOpLambda / SlicingOpLambda) and Keras 3 operation layers.

tf.keras files are written as tf.keras 2.x serializes these layers (KERAS.md C.1): the layer
config names the TF function, the first call argument is the node input (a bare leaf for one
tensor, a list of leaves for a list argument, "_CONSTANT_VALUE" leaves for non-Keras values), the
other arguments are kwargs named after the TF function's parameters, repeated in every leaf;
tensors inside kwargs are 3-item [layer, node, tensor] lists (as in shared geolife_transformer).
Keras 3 files hold operation entries (module keras.src.ops.*, config = name + __init__ args, call
operands in args with __keras_tensor__ / __numpy__ / __tensor__ / __slice__ / __ellipsis__).
References are numpy implementations of the documented TF / numpy semantics.
"""
import numpy as np


def register(km):
    model, Model, REFERENCES = km.model, km.Model, km.REFERENCES

    # ------------------------------------------------------------------ tf.keras helpers

    class TfOpModel(Model):
        def __init__(self, name, rng):
            super().__init__(name, rng)
            self.counts = {}

        def tfop(self, function, first, kwargs=None, cls="TFOpLambda"):
            """Calls tf.<function>(first, **kwargs) on Keras tensors; returns the output ref
            (a multi-output function: use (name, 0, k))."""
            base = "tf." + function
            n = self.counts.get(base, 0)
            self.counts[base] = n + 1
            name = base if n == 0 else f"{base}_{n}"
            kw = {}
            for k, v in (kwargs or {}).items():
                kw[k] = [v[0], v[1], v[2]] if isinstance(v, tuple) else v
            kw.setdefault("name", None)

            def leaf(v):
                if isinstance(v, tuple):
                    return [v[0], v[1], v[2], kw]
                return ["_CONSTANT_VALUE", -1, v, kw]
            node = [leaf(v) for v in first] if isinstance(first, list) else leaf(first)
            entry = {"class_name": cls, "config": {"name": name, "trainable": True, "dtype": "float32",
                                                   "function": function},
                     "name": name, "inbound_nodes": [node]}
            self._add(entry)
            self.weights[name] = []
            return (name, 0, 0)

        def getitem(self, x, spec):
            return self.tfop("__operators__.getitem", x, {"slice_spec": spec}, cls="SlicingOpLambda")

    def sl(start=None, stop=None, step=None):
        return {"start": start, "stop": stop, "step": step}

    ELL = {"class_name": "__ellipsis__"}

    def dense(m, name, x, n_in, n_out):
        return m.layer("Dense", km.c_dense(name, n_out), x, [("kernel", m.w(n_in, n_out)), ("bias", m.w(n_out))])

    def sigmoid(x):
        return 1.0 / (1.0 + np.exp(-x))

    def softmax(x, axis=-1):
        e = np.exp(x - x.max(axis=axis, keepdims=True))
        return e / e.sum(axis=axis, keepdims=True)

    # ---------------------------------------------------------------- 1. operators (geolife style)

    @model("tfop_operators", tfjs=False)
    def m_operators(path, rng):
        m = TfOpModel("tfop_operators", rng)
        x = m.input("input_1", [4, 6])
        d = dense(m, "dense", x, 6, 6)
        a = m.tfop("__operators__.add", x, {"y": d})                 # x + dense(x)
        b = m.tfop("math.subtract", 1.0, {"y": a})                   # 1.0 - a (_CONSTANT_VALUE first)
        c = m.tfop("math.multiply", b, {"y": 0.5})                   # b * 0.5
        sq = m.tfop("math.square", x)
        den = m.tfop("__operators__.add", sq, {"y": 1.0})
        q = m.tfop("math.truediv", c, {"y": den})                    # c / (x² + 1)
        ng = m.tfop("math.negative", q)
        pw = m.tfop("math.pow", den, {"y": 0.5})
        mx = m.tfop("math.maximum", ng, {"y": pw})
        mn = m.tfop("math.minimum", mx, {"y": [0.1, 0.2, 0.3, 0.4, 0.5, 0.6]})  # list constant
        r = m.tfop("__operators__.add", 2.0, {"y": mn})               # radd: 2.0 + mn
        mm = m.tfop("linalg.matmul", r, {"b": a, "transpose_b": True})  # [1,4,4] BatchMatMulV2
        sd = m.tfop("math.squared_difference", x, {"y": d})
        m.output(r)
        m.output(mm)
        m.output(sd)
        km.write_legacy_h5(path, m, keras_version="2.11.0")
        return "tf.keras TFOpLambda operators: __operators__.add (tensor kwarg y), subtract with a constant first " \
               "argument, multiply/add/minimum with constant y, truediv, negative, pow, maximum, linalg.matmul"

    def ref_operators(path, xs):
        (x,) = xs
        d = x @ km.h5w(path, "dense", "kernel") + km.h5w(path, "dense", "bias")
        a = x + d
        c = (1.0 - a) * 0.5
        den = x * x + 1.0
        q = c / den
        mn = np.minimum(np.maximum(-q, den ** 0.5), np.array([0.1, 0.2, 0.3, 0.4, 0.5, 0.6]))
        r = 2.0 + mn
        return [r, r @ np.swapaxes(a, -1, -2), (x - d) ** 2]

    REFERENCES["tfop_operators"] = ([[4, 6]], ref_operators)

    # ---------------------------------------------------------------- 2. slicing

    @model("tfop_getitem", tfjs=False)
    def m_getitem(path, rng):
        m = TfOpModel("tfop_getitem", rng)
        x = m.input("input_1", [5, 6, 3])
        m.output(m.getitem(x, [sl(), sl(1, 4)]))                     # x[:, 1:4]
        m.output(m.getitem(x, [ELL, -1]))                            # x[..., -1]
        m.output(m.getitem(x, [sl(), None, sl(2, None), sl(None, None, 2)]))  # x[:, None, 2:, ::2]
        m.output(m.getitem(x, [sl(), sl(None, None, -1), 1]))        # x[:, ::-1, 1]
        m.output(m.getitem(x, [sl(), -2, ELL, sl(-2, None)]))        # x[:, -2, ..., -2:]
        m.output(m.tfop("strided_slice", x, {"begin": [0, 1, 0], "end": [0, 5, 3], "strides": [1, 2, 1],
                                             "begin_mask": 1, "end_mask": 1}))
        m.output(m.tfop("slice", x, {"begin": [0, 1, 1, 0], "size": [-1, 3, 2, -1]}))
        km.write_legacy_h5(path, m, keras_version="2.11.0")
        return "SlicingOpLambda __operators__.getitem: slices, negative steps, ellipsis, newaxis, ints; strided_slice, slice"

    def ref_getitem(path, xs):
        (x,) = xs
        return [x[:, 1:4], x[..., -1], x[:, None, 2:, ::2], x[:, ::-1, 1], x[:, -2, ..., -2:], x[:, 1:5:2, 0:3],
                x[:, 1:4, 1:3, :]]

    REFERENCES["tfop_getitem"] = ([[5, 6, 3]], ref_getitem)

    # ---------------------------------------------------------------- 3. shapes and reductions

    @model("tfop_shapes", tfjs=False)
    def m_shapes(path, rng):
        m = TfOpModel("tfop_shapes", rng)
        x = m.input("input_1", [4, 6])
        y = m.input("input_2", [4, 6])
        mean = m.tfop("math.reduce_mean", x, {"axis": -1, "keepdims": True})
        cen = m.tfop("math.subtract", x, {"y": mean})
        tot = m.tfop("reduce_sum", cen, {"axis": [1, 2]})
        mx = m.tfop("math.reduce_max", x, {"axis": 1})
        rs = m.tfop("reshape", x, {"shape": [-1, 3, 8]})
        tr = m.tfop("transpose", rs, {"perm": [0, 2, 1]})
        cc = m.tfop("concat", [x, y, x], {"axis": -1})
        st = m.tfop("stack", [x, y], {"axis": 1})
        ed = m.tfop("expand_dims", mx, {"axis": -1})
        tl = m.tfop("tile", ed, {"multiples": [1, 1, 3]})
        sq = m.tfop("squeeze", mean, {"axis": [-1]})
        sp = m.tfop("split", cc, {"num_or_size_splits": 3, "axis": -1})
        sv = m.tfop("split", y, {"num_or_size_splits": [1, -1, 2], "axis": 2})
        us = m.tfop("unstack", x, {"axis": 1})
        add = m.tfop("__operators__.add", ("tf.split", 0, 1), {"y": ("tf.split", 0, 2)})
        cl = m.tfop("clip_by_value", add, {"clip_value_min": -0.5, "clip_value_max": 0.75})
        ca = m.tfop("cast", m.tfop("cast", cl, {"dtype": "int32"}), {"dtype": "float32"})
        m.output(tot)
        m.output(tr)
        m.output(st)
        m.output(tl)
        m.output(sq)
        m.output(cl)
        m.output(("tf.split_1", 0, 1))
        m.output(("tf.unstack", 0, 3))
        m.output(ca)
        # The WASM TFLite runtime (XNNPACK) fails to invoke a SPLIT with an unconsumed output, so
        # every Split output is used (SPLIT_V / UNPACK do not have that problem).
        m.output(("tf.split", 0, 0))
        km.write_legacy_h5(path, m, keras_version="2.11.0")
        return "reduce_mean/sum/max, reshape, transpose, concat/stack of lists, expand_dims, tile, squeeze, " \
               "split (Split and SplitV, later outputs used), unstack, clip_by_value, cast"

    def ref_shapes(path, xs):
        x, y = xs
        mean = x.mean(axis=-1, keepdims=True)
        cen = x - mean
        mx = x.max(axis=1)
        cc = np.concatenate([x, y, x], axis=-1)
        parts = np.split(cc, 3, axis=-1)
        cl = np.clip(parts[1] + parts[2], -0.5, 0.75)
        return [cen.sum(axis=(1, 2)), np.transpose(x.reshape(1, 3, 8), (0, 2, 1)), np.stack([x, y], axis=1),
                np.tile(mx[..., None], (1, 1, 3)), mean[..., 0], cl, y[:, :, 1:4], x[:, 3], np.trunc(cl), parts[0]]

    REFERENCES["tfop_shapes"] = ([[4, 6], [4, 6]], ref_shapes)

    # ---------------------------------------------------------------- 4. nn / math functions

    @model("tfop_functions", tfjs=False)
    def m_functions(path, rng):
        m = TfOpModel("tfop_functions", rng)
        x = m.input("input_1", [3, 8])
        outs = [
            m.tfop("nn.relu", x), m.tfop("nn.relu6", m.tfop("math.multiply", x, {"y": 8.0})),
            m.tfop("nn.gelu", x, {"approximate": True}), m.tfop("nn.gelu", x),
            m.tfop("nn.silu", x), m.tfop("nn.softmax", x, {"axis": 1}), m.tfop("nn.log_softmax", x),
            m.tfop("nn.leaky_relu", x, {"alpha": 0.3}), m.tfop("nn.elu", x), m.tfop("nn.selu", x),
            m.tfop("math.softplus", x), m.tfop("math.l2_normalize", x, {"axis": -1}),
            m.tfop("math.sigmoid", x), m.tfop("math.tanh", x), m.tfop("math.sqrt", m.tfop("math.abs", x)),
            m.tfop("math.rsqrt", m.tfop("__operators__.add", m.tfop("math.square", x), {"y": 1.0})),
            m.tfop("math.exp", x), m.tfop("math.log", m.tfop("math.add", m.tfop("math.abs", x), {"y": 0.5})),
            m.tfop("math.sin", x), m.tfop("math.cos", x), m.tfop("math.reciprocal", m.tfop("math.add", x, {"y": 3.0})),
            m.tfop("math.reduce_std", x, {"axis": -1, "keepdims": True}),
            m.tfop("math.cumsum", x, {"axis": 2}),
            m.tfop("nn.softsign", x),
        ]
        for o in outs:
            m.output(o)
        # multi-output nn.moments, both outputs used
        mo = m.tfop("nn.moments", x, {"axes": [1], "keepdims": False})
        m.output(("tf.nn.moments", 0, 0))
        m.output(("tf.nn.moments", 0, 1))
        del mo
        am = m.tfop("cast", m.tfop("math.argmax", x, {"axis": -1, "output_type": "int32"}), {"dtype": "float32"})
        m.output(am)
        g = m.tfop("gather", x, {"indices": [2, 0, 2, 1], "axis": 2})
        m.output(g)
        w = m.tfop("where", m.tfop("math.greater", x, {"y": 0.0}), {"x": x, "y": m.tfop("zeros_like", x)})
        m.output(w)
        p = m.tfop("pad", x, {"paddings": [[0, 0], [1, 0], [0, 2]]})
        m.output(p)
        m.output(m.tfop("math.add_n", [x, outs[0], outs[13]]))
        m.output(m.tfop("norm", x, {"axis": -1}))
        km.write_legacy_h5(path, m, keras_version="2.11.0")
        return "nn/math functions: relu, relu6, gelu (both), silu, softmax(axis), log_softmax, leaky_relu, elu, " \
               "selu, softplus, l2_normalize, sigmoid, tanh, sqrt, abs, rsqrt, exp, log, sin, cos, reciprocal, " \
               "reduce_std, cumsum, softsign, moments (2 outputs), argmax, gather, where, zeros_like, pad, add_n, norm"

    def erf(x):
        # Abramowitz-Stegun 7.1.26 is too coarse for 1e-4; use math.erf elementwise.
        import math
        return np.vectorize(math.erf)(x)

    def ref_functions(path, xs):
        (x,) = xs
        selu_a, selu_s = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946
        mean = x.mean(axis=1)
        var = ((x - x.mean(axis=1, keepdims=True)) ** 2).mean(axis=1)
        return [
            np.maximum(x, 0), np.clip(8 * x, 0, 6),
            0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3))),
            0.5 * x * (1 + erf(x / np.sqrt(2))),
            x * sigmoid(x), softmax(x, 1), np.log(softmax(x, -1)),
            np.where(x > 0, x, 0.3 * x), np.where(x > 0, x, np.exp(x) - 1),
            selu_s * np.where(x > 0, x, selu_a * (np.exp(x) - 1)),
            np.log1p(np.exp(x)), x / np.sqrt(np.maximum((x * x).sum(axis=-1, keepdims=True), 1e-12)),
            sigmoid(x), np.tanh(x), np.sqrt(np.abs(x)), 1 / np.sqrt(x * x + 1), np.exp(x),
            np.log(np.abs(x) + 0.5), np.sin(x), np.cos(x), 1 / (x + 3.0),
            x.std(axis=-1, keepdims=True), np.cumsum(x, axis=2), x / (1 + np.abs(x)),
            mean, var, np.argmax(x, axis=-1).astype(np.float32), x[:, :, [2, 0, 2, 1]],
            np.where(x > 0, x, 0.0), np.pad(x, [[0, 0], [1, 0], [0, 2]]),
            x + np.maximum(x, 0) + np.tanh(x), np.sqrt((x * x).sum(axis=-1)),
        ]

    REFERENCES["tfop_functions"] = ([[3, 8]], ref_functions)

    # ---------------------------------------------------------------- 5. image.resize

    @model("tfop_resize", tfjs=False)
    def m_resize(path, rng):
        m = TfOpModel("tfop_resize", rng)
        x = m.input("image", [4, 3, 2])
        m.output(m.tfop("image.resize", x, {"size": [8, 6], "method": "bilinear", "preserve_aspect_ratio": False,
                                              "antialias": False}))
        m.output(m.tfop("image.resize", x, {"size": [8, 9], "method": "nearest"}))
        km.write_legacy_h5(path, m, keras_version="2.11.0")
        return "tf.image.resize bilinear and nearest (half-pixel centers)"

    def ref_resize(path, xs):
        (x,) = xs
        # TF2 nearest with half_pixel_centers: src = floor((i + 0.5) * in / out)
        def nearest(a, oh, ow):
            _, h, w, _ = a.shape
            iy = np.minimum(np.floor((np.arange(oh) + 0.5) * h / oh).astype(int), h - 1)
            ix = np.minimum(np.floor((np.arange(ow) + 0.5) * w / ow).astype(int), w - 1)
            return a[:, iy][:, :, ix]
        return [km.resize_bilinear_half_pixel(x, 8, 6), nearest(x, 8, 9)]

    REFERENCES["tfop_resize"] = ([[4, 3, 2]], ref_resize)

    # ------------------------------------------------------- 5b. shapes read from tf.shape

    @model("tfop_static_shape", tfjs=False)
    def m_static_shape(path, rng):
        m = TfOpModel("tfop_static_shape", rng)
        x = m.input("input_1", [4, 6])
        y = m.input("input_2", [8, 3])
        s = m.tfop("shape", x)
        b = m.getitem(s, 0)                                   # tf.shape(x)[0] (the batch)
        n = m.getitem(s, [sl(1, None)])                       # tf.shape(x)[1:]
        m.output(m.tfop("reshape", x, {"shape": [b, -1, 3]}))  # reshape(x, [batch, -1, 3])
        m.output(m.tfop("reshape", y, {"shape": m.tfop("compat.v1.shape", x)}))  # reshape(y, tf.shape(x))
        m.output(m.tfop("tile", y, {"multiples": [b, 1, 2]}))
        m.output(m.tfop("math.multiply", x, {"y": m.tfop("cast", m.getitem(n, 1), {"dtype": "float32"})}))  # x * 6
        pos = m.tfop("cast", m.tfop("range", m.getitem(s, 1)), {"dtype": "float32"})  # range(tf.shape(x)[1])
        m.output(m.tfop("__operators__.add", x, {"y": m.tfop("expand_dims", pos, {"axis": -1})}))
        m.output(m.tfop("reverse", x, {"axis": [2]}))
        m.output(m.tfop("broadcast_to", m.getitem(x, [sl(), sl(None, 1)]), {"shape": [1, 4, 6]}))
        anyp = m.tfop("math.reduce_any", m.tfop("math.greater", x, {"y": 0.5}), {"axis": -1})
        m.output(m.tfop("cast", anyp, {"dtype": "float32"}))
        km.write_legacy_h5(path, m, keras_version="2.11.0")
        return "range, reverse, broadcast_to, reduce_any; tf.shape / compat.v1.shape of a static shape (batch 1) used as reshape/tile arguments, sliced with getitem"

    def ref_static_shape(path, xs):
        x, y = xs
        return [x.reshape(1, 8, 3), y.reshape(1, 4, 6), np.tile(y, (1, 1, 2)), x * 6.0,
                x + np.arange(4.0)[:, None], x[:, :, ::-1], np.broadcast_to(x[:, :1], (1, 4, 6)),
                (x > 0.5).any(axis=-1).astype(np.float32)]

    REFERENCES["tfop_static_shape"] = ([[4, 6], [8, 3]], ref_static_shape)

    # ------------------------------------------------------- 5d. integer inputs

    @model("tfop_int_ops", tfjs=False, rng_range=(0, 4))
    def m_int_ops(path, rng):
        m = TfOpModel("tfop_int_ops", rng)
        ids = m.input("ids", [3], dtype="int32")
        m.output(m.tfop("one_hot", ids, {"depth": 4, "on_value": 2.0, "off_value": -1.0}))
        m.output(m.tfop("cast", m.tfop("math.add", ids, {"y": 1}), {"dtype": "float32"}))  # int32 + int32 constant
        km.write_legacy_h5(path, m, keras_version="2.11.0")
        return "one_hot and an int32 add with a constant (constants take the tensor's dtype)"

    def ref_int_ops(path, xs):
        (ids,) = xs
        oh = np.where(np.arange(4)[None, None, :] == ids[..., None], 2.0, -1.0)
        return [oh, (ids + 1).astype(np.float32)]

    REFERENCES["tfop_int_ops"] = ([[3]], ref_int_ops, lambda rng, shapes: [rng.integers(0, 4, (1, 3)).astype(np.int32)])

    # ------------------------------------------- 5c. tf.keras 2.15 .keras archive with TF-op layers

    @model("tfop_tfkeras_zip", ext=".keras", tfjs=False)
    def m_tfkeras_zip(path, rng):
        m = TfOpModel("model", rng)
        x = m.input("input_1", [4, 6])
        d = dense(m, "dense", x, 6, 6)
        a = m.tfop("__operators__.add", x, {"y": d})
        m.output(m.getitem(a, [sl(), -1]))
        # tf.keras 2.13-2.15 .keras: Keras 2 node lists, module/registered_name on every entry
        # (TFOpLambda is Keras-internal: module keras.src.layers.core.tf_op_layer, KERAS.md A.4).
        for e in m.layers:
            internal = e["class_name"] in ("TFOpLambda", "SlicingOpLambda")
            e["module"] = "keras.src.layers.core.tf_op_layer" if internal else "keras.layers"
            e["registered_name"] = e["class_name"] if internal else None
        cfg = m.config()
        cfg.update({"module": "keras.src.engine.functional", "registered_name": "Functional"})
        k, b = m.weights["dense"][0][1], m.weights["dense"][1][1]
        km.write_keras_zip(path, cfg, [("input_1", "InputLayer", [], False), ("dense", "Dense", [k, b], False),
                                       ("tf.__operators__.add", "TFOpLambda", [], False),
                                       ("tf.__operators__.getitem", "SlicingOpLambda", [], False)],
                           "model", keras_version="2.15.0")
        return "tf.keras 2.15 .keras archive: TFOpLambda add (tensor kwarg) and SlicingOpLambda x[:, -1]"

    def ref_tfkeras_zip(path, xs):
        (x,) = xs
        k, b = k3_zip_weights(path, "dense")
        return [(x + x @ k + b)[:, -1]]

    REFERENCES["tfop_tfkeras_zip"] = ([[4, 6]], ref_tfkeras_zip)

    # ---------------------------------------------------------------- 6. unsupported function

    @model("bad_tfop_unsupported", tfjs=False, expect="TF function 'math.bessel_i0' is not supported")
    def b_unsupported(path, rng):
        m = TfOpModel("bad_tfop", rng)
        x = m.input("input_1", [4])
        m.output(m.tfop("math.bessel_i0", x))
        km.write_legacy_h5(path, m, keras_version="2.11.0")
        return "a TFOpLambda calling a TF function tflc does not support"

    @model("bad_tfop_tensor_index", tfjs=False, expect="indexing with a tensor is not supported")
    def b_tensor_index(path, rng):
        m = TfOpModel("bad_tfop_index", rng)
        x = m.input("input_1", [4])
        i = m.input("index", [1], dtype="int32")
        m.output(m.getitem(x, [sl(), i]))   # x[:, i] with i a Keras tensor (a tensor slot in slice_spec)
        km.write_legacy_h5(path, m, keras_version="2.11.0")
        return "x[:, i] with a tensor index (run-time indices are not supported)"

    @model("bad_tfop_reshape", tfjs=False, expect="cannot reshape [1,4,6] (24 elements) to [1,5,5]")
    def b_reshape(path, rng):
        m = TfOpModel("bad_tfop_reshape", rng)
        x = m.input("input_1", [4, 6])
        m.output(m.tfop("reshape", x, {"shape": [1, 5, 5]}))
        km.write_legacy_h5(path, m, keras_version="2.11.0")
        return "tf.reshape to a shape with another number of elements"

    # ------------------------------------------------------------------ Keras 3 helpers

    def k3op(module, cls, name, args, kwargs=None, **cfg):
        c = {"name": name}
        c.update(cfg)
        return {"module": "keras.src.ops." + module, "class_name": cls, "config": c, "registered_name": cls,
                "name": name, "inbound_nodes": [{"args": args, "kwargs": kwargs or {}}]}

    def t(layer, shape, node=0, index=0):
        return km.k3_tensor(layer, [None] + shape, node, index)

    def k3_slice(start=None, stop=None, step=None):
        return {"class_name": "__slice__", "config": {"start": start, "stop": stop, "step": step}}

    K3_ELL = {"class_name": "__ellipsis__", "config": {}}

    @model("keras3_ops", ext=".keras", tfjs=False)
    def m_k3_ops(path, rng):
        w = lambda *s: rng.normal(0, 0.3, s).astype(np.float32)
        bias_vec = rng.normal(0, 1.0, (6,)).astype(np.float32)
        layers = [
            km.k3_layer("InputLayer", {"batch_shape": [None, 4, 6], "dtype": "float32", "sparse": False,
                                       "name": "input_layer"}, []),
            km.k3_layer("Dense", km.k3_dense("dense", 6), [{"args": [t("input_layer", [4, 6])], "kwargs": {}}], [None, 4, 6]),
            # x + dense(x) + constant tensor
            k3op("numpy", "Add", "add", [t("input_layer", [4, 6]), t("dense", [4, 6])]),
            k3op("numpy", "Add", "add_1", [t("add", [4, 6]), {"class_name": "__tensor__",
                                                             "config": {"value": bias_vec.tolist(), "dtype": "float32"}}]),
            k3op("numpy", "Subtract", "subtract", [1, t("add_1", [4, 6])]),          # 1 - x
            k3op("numpy", "Multiply", "multiply", [t("subtract", [4, 6]), 0.25]),
            k3op("numpy", "TrueDivide", "true_divide", [t("multiply", [4, 6]),
                                                        {"class_name": "__numpy__", "config": {"value": 2.0, "dtype": "float32"}}]),
            k3op("numpy", "GetItem", "get_item", [t("true_divide", [4, 6]), [k3_slice(), -1]]),            # x[:, -1]
            k3op("numpy", "GetItem", "get_item_1", [t("true_divide", [4, 6]), [K3_ELL, k3_slice(1, 5, 2)]]),  # x[..., 1:5:2]
            k3op("numpy", "Reshape", "reshape", [t("true_divide", [4, 6])], newshape=[-1, 8, 3]),
            k3op("numpy", "Mean", "mean", [t("reshape", [8, 3])], axis=1, keepdims=False),
            k3op("numpy", "Transpose", "transpose", [t("add_1", [4, 6])], axes=[0, 2, 1]),
            k3op("numpy", "Matmul", "matmul", [t("add_1", [4, 6]), t("transpose", [6, 4])]),
            k3op("nn", "Softmax", "softmax", [t("matmul", [4, 4])], axis=-1),
            k3op("numpy", "Concatenate", "concatenate", [[t("get_item", [6]), t("mean", [3])]], axis=-1),
            k3op("nn", "Relu", "relu", [t("concatenate", [9])]),
            k3op("numpy", "Sum", "sum", [t("get_item_1", [4, 2])], axis=[1, 2], keepdims=True),
            k3op("numpy", "ExpandDims", "expand_dims", [t("relu", [9])], axis=1),
            k3op("core", "Cast", "cast", [t("sum", [1, 1])], dtype="float32"),
        ]
        config = km.k3_functional_config("functional", layers, [["input_layer", 0, 0]],
                                         [["softmax", 0, 0], ["expand_dims", 0, 0], ["cast", 0, 0]])
        km.write_keras_zip(path, config, [
            ("input_layer", "InputLayer", [], False),
            ("dense", "Dense", [w(6, 6), w(6)], False)], "functional", keras_version="3.9.2")
        return "Keras 3 .keras with operation layers: numpy Add (inline __tensor__), Subtract(1, x), Multiply, " \
               "TrueDivide (__numpy__), GetItem (__slice__, __ellipsis__), Reshape, Mean, Transpose, Matmul, " \
               "Concatenate, Sum, ExpandDims, nn Softmax/Relu, core Cast"

    def k3_zip_weights(path, key):
        import io, zipfile, h5py
        with zipfile.ZipFile(path) as z:
            data = z.read("model.weights.h5")
        with h5py.File(io.BytesIO(data), "r") as f:
            g = f["layers"][key]["vars"]
            return [g[str(i)][()].astype(np.float64) for i in range(len(g))]

    def k3_bias_vec(path):
        import json, zipfile
        with zipfile.ZipFile(path) as z:
            cfg = json.loads(z.read("config.json"))
        for l in cfg["config"]["layers"]:
            if l["name"] == "add_1":
                return np.array(l["inbound_nodes"][0]["args"][1]["config"]["value"])
        raise KeyError("add_1")

    def ref_k3_ops(path, xs):
        (x,) = xs
        k, b = k3_zip_weights(path, "dense")
        a1 = x + (x @ k + b) + k3_bias_vec(path)
        td = (1 - a1) * 0.25 / 2.0
        mean = td.reshape(1, 8, 3).mean(axis=1)
        sm = softmax(a1 @ np.transpose(a1, (0, 2, 1)), -1)
        relu = np.maximum(np.concatenate([td[:, -1], mean], axis=-1), 0)
        s = td[..., 1:5:2].sum(axis=(1, 2), keepdims=True)
        return [sm, relu[:, None], s]

    REFERENCES["keras3_ops"] = ([[4, 6]], ref_k3_ops)

    @model("bad_keras3_op_unsupported", ext=".keras", tfjs=False,
           expect="Keras operation 'keras.src.ops.numpy.Digitize' is not supported")
    def b_k3_unsupported(path, rng):
        layers = [
            km.k3_layer("InputLayer", {"batch_shape": [None, 4], "dtype": "float32", "sparse": False,
                                       "name": "input_layer"}, []),
            k3op("numpy", "Digitize", "digitize", [t("input_layer", [4]), [0.0, 0.5]]),
        ]
        config = km.k3_functional_config("functional", layers, [["input_layer", 0, 0]], [["digitize", 0, 0]])
        km.write_keras_zip(path, config, [("input_layer", "InputLayer", [], False)], "functional", keras_version="3.9.2")
        return "a Keras 3 operation tflc does not support (numpy Digitize)"

    @model("keras3_ops_more", ext=".keras", tfjs=False)
    def m_k3_more(path, rng):
        X = lambda: t("input_layer", [4, 6])
        layers = [
            km.k3_layer("InputLayer", {"batch_shape": [None, 4, 6], "dtype": "float32", "sparse": False,
                                       "name": "input_layer"}, []),
            k3op("numpy", "Clip", "clip", [X()], x_min=-0.5, x_max=0.5),
            k3op("numpy", "Tile", "tile", [X()], repeats=[1, 2, 1]),
            k3op("numpy", "Split", "split", [X()], indices_or_sections=[2, 5], axis=-1),
            k3op("numpy", "Take", "take", [X(), [5, 0, 1]], axis=2),
            k3op("numpy", "Greater", "greater", [X(), 0.0]),
            k3op("numpy", "Multiply", "multiply", [X(), 0.1]),
            k3op("numpy", "Where", "where", [t("greater", [4, 6]), X(), t("multiply", [4, 6])]),
            k3op("numpy", "Stack", "stack", [[X(), t("clip", [4, 6])]], axis=1),
            k3op("numpy", "Mean", "mean", [X()], axis=1, keepdims=True),
            k3op("numpy", "Squeeze", "squeeze", [t("mean", [1, 6])], axis=1),
            k3op("numpy", "Absolute", "absolute", [X()]),
            k3op("numpy", "Power", "power", [t("absolute", [4, 6]), 1.5]),
            k3op("nn", "Gelu", "gelu", [X()], approximate=True),
            k3op("nn", "LeakyRelu", "leaky_relu", [X()], negative_slope=0.1),
            k3op("nn", "LogSoftmax", "log_softmax", [X()], axis=1),
            k3op("numpy", "Var", "var", [X()], axis=-1, keepdims=False),
            k3op("numpy", "Flip", "flip", [X()], axis=1),
            k3op("linalg", "Norm", "norm", [X()], ord=None, axis=-1, keepdims=False),
            k3op("numpy", "Square", "square", [X()]),
            k3op("numpy", "Sqrt", "sqrt", [t("square", [4, 6])]),
            k3op("numpy", "Negative", "negative", [t("sqrt", [4, 6])]),
            k3op("numpy", "Exp", "exp", [X()]),
            k3op("numpy", "Log", "log", [t("exp", [4, 6])]),
            k3op("nn", "Silu", "silu", [X()]),
            k3op("numpy", "Maximum", "maximum", [t("silu", [4, 6]), t("log", [4, 6])]),
        ]
        outs = [["clip", 0, 0], ["tile", 0, 0], ["split", 0, 1], ["take", 0, 0], ["where", 0, 0], ["stack", 0, 0],
                ["squeeze", 0, 0], ["power", 0, 0], ["gelu", 0, 0], ["leaky_relu", 0, 0], ["log_softmax", 0, 0],
                ["var", 0, 0], ["flip", 0, 0], ["norm", 0, 0], ["negative", 0, 0], ["maximum", 0, 0]]
        config = km.k3_functional_config("functional", layers, [["input_layer", 0, 0]], outs)
        km.write_keras_zip(path, config, [("input_layer", "InputLayer", [], False)], "functional", keras_version="3.9.2")
        return "Keras 3 operations: Clip, Tile, Split (split points, 2nd output), Take, Greater/Where, Stack, Squeeze, " \
               "Absolute/Power, Gelu, LeakyRelu, LogSoftmax, Var, Flip, linalg Norm, Square/Sqrt/Negative, Exp/Log, Silu, Maximum"

    def ref_k3_more(path, xs):
        (x,) = xs
        clip = np.clip(x, -0.5, 0.5)
        e = np.exp(x - x.max(axis=1, keepdims=True))
        return [clip, np.tile(x, (1, 2, 1)), x[..., 2:5], x[:, :, [5, 0, 1]], np.where(x > 0, x, 0.1 * x),
                np.stack([x, clip], axis=1), x.mean(axis=1), np.abs(x) ** 1.5,
                0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3))), np.where(x > 0, x, 0.1 * x),
                np.log(e / e.sum(axis=1, keepdims=True)), x.var(axis=-1), x[:, ::-1], np.sqrt((x * x).sum(axis=-1)),
                -np.abs(x), np.maximum(x * sigmoid(x), x)]

    REFERENCES["keras3_ops_more"] = ([[4, 6]], ref_k3_more)

    # The Einsum TF op is lowered by lower_builtin's Einsum row (branch einsum); the model is
    # registered only when that row's source is in the tree, so this file works before the merge.
    import os
    here = os.path.dirname(os.path.abspath(__file__))
    if os.path.exists(os.path.join(here, "..", "..", "plugins", "lower_builtin", "src", "einsum.cc")):
        @model("keras3_einsum", ext=".keras", tfjs=False)
        def m_k3_einsum(path, rng):
            w = lambda *s: rng.normal(0, 0.3, s).astype(np.float32)
            layers = [
                km.k3_layer("InputLayer", {"batch_shape": [None, 4, 6], "dtype": "float32", "sparse": False,
                                           "name": "input_layer"}, []),
                km.k3_layer("Dense", km.k3_dense("dense", 6), [{"args": [t("input_layer", [4, 6])], "kwargs": {}}],
                            [None, 4, 6]),
                k3op("numpy", "Einsum", "einsum", [t("input_layer", [4, 6]), t("dense", [4, 6])], subscripts="bij,bkj->bik"),
                k3op("numpy", "Einsum", "einsum_1", [t("einsum", [4, 4])], subscripts="bij->bji"),
            ]
            config = km.k3_functional_config("functional", layers, [["input_layer", 0, 0]], [["einsum_1", 0, 0]])
            km.write_keras_zip(path, config, [("input_layer", "InputLayer", [], False),
                                              ("dense", "Dense", [w(6, 6), w(6)], False)], "functional",
                               keras_version="3.9.2")
            return "Keras 3 numpy Einsum operations (two operands, and a transpose)"

        def ref_k3_einsum(path, xs):
            (x,) = xs
            k, b = k3_zip_weights(path, "dense")
            d = x @ k + b
            return [np.einsum("bij->bji", np.einsum("bij,bkj->bik", x, d))]

        REFERENCES["keras3_einsum"] = ([[4, 6]], ref_k3_einsum)

    # Keras 3 legacy H5: op entries with bare class names (no module), next to a stock Add layer.
    @model("keras3_legacy_ops", tfjs=False)
    def m_k3_legacy_ops(path, rng):
        w = lambda *s: rng.normal(0, 0.3, s).astype(np.float32)
        layers = [
            km.k3_layer("InputLayer", {"batch_shape": [None, 6], "dtype": "float32", "sparse": False, "name": "input_a"}, []),
            km.k3_layer("Dense", km.k3_dense("dense", 6), [{"args": [t("input_a", [6])], "kwargs": {}}], [None, 6]),
            # keras.ops.add(x, dense): op (no trainable/dtype, two positional tensors)
            {"class_name": "Add", "config": {"name": "add"}, "name": "add",
             "inbound_nodes": [{"args": [t("input_a", [6]), t("dense", [6])], "kwargs": {}}]},
            # keras.layers.Add()([add, dense]): the stock merge layer (one list argument)
            km.k3_layer("Add", dict(km.k3_common("add_1")), [{"args": [[t("add", [6]), t("dense", [6])]], "kwargs": {}}],
                        [[None, 6], [None, 6]]),
            # keras.ops.reshape (the op's config has no name in 3.9)
            {"class_name": "Reshape", "config": {"newshape": [-1, 2, 3]}, "name": "reshape",
             "inbound_nodes": [{"args": [t("add_1", [6])], "kwargs": {}}]},
            {"class_name": "Mean", "config": {"name": "mean", "axis": -1, "keepdims": False}, "name": "mean",
             "inbound_nodes": [{"args": [t("reshape", [2, 3])], "kwargs": {}}]},
        ]
        for l in layers:
            l.pop("module", None)
            l.pop("registered_name", None)
            l.pop("build_config", None)
        config = {"class_name": "Functional", "config": {"name": "functional", "trainable": True, "layers": layers,
                                                          "input_layers": [["input_a", 0, 0]],
                                                          "output_layers": [["mean", 0, 0]]}}
        fake = Model("functional", rng)
        # op layers are not in model.layers, so not in layer_names
        fake.layers = [{"name": n} for n in ("input_a", "dense", "add_1")]
        fake.weights = {"dense": [("functional/dense/kernel", w(6, 6)), ("functional/dense/bias", w(6))]}
        km.write_legacy_h5(path, fake, keras_version="3.9.2", vlen=True, config=config)
        return "Keras 3 legacy .h5 with op entries under bare class names (Add, Reshape, Mean) next to a stock Add layer"

    def ref_k3_legacy_ops(path, xs):
        (x,) = xs
        d = x @ km.h5w(path, "dense", "kernel") + km.h5w(path, "dense", "bias")
        s = (x + d) + d
        return [s.reshape(1, 2, 3).mean(axis=-1)]

    REFERENCES["keras3_legacy_ops"] = ([[6]], ref_k3_legacy_ops)
