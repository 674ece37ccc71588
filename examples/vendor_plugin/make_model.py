#!/usr/bin/env python3
"""Writes a small frozen float GraphDef (protobuf text format) that uses ACME's proprietary op.

    x [1,8,8,3] Placeholder
      -> conv1/Conv2D (3x3, 3->8, SAME) -> conv1/BiasAdd
      -> clip (AcmeClip, lo=-1.5, hi=2.5)
      -> relu6 (Relu6)
      -> y (Conv2D 1x1, 8->4)

Weights come from a seeded RNG, so the file is the same on every run. Standard library only (no
TensorFlow): convert it with the acme_ops plugin, e.g.

    python3 make_model.py -o model.pbtxt
    tflc convert --plugin_dir plugins --graph_def_file model.pbtxt \
        --input_arrays x --output_arrays y --output_file model.tflite
"""
import argparse
import math
import random
import struct


def f32(v):
    """v rounded to float32, printed so that it reads back as the same float32."""
    return "%.9g" % struct.unpack("<f", struct.pack("<f", v))[0]


def shape(dims):
    return "shape { %s }" % " ".join("dim { size: %d }" % d for d in dims)


def tensor_shape(dims):
    return "tensor_shape { %s }" % " ".join("dim { size: %d }" % d for d in dims)


def type_attr(key="T"):
    return 'attr { key: "%s" value { type: DT_FLOAT } }' % key


def ints_attr(key, values):
    return 'attr { key: "%s" value { list { %s } } }' % (key, " ".join("i: %d" % v for v in values))


def node(name, op, inputs=(), attrs=()):
    lines = ['node {', '  name: "%s"' % name, '  op: "%s"' % op]
    lines += ['  input: "%s"' % i for i in inputs]
    lines += ["  " + a for a in attrs]
    lines.append("}")
    return "\n".join(lines)


def const(name, dims, values):
    assert len(values) == math.prod(dims)
    vals = []
    for i in range(0, len(values), 8):  # eight values a line
        vals.append("        " + " ".join("float_val: %s" % f32(v) for v in values[i:i + 8]))
    value = ('attr { key: "value" value { tensor {\n      dtype: DT_FLOAT %s\n%s\n  } } }'
             % (tensor_shape(dims), "\n".join(vals)))
    return node(name, "Const", (), (type_attr("dtype"), value))


def conv(name, x, w):
    return node(name, "Conv2D", (x, w), (
        type_attr(), ints_attr("strides", [1, 1, 1, 1]), ints_attr("dilations", [1, 1, 1, 1]),
        'attr { key: "padding" value { s: "SAME" } }',
        'attr { key: "data_format" value { s: "NHWC" } }',
        'attr { key: "use_cudnn_on_gpu" value { b: true } }'))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("-o", "--output", default="model.pbtxt", help="where to write the .pbtxt")
    p.add_argument("--seed", type=int, default=2024, help="seed of the weights")
    a = p.parse_args()

    rng = random.Random(a.seed)
    uniform = lambda n, s: [rng.uniform(-s, s) for _ in range(n)]
    nodes = [
        "# Written by examples/vendor_plugin/make_model.py (seed %d): float model using AcmeClip." % a.seed,
        node("x", "Placeholder", (), (type_attr("dtype"), 'attr { key: "shape" value { %s } }' % shape([1, 8, 8, 3]))),
        const("conv1/filter", [3, 3, 3, 8], uniform(3 * 3 * 3 * 8, 1.0)),   # HWIO
        conv("conv1/Conv2D", "x", "conv1/filter"),
        const("conv1/bias", [8], uniform(8, 0.5)),
        node("conv1/BiasAdd", "BiasAdd", ("conv1/Conv2D", "conv1/bias"),
             (type_attr(), 'attr { key: "data_format" value { s: "NHWC" } }')),
        node("clip", "AcmeClip", ("conv1/BiasAdd",), (
            type_attr(),
            'attr { key: "lo" value { f: -1.5 } }',
            'attr { key: "hi" value { f: 2.5 } }')),
        node("relu6", "Relu6", ("clip",), (type_attr(),)),
        const("conv2/filter", [1, 1, 8, 4], uniform(8 * 4, 0.5)),
        conv("y", "relu6", "conv2/filter"),
        "versions { producer: 1205 }",
    ]
    with open(a.output, "w") as f:
        f.write("\n".join(nodes) + "\n")


if __name__ == "__main__":
    main()
