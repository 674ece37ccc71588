#!/usr/bin/env python3
"""Unit checks of keras_numpy_reference.py on small cases computed by hand (or by a plainly
different algorithm: explicit loops), layer by layer. usage: test_keras_numpy_reference.py"""
import math
import os
import sys
import unittest

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import keras_numpy_reference as R  # noqa: E402


class Ctx:
    keras3 = False


K2, K3 = Ctx(), Ctx()
K3.keras3 = True


def softmax_list(v):
    e = [math.exp(a - max(v)) for a in v]
    return [a / sum(e) for a in e]


def mha_loops(q, v, k, Wq, bq, Wk, bk, Wv, bv, Wo, bo):
    """Rank-3 MultiHeadAttention written as plain loops (B, T, S, heads)."""
    B, T, _ = q.shape
    S = v.shape[1]
    N, dk = Wq.shape[1], Wq.shape[2]
    dv = Wv.shape[2]
    out = np.zeros((B, T, Wo.shape[2]))
    for b in range(B):
        for h in range(N):
            Q = [[sum(q[b, t, c] * Wq[c, h, e] for c in range(q.shape[2])) + bq[h, e] for e in range(dk)] for t in range(T)]
            Kk = [[sum(k[b, s, c] * Wk[c, h, e] for c in range(k.shape[2])) + bk[h, e] for e in range(dk)] for s in range(S)]
            V = [[sum(v[b, s, c] * Wv[c, h, e] for c in range(v.shape[2])) + bv[h, e] for e in range(dv)] for s in range(S)]
            for t in range(T):
                sc = [sum(Q[t][e] * Kk[s][e] for e in range(dk)) / math.sqrt(dk) for s in range(S)]
                p = softmax_list(sc)
                ctx = [sum(p[s] * V[s][e] for s in range(S)) for e in range(dv)]
                for o in range(Wo.shape[2]):
                    out[b, t, o] += sum(ctx[e] * Wo[h, e, o] for e in range(dv))
    return out + bo


class Layers(unittest.TestCase):
    def test_dense_rank3(self):
        x = np.array([[[1., 2.], [3., 4.]]])
        w = [np.array([[1., 0., 1.], [0., 1., 1.]]), np.array([0., 0., 1.])]
        y = R.layer_dense(K2, {"units": 3, "activation": "linear"}, w, [x], {})
        np.testing.assert_allclose(y, [[[1, 2, 4], [3, 4, 8]]])
        y = R.layer_dense(K2, {"units": 3, "activation": "relu"}, [-w[0], w[1]], [x], {})
        np.testing.assert_allclose(y, [[[0, 0, 0], [0, 0, 0]]])

    def test_conv1d_hand(self):
        x = np.array([1., 2., 3., 4.]).reshape(1, 4, 1)
        k = [np.array([1., 10.]).reshape(2, 1, 1)]
        conv = lambda **c: R.layer_conv1d(K2, dict({"use_bias": False}, **c), k, [x], {})[0, :, 0].tolist()
        self.assertEqual(conv(padding="valid"), [21, 32, 43])
        self.assertEqual(conv(padding="causal"), [10, 21, 32, 43])
        self.assertEqual(conv(padding="same"), [21, 32, 43, 4])
        self.assertEqual(conv(padding="valid", strides=[2]), [21, 43])
        self.assertEqual(conv(padding="valid", dilation_rate=[2]), [31, 42])
        # channels_first: (B, C, T) in and out
        xf = np.swapaxes(x, 1, 2)
        y = R.layer_conv1d(K2, {"use_bias": False, "padding": "valid", "data_format": "channels_first"}, k, [xf], {})
        self.assertEqual(y.shape, (1, 1, 3))
        self.assertEqual(y[0, 0].tolist(), [21, 32, 43])

    def test_conv1d_kernel1_is_pointwise_dense_and_groups(self):
        rng = np.random.default_rng(0)
        x = rng.normal(size=(2, 5, 4))
        k = rng.normal(size=(1, 4, 3))
        b = rng.normal(size=3)
        y = R.layer_conv1d(K2, {"padding": "valid"}, [k, b], [x], {})
        np.testing.assert_allclose(y, x @ k[0] + b)
        # groups=2: each half of the channels sees only its half of the filters
        kg = rng.normal(size=(1, 2, 4))
        y = R.layer_conv1d(K2, {"padding": "valid", "groups": 2, "use_bias": False}, [kg], [x], {})
        np.testing.assert_allclose(y[..., :2], x[..., :2] @ kg[0, :, :2])
        np.testing.assert_allclose(y[..., 2:], x[..., 2:] @ kg[0, :, 2:])

    def test_layernorm_hand(self):
        x = np.array([[[1., 2., 3.]]])
        y = R.layer_layernorm(K2, {"axis": -1, "epsilon": 0.0}, [np.ones(3), np.zeros(3)], [x], {})
        s = math.sqrt(2 / 3)
        np.testing.assert_allclose(y[0, 0], [-1 / s, 0, 1 / s])
        y = R.layer_layernorm(K2, {"axis": [2], "epsilon": 0.0}, [np.array([2., 2., 2.]), np.array([1., 0., 0.])], [x], {})
        np.testing.assert_allclose(y[0, 0], [1 - 2 / s, 0, 2 / s])
        # two axes: moments over the whole (2, 2) slice; gamma/beta shaped like it
        x = np.array([[[1., 3.], [5., 7.]]])
        y = R.layer_layernorm(K2, {"axis": [1, 2], "epsilon": 0.0}, [np.ones((2, 2)), np.zeros((2, 2))], [x], {})
        np.testing.assert_allclose(y[0], [[-3 / math.sqrt(5), -1 / math.sqrt(5)], [1 / math.sqrt(5), 3 / math.sqrt(5)]])
        # epsilon counts: var 2/3 + eps 1/3 = 1
        x = np.array([[[1., 2., 3.]]])
        y = R.layer_layernorm(K2, {"axis": -1, "epsilon": 1 / 3, "center": False, "scale": False}, [], [x], {})
        np.testing.assert_allclose(y[0, 0], [-1, 0, 1])

    def test_mha_hand(self):
        # one head, key_dim 1, identity kernels: Q = K = V = x; scores q*k; closed form
        x = np.array([[[1.], [2.]]])
        one = np.ones((1, 1, 1))
        z = np.zeros((1, 1))
        w = [one, z, one, z, one, z, one, np.zeros(1)]
        y = R.layer_mha(K2, {"num_heads": 1, "key_dim": 1, "attention_axes": [1]}, w, [x], {"value": x, "key": x})
        e = math.e
        np.testing.assert_allclose(y[0, :, 0], [(1 + 2 * e) / (1 + e), (e ** 2 + 2 * e ** 4) / (e ** 2 + e ** 4)])

    def test_mha_against_loops(self):
        rng = np.random.default_rng(1)
        B, T, S, dq, dvin, N, dk, dv, dout = 2, 3, 4, 5, 3, 2, 4, 3, 5
        q = rng.normal(size=(B, T, dq))
        v = rng.normal(size=(B, S, dvin))
        k = rng.normal(size=(B, S, 6))
        Wq, bq = rng.normal(size=(dq, N, dk)), rng.normal(size=(N, dk))
        Wk, bk = rng.normal(size=(6, N, dk)), rng.normal(size=(N, dk))
        Wv, bv = rng.normal(size=(dvin, N, dv)), rng.normal(size=(N, dv))
        Wo, bo = rng.normal(size=(N, dv, dout)), rng.normal(size=dout)
        w = [Wq, bq, Wk, bk, Wv, bv, Wo, bo]
        cfg = {"num_heads": N, "key_dim": dk, "value_dim": dv}
        want = mha_loops(q, v, k, *w)
        np.testing.assert_allclose(R.layer_mha(K3, cfg, w, [q, v, k], {}), want, rtol=1e-10)  # Keras 3 args
        np.testing.assert_allclose(R.layer_mha(K2, cfg, w, [q], {"value": v, "key": k}), want, rtol=1e-10)  # K2 kwargs
        # .keras form: one list per sub-layer
        np.testing.assert_allclose(R.layer_mha(K3, cfg, [w[0:2], w[2:4], w[4:6], w[6:8]], [q, v, k], {}), want, rtol=1e-10)
        # key absent -> key = value
        wk = [Wq, bq, rng.normal(size=(dvin, N, dk)), bk, Wv, bv, Wo, bo]
        np.testing.assert_allclose(R.layer_mha(K3, cfg, wk, [q, v], {}), mha_loops(q, v, v, *wk), rtol=1e-10)
        # no bias
        wnb = [Wq, Wk, Wv, Wo]
        zero = lambda *s: np.zeros(s)
        np.testing.assert_allclose(R.layer_mha(K3, dict(cfg, use_bias=False), wnb, [q, v, k], {}),
                                   mha_loops(q, v, k, Wq, zero(N, dk), Wk, zero(N, dk), Wv, zero(N, dv), Wo, zero(dout)),
                                   rtol=1e-10)

    def test_mha_attention_axes(self):
        rng = np.random.default_rng(2)
        q = rng.normal(size=(1, 2, 3, 4))
        N, dk = 2, 3
        w = [rng.normal(size=(4, N, dk)), rng.normal(size=(N, dk)), rng.normal(size=(4, N, dk)), rng.normal(size=(N, dk)),
             rng.normal(size=(4, N, dk)), rng.normal(size=(N, dk)), rng.normal(size=(N, dk, 4)), rng.normal(size=4)]
        cfg = {"num_heads": N, "key_dim": dk}
        # axes (1, 2) (the default for rank 4) == attention over the flattened 6 positions
        y = R.layer_mha(K3, cfg, w, [q, q], {})
        flat = R.layer_mha(K3, dict(cfg, attention_axes=[1]), w, [q.reshape(1, 6, 4), q.reshape(1, 6, 4)], {})
        np.testing.assert_allclose(y.reshape(1, 6, 4), flat, rtol=1e-10)
        np.testing.assert_allclose(R.layer_mha(K3, dict(cfg, attention_axes=[1, 2]), w, [q, q], {}), y, rtol=1e-10)
        # axis (2,) only: each row i attends within itself
        y2 = R.layer_mha(K3, dict(cfg, attention_axes=[2]), w, [q, q], {})
        for i in range(2):
            row = R.layer_mha(K3, dict(cfg, attention_axes=[1]), w, [q[:, i], q[:, i]], {})
            np.testing.assert_allclose(y2[:, i], row, rtol=1e-10)
        # axis (1,) only: each column j attends along axis 1
        y1 = R.layer_mha(K3, dict(cfg, attention_axes=[1]), w, [q, q], {})
        for j in range(3):
            col = R.layer_mha(K3, dict(cfg, attention_axes=[1]), w, [q[:, :, j], q[:, :, j]], {})
            np.testing.assert_allclose(y1[:, :, j], col, rtol=1e-10)

    def test_mha_causal_mask(self):
        x = np.array([[[1.], [2.]]])
        one = np.ones((1, 1, 1))
        w = [one, one, one, one]
        y = R.layer_mha(K3, {"num_heads": 1, "key_dim": 1, "use_bias": False}, w, [x, x], {"use_causal_mask": True})
        e = math.e
        # position 0 sees only itself; position 1 sees both
        np.testing.assert_allclose(y[0, :, 0], [1.0, (e ** 2 + 2 * e ** 4) / (e ** 2 + e ** 4)])

    def test_pooling_flatten_reshape(self):
        x = np.arange(24, dtype=float).reshape(1, 2, 3, 4)[:, 0]  # (1, 3, 4)
        np.testing.assert_allclose(R.layer_gap1d(np.mean)(K2, {"data_format": "channels_last"}, [], [x], {}),
                                   [[4, 5, 6, 7]])
        # channels_first: axis 2 (KERAS.md B.6)
        np.testing.assert_allclose(R.layer_gap1d(np.mean)(K2, {"data_format": "channels_first"}, [], [x], {}),
                                   [[1.5, 5.5, 9.5]])
        self.assertEqual(R.layer_gap1d(np.mean)(K2, {"keepdims": True}, [], [x], {}).shape, (1, 1, 4))
        self.assertEqual(R.layer_flatten(K2, {}, [], [x], {}).tolist(), [list(range(12))])
        # channels_first: channels moved last first -> (T, C) order of a (C, T) input
        self.assertEqual(R.layer_flatten(K2, {"data_format": "channels_first"}, [], [x], {}).tolist(),
                         [[0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11]])
        self.assertEqual(R.layer_reshape(K2, {"target_shape": [2, 6]}, [], [x], {}).shape, (1, 2, 6))
        self.assertEqual(R.layer_reshape(K2, {"target_shape": [-1, 3]}, [], [x], {}).shape, (1, 4, 3))

    def test_add_and_tfoplambda(self):
        a, b, c = np.array([1.]), np.array([2.]), np.array([4.])
        self.assertEqual(R.layer_add(K2, {}, [], [[a, b, c]], {}).tolist(), [7])
        self.assertEqual(R.layer_tfoplambda(K2, {"function": "__operators__.add"}, [], [a], {"y": b, "name": None}).tolist(), [3])
        self.assertEqual(R.layer_tfoplambda(K2, {"function": "__operators__.add"}, [], [a, c], {}).tolist(), [5])
        with self.assertRaises(R.RefError):
            R.layer_tfoplambda(K2, {"function": "linalg.det"}, [], [a], {})

    def test_activations(self):
        x = np.array([-1., 0., 1.])
        np.testing.assert_allclose(R.activation("gelu", x, True), [-0.15865525393145707, 0, 0.8413447460685429])
        np.testing.assert_allclose(R.activation("hard_sigmoid", np.array([1.]), False), [0.7])
        np.testing.assert_allclose(R.activation("hard_sigmoid", np.array([1.]), True), [1 / 6 + 0.5])
        np.testing.assert_allclose(R.activation("softmax", np.array([0., math.log(3)]), False), [0.25, 0.75])
        np.testing.assert_allclose(R.activation("relu", x, False), [0, 0, 1])
        with self.assertRaises(R.RefError):
            R.activation("no_such_act", x, False)


class Config(unittest.TestCase):
    def test_keras2_nodes(self):
        mha = {"config": {"name": "mha"}, "inbound_nodes": [[["add_3", 0, 0, {"value": ["add_3", 0, 0], "key": ["add_3", 0, 0]}]]]}
        (args, kwargs), = R.decode_calls(mha)
        self.assertEqual(repr(args), "[<add_3[0][0]>]")
        self.assertEqual(sorted(kwargs), ["key", "value"])
        self.assertEqual(repr(kwargs["value"]), "<add_3[0][0]>")
        tfop = {"config": {"name": "tf.add"}, "inbound_nodes": [["input_1", 0, 0, {"y": ["mha", 0, 0], "name": None}]]}
        (args, kwargs), = R.decode_calls(tfop)
        self.assertEqual(repr(args), "[<input_1[0][0]>]")
        self.assertEqual(repr(kwargs["y"]), "<mha[0][0]>")
        self.assertIsNone(kwargs["name"])
        add = {"config": {"name": "add"}, "inbound_nodes": [[["a", 0, 0, {}], ["b", 1, 0, {}]]]}
        (args, kwargs), = R.decode_calls(add)
        self.assertEqual(repr(args), "[[<a[0][0]>, <b[1][0]>]]")
        const = {"config": {"name": "tf.add_1"}, "inbound_nodes": [["_CONSTANT_VALUE", -1, [1.0, 2.0], {"y": ["x", 0, 0]}]]}
        (args, kwargs), = R.decode_calls(const)
        self.assertEqual(args[0].tolist(), [1.0, 2.0])

    def test_keras3_nodes(self):
        kt = lambda n: {"class_name": "__keras_tensor__", "config": {"shape": [None, 2], "dtype": "float32", "keras_history": [n, 0, 0]}}
        mha = {"config": {"name": "mha"}, "inbound_nodes": [{"args": [kt("ln"), kt("ln")], "kwargs": {"query_mask": None}}]}
        (args, kwargs), = R.decode_calls(mha)
        self.assertEqual(repr(args), "[<ln[0][0]>, <ln[0][0]>]")
        add = {"config": {"name": "add"}, "inbound_nodes": [{"args": [[kt("a"), kt("b")]], "kwargs": {}}]}
        (args, kwargs), = R.decode_calls(add)
        self.assertEqual(repr(args), "[[<a[0][0]>, <b[0][0]>]]")

    def test_snake_case(self):
        for cls, want in (("MultiHeadAttention", "multi_head_attention"), ("Conv1D", "conv1d"), ("PReLU", "p_re_lu"),
                          ("GlobalAveragePooling1D", "global_average_pooling1d"), ("TFOpLambda", "tf_op_lambda"),
                          ("InputLayer", "input_layer"), ("LSTM", "lstm"), ("SimpleRNN", "simple_rnn")):
            self.assertEqual(R.to_snake_case(cls), want)


if __name__ == "__main__":
    unittest.main(verbosity=1)
