"""Keras Lambda layers holding marshalled Python bytecode (KERAS.md D).

The code objects are built here by a tiny assembler from the documented formats (D.3 marshal,
D.4 code object layout, D.5 opcodes) for CPython 3.8, 3.11, 3.12 and 3.13, so that generation
needs no other interpreter than the one running this script. When the real interpreter of a
version is installed (~/.pyenv/versions/3.X*/bin/python3 or python3.X on PATH), the assembled bytes
are checked against it: they must load with its marshal, and its disassembly (instructions with
their resolved arguments), argument names and free variables must equal those of the same lambda
compiled by that interpreter.

Keras 2 (tf.keras) writes `function` = [base64(marshal.dumps(code)), defaults, closure] with
`function_type` "lambda" (D.1); Keras 3 writes {"class_name": "__lambda__", "config": {"code",
"defaults", "closure"}} (D.2). References are numpy versions of the lambdas' TF semantics.
"""
import codecs
import glob
import json
import os
import shutil
import struct
import subprocess

import numpy as np

# ------------------------------------------------------------------------------ assembler

BIN_OLD = {"+": 23, "-": 24, "*": 20, "/": 27, "//": 26, "**": 19, "%": 22, "@": 16}
BIN_OP = {"+": 0, "//": 2, "@": 4, "*": 5, "%": 6, "**": 8, "-": 10, "/": 11}

CMP = ["<", "<=", "==", "!=", ">", ">="]
CMP_MASK = [2, 2 | 8, 8, 1 | 2 | 4, 4, 4 | 8]  # 3.12 only; checked against the interpreter when present

# opcode, inline cache units
OPS = {
    38: dict(LOAD_FAST=(124, 0), LOAD_CONST=(100, 0), LOAD_GLOBAL=(116, 0), LOAD_ATTR=(106, 0),
             LOAD_METHOD=(160, 0), CALL_METHOD=(161, 0), CALL_FUNCTION=(131, 0), CALL_FUNCTION_KW=(141, 0),
             LOAD_DEREF=(136, 0), BINARY_SUBSCR=(25, 0), BUILD_SLICE=(133, 0), BUILD_TUPLE=(102, 0),
             BUILD_LIST=(103, 0), UNARY_NEGATIVE=(11, 0), RETURN_VALUE=(83, 0), COMPARE_OP=(107, 0)),
    311: dict(RESUME=(151, 0), COPY_FREE_VARS=(149, 0), LOAD_FAST=(124, 0), LOAD_CONST=(100, 0),
              LOAD_GLOBAL=(116, 5), LOAD_ATTR=(106, 4), LOAD_METHOD=(160, 10), PRECALL=(166, 1), CALL=(171, 4),
              KW_NAMES=(172, 0), LOAD_DEREF=(137, 0), BINARY_OP=(122, 1), BINARY_SUBSCR=(25, 4),
              BUILD_SLICE=(133, 0), BUILD_TUPLE=(102, 0), BUILD_LIST=(103, 0), LIST_EXTEND=(162, 0),
              UNARY_NEGATIVE=(11, 0), RETURN_VALUE=(83, 0), COMPARE_OP=(107, 2)),
    312: dict(RESUME=(151, 0), COPY_FREE_VARS=(149, 0), LOAD_FAST=(124, 0), LOAD_CONST=(100, 0),
              LOAD_GLOBAL=(116, 4), LOAD_ATTR=(106, 9), CALL=(171, 3), KW_NAMES=(172, 0), LOAD_DEREF=(137, 0),
              BINARY_OP=(122, 1), BINARY_SUBSCR=(25, 1), BUILD_SLICE=(133, 0), BUILD_TUPLE=(102, 0),
              BUILD_LIST=(103, 0), LIST_EXTEND=(162, 0), UNARY_NEGATIVE=(11, 0), RETURN_VALUE=(83, 0),
              COMPARE_OP=(107, 1)),
    313: dict(RESUME=(149, 0), COPY_FREE_VARS=(62, 0), LOAD_FAST=(85, 0), LOAD_CONST=(83, 0),
              LOAD_GLOBAL=(91, 4), LOAD_ATTR=(82, 9), CALL=(53, 3), CALL_KW=(57, 3), LOAD_DEREF=(84, 0),
              BINARY_OP=(45, 1), BINARY_SUBSCR=(5, 1), BUILD_SLICE=(50, 0), BUILD_TUPLE=(52, 0),
              BUILD_LIST=(47, 0), UNARY_NEGATIVE=(42, 0), RETURN_VALUE=(36, 0)),
}


def w_obj(o):
    """marshal (version 4) of one value, without reference flags."""
    if o is None:
        return b"N"
    if o is True:
        return b"T"
    if o is False:
        return b"F"
    if o is Ellipsis:
        return b"."
    if isinstance(o, int):
        return b"i" + struct.pack("<i", o)
    if isinstance(o, float):
        return b"g" + struct.pack("<d", o)
    if isinstance(o, str):
        b = o.encode("ascii")
        return b"z" + bytes([len(b)]) + b
    if isinstance(o, bytes):
        return b"s" + struct.pack("<i", len(o)) + o
    if isinstance(o, tuple):
        return b")" + bytes([len(o)]) + b"".join(w_obj(e) for e in o)
    raise TypeError(o)


class Asm:
    """One lambda: params (names), freevars; compile an expression tree, then dump()."""

    def __init__(self, ver, params, freevars=()):
        self.ver, self.params, self.freevars = ver, list(params), list(freevars)
        self.ops = OPS[ver]
        self.code = bytearray()
        self.consts = [None]
        self.names = []

    def const(self, v):
        for i, c in enumerate(self.consts):
            if type(c) is type(v) and c == v:
                return i
        self.consts.append(v)
        return len(self.consts) - 1

    def name(self, n):
        if n not in self.names:
            self.names.append(n)
        return self.names.index(n)

    def emit(self, op, arg=0):
        code, caches = self.ops[op]
        if arg > 255:
            raise ValueError("arg too large")
        self.code += bytes([code, arg]) + b"\0\0" * caches

    # expression trees: ("arg", name) ("const", v) ("free", name) ("call", "tf.nn.relu6", [args], [(kw, e)])
    # ("bin", op, a, b) ("neg", a) ("sub", a, i) ("slice", a, b, c) ("tuple", [..]) ("list", [..])
    def expr(self, e):
        k = e[0]
        if k == "arg":
            self.emit("LOAD_FAST", self.params.index(e[1]))
        elif k == "const":
            self.emit("LOAD_CONST", self.const(e[1]))
        elif k == "free":
            i = self.freevars.index(e[1])
            self.emit("LOAD_DEREF", i if self.ver == 38 else len(self.params) + i)
        elif k == "bin":
            self.expr(e[2])
            self.expr(e[3])
            if e[1] in CMP:
                i = CMP.index(e[1])
                # 3.12 compile.c: (index << 4) | the comparison mask (LT 2, GT 4, EQ 8, NE 1|2|4... see CMP_MASK)
                self.emit("COMPARE_OP", (i << 4) | CMP_MASK[i] if self.ver >= 312 else i)
            elif self.ver == 38:
                self.code += bytes([BIN_OLD[e[1]], 0])
            else:
                self.emit("BINARY_OP", BIN_OP[e[1]])
        elif k == "neg":
            self.expr(e[1])
            self.emit("UNARY_NEGATIVE")
        elif k == "sub":
            self.expr(e[1])
            self.expr(e[2])
            self.emit("BINARY_SUBSCR")
        elif k == "slice":
            for p in e[1:3]:
                self.emit("LOAD_CONST", self.const(p))
            if e[3] is not None:
                self.emit("LOAD_CONST", self.const(e[3]))
            self.emit("BUILD_SLICE", 2 if e[3] is None else 3)
        elif k == "tuple":
            if all(x[0] == "const" for x in e[1]):
                self.emit("LOAD_CONST", self.const(tuple(x[1] for x in e[1])))
            else:
                for x in e[1]:
                    self.expr(x)
                self.emit("BUILD_TUPLE", len(e[1]))
        elif k == "list":
            if self.ver >= 39 and len(e[1]) > 2 and all(x[0] == "const" for x in e[1]):
                self.emit("BUILD_LIST", 0)
                self.emit("LOAD_CONST", self.const(tuple(x[1] for x in e[1])))
                self.emit("LIST_EXTEND", 1)
            else:
                for x in e[1]:
                    self.expr(x)
                self.emit("BUILD_LIST", len(e[1]))
        elif k == "path":   # a module attribute used as a value (tf.float32, tf.newaxis)
            parts = e[1].split(".")
            self.emit("LOAD_GLOBAL", self.name(parts[0]) if self.ver == 38 else self.name(parts[0]) << 1)
            for p in parts[1:]:
                self.emit("LOAD_ATTR", self.name(p) << 1 if self.ver >= 312 else self.name(p))
        elif k == "call":
            self.call(e[1], e[2], e[3] if len(e) > 3 else [])
        else:
            raise ValueError(k)

    def call(self, path, args, kwargs):
        parts = path.split(".")
        n = len(args) + len(kwargs)
        kwnames = tuple(k for k, _ in kwargs)
        v = self.ver
        if len(parts) == 1:
            self.emit("LOAD_GLOBAL", self.name(parts[0]) if v == 38 else (self.name(parts[0]) << 1) | 1)
        else:
            self.emit("LOAD_GLOBAL", self.name(parts[0]) if v == 38 else self.name(parts[0]) << 1)
            for p in parts[1:-1]:
                self.emit("LOAD_ATTR", self.name(p) << 1 if v >= 312 else self.name(p))
            last = parts[-1]
            if v == 38:
                self.emit("LOAD_ATTR" if kwnames else "LOAD_METHOD", self.name(last))
            elif v == 311:
                self.emit("LOAD_METHOD", self.name(last))
            else:
                self.emit("LOAD_ATTR", (self.name(last) << 1) | 1)
        for a in args:
            self.expr(a)
        for _, a in kwargs:
            self.expr(a)
        if v == 38:
            if kwnames:
                self.emit("LOAD_CONST", self.const(kwnames))
                self.emit("CALL_FUNCTION_KW", n)
            elif len(parts) == 1:
                self.emit("CALL_FUNCTION", n)
            else:
                self.emit("CALL_METHOD", n)
        elif v == 313:
            if kwnames:
                self.emit("LOAD_CONST", self.const(kwnames))
                self.emit("CALL_KW", n)
            else:
                self.emit("CALL", n)
        else:
            if kwnames:
                self.emit("KW_NAMES", self.const(kwnames))
            if v == 311:
                self.emit("PRECALL", n)
            self.emit("CALL", n)

    def assemble(self, tree):
        if self.ver >= 311:
            if self.freevars:
                self.emit("COPY_FREE_VARS", len(self.freevars))
            self.emit("RESUME", 0)
        self.expr(tree)
        self.emit("RETURN_VALUE")
        return self.dump()

    def dump(self):
        p = self.params
        flags = (0x13 if self.freevars else (0x43 if self.ver == 38 else 0x03))
        out = b"c"
        if self.ver == 38:
            out += struct.pack("<6i", len(p), 0, 0, len(p), 16, flags)
            out += w_obj(bytes(self.code)) + w_obj(tuple(self.consts)) + w_obj(tuple(self.names))
            out += w_obj(tuple(p)) + w_obj(tuple(self.freevars)) + w_obj(())
            out += w_obj("<gen_lambda>") + w_obj("<lambda>") + struct.pack("<i", 1) + w_obj(b"")
        else:
            out += struct.pack("<5i", len(p), 0, 0, 16, flags)
            out += w_obj(bytes(self.code)) + w_obj(tuple(self.consts)) + w_obj(tuple(self.names))
            out += w_obj(tuple(p + self.freevars))
            out += w_obj(bytes([0x20] * len(p) + [0x80] * len(self.freevars)))
            out += w_obj("<gen_lambda>") + w_obj("<lambda>") + w_obj("<lambda>") + struct.pack("<i", 1)
            out += w_obj(b"") + w_obj(b"")
        return out


# ------------------------------------------------------------------------------ cross-check

_CHECK = r'''
import dis, json, marshal, sys
items = json.loads(sys.stdin.read())
def desc(code):
    ins = [(i.opname, repr(i.argval)) for i in dis.get_instructions(code) if i.opname not in ("CACHE", "EXTENDED_ARG")]
    return [ins, code.co_argcount, list(code.co_varnames[:code.co_argcount]), list(code.co_freevars)]
out = []
for it in items:
    mine = marshal.loads(bytes.fromhex(it["hex"]))
    real = eval(it["src"]).__code__
    out.append([desc(mine), desc(real)])
print(json.dumps(out))
'''


def interpreter(ver):
    major, minor = str(ver)[0], str(ver)[1:]
    cands = sorted(glob.glob(os.path.expanduser(f"~/.pyenv/versions/{major}.{minor}*/bin/python3")))
    w = shutil.which(f"python{major}.{minor}")
    if w:
        cands.append(w)
    return cands[0] if cands else None


CHECKED = {}


def check_against_interpreter(ver, items):
    """items: [(source of an expression giving the function, marshal bytes)]."""
    exe = interpreter(ver)
    if not exe:
        CHECKED[ver] = "not installed"
        return
    want = f"{str(ver)[0]}.{str(ver)[1:]}"
    try:  # a usable interpreter of that version (a pyenv shim may point to nothing)
        probe = subprocess.run([exe, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                               capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        probe = None
    if probe is None or probe.returncode != 0 or probe.stdout.strip() != want:
        CHECKED[ver] = f"unusable ({exe})"
        return
    data = json.dumps([{"src": s, "hex": b.hex()} for s, b in items])
    r = subprocess.run([exe, "-c", _CHECK], input=data, capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        raise RuntimeError(f"gen_lambda: Python {ver} ({exe}) could not check the assembled code:\n{r.stderr}")
    for (src, _), (mine, real) in zip(items, json.loads(r.stdout)):
        if mine != real:
            raise RuntimeError(f"gen_lambda: assembled {ver} bytecode of `{src}` differs from {exe}:\n"
                               f"  assembled: {mine}\n  real:      {real}")
    CHECKED[ver] = exe


# ------------------------------------------------------------------------------ the lambdas

A = lambda n: ("arg", n)
C = lambda v: ("const", v)

# name: (source for the real interpreter, params, freevars, tree)
LAMBDAS = {
    "clip": ("lambda x: tf.clip_by_value(x, -1, 1)", ["x"], [],
             ("call", "tf.clip_by_value", [A("x"), C(-1), C(1)])),
    "affine": ("(lambda scale: (lambda x, b=0.25: x * scale + b))(0.5)", ["x", "b"], ["scale"],
               ("bin", "+", ("bin", "*", A("x"), ("free", "scale")), A("b"))),
    "relu6": ("lambda x: tf.nn.relu6(x) / 6", ["x"], [],
              ("bin", "/", ("call", "tf.nn.relu6", [A("x")]), C(6))),
    "mean": ("lambda x: tf.reduce_mean(x, axis=[1, 2], keepdims=True)", ["x"], [],
             ("call", "tf.reduce_mean", [A("x")], [("axis", ("list", [C(1), C(2)])), ("keepdims", C(True))])),
    "stride": ("lambda x: x[:, ::2]", ["x"], [],
               ("sub", A("x"), ("tuple", [("slice", None, None, None), ("slice", None, None, 2)]))),
    "two": ("lambda t: t[0] * t[1] - K.mean(t[0], axis=-1, keepdims=True)", ["t"], [],
            ("bin", "-", ("bin", "*", ("sub", A("t"), C(0)), ("sub", A("t"), C(1))),
             ("call", "K.mean", [("sub", A("t"), C(0))], [("axis", C(-1)), ("keepdims", C(True))]))),
    "k3": ("lambda x: ops.relu(x) * 2.0 - ops.mean(x, axis=-1, keepdims=True)", ["x"], [],
           ("bin", "-", ("bin", "*", ("call", "ops.relu", [A("x")]), C(2.0)),
            ("call", "ops.mean", [A("x")], [("axis", C(-1)), ("keepdims", C(True))]))),
    "stft": ("lambda x: tf.signal.stft(x, 4, 2)", ["x"], [],
             ("call", "tf.signal.stft", [A("x"), C(4), C(2)])),
    "add1": ("lambda x: x + 1", ["x"], [], ("bin", "+", A("x"), C(1))),
    # lambda_functions (3.11): the K.* / tf.* mappings and operators
    "f_clip_relu": ("lambda x: K.clip(x, -0.5, 0.5) + K.relu(x, max_value=1.0)", ["x"], [],
                    ("bin", "+", ("call", "K.clip", [A("x"), C(-0.5), C(0.5)]),
                     ("call", "K.relu", [A("x")], [("max_value", C(1.0))]))),
    "f_concat": ("lambda x: tf.concat([x, -x], axis=-1)", ["x"], [],
                 ("call", "tf.concat", [("list", [A("x"), ("neg", A("x"))])], [("axis", C(-1))])),
    "f_softmax": ("lambda x: K.softmax(x ** 2)", ["x"], [],
                  ("call", "K.softmax", [("bin", "**", A("x"), C(2))])),
    "f_sigmoid": ("lambda x: tf.sigmoid(x[..., 0:2]) * 3 - 1", ["x"], [],
                  ("bin", "-", ("bin", "*", ("call", "tf.sigmoid",
                                             [("sub", A("x"), ("tuple", [C(Ellipsis), ("slice", 0, 2, None)]))]),
                                C(3)), C(1))),
    "f_expand": ("lambda x: K.expand_dims(K.sum(x, axis=1))", ["x"], [],
                 ("call", "K.expand_dims", [("call", "K.sum", [A("x")], [("axis", C(1))])])),
    "f_sqrt": ("lambda x: K.sqrt(K.abs(x))", ["x"], [],
               ("call", "K.sqrt", [("call", "K.abs", [A("x")])])),
    "f_transpose": ("lambda x: tf.transpose(x, [0, 2, 1])", ["x"], [],
                    ("call", "tf.transpose", [A("x"), ("list", [C(0), C(2), C(1)])])),
    "f_rsub": ("lambda x: 1 - x", ["x"], [], ("bin", "-", C(1), A("x"))),
    "f_cast": ("lambda x: tf.cast(x > 0, tf.float32) * x[:, tf.newaxis, 0]", ["x"], [],
               ("bin", "*", ("call", "tf.cast", [("bin", ">", A("x"), C(0)), ("path", "tf.float32")]),
                ("sub", A("x"), ("tuple", [("slice", None, None, None), ("path", "tf.newaxis"), C(0)])))),
    "f_id": ("lambda t: t", ["t"], [], A("t")),
    "f_act": ("lambda x: keras.activations.swish(x)", ["x"], [], ("call", "keras.activations.swish", [A("x")])),
}

FUNCTIONS = ["f_clip_relu", "f_concat", "f_softmax", "f_sigmoid", "f_expand", "f_sqrt", "f_transpose", "f_rsub",
             "f_cast", "f_act", "f_id"]

_CACHE = {}


def code_b64(name, ver):
    """base64 (MIME, as Keras' func_dump writes it) of the assembled code object."""
    key = (name, ver)
    if key not in _CACHE:
        src, params, free, tree = LAMBDAS[name]
        _CACHE[key] = Asm(ver, params, free).assemble(tree)
    return codecs.encode(_CACHE[key], "base64").decode("ascii")


def cross_check():
    wanted = {38: ["clip", "affine", "relu6", "mean", "stride", "two", "stft"],
              311: ["clip", "affine", "relu6", "mean", "stride"] + FUNCTIONS,
              312: ["k3"], 313: ["add1"]}
    for ver, names in wanted.items():
        if ver in CHECKED:
            continue
        for n in names:
            code_b64(n, ver)
        check_against_interpreter(ver, [(LAMBDAS[n][0], _CACHE[(n, ver)]) for n in names])


# ------------------------------------------------------------------------------ models


def register(km):
    model, Model, REFERENCES = km.model, km.Model, km.REFERENCES

    def k2_lambda(m, name, fn, ver, x, defaults=None, closure=None, arguments=None):
        cross_check()
        cfg = {"name": name, "trainable": True, "dtype": "float32",
               "function": [code_b64(fn, ver), defaults, closure], "function_type": "lambda",
               "module": "__main__", "output_shape": None, "output_shape_type": "raw",
               "output_shape_module": None, "arguments": arguments or {}}
        return m.layer("Lambda", cfg, x)

    def k2_five(tag, ver, affine_via_arguments):
        @model(f"lambda_py{tag}", tfjs=False, rng_range=(-2.0, 2.0))
        def m_five(path, rng):
            m = Model(f"lambda_py{tag}", rng)
            x = m.input("input_1", [4, 6, 3])
            m.output(k2_lambda(m, "lambda", "clip", ver, x))
            if affine_via_arguments:   # b from Keras' `arguments`, the stored default left unused
                m.output(k2_lambda(m, "lambda_1", "affine", ver, x, defaults=[9.0], closure=[0.5],
                                   arguments={"b": 0.25}))
            else:
                m.output(k2_lambda(m, "lambda_1", "affine", ver, x, defaults=[0.25], closure=[0.5]))
            m.output(k2_lambda(m, "lambda_2", "relu6", ver, x))
            m.output(k2_lambda(m, "lambda_3", "mean", ver, x))
            m.output(k2_lambda(m, "lambda_4", "stride", ver, x))
            km.write_legacy_h5(path, m, keras_version="2.13.1" if ver >= 311 else "2.8.0")
            return (f"tf.keras Lambda layers with CPython {ver // 10 if ver < 100 else ver // 100}."
                    f"{ver % 10 if ver < 100 else ver % 100} bytecode: clip_by_value, x*scale+b (closure + "
                    f"{'arguments' if affine_via_arguments else 'defaults'}), relu6(x)/6, reduce_mean, x[:, ::2]; "
                    f"bytecode checked against: {CHECKED.get(ver)}")

        def ref(path, xs):
            (x,) = xs
            return [np.clip(x, -1, 1), x * 0.5 + 0.25, np.clip(x, 0, 6) / 6, x.mean(axis=(1, 2), keepdims=True),
                    x[:, ::2]]
        REFERENCES[f"lambda_py{tag}"] = ([[4, 6, 3]], ref)

    k2_five("38", 38, False)
    k2_five("311", 311, True)

    @model("lambda_two_inputs", tfjs=False)
    def m_two(path, rng):
        m = Model("lambda_two_inputs", rng)
        a = m.input("input_1", [4, 5])
        b = m.input("input_2", [4, 5])
        m.output(k2_lambda(m, "lambda", "two", 38, [a, b]))
        km.write_legacy_h5(path, m, keras_version="2.8.0")
        return "tf.keras Lambda on a list of two tensors (t[0] * t[1] - K.mean(t[0], -1, keepdims)), CPython 3.8"

    def ref_two(path, xs):
        a, b = xs
        return [a * b - a.mean(axis=-1, keepdims=True)]
    REFERENCES["lambda_two_inputs"] = ([[4, 5], [4, 5]], ref_two)

    @model("lambda_functions", tfjs=False, rng_range=(-2.0, 2.0))
    def m_functions(path, rng):
        m = Model("lambda_functions", rng)
        x = m.input("input_1", [3, 4])
        for i, fn in enumerate(FUNCTIONS):
            m.output(k2_lambda(m, "lambda" if i == 0 else f"lambda_{i}", fn, 311, x))
        km.write_legacy_h5(path, m, keras_version="2.13.1")
        return "tf.keras Lambda layers (CPython 3.11): K.clip/relu/softmax/expand_dims/sum/sqrt/abs, tf.concat/sigmoid/transpose/cast, keras.activations.swish, operators"

    def ref_functions(path, xs):
        (x,) = xs
        e = np.exp(x ** 2 - (x ** 2).max(axis=-1, keepdims=True))
        return [np.clip(x, -0.5, 0.5) + np.clip(np.maximum(x, 0), 0, 1.0),
                np.concatenate([x, -x], axis=-1),
                e / e.sum(axis=-1, keepdims=True),
                3 / (1 + np.exp(-x[..., 0:2])) - 1,
                x.sum(axis=1)[..., None],
                np.sqrt(np.abs(x)),
                np.transpose(x, (0, 2, 1)),
                1 - x,
                (x > 0).astype(np.float64) * x[:, None, 0],
                x / (1 + np.exp(-x)),
                x]
    REFERENCES["lambda_functions"] = ([[3, 4]], ref_functions)

    @model("lambda_keras3", ext=".keras", tfjs=False)
    def m_k3(path, rng):
        cross_check()
        lam = dict(km.k3_common("lambda"),
                   function={"class_name": "__lambda__", "config": {"code": code_b64("k3", 312), "defaults": None,
                                                                    "closure": None}},
                   arguments={}, output_shape=None, mask=None)
        layers = [
            km.k3_layer("InputLayer", {"batch_shape": [None, 3, 5], "dtype": "float32", "sparse": False,
                                       "name": "input_layer"}, []),
            km.k3_layer("Lambda", lam, [{"args": [km.k3_tensor("input_layer", [None, 3, 5])], "kwargs": {}}],
                        [None, 3, 5]),
        ]
        config = km.k3_functional_config("functional", layers, [["input_layer", 0, 0]], [["lambda", 0, 0]])
        km.write_keras_zip(path, config, [("input_layer", "InputLayer", [], False), ("lambda", "Lambda", [], False)],
                           "functional", keras_version="3.6.0")
        return "Keras 3 .keras Lambda (__lambda__), CPython 3.12 bytecode: ops.relu(x) * 2 - ops.mean(x, -1, keepdims)"

    def ref_k3(path, xs):
        (x,) = xs
        return [np.maximum(x, 0) * 2.0 - x.mean(axis=-1, keepdims=True)]
    REFERENCES["lambda_keras3"] = ([[3, 5]], ref_k3)

    @model("bad_lambda_unsupported", tfjs=False, expect="tf.signal.stft")
    def b_stft(path, rng):
        m = Model("bad_lambda_unsupported", rng)
        x = m.input("input_1", [16])
        m.output(k2_lambda(m, "lambda", "stft", 38, x))
        km.write_legacy_h5(path, m, keras_version="2.8.0")
        return "Lambda calling tf.signal.stft (not supported): refused naming it"

    @model("bad_lambda_py313", tfjs=False, expect="3.7, 3.8, 3.9, 3.10, 3.11 and 3.12")
    def b_313(path, rng):
        m = Model("bad_lambda_py313", rng)
        x = m.input("input_1", [4])
        m.output(k2_lambda(m, "lambda", "add1", 313, x))
        km.write_legacy_h5(path, m, keras_version="2.15.0")
        return "Lambda with CPython 3.13 bytecode: refused, naming the versions read"

    @model("bad_lambda_named", ext=".keras", tfjs=False, expect="my_preprocess")
    def b_named(path, rng):
        lam = dict(km.k3_common("lambda"),
                   function={"class_name": "function", "config": "my_preprocess", "module": "__main__",
                             "registered_name": "function"},
                   arguments={}, output_shape=None, mask=None)
        layers = [
            km.k3_layer("InputLayer", {"batch_shape": [None, 4], "dtype": "float32", "sparse": False,
                                       "name": "input_layer"}, []),
            km.k3_layer("Lambda", lam, [{"args": [km.k3_tensor("input_layer", [None, 4])], "kwargs": {}}], [None, 4]),
        ]
        config = km.k3_functional_config("functional", layers, [["input_layer", 0, 0]], [["lambda", 0, 0]])
        km.write_keras_zip(path, config, [("input_layer", "InputLayer", [], False), ("lambda", "Lambda", [], False)],
                           "functional", keras_version="3.6.0")
        return "Keras 3 Lambda wrapping a named function (stored by name, no code): refused naming it"

    # `lambda x: x if x else 0` as CPython 3.8.18 dumped it (base64 of marshal.dumps(f.__code__)):
    # a real interpreter's bytes, with FLAG_REF / back-references, and a jump.
    COND_38 = ("4wEAAAAAAAAAAAAAAAEAAAABAAAAQwAAAHMMAAAAfAByCHwAUwBkAVMAKQJO6QAAAACpAKkB2gF4cgIAAAByAgAAAPoQL3Rt"
               "cC9sbWIvZHVtcC5wedoIPGxhbWJkYT4NAAAA8wAAAAA=")

    @model("bad_lambda_conditional", tfjs=False, expect="POP_JUMP_IF_FALSE")
    def b_cond(path, rng):
        m = Model("bad_lambda_conditional", rng)
        x = m.input("input_1", [4])
        cfg = {"name": "lambda", "trainable": True, "dtype": "float32", "function": [COND_38, None, None],
               "function_type": "lambda", "module": "__main__", "output_shape": None, "output_shape_type": "raw",
               "output_shape_module": None, "arguments": {}}
        m.output(m.layer("Lambda", cfg, x))
        km.write_legacy_h5(path, m, keras_version="2.8.0")
        return "Lambda with a conditional expression (a jump; real CPython 3.8 bytes): refused naming the instruction"
