"""Container layouts (KERAS.md A): .keras archives as tf.keras 2.13 / 2.14 / 2.15 write them, a
Windows (backslash) archive, Keras 3.0 (no `name` attrs), Keras >= 3.6 `name` attrs, nested models
whose legacy-H5 weights all sit under the outermost nested model's group, custom classes that share
a stock class name, and one model written both as Keras 3 legacy .h5 and as .keras (the two
.tflite files must be byte-identical: tests/integration/container_identity.sh).

Every weights file is written with explicit HDF5 paths, spelled out per writer below (the rules of
KERAS.md A.2); references read the weights back from those same paths and compute the layer math
with numpy (KERAS.md B / Keras' documented Dense, BatchNormalization semantics)."""
import io
import json
import zipfile

import h5py
import numpy as np

KM = None

# model name -> {role: hdf5 path in model.weights.h5} (what the references read)
PATHS = {}

L13 = "_layer_checkpoint_dependencies"


def write_zip(path, config, datasets, keras_version, name_attrs=None, groups=()):
    """datasets: {hdf5 path: array}; groups: extra (possibly empty) groups; name_attrs: {group: name}."""
    buf = io.BytesIO()
    with h5py.File(buf, "w") as f:
        for g in groups:
            f.require_group(g)
        for p, a in datasets.items():
            f.create_dataset(p, data=np.asarray(a, np.float32))
        for g, n in (name_attrs or {}).items():
            f.require_group(g).attrs["name"] = n
    meta = {"keras_version": keras_version, "date_saved": "2024-01-01@00:00:00"}
    with zipfile.ZipFile(path, "w") as z:
        for member, data, comp in [("metadata.json", json.dumps(meta).encode(), zipfile.ZIP_DEFLATED),
                                   ("config.json", json.dumps(config).encode(), zipfile.ZIP_DEFLATED),
                                   ("model.weights.h5", buf.getvalue(), zipfile.ZIP_STORED)]:
            info = zipfile.ZipInfo(member, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = comp
            z.writestr(info, data)


def zipw(path, h5path):
    with zipfile.ZipFile(path) as z:
        data = z.read("model.weights.h5")
    with h5py.File(io.BytesIO(data), "r") as f:
        return f[h5path][()].astype(np.float64)


def h5path_w(path, dataset):
    with h5py.File(path, "r") as f:
        return f[dataset][()].astype(np.float64)


# ------------------------------------------------------------------------------ tf.keras configs

def tfk_entry(e, module="keras.layers"):
    """A tf.keras 2.13-2.15 .keras layer entry: the Keras 2 entry plus module / registered_name."""
    out = {"module": module, "class_name": e["class_name"], "config": e["config"], "registered_name": None}
    for k in ("name", "inbound_nodes"):
        if k in e:
            out[k] = e[k]
    return out


def tfk_functional(m):
    cfg = m.config()
    cfg["config"]["layers"] = [tfk_entry(e) for e in cfg["config"]["layers"]]
    return {"module": "keras.src.engine.functional", "class_name": "Functional", "config": cfg["config"],
            "registered_name": "Functional", "build_config": {"input_shape": None}, "compile_config": None}


def mlp(km, rng, name="model"):
    """Input(6) -> Dense(5, relu) -> Dropout -> Dense(4, tanh) -> Dense(3): three Dense layers."""
    m = km.Model(name, rng)
    x = m.input("input_1", [6])
    ws = {"d1k": m.w(6, 5), "d1b": m.w(5), "d2k": m.w(5, 4), "d2b": m.w(4), "d3k": m.w(4, 3), "d3b": m.w(3)}
    y = m.layer("Dense", km.c_dense("dense", 5, activation="relu"), x, [("kernel", ws["d1k"]), ("bias", ws["d1b"])])
    y = m.layer("Dropout", km.c_simple("dropout", rate=0.5, noise_shape=None, seed=None), y)
    y = m.layer("Dense", km.c_dense("dense_1", 4, activation="tanh"), y, [("kernel", ws["d2k"]), ("bias", ws["d2b"])])
    y = m.layer("Dense", km.c_dense("dense_2", 3), y, [("kernel", ws["d3k"]), ("bias", ws["d3b"])])
    m.output(y)
    return m, ws


def mlp_ref(model_name):
    def ref(path, x):
        p = PATHS[model_name]
        y = np.maximum(x[0] @ zipw(path, p["d1k"]) + zipw(path, p["d1b"]), 0)
        y = np.tanh(y @ zipw(path, p["d2k"]) + zipw(path, p["d2b"]))
        return [y @ zipw(path, p["d3k"]) + zipw(path, p["d3b"])]
    return ref


def mlp_paths(prefix, keys, sep="/"):
    d1, d2, d3 = keys
    j = lambda *parts: sep.join(parts)
    return {"d1k": j(prefix, d1) + "/vars/0", "d1b": j(prefix, d1) + "/vars/1",
            "d2k": j(prefix, d2) + "/vars/0", "d2b": j(prefix, d2) + "/vars/1",
            "d3k": j(prefix, d3) + "/vars/0", "d3b": j(prefix, d3) + "/vars/1"}


def write_mlp_archive(km, name, path, rng, version, prefix, keys, sep="/", empty=()):
    m, ws = mlp(km, rng)
    p = mlp_paths(prefix, keys, sep)
    PATHS[name] = p
    datasets = {p[k]: ws[k] for k in ws}
    # A compiled model also saves its optimizer (not a layer: ignored).
    datasets["optimizer/vars/0"] = np.array([3.0])
    groups = ["vars"] + [sep.join((prefix, e)) + "/vars" for e in empty]
    write_zip(path, tfk_functional(m), datasets, version, groups=groups)


def register(km):
    global KM
    KM = km

    # tf.keras 2.13: layers under _layer_checkpoint_dependencies, every weighted layer counted twice
    # (layer_with_weights-k and layer-i in one OrderedDict): Dense, Dropout, Dense, Dense ->
    # dense, (dense_1 skipped), dropout, dense_2, (dense_3), dense_4.
    @km.model("tfkeras213_archive", ext=".keras", tfjs=False)
    def m213(path, rng):
        write_mlp_archive(km, "tfkeras213_archive", path, rng, "2.13.1", L13, ("dense", "dense_2", "dense_4"),
                          empty=("input_layer", "dropout"))
        return "tf.keras 2.13 .keras: _layer_checkpoint_dependencies/, weighted layers numbered twice (dense, dense_2, dense_4)"

    # tf.keras 2.14: same prefix, duplicates skipped before counting.
    @km.model("tfkeras214_archive", ext=".keras", tfjs=False)
    def m214(path, rng):
        write_mlp_archive(km, "tfkeras214_archive", path, rng, "2.14.0", L13, ("dense", "dense_1", "dense_2"),
                          empty=("input_layer", "dropout"))
        return "tf.keras 2.14 .keras: _layer_checkpoint_dependencies/dense, dense_1, dense_2"

    # tf.keras 2.15: layers/.
    @km.model("tfkeras215_archive", ext=".keras", tfjs=False)
    def m215(path, rng):
        write_mlp_archive(km, "tfkeras215_archive", path, rng, "2.15.0", "layers", ("dense", "dense_1", "dense_2"),
                          empty=("input_layer", "dropout"))
        return "tf.keras 2.15 .keras: layers/dense, dense_1, dense_2 (no name attrs)"

    # tf.keras 2.15 on Windows: tf.io.gfile.join used '\\': each saveable is ONE root-level group
    # named "layers\\dense" (vars below it is a real subgroup).
    @km.model("tfkeras215_windows_archive", ext=".keras", tfjs=False)
    def m215w(path, rng):
        write_mlp_archive(km, "tfkeras215_windows_archive", path, rng, "2.15.0", "layers",
                          ("dense", "dense_1", "dense_2"), sep="\\", empty=("input_layer", "dropout"))
        return "tf.keras 2.15 .keras saved on Windows: root groups 'layers\\dense' etc. (literal backslash)"

    for n in ("tfkeras213_archive", "tfkeras214_archive", "tfkeras215_archive", "tfkeras215_windows_archive"):
        km.REFERENCES[n] = ([[6]], mlp_ref(n))

    # tf.keras 2.13 with a nested Sequential: the nested model's own container is numbered the
    # same way (Dense, Dense inside -> dense, dense_2) under <key>/_layer_checkpoint_dependencies/.
    @km.model("tfkeras213_nested_archive", ext=".keras", tfjs=False)
    def m213n(path, rng):
        inner = km.seq("sequential", rng)
        inner.layers.append({"class_name": "InputLayer", "config": {"batch_input_shape": [None, 5], "dtype": "float32",
                             "sparse": False, "ragged": False, "name": "inner_in"}, "name": "inner_in"})
        ws = {"ik1": inner.w(5, 4), "ib1": inner.w(4), "ik2": inner.w(4, 3), "ib2": inner.w(3),
              "ok": inner.w(6, 5), "ob": inner.w(5), "hk": inner.w(3, 2), "hb": inner.w(2)}
        for cfg in (km.c_dense("inner_a", 4, activation="relu"), km.c_dense("inner_b", 3)):
            inner.layers.append({"class_name": "Dense", "config": cfg, "name": cfg["name"]})
        m = km.Model("outer", rng)
        x = m.input("input_1", [6])
        y = m.layer("Dense", km.c_dense("pre", 5, activation="tanh"), x, [("kernel", ws["ok"]), ("bias", ws["ob"])])
        y = m.nested(inner, y)
        y = m.layer("Dense", km.c_dense("head", 2), y, [("kernel", ws["hk"]), ("bias", ws["hb"])])
        m.output(y)
        cfg = tfk_functional(m)
        for e in cfg["config"]["layers"]:
            if e["class_name"] == "Sequential":
                e["module"] = "keras"
                e["config"]["layers"] = [tfk_entry(l) for l in e["config"]["layers"]]
        # model.layers: input_layer, dense (pre), sequential, dense (head) -> input_layer, dense,
        # (dense_1), sequential, (sequential_1), dense_2, (dense_3).
        P = L13
        p = {"ok": f"{P}/dense/vars/0", "ob": f"{P}/dense/vars/1",
             "ik1": f"{P}/sequential/{P}/dense/vars/0", "ib1": f"{P}/sequential/{P}/dense/vars/1",
             "ik2": f"{P}/sequential/{P}/dense_2/vars/0", "ib2": f"{P}/sequential/{P}/dense_2/vars/1",
             "hk": f"{P}/dense_2/vars/0", "hb": f"{P}/dense_2/vars/1"}
        PATHS["tfkeras213_nested_archive"] = p
        write_zip(path, cfg, {p[k]: ws[k] for k in ws}, "2.13.1",
                  groups=["vars", f"{P}/input_layer/vars", f"{P}/sequential/vars"])
        return "tf.keras 2.13 .keras: Functional > Sequential, both containers numbered 2.13-style"

    def ref213n(path, x):
        p = PATHS["tfkeras213_nested_archive"]
        w = lambda k: zipw(path, p[k])
        y = np.tanh(x[0] @ w("ok") + w("ob"))
        y = np.maximum(y @ w("ik1") + w("ib1"), 0)
        y = y @ w("ik2") + w("ib2")
        return [y @ w("hk") + w("hb")]
    km.REFERENCES["tfkeras213_nested_archive"] = ([[6]], ref213n)

    # Keras 3.0.x: no `name` attrs on vars groups; op layers (keras.src.ops) and a Sequential's
    # InputLayer are not in model.layers and take no number; sub-layers named by their private
    # attribute. A Sequential: Dense(relu), Dense -> layers/dense, layers/dense_1. The layer names
    # ("body", "head") differ from the keys: the key comes from the class, never the name.
    @km.model("keras30_archive", ext=".keras", tfjs=False)
    def m30(path, rng):
        w = lambda *s: rng.normal(0, 0.3, s).astype(np.float32)
        layers = [
            {"module": "keras.layers", "class_name": "InputLayer",
             "config": {"batch_shape": [None, 6], "dtype": "float32", "sparse": False, "name": "input_layer"},
             "registered_name": None},
            km.k3_layer("Dense", km.k3_dense("body", 5, "relu"), None, [None, 6]),
            km.k3_layer("Dense", km.k3_dense("head", 3), None, [None, 5]),
        ]
        for l in layers:
            l.pop("name", None)
        config = {"module": "keras", "class_name": "Sequential",
                  "config": {"name": "sequential", "trainable": True, "dtype": km.k3_policy(), "layers": layers},
                  "registered_name": None, "build_config": {"input_shape": [None, 6]}, "compile_config": None}
        p = {"k1": "layers/dense/vars/0", "b1": "layers/dense/vars/1", "k2": "layers/dense_1/vars/0",
             "b2": "layers/dense_1/vars/1"}
        PATHS["keras30_archive"] = p
        vals = {"k1": w(6, 5), "b1": w(5), "k2": w(5, 3), "b2": w(3)}
        write_zip(path, config, {p[k]: vals[k] for k in p}, "3.0.5", groups=["vars"])
        return "Keras 3.0 .keras Sequential (no name attrs; keys from class names, not layer names)"

    def ref30(path, x):
        p = PATHS["keras30_archive"]
        w = lambda k: zipw(path, p[k])
        y = np.maximum(x[0] @ w("k1") + w("b1"), 0)
        return [y @ w("k2") + w("b2")]
    km.REFERENCES["keras30_archive"] = ([[6]], ref30)

    # Keras >= 3.6 writes attr name=<layer name> on every vars group: when present it decides.
    # Here the groups are laid out so that only the attrs give the right pairing (layers/dense
    # holds the SECOND Dense layer's weights).
    @km.model("keras36_name_attrs", ext=".keras", tfjs=False)
    def m36(path, rng):
        w = lambda *s: rng.normal(0, 0.3, s).astype(np.float32)
        layers = [
            km.k3_layer("InputLayer", {"batch_shape": [None, 4], "dtype": "float32", "sparse": False,
                                       "name": "input_layer"}, []),
            km.k3_layer("Dense", km.k3_dense("first", 4, "relu"),
                        [{"args": [km.k3_tensor("input_layer", [None, 4])], "kwargs": {}}], [None, 4]),
            km.k3_layer("Dense", km.k3_dense("second", 4),
                        [{"args": [km.k3_tensor("first", [None, 4])], "kwargs": {}}], [None, 4]),
        ]
        config = km.k3_functional_config("functional", layers, [["input_layer", 0, 0]], [["second", 0, 0]])
        p = {"k1": "layers/dense_1/vars/0", "b1": "layers/dense_1/vars/1",
             "k2": "layers/dense/vars/0", "b2": "layers/dense/vars/1"}
        PATHS["keras36_name_attrs"] = p
        vals = {"k1": w(4, 4), "b1": w(4), "k2": w(4, 4), "b2": w(4)}
        write_zip(path, config, {p[k]: vals[k] for k in p}, "3.6.0",
                  name_attrs={"layers/input_layer/vars": "input_layer", "layers/dense_1/vars": "first",
                              "layers/dense/vars": "second", "vars": "functional"})
        return "Keras 3.6 .keras: vars groups carry name attrs that override the computed keys"

    def ref36(path, x):
        p = PATHS["keras36_name_attrs"]
        w = lambda k: zipw(path, p[k])
        y = np.maximum(x[0] @ w("k1") + w("b1"), 0)
        return [y @ w("k2") + w("b2")]
    km.REFERENCES["keras36_name_attrs"] = ([[4]], ref36)

    register_nested(km)
    register_custom(km)
    register_pair(km)
    register_pair2(km)


# --------------------------------------------------------------- nested models, outer-group weights

def register_nested(km):
    """Functional > Sequential 'outer_seq' > [Dense 'dense', Sequential 'inner_seq' > [Dense 'dense',
    BatchNormalization 'bn', Functional 'innermost' > [Dense 'leaf']]]. Legacy H5 (tf.keras 2.x):
    every weight of outer_seq's tree is in /model_weights/outer_seq, weight_names = all trainable
    weights of all sub-layers, then all non-trainable ones (KERAS.md A.1). Two layers named 'dense'
    in different nested models: only the full path in the weight names tells them apart."""

    def build(rng, names):
        w = lambda *s: rng.normal(0, 0.3, s).astype(np.float32)
        pos = lambda *s: rng.uniform(0.5, 1.5, s).astype(np.float32)
        vals = {"od_k": w(6, 5), "od_b": w(5), "id_k": w(5, 4), "id_b": w(4), "g": pos(4), "be": w(4),
                "mm": w(4), "mv": pos(4), "lf_k": w(4, 3), "lf_b": w(3), "pre_k": w(3, 6), "pre_b": w(6),
                "hd_k": w(3, 2), "hd_b": w(2)}
        innermost = {"class_name": "Functional", "name": "innermost", "config": {
            "name": "innermost",
            "layers": [{"class_name": "InputLayer", "name": "leaf_in", "inbound_nodes": [],
                        "config": {"batch_input_shape": [None, 4], "dtype": "float32", "sparse": False,
                                   "ragged": False, "name": "leaf_in"}},
                       {"class_name": "Dense", "name": "leaf", "config": km.c_dense("leaf", 3, activation="tanh"),
                        "inbound_nodes": [[["leaf_in", 0, 0, {}]]]}],
            "input_layers": [["leaf_in", 0, 0]], "output_layers": [["leaf", 0, 0]]}}
        inner_seq = {"class_name": "Sequential", "name": "inner_seq", "config": {"name": "inner_seq", "layers": [
            {"class_name": "InputLayer", "config": {"batch_input_shape": [None, 5], "dtype": "float32",
                                                    "sparse": False, "ragged": False, "name": "inner_in"}},
            {"class_name": "Dense", "config": km.c_dense("dense", 4, activation="relu")},
            {"class_name": "BatchNormalization", "config": km.c_bn("bn")},
            {"class_name": "Functional", "config": innermost["config"], "name": "innermost"}]}}
        outer_seq = {"class_name": "Sequential", "config": {"name": "outer_seq", "layers": [
            {"class_name": "InputLayer", "config": {"batch_input_shape": [None, 6], "dtype": "float32",
                                                    "sparse": False, "ragged": False, "name": "outer_in"}},
            {"class_name": "Dense", "config": km.c_dense("dense", 5, activation="relu")},
            {"class_name": "Sequential", "config": inner_seq["config"]}]}, "name": "outer_seq",
            "inbound_nodes": [[["pre", 0, 0, {}]]]}
        # the outer model calls outer_seq once: Keras 2 numbers that call 1 (node 0 is internal)
        layers = [
            {"class_name": "InputLayer", "name": "input_1", "inbound_nodes": [],
             "config": {"batch_input_shape": [None, 3], "dtype": "float32", "sparse": False, "ragged": False,
                        "name": "input_1"}},
            {"class_name": "Dense", "name": "pre", "config": km.c_dense("pre", 6, activation="tanh"),
             "inbound_nodes": [[["input_1", 0, 0, {}]]]},
            outer_seq,
            {"class_name": "Dense", "name": "head", "config": km.c_dense("head", 2),
             "inbound_nodes": [[["outer_seq", 1, 0, {}]]]}]
        config = {"class_name": "Functional", "config": {"name": "model", "layers": layers,
                                                          "input_layers": [["input_1", 0, 0]],
                                                          "output_layers": [["head", 0, 0]]}}
        trainable = [("od_k", names["od"] + "/kernel:0"), ("od_b", names["od"] + "/bias:0"),
                     ("id_k", names["id"] + "/kernel:0"), ("id_b", names["id"] + "/bias:0"),
                     ("g", names["bn"] + "/gamma:0"), ("be", names["bn"] + "/beta:0"),
                     ("lf_k", names["lf"] + "/kernel:0"), ("lf_b", names["lf"] + "/bias:0")]
        non_trainable = [("mm", names["bn"] + "/moving_mean:0"), ("mv", names["bn"] + "/moving_variance:0")]
        return config, vals, trainable + non_trainable

    def write(path, config, vals, outer_weights):
        with h5py.File(path, "w") as f:
            f.attrs["keras_version"] = "2.8.0"
            f.attrs["backend"] = "tensorflow"
            f.attrs["model_config"] = json.dumps(config).encode()
            g = f.create_group("model_weights")
            g.attrs["layer_names"] = np.array([b"input_1", b"pre", b"outer_seq", b"head"])
            for lname, ws in [("input_1", []), ("pre", [("pre_k", "pre/kernel:0"), ("pre_b", "pre/bias:0")]),
                              ("outer_seq", outer_weights), ("head", [("hd_k", "head/kernel:0"), ("hd_b", "head/bias:0")])]:
                lg = g.create_group(lname)
                lg.attrs["weight_names"] = np.array([wn.encode() for _, wn in ws], dtype="S")
                for key, wn in ws:
                    lg.create_dataset(wn, data=vals[key])
        PATHS[path] = {key: f"model_weights/{lname}/{wn}" for lname, ws in
                       [("outer_seq", outer_weights), ("pre", [("pre_k", "pre/kernel:0"), ("pre_b", "pre/bias:0")]),
                        ("head", [("hd_k", "head/kernel:0"), ("hd_b", "head/bias:0")])] for key, wn in ws}

    @km.model("nested_outer_group_paths", tfjs=False)
    def m_paths(path, rng):
        names = {"od": "outer_seq/dense", "id": "outer_seq/inner_seq/dense", "bn": "outer_seq/inner_seq/bn",
                 "lf": "outer_seq/inner_seq/innermost/leaf"}
        config, vals, ws = build(rng, names)
        write(path, config, vals, ws)
        return ("Functional > Sequential > Sequential > Functional, all inner weights under /model_weights/outer_seq "
                "(trainable first), two layers named 'dense' told apart by their full weight paths")

    @km.model("nested_outer_group_flat", tfjs=False)
    def m_flat(path, rng):
        # tf.keras variable names often carry only the layer name (no model scopes): then the
        # position in the nesting decides: 'dense' of outer_seq comes before inner_seq's 'dense'.
        names = {"od": "dense", "id": "dense_1", "bn": "bn", "lf": "leaf"}
        config, vals, ws = build(rng, names)
        # the inner Dense of inner_seq is named 'dense_1' here (tf.keras names are global)
        inner = config["config"]["layers"][2]["config"]["layers"][2]["config"]
        inner["layers"][1]["config"]["name"] = "dense_1"
        write(path, config, vals, ws)
        return "same nesting, weight names with the bare layer name only (tf.keras style)"

    def ref(path, x):
        p = PATHS[path]
        w = lambda k: h5path_w(path, p[k])
        y = np.tanh(x[0] @ w("pre_k") + w("pre_b"))
        y = np.maximum(y @ w("od_k") + w("od_b"), 0)
        y = np.maximum(y @ w("id_k") + w("id_b"), 0)
        y = (y - w("mm")) / np.sqrt(w("mv") + 0.001) * w("g") + w("be")
        y = np.tanh(y @ w("lf_k") + w("lf_b"))
        return [y @ w("hd_k") + w("hd_b")]
    km.REFERENCES["nested_outer_group_paths"] = ([[3]], ref)
    km.REFERENCES["nested_outer_group_flat"] = ([[3]], ref)


# ------------------------------------------------------------------------ stock or custom classes

def register_custom(km):
    @km.model("custom_shares_stock_name", ext=".keras", tfjs=False,
              expect="layer 'my_add': class 'Add' from module 'my_layers'")
    def m_custom(path, rng):
        w = lambda *s: rng.normal(0, 0.3, s).astype(np.float32)
        layers = [
            km.k3_layer("InputLayer", {"batch_shape": [None, 4], "dtype": "float32", "sparse": False,
                                       "name": "input_layer"}, []),
            km.k3_layer("Dense", km.k3_dense("dense", 4), [{"args": [km.k3_tensor("input_layer", [None, 4])],
                                                            "kwargs": {}}], [None, 4]),
            # a user class named Add (registered as MyAdd): NOT keras.layers.Add
            dict(km.k3_layer("Add", dict(km.k3_common("my_add")),
                             [{"args": [[km.k3_tensor("dense", [None, 4]), km.k3_tensor("input_layer", [None, 4])]],
                               "kwargs": {}}], [[None, 4], [None, 4]], module="my_layers"), registered_name="MyAdd"),
        ]
        config = km.k3_functional_config("functional", layers, [["input_layer", 0, 0]], [["my_add", 0, 0]])
        write_zip(path, config, {"layers/dense/vars/0": w(4, 4), "layers/dense/vars/1": w(4)}, "3.8.0",
                  name_attrs={"layers/dense/vars": "dense", "layers/add/vars": "my_add", "vars": "functional"})
        return "a user class 'Add' (module my_layers, registered_name MyAdd) sharing a stock layer name"

    @km.model("custom_as_custom_op", ext=".keras", tfjs=False, args=["--allow_custom_ops"],
              expect='inspect:CUSTOM "keras.ScaleShift"(3, 4, 5)|factor: 2.5|axes: [1, 2]|mode: "fast"|"scale_shift/sub/vars/0"')
    def m_custom_op(path, rng):
        # An unregistered class of the saving script (module null), whose output feeds a Dense:
        # Keras 3 records its shape there, so --allow_custom_ops can make it a custom op.
        w = lambda *s: rng.normal(0, 0.3, s).astype(np.float32)
        scale_cfg = dict(km.k3_common("scale_shift"), factor=2.5, axes=[1, 2], mode="fast", eps=None)
        layers = [
            km.k3_layer("InputLayer", {"batch_shape": [None, 4], "dtype": "float32", "sparse": False,
                                       "name": "input_layer"}, []),
            km.k3_layer("Dense", km.k3_dense("dense", 4), [{"args": [km.k3_tensor("input_layer", [None, 4])],
                                                            "kwargs": {}}], [None, 4]),
            dict(km.k3_layer("ScaleShift", scale_cfg, [{"args": [km.k3_tensor("dense", [None, 4])], "kwargs": {}}],
                             [None, 4], module=None), registered_name="ScaleShift"),
            km.k3_layer("Dense", km.k3_dense("dense_1", 2), [{"args": [km.k3_tensor("scale_shift", [None, 4])],
                                                              "kwargs": {}}], [None, 4]),
        ]
        config = km.k3_functional_config("functional", layers, [["input_layer", 0, 0]], [["dense_1", 0, 0]])
        write_zip(path, config, {"layers/dense/vars/0": w(4, 4), "layers/dense/vars/1": w(4),
                                 "layers/scale_shift/vars/0": w(4), "layers/scale_shift/sub/vars/0": w(4),
                                 "layers/dense_1/vars/0": w(4, 2), "layers/dense_1/vars/1": w(2)}, "3.8.0")
        return "an unregistered custom class converted as a custom op with --allow_custom_ops"

    @km.model("custom_registered_legacy_h5", tfjs=False,
              expect="layer 'attn': class 'my_pkg>Attention'")
    def m_custom_h5(path, rng):
        m = km.Model("model", rng)
        x = m.input("input_1", [4])
        y = m.layer("Dense", km.c_dense("dense", 4), x, [("kernel", m.w(4, 4)), ("bias", m.w(4))])
        y = m.layer("my_pkg>Attention", km.c_simple("attn"), [y, y])
        m.output(y)
        km.write_legacy_h5(path, m)
        return "legacy .h5 with a registered custom class 'my_pkg>Attention'"

    @km.model("custom_misfit_legacy_h5", tfjs=False,
              expect="user-defined class that shares the name of the stock Keras layer Dense")
    def m_custom_misfit(path, rng):
        # legacy .h5 records no module: a user class saved as "Dense" is told apart only by its
        # weights not fitting keras.layers.Dense (here a third weight 'scale').
        m = km.Model("model", rng)
        x = m.input("input_1", [4])
        y = m.layer("Dense", km.c_dense("my_dense", 3), x,
                    [("kernel", m.w(4, 3)), ("bias", m.w(3)), ("scale", m.w(3))])
        m.output(y)
        km.write_legacy_h5(path, m)
        return "legacy .h5: a user class saved under the stock name Dense, with weights Dense does not have"

    @km.model("stock_unsupported_layer", tfjs=False,
              expect="a stock Keras layer tflc does not support yet")
    def m_stock_unsupported(path, rng):
        m = km.Model("model", rng)
        x = m.input("input_1", [4, 4, 4, 2])
        y = m.layer("Conv3DTranspose", dict(km.c_simple("conv3d_transpose"), filters=2, kernel_size=[1, 1, 1],
                                            strides=[1, 1, 1], padding="valid", data_format="channels_last",
                                            dilation_rate=[1, 1, 1], output_padding=None, activation="linear",
                                            use_bias=False), x,
                    [("kernel", m.w(1, 1, 1, 2, 2))])
        m.output(y)
        km.write_legacy_h5(path, m)
        return "a stock Keras layer class tflc has no converter for (message differs from custom classes)"


# ------------------------------------------------------------- the same model as .h5 and .keras

PAIR_H5 = "container_pair_h5"
PAIR_KERAS = "container_pair_keras"


def pair_model(km, rng):
    """A Keras 3 Functional model: Conv2D -> BatchNormalization -> ReLU -> Flatten -> Dense(160)
    (its kernel is large: the .h5 maps it in place, the .keras copies it) -> Dense(3) softmax, and
    a shared Dense called twice. Returns config, weights per layer (Keras order)."""
    w = lambda *s: rng.normal(0, 0.1, s).astype(np.float32)
    pos = lambda *s: rng.uniform(0.5, 1.5, s).astype(np.float32)
    conv_cfg = dict(km.k3_common("conv2d"), filters=4, kernel_size=[3, 3], strides=[1, 1], padding="same",
                    data_format="channels_last", dilation_rate=[1, 1], groups=1, activation="linear", use_bias=True,
                    kernel_initializer=km.k3_init("GlorotUniform", seed=None), bias_initializer=km.k3_init("Zeros"),
                    kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                    kernel_constraint=None, bias_constraint=None)
    bn_cfg = dict(km.k3_common("batch_normalization"), axis=-1, momentum=0.99, epsilon=0.001, center=True,
                  scale=True, beta_initializer=km.k3_init("Zeros"), gamma_initializer=km.k3_init("Ones"),
                  moving_mean_initializer=km.k3_init("Zeros"), moving_variance_initializer=km.k3_init("Ones"),
                  beta_regularizer=None, gamma_regularizer=None, beta_constraint=None, gamma_constraint=None,
                  synchronized=False)
    t = km.k3_tensor
    node = lambda *ts: [{"args": list(ts), "kwargs": {}}]
    layers = [
        km.k3_layer("InputLayer", {"batch_shape": [None, 8, 16, 3], "dtype": "float32", "sparse": False,
                                   "name": "input_layer"}, []),
        km.k3_layer("Conv2D", conv_cfg, node(t("input_layer", [None, 8, 16, 3])), [None, 8, 16, 3]),
        km.k3_layer("BatchNormalization", bn_cfg, node(t("conv2d", [None, 8, 16, 4])), [None, 8, 16, 4]),
        km.k3_layer("ReLU", dict(km.k3_common("re_lu"), max_value=None, negative_slope=0.0, threshold=0.0),
                    node(t("batch_normalization", [None, 8, 16, 4])), [None, 8, 16, 4]),
        km.k3_layer("Flatten", dict(km.k3_common("flatten"), data_format="channels_last"),
                    node(t("re_lu", [None, 8, 16, 4])), [None, 8, 16, 4]),
        km.k3_layer("Dense", km.k3_dense("dense", 160, "relu"), node(t("flatten", [None, 512])), [None, 512]),
        km.k3_layer("Dense", km.k3_dense("shared", 160, "tanh"),
                    node(t("dense", [None, 160])) + node(t("shared", [None, 160], 0)), [None, 160]),
        km.k3_layer("Dense", km.k3_dense("dense_2", 3, "softmax"), node(t("shared", [None, 160], 1)), [None, 160]),
    ]
    config = km.k3_functional_config("functional", layers, [["input_layer", 0, 0]], [["dense_2", 0, 0]])
    weights = {"conv2d": [("kernel", w(3, 3, 3, 4)), ("bias", w(4))],
               "batch_normalization": [("gamma", pos(4)), ("beta", w(4)), ("moving_mean", w(4)),
                                       ("moving_variance", pos(4))],
               "dense": [("kernel", w(512, 160)), ("bias", w(160))],
               "shared": [("kernel", w(160, 160)), ("bias", w(160))],
               "dense_2": [("kernel", w(160, 3)), ("bias", w(3))]}
    return config, weights


def register_pair(km):
    order = ["input_layer", "conv2d", "batch_normalization", "re_lu", "flatten", "dense", "shared", "dense_2"]
    classes = ["InputLayer", "Conv2D", "BatchNormalization", "ReLU", "Flatten", "Dense", "Dense", "Dense"]

    @km.model(PAIR_H5, tfjs=False)
    def m_h5(path, rng):
        config, weights = pair_model(km, np.random.default_rng(20260101))
        # The Keras 3 legacy writer: config without top-level module, weight names <model>/<layer>/<var>.
        config = {"class_name": "Functional", "config": config["config"]}
        fake = km.Model("functional", rng)
        fake.layers = [{"name": n} for n in order]
        fake.weights = {n: [(f"functional/{n}/{r}", a) for r, a in ws] for n, ws in weights.items()}
        km.write_legacy_h5(path, fake, keras_version="3.8.0", vlen=True, config=config)
        return "Keras 3 legacy .h5 of the container pair model (see container_pair_keras)"

    @km.model(PAIR_KERAS, ext=".keras", tfjs=False)
    def m_keras(path, rng):
        config, weights = pair_model(km, np.random.default_rng(20260101))
        items = [(n, c, [a for _, a in weights.get(n, [])], False) for n, c in zip(order, classes)]
        km.write_keras_zip(path, config, items, "functional")
        return "the same model as container_pair_h5, as a Keras 3 .keras archive"

    def ref(path, x):
        config, weights = pair_model(km, np.random.default_rng(20260101))
        W = {n: dict(ws) for n, ws in weights.items()}
        # independent of the container: checks the file's weights are these
        if path.endswith(".keras"):
            got = zipw(path, "layers/dense/vars/0")
        else:
            got = h5path_w(path, "model_weights/dense/functional/dense/kernel")
        assert np.array_equal(got.astype(np.float32), W["dense"]["kernel"])
        k, b = W["conv2d"]["kernel"].astype(np.float64), W["conv2d"]["bias"]
        xp = np.pad(x[0], ((0, 0), (1, 1), (1, 1), (0, 0)))
        y = np.zeros((1, 8, 16, 4))
        for i in range(3):
            for j in range(3):
                y += np.einsum("bhwc,co->bhwo", xp[:, i:i + 8, j:j + 16], k[i, j])
        y += b
        bn = W["batch_normalization"]
        y = (y - bn["moving_mean"]) / np.sqrt(bn["moving_variance"] + 0.001) * bn["gamma"] + bn["beta"]
        y = np.maximum(y, 0).reshape(1, -1)
        y = np.maximum(y @ W["dense"]["kernel"] + W["dense"]["bias"], 0)
        y = np.tanh(y @ W["shared"]["kernel"] + W["shared"]["bias"])
        y = np.tanh(y @ W["shared"]["kernel"] + W["shared"]["bias"])
        z = y @ W["dense_2"]["kernel"] + W["dense_2"]["bias"]
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return [e / e.sum(axis=1, keepdims=True)]
    km.REFERENCES[PAIR_H5] = ([[8, 16, 3]], ref)
    km.REFERENCES[PAIR_KERAS] = ([[8, 16, 3]], ref)


# A second pair: a Keras 3 Sequential LSTM + Dense. The .keras archive keeps the LSTM weights under
# layers/lstm/cell/vars/N; Keras 3's legacy .h5 names them sequential/lstm/lstm_cell/kernel etc.
PAIR2_H5 = "container_pair_lstm_h5"
PAIR2_KERAS = "container_pair_lstm_keras"


def lstm_pair(km):
    rng = np.random.default_rng(20260102)
    w = lambda *s: rng.normal(0, 0.3, s).astype(np.float32)
    lstm_cfg = dict(km.k3_common("lstm"), return_sequences=False, return_state=False, go_backwards=False,
                    stateful=False, unroll=False, zero_output_for_mask=False, units=5, activation="tanh",
                    recurrent_activation="sigmoid", use_bias=True,
                    kernel_initializer=km.k3_init("GlorotUniform", seed=None),
                    recurrent_initializer=km.k3_init("Orthogonal", seed=None, gain=1.0),
                    bias_initializer=km.k3_init("Zeros"), unit_forget_bias=True, kernel_regularizer=None,
                    recurrent_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                    kernel_constraint=None, recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                    recurrent_dropout=0.0, seed=None)
    layers = [
        {"module": "keras.layers", "class_name": "InputLayer",
         "config": {"batch_shape": [None, 7, 3], "dtype": "float32", "sparse": False, "name": "input_layer"},
         "registered_name": None},
        km.k3_layer("LSTM", lstm_cfg, None, [None, 7, 3]),
        km.k3_layer("Dense", km.k3_dense("dense", 2), None, [None, 5]),
    ]
    for l in layers:
        l.pop("name", None)
    config = {"module": "keras", "class_name": "Sequential",
              "config": {"name": "sequential", "trainable": True, "dtype": km.k3_policy(), "layers": layers},
              "registered_name": None, "build_config": {"input_shape": [None, 7, 3]}, "compile_config": None}
    weights = {"lstm": [("lstm_cell/kernel", w(3, 20)), ("lstm_cell/recurrent_kernel", w(5, 20)),
                        ("lstm_cell/bias", w(20))],
               "dense": [("kernel", w(5, 2)), ("bias", w(2))]}
    return config, weights


def register_pair2(km):
    @km.model(PAIR2_H5, tfjs=False)
    def m_h5(path, rng):
        config, weights = lstm_pair(km)
        # Keras 3's legacy writer: layer entries without module / registered_name.
        legacy = {"class_name": "Sequential", "config": dict(config["config"])}
        legacy["config"]["layers"] = [{"class_name": l["class_name"], "config": l["config"]}
                                      for l in config["config"]["layers"]]
        fake = km.Model("sequential", rng, "Sequential")
        fake.layers = [{"name": "input_layer", "class_name": "InputLayer"}, {"name": "lstm"}, {"name": "dense"}]
        fake.weights = {n: [(f"sequential/{n}/{r}", a) for r, a in ws] for n, ws in weights.items()}
        km.write_legacy_h5(path, fake, keras_version="3.8.0", vlen=True, config=legacy)
        return "Keras 3 legacy .h5 of the LSTM pair model (see container_pair_lstm_keras)"

    @km.model(PAIR2_KERAS, ext=".keras", tfjs=False)
    def m_keras(path, rng):
        config, weights = lstm_pair(km)
        km.write_keras_zip(path, config, [("lstm", "LSTM", [a for _, a in weights["lstm"]], True),
                                          ("dense", "Dense", [a for _, a in weights["dense"]], False)], "sequential")
        return "the LSTM pair model as a Keras 3 .keras archive (layers/lstm/cell/vars/N)"

    def ref(path, x):
        _, weights = lstm_pair(km)
        W = {n: [a.astype(np.float64) for _, a in ws] for n, ws in weights.items()}
        h = km.lstm(x[0], *W["lstm"])
        return [h @ W["dense"][0] + W["dense"][1]]
    km.REFERENCES[PAIR2_H5] = ([[7, 3]], ref)
    km.REFERENCES[PAIR2_KERAS] = ([[7, 3]], ref)
