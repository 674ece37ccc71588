#!/usr/bin/python3
"""Writes a GPT-2-small-shaped Keras 3 `.keras` decoder built from stock layers, for the conversion
benchmark (bench/run.sh case `gpt2`): token and position Embedding (two int32 inputs: ids and
positions), 12 blocks of LayerNormalization -> causal MultiHeadAttention (12 heads, key_dim 64) ->
Add -> LayerNormalization -> Dense(3072, gelu) -> Dense(768) -> Add, and a final
LayerNormalization: d=768, vocab 50257, 1024 positions, ~124 M parameters (GPT-2 small without its
tied LM head). Weights are seeded random float32.

The archive is written the way Keras 3.9 writes it (config.json in the Keras 3 dialect,
metadata.json, model.weights.h5 with layers/<snake_case key>/vars/N and MHA sub-layers
query_dense/key_dense/value_dense/output_dense), layer by layer, so the generator's own memory
stays near one layer.

Usage: make_gpt2_keras.py OUT.keras [--blocks N] [--seq T]
"""
import argparse
import json
import os
import tempfile
import zipfile

import h5py
import numpy as np

D, HEADS, KEY_DIM, FF, VOCAB, POSITIONS = 768, 12, 64, 3072, 50257, 1024


def policy():
    return {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": None}


def init(name):
    return {"module": "keras.initializers", "class_name": name, "config": {}, "registered_name": None}


def tensor(layer, shape, node=0, index=0, dtype="float32"):
    return {"class_name": "__keras_tensor__",
            "config": {"shape": shape, "dtype": dtype, "keras_history": [layer, node, index]}}


def entry(cls, cfg, args, kwargs=None):
    return {"module": "keras.layers", "class_name": cls, "config": cfg, "registered_name": None,
            "name": cfg["name"], "inbound_nodes": [{"args": args, "kwargs": kwargs or {}}]}


def common(name):
    return {"name": name, "trainable": True, "dtype": policy()}


class Writer:
    def __init__(self, h5, rng):
        self.h5, self.rng, self.used, self.params = h5, rng, {}, 0

    def key(self, snake):
        n = self.used.get(snake, -1) + 1
        self.used[snake] = n
        return snake if n == 0 else f"{snake}_{n}"

    def vars(self, path, name, shapes, scale=0.02):
        g = self.h5.create_group(path + "/vars")
        g.attrs["name"] = name
        for i, shape in enumerate(shapes):
            a = self.rng.standard_normal(shape, dtype=np.float32) * np.float32(scale)
            g.create_dataset(str(i), data=a)
            self.params += a.size


def build(out, blocks, seq):
    rng = np.random.default_rng(124)
    layers = []
    tmp = tempfile.NamedTemporaryFile(suffix=".weights.h5", dir=os.path.dirname(os.path.abspath(out)), delete=False)
    tmp.close()
    with h5py.File(tmp.name, "w") as f:
        w = Writer(f, rng)
        shape = [None, seq, D]
        layers.append({"module": "keras.layers", "class_name": "InputLayer", "registered_name": None, "name": "ids",
                       "config": {"batch_shape": [None, seq], "dtype": "int32", "sparse": False, "name": "ids"},
                       "inbound_nodes": []})
        layers.append({"module": "keras.layers", "class_name": "InputLayer", "registered_name": None,
                       "name": "positions",
                       "config": {"batch_shape": [None, seq], "dtype": "int32", "sparse": False, "name": "positions"},
                       "inbound_nodes": []})
        w.vars("layers/" + w.key("input_layer"), "ids", [])
        w.vars("layers/" + w.key("input_layer"), "positions", [])

        def embedding(name, n, src):
            cfg = dict(common(name), input_dim=n, output_dim=D, embeddings_initializer=init("RandomUniform"),
                       embeddings_regularizer=None, activity_regularizer=None, embeddings_constraint=None,
                       mask_zero=False)
            layers.append(entry("Embedding", cfg, [tensor(src, [None, seq], dtype="int32")]))
            w.vars("layers/" + w.key("embedding"), name, [(n, D)])

        embedding("wte", VOCAB, "ids")
        embedding("wpe", POSITIONS, "positions")
        layers.append(entry("Add", common("embed_sum"), [[tensor("wte", shape), tensor("wpe", shape)]]))
        w.key("add")
        w.vars("layers/add", "embed_sum", [])
        x = "embed_sum"

        def layer_norm(name, src):
            cfg = dict(common(name), axis=[-1], epsilon=1e-5, center=True, scale=True, rms_scaling=False,
                       beta_initializer=init("Zeros"), gamma_initializer=init("Ones"), beta_regularizer=None,
                       gamma_regularizer=None, beta_constraint=None, gamma_constraint=None)
            layers.append(entry("LayerNormalization", cfg, [tensor(src, shape)]))
            w.vars("layers/" + w.key("layer_normalization"), name, [(D,), (D,)])
            return name

        def dense(name, units, activation, src, in_dim):
            cfg = dict(common(name), units=units, activation=activation, use_bias=True,
                       kernel_initializer=init("GlorotUniform"), bias_initializer=init("Zeros"),
                       kernel_regularizer=None, bias_regularizer=None, kernel_constraint=None, bias_constraint=None)
            layers.append(entry("Dense", cfg, [tensor(src, [None, seq, in_dim])]))
            w.vars("layers/" + w.key("dense"), name, [(in_dim, units), (units,)])
            return name

        def add(name, a, b):
            layers.append(entry("Add", common(name), [[tensor(a, shape), tensor(b, shape)]]))
            w.vars("layers/" + w.key("add"), name, [])
            return name

        for b in range(blocks):
            h = layer_norm(f"h{b}_ln1", x)
            name = f"h{b}_attn"
            cfg = dict(common(name), num_heads=HEADS, key_dim=KEY_DIM, value_dim=KEY_DIM, dropout=0.0,
                       use_bias=True, output_shape=None, attention_axes=None,
                       kernel_initializer=init("GlorotUniform"), bias_initializer=init("Zeros"),
                       kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                       kernel_constraint=None, bias_constraint=None, seed=None)
            e = entry("MultiHeadAttention", cfg, [tensor(h, shape), tensor(h, shape)],
                      {"use_causal_mask": True, "query_mask": None, "value_mask": None})
            e["build_config"] = {"shapes_dict": {"query_shape": shape, "value_shape": shape}}
            layers.append(e)
            key = "layers/" + w.key("multi_head_attention")
            f.create_group(key + "/vars").attrs["name"] = name
            for sub in ("query_dense", "key_dense", "value_dense"):
                w.vars(f"{key}/{sub}", sub.split("_")[0], [(D, HEADS, KEY_DIM), (HEADS, KEY_DIM)])
            w.vars(f"{key}/output_dense", "attention_output", [(HEADS, KEY_DIM, D), (D,)])
            x = add(f"h{b}_res1", x, name)
            h = layer_norm(f"h{b}_ln2", x)
            h = dense(f"h{b}_fc", FF, "gelu", h, D)
            h = dense(f"h{b}_proj", D, "linear", h, FF)
            x = add(f"h{b}_res2", x, h)
        x = layer_norm("ln_f", x)
        f.create_group("vars").attrs["name"] = "gpt2"
        params = w.params
    config = {"module": "keras", "class_name": "Functional", "registered_name": "Functional",
              "config": {"name": "gpt2", "trainable": True, "layers": layers,
                         "input_layers": [["ids", 0, 0], ["positions", 0, 0]], "output_layers": [[x, 0, 0]]},
              "build_config": {"input_shape": None}, "compile_config": None}
    meta = {"keras_version": "3.9.2", "date_saved": "2026-01-01@00:00:00"}
    with zipfile.ZipFile(out, "w") as z:
        for member, data in (("metadata.json", json.dumps(meta)), ("config.json", json.dumps(config))):
            info = zipfile.ZipInfo(member, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
        z.write(tmp.name, "model.weights.h5", compress_type=zipfile.ZIP_STORED)
    os.unlink(tmp.name)
    return params


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out")
    ap.add_argument("--blocks", type=int, default=12)
    ap.add_argument("--seq", type=int, default=128)
    a = ap.parse_args()
    params = build(a.out, a.blocks, a.seq)
    print(f"wrote {a.out}: {a.blocks} blocks, {params} parameters ({params * 4 / 1e6:.1f} MB of float32 weights)")


if __name__ == "__main__":
    main()
