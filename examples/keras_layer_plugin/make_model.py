#!/usr/bin/python3
"""Writes the keras.io "Text classification with Transformer" model, small, in the files Keras writes.

    make_model.py OUT_DIR

OUT_DIR/recipe.keras          Keras 3 .keras: the custom classes as Keras 3 writes unregistered
                              __main__ classes ("module": null, "registered_name": class name;
                              config = the base keys + the __init__ arguments passed), weights in
                              model.weights.h5 under layers/<snake_case class>/<attribute>/...
OUT_DIR/recipe.h5             tf.keras 2.x legacy H5 (get_config keys embed_dim, num_heads, ff_dim,
                              rate / maxlen, vocab_size, embed_dim), weight names with tf.keras'
                              name scopes ("transformer_block/multi_head_attention/query/kernel:0")
OUT_DIR/recipe_changed.keras  as recipe.keras, but the TransformerBlock's config has a key the
                              recipe does not have ("epsilon": 0.001): the plugin must refuse it
OUT_DIR/reference.json        inputs and the numpy forward pass of the model (both files hold the
                              same weights), in the format tests/e2e/compare_reference.js reads

The model (maxlen 16, vocab 50, embed 8, heads 2, ff 12 instead of 200 / 20000 / 32 / 2 / 32):
    inputs = layers.Input(shape=(maxlen,))                       # float32 token ids
    x = TokenAndPositionEmbedding(maxlen, vocab_size, embed_dim)(inputs)
    x = TransformerBlock(embed_dim, num_heads, ff_dim)(x)
    x = layers.GlobalAveragePooling1D()(x); x = layers.Dropout(0.1)(x)
    x = layers.Dense(20, activation="relu")(x); x = layers.Dropout(0.1)(x)
    outputs = layers.Dense(2, activation="softmax")(x)
The numpy reference follows the Keras semantics of the recipe's layers (MultiHeadAttention with
key_dim = embed_dim, LayerNormalization eps 1e-6 with population variance, Embedding with float
ids cast to int32, dropout = identity at inference), not the converter's code.
Needs h5py and numpy (run with /usr/bin/python3). Output is deterministic (seeded).
"""
import io
import json
import os
import sys
import zipfile

import h5py
import numpy as np

MAXLEN, VOCAB, EMBED, HEADS, FF = 16, 50, 8, 2, 12
KEY_DIM = EMBED  # the recipe: MultiHeadAttention(num_heads=num_heads, key_dim=embed_dim)
HIDDEN, CLASSES = 20, 2
SAMPLES = 8


def weights(rng):
    """The model's weights by role (float32)."""
    w = lambda *s, scale=0.4: rng.normal(0.0, scale, s).astype(np.float32)
    E, H, D, F = EMBED, HEADS, KEY_DIM, FF
    return {
        "token_emb": w(VOCAB, E, scale=0.5), "pos_emb": w(MAXLEN, E, scale=0.5),
        "query_k": w(E, H, D), "query_b": w(H, D, scale=0.1),
        "key_k": w(E, H, D), "key_b": w(H, D, scale=0.1),
        "value_k": w(E, H, D), "value_b": w(H, D, scale=0.1),
        "out_k": w(H, D, E), "out_b": w(E, scale=0.1),
        "ffn1_k": w(E, F), "ffn1_b": w(F, scale=0.1), "ffn2_k": w(F, E), "ffn2_b": w(E, scale=0.1),
        "ln1_g": rng.uniform(0.5, 1.5, E).astype(np.float32), "ln1_b": w(E, scale=0.1),
        "ln2_g": rng.uniform(0.5, 1.5, E).astype(np.float32), "ln2_b": w(E, scale=0.1),
        "dense_k": w(E, HIDDEN), "dense_b": w(HIDDEN, scale=0.1),
        "dense_1_k": w(HIDDEN, CLASSES, scale=1.0), "dense_1_b": w(CLASSES, scale=0.1),
    }


# ------------------------------------------------------------------------------ numpy reference

def layer_norm(x, gamma, beta, eps=1e-6):
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)  # population variance
    return (x - mean) / np.sqrt(var + eps) * gamma + beta


def softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def forward(W, x):
    """x: [1, MAXLEN] float token ids → [1, 2] class probabilities (float64 math)."""
    W = {k: v.astype(np.float64) for k, v in W.items()}
    # TokenAndPositionEmbedding: Embedding casts float ids to int32 (truncation toward zero).
    ids = x.astype(np.int32)
    L = x.shape[-1]
    h = W["token_emb"][ids] + W["pos_emb"][np.arange(L)]               # [1, L, E]
    # TransformerBlock: att(inputs, inputs) = MultiHeadAttention(query = value = key = h).
    q = np.einsum("abc,cde->abde", h, W["query_k"]) + W["query_b"]    # [1, L, H, D]
    k = np.einsum("abc,cde->abde", h, W["key_k"]) + W["key_b"]
    v = np.einsum("abc,cde->abde", h, W["value_k"]) + W["value_b"]
    scores = np.einsum("aecd,abcd->acbe", k, q / np.sqrt(KEY_DIM))    # [1, H, L, L]
    probs = softmax(scores, axis=-1)                                  # over the keys
    ctx = np.einsum("acbe,aecd->abcd", probs, v)                      # [1, L, H, D]
    attn = np.einsum("abcd,cde->abe", ctx, W["out_k"]) + W["out_b"]   # [1, L, E]
    out1 = layer_norm(h + attn, W["ln1_g"], W["ln1_b"])               # dropout1: identity
    f = np.maximum(out1 @ W["ffn1_k"] + W["ffn1_b"], 0.0) @ W["ffn2_k"] + W["ffn2_b"]
    y = layer_norm(out1 + f, W["ln2_g"], W["ln2_b"])                  # dropout2: identity
    # GlobalAveragePooling1D, Dropout, Dense(20, relu), Dropout, Dense(2, softmax)
    g = y.mean(axis=1)
    d = np.maximum(g @ W["dense_k"] + W["dense_b"], 0.0)
    return softmax(d @ W["dense_1_k"] + W["dense_1_b"], axis=-1)


def reference(W, rng):
    def sample(x):
        y = forward(W, x)
        return {"inputs": [[float(t) for t in x.reshape(-1)]],
                "outputs": [[float(t) for t in y.astype(np.float32).reshape(-1)]]}
    # Token ids as float32 (the recipe's Input is float32); 1 fixed ramp + SAMPLES seeded ones.
    first = (np.arange(MAXLEN, dtype=np.float32) * 7) % VOCAB
    ref = sample(first.reshape(1, MAXLEN))
    ref["input_shapes"] = [[1, MAXLEN]]
    ref["output_shapes"] = [[1, CLASSES]]
    ref["samples"] = [sample(rng.integers(0, VOCAB, (1, MAXLEN)).astype(np.float32)) for _ in range(SAMPLES)]
    return ref


# ------------------------------------------------------------------------------ Keras 3 .keras

def k3_policy():
    return {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": None}


def k3_init(name, **cfg):
    return {"module": "keras.initializers", "class_name": name, "config": cfg, "registered_name": None}


def k3_tensor(layer, shape):
    return {"class_name": "__keras_tensor__",
            "config": {"shape": shape, "dtype": "float32", "keras_history": [layer, 0, 0]}}


def k3_entry(cls, cfg, inbound, build_shape=None, module="keras.layers", registered_name=None):
    e = {"module": module, "class_name": cls, "config": cfg, "registered_name": registered_name, "name": cfg["name"],
         "inbound_nodes": inbound}
    if build_shape is not None:
        e["build_config"] = {"input_shape": build_shape}
    return e


def k3_call(layer, shape):
    return [{"args": [k3_tensor(layer, shape)], "kwargs": {}}]


def k3_dense(name, units, activation):
    return {"name": name, "trainable": True, "dtype": k3_policy(), "units": units, "activation": activation,
            "use_bias": True, "kernel_initializer": k3_init("GlorotUniform", seed=None),
            "bias_initializer": k3_init("Zeros"), "kernel_regularizer": None, "bias_regularizer": None,
            "kernel_constraint": None, "bias_constraint": None}


def k3_config(tb_extra=None):
    # Keras 3 names layers with per-class counters in creation order: the blocks' inner Dropout and
    # Dense layers come first, so the model's own are dropout_2 / dense_2, dropout_3 / dense_3.
    base = lambda name: {"name": name, "trainable": True, "dtype": k3_policy()}
    # An unregistered class defined in __main__: "module": null, "registered_name": its name; the
    # config is Layer.get_config (name, trainable, dtype) + the __init__ arguments it was given.
    emb_cfg = dict(base("token_and_position_embedding"), maxlen=MAXLEN, vocab_size=VOCAB, embed_dim=EMBED)
    tb_cfg = dict(base("transformer_block"), embed_dim=EMBED, num_heads=HEADS, ff_dim=FF)
    tb_cfg.update(tb_extra or {})
    seq, emb = [None, MAXLEN], [None, MAXLEN, EMBED]
    layers = [
        k3_entry("InputLayer", {"batch_shape": seq, "dtype": "float32", "sparse": False, "name": "input_layer"}, []),
        k3_entry("TokenAndPositionEmbedding", emb_cfg, k3_call("input_layer", seq), seq, None,
                 "TokenAndPositionEmbedding"),
        k3_entry("TransformerBlock", tb_cfg, k3_call("token_and_position_embedding", emb), emb, None, "TransformerBlock"),
        k3_entry("GlobalAveragePooling1D", dict(base("global_average_pooling1d"), data_format="channels_last",
                                                keepdims=False), k3_call("transformer_block", emb), emb),
        k3_entry("Dropout", dict(base("dropout_2"), rate=0.1, seed=None, noise_shape=None),
                 k3_call("global_average_pooling1d", [None, EMBED]), [None, EMBED]),
        k3_entry("Dense", k3_dense("dense_2", HIDDEN, "relu"), k3_call("dropout_2", [None, EMBED]), [None, EMBED]),
        k3_entry("Dropout", dict(base("dropout_3"), rate=0.1, seed=None, noise_shape=None),
                 k3_call("dense_2", [None, HIDDEN]), [None, HIDDEN]),
        k3_entry("Dense", k3_dense("dense_3", CLASSES, "softmax"), k3_call("dropout_3", [None, HIDDEN]), [None, HIDDEN]),
    ]
    return {"module": "keras", "class_name": "Functional",
            "config": {"name": "functional", "trainable": True, "layers": layers,
                       "input_layers": [["input_layer", 0, 0]], "output_layers": [["dense_3", 0, 0]]},
            "registered_name": "Functional", "build_config": {"input_shape": None},
            "compile_config": None}


def write_keras(path, W, tb_extra=None):
    """model.weights.h5 as Keras 3.1+ saves it: one group per object path, variables in vars/N;
    model.layers entries named snake_case(class) with per-model counters; inside a layer, children
    by attribute name (MultiHeadAttention: query_dense ... plus the empty _softmax, _dropout_layer)."""
    groups = {
        "layers/input_layer/vars": [],
        "layers/token_and_position_embedding/vars": [],
        "layers/token_and_position_embedding/token_emb/vars": [W["token_emb"]],
        "layers/token_and_position_embedding/pos_emb/vars": [W["pos_emb"]],
        "layers/transformer_block/vars": [],
        "layers/transformer_block/att/vars": [],
        "layers/transformer_block/att/query_dense/vars": [W["query_k"], W["query_b"]],
        "layers/transformer_block/att/key_dense/vars": [W["key_k"], W["key_b"]],
        "layers/transformer_block/att/value_dense/vars": [W["value_k"], W["value_b"]],
        "layers/transformer_block/att/output_dense/vars": [W["out_k"], W["out_b"]],
        "layers/transformer_block/att/_softmax/vars": [],
        "layers/transformer_block/att/_dropout_layer/vars": [],
        "layers/transformer_block/ffn/vars": [],
        "layers/transformer_block/ffn/layers/dense/vars": [W["ffn1_k"], W["ffn1_b"]],
        "layers/transformer_block/ffn/layers/dense_1/vars": [W["ffn2_k"], W["ffn2_b"]],
        "layers/transformer_block/layernorm1/vars": [W["ln1_g"], W["ln1_b"]],
        "layers/transformer_block/layernorm2/vars": [W["ln2_g"], W["ln2_b"]],
        "layers/transformer_block/dropout1/vars": [],
        "layers/transformer_block/dropout2/vars": [],
        "layers/global_average_pooling1d/vars": [],
        "layers/dropout/vars": [],
        "layers/dense/vars": [W["dense_k"], W["dense_b"]],
        "layers/dropout_1/vars": [],
        "layers/dense_1/vars": [W["dense_1_k"], W["dense_1_b"]],
    }
    buf = io.BytesIO()
    with h5py.File(buf, "w") as f:
        for gpath, arrays in groups.items():
            g = f.require_group(gpath)
            for i, a in enumerate(arrays):
                g.create_dataset(str(i), data=np.asarray(a, np.float32))
        f.create_group("vars").attrs["name"] = "functional"
    meta = {"keras_version": "3.8.0", "date_saved": "2025-01-01@00:00:00"}
    with zipfile.ZipFile(path, "w") as z:
        for member, data, comp in [("metadata.json", json.dumps(meta).encode(), zipfile.ZIP_DEFLATED),
                                   ("config.json", json.dumps(k3_config(tb_extra)).encode(), zipfile.ZIP_DEFLATED),
                                   ("model.weights.h5", buf.getvalue(), zipfile.ZIP_STORED)]:
            info = zipfile.ZipInfo(member, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = comp
            z.writestr(info, data)


# ------------------------------------------------------------------------------ tf.keras legacy H5

def write_h5(path, W):
    """A tf.keras 2.15 model.save("recipe.h5"): model_config JSON, model_weights/<layer>/ with
    weight_names; weight names carry tf.keras' name scopes and global layer counters."""
    base = lambda name: {"name": name, "trainable": True, "dtype": "float32"}
    dense = lambda name, units, act: dict(base(name), units=units, activation=act, use_bias=True,
                                          kernel_initializer={"class_name": "GlorotUniform", "config": {"seed": None}},
                                          bias_initializer={"class_name": "Zeros", "config": {}},
                                          kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                                          kernel_constraint=None, bias_constraint=None)
    entry = lambda cls, cfg, inbound: {"class_name": cls, "config": cfg, "name": cfg["name"],
                                       "inbound_nodes": [[[inbound, 0, 0, {}]]] if inbound else []}
    layers = [
        entry("InputLayer", {"batch_input_shape": [None, MAXLEN], "dtype": "float32", "sparse": False,
                             "ragged": False, "name": "input_1"}, None),
        # The recipe's get_config: base config + the __init__ arguments.
        entry("TokenAndPositionEmbedding", dict(base("token_and_position_embedding"), maxlen=MAXLEN,
                                                vocab_size=VOCAB, embed_dim=EMBED), "input_1"),
        entry("TransformerBlock", dict(base("transformer_block"), embed_dim=EMBED, num_heads=HEADS, ff_dim=FF,
                                       rate=0.1), "token_and_position_embedding"),
        entry("GlobalAveragePooling1D", dict(base("global_average_pooling1d"), data_format="channels_last",
                                             keepdims=False), "transformer_block"),
        entry("Dropout", dict(base("dropout_2"), rate=0.1, noise_shape=None, seed=None), "global_average_pooling1d"),
        entry("Dense", dense("dense_2", HIDDEN, "relu"), "dropout_2"),
        entry("Dropout", dict(base("dropout_3"), rate=0.1, noise_shape=None, seed=None), "dense_2"),
        entry("Dense", dense("dense_3", CLASSES, "softmax"), "dropout_3"),
    ]
    config = {"class_name": "Functional", "config": {"name": "model", "layers": layers,
                                                      "input_layers": [["input_1", 0, 0]],
                                                      "output_layers": [["dense_3", 0, 0]]}}
    tb = "transformer_block/"
    mha = tb + "multi_head_attention/"
    weights = {
        "input_1": [],
        # layer.weights order = tracking order: token_emb (embedding), pos_emb (embedding_1).
        "token_and_position_embedding": [("token_and_position_embedding/embedding/embeddings:0", W["token_emb"]),
                                         ("token_and_position_embedding/embedding_1/embeddings:0", W["pos_emb"])],
        # att (query, key, value, attention_output), ffn (sequential: dense, dense_1), layernorm1, layernorm2.
        "transformer_block": [
            (mha + "query/kernel:0", W["query_k"]), (mha + "query/bias:0", W["query_b"]),
            (mha + "key/kernel:0", W["key_k"]), (mha + "key/bias:0", W["key_b"]),
            (mha + "value/kernel:0", W["value_k"]), (mha + "value/bias:0", W["value_b"]),
            (mha + "attention_output/kernel:0", W["out_k"]), (mha + "attention_output/bias:0", W["out_b"]),
            (tb + "sequential/dense/kernel:0", W["ffn1_k"]), (tb + "sequential/dense/bias:0", W["ffn1_b"]),
            (tb + "sequential/dense_1/kernel:0", W["ffn2_k"]), (tb + "sequential/dense_1/bias:0", W["ffn2_b"]),
            (tb + "layer_normalization/gamma:0", W["ln1_g"]), (tb + "layer_normalization/beta:0", W["ln1_b"]),
            (tb + "layer_normalization_1/gamma:0", W["ln2_g"]), (tb + "layer_normalization_1/beta:0", W["ln2_b"]),
        ],
        "global_average_pooling1d": [],
        "dropout_2": [],
        "dense_2": [("dense_2/kernel:0", W["dense_k"]), ("dense_2/bias:0", W["dense_b"])],
        "dropout_3": [],
        "dense_3": [("dense_3/kernel:0", W["dense_1_k"]), ("dense_3/bias:0", W["dense_1_b"])],
    }
    with h5py.File(path, "w") as f:
        f.attrs["keras_version"] = "2.15.0"
        f.attrs["backend"] = "tensorflow"
        f.attrs["model_config"] = json.dumps(config).encode("utf8")
        g = f.create_group("model_weights")
        names = [l["name"] for l in layers]
        g.attrs["layer_names"] = np.array([n.encode() for n in names])
        g.attrs["backend"] = b"tensorflow"
        g.attrs["keras_version"] = b"2.15.0"
        for n in names:
            lg = g.create_group(n)
            lg.attrs["weight_names"] = np.array([wn.encode() for wn, _ in weights[n]], dtype="S")
            for wn, a in weights[n]:
                lg.create_dataset(wn, data=np.asarray(a, np.float32))


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(20240614)
    W = weights(rng)
    write_keras(os.path.join(out, "recipe.keras"), W)
    write_h5(os.path.join(out, "recipe.h5"), W)
    write_keras(os.path.join(out, "recipe_changed.keras"), W, tb_extra={"epsilon": 0.001})
    with open(os.path.join(out, "reference.json"), "w") as f:
        json.dump(reference(W, rng), f)
    print("wrote recipe.keras, recipe.h5, recipe_changed.keras, reference.json to " + out)


if __name__ == "__main__":
    main()
