"""Recurrent layers and wrappers: SimpleRNN, go_backwards, return_state, initial_state for
SimpleRNN/LSTM/GRU; Bidirectional (merge modes, return_state, backward_layer); TimeDistributed
(Dense, Conv2D, pooling, Flatten). Keras 2 legacy .h5 and Keras 3 .keras files, checked against
numpy references written from the Keras semantics (shared reference/KERAS.md B.5):
  SimpleRNN h = act(x·W + b + h₋·U); LSTM gates i, f, c, o; GRU gates z, r, h (reset_after);
  go_backwards: steps T-1..0, the sequence output in processing order; return_state: [y, h(, c)];
  Bidirectional: backward = same config, go_backwards flipped; its sequence is reversed back along
  time before merging; return_state: [merged, forward states, backward states];
  TimeDistributed: the layer applied to every time slice.
"""
import io
import json
import zipfile

import h5py
import numpy as np


def register(km):
    model, Model, REFERENCES = km.model, km.Model, km.REFERENCES
    c_lstm, c_gru, c_dense = km.c_lstm, km.c_gru, km.c_dense
    k3_common, k3_init, k3_layer, k3_tensor, k3_dense = km.k3_common, km.k3_init, km.k3_layer, km.k3_tensor, km.k3_dense
    sigmoid = km.sigmoid

    # ------------------------------------------------------------------------ Keras 2 configs

    def c_simple_rnn(name, units, return_sequences=False, activation="tanh", use_bias=True, go_backwards=False,
                     return_state=False):
        cfg = c_lstm(name, units, return_sequences, activation, "sigmoid", use_bias, go_backwards)
        for k in ("recurrent_activation", "unit_forget_bias", "implementation"):
            cfg.pop(k, None)
        cfg["return_state"] = return_state
        return cfg

    def with_state(cfg, return_state=True):
        cfg = dict(cfg)
        cfg["return_state"] = return_state
        return cfg

    def wrap(cls, cfg):
        return {"class_name": cls, "config": cfg}

    def c_bidir(name, inner_cls, inner_cfg, merge_mode="concat"):
        return dict(km._common(name), layer=wrap(inner_cls, inner_cfg), merge_mode=merge_mode)

    def c_td(name, inner_cls, inner_cfg):
        return dict(km._common(name), layer=wrap(inner_cls, inner_cfg))

    def rnn_weights(prefix, cell, n_in, units, gates, use_bias=True, gru_reset_after=False, m=None):
        """Keras 2 weight names of an RNN cell: <prefix>/<cell>/kernel:0 ..."""
        ws = [(f"{prefix}/{cell}/kernel:0", m.w(n_in, gates * units)),
              (f"{prefix}/{cell}/recurrent_kernel:0", m.w(units, gates * units))]
        if use_bias:
            ws.append((f"{prefix}/{cell}/bias:0", m.w(2, gates * units, scale=0.1) if gru_reset_after
                       else m.w(gates * units, scale=0.1)))
        return ws

    def k2_call(m, name, inputs):
        """A Keras 2 node with several positional inputs (x, initial states)."""
        entry = m.by_name[name]
        entry["inbound_nodes"].append([[r[0], r[1], r[2], {}] for r in inputs])
        return (name, len(entry["inbound_nodes"]) - 1, 0)

    # ------------------------------------------------------------------------ weight readers

    def h5_list(path, layer):
        """The weights of a layer group of a legacy .h5, in weight_names order."""
        with h5py.File(path, "r") as f:
            g = f["model_weights"][layer]
            return [g[(wn.decode() if isinstance(wn, bytes) else wn)][()].astype(np.float64)
                    for wn in g.attrs["weight_names"]]

    def zip_list(path, group):
        """The datasets <group>/vars/0.. of a .keras archive's model.weights.h5."""
        with zipfile.ZipFile(path) as z:
            data = z.read("model.weights.h5")
        with h5py.File(io.BytesIO(data), "r") as f:
            v = f[group]["vars"]
            return [v[str(i)][()].astype(np.float64) for i in range(len(v))]

    # ------------------------------------------------------------------------ numpy semantics

    def run_rnn(kind, x, w, act="tanh", go_backwards=False, return_sequences=False, init=None, reset_after=True,
                rec_act=sigmoid):
        """One Keras RNN layer on x [1, T, F]; w = [kernel, recurrent_kernel(, bias)]. Returns [y, h(, c)]."""
        k, r = w[0], w[1]
        b = w[2] if len(w) > 2 else None
        u = r.shape[0]
        f_act = {"tanh": np.tanh, "relu": lambda v: np.maximum(v, 0), "linear": lambda v: v, "sigmoid": sigmoid}[act]
        h = np.zeros((1, u)) if init is None else init[0]
        c = np.zeros((1, u)) if init is None or kind != "lstm" else init[1]
        steps = range(x.shape[1] - 1, -1, -1) if go_backwards else range(x.shape[1])
        seq = []
        for t in steps:
            xt = x[:, t]
            if kind == "simple":
                h = f_act(xt @ k + (0 if b is None else b) + h @ r)
            elif kind == "lstm":
                z = xt @ k + h @ r + (0 if b is None else b)
                i, f, g, o = rec_act(z[:, :u]), rec_act(z[:, u:2 * u]), f_act(z[:, 2 * u:3 * u]), rec_act(z[:, 3 * u:])
                c = f * c + i * g
                h = o * f_act(c)
            else:  # gru
                if reset_after:
                    bx = 0 if b is None else b[0]
                    bh = 0 if b is None else b[1]
                    mx, mh = xt @ k + bx, h @ r + bh
                    z = rec_act(mx[:, :u] + mh[:, :u])
                    rr = rec_act(mx[:, u:2 * u] + mh[:, u:2 * u])
                    hh = f_act(mx[:, 2 * u:] + rr * mh[:, 2 * u:])
                else:
                    mx = xt @ k + (0 if b is None else b)
                    z = rec_act(mx[:, :u] + h @ r[:, :u])
                    rr = rec_act(mx[:, u:2 * u] + h @ r[:, u:2 * u])
                    hh = f_act(mx[:, 2 * u:] + (rr * h) @ r[:, 2 * u:])
                h = z * h + (1 - z) * hh
            seq.append(h)
        y = np.stack(seq, axis=1) if return_sequences else h
        return [y, h, c] if kind == "lstm" else [y, h]

    def bidir(kind, x, wf, wb, merge_mode="concat", return_sequences=False, **kw):
        """Keras Bidirectional: [merged (or y_f, y_b), forward states, backward states]."""
        f = run_rnn(kind, x, wf, return_sequences=return_sequences, **kw)
        b = run_rnn(kind, x, wb, go_backwards=True, return_sequences=return_sequences, **kw)
        yf, yb = f[0], b[0]
        if return_sequences:
            yb = yb[:, ::-1]
        merged = {"concat": lambda: [np.concatenate([yf, yb], axis=-1)], "sum": lambda: [yf + yb],
                  "mul": lambda: [yf * yb], "ave": lambda: [(yf + yb) / 2], None: lambda: [yf, yb]}[merge_mode]()
        return merged, f[1:], b[1:]

    def dense(x, w, act=None):
        y = x @ w[0] + (w[1] if len(w) > 1 else 0)
        return np.maximum(y, 0) if act == "relu" else y

    def conv2d_valid(x, k, b):
        n, hh, ww, _ = x.shape
        kh, kw, _, o = k.shape
        y = np.zeros((n, hh - kh + 1, ww - kw + 1, o))
        for i in range(hh - kh + 1):
            for j in range(ww - kw + 1):
                y[:, i, j] = np.einsum("nhwc,hwco->no", x[:, i:i + kh, j:j + kw], k)
        return y + b

    def maxpool2(x):
        n, hh, ww, c = x.shape
        hh2, ww2 = hh // 2, ww // 2
        return x[:, :hh2 * 2, :ww2 * 2].reshape(n, hh2, 2, ww2, 2, c).max(axis=(2, 4))

    # ======================================================================= Keras 2 (.h5)

    @model("rnn_simple", tfjs=False)
    def m_simple(path, rng):
        m = Model("simple_rnn_model", rng)
        x = m.input("input_1", [6, 3])
        y = m.layer("SimpleRNN", c_simple_rnn("simple_rnn", 4, return_sequences=True), x,
                    rnn_weights("simple_rnn", "simple_rnn_cell", 3, 4, 1, m=m))
        y = m.layer("SimpleRNN", c_simple_rnn("simple_rnn_1", 3, return_sequences=True, activation="relu",
                                              use_bias=False, go_backwards=True), y,
                    rnn_weights("simple_rnn_1", "simple_rnn_cell_1", 4, 3, 1, use_bias=False, m=m))
        m.output(m.layer("SimpleRNN", c_simple_rnn("simple_rnn_2", 2, activation="linear"), y,
                         rnn_weights("simple_rnn_2", "simple_rnn_cell_2", 3, 2, 1, m=m)))
        km.write_legacy_h5(path, m)
        return "SimpleRNN: return_sequences tanh, go_backwards relu without bias (sequence in processing order), linear last"

    def ref_simple(path, xs):
        y = run_rnn("simple", xs[0], h5_list(path, "simple_rnn"), return_sequences=True)[0]
        y = run_rnn("simple", y, h5_list(path, "simple_rnn_1"), act="relu", go_backwards=True, return_sequences=True)[0]
        return [run_rnn("simple", y, h5_list(path, "simple_rnn_2"), act="linear")[0]]

    REFERENCES["rnn_simple"] = ([[6, 3]], ref_simple)

    @model("rnn_return_state", tfjs=False)
    def m_state(path, rng):
        m = Model("return_state_model", rng)
        x = m.input("input_1", [5, 3])
        lstm = m.layer("LSTM", with_state(c_lstm("lstm", 4, return_sequences=True)), x,
                       rnn_weights("lstm", "lstm_cell", 3, 4, 4, m=m))
        lstm_b = m.layer("LSTM", with_state(c_lstm("lstm_1", 3, go_backwards=True)), x,
                         rnn_weights("lstm_1", "lstm_cell_1", 3, 3, 4, m=m))
        gru = m.layer("GRU", with_state(c_gru("gru", 3, go_backwards=True, return_sequences=True)), x,
                      rnn_weights("gru", "gru_cell", 3, 3, 3, gru_reset_after=True, m=m))
        rnn = m.layer("SimpleRNN", c_simple_rnn("simple_rnn", 2, return_state=True), x,
                      rnn_weights("simple_rnn", "simple_rnn_cell", 3, 2, 1, m=m))
        m.output(lstm)                      # sequence
        m.output(("lstm", 0, 1))            # h
        m.output(("lstm", 0, 2))            # c
        m.output(lstm_b)                    # last output (= h) ...
        m.output(("lstm_1", 0, 1))          # ... and h as a second output; c unused: fused op
        m.output(gru)
        m.output(("gru", 0, 1))
        m.output(("simple_rnn", 0, 1))
        km.write_legacy_h5(path, m)
        return "return_state: LSTM [y, h, c] (unrolled), LSTM go_backwards [y, h] (fused), GRU go_backwards, SimpleRNN"

    def ref_state(path, xs):
        (x,) = xs
        l0 = run_rnn("lstm", x, h5_list(path, "lstm"), return_sequences=True)
        l1 = run_rnn("lstm", x, h5_list(path, "lstm_1"), go_backwards=True)
        g = run_rnn("gru", x, h5_list(path, "gru"), go_backwards=True, return_sequences=True)
        s = run_rnn("simple", x, h5_list(path, "simple_rnn"))
        return [l0[0], l0[1], l0[2], l1[0], l1[1], g[0], g[1], s[1]]

    REFERENCES["rnn_return_state"] = ([[5, 3]], ref_state)

    # An unknown time axis (Input(shape=(None, 3))): converted for the length --input_shapes gives
    # (the declared shape keeps -1 in shape_signature); without it the error names the flag.
    def m_unknown_time(path, rng):
        m = Model("unknown_time_model", rng)
        x = m.input("input_1", [None, 3])
        y = m.layer("LSTM", c_lstm("lstm", 4, return_sequences=True), x, rnn_weights("lstm", "lstm_cell", 3, 4, 4, m=m))
        m.output(m.layer("GRU", c_gru("gru", 2), y, rnn_weights("gru", "gru_cell", 4, 2, 3, gru_reset_after=True, m=m)))
        km.write_legacy_h5(path, m)
        return "LSTM(return_sequences) -> GRU on an unknown time axis, converted with --input_shapes=1,7,3"

    model("rnn_unknown_time", tfjs=False, args=["--input_shapes", "1,7,3"])(m_unknown_time)
    model("bad_rnn_unknown_time", tfjs=False, expect="--input_shapes")(m_unknown_time)

    def ref_unknown_time(path, xs):
        y = run_rnn("lstm", xs[0], h5_list(path, "lstm"), return_sequences=True)[0]
        return [run_rnn("gru", y, h5_list(path, "gru"))[0]]

    REFERENCES["rnn_unknown_time"] = ([[7, 3]], ref_unknown_time)

    @model("rnn_initial_state", tfjs=False)
    def m_init(path, rng):
        m = Model("initial_state_model", rng)
        x = m.input("input_x", [4, 3])
        h = m.input("input_h", [3])
        c = m.input("input_c", [3])
        m._add({"class_name": "LSTM", "config": c_lstm("lstm", 3, return_sequences=True), "name": "lstm",
                "inbound_nodes": []})
        m.weights["lstm"] = [(n, a.astype(np.float32)) for n, a in rnn_weights("lstm", "lstm_cell", 3, 3, 4, m=m)]
        y = k2_call(m, "lstm", [x, h, c])
        m._add({"class_name": "GRU", "config": c_gru("gru", 3, use_bias=False, reset_after=True), "name": "gru",
                "inbound_nodes": []})
        m.weights["gru"] = [(n, a.astype(np.float32)) for n, a in
                            rnn_weights("gru", "gru_cell", 3, 3, 3, use_bias=False, m=m)]
        g = k2_call(m, "gru", [y, h])
        m._add({"class_name": "SimpleRNN", "config": c_simple_rnn("simple_rnn", 3, go_backwards=True),
                "name": "simple_rnn", "inbound_nodes": []})
        m.weights["simple_rnn"] = [(n, a.astype(np.float32)) for n, a in
                                   rnn_weights("simple_rnn", "simple_rnn_cell", 3, 3, 1, m=m)]
        s = k2_call(m, "simple_rnn", [x, c])
        m.output(g)
        m.output(s)
        km.write_legacy_h5(path, m)
        return "initial_state (Keras 2: extra inputs of the call): LSTM [h, c], GRU without bias [h], SimpleRNN go_backwards [c]"

    def ref_init(path, xs):
        x, h, c = xs
        y = run_rnn("lstm", x, h5_list(path, "lstm"), return_sequences=True, init=[h, c])[0]
        g = run_rnn("gru", y, h5_list(path, "gru"), init=[h])[0]
        s = run_rnn("simple", x, h5_list(path, "simple_rnn"), go_backwards=True, init=[c])[0]
        return [g, s]

    REFERENCES["rnn_initial_state"] = ([[4, 3], [3], [3]], ref_init)

    @model("bidirectional", tfjs=False)
    def m_bidir(path, rng):
        m = Model("bidirectional_model", rng)
        x = m.input("input_1", [6, 3])
        y = m.layer("Bidirectional", c_bidir("bidirectional", "LSTM", c_lstm("lstm", 4, return_sequences=True)), x,
                    rnn_weights("bidirectional/forward_lstm", "lstm_cell", 3, 4, 4, m=m) +
                    rnn_weights("bidirectional/backward_lstm", "lstm_cell", 3, 4, 4, m=m))
        y = m.layer("Bidirectional", c_bidir("bidirectional_1", "GRU", c_gru("gru", 3), merge_mode="sum"), y,
                    rnn_weights("bidirectional_1/forward_gru", "gru_cell", 8, 3, 3, gru_reset_after=True, m=m) +
                    rnn_weights("bidirectional_1/backward_gru", "gru_cell", 8, 3, 3, gru_reset_after=True, m=m))
        m.output(m.layer("Dense", c_dense("dense", 2), y, [("kernel", m.w(3, 2)), ("bias", m.w(2))]))
        km.write_legacy_h5(path, m)
        return "Bidirectional(LSTM, return_sequences, concat) + Bidirectional(GRU, sum) + Dense (tf.keras: no backward_layer)"

    def ref_bidir(path, xs):
        w = h5_list(path, "bidirectional")
        y = bidir("lstm", xs[0], w[:3], w[3:], "concat", return_sequences=True)[0][0]
        w = h5_list(path, "bidirectional_1")
        y = bidir("gru", y, w[:3], w[3:], "sum")[0][0]
        return [dense(y, h5_list(path, "dense"))]

    REFERENCES["bidirectional"] = ([[6, 3]], ref_bidir)

    @model("bidirectional_modes", tfjs=False)
    def m_bidir_modes(path, rng):
        m = Model("bidirectional_modes_model", rng)
        x = m.input("input_1", [5, 3])
        a = m.layer("Bidirectional", c_bidir("bi_ave", "SimpleRNN", c_simple_rnn("simple_rnn", 3, return_sequences=True),
                                             merge_mode="ave"), x,
                    rnn_weights("bi_ave/forward_simple_rnn", "simple_rnn_cell", 3, 3, 1, m=m) +
                    rnn_weights("bi_ave/backward_simple_rnn", "simple_rnn_cell", 3, 3, 1, m=m))
        b = m.layer("Bidirectional", c_bidir("bi_mul", "LSTM", c_lstm("lstm", 2, use_bias=False), merge_mode="mul"), x,
                    rnn_weights("bi_mul/forward_lstm", "lstm_cell", 3, 2, 4, use_bias=False, m=m) +
                    rnn_weights("bi_mul/backward_lstm", "lstm_cell", 3, 2, 4, use_bias=False, m=m))
        c = m.layer("Bidirectional", c_bidir("bi_none", "GRU", c_gru("gru", 2, return_sequences=True, reset_after=False),
                                             merge_mode=None), x,
                    rnn_weights("bi_none/forward_gru", "gru_cell", 3, 2, 3, m=m) +
                    rnn_weights("bi_none/backward_gru", "gru_cell", 3, 2, 3, m=m))
        d = m.layer("Bidirectional", c_bidir("bi_state", "LSTM", with_state(c_lstm("lstm_s", 3))), x,
                    rnn_weights("bi_state/forward_lstm_s", "lstm_cell", 3, 3, 4, m=m) +
                    rnn_weights("bi_state/backward_lstm_s", "lstm_cell", 3, 3, 4, m=m))
        for ref in (a, b, c, ("bi_none", 0, 1), d, ("bi_state", 0, 1), ("bi_state", 0, 2), ("bi_state", 0, 3),
                    ("bi_state", 0, 4)):
            m.output(ref)
        km.write_legacy_h5(path, m)
        return ("Bidirectional merge modes: SimpleRNN ave (sequences), LSTM mul (no bias), GRU reset_before None "
                "(two outputs), LSTM return_state concat [y, h_f, c_f, h_b, c_b]")

    def ref_bidir_modes(path, xs):
        (x,) = xs
        w = h5_list(path, "bi_ave")
        a = bidir("simple", x, w[:3], w[3:], "ave", return_sequences=True)[0]
        w = h5_list(path, "bi_mul")
        b = bidir("lstm", x, w[:2], w[2:], "mul")[0]
        w = h5_list(path, "bi_none")
        c = bidir("gru", x, w[:3], w[3:], None, return_sequences=True, reset_after=False)[0]
        w = h5_list(path, "bi_state")
        d, sf, sb = bidir("lstm", x, w[:3], w[3:], "concat")
        return a + b + c + d + sf + sb

    REFERENCES["bidirectional_modes"] = ([[5, 3]], ref_bidir_modes)

    @model("time_distributed", tfjs=False)
    def m_td(path, rng):
        m = Model("time_distributed_model", rng)
        x = m.input("input_1", [3, 6, 6, 2])
        conv = dict(km.c_conv("conv2d", 3, 3, activation="relu"))
        y = m.layer("TimeDistributed", c_td("time_distributed", "Conv2D", conv), x,
                    [("time_distributed/kernel:0", m.w(3, 3, 2, 3)), ("time_distributed/bias:0", m.w(3))])
        y = m.layer("TimeDistributed", c_td("time_distributed_1", "MaxPooling2D", km.c_pool("max_pooling2d", 2)), y)
        y = m.layer("TimeDistributed", c_td("time_distributed_2", "Flatten",
                                            km.c_simple("flatten", data_format="channels_last")), y)
        y = m.layer("TimeDistributed", c_td("time_distributed_3", "Dense", c_dense("dense", 4, activation="relu")), y,
                    [("time_distributed_3/kernel:0", m.w(12, 4)), ("time_distributed_3/bias:0", m.w(4))])
        m.output(m.layer("LSTM", c_lstm("lstm", 2), y, rnn_weights("lstm", "lstm_cell", 4, 2, 4, m=m)))
        km.write_legacy_h5(path, m)
        return "TimeDistributed(Conv2D relu) → TimeDistributed(MaxPooling2D) → TimeDistributed(Flatten) → TimeDistributed(Dense) → LSTM"

    def ref_td(path, xs):
        (x,) = xs
        k, b = h5_list(path, "time_distributed")
        frames = []
        for t in range(x.shape[1]):
            f = np.maximum(conv2d_valid(x[:, t], k, b), 0)
            f = maxpool2(f).reshape(1, -1)
            frames.append(dense(f, h5_list(path, "time_distributed_3"), "relu"))
        y = np.stack(frames, axis=1)
        return [run_rnn("lstm", y, h5_list(path, "lstm"))[0]]

    REFERENCES["time_distributed"] = ([[3, 6, 6, 2]], ref_td)

    @model("rnn_wrappers_tfjs")
    def m_tfjs(path, rng):
        """Checked against tfjs-layers (an oracle independent of the numpy references above)."""
        m = Model("rnn_wrappers_tfjs_model", rng)
        x = m.input("input_1", [5, 3])
        y = m.layer("SimpleRNN", c_simple_rnn("simple_rnn", 4, return_sequences=True), x,
                    rnn_weights("simple_rnn", "simple_rnn_cell", 3, 4, 1, m=m))
        y = m.layer("Bidirectional", c_bidir("bidirectional", "GRU",
                                             c_gru("gru", 3, return_sequences=True, reset_after=False)), y,
                    rnn_weights("bidirectional/forward_gru", "gru_cell", 4, 3, 3, m=m) +
                    rnn_weights("bidirectional/backward_gru", "gru_cell", 4, 3, 3, m=m))
        y = m.layer("TimeDistributed", c_td("time_distributed", "Dense", c_dense("dense", 2, activation="tanh")), y,
                    [("time_distributed/kernel:0", m.w(6, 2)), ("time_distributed/bias:0", m.w(2))])
        y = m.layer("Bidirectional", c_bidir("bidirectional_1", "SimpleRNN", c_simple_rnn("simple_rnn_1", 2),
                                             merge_mode="mul"), y,
                    rnn_weights("bidirectional_1/forward_simple_rnn_1", "simple_rnn_cell", 2, 2, 1, m=m) +
                    rnn_weights("bidirectional_1/backward_simple_rnn_1", "simple_rnn_cell", 2, 2, 1, m=m))
        m.output(y)
        km.write_legacy_h5(path, m)
        return "SimpleRNN → Bidirectional(GRU reset_after=False, concat) → TimeDistributed(Dense tanh) → Bidirectional(SimpleRNN, mul)"

    @model("bad_rnn_mask", tfjs=False, expect="mask")
    def m_bad_mask(path, rng):
        m = Model("mask_model", rng)
        x = m.input("input_1", [4, 3])
        mk = m.input("input_mask", [4], dtype="bool")
        m._add({"class_name": "SimpleRNN", "config": c_simple_rnn("simple_rnn", 2), "name": "simple_rnn",
                "inbound_nodes": [[["input_1", 0, 0, {"mask": ["input_mask", 0, 0]}]]]})
        m.weights["simple_rnn"] = [(n, a.astype(np.float32)) for n, a in
                                   rnn_weights("simple_rnn", "simple_rnn_cell", 3, 2, 1, m=m)]
        del mk
        m.output(("simple_rnn", 0, 0))
        km.write_legacy_h5(path, m)
        return "SimpleRNN called with a mask (refused)"

    @model("bad_bidirectional_weights", tfjs=False, expect="forward, then backward layer")
    def m_bad_bidir(path, rng):
        m = Model("bad_bidirectional_model", rng)
        x = m.input("input_1", [4, 3])
        m.output(m.layer("Bidirectional", c_bidir("bidirectional", "LSTM", c_lstm("lstm", 2)), x,
                         rnn_weights("bidirectional/forward_lstm", "lstm_cell", 3, 2, 4, m=m)))
        km.write_legacy_h5(path, m)
        return "Bidirectional(LSTM) whose file has only the forward layer's weights"

    @model("bad_time_distributed_layer", tfjs=False, expect="is not supported inside TimeDistributed")
    def m_bad_td(path, rng):
        m = Model("bad_time_distributed_model", rng)
        x = m.input("input_1", [4, 3])
        m.output(m.layer("TimeDistributed", c_td("time_distributed", "MyCustomLayer", km.c_simple("my_custom")), x))
        km.write_legacy_h5(path, m)
        return "TimeDistributed wrapping an unknown (custom) layer class"

    @model("bad_rnn_initial_state_count", tfjs=False, expect="initial_state has 1 tensor(s)")
    def m_bad_init(path, rng):
        m = Model("bad_initial_state_model", rng)
        x = m.input("input_x", [4, 3])
        h = m.input("input_h", [2])
        m._add({"class_name": "LSTM", "config": c_lstm("lstm", 2), "name": "lstm", "inbound_nodes": []})
        m.weights["lstm"] = [(n, a.astype(np.float32)) for n, a in rnn_weights("lstm", "lstm_cell", 3, 2, 4, m=m)]
        m.output(k2_call(m, "lstm", [x, h]))
        km.write_legacy_h5(path, m)
        return "LSTM given one initial state (it needs [h, c])"

    @model("bad_rnn_embedding_mask", tfjs=False, expect="mask_zero=True")
    def m_bad_emb_mask(path, rng):
        m = Model("bad_embedding_mask_model", rng)
        x = m.input("tokens", [5])
        y = m.layer("Embedding", km.c_simple("embedding", input_dim=10, output_dim=3, embeddings_initializer=None,
                                             embeddings_regularizer=None, activity_regularizer=None,
                                             embeddings_constraint=None, mask_zero=True, input_length=5), x,
                    [("embeddings", m.w(10, 3))])
        m.output(m.layer("Bidirectional", c_bidir("bidirectional", "LSTM", c_lstm("lstm", 2)), y,
                         rnn_weights("bidirectional/forward_lstm", "lstm_cell", 3, 2, 4, m=m) +
                         rnn_weights("bidirectional/backward_lstm", "lstm_cell", 3, 2, 4, m=m)))
        km.write_legacy_h5(path, m)
        return "Bidirectional(LSTM) fed by Embedding(mask_zero=True): Keras masks the padded steps (refused)"

    # ======================================================================= Keras 3 (.keras)

    def k3_rnn_cfg(cls, name, units, **kw):
        cfg = dict(k3_common(name), return_sequences=False, return_state=False, go_backwards=False, stateful=False,
                   unroll=False, zero_output_for_mask=False, units=units, activation="tanh", use_bias=True,
                   kernel_initializer=k3_init("GlorotUniform", seed=None),
                   recurrent_initializer=k3_init("Orthogonal", seed=None, gain=1.0), bias_initializer=k3_init("Zeros"),
                   kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                   activity_regularizer=None, kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                   dropout=0.0, recurrent_dropout=0.0, seed=None)
        if cls != "SimpleRNN":
            cfg["recurrent_activation"] = "sigmoid"
        if cls == "LSTM":
            cfg["unit_forget_bias"] = True
        if cls == "GRU":
            cfg["reset_after"] = True
        cfg.update(kw)
        return cfg

    def k3_entry(cls, cfg, build_shape=None):
        e = {"module": "keras.layers", "class_name": cls, "config": cfg, "registered_name": None}
        if build_shape is not None:
            e["build_config"] = {"input_shape": build_shape}
        return e

    def k3_input(name, shape):
        return k3_layer("InputLayer", {"batch_shape": [None] + shape, "dtype": "float32", "sparse": False,
                                       "name": name}, [])

    def node(*tensors, **kwargs):
        return [{"args": list(tensors), "kwargs": kwargs}]

    def write_zip(path, config, groups, model_name):
        """groups: {weights-file group path: (vars name attr, [arrays])} (Keras 3 layout)."""
        buf = io.BytesIO()
        with h5py.File(buf, "w") as f:
            for gpath, (vname, arrays) in groups.items():
                v = f.require_group(gpath).create_group("vars")
                if vname:
                    v.attrs["name"] = vname
                for i, a in enumerate(arrays):
                    v.create_dataset(str(i), data=np.asarray(a, np.float32))
            f.create_group("vars").attrs["name"] = model_name
        meta = {"keras_version": "3.8.0", "date_saved": "2025-01-01@00:00:00"}
        with zipfile.ZipFile(path, "w") as z:
            for member, data in [("metadata.json", json.dumps(meta).encode()), ("config.json", json.dumps(config).encode()),
                                 ("model.weights.h5", buf.getvalue())]:
                info = zipfile.ZipInfo(member, date_time=(1980, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED if member != "model.weights.h5" else zipfile.ZIP_STORED
                z.writestr(info, data)

    def k3_rnn_arrays(rng, n_in, units, gates, use_bias=True, reset_after=False):
        w = [rng.normal(0, 0.3, (n_in, gates * units)), rng.normal(0, 0.3, (units, gates * units))]
        if use_bias:
            w.append(rng.normal(0, 0.1, (2, gates * units) if reset_after else (gates * units,)))
        return w

    @model("keras3_rnn", ext=".keras", tfjs=False)
    def m_k3_rnn(path, rng):
        srnn = k3_rnn_cfg("SimpleRNN", "simple_rnn", 4, return_sequences=True, go_backwards=True)
        lstm = k3_rnn_cfg("LSTM", "lstm", 3, return_sequences=True, return_state=True)
        gru = k3_rnn_cfg("GRU", "gru", 2, return_state=True, go_backwards=True)
        layers = [
            k3_input("input_x", [5, 3]),
            k3_input("input_h", [3]),
            k3_input("input_c", [3]),
            k3_layer("SimpleRNN", srnn, node(k3_tensor("input_x", [None, 5, 3]), mask=None, training=False), [None, 5, 3]),
            # Keras 3 passes initial states as the initial_state argument.
            k3_layer("LSTM", lstm, node(k3_tensor("simple_rnn", [None, 5, 4]), mask=None, training=False,
                                        initial_state=[k3_tensor("input_h", [None, 3]), k3_tensor("input_c", [None, 3])]),
                     [None, 5, 4]),
            k3_layer("GRU", gru, node(k3_tensor("lstm", [None, 5, 3]), mask=None, training=False), [None, 5, 3]),
        ]
        config = km.k3_functional_config("functional", layers,
                                         [["input_x", 0, 0], ["input_h", 0, 0], ["input_c", 0, 0]],
                                         [["lstm", 0, 0], ["lstm", 0, 2], ["gru", 0, 0], ["gru", 0, 1]])
        write_zip(path, config, {
            "layers/input_layer": ("input_x", []), "layers/input_layer_1": ("input_h", []),
            "layers/input_layer_2": ("input_c", []),
            "layers/simple_rnn": ("simple_rnn", []), "layers/simple_rnn/cell": ("simple_rnn_cell", k3_rnn_arrays(rng, 3, 4, 1)),
            "layers/lstm": ("lstm", []), "layers/lstm/cell": ("lstm_cell", k3_rnn_arrays(rng, 4, 3, 4)),
            "layers/gru": ("gru", []), "layers/gru/cell": ("gru_cell", k3_rnn_arrays(rng, 3, 2, 3, reset_after=True)),
        }, "functional")
        return ("Keras 3 .keras: SimpleRNN go_backwards, LSTM with initial_state kwarg and return_state (c output), "
                "GRU go_backwards return_state")

    def ref_k3_rnn(path, xs):
        x, h, c = xs
        y = run_rnn("simple", x, zip_list(path, "layers/simple_rnn/cell"), go_backwards=True, return_sequences=True)[0]
        l = run_rnn("lstm", y, zip_list(path, "layers/lstm/cell"), return_sequences=True, init=[h, c])
        g = run_rnn("gru", l[0], zip_list(path, "layers/gru/cell"), go_backwards=True)
        return [l[0], l[2], g[0], g[1]]

    REFERENCES["keras3_rnn"] = ([[5, 3], [3], [3]], ref_k3_rnn)

    @model("keras3_wrappers", ext=".keras", tfjs=False)
    def m_k3_wrappers(path, rng):
        lstm = k3_rnn_cfg("LSTM", "lstm", 3, return_sequences=True)
        back = k3_rnn_cfg("LSTM", "backward_lstm", 3, return_sequences=True, go_backwards=True)
        srnn = k3_rnn_cfg("SimpleRNN", "simple_rnn", 2, return_state=True)
        srnn_back = k3_rnn_cfg("SimpleRNN", "backward_simple_rnn", 2, return_state=True, go_backwards=True)
        bi = dict(k3_common("bidirectional"), merge_mode="concat", layer=k3_entry("LSTM", lstm),
                  backward_layer=k3_entry("LSTM", back, [None, 4, 4]))
        bi2 = dict(k3_common("bidirectional_1"), merge_mode="sum", layer=k3_entry("SimpleRNN", srnn),
                   backward_layer=k3_entry("SimpleRNN", srnn_back, [None, 4, 6]))
        td = dict(k3_common("time_distributed"), layer=k3_entry("Dense", k3_dense("dense", 4, "relu"), [None, 5]))
        td_conv = dict(k3_common("time_distributed_1"),
                       layer=k3_entry("Conv1D", dict(k3_common("conv1d"), filters=2, kernel_size=[2], strides=[1],
                                                     padding="valid", data_format="channels_last", dilation_rate=[1],
                                                     groups=1, activation="linear", use_bias=True,
                                                     kernel_initializer=k3_init("GlorotUniform", seed=None),
                                                     bias_initializer=k3_init("Zeros"), kernel_regularizer=None,
                                                     bias_regularizer=None, activity_regularizer=None,
                                                     kernel_constraint=None, bias_constraint=None), [None, 3, 1]))
        layers = [
            k3_input("input_layer", [4, 5]),
            k3_input("input_layer_1", [4, 3, 1]),
            k3_layer("TimeDistributed", td, node(k3_tensor("input_layer", [None, 4, 5])), [None, 4, 5]),
            k3_layer("Bidirectional", bi, node(k3_tensor("time_distributed", [None, 4, 4]), mask=None), [None, 4, 4]),
            k3_layer("Bidirectional", bi2, node(k3_tensor("bidirectional", [None, 4, 6])), [None, 4, 6]),
            k3_layer("TimeDistributed", td_conv, node(k3_tensor("input_layer_1", [None, 4, 3, 1])), [None, 4, 3, 1]),
        ]
        config = km.k3_functional_config("functional", layers, [["input_layer", 0, 0], ["input_layer_1", 0, 0]],
                                         [["bidirectional_1", 0, 0], ["bidirectional_1", 0, 1],
                                          ["bidirectional_1", 0, 2], ["time_distributed_1", 0, 0]])
        write_zip(path, config, {
            "layers/input_layer": ("input_layer", []), "layers/input_layer_1": ("input_layer_1", []),
            "layers/time_distributed": ("time_distributed", []),
            "layers/time_distributed/layer": ("dense", [rng.normal(0, 0.3, (5, 4)), rng.normal(0, 0.3, (4,))]),
            "layers/bidirectional": ("bidirectional", []),
            "layers/bidirectional/forward_layer": ("forward_lstm", []),
            "layers/bidirectional/forward_layer/cell": ("lstm_cell", k3_rnn_arrays(rng, 4, 3, 4)),
            "layers/bidirectional/backward_layer": ("backward_lstm", []),
            "layers/bidirectional/backward_layer/cell": ("lstm_cell", k3_rnn_arrays(rng, 4, 3, 4)),
            "layers/bidirectional_1": ("bidirectional_1", []),
            "layers/bidirectional_1/forward_layer": ("forward_simple_rnn", []),
            "layers/bidirectional_1/forward_layer/cell": ("simple_rnn_cell", k3_rnn_arrays(rng, 6, 2, 1)),
            "layers/bidirectional_1/backward_layer": ("backward_simple_rnn", []),
            "layers/bidirectional_1/backward_layer/cell": ("simple_rnn_cell", k3_rnn_arrays(rng, 6, 2, 1)),
            "layers/time_distributed_1": ("time_distributed_1", []),
            "layers/time_distributed_1/layer": ("conv1d", [rng.normal(0, 0.3, (2, 1, 2)), rng.normal(0, 0.3, (2,))]),
        }, "functional")
        return ("Keras 3 .keras: TimeDistributed(Dense relu) → Bidirectional(LSTM seq, concat, backward_layer) → "
                "Bidirectional(SimpleRNN return_state, sum) [y, h_f, h_b]; TimeDistributed(Conv1D)")

    def ref_k3_wrappers(path, xs):
        x, x2 = xs
        y = dense(x, zip_list(path, "layers/time_distributed/layer"), "relu")
        y = bidir("lstm", y, zip_list(path, "layers/bidirectional/forward_layer/cell"),
                  zip_list(path, "layers/bidirectional/backward_layer/cell"), "concat", return_sequences=True)[0][0]
        merged, sf, sb = bidir("simple", y, zip_list(path, "layers/bidirectional_1/forward_layer/cell"),
                               zip_list(path, "layers/bidirectional_1/backward_layer/cell"), "sum")
        k, b = zip_list(path, "layers/time_distributed_1/layer")
        conv = np.stack([np.stack([x2[:, t, i:i + 2, :].reshape(1, -1) @ k.reshape(-1, 2) + b for i in range(2)], axis=1)
                         for t in range(x2.shape[1])], axis=1)
        return merged + sf + sb + [conv]

    REFERENCES["keras3_wrappers"] = ([[4, 5], [4, 3, 1]], ref_k3_wrappers)
