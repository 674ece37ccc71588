#!/usr/bin/env python3
"""Independent numpy forward pass of a Keras model file (no TensorFlow, no Keras).

Reads the model's config and weights with h5py/zipfile (legacy .h5 written by Keras 2 or Keras 3,
and Keras 3 / tf.keras .keras archives) and evaluates the graph in float64 from Keras' documented
layer semantics (shared/reference/KERAS.md A, B.1, B.3, B.6, C.1; keras-team/keras and tf-keras
sources named there). It is a reference for models no JS library runs (tfjs-layers 4.22 has no
MultiHeadAttention); it shares no code with the converter.

Layers: InputLayer, MultiHeadAttention (attention_axes, query/value/key args or kwargs, masks,
output_shape), LayerNormalization, Dense (any rank), Conv1D (any kernel, strides, dilation,
valid/same/causal, groups, channels_first), Add/Subtract/Multiply/Average/Maximum/Minimum,
Concatenate, TFOpLambda (__operators__.add and a few math ops), Dropout and other
inference-identity layers, GlobalAveragePooling1D/GlobalMaxPooling1D (channels_first too),
Flatten (channels_first too), Reshape, Permute, Activation/ReLU/Softmax and activations. Functional
graphs in both config dialects (Keras 2 node lists, Keras 3 {"args", "kwargs"}) and Sequential.

CLI:
  keras_numpy_reference.py MODEL OUT.json [--samples 8] [--seed S] [--range=lo,hi]
(write --range=-1,1 with "=" when lo is negative: argparse reads "-1,1" as an option otherwise)
writes the JSON tests/e2e/compare_reference.js reads: {input_shapes, inputs, outputs,
output_shapes, samples: [{inputs, outputs, output_shapes}, ...]}: the top level is a smooth
deterministic input (a sin ramp over the range), `samples` holds N seeded uniform inputs.
Prints the shapes and max |output| per sample; exit 0, or 2 with a message naming the file and
the layer on any error (unsupported layer/config, missing weights, non-finite output).
"""

import argparse
import io
import json
import math
import re
import sys
import zipfile

import numpy as np

try:
    import h5py
except ImportError:  # pragma: no cover - reported by main()
    h5py = None


class RefError(Exception):
    pass


# --------------------------------------------------------------------------------------------
# Activations ([K3] keras/src/activations/activations.py; [K2] tf_keras/activations.py)

def _softmax(x, axis=-1):
    m = np.max(x, axis=axis, keepdims=True)
    e = np.exp(x - m)
    return e / np.sum(e, axis=axis, keepdims=True)


def _erf(x):
    return np.vectorize(math.erf, otypes=[np.float64])(x)


def activation(name, x, keras3):
    if name is None:
        return x
    if isinstance(name, dict):  # serialized activation object
        name = name.get("config", {}).get("name", name.get("class_name"))
    name = str(name)
    if name in ("linear", "None"):
        return x
    if name == "relu":
        return np.maximum(x, 0)
    if name == "relu6":
        return np.clip(x, 0, 6)
    if name == "sigmoid":
        return 1 / (1 + np.exp(-x))
    if name == "tanh":
        return np.tanh(x)
    if name == "softmax":
        return _softmax(x, -1)
    if name == "elu":
        return np.where(x > 0, x, np.expm1(np.minimum(x, 0)))
    if name == "selu":
        a, s = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946
        return s * np.where(x > 0, x, a * np.expm1(np.minimum(x, 0)))
    if name == "softplus":
        return np.logaddexp(0, x)
    if name == "softsign":
        return x / (1 + np.abs(x))
    if name in ("swish", "silu"):
        return x / (1 + np.exp(-x))
    if name == "gelu":  # the string "gelu" means approximate=False in both Keras versions
        return 0.5 * x * (1 + _erf(x / math.sqrt(2)))
    if name == "exponential":
        return np.exp(x)
    if name == "hard_sigmoid":  # Keras 3: relu6(x+3)/6; Keras 2: clip(0.2x+0.5)
        return np.clip(x / 6 + 0.5, 0, 1) if keras3 else np.clip(0.2 * x + 0.5, 0, 1)
    if name == "leaky_relu":  # Keras 3 default negative_slope 0.2
        return np.where(x > 0, x, 0.2 * x)
    raise RefError(f"activation {name!r} is not implemented in the numpy reference")


# --------------------------------------------------------------------------------------------
# Model file reading

def _decode(v):
    return v.decode("utf8") if isinstance(v, bytes) else v


def to_snake_case(name):
    """[K3] keras/src/utils/naming.py to_snake_case (names of .keras weight paths)."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    name = re.sub("([a-z])([A-Z])", r"\1_\2", name)
    return name.lower()


def _sorted_vars(group):
    return [np.array(group[k]) for k in sorted(group.keys(), key=lambda s: int(s))]


class LegacyH5Weights:
    """Legacy .h5: model_weights/<layer>/ with attr weight_names, read in list order (KERAS.md A.1)."""

    def __init__(self, f):
        self.root = f["model_weights"] if "model_weights" in f else f

    def layer(self, name, class_name):
        if name not in self.root:
            return []
        g = self.root[name]
        names = [_decode(n) for n in g.attrs.get("weight_names", [])]
        return [np.array(g[n]) for n in names]

    def sublayers(self, name, class_name, subs):
        """MultiHeadAttention: the flat list split by sub-layer, in order (query, key, value, output)."""
        return None  # the caller splits the flat list


class KerasZipWeights:
    """.keras: model.weights.h5, layers/<snake_case class, numbered per name>/vars/N (KERAS.md A.2)."""

    def __init__(self, f, layer_entries):
        self.f = f
        self.paths = {}
        counts = {}
        for entry in layer_entries:
            if str(entry.get("module", "")).startswith("keras.src.ops"):
                continue  # Keras 3 op layers are not in model.layers (KERAS.md A.1/A.2)
            base = to_snake_case(entry["class_name"])
            k = counts.get(base, 0)
            counts[base] = k + 1
            self.paths[entry["config"]["name"]] = base if k == 0 else f"{base}_{k}"

    def _group(self, *parts):
        for prefix in ("layers", "_layer_checkpoint_dependencies"):
            for sep in ("/", "\\"):
                p = sep.join((prefix,) + parts)
                if p in self.f:
                    return self.f[p]
        return None

    def _check_name(self, name, g):
        # Keras >= 3.6 records the layer name on its vars group: the path must lead to this layer.
        stored = _decode(g.attrs.get("name")) if g is not None and "name" in g.attrs else None
        if stored is not None and stored != name:
            raise RefError(f"layer {name}: weight path layers/{self.paths[name]} holds layer {stored!r}")

    def layer(self, name, class_name):
        g = self._group(self.paths[name], "vars")
        self._check_name(name, g)
        return _sorted_vars(g) if g is not None else []

    def sublayers(self, name, class_name, subs):
        out = []
        for sub in subs:
            g = None
            for cand in (sub, "_" + sub):
                g = self._group(self.paths[name], cand, "vars")
                if g is not None:
                    break
            if g is None:
                raise RefError(f"layer {name}: no weights for sub-layer {sub} in the .keras archive")
            out.append(_sorted_vars(g))
        self._check_name(name, self._group(self.paths[name], "vars"))
        return out


def load_model(path):
    """Returns (config dict, keras3: bool, weights reader, open handles)."""
    if h5py is None:
        raise RefError("h5py is not installed (apt python3-h5py)")
    if zipfile.is_zipfile(path):
        z = zipfile.ZipFile(path)
        names = z.namelist()
        if "config.json" not in names:
            raise RefError("not a .keras archive (no config.json)")
        config = json.loads(z.read("config.json"))
        meta = json.loads(z.read("metadata.json")) if "metadata.json" in names else {}
        version = str(meta.get("keras_version", "3"))
        if "model.weights.h5" not in names:
            raise RefError("the .keras archive has no model.weights.h5 (npz weights are not supported)")
        f = h5py.File(io.BytesIO(z.read("model.weights.h5")), "r")
        layers = config.get("config", {}).get("layers", [])
        if isinstance(config.get("config"), list):
            layers = config["config"]
        entries = [e for e in layers if not (config["class_name"] == "Sequential" and e["class_name"] == "InputLayer")]
        return config, not version.startswith("2"), KerasZipWeights(f, entries), [f, z]
    try:
        f = h5py.File(path, "r")
    except OSError as e:
        raise RefError(f"not an HDF5 file ({e})")
    if "model_config" not in f.attrs:
        raise RefError("the .h5 has no model_config attribute (weights-only file?)")
    config = json.loads(_decode(f.attrs["model_config"]))
    version = str(_decode(f.attrs.get("keras_version", "2")))
    return config, version.startswith("3"), LegacyH5Weights(f), [f]


# --------------------------------------------------------------------------------------------
# Config decoding: calls of each layer as (args, kwargs) with tensor references

class TRef:
    """A reference to output `index` of call `node` of layer `layer`."""

    def __init__(self, layer, node, index):
        self.layer, self.node, self.index = layer, int(node), int(index)

    def __repr__(self):
        return f"<{self.layer}[{self.node}][{self.index}]>"


def _is_k2_leaf(v):
    return isinstance(v, list) and len(v) in (3, 4) and isinstance(v[0], str) and isinstance(v[1], int)


def _k2_kwarg_value(v):
    """Keras 2 kwargs: tensors are 3-item [layer, node, index] lists (KERAS.md C.1)."""
    if isinstance(v, list) and len(v) == 3 and isinstance(v[0], str) and isinstance(v[1], int) \
            and isinstance(v[2], int):
        return TRef(*v)
    if isinstance(v, list):
        return [_k2_kwarg_value(x) for x in v]
    if isinstance(v, dict):
        return {k: _k2_kwarg_value(x) for k, x in v.items()}
    return v


def _k3_value(v):
    if isinstance(v, dict):
        if v.get("class_name") == "__keras_tensor__":
            return TRef(*v["config"]["keras_history"])
        return {k: _k3_value(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_k3_value(x) for x in v]
    return v


def decode_calls(entry):
    """inbound_nodes of one layer entry -> [(args, kwargs)] in both dialects (KERAS.md A.3, C.1)."""
    calls = []
    for node in entry.get("inbound_nodes", []):
        if isinstance(node, dict):  # Keras 3
            calls.append((_k3_value(node.get("args", [])), _k3_value(node.get("kwargs", {}))))
            continue
        leaves = [node] if _is_k2_leaf(node) else node  # TFOpLambda keeps a bare leaf
        tensors, kwargs = [], {}
        for leaf in leaves:
            if not _is_k2_leaf(leaf):
                raise RefError(f"layer {entry['config'].get('name')}: unreadable inbound node {leaf!r}")
            kw = leaf[3] if len(leaf) == 4 else {}
            kwargs = _k2_kwarg_value(kw)  # the same dict repeats in every leaf
            if leaf[0] == "_CONSTANT_VALUE":
                tensors.append(np.asarray(leaf[2], np.float64))
            else:
                tensors.append(TRef(leaf[0], leaf[1], leaf[2]))
        first = tensors[0] if len(tensors) == 1 else tensors
        calls.append(([first], kwargs))
    return calls


def _axis_list(axis, rank):
    axes = axis if isinstance(axis, (list, tuple)) else [axis]
    return sorted(a + rank if a < 0 else a for a in axes)


# --------------------------------------------------------------------------------------------
# Layers. Each: fn(ctx, cfg, weights, args, kwargs) -> output array (or list)

IDENTITY = {"Dropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D", "GaussianNoise",
            "GaussianDropout", "AlphaDropout", "ActivityRegularization", "Masking"}


def _need(weights, n, what):
    if len(weights) < n:
        raise RefError(f"{what}: expected {n} weight arrays, the file has {len(weights)}")


def layer_dense(ctx, cfg, w, args, kwargs):
    x = args[0]
    _need(w, 2 if cfg.get("use_bias", True) else 1, "Dense")
    k = w[0]
    if k.shape[0] != x.shape[-1]:
        raise RefError(f"Dense kernel {k.shape} does not fit input {x.shape}")
    y = np.tensordot(x, k, axes=([-1], [0]))
    if cfg.get("use_bias", True):
        y = y + w[1]
    return activation(cfg.get("activation"), y, ctx.keras3)


def layer_conv1d(ctx, cfg, w, args, kwargs):
    x = args[0]
    cf = cfg.get("data_format", "channels_last") == "channels_first"
    if cf:
        x = np.swapaxes(x, 1, 2)  # (B, C, T) -> (B, T, C)
    _need(w, 2 if cfg.get("use_bias", True) else 1, "Conv1D")
    k = w[0]  # (kernel, Cin/groups, filters)
    ks = int(k.shape[0])
    s = int(np.ravel(cfg.get("strides", 1))[0])
    d = int(np.ravel(cfg.get("dilation_rate", 1))[0])
    g = int(cfg.get("groups", 1))
    pad = cfg.get("padding", "valid")
    T, cin = x.shape[1], x.shape[2]
    if cin != k.shape[1] * g:
        raise RefError(f"Conv1D kernel {k.shape} (groups {g}) does not fit input channels {cin}")
    span = d * (ks - 1) + 1
    if pad == "valid":
        left = right = 0
        out = (T - span) // s + 1
    elif pad == "same":
        out = -(-T // s)
        total = max((out - 1) * s + span - T, 0)
        left, right = total // 2, total - total // 2
    elif pad == "causal":  # KERAS.md B.6: left pad dilation*(kernel-1), then VALID
        left, right = span - 1, 0
        out = (T + left - span) // s + 1
    else:
        raise RefError(f"Conv1D padding {pad!r} is not supported")
    xp = np.pad(x, ((0, 0), (left, right), (0, 0)))
    F = k.shape[2]
    cg, fg = cin // g, F // g
    y = np.zeros((x.shape[0], out, F))
    for j in range(ks):
        xs = xp[:, j * d: j * d + (out - 1) * s + 1: s, :]  # (B, out, Cin)
        for gi in range(g):
            y[:, :, gi * fg:(gi + 1) * fg] += np.tensordot(
                xs[:, :, gi * cg:(gi + 1) * cg], k[j, :, gi * fg:(gi + 1) * fg], axes=([-1], [0]))
    if cfg.get("use_bias", True):
        y = y + w[1]
    y = activation(cfg.get("activation"), y, ctx.keras3)
    return np.swapaxes(y, 1, 2) if cf else y


def layer_layernorm(ctx, cfg, w, args, kwargs):
    """[K3] layers/normalization/layer_normalization.py: moments over `axis` (population var)."""
    x = args[0]
    axes = _axis_list(cfg.get("axis", -1), x.ndim)
    eps = float(cfg.get("epsilon", 1e-3))
    shape = [x.shape[i] if i in axes else 1 for i in range(x.ndim)]
    mean = np.mean(x, axis=tuple(axes), keepdims=True)
    var = np.mean((x - mean) ** 2, axis=tuple(axes), keepdims=True)
    scale, center = cfg.get("scale", True), cfg.get("center", True)
    wi = 0
    gamma = beta = None
    if scale:
        _need(w, wi + 1, "LayerNormalization")
        gamma = w[wi].reshape(shape)
        wi += 1
    if center and not cfg.get("rms_scaling", False):
        _need(w, wi + 1, "LayerNormalization")
        beta = w[wi].reshape(shape)
    if cfg.get("rms_scaling", False):  # KERAS.md B.3: var is still mean-centred
        return x / np.sqrt(var + eps) * (gamma if gamma is not None else 1)
    y = (x - mean) / np.sqrt(var + eps)
    if gamma is not None:
        y = y * gamma
    if beta is not None:
        y = y + beta
    return y


def _mha_arg(args, kwargs, pos, name):
    if len(args) > pos and args[pos] is not None:
        return args[pos]
    return kwargs.get(name)


def layer_mha(ctx, cfg, w, args, kwargs):
    """KERAS.md B.1 ([K3]/[K2] layers/attention/multi_head_attention.py), inference."""
    query = args[0]
    value = _mha_arg(args, kwargs, 1, "value")
    key = _mha_arg(args, kwargs, 2, "key")
    if value is None:
        raise RefError("MultiHeadAttention called without a value tensor")
    if key is None:
        key = value
    attention_mask = _mha_arg(args, kwargs, 6, "attention_mask")
    use_causal = bool(_mha_arg(args, kwargs, 9, "use_causal_mask") or False)
    if _mha_arg(args, kwargs, 7, "return_attention_scores"):
        raise RefError("MultiHeadAttention return_attention_scores=True is not supported")
    if cfg.get("use_gate"):
        raise RefError("MultiHeadAttention use_gate is not supported")
    if cfg.get("sliding_window"):
        raise RefError("MultiHeadAttention sliding_window is not supported")
    N = int(cfg["num_heads"])
    dk = int(cfg["key_dim"])
    dv = int(cfg.get("value_dim") or dk)
    use_bias = cfg.get("use_bias", True)
    per = 2 if use_bias else 1
    subs = w if isinstance(w[0], list) else [w[i * per:(i + 1) * per] for i in range(4)]
    if len(subs) != 4 or any(len(s) != per for s in subs):
        raise RefError(f"MultiHeadAttention: expected 4 x {per} weight arrays, found "
                       f"{sum(len(s) for s in subs)}")
    (Wq, *bq), (Wk, *bk), (Wv, *bv), (Wo, *bo) = subs
    for nm, W, inp, dd in (("query", Wq, query, dk), ("key", Wk, key, dk), ("value", Wv, value, dv)):
        if W.shape != (inp.shape[-1], N, dd):
            raise RefError(f"MultiHeadAttention {nm} kernel {W.shape} does not fit "
                           f"input {inp.shape}, num_heads {N}, dim {dd}")
    if Wo.shape[:2] != (N, dv):
        raise RefError(f"MultiHeadAttention output kernel {Wo.shape} does not fit ({N}, {dv}, ...)")

    def proj(x, W, b):  # EinsumDense "abc,cde->abde" generalized: (..., d) x (d, N, h)
        y = np.tensordot(x, W, axes=([-1], [0]))
        return y + b[0] if b else y

    Q = proj(query, Wq, bq) * (1.0 / math.sqrt(dk))  # (B, T..., N, dk); Keras scales the query
    K = proj(key, Wk, bk)
    V = proj(value, Wv, bv)
    rank = Q.ndim  # query rank + 1
    attn_axes = cfg.get("attention_axes")
    if attn_axes is None:
        attn_axes = list(range(1, rank - 2))
    else:
        attn_axes = [attn_axes] if isinstance(attn_axes, int) else list(attn_axes)
        # Negative values: mapped to query_rank + a (Keras >= 3.12; older versions differ).
        attn_axes = sorted(a + (rank - 1) if a < 0 else a for a in attn_axes)
    if any(a <= 0 or a >= rank - 2 for a in attn_axes):
        raise RefError(f"MultiHeadAttention attention_axes {cfg.get('attention_axes')} out of range "
                       f"for query rank {rank - 1}")
    head = rank - 2
    batch_axes = [a for a in range(rank - 2) if a not in attn_axes]  # incl. axis 0
    order = batch_axes + [head] + attn_axes + [rank - 1]

    def flat(t):  # -> (batch..., N, prod(attn dims), dim)
        t = np.transpose(t, order)
        nb = len(batch_axes) + 1
        return t.reshape(t.shape[:nb] + (-1, t.shape[-1])), t.shape

    Qf, qshape = flat(Q)
    Kf, _ = flat(K)
    Vf, _ = flat(V)
    scores = np.matmul(Qf, np.swapaxes(Kf, -1, -2))  # (batch..., N, Tq, Tk)
    mask = None
    if attention_mask is not None:
        m = np.asarray(attention_mask).astype(bool)
        if len(attn_axes) != 1 or m.ndim != 3:
            raise RefError("MultiHeadAttention attention_mask is supported for one attention axis only")
        mask = m[:, None, :, :]  # (B, 1, T, S): broadcast over heads
    if use_causal:
        Tq, Tk = scores.shape[-2], scores.shape[-1]
        causal = np.tril(np.ones((Tq, Tk), bool))  # mask[i][j] = i >= j
        mask = causal if mask is None else (mask & causal)
    if mask is not None:
        scores = np.where(mask, scores, scores - 1e9)
    P = _softmax(scores, -1)  # softmax over all attention axes jointly
    C = np.matmul(P, Vf)  # (batch..., N, Tq, dv)
    C = C.reshape(qshape[:-1] + (dv,))
    inv = np.argsort(order)
    C = np.transpose(C, inv)  # (B, T..., N, dv)
    out = np.tensordot(C, Wo, axes=([-2, -1], [0, 1]))  # "abcd,cde->abe"
    if bo:
        out = out + bo[0]
    return out


def _merge_inputs(args):
    xs = args[0] if len(args) == 1 and isinstance(args[0], list) else list(args)
    if len(xs) < 2:
        raise RefError("merge layer needs at least two inputs")
    return xs


def layer_add(ctx, cfg, w, args, kwargs):
    xs = _merge_inputs(args)
    y = xs[0]
    for x in xs[1:]:
        y = y + x
    return y


def layer_merge(op):
    def fn(ctx, cfg, w, args, kwargs):
        xs = _merge_inputs(args)
        if op == "subtract":
            return xs[0] - xs[1]
        if op == "average":
            return sum(xs) / len(xs)
        y = xs[0]
        for x in xs[1:]:
            y = {"multiply": np.multiply, "maximum": np.maximum, "minimum": np.minimum}[op](y, x)
        return y
    return fn


def layer_concat(ctx, cfg, w, args, kwargs):
    xs = _merge_inputs(args)
    return np.concatenate(xs, axis=int(cfg.get("axis", -1)))


TFOP_BINARY = {
    "__operators__.add": ("y", np.add), "math.add": ("y", np.add),
    "math.subtract": ("y", np.subtract), "math.multiply": ("y", np.multiply),
    "math.truediv": ("y", np.divide), "math.divide": ("y", np.divide),
    "math.maximum": ("y", np.maximum), "math.minimum": ("y", np.minimum),
}


def layer_tfoplambda(ctx, cfg, w, args, kwargs):
    """KERAS.md C.1: first argument = node input, the rest by the TF function's parameter names."""
    fn = cfg.get("function")
    if fn in TFOP_BINARY:
        pname, op = TFOP_BINARY[fn]
        y = args[1] if len(args) > 1 else kwargs.get(pname)
        if y is None:
            raise RefError(f"TFOpLambda {fn}: no second operand")
        return op(np.asarray(args[0]), np.asarray(y))
    if fn in ("nn.relu", "math.tanh", "math.sigmoid", "nn.softmax"):
        return activation({"nn.relu": "relu", "math.tanh": "tanh", "math.sigmoid": "sigmoid",
                           "nn.softmax": "softmax"}[fn], args[0], ctx.keras3)
    raise RefError(f"TFOpLambda function {fn!r} is not implemented in the numpy reference")


def layer_gap1d(reduce):
    def fn(ctx, cfg, w, args, kwargs):
        x = args[0]
        # KERAS.md B.6: channels_first averages axis 2 (the last axis of (B, F, T)).
        axis = 2 if cfg.get("data_format", "channels_last") == "channels_first" else 1
        if kwargs.get("mask") is not None:
            raise RefError("GlobalPooling1D with a mask is not supported")
        return reduce(x, axis=axis, keepdims=bool(cfg.get("keepdims", False)))
    return fn


def layer_flatten(ctx, cfg, w, args, kwargs):
    x = args[0]
    if cfg.get("data_format", "channels_last") == "channels_first" and x.ndim > 2:
        x = np.moveaxis(x, 1, -1)  # [K2]/[K3] Flatten: permute channels last first
    return x.reshape(x.shape[0], -1)


def layer_reshape(ctx, cfg, w, args, kwargs):
    x = args[0]
    return x.reshape((x.shape[0],) + tuple(int(v) for v in cfg["target_shape"]))


def layer_permute(ctx, cfg, w, args, kwargs):
    return np.transpose(args[0], [0] + [int(d) for d in cfg["dims"]])


def layer_activation(ctx, cfg, w, args, kwargs):
    return activation(cfg.get("activation"), args[0], ctx.keras3)


def layer_relu(ctx, cfg, w, args, kwargs):
    x = args[0]
    slope = float(cfg.get("negative_slope", 0) or 0)
    thr = float(cfg.get("threshold", 0) or 0)
    mx = cfg.get("max_value")
    y = np.where(x >= thr, x, slope * (x - thr))
    return np.minimum(y, float(mx)) if mx is not None else y


def layer_softmax(ctx, cfg, w, args, kwargs):
    axes = cfg.get("axis", -1)
    x = args[0]
    axes = tuple(_axis_list(axes, x.ndim))
    m = np.max(x, axis=axes, keepdims=True)
    e = np.exp(x - m)
    return e / np.sum(e, axis=axes, keepdims=True)


LAYERS = {
    "Dense": layer_dense,
    "Conv1D": layer_conv1d, "Convolution1D": layer_conv1d,
    "LayerNormalization": layer_layernorm,
    "MultiHeadAttention": layer_mha,
    "Add": layer_add,
    "Subtract": layer_merge("subtract"), "Multiply": layer_merge("multiply"),
    "Average": layer_merge("average"), "Maximum": layer_merge("maximum"),
    "Minimum": layer_merge("minimum"),
    "Concatenate": layer_concat,
    "TFOpLambda": layer_tfoplambda,
    "GlobalAveragePooling1D": layer_gap1d(np.mean), "GlobalAvgPool1D": layer_gap1d(np.mean),
    "GlobalMaxPooling1D": layer_gap1d(np.max), "GlobalMaxPool1D": layer_gap1d(np.max),
    "Flatten": layer_flatten,
    "Reshape": layer_reshape,
    "Permute": layer_permute,
    "Activation": layer_activation,
    "ReLU": layer_relu,
    "Softmax": layer_softmax,
}


# --------------------------------------------------------------------------------------------
# Graph evaluation

class Model:
    def __init__(self, path):
        self.path = path
        self.config, self.keras3, self.weights, self._handles = load_model(path)
        cls = self.config.get("class_name")
        cfg = self.config.get("config")
        if cls == "Sequential":
            layers = cfg if isinstance(cfg, list) else cfg["layers"]
            self.sequential = True
        elif cls in ("Functional", "Model"):
            layers = cfg["layers"]
            self.sequential = False
        else:
            raise RefError(f"top-level class {cls!r} is not supported (Functional, Model, Sequential)")
        self.layers = layers
        self._wcache = {}
        for e in layers:
            if e["class_name"] in ("Functional", "Model", "Sequential"):
                raise RefError(f"layer {e['config'].get('name')}: nested models are not supported")
        self.input_shapes = self._input_shapes()

    def _input_shapes(self):
        def shape_of(c):
            s = c.get("batch_input_shape") or c.get("batch_shape")
            return list(s) if s else None
        if self.sequential:
            first = self.layers[0]["config"]
            s = shape_of(first)
            if s is None:
                raise RefError("Sequential model without an input shape")
            shapes = [s]
        else:
            byname = {e["config"]["name"]: e for e in self.layers}
            ins = self.config["config"]["input_layers"]
            if ins and isinstance(ins[0], str):
                ins = [ins]
            if isinstance(ins, dict):
                ins = list(ins.values())
            self.input_names = [i[0] for i in ins]
            shapes = [shape_of(byname[n]["config"]) for n in self.input_names]
        out = []
        for s in shapes:
            dims = [1] + [d for d in s[1:]]
            if any(d is None for d in dims):
                raise RefError(f"input shape {s} has unknown non-batch dimensions")
            out.append(dims)
        return out

    def _layer_weights(self, entry):
        name = entry["config"]["name"]
        if name not in self._wcache:
            cls = entry["class_name"]
            if cls == "MultiHeadAttention" and isinstance(self.weights, KerasZipWeights):
                w = self.weights.sublayers(name, cls, ["query_dense", "key_dense", "value_dense", "output_dense"])
                w = [[a.astype(np.float64) for a in sub] for sub in w]
            else:
                w = [a.astype(np.float64) for a in self.weights.layer(name, cls)]
            self._wcache[name] = w
        return self._wcache[name]

    def _apply(self, entry, args, kwargs):
        cls = entry["class_name"]
        cfg = entry["config"]
        if cls == "InputLayer":
            return args[0]
        if cls in IDENTITY:
            return args[0]
        fn = LAYERS.get(cls)
        if fn is None:
            raise RefError(f"layer {cfg.get('name')}: class {cls} is not implemented in the numpy reference")
        try:
            return fn(self, cfg, self._layer_weights(entry), args, kwargs)
        except RefError as e:
            raise RefError(f"layer {cfg.get('name')} ({cls}): {e}")

    def __call__(self, xs):
        xs = [np.asarray(x, np.float64) for x in xs]
        if len(xs) != len(self.input_shapes):
            raise RefError(f"model has {len(self.input_shapes)} inputs, got {len(xs)}")
        if self.sequential:
            y = xs[0]
            for e in self.layers:
                y = self._apply(e, [y], {})
            return [y]
        values = {}  # (layer, node) -> list of outputs
        for n, x in zip(self.input_names, xs):
            values[(n, 0)] = [x]
        pending = []
        for e in self.layers:
            if e["class_name"] == "InputLayer":
                continue
            for ni, call in enumerate(decode_calls(e)):
                pending.append((e, ni, call))

        def resolve(v):
            if isinstance(v, TRef):
                out = values.get((v.layer, v.node))
                if out is None:
                    raise KeyError
                return out[v.index]
            if isinstance(v, list):
                return [resolve(a) for a in v]
            if isinstance(v, dict):
                return {k: resolve(a) for k, a in v.items()}
            return v

        while pending:
            progress = False
            rest = []
            for e, ni, (args, kwargs) in pending:
                try:
                    a, kw = resolve(args), resolve(kwargs)
                except KeyError:
                    rest.append((e, ni, (args, kwargs)))
                    continue
                out = self._apply(e, a, kw)
                values[(e["config"]["name"], ni)] = [out]  # every supported layer has one output
                progress = True
            if not progress:
                names = sorted({e["config"]["name"] for e, _, _ in rest})
                raise RefError(f"graph has unresolved inputs (cycle or missing layer) at {names[:5]}")
            pending = rest
        outs = self.config["config"]["output_layers"]
        if outs and isinstance(outs[0], str):
            outs = [outs]
        if isinstance(outs, dict):
            outs = list(outs.values())
        result = []
        for o in outs:
            key = (o[0], int(o[1]))
            if key not in values:
                raise RefError(f"output {o} was not computed")
            result.append(values[key][int(o[2])])
        return result


# --------------------------------------------------------------------------------------------
# CLI

def _sample(model, xs):
    ys = model([x.astype(np.float64) for x in xs])
    for k, y in enumerate(ys):
        if not np.all(np.isfinite(y)):
            raise RefError(f"output {k} is not finite")
    return {"inputs": [[float(v) for v in np.asarray(x, np.float32).reshape(-1)] for x in xs],
            "outputs": [[float(v) for v in np.asarray(y, np.float32).reshape(-1)] for y in ys],
            "output_shapes": [list(np.asarray(y).shape) for y in ys]}


def ramp_inputs(shapes, lo, hi):
    out = []
    for i, s in enumerate(shapes):
        n = int(np.prod(s))
        t = np.sin(np.arange(n) * 0.37 + i) * 0.5 + 0.5
        out.append((lo + (hi - lo) * t).reshape(s).astype(np.float32))
    return out


def reference(path, samples, seed, lo, hi):
    model = Model(path)
    rng = np.random.default_rng(seed)
    ref = _sample(model, ramp_inputs(model.input_shapes, lo, hi))
    ref["input_shapes"] = model.input_shapes
    ref["samples"] = [_sample(model, [rng.uniform(lo, hi, s).astype(np.float32) for s in model.input_shapes])
                      for _ in range(samples)]
    return ref


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("model")
    p.add_argument("out")
    p.add_argument("--samples", type=int, default=8)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--range", default="-1,1")
    a = p.parse_args(argv)
    try:
        lo, hi = (float(v) for v in a.range.split(","))
        if not lo <= hi:
            raise ValueError
    except ValueError:
        print(f"keras_numpy_reference: --range must be lo,hi with lo <= hi, got {a.range!r}", file=sys.stderr)
        return 2
    try:
        ref = reference(a.model, a.samples, a.seed, lo, hi)
    except RefError as e:
        print(f"keras_numpy_reference: {a.model}: {e}", file=sys.stderr)
        return 2
    except (OSError, KeyError, ValueError) as e:
        print(f"keras_numpy_reference: {a.model}: cannot read the model: {type(e).__name__}: {e}", file=sys.stderr)
        return 2
    with open(a.out, "w") as f:
        json.dump(ref, f)
    allmax = [max(abs(v) for o in s["outputs"] for v in o) for s in [ref] + ref["samples"]]
    print(f"{a.model}: inputs {ref['input_shapes']} -> outputs {ref['output_shapes']}; "
          f"{1 + len(ref['samples'])} samples (seed {a.seed}, range [{lo}, {hi}]), "
          f"max |output| per sample {', '.join(f'{m:.4g}' for m in allmax)}; wrote {a.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
