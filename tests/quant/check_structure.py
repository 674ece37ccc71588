#!/usr/bin/python3
"""Structural checks on a quantized .tflite, read from `tflc inspect --no_hashes --no_options` dumps.

Usage: check_structure.py DUMP CHECK [CHECK ...]
  --float-io Q          full-integer model with float I/O, activations of type Q (int8 / int16):
                        exactly one QUANTIZE per model input (consuming it, float32 -> Q), one
                        DEQUANTIZE per model output (producing it, Q -> float32), no other
                        QUANTIZE/DEQUANTIZE (the official st_har_gmp_wl_24_wisdm placement).
  --like OFFICIAL_DUMP  the same QUANTIZE/DEQUANTIZE ops as the official model, compared as a
                        multiset of (op, input type, output type, reads a model input, writes a
                        model output): uint8 input -> one QUANTIZE uint8->int8 after it; int8
                        input -> none; float output -> one DEQUANTIZE int8->float32; int8 -> none.
  --no-float-ops        no operator other than QUANTIZE/DEQUANTIZE reads or writes a FLOAT32 or
                        FLOAT16 tensor (every op runs an integer kernel).
  --dynrange MIN        dynamic range: every constant weight (input 1) of CONV_2D,
                        DEPTHWISE_CONV_2D, FULLY_CONNECTED with >= 1024 elements is INT8 (directly,
                        or behind a DEQUANTIZE of an INT8 constant), every smaller one FLOAT32; at
                        least MIN weights are >= 1024 elements (0 for models whose weights are all
                        small, as in the official icu_dense dynamic-range file).
  --float16             at least one FLOAT16 constant, FLOAT16 constants feed only DEQUANTIZE, and no
                        FLOAT32 constant of >= 48 elements is left (smaller ones stay FLOAT32).
Only subgraph 0 is looked at. Prints what it checked; exit 0 pass, 1 a check failed, 2 bad usage/dump.
"""
import collections
import re
import sys

THRESHOLD = 1024
WEIGHT_OPS = ("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED")

TENSOR_RE = re.compile(r'^\s+\[(\d+)\] "(.*)" ([A-Z0-9_]+) \[([-0-9,]*)\](.*)$')
OP_RE = re.compile(r'^\s+\[(\d+)\] ([A-Z0-9_]+)\(([-0-9, ]*)\) -> \(([-0-9, ]*)\)')
SUBGRAPH_RE = re.compile(r'^subgraph\[(\d+)\].* inputs=\[([-0-9, ]*)\] outputs=\[([-0-9, ]*)\]')


def die(msg):
    print(f"check_structure.py: {msg}", file=sys.stderr)
    sys.exit(2)


def ints(s):
    return [int(x) for x in s.replace(" ", "").split(",") if x != ""]


class Model:
    def __init__(self, path):
        self.path = path
        self.tensors = {}   # index -> dict(name, type, shape, const, elements)
        self.ops = []       # dict(index, op, inputs, outputs)
        self.inputs = []
        self.outputs = []
        try:
            with open(path, encoding="utf-8") as f:
                lines = f.read().splitlines()
        except OSError as e:
            die(f"{path}: {e}")
        section = None
        subgraph = None
        for line in lines:
            m = SUBGRAPH_RE.match(line)
            if m:
                subgraph = int(m.group(1))
                if subgraph == 0:
                    self.inputs, self.outputs = ints(m.group(2)), ints(m.group(3))
                continue
            if subgraph != 0:
                continue
            stripped = line.strip()
            if re.match(r"^tensors: \d+$", stripped):
                section = "tensors"
                continue
            if re.match(r"^operators: \d+$", stripped):
                section = "ops"
                continue
            if not line.startswith("    "):  # any other header ends the section
                section = None
                continue
            if section == "tensors":
                m = TENSOR_RE.match(line)
                if m:
                    shape = ints(m.group(4))
                    elements = 1
                    for d in shape:
                        elements *= d
                    rest = m.group(5)
                    self.tensors[int(m.group(1))] = {
                        "name": m.group(2), "type": m.group(3), "shape": shape, "elements": elements,
                        "const": re.search(r"buffer=\d+ \(\d+ bytes", rest) is not None,
                    }
            elif section == "ops":
                m = OP_RE.match(line)
                if m:
                    self.ops.append({"index": int(m.group(1)), "op": m.group(2),
                                     "inputs": ints(m.group(3)), "outputs": ints(m.group(4))})
        if not self.tensors or not self.ops:
            die(f"{path}: no tensors/operators found in subgraph 0 "
                "(not a `tflc inspect --no_hashes --no_options` dump?)")
        self.producer = {}
        self.consumers = collections.defaultdict(list)
        for op in self.ops:
            for t in op["outputs"]:
                self.producer[t] = op
            for t in op["inputs"]:
                if t >= 0:
                    self.consumers[t].append(op)

    def ttype(self, t):
        return self.tensors[t]["type"] if t in self.tensors else "?"

    def describe(self, op):
        ins = ", ".join(f"{t}:{self.ttype(t)}" for t in op["inputs"] if t >= 0)
        outs = ", ".join(f"{t}:{self.ttype(t)}" for t in op["outputs"])
        return f"[{op['index']}] {op['op']}({ins}) -> ({outs})"

    def qdq_signature(self, op):
        i, o = op["inputs"][0], op["outputs"][0]
        return (op["op"], self.ttype(i), self.ttype(o),
                "reads model input" if i in self.inputs else "reads internal",
                "writes model output" if o in self.outputs else "writes internal")


class Checker:
    def __init__(self):
        self.failures = 0

    def report(self, ok, what):
        print(f"  {'PASS' if ok else 'FAIL'} {what}")
        if not ok:
            self.failures += 1


def check_float_io(m, qtype, c):
    q = qtype.upper()
    qops = [op for op in m.ops if op["op"] == "QUANTIZE"]
    dqops = [op for op in m.ops if op["op"] == "DEQUANTIZE"]
    for t in m.inputs:
        c.report(m.ttype(t) == "FLOAT32", f"model input {t} is FLOAT32 (is {m.ttype(t)})")
        mine = [op for op in qops if op["inputs"][:1] == [t]]
        ok = len(mine) == 1 and m.ttype(mine[0]["outputs"][0]) == q and len(m.consumers[t]) == 1
        c.report(ok, f"model input {t}: consumed only by one QUANTIZE FLOAT32->{q} "
                     f"(consumers: {[m.describe(op) for op in m.consumers[t]]})")
    for t in m.outputs:
        c.report(m.ttype(t) == "FLOAT32", f"model output {t} is FLOAT32 (is {m.ttype(t)})")
        p = m.producer.get(t)
        ok = p is not None and p["op"] == "DEQUANTIZE" and m.ttype(p["inputs"][0]) == q
        c.report(ok, f"model output {t}: produced by a DEQUANTIZE {q}->FLOAT32 "
                     f"(producer: {m.describe(p) if p else 'none'})")
    stray = [op for op in qops if op["inputs"][0] not in m.inputs] + \
            [op for op in dqops if op["outputs"][0] not in m.outputs]
    c.report(not stray, "no other QUANTIZE/DEQUANTIZE ops" +
             (": " + "; ".join(m.describe(op) for op in stray) if stray else ""))


def check_like(m, official, c):
    def sigs(model):
        return collections.Counter(model.qdq_signature(op) for op in model.ops
                                   if op["op"] in ("QUANTIZE", "DEQUANTIZE"))
    ours, theirs = sigs(m), sigs(official)
    io = lambda model: (" ".join(model.ttype(t) for t in model.inputs) + " -> " +
                        " ".join(model.ttype(t) for t in model.outputs))
    c.report(io(m) == io(official), f"I/O types {io(m)} (official {io(official)})")
    fmt = lambda cnt: "; ".join(f"{n}x {' '.join(s)}" for s, n in sorted(cnt.items())) or "none"
    c.report(ours == theirs, f"QUANTIZE/DEQUANTIZE placement: ours [{fmt(ours)}], official [{fmt(theirs)}]")


def check_no_float_ops(m, c):
    bad = []
    for op in m.ops:
        if op["op"] in ("QUANTIZE", "DEQUANTIZE"):
            continue
        if any(m.ttype(t) in ("FLOAT32", "FLOAT16") for t in op["inputs"] + op["outputs"] if t >= 0):
            bad.append(m.describe(op))
    c.report(not bad, "every op except QUANTIZE/DEQUANTIZE is integer-only" +
             (": float tensors on " + "; ".join(bad[:10]) + (" ..." if len(bad) > 10 else "") if bad else ""))


def check_dynrange(m, min_large, c):
    large = 0
    seen = 0
    for op in m.ops:
        if op["op"] not in WEIGHT_OPS or len(op["inputs"]) < 2:
            continue
        w = op["inputs"][1]
        t = m.tensors.get(w)
        via = ""
        if t and not t["const"]:
            p = m.producer.get(w)
            if p and p["op"] == "DEQUANTIZE" and m.tensors.get(p["inputs"][0], {}).get("const"):
                t = m.tensors[p["inputs"][0]]
                via = " (behind DEQUANTIZE)"
            else:
                c.report(False, f"{m.describe(op)}: weight tensor {w} is not a constant")
                continue
        seen += 1
        if t["elements"] >= THRESHOLD:
            large += 1
            c.report(t["type"] == "INT8", f"{op['op']} [{op['index']}] weight \"{t['name']}\" "
                     f"{t['shape']} ({t['elements']} elements) is INT8{via} (is {t['type']})")
        else:
            c.report(t["type"] == "FLOAT32" and not via,
                     f"{op['op']} [{op['index']}] weight \"{t['name']}\" {t['shape']} "
                     f"({t['elements']} < {THRESHOLD} elements) stays FLOAT32 (is {t['type']}{via})")
    c.report(seen > 0, f"{seen} CONV_2D/DEPTHWISE_CONV_2D/FULLY_CONNECTED weights found")
    c.report(large >= min_large, f"{large} weights with >= {THRESHOLD} elements (need >= {min_large})")


FLOAT16_MIN_ELEMENTS = 48  # plugins/quant_float16/src/float16.cc kMinElements


def check_float16(m, c):
    f16 = [t for t, d in m.tensors.items() if d["const"] and d["type"] == "FLOAT16"]
    c.report(len(f16) > 0, f"{len(f16)} FLOAT16 constants")
    bad = [f"{t} -> {m.describe(op)}" for t in f16 for op in m.consumers[t] if op["op"] != "DEQUANTIZE"]
    c.report(not bad, "FLOAT16 constants feed only DEQUANTIZE" + (": " + "; ".join(bad[:10]) if bad else ""))
    # Constants below FLOAT16_MIN_ELEMENTS stay FLOAT32 (their DEQUANTIZE would cost more bytes than
    # it saves); every larger float constant that an op reads is FLOAT16.
    left = [f"\"{d['name']}\" {d['shape']}" for t, d in m.tensors.items()
            if d["const"] and d["type"] == "FLOAT32" and d["elements"] >= FLOAT16_MIN_ELEMENTS and m.consumers[t]]
    c.report(not left, f"no FLOAT32 constant of >= {FLOAT16_MIN_ELEMENTS} elements left"
             + (": " + "; ".join(left[:10]) if left else ""))


def main(argv):
    if len(argv) < 3 or argv[1] in ("-h", "--help"):
        print(__doc__)
        return 0 if len(argv) > 1 and argv[1] in ("-h", "--help") else 2
    m = Model(argv[1])
    c = Checker()
    args = argv[2:]
    i = 0
    print(f"check_structure: {argv[1]} ({len(m.ops)} ops, inputs {m.inputs}, outputs {m.outputs})")
    while i < len(args):
        a = args[i]
        need = lambda: args[i + 1] if i + 1 < len(args) else die(f"{a} needs a value")
        if a == "--float-io":
            check_float_io(m, need(), c)
            i += 2
        elif a == "--like":
            check_like(m, Model(need()), c)
            i += 2
        elif a == "--no-float-ops":
            check_no_float_ops(m, c)
            i += 1
        elif a == "--dynrange":
            check_dynrange(m, int(need()), c)
            i += 2
        elif a == "--float16":
            check_float16(m, c)
            i += 1
        else:
            print(f"check_structure.py: unknown check {a}", file=sys.stderr)
            return 2
    print("PASS" if c.failures == 0 else f"FAIL ({c.failures} failed)")
    return 0 if c.failures == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
