#!/usr/bin/env python3
"""Checks a .tflite converted from examples/vendor_plugin/make_model.py with the acme_ops plugin.

    check_tflite.py float MODEL.tflite   # 2 ACME_CLIP custom ops with FlexBuffer-map options, no RELU6
    check_tflite.py int8  MODEL.tflite   # ... and ACME_CLIP and its neighbouring CONV_2Ds are int8

Reads the FlatBuffer and the FlexBuffer custom options itself (standard library only). Prints one
"FAIL: ..." line per broken check and exits 1 if any; prints the ops it saw either way.
"""
import struct
import sys

# TFLite schema facts (schema/tflite.fbs).
CONV_2D, RELU6, CUSTOM, DEQUANTIZE, QUANTIZE = 3, 21, 32, 6, 114
TYPES = {0: "FLOAT32", 1: "FLOAT16", 2: "INT32", 3: "UINT8", 4: "INT64", 7: "INT16", 9: "INT8"}
FLOAT32, INT32, INT8 = 0, 2, 9


class Table:
    """A FlatBuffers table: fields by slot (0, 1, ...)."""

    def __init__(self, buf, pos):
        self.buf, self.pos = buf, pos
        self.vt = pos - struct.unpack_from("<i", buf, pos)[0]
        self.vt_len = struct.unpack_from("<H", buf, self.vt)[0]

    def _off(self, slot):
        o = 4 + 2 * slot
        return struct.unpack_from("<H", self.buf, self.vt + o)[0] if o < self.vt_len else 0

    def scalar(self, slot, fmt, default=0):
        o = self._off(slot)
        return struct.unpack_from("<" + fmt, self.buf, self.pos + o)[0] if o else default

    def _ref(self, slot):
        o = self._off(slot)
        if not o:
            return None
        p = self.pos + o
        return p + struct.unpack_from("<I", self.buf, p)[0]

    def table(self, slot):
        p = self._ref(slot)
        return Table(self.buf, p) if p is not None else None

    def vector(self, slot, fmt):
        p = self._ref(slot)
        if p is None:
            return []
        n = struct.unpack_from("<I", self.buf, p)[0]
        size = struct.calcsize("<" + fmt)
        return [struct.unpack_from("<" + fmt, self.buf, p + 4 + i * size)[0] for i in range(n)]

    def bytes(self, slot):
        p = self._ref(slot)
        if p is None:
            return None
        n = struct.unpack_from("<I", self.buf, p)[0]
        return self.buf[p + 4:p + 4 + n]

    def tables(self, slot):
        p = self._ref(slot)
        if p is None:
            return []
        n = struct.unpack_from("<I", self.buf, p)[0]
        out = []
        for i in range(n):
            e = p + 4 + 4 * i
            out.append(Table(self.buf, e + struct.unpack_from("<I", self.buf, e)[0]))
        return out

    def string(self, slot):
        b = self.bytes(slot)
        return b.decode() if b is not None else None


def _uint(b, p, w):
    return int.from_bytes(b[p:p + w], "little", signed=False)


def _int(b, p, w):
    return int.from_bytes(b[p:p + w], "little", signed=True)


def _float(b, p, w):
    return struct.unpack_from("<f" if w == 4 else "<d", b, p)[0]


def _cstr(b, p):
    return b[p:b.index(0, p)].decode()


def flexbuffer_map(b):
    """Decodes a FlexBuffer whose root is a map of scalars into a dict (keys in stored order)."""
    if len(b) < 3:
        raise ValueError("%d bytes is too short for a FlexBuffer" % len(b))
    root_w = b[-1]
    packed = b[-2]
    root = len(b) - 2 - root_w
    if packed >> 2 != 9:
        raise ValueError("the root is FlexBuffer type %d, not a map (9)" % (packed >> 2))
    w = 1 << (packed & 3)
    data = root - _uint(b, root, root_w)
    size = _uint(b, data - w, w)
    keys_w = _uint(b, data - 2 * w, w)
    keys = data - 3 * w - _uint(b, data - 3 * w, w)
    out = {}
    for i in range(size):
        kp = keys + i * keys_w
        key = _cstr(b, kp - _uint(b, kp, keys_w))
        vp = data + i * w
        vpacked = b[data + size * w + i]
        t, vw = vpacked >> 2, 1 << (vpacked & 3)
        if t == 1:
            v = _int(b, vp, w)
        elif t == 2:
            v = _uint(b, vp, w)
        elif t == 3:
            v = _float(b, vp, w)
        elif t == 6:
            v = _int(b, vp - _uint(b, vp, w), vw)
        elif t == 7:
            v = _uint(b, vp - _uint(b, vp, w), vw)
        elif t == 8:
            v = _float(b, vp - _uint(b, vp, w), vw)
        elif t == 26:
            v = bool(_uint(b, vp, w))
        elif t == 5:
            s = vp - _uint(b, vp, w)
            v = b[s:s + _uint(b, s - vw, vw)].decode()
        else:
            v = "<FlexBuffer type %d>" % t
        out[key] = v
    return out


class Op:
    pass


def read_model(path):
    buf = open(path, "rb").read()
    if buf[4:8] != b"TFL3":
        raise ValueError("%s: no TFL3 identifier" % path)
    model = Table(buf, struct.unpack_from("<I", buf, 0)[0])
    codes = []
    for c in model.tables(1):
        code = max(c.scalar(0, "b", 0), c.scalar(3, "i", 0))
        codes.append((code, c.string(1)))
    sg = model.tables(2)[0]
    tensors = []
    for t in sg.tables(0):
        q = t.table(4)
        scales = q.vector(2, "f") if q else []
        zps = q.vector(3, "q") if q else []
        tensors.append({"name": t.string(3), "type": t.scalar(1, "b", 0), "scales": scales, "zero_points": zps})
    ops = []
    for o in sg.tables(3):
        op = Op()
        op.code, op.custom = codes[o.scalar(0, "I", 0)]
        op.inputs = o.vector(1, "i")
        op.outputs = o.vector(2, "i")
        op.options = o.bytes(5)
        op.options_format = o.scalar(6, "b", 0)
        ops.append(op)
    return tensors, ops


def describe(op, tensors):
    name = op.custom if op.code == CUSTOM else {CONV_2D: "CONV_2D", RELU6: "RELU6", DEQUANTIZE: "DEQUANTIZE",
                                                QUANTIZE: "QUANTIZE"}.get(op.code, "builtin %d" % op.code)
    ty = lambda ids: ",".join(TYPES.get(tensors[i]["type"], str(tensors[i]["type"])) if i >= 0 else "-" for i in ids)
    return "%s (%s) -> (%s)" % (name, ty(op.inputs), ty(op.outputs))


def main():
    mode, path = sys.argv[1], sys.argv[2]
    try:
        tensors, ops = read_model(path)
    except (OSError, ValueError, IndexError, struct.error) as e:
        print("FAIL: cannot read %s as a TFLite FlatBuffer: %s" % (path, e))
        return 1
    fails = []
    fail = fails.append
    print("%s: %d ops" % (path, len(ops)))
    for op in ops:
        print("  " + describe(op, tensors))

    clips = [op for op in ops if op.code == CUSTOM and op.custom == "ACME_CLIP"]
    if len(clips) != 2:
        fail("expected 2 ACME_CLIP custom ops, found %d" % len(clips))
    if any(op.code == RELU6 for op in ops):
        fail("the model still has a RELU6 op (the acme_ops Relu6 row at priority 10 should win)")
    others = [op for op in ops if op.code == CUSTOM and op.custom != "ACME_CLIP"]
    if others:
        fail("unexpected custom ops: %s" % ", ".join(op.custom for op in others))
    options = []
    for op in clips:
        if op.options_format != 0:
            fail("ACME_CLIP custom_options_format is %d, not FLEXBUFFERS (0)" % op.options_format)
        if not op.options:
            fail("ACME_CLIP has no custom_options")
            continue
        try:
            m = flexbuffer_map(op.options)
        except (ValueError, IndexError, struct.error) as e:
            fail("ACME_CLIP custom_options are not a FlexBuffer map: %s" % e)
            continue
        print("  ACME_CLIP custom_options=%s" % m)
        if list(m) != sorted(m):
            fail("custom_options keys are not sorted: %s" % list(m))
        options.append(m)
    want = [{"hi": 2.5, "lo": -1.5}, {"hi": 6.0, "lo": 0.0}]
    got = sorted(({k: float(v) for k, v in m.items()} for m in options), key=lambda m: m.get("hi", 0))
    if len(options) == 2 and got != want:
        fail("ACME_CLIP options are %s, expected %s" % (options, want))

    producer = {}
    consumers = {}
    for op in ops:
        for t in op.outputs:
            producer[t] = op
        for t in op.inputs:
            if t >= 0:
                consumers.setdefault(t, []).append(op)
    want_type = INT8 if mode == "int8" else FLOAT32
    want_name = TYPES[want_type]
    neighbours = []
    for op in clips:
        x, y = op.inputs[0], op.outputs[0]
        for t, role in ((x, "input"), (y, "output")):
            if tensors[t]["type"] != want_type:
                fail("ACME_CLIP %s '%s' is %s, expected %s" % (role, tensors[t]["name"],
                                                             TYPES.get(tensors[t]["type"]), want_name))
        p = producer.get(x)
        if p is not None:
            neighbours.append(("producer", p))
        for c in consumers.get(y, []):
            neighbours.append(("consumer", c))
        if mode == "int8" and tensors[x]["type"] == INT8 and tensors[y]["type"] == INT8:
            # SAME_AS_INPUT: the output keeps the input's scale and zero point.
            if (tensors[x]["scales"], tensors[x]["zero_points"]) != (tensors[y]["scales"], tensors[y]["zero_points"]):
                fail("ACME_CLIP '%s' output quantization %s/%s differs from its input's %s/%s (quant spec says "
                     "SAME_AS_INPUT)" % (tensors[y]["name"], tensors[y]["scales"], tensors[y]["zero_points"],
                                         tensors[x]["scales"], tensors[x]["zero_points"]))
    if mode == "int8":
        for role, n in neighbours:
            if n.code in (DEQUANTIZE, QUANTIZE):
                fail("ACME_CLIP has a %s %s next to it: it should run in int8" %
                     ("DEQUANTIZE" if n.code == DEQUANTIZE else "QUANTIZE", role))
        convs = [n for _, n in neighbours if n.code == CONV_2D]
        if len(convs) != 2:
            fail("expected the two CONV_2Ds next to the ACME_CLIPs, found %d" % len(convs))
        for c in convs:
            types = [tensors[c.inputs[0]]["type"], tensors[c.inputs[1]]["type"], tensors[c.outputs[0]]["type"]]
            if types != [INT8, INT8, INT8]:
                fail("CONV_2D next to ACME_CLIP is %s, expected INT8 input, weights and output" % describe(c, tensors))
            if len(c.inputs) > 2 and c.inputs[2] >= 0 and tensors[c.inputs[2]]["type"] != INT32:
                fail("CONV_2D bias is %s, expected INT32" % TYPES.get(tensors[c.inputs[2]]["type"]))

    for f in fails:
        print("FAIL: %s (%s)" % (f, path))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
