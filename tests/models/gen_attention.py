"""Generated models for the attention / normalization layers (loaded by make_keras_models.py).

EinsumDense, MultiHeadAttention, Attention, AdditiveAttention, LayerNormalization,
GroupNormalization, UnitNormalization in the tf.keras H5 dialect and the Keras 3 `.keras` (and
Keras 3 legacy H5) dialects. Every model has a numpy reference written from the documented layer
semantics (shared KERAS.md B.1-B.4), not from the converter.
"""
import io
import json
import zipfile

import h5py
import numpy as np

km = None  # make_keras_models, set by register()


# ------------------------------------------------------------------------------ file helpers

def read_weight(path, dataset):
    """A dataset of a legacy .h5 (under model_weights/) or of a .keras archive's model.weights.h5."""
    if path.endswith(".keras"):
        with zipfile.ZipFile(path) as z:
            data = z.read("model.weights.h5")
        with h5py.File(io.BytesIO(data), "r") as f:
            return f[dataset][()].astype(np.float64)
    with h5py.File(path, "r") as f:
        return f["model_weights"][dataset][()].astype(np.float64)


def write_zip(path, config, groups, model_name, keras_version):
    """A .keras archive; groups: {"layers/x/vars": [arrays] or [] (empty vars), ...} in write order."""
    buf = io.BytesIO()
    with h5py.File(buf, "w") as f:
        for gpath, arrays in groups.items():
            g = f.require_group(gpath)
            for i, a in enumerate(arrays):
                g.create_dataset(str(i), data=np.asarray(a, np.float32))
        f.create_group("vars").attrs["name"] = model_name
    meta = {"keras_version": keras_version, "date_saved": "2025-01-01@00:00:00"}
    with zipfile.ZipFile(path, "w") as z:
        for member, data, comp in [("metadata.json", json.dumps(meta).encode(), zipfile.ZIP_DEFLATED),
                                   ("config.json", json.dumps(config).encode(), zipfile.ZIP_DEFLATED),
                                   ("model.weights.h5", buf.getvalue(), zipfile.ZIP_STORED)]:
            info = zipfile.ZipInfo(member, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = comp
            z.writestr(info, data)


def set_kwargs(m, layer, kwargs, node=-1):
    """tf.keras writes a call's kwargs into every leaf of the inbound node."""
    for leaf in m.by_name[layer]["inbound_nodes"][node]:
        leaf[3] = dict(kwargs)


def ref3(r):
    return [r[0], r[1], r[2]]


def k3_input(name, shape):
    return km.k3_layer("InputLayer", {"batch_shape": [None] + list(shape), "dtype": "float32", "sparse": False,
                                      "name": name}, [])


def k3_call(*args, **kwargs):
    return [{"args": list(args), "kwargs": kwargs}]


# ------------------------------------------------------------------------------ numpy semantics

def softmax(x, axes):
    m = x.max(axis=axes, keepdims=True)
    e = np.exp(x - m)
    return e / e.sum(axis=axes, keepdims=True)


def layer_norm(x, axes, eps, gamma=None, beta=None, rms=False):
    """KERAS.md B.3: moments over `axes` (population variance); gamma/beta have the dims at axes."""
    mean = x.mean(axis=tuple(axes), keepdims=True)
    var = ((x - mean) ** 2).mean(axis=tuple(axes), keepdims=True)
    bshape = [1] * x.ndim
    for a in axes:
        bshape[a] = x.shape[a]
    if rms:
        return x / np.sqrt(var + eps) * gamma.reshape(bshape)
    y = (x - mean) / np.sqrt(var + eps)
    if gamma is not None:
        y = y * gamma.reshape(bshape)
    if beta is not None:
        y = y + beta.reshape(bshape)
    return y


def group_norm(x, groups, eps, gamma, beta, axis=-1):
    axis = axis % x.ndim
    c = x.shape[axis]
    xs = np.moveaxis(x, axis, -1)
    g = xs.reshape(xs.shape[:-1] + (groups, c // groups))
    red = tuple(range(1, g.ndim - 2)) + (g.ndim - 1,)
    mean = g.mean(axis=red, keepdims=True)
    var = ((g - mean) ** 2).mean(axis=red, keepdims=True)
    y = ((g - mean) / np.sqrt(var + eps)).reshape(xs.shape) * gamma + beta
    return np.moveaxis(y, -1, axis)


def unit_norm(x, axes, new_formula):
    s = (x ** 2).sum(axis=tuple(axes), keepdims=True)
    if new_formula:  # Keras >= 3.6
        return x * np.minimum(1 / np.sqrt(s), 1e12)
    return x / np.sqrt(np.maximum(s, 1e-12))


def mha(q, v, k, w, heads, key_dim, axes=None, mask=None, causal=False, gate=None):
    """KERAS.md B.1 for query (1, *q_seq, dq): projections, scaled scores over the attention axes,
    additive -1e9 masking, softmax over the key positions, context, output projection.
    w: dict of (kernel, bias) per sub-layer: query/key/value/attention_output (+gate)."""
    def proj(x, kb):
        y = np.tensordot(x, kb[0], axes=([x.ndim - 1], [0]))
        return y + kb[1] if kb[1] is not None else y
    Q, K, V = proj(q, w["query"]), proj(k, w["key"]), proj(v, w["value"])    # (1, *seq, N, d)
    r = q.ndim
    axes = list(range(1, r - 1)) if axes is None else axes
    batch_axes = [i for i in range(r - 1) if i not in axes] + [r - 1]       # incl. heads
    # (batch dims..., heads) x (attention positions) x d
    def split(X):
        Xt = np.transpose(X, batch_axes + axes + [r])
        bshape = Xt.shape[:len(batch_axes)]
        pshape = Xt.shape[len(batch_axes):len(batch_axes) + len(axes)]
        return Xt.reshape(bshape + (int(np.prod(pshape)), X.shape[-1])), bshape, pshape
    Qf, bq, pq = split(Q / np.sqrt(key_dim))
    Kf, _, pk = split(K)
    Vf, _, _ = split(V)
    scores = Qf @ np.swapaxes(Kf, -1, -2)                                    # (..., Tq, Tk)
    full_mask = np.ones(scores.shape[-2:])
    if causal:
        full_mask = full_mask * np.tril(np.ones(scores.shape[-2:]))
    if mask is not None:  # (1, *pq, *pk) boolean-ish, broadcast over heads
        mm = (mask != 0).astype(np.float64).reshape(mask.shape[0], int(np.prod(pq)), int(np.prod(pk)))
        nb = len(bq) - 1   # heads axis position in the flattened batch dims
        full_mask = full_mask * mm.reshape((mm.shape[0],) + (1,) * nb + mm.shape[1:])
    scores = scores + (1.0 - full_mask) * -1e9
    probs = softmax(scores, -1)
    ctx = probs @ Vf                                                         # (..., Tq, dv)
    # back to (1, *seq, N, dv)
    ctx = ctx.reshape(bq + pq + (ctx.shape[-1],))
    inv = np.argsort(batch_axes + axes + [r])
    C = np.transpose(ctx, inv)
    if gate is not None:
        C = C * (1 / (1 + np.exp(-proj(q, gate))))
    Wo, bo = w["attention_output"]
    out = np.tensordot(C, Wo, axes=([r - 1, r], [0, 1]))
    if bo is not None:
        out = out + bo
    return out, probs.reshape(bq + pq + pk)


def dense_attention(q, v, k, mode, scale=None, concat_w=None, causal=False, vmask=None, qmask=None):
    """KERAS.md B.4 (Attention dot/concat; mode "additive" for AdditiveAttention)."""
    if mode == "dot":
        s = q @ np.swapaxes(k, -1, -2)
        if scale is not None:
            s = s * scale
    else:
        t = q[:, :, None, :] + k[:, None, :, :]
        if mode == "concat":
            s = concat_w * np.tanh((scale if scale is not None else 1.0) * t).sum(-1)
        else:
            s = (np.tanh(t) * (scale if scale is not None else 1.0)).sum(-1)
    mask = np.ones(s.shape)
    if vmask is not None:
        mask = mask * (vmask != 0)[:, None, :]
    if causal:
        mask = mask * np.tril(np.ones(s.shape[-2:]))[None]
    s = s - 1e9 * (1 - mask)
    p = softmax(s, -1)
    out = p @ v
    if qmask is not None:
        out = out * (qmask != 0)[:, :, None]
    return out, p


def mask_maker(mask_inputs):
    """REFERENCES maker: uniform floats, 0/1 masks at positions `mask_inputs` (each row keeps key 0)."""
    def make(rng, shapes):
        xs = []
        for i, s in enumerate(shapes):
            if i in mask_inputs:
                m = (rng.uniform(0, 1, [1] + list(s)) > 0.4).astype(np.float32)
                m[..., 0] = 1.0
                xs.append(m)
            else:
                xs.append(rng.uniform(-1, 1, [1] + list(s)).astype(np.float32))
        return xs
    return make


# ------------------------------------------------------------------------------ configs

def k2_cfg(name, **extra):
    return dict(km._common(name), **extra)


def k2_mha_cfg(name, heads, key_dim, value_dim=None, output_shape=None, attention_axes=None, use_bias=True):
    return k2_cfg(name, num_heads=heads, key_dim=key_dim, value_dim=value_dim or key_dim, dropout=0.0,
                  use_bias=use_bias, output_shape=output_shape, attention_axes=attention_axes,
                  kernel_initializer=km.GLOROT, bias_initializer=km.ZEROS, kernel_regularizer=None,
                  bias_regularizer=None, activity_regularizer=None, kernel_constraint=None, bias_constraint=None)


def k3_mha_cfg(name, heads, key_dim, value_dim=None, output_shape=None, attention_axes=None, use_bias=True, **extra):
    return dict(km.k3_common(name), num_heads=heads, key_dim=key_dim, value_dim=value_dim, dropout=0.0,
                use_bias=use_bias, output_shape=output_shape, attention_axes=attention_axes,
                kernel_initializer=km.k3_init("GlorotUniform", seed=None), bias_initializer=km.k3_init("Zeros"),
                kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                bias_constraint=None, seed=None, **extra)


def k2_ln_cfg(name, axis=-1, epsilon=1e-3, center=True, scale=True):
    return k2_cfg(name, axis=axis, epsilon=epsilon, center=center, scale=scale, beta_initializer=km.ZEROS,
                  gamma_initializer=km.ONES, beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                  gamma_constraint=None)


def mha_weights(rng, dq, dk_in, dv_in, heads, key_dim, value_dim, out_dims, gate=False, use_bias=True):
    """(sub-layer, kernel, bias) in Keras order: query, key, [gate], value, attention_output."""
    w = lambda *s: rng.normal(0, 0.4, s)
    out = [("query", w(dq, heads, key_dim), w(heads, key_dim) if use_bias else None),
           ("key", w(dk_in, heads, key_dim), w(heads, key_dim) if use_bias else None)]
    if gate:
        out.append(("gate", w(dq, heads, value_dim), w(heads, value_dim) if use_bias else None))
    out.append(("value", w(dv_in, heads, value_dim), w(heads, value_dim) if use_bias else None))
    out.append(("attention_output", w(heads, value_dim, *out_dims), w(*out_dims) if use_bias else None))
    return out


def h5_weight_list(ws):
    lst = []
    for sub, k, b in ws:
        lst.append((f"{sub}/kernel", k))
        if b is not None:
            lst.append((f"{sub}/bias", b))
    return lst


# ------------------------------------------------------------------------------ models

def register(module):
    global km
    km = module
    model, REF = km.model, km.REFERENCES

    # ---------------------------------------------------------------- LayerNormalization (tf.keras)
    @model("layer_norm_axes", tfjs=False)
    def m_ln(path, rng):
        m = km.Model("ln_model", rng)
        x = m.input("x", [4, 6])
        y = m.layer("LayerNormalization", k2_ln_cfg("ln_last", axis=[2], epsilon=1e-6), x,
                    [("gamma", m.positive(6)), ("beta", m.w(6))])
        y = m.layer("LayerNormalization", k2_ln_cfg("ln_both", axis=[1, 2], center=False), y,
                    [("gamma", m.positive(4, 6))])
        y = m.layer("LayerNormalization", k2_ln_cfg("ln_time", axis=1, scale=False), y, [("beta", m.w(4))])
        m.output(y)
        km.write_legacy_h5(path, m, keras_version="2.11.0")
        return "LayerNormalization axis [2] (eps 1e-6), axis [1, 2] without beta, axis 1 without gamma"

    def ref_ln(path, xs):
        (x,) = xs
        y = layer_norm(x, [2], 1e-6, read_weight(path, "ln_last/ln_last/gamma:0"), read_weight(path, "ln_last/ln_last/beta:0"))
        y = layer_norm(y, [1, 2], 1e-3, gamma=read_weight(path, "ln_both/ln_both/gamma:0"))
        return [layer_norm(y, [1], 1e-3, beta=read_weight(path, "ln_time/ln_time/beta:0"))]
    REF["layer_norm_axes"] = ([[4, 6]], ref_ln)

    # ---------------------------------------------------------------- LayerNormalization (Keras 3 .keras, rms_scaling)
    @model("layer_norm_keras3", ext=".keras", tfjs=False)
    def m_ln3(path, rng):
        ln = lambda name, **kw: dict(km.k3_common(name), axis=kw.pop("axis", -1), epsilon=kw.pop("epsilon", 1e-3),
                                     center=True, scale=True, rms_scaling=kw.pop("rms", False),
                                     beta_initializer=km.k3_init("Zeros"), gamma_initializer=km.k3_init("Ones"),
                                     beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                                     gamma_constraint=None)
        layers = [k3_input("input_layer", [3, 5]),
                  km.k3_layer("LayerNormalization", ln("layer_normalization", axis=[-1]),
                              k3_call(km.k3_tensor("input_layer", [None, 3, 5])), [None, 3, 5]),
                  km.k3_layer("LayerNormalization", ln("layer_normalization_1", axis=[-2, -1], rms=True, epsilon=1e-5),
                              k3_call(km.k3_tensor("layer_normalization", [None, 3, 5])), [None, 3, 5])]
        config = km.k3_functional_config("functional", layers, [["input_layer", 0, 0]], [["layer_normalization_1", 0, 0]])
        w = lambda *s: rng.normal(0, 0.3, s)
        write_zip(path, config, {"layers/input_layer/vars": [],
                                 "layers/layer_normalization/vars": [rng.uniform(0.5, 1.5, 5), w(5)],
                                 "layers/layer_normalization_1/vars": [rng.uniform(0.5, 1.5, (3, 5))]},
                  "functional", "3.9.2")
        return "Keras 3 .keras LayerNormalization axis [-1], and axis [-2, -1] with rms_scaling (gamma only)"

    def ref_ln3(path, xs):
        (x,) = xs
        y = layer_norm(x, [2], 1e-3, read_weight(path, "layers/layer_normalization/vars/0"),
                       read_weight(path, "layers/layer_normalization/vars/1"))
        return [layer_norm(y, [1, 2], 1e-5, read_weight(path, "layers/layer_normalization_1/vars/0"), rms=True)]
    REF["layer_norm_keras3"] = ([[3, 5]], ref_ln3)

    # ---------------------------------------------------------------- GroupNormalization
    @model("group_norm", tfjs=False)
    def m_gn(path, rng):
        gn = lambda name, groups, axis=-1, eps=1e-3, center=True, scale=True: k2_cfg(
            name, groups=groups, axis=axis, epsilon=eps, center=center, scale=scale, beta_initializer=km.ZEROS,
            gamma_initializer=km.ONES, beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
            gamma_constraint=None)
        m = km.Model("gn_model", rng)
        a = m.input("seq", [5, 6])
        b = m.input("image", [3, 3, 4])
        ya = m.layer("GroupNormalization", gn("gn_seq", 3), a, [("gamma", m.positive(6)), ("beta", m.w(6))])
        ya = m.layer("GroupNormalization", gn("gn_per_channel", -1, eps=1e-5), ya,
                     [("gamma", m.positive(6)), ("beta", m.w(6))])
        yb = m.layer("GroupNormalization", gn("gn_image", 2), b, [("gamma", m.positive(4)), ("beta", m.w(4))])
        m.output(ya)
        m.output(yb)
        km.write_legacy_h5(path, m, keras_version="2.13.1")
        return "GroupNormalization groups 3 on (5, 6), groups -1 (per channel), groups 2 on (3, 3, 4)"

    def ref_gn(path, xs):
        a, b = xs
        g = lambda l, n: read_weight(path, f"{l}/{l}/{n}:0")
        ya = group_norm(a, 3, 1e-3, g("gn_seq", "gamma"), g("gn_seq", "beta"))
        ya = group_norm(ya, 6, 1e-5, g("gn_per_channel", "gamma"), g("gn_per_channel", "beta"))
        return [ya, group_norm(b, 2, 1e-3, g("gn_image", "gamma"), g("gn_image", "beta"))]
    REF["group_norm"] = ([[5, 6], [3, 3, 4]], ref_gn)

    # ---------------------------------------------------------------- UnitNormalization (both formulas)
    @model("unit_norm_tfkeras", tfjs=False)
    def m_un2(path, rng):
        m = km.Model("un_model", rng)
        x = m.input("x", [3, 4])
        y = m.layer("UnitNormalization", k2_cfg("un_last", axis=-1), x)
        y2 = m.layer("UnitNormalization", k2_cfg("un_both", axis=[1, 2]), x)
        m.output(y)
        m.output(y2)
        km.write_legacy_h5(path, m, keras_version="2.13.1")
        return "UnitNormalization axis -1 and [1, 2] (tf.keras: x * rsqrt(max(sum x^2, 1e-12)))"
    REF["unit_norm_tfkeras"] = ([[3, 4]], lambda path, xs: [unit_norm(xs[0], [2], False), unit_norm(xs[0], [1, 2], False)])

    @model("unit_norm_keras3", ext=".keras", tfjs=False)
    def m_un3(path, rng):
        layers = [k3_input("input_layer", [3, 4]),
                  km.k3_layer("UnitNormalization", dict(km.k3_common("unit_normalization"), axis=[1]),
                              k3_call(km.k3_tensor("input_layer", [None, 3, 4])), [None, 3, 4])]
        config = km.k3_functional_config("functional", layers, [["input_layer", 0, 0]], [["unit_normalization", 0, 0]])
        write_zip(path, config, {"layers/input_layer/vars": [], "layers/unit_normalization/vars": []}, "functional", "3.8.0")
        return "Keras 3.8 UnitNormalization axis [1] (x * min(rsqrt(sum x^2), 1e12))"
    REF["unit_norm_keras3"] = ([[3, 4]], lambda path, xs: [unit_norm(xs[0], [1], True)])

    # ---------------------------------------------------------------- Attention / AdditiveAttention (tf.keras 2.9)
    @model("dense_attention", tfjs=False)
    def m_att(path, rng):
        m = km.Model("att_model", rng)
        q = m.input("q", [4, 6])
        v = m.input("v", [5, 6])
        k = m.input("k", [5, 6])
        att = lambda name, **kw: k2_cfg(name, use_scale=kw.get("use_scale", False), score_mode=kw.get("score_mode", "dot"),
                                        dropout=0.0, **({"causal": True} if kw.get("causal") else {}))
        o1 = m.layer("Attention", att("att_dot", use_scale=True, causal=True), [q, v], [("scale", np.array(0.7))])
        set_kwargs(m, "att_dot", {"return_attention_scores": True})
        o2 = m.layer("AdditiveAttention", k2_cfg("att_add", use_scale=True, dropout=0.0), [q, v, k],
                     [("scale", m.w(6))])
        o3 = m.layer("Attention", att("att_concat", use_scale=True, score_mode="concat"), [q, v, k],
                     [("scale", np.array(0.8)), ("concat_score_weight", np.array(1.3))])
        m.output(o1)
        m.output(("att_dot", 0, 1))
        m.output(o2)
        m.output(o3)
        km.write_legacy_h5(path, m, keras_version="2.9.0")
        return ("tf.keras 2.9 Attention dot use_scale causal (config) + scores, AdditiveAttention [q, v, k], "
                "Attention concat use_scale")

    def ref_att(path, xs):
        q, v, k = xs
        o1, p1 = dense_attention(q, v, v, "dot", scale=read_weight(path, "att_dot/att_dot/scale:0"), causal=True)
        o2, _ = dense_attention(q, v, k, "additive", scale=read_weight(path, "att_add/att_add/scale:0"))
        o3, _ = dense_attention(q, v, k, "concat", scale=read_weight(path, "att_concat/att_concat/scale:0"),
                                concat_w=read_weight(path, "att_concat/att_concat/concat_score_weight:0"))
        return [o1, p1, o2, o3]
    REF["dense_attention"] = ([[4, 6], [5, 6], [5, 6]], ref_att)

    # ---------------------------------------------------------------- Attention (Keras 3 .keras, kwargs)
    @model("dense_attention_keras3", ext=".keras", tfjs=False)
    def m_att3(path, rng):
        q_t, v_t, m_t = (km.k3_tensor("q", [None, 4, 3]), km.k3_tensor("v", [None, 4, 3]), km.k3_tensor("vmask", [None, 4]))
        layers = [k3_input("q", [4, 3]), k3_input("v", [4, 3]), k3_input("vmask", [4]),
                  km.k3_layer("Attention", dict(km.k3_common("attention"), use_scale=False, score_mode="dot", dropout=0.0,
                                                seed=None),
                              k3_call([q_t, v_t], mask=[None, m_t], use_causal_mask=True, return_attention_scores=True),
                              [[None, 4, 3], [None, 4, 3]]),
                  km.k3_layer("AdditiveAttention", dict(km.k3_common("additive_attention"), use_scale=False, dropout=0.0),
                              k3_call([q_t, v_t]), [[None, 4, 3], [None, 4, 3]])]
        config = km.k3_functional_config("functional", layers, [["q", 0, 0], ["v", 0, 0], ["vmask", 0, 0]],
                                         [["attention", 0, 0], ["attention", 0, 1], ["additive_attention", 0, 0]])
        write_zip(path, config, {"layers/input_layer/vars": [], "layers/attention/vars": [],
                                 "layers/additive_attention/vars": []}, "functional", "3.8.0")
        return "Keras 3 Attention with mask=[None, value_mask], use_causal_mask, return_attention_scores; AdditiveAttention"

    def ref_att3(path, xs):
        q, v, vm = xs
        o, p = dense_attention(q, v, v, "dot", causal=True, vmask=vm)
        o2, _ = dense_attention(q, v, v, "additive")
        return [o, p, o2]
    REF["dense_attention_keras3"] = ([[4, 3], [4, 3], [4]], ref_att3, mask_maker({2}))

    # ---------------------------------------------------------------- EinsumDense (tf.keras)
    @model("einsum_dense", tfjs=False)
    def m_ed(path, rng):
        ed = lambda name, eq, out, bias, act="linear": k2_cfg(
            name, equation=eq, output_shape=out, activation=act, bias_axes=bias, kernel_initializer=km.GLOROT,
            bias_initializer=km.ZEROS, kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
            kernel_constraint=None, bias_constraint=None)
        m = km.Model("ed_model", rng)
        x = m.input("x", [4, 6])
        y1 = m.layer("EinsumDense", ed("ed_left", "...b,bc->...c", [5], "c", "relu"), x,
                     [("kernel", m.w(6, 5)), ("bias", m.w(5))])
        y2 = m.layer("EinsumDense", ed("ed_right", "ab...,bc->ac...", [3], "c"), x,
                     [("kernel", m.w(4, 3)), ("bias", m.w(3, 1))])
        y3 = m.layer("EinsumDense", ed("ed_full", "abc,cde->abde", [None, 2, 3], "de", "tanh"), x,
                     [("kernel", m.w(6, 2, 3)), ("bias", m.w(2, 3))])
        y4 = m.layer("EinsumDense", ed("ed_nobias", "abc,cd->ad", 7, None), x, [("kernel", m.w(6, 7))])
        for y in (y1, y2, y3, y4):
            m.output(y)
        km.write_legacy_h5(path, m, keras_version="2.11.0")
        return "EinsumDense left/right ellipsis (bias shape rule), partial output_shape with null, no bias"

    def ref_ed(path, xs):
        (x,) = xs
        g = lambda l, n: read_weight(path, f"{l}/{l}/{n}:0")
        y1 = np.maximum(np.einsum("...b,bc->...c", x, g("ed_left", "kernel")) + g("ed_left", "bias"), 0)
        y2 = np.einsum("ab...,bc->ac...", x, g("ed_right", "kernel")) + g("ed_right", "bias")
        y3 = np.tanh(np.einsum("abc,cde->abde", x, g("ed_full", "kernel")) + g("ed_full", "bias"))
        y4 = np.einsum("abc,cd->ad", x, g("ed_nobias", "kernel"))
        return [y1, y2, y3, y4]
    REF["einsum_dense"] = ([[4, 6]], ref_ed)

    # ---------------------------------------------------------------- MHA, tf.keras kwargs style
    @model("mha_tfkeras_kwargs", tfjs=False)
    def m_mha2(path, rng):
        m = km.Model("mha_model", rng)
        q = m.input("query", [4, 6])
        v = m.input("value", [5, 3])
        k = m.input("key", [5, 2])
        am = m.input("mask", [4, 5])
        ws = mha_weights(rng, 6, 2, 3, 2, 3, 4, [7])
        cfg = k2_mha_cfg("multi_head_attention", 2, 3, value_dim=4, output_shape=7, attention_axes=[1])
        cfg.update(query_shape=[None, 4, 6], value_shape=[None, 5, 3], key_shape=[None, 5, 2])
        m.layer("MultiHeadAttention", cfg, q, h5_weight_list(ws))
        set_kwargs(m, "multi_head_attention", {"value": ref3(v), "key": ref3(k), "attention_mask": ref3(am),
                                               "return_attention_scores": True})
        ws2 = mha_weights(rng, 6, 6, 6, 3, 2, 2, [6])
        cfg2 = k2_mha_cfg("self_attention", 3, 2, attention_axes=[1])
        m.layer("MultiHeadAttention", cfg2, q, h5_weight_list(ws2))
        set_kwargs(m, "self_attention", {"value": ref3(q), "use_causal_mask": True})
        m.output(("multi_head_attention", 0, 0))
        m.output(("multi_head_attention", 0, 1))
        m.output(("self_attention", 0, 0))
        km.write_legacy_h5(path, m, keras_version="2.11.0")
        return ("tf.keras MHA with value/key/attention_mask/return_attention_scores kwargs, value_dim, int "
                "output_shape; causal self-attention")

    def ref_mha2(path, xs):
        q, v, k, am = xs
        rd = lambda l, s, n: read_weight(path, f"{l}/{l}/{s}/{n}:0")
        w = {s: (rd("multi_head_attention", s, "kernel"), rd("multi_head_attention", s, "bias"))
             for s in ("query", "key", "value", "attention_output")}
        o, p = mha(q, v, k, w, 2, 3, mask=am)
        w2 = {s: (rd("self_attention", s, "kernel"), rd("self_attention", s, "bias"))
              for s in ("query", "key", "value", "attention_output")}
        o2, _ = mha(q, q, q, w2, 3, 2, causal=True)
        return [o, p, o2]
    REF["mha_tfkeras_kwargs"] = ([[4, 6], [5, 3], [5, 2], [4, 5]], ref_mha2, mask_maker({3}))

    # ---------------------------------------------------------------- MHA, Keras 3 .keras positional + LN block
    def k3_block(path, rng, keras_version, sub_names, gate=False):
        x_t = km.k3_tensor("input_layer", [None, 5, 4])
        extra = {"use_gate": True} if gate else {}
        layers = [k3_input("input_layer", [5, 4]),
                  km.k3_layer("MultiHeadAttention", k3_mha_cfg("multi_head_attention", 2, 3, **extra),
                              k3_call(x_t, x_t, query_mask=None, value_mask=None, use_causal_mask=True),
                              None),
                  km.k3_layer("Add", km.k3_common("add"),
                              k3_call([x_t, km.k3_tensor("multi_head_attention", [None, 5, 4])]), None),
                  km.k3_layer("LayerNormalization", dict(km.k3_common("layer_normalization"), axis=[-1], epsilon=1e-6,
                                                         center=True, scale=True, rms_scaling=False),
                              k3_call(km.k3_tensor("add", [None, 5, 4])), [None, 5, 4])]
        layers[1]["build_config"] = {"shapes_dict": {"query_shape": [None, 5, 4], "value_shape": [None, 5, 4]}}
        config = km.k3_functional_config("functional", layers, [["input_layer", 0, 0]], [["layer_normalization", 0, 0]])
        ws = mha_weights(rng, 4, 4, 4, 2, 3, 3, [4], gate=gate)
        groups = {"layers/input_layer/vars": []}
        for sub, k, b in ws:
            groups[f"layers/multi_head_attention/{sub_names[sub]}/vars"] = [k, b]
        groups["layers/multi_head_attention/_softmax/vars"] = []
        groups["layers/multi_head_attention/_dropout_layer/vars"] = []
        groups["layers/add/vars"] = []
        groups["layers/layer_normalization/vars"] = [rng.uniform(0.5, 1.5, 4), rng.normal(0, 0.3, 4)]
        write_zip(path, config, groups, "functional", keras_version)

    def ref_block(path, xs, sub_names, gate=False):
        (x,) = xs
        w = {s: (read_weight(path, f"layers/multi_head_attention/{n}/vars/0"),
                 read_weight(path, f"layers/multi_head_attention/{n}/vars/1")) for s, n in sub_names.items()}
        o, _ = mha(x, x, x, w, 2, 3, causal=True, gate=w.pop("gate", None) if gate else None)
        return [layer_norm(x + o, [2], 1e-6, read_weight(path, "layers/layer_normalization/vars/0"),
                           read_weight(path, "layers/layer_normalization/vars/1"))]

    names31 = {"query": "query_dense", "key": "key_dense", "value": "value_dense", "attention_output": "output_dense"}
    names30 = {s: "_" + n for s, n in names31.items()}
    names314 = dict(names31, gate="_gate_dense")

    @model("mha_keras3_block", ext=".keras", tfjs=False)
    def m_mha3(path, rng):
        k3_block(path, rng, "3.9.2", names31)
        return "Keras 3.9 .keras: MHA(x, x) positional, use_causal_mask, residual Add, LayerNormalization"
    REF["mha_keras3_block"] = ([[5, 4]], lambda p, xs: ref_block(p, xs, names31))

    @model("mha_keras30_block", ext=".keras", tfjs=False)
    def m_mha30(path, rng):
        k3_block(path, rng, "3.0.5", names30)
        return "Keras 3.0 .keras: MHA sub-layers saved as _query_dense ... (no public alias)"
    REF["mha_keras30_block"] = ([[5, 4]], lambda p, xs: ref_block(p, xs, names30))

    @model("mha_keras314_gate", ext=".keras", tfjs=False)
    def m_mha314(path, rng):
        k3_block(path, rng, "3.14.0", names314, gate=True)
        return "Keras 3.14 .keras: MHA use_gate (sigmoid gate EinsumDense _gate_dense)"
    REF["mha_keras314_gate"] = ([[5, 4]], lambda p, xs: ref_block(p, xs, names314, gate=True))

    # ---------------------------------------------------------------- MHA rank-4 query, attention_axes, list output_shape
    @model("mha_rank4_axes", ext=".keras", tfjs=False)
    def m_mha4(path, rng):
        x_t = km.k3_tensor("input_layer", [None, 3, 4, 5])
        layers = [k3_input("input_layer", [3, 4, 5]),
                  km.k3_layer("MultiHeadAttention", k3_mha_cfg("mha_hw", 2, 3, value_dim=2, attention_axes=[1, 2],
                                                               output_shape=[2, 3]),
                              k3_call(x_t, x_t, return_attention_scores=True), None),
                  km.k3_layer("MultiHeadAttention", k3_mha_cfg("mha_w", 2, 2, attention_axes=[2]),
                              k3_call(x_t, x_t), None)]
        config = km.k3_functional_config("functional", layers, [["input_layer", 0, 0]],
                                         [["mha_hw", 0, 0], ["mha_hw", 0, 1], ["mha_w", 0, 0]])
        groups = {"layers/input_layer/vars": []}
        for key, ws in (("multi_head_attention", mha_weights(rng, 5, 5, 5, 2, 3, 2, [2, 3])),
                        ("multi_head_attention_1", mha_weights(rng, 5, 5, 5, 2, 2, 2, [5]))):
            for sub, k, b in ws:
                groups[f"layers/{key}/{names31[sub]}/vars"] = [k, b]
        write_zip(path, config, groups, "functional", "3.8.0")
        return "Keras 3 MHA on a rank-4 query: attention_axes [1, 2] with output_shape [2, 3] + scores; axes [2]"

    def ref_mha4(path, xs):
        (x,) = xs
        rd = lambda key: {s: (read_weight(path, f"layers/{key}/{n}/vars/0"), read_weight(path, f"layers/{key}/{n}/vars/1"))
                          for s, n in names31.items()}
        o, p = mha(x, x, x, rd("multi_head_attention"), 2, 3, axes=[1, 2])
        o2, _ = mha(x, x, x, rd("multi_head_attention_1"), 2, 2, axes=[2])
        return [o, p, o2]
    REF["mha_rank4_axes"] = ([[3, 4, 5]], ref_mha4)

    # ---------------------------------------------------------------- MHA in a Keras 3 legacy H5
    @model("mha_keras3_legacy_h5", tfjs=False)
    def m_mha3h5(path, rng):
        x_t = km.k3_tensor("input_layer", [None, 4, 6])
        layers = [k3_input("input_layer", [4, 6]),
                  km.k3_layer("MultiHeadAttention", k3_mha_cfg("multi_head_attention_2", 2, 4),
                              k3_call(x_t, x_t, x_t), None)]
        for l in layers:
            l.pop("module", None)
            l.pop("registered_name", None)
        config = {"class_name": "Functional", "config": {"name": "functional", "trainable": True, "layers": layers,
                                                          "input_layers": [["input_layer", 0, 0]],
                                                          "output_layers": [["multi_head_attention_2", 0, 0]]}}
        ws = mha_weights(rng, 6, 6, 6, 2, 4, 4, [6])
        fake = km.Model("functional", rng)
        fake.layers = [{"name": "input_layer"}, {"name": "multi_head_attention_2"}]
        fake.weights = {"multi_head_attention_2": [(f"multi_head_attention_2/{n}", a) for n, a in h5_weight_list(ws)]}
        km.write_legacy_h5(path, fake, keras_version="3.9.2", vlen=True, config=config)
        return "Keras 3 legacy H5 MHA(x, x, x): weight names multi_head_attention_2/query/kernel"

    def ref_mha3h5(path, xs):
        (x,) = xs
        rd = lambda s, n: read_weight(path, f"multi_head_attention_2/multi_head_attention_2/{s}/{n}")
        w = {s: (rd(s, "kernel"), rd(s, "bias")) for s in ("query", "key", "value", "attention_output")}
        return [mha(x, x, x, w, 2, 4)[0]]
    REF["mha_keras3_legacy_h5"] = ([[4, 6]], ref_mha3h5)

    # ---------------------------------------------------------------- EinsumDense with LoRA (Keras 3 legacy H5)
    @model("einsum_dense_lora", tfjs=False)
    def m_lora(path, rng):
        x_t = km.k3_tensor("input_layer", [None, 3, 6])
        cfg = dict(km.k3_common("einsum_dense"), equation="abc,cd->abd", output_shape=[None, 4], activation="linear",
                   bias_axes="d", kernel_initializer=km.k3_init("GlorotUniform", seed=None),
                   bias_initializer=km.k3_init("Zeros"), kernel_regularizer=None, bias_regularizer=None,
                   activity_regularizer=None, kernel_constraint=None, bias_constraint=None, quantization_config=None,
                   lora_rank=2, lora_alpha=3.0)
        layers = [k3_input("input_layer", [3, 6]), km.k3_layer("EinsumDense", cfg, k3_call(x_t), None)]
        for l in layers:
            l.pop("module", None)
            l.pop("registered_name", None)
        config = {"class_name": "Functional", "config": {"name": "functional", "trainable": True, "layers": layers,
                                                          "input_layers": [["input_layer", 0, 0]],
                                                          "output_layers": [["einsum_dense", 0, 0]]}}
        w = lambda *s: rng.normal(0, 0.4, s)
        fake = km.Model("functional", rng)
        fake.layers = [{"name": "input_layer"}, {"name": "einsum_dense"}]
        # LoRA freezes the kernel: trainable bias, lora_kernel_a, lora_kernel_b, then the kernel.
        fake.weights = {"einsum_dense": [("einsum_dense/bias", w(4)), ("einsum_dense/lora_kernel_a", w(6, 2)),
                                         ("einsum_dense/lora_kernel_b", w(2, 4)), ("einsum_dense/kernel", w(6, 4))]}
        km.write_legacy_h5(path, fake, keras_version="3.9.2", vlen=True, config=config)
        return "Keras 3 legacy H5 EinsumDense lora_rank 2, lora_alpha 3 (kernel + 1.5 * A @ B)"

    def ref_lora(path, xs):
        (x,) = xs
        rd = lambda n: read_weight(path, f"einsum_dense/einsum_dense/{n}")
        k = rd("kernel") + (3.0 / 2) * rd("lora_kernel_a") @ rd("lora_kernel_b")
        return [np.einsum("abc,cd->abd", x, k) + rd("bias")]
    REF["einsum_dense_lora"] = ([[3, 6]], ref_lora)

    # ---------------------------------------------------------------- refused configurations
    @model("bad_einsum_quantized", ext=".keras", tfjs=False, expect="quantized")
    def b_quant(path, rng):
        x_t = km.k3_tensor("input_layer", [None, 6])
        cfg = dict(km.k3_common("einsum_dense"), equation="ab,bc->ac", output_shape=[4], activation="linear",
                   bias_axes=None, quantization_config=None)
        cfg["dtype"] = {"module": "keras", "class_name": "QuantizedDTypePolicy",
                        "config": {"name": "int8_from_float32", "source_name": "float32"}, "registered_name": None}
        layers = [k3_input("input_layer", [6]), km.k3_layer("EinsumDense", cfg, k3_call(x_t), [None, 6])]
        config = km.k3_functional_config("functional", layers, [["input_layer", 0, 0]], [["einsum_dense", 0, 0]])
        write_zip(path, config, {"layers/input_layer/vars": [],
                                 "layers/einsum_dense/vars": [np.ones((6, 4)), np.ones((1, 4))]}, "functional", "3.9.2")
        return "Keras 3 int8-quantized EinsumDense: refused, naming the quantization mode"

    @model("bad_mha_sliding_window", ext=".keras", tfjs=False, expect="sliding_window")
    def b_sliding(path, rng):
        x_t = km.k3_tensor("input_layer", [None, 4, 4])
        layers = [k3_input("input_layer", [4, 4]),
                  km.k3_layer("MultiHeadAttention", k3_mha_cfg("multi_head_attention", 1, 2, sliding_window=2),
                              k3_call(x_t, x_t), None)]
        config = km.k3_functional_config("functional", layers, [["input_layer", 0, 0]], [["multi_head_attention", 0, 0]])
        groups = {"layers/input_layer/vars": []}
        for sub, k, b in mha_weights(rng, 4, 4, 4, 1, 2, 2, [4]):
            groups[f"layers/multi_head_attention/{names31[sub]}/vars"] = [k, b]
        write_zip(path, config, groups, "functional", "3.15.0")
        return "Keras 3.15 MultiHeadAttention sliding_window: refused"

    # ---------------------------------------------------------------- MHA, Keras 3 mask kwargs (broadcast attention_mask)
    @model("mha_keras3_masks", ext=".keras", tfjs=False)
    def m_mha3m(path, rng):
        q_t, v_t = km.k3_tensor("q", [None, 4, 6]), km.k3_tensor("v", [None, 5, 6])
        m_t, vm_t = km.k3_tensor("mask", [None, 1, 5]), km.k3_tensor("vmask", [None, 5])
        layers = [k3_input("q", [4, 6]), k3_input("v", [5, 6]), k3_input("mask", [1, 5]), k3_input("vmask", [5]),
                  km.k3_layer("MultiHeadAttention", k3_mha_cfg("multi_head_attention", 2, 3),
                              k3_call(q_t, v_t, query_mask=None, value_mask=vm_t, attention_mask=m_t,
                                      return_attention_scores=True), None)]
        config = km.k3_functional_config("functional", layers, [["q", 0, 0], ["v", 0, 0], ["mask", 0, 0], ["vmask", 0, 0]],
                                         [["multi_head_attention", 0, 0], ["multi_head_attention", 0, 1]])
        groups = {"layers/input_layer/vars": []}
        for sub, k, b in mha_weights(rng, 6, 6, 6, 2, 3, 3, [6]):
            groups[f"layers/multi_head_attention/{names31[sub]}/vars"] = [k, b]
        write_zip(path, config, groups, "functional", "3.9.2")
        return ("Keras 3 MHA(q, v) with value_mask and an attention_mask of shape (B, 1, S) broadcast over the "
                "queries, return_attention_scores")

    def ref_mha3m(path, xs):
        q, v, m, vm = xs
        w = {s: (read_weight(path, f"layers/multi_head_attention/{n}/vars/0"),
                 read_weight(path, f"layers/multi_head_attention/{n}/vars/1")) for s, n in names31.items()}
        mask = np.broadcast_to(m != 0, (1, 4, 5)) * (vm != 0)[:, None, :]
        return list(mha(q, v, v, w, 2, 3, mask=mask))
    REF["mha_keras3_masks"] = ([[4, 6], [5, 6], [1, 5], [5]], ref_mha3m, mask_maker({2, 3}))

    @model("bad_mha_missing_value", ext=".keras", tfjs=False, expect="multi_head_attention/value/kernel")
    def b_missing_value(path, rng):
        x_t = km.k3_tensor("input_layer", [None, 4, 4])
        layers = [k3_input("input_layer", [4, 4]),
                  km.k3_layer("MultiHeadAttention", k3_mha_cfg("multi_head_attention", 1, 2), k3_call(x_t, x_t), None)]
        config = km.k3_functional_config("functional", layers, [["input_layer", 0, 0]], [["multi_head_attention", 0, 0]])
        groups = {"layers/input_layer/vars": []}
        for sub, k, b in mha_weights(rng, 4, 4, 4, 1, 2, 2, [4]):
            if sub != "value":
                groups[f"layers/multi_head_attention/{names31[sub]}/vars"] = [k, b]
        write_zip(path, config, groups, "functional", "3.9.2")
        return "Keras 3 .keras MHA without its value_dense weights: names the missing weight"

    # ---------------------------------------------------------------- MHA negative attention_axes (Keras >= 3.12 rule)
    @model("mha_negative_axes", ext=".keras", tfjs=False)
    def m_mha_neg(path, rng):
        x_t = km.k3_tensor("input_layer", [None, 3, 4, 5])
        layers = [k3_input("input_layer", [3, 4, 5]),
                  km.k3_layer("MultiHeadAttention", k3_mha_cfg("multi_head_attention", 2, 2, attention_axes=[-2]),
                              k3_call(x_t, x_t), None)]
        config = km.k3_functional_config("functional", layers, [["input_layer", 0, 0]], [["multi_head_attention", 0, 0]])
        groups = {"layers/input_layer/vars": []}
        for sub, k, b in mha_weights(rng, 5, 5, 5, 2, 2, 2, [5]):
            groups[f"layers/multi_head_attention/{names31[sub]}/vars"] = [k, b]
        write_zip(path, config, groups, "functional", "3.12.0")
        return "Keras 3.12 MHA attention_axes [-2] on a rank-4 query: axis 2 (negative axes count from the query rank)"

    def ref_mha_neg(path, xs):
        (x,) = xs
        w = {s: (read_weight(path, f"layers/multi_head_attention/{n}/vars/0"),
                 read_weight(path, f"layers/multi_head_attention/{n}/vars/1")) for s, n in names31.items()}
        return [mha(x, x, x, w, 2, 2, axes=[2])[0]]
    REF["mha_negative_axes"] = ([[3, 4, 5]], ref_mha_neg)

    # ---------------------------------------------------------------- EinsumDense, Keras 3 .keras (LoRA kernel stored merged)
    @model("einsum_dense_keras3", ext=".keras", tfjs=False)
    def m_ed3(path, rng):
        x_t = km.k3_tensor("input_layer", [None, 3, 6])
        ed = lambda name, eq, out, bias, act, **kw: dict(
            km.k3_common(name), equation=eq, output_shape=out, activation=act, bias_axes=bias,
            kernel_initializer=km.k3_init("GlorotUniform", seed=None), bias_initializer=km.k3_init("Zeros"),
            kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
            bias_constraint=None, quantization_config=None, **kw)
        layers = [k3_input("input_layer", [3, 6]),
                  km.k3_layer("EinsumDense", ed("einsum_dense", "abc,cd->abd", [None, 4], "d", "sigmoid",
                                                lora_rank=2, lora_alpha=2),
                              k3_call(x_t), [None, 3, 6]),
                  km.k3_layer("EinsumDense", ed("einsum_dense_1", "abd,de->ae", [2], None, "linear"),
                              k3_call(km.k3_tensor("einsum_dense", [None, 3, 4])), [None, 3, 4])]
        config = km.k3_functional_config("functional", layers, [["input_layer", 0, 0]], [["einsum_dense_1", 0, 0]])
        w = lambda *s: rng.normal(0, 0.4, s)
        write_zip(path, config, {"layers/input_layer/vars": [], "layers/einsum_dense/vars": [w(6, 4), w(4)],
                                 "layers/einsum_dense_1/vars": [w(4, 2)]}, "functional", "3.9.2")
        return "Keras 3 .keras EinsumDense (lora_rank set: the archive holds the merged kernel), sigmoid; no-bias reduction"

    def ref_ed3(path, xs):
        (x,) = xs
        rd = lambda p: read_weight(path, p)
        y = 1 / (1 + np.exp(-(np.einsum("abc,cd->abd", x, rd("layers/einsum_dense/vars/0")) + rd("layers/einsum_dense/vars/1"))))
        return [np.einsum("abd,de->ae", y, rd("layers/einsum_dense_1/vars/0"))]
    REF["einsum_dense_keras3"] = ([[3, 6]], ref_ed3)
