#!/usr/bin/python3
"""Writes TF2 control-flow test models as binary GraphDefs, laid out as TensorFlow 2.x serializes them.

usage: gen_control_flow.py OUTDIR [--selfcheck]

Each model is a frozen GraphDef (`OUTDIR/<name>.pb`) whose loops and conditionals follow while_v2 /
cond_v2: `While`/`StatelessWhile` and `If`/`StatelessIf` nodes call FunctionDefs of the graph's
library; loop vars are [loop_counter, maximum_iterations, user vars..., captures...], captured outer
tensors (weights, read-only lists) come last and the body returns them unchanged (its `ret` names the
argument); references inside functions are `node:out_arg:i`; While nodes carry `T`, `cond`, `body`,
`output_shapes`, `parallel_iterations`, `_num_original_outputs`, `_lower_using_switch_merge`,
`_read_only_resource_inputs`; If nodes `Tcond`, `Tin`, `Tout`, `then_branch`, `else_branch`,
`output_shapes`. Weights are seeded Const nodes. `OUTDIR/manifest.json` lists, per test entry:
the file, its inputs (name, shape, dtype), output node names, extra `tflc convert` args and `expect`
("ok" or a substring the error message must contain).

The protobuf classes are generated at run time with protoc from the project's own subset protos
(schema/tf/*.proto, package tflc.tf); python3-protobuf is a Debian package (scripts/install-deps.sh).

--selfcheck also decodes every file back with `protoc --decode`, runs each graph in a small numpy
interpreter of the ops used here (functions, While/If, TensorLists included) and compares it with an
independent numpy formula of what the model computes; it prints the max |output| per model. The
numbers are a sanity check of the generator only: the test oracle is tfjs-converter (compare_tf.js).
Models (inputs -> output node `Identity`; float32 unless said):
  nested_while        x[1,4]: While(i<3){ StatelessWhile(j<2){ x = tanh(x@W + b) } }, W[4,4], b[4] captured
  while_in_if         x[1,4]: StatelessIf(Sum(x) > 0){ StatelessWhile 3x: x = x*0.5+1 } else { x*2-1 }
  tensorlist_loop     x[1,5,3]: Keras 2 backend.rnn style TensorList loop, h = tanh(x_t@W + h@U) -> [1,5,4]
  if_shape_mismatch   x[1,6]: If whose branches return [2] / [3] slices -> error
  keras3_lstm         input_layer[1,6,3]: Keras 3 LSTM(5, return_sequences) while loop (no api_implements),
                      Dense(2) as BatchMatMulV2 + BiasAdd -> [1,6,2]
  keras2_lstm_tagged  input_1[1,6,3]: PartitionedCall of __inference_standard_lstm_* (api_implements lstm_...,
                      CPU), return_sequences=False, Dense(2) -> [1,2]; default-valued attrs stripped
  quant_while         x[1,8]: Dense+Relu, While 4x relu(x@W2+b2), MatMul 8x3 -> [1,3] (+ fp16/dynamic/int8)
  tensorlist_dynamic_element  x[1,4], new_shape:int32[2]: Reserve(element_shape=-1) filled with
                      Reshape(x, new_shape) -> error about the element shape
  while_unknown_time  x[-1,-1,3]: tensorlist_loop with dynamic batch/time -> error without --input_shapes,
                      ok with --input_shapes 1,5,3
  float64_input       x:float64[1,4] -> Cast -> StatelessWhile 3x: x*0.9+0.1 -> float32 [1,4]
  quant_if            x[1,8]: Dense+Relu, StatelessIf(Sum(x) > 0){ relu(h@Wt+bt) } else { h@We+be },
                      MatMul 8x3 -> [1,3] (+ int8 / 16x8 through the branches)

Layout facts: shared/reference/CONTROL_FLOW.md sections 1, 2 and 7 (TF 2.15 Keras LSTM SavedModel),
keras-team/keras keras/src/backend/tensorflow/rnn.py (rnn), numpy.py (add, matmul),
keras/src/layers/rnn/lstm.py (LSTMCell.call).
"""
import importlib
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCHEMA = os.path.join(ROOT, 'schema', 'tf')
PRODUCER = 1645  # GraphDef version of a TF 2.15-era producer

pb = None  # graph_pb2, set by load_protos()


def load_protos(tmp):
    global pb
    subprocess.run(['protoc', f'--python_out={tmp}', f'-I{SCHEMA}', os.path.join(SCHEMA, 'types.proto'),
                    os.path.join(SCHEMA, 'graph.proto')], check=True)
    sys.path.insert(0, tmp)
    pb = importlib.import_module('graph_pb2')


# ---------------------------------------------------------------------------------------------
# dtypes and attrs

F32, F64, I32, BOOL, VARIANT = 1, 2, 3, 10, 21
NP_DT = {np.dtype(np.float32): F32, np.dtype(np.float64): F64, np.dtype(np.int32): I32,
         np.dtype(np.bool_): BOOL}
DT_NP = {v: k for k, v in NP_DT.items()}
DT_NAME = {F32: 'float32', F64: 'float64', I32: 'int32', BOOL: 'bool', VARIANT: 'variant'}


def shape_proto(p, dims):
    """dims: list of ints (-1 unknown) or None for unknown rank."""
    if dims is None:
        p.unknown_rank = True
    else:
        for d in dims:
            p.dim.add().size = d
    return p


class A:
    """AttrValue builders."""
    @staticmethod
    def type(t):
        a = pb.AttrValue(); a.type = t; return a

    @staticmethod
    def types(ts):
        a = pb.AttrValue(); a.list.type.extend(ts); a.list.SetInParent(); return a

    @staticmethod
    def i(v):
        a = pb.AttrValue(); a.i = v; return a

    @staticmethod
    def ints(vs):
        a = pb.AttrValue(); a.list.i.extend(vs); a.list.SetInParent(); return a

    @staticmethod
    def b(v):
        a = pb.AttrValue(); a.b = v; return a

    @staticmethod
    def f(v):
        a = pb.AttrValue(); a.f = v; return a

    @staticmethod
    def s(v):
        a = pb.AttrValue(); a.s = v.encode() if isinstance(v, str) else v; return a

    @staticmethod
    def shape(dims):
        a = pb.AttrValue(); shape_proto(a.shape, dims); return a

    @staticmethod
    def shapes(list_of_dims):
        a = pb.AttrValue(); a.list.SetInParent()
        for d in list_of_dims:
            shape_proto(a.list.shape.add(), d)
        return a

    @staticmethod
    def func(name):
        a = pb.AttrValue(); a.func.name = name; return a

    @staticmethod
    def tensor(arr, broadcast_shape=None):
        a = pb.AttrValue(); t = a.tensor
        arr = np.asarray(arr)
        t.dtype = NP_DT[arr.dtype]
        shape_proto(t.tensor_shape, list(broadcast_shape if broadcast_shape is not None else arr.shape))
        # make_tensor_proto: one *_val for scalars / broadcast fills, tensor_content otherwise.
        if arr.size > 1:
            t.tensor_content = arr.tobytes()
        else:
            v = arr.reshape(-1)[0]
            {F32: t.float_val, F64: t.double_val, I32: t.int_val, BOOL: t.bool_val}[t.dtype].append(v.item())
        return a


# Output arg names of the ops used (TF op registry); every op here has one output arg (CudnnRNNV3,
# which has several, is referenced by explicit strings).
OUT_ARG = {
    'Const': 'output', 'Placeholder': 'output', 'Identity': 'output', 'MatMul': 'product',
    'BatchMatMulV2': 'output', 'AddV2': 'z', 'Mul': 'z', 'Sub': 'z', 'Less': 'z', 'Greater': 'z',
    'LogicalAnd': 'z', 'BiasAdd': 'output', 'Tanh': 'y', 'Sigmoid': 'y', 'Relu': 'activations',
    'Transpose': 'y', 'Split': 'output', 'StridedSlice': 'output', 'Shape': 'output', 'Pack': 'output',
    'Fill': 'output', 'Cast': 'y', 'Sum': 'output', 'Max': 'output', 'Range': 'output',
    'Squeeze': 'output', 'Reshape': 'output', 'While': 'output', 'StatelessWhile': 'output',
    'If': 'output', 'StatelessIf': 'output', 'PartitionedCall': 'output',
    'TensorListReserve': 'handle', 'TensorListFromTensor': 'output_handle',
    'TensorListGetItem': 'item', 'TensorListSetItem': 'output_handle', 'TensorListStack': 'tensor',
    'ExpandDims': 'output', 'ConcatV2': 'output',
}


def norm(name):
    """TF's function arg naming: lower case, '/' -> '_'."""
    return name.replace('/', '_').lower()


# ---------------------------------------------------------------------------------------------
# Graph / function builder

class Ref:
    def __init__(self, g, node, op, idx=0, arg=None):
        self.g, self.node, self.op, self.idx, self.arg = g, node, op, idx, arg

    @property
    def s(self):
        if self.arg is not None:
            return self.arg
        if self.g.fn is not None:
            return f'{self.node}:{OUT_ARG[self.op]}:{self.idx}'
        return self.node if self.idx == 0 else f'{self.node}:{self.idx}'


class Graph:
    """The main graph (fn=None) or a function body."""
    def __init__(self, lib, fn=None, scope='', gd=None):
        self.lib, self.fn, self.scope, self.gd = lib, fn, scope, gd
        self.nodes, self.names = [], set()
        self.args, self.arg_attrs, self.rets = [], [], []

    def uniq(self, base):
        name = f'{self.scope}/{base}' if self.scope else base
        if name not in self.names:
            return name
        k = 1
        while f'{name}_{k}' in self.names:
            k += 1
        return f'{name}_{k}'

    def op(self, op, base, inputs=(), attrs=None, n_out=1, exact=False):
        name = base if exact else self.uniq(base)
        self.names.add(name)
        n = pb.NodeDef(name=name, op=op)
        n.input.extend(r.s if isinstance(r, Ref) else r for r in inputs)
        for k, v in (attrs or {}).items():
            n.attr[k].CopyFrom(v)
        self.nodes.append(n)
        if self.gd is not None:
            self.gd.node.append(n)
        refs =  [Ref(self, name, op, i) for i in range(n_out)]
        return refs[0] if n_out == 1 else refs

    # -- common ops
    def const(self, base, arr, dtype=None, broadcast_shape=None):
        arr = np.asarray(arr, dtype=dtype)
        return self.op('Const', base, attrs={'dtype': A.type(NP_DT[arr.dtype]),
                                             'value': A.tensor(arr, broadcast_shape)})

    def placeholder(self, name, dt, dims):
        return self.op('Placeholder', name, exact=True,
                       attrs={'dtype': A.type(dt), 'shape': A.shape(dims),
                              '_output_shapes': A.shapes([dims]), '_user_specified_name': A.s(name)})

    def unary(self, op, base, x, dt=F32):
        return self.op(op, base, [x], {'T': A.type(dt)})

    def binary(self, op, base, x, y, dt=F32):
        return self.op(op, base, [x, y], {'T': A.type(dt)})

    def matmul(self, base, a, b):
        return self.op('MatMul', base, [a, b], {'T': A.type(F32), 'transpose_a': A.b(False),
                                                 'transpose_b': A.b(False)})

    def bias_add(self, base, x, b):
        return self.op('BiasAdd', base, [x, b], {'T': A.type(F32), 'data_format': A.s('NHWC')})

    def reserve(self, base):
        name = self.uniq(base)
        self.names.add(name)
        return name

    def sub_const(self, name, arr):
        arr = np.asarray(arr)
        return self.op('Const', name, exact=True, attrs={'dtype': A.type(NP_DT[arr.dtype]), 'value': A.tensor(arr)})

    def transpose(self, base, x, perm):
        name = self.reserve(base)
        p = self.sub_const(f'{name}/perm', np.array(perm, np.int32))
        return self.op('Transpose', name, [x, p], {'T': A.type(F32), 'Tperm': A.type(I32)}, exact=True)

    def strided_slice(self, base, x, begin, end, strides, dt=F32, shrink=0, begin_mask=0, end_mask=0):
        name = self.reserve(base)
        b = self.sub_const(f'{name}/stack', np.array(begin, np.int32))
        e = self.sub_const(f'{name}/stack_1', np.array(end, np.int32))
        s = self.sub_const(f'{name}/stack_2', np.array(strides, np.int32))
        return self.op('StridedSlice', name, [x, b, e, s], exact=True, attrs={
            'Index': A.type(I32), 'T': A.type(dt), 'begin_mask': A.i(begin_mask), 'end_mask': A.i(end_mask),
            'ellipsis_mask': A.i(0), 'new_axis_mask': A.i(0), 'shrink_axis_mask': A.i(shrink)})

    def identity(self, base, x, dt=F32):
        return self.unary('Identity', base, x, dt)

    # -- TensorList ops (list_ops.cc)
    def tl_reserve(self, base, element_shape, num_elements):
        name = self.reserve(base)
        es = self.sub_const(f'{name}/element_shape', np.array(element_shape, np.int32))
        if not isinstance(num_elements, Ref):
            num_elements = self.sub_const(f'{name}/num_elements', np.int32(num_elements))
        return self.op('TensorListReserve', name, [es, num_elements], exact=True,
                       attrs={'element_dtype': A.type(F32), 'shape_type': A.type(I32)})

    def tl_from_tensor(self, base, x, element_shape):
        name = self.reserve(base)
        es = self.sub_const(f'{name}/element_shape', np.array(element_shape, np.int32))
        return self.op('TensorListFromTensor', name, [x, es], exact=True,
                       attrs={'element_dtype': A.type(F32), 'shape_type': A.type(I32)})

    def tl_get(self, base, handle, index, element_shape):
        name = self.reserve(base)
        es = self.sub_const(f'{name}/element_shape', np.array(element_shape, np.int32))
        return self.op('TensorListGetItem', name, [handle, index, es], exact=True,
                       attrs={'element_dtype': A.type(F32)})

    def tl_set(self, base, handle, index, item):
        return self.op('TensorListSetItem', base, [handle, index, item], {'element_dtype': A.type(F32)})

    def tl_stack(self, base, handle, element_shape, num_elements=-1):
        name = self.reserve(base)
        es = self.sub_const(f'{name}/element_shape', np.array(element_shape, np.int32))
        return self.op('TensorListStack', name, [handle, es], exact=True,
                       attrs={'element_dtype': A.type(F32), 'num_elements': A.i(num_elements)})

    # -- function signature
    def add_arg(self, name, dt, dims, user_name=None):
        self.args.append((name, dt, dims))
        self.arg_attrs.append(user_name)
        return Ref(self, None, None, arg=name)

    def finish(self, attrs=None):
        """Adds this function to the library (rets: list of (out_arg_name, ref, dtype))."""
        f = self.lib.function.add()
        f.signature.name = self.fn
        for name, dt, _ in self.args:
            f.signature.input_arg.add(name=name, type=dt)
        for name, ref, dt in self.rets:
            f.signature.output_arg.add(name=name, type=dt)
            f.ret[name] = ref.s
        f.node_def.extend(self.nodes)
        f.attr['_construction_context'].CopyFrom(A.s('kEagerRuntime'))
        f.attr['_input_shapes'].CopyFrom(A.shapes([d for _, _, d in self.args]))
        for k, v in (attrs or {}).items():
            f.attr[k].CopyFrom(v)
        for i, ((_, _, dims), user) in enumerate(zip(self.args, self.arg_attrs)):
            aa = f.arg_attr[i].attr
            aa['_output_shapes'].CopyFrom(A.shapes([dims]))
            if user:
                aa['_user_specified_name'].CopyFrom(A.s(user))
        return f


class Uid:
    n = 1000

    @classmethod
    def next(cls):
        cls.n += 1
        return cls.n


class Var:
    """A loop var / branch input: value ref, dtype, shape (list or None)."""
    def __init__(self, ref, dt, dims, user_name=None, base=None):
        self.ref, self.dt, self.dims, self.user_name, self.base = ref, dt, dims, user_name, base


def make_while(g, scope, loop_vars, captures, cond_fn, body_fn, op='StatelessWhile',
               max_iter=None, parallel_iterations=10):
    """while_v2: emits loop_counter / maximum_iterations consts, the cond and body functions and the
    While node named `scope` in `g`. cond_fn(fg, args) -> bool Ref; body_fn(fg, args) -> refs of the
    new user vars. args = [counter, maximum_iterations, user vars..., captures...] (Refs). Captures:
    Var with .base (the arg name stem) and .cond_uses (bool). Returns the While output Refs."""
    counter = g.op('Const', f'{scope}/loop_counter', exact=True,
                   attrs={'dtype': A.type(I32), 'value': A.tensor(np.int32(0))})
    mi = max_iter if max_iter is not None else g.op(
        'Const', f'{scope}/maximum_iterations', exact=True,
        attrs={'dtype': A.type(I32), 'value': A.tensor(np.int32(-1))})
    uid = Uid.next()
    p = norm(scope)
    cond_name, body_name = f'{p}_cond_{uid}', f'{p}_body_{uid + 1}'
    Uid.next()
    head = [Var(counter, I32, []), Var(mi, I32, [])]
    allv = head + list(loop_vars) + list(captures)
    n_user = len(loop_vars)

    def sig(fg, is_body):
        leaf = norm(scope.split('/')[-1])
        refs = [fg.add_arg(f'{p}_{leaf}_loop_counter', I32, [], f'{scope}/loop_counter'),
                fg.add_arg(f'{p}_{leaf}_maximum_iterations', I32, [], f'{scope}/maximum_iterations')]
        for k, v in enumerate(loop_vars):
            refs.append(fg.add_arg(f'{p}_placeholder' + (f'_{k}' if k else ''), v.dt, v.dims))
        red = 0
        for c in captures:
            if is_body:
                refs.append(fg.add_arg(f'{p}_{c.base}_0', c.dt, c.dims, c.user_name))
            elif getattr(c, 'cond_uses', False):
                refs.append(fg.add_arg(f'{p}_{c.base}', c.dt, c.dims, c.user_name))
            else:
                refs.append(fg.add_arg(f'{p}_{cond_name}___redundant_placeholder{red}', c.dt, c.dims))
                red += 1
        return refs

    cg = Graph(g.lib, cond_name, scope)
    cargs = sig(cg, False)
    pred = cond_fn(cg, cargs)
    cg.rets.append((f'{p}_identity', cg.identity('Identity', pred, BOOL), BOOL))
    cg.finish()

    bg = Graph(g.lib, body_name, scope)
    bargs = sig(bg, True)
    new_user = body_fn(bg, bargs)
    assert len(new_user) == n_user
    cnt = incr(bg, bargs[0])
    outs = [cnt, bargs[1]] + list(new_user)
    for k, (r, v) in enumerate(zip(outs, allv)):
        bg.rets.append((f'{p}_identity' + (f'_{k}' if k else ''),
                        bg.identity('Identity', r, v.dt), v.dt))
    for c, a in zip(captures, bargs[2 + n_user:]):
        bg.rets.append((f'{p}_{c.base}', a, c.dt))
    bg.finish()

    n = len(allv)
    return g.op(op, scope, [v.ref for v in allv], exact=True, n_out=n, attrs={
        'T': A.types([v.dt for v in allv]), 'cond': A.func(cond_name), 'body': A.func(body_name),
        'output_shapes': A.shapes([v.dims for v in allv]), 'parallel_iterations': A.i(parallel_iterations),
        '_num_original_outputs': A.i(n), '_lower_using_switch_merge': A.b(True),
        '_read_only_resource_inputs': A.ints([])})


def make_if(g, scope, pred, inputs, then_fn, else_fn, out_dts, out_dims, op='StatelessIf'):
    """cond_v2: branches take every input (Var with .base), return len(out_dts) values."""
    uid = Uid.next(); Uid.next()
    p = norm(scope)
    names = (f'{p}_true_{uid}', f'{p}_false_{uid + 1}')
    for fname, fn in zip(names, (then_fn, else_fn)):
        fg = Graph(g.lib, fname, scope)
        args = [fg.add_arg(f'{p}_{v.base}', v.dt, v.dims, v.user_name) for v in inputs]
        outs = fn(fg, args)
        for k, (r, dt) in enumerate(zip(outs, out_dts)):
            fg.rets.append((f'{p}_identity' + (f'_{k}' if k else ''), fg.identity('Identity', r, dt), dt))
        fg.finish()
    n = len(out_dts)
    res = g.op(op, scope, [pred] + [v.ref for v in inputs], exact=True, n_out=n, attrs={
        'Tcond': A.type(BOOL), 'Tin': A.types([v.dt for v in inputs]), 'Tout': A.types(out_dts),
        'then_branch': A.func(names[0]), 'else_branch': A.func(names[1]),
        'output_shapes': A.shapes(out_dims), '_lower_using_switch_merge': A.b(True),
        '_read_only_resource_inputs': A.ints([])})
    res = res if n > 1 else [res]
    # cond_v2 returns identities of the op's outputs (`cond/Identity`, `cond/Identity_1`, ...).
    return [g.identity(f'{scope}/Identity', r, dt) for r, dt in zip(res, out_dts)]


# Attr defaults of the op registry for the attrs this generator writes (tf.saved_model.save strips
# default-valued attrs, so SavedModel-derived graphs lack them; frozen as_graph_def() graphs keep them).
ATTR_DEFAULTS = {
    'transpose_a': ('b', False), 'transpose_b': ('b', False), 'adj_x': ('b', False), 'adj_y': ('b', False),
    'data_format': ('s', b'NHWC'), 'begin_mask': ('i', 0), 'end_mask': ('i', 0), 'ellipsis_mask': ('i', 0),
    'new_axis_mask': ('i', 0), 'shrink_axis_mask': ('i', 0), 'out_type': ('type', I32),
    'index_type': ('type', I32), 'axis': ('i', 0), 'Truncate': ('b', False), 'num_elements': ('i', -1),
    'keep_dims': ('b', False), 'parallel_iterations': ('i', 10), 'config': ('s', b''),
    'executor_type': ('s', b''), 'Tperm': ('type', I32), 'Tidx': ('type', I32), 'Tshape': ('type', I32),
}


def strip_default_attrs(gd):
    def strip(nodes):
        for n in nodes:
            for k, (field, value) in ATTR_DEFAULTS.items():
                if k in n.attr and n.attr[k].WhichOneof('value') == field and getattr(n.attr[k], field) == value:
                    del n.attr[k]
            if n.op == 'Squeeze' and not n.attr['squeeze_dims'].list.i:
                del n.attr['squeeze_dims']
    strip(gd.node)
    for f in gd.library.function:
        strip(f.node_def)


def new_graph():
    gd = pb.GraphDef()
    gd.versions.producer = PRODUCER
    return gd, Graph(gd.library, gd=gd)


def rng_for(name):
    return np.random.default_rng(sum(map(ord, name)) * 7919)


def weights(rng, *shape, scale=0.5):
    return (rng.standard_normal(shape) * scale).astype(np.float32)


# ---------------------------------------------------------------------------------------------
# Models. Each returns (GraphDef, manifest entries, numpy reference fn(feeds) -> [outputs]).

def entry(name, inputs, outputs=('Identity',), expect='ok', args=(), note=None, compare=(), file=None,
          expect_also=(), expect_ops=None):
    """expect: "ok" or a case-insensitive ERE the error must match (the driver first replaces the
    model's path in the message by <model>); expect_also: substrings it must contain too; error
    entries must not fail for the generic reason that some op has no lowering. expect_ops
    {OP: N}: the .tflite has exactly N operators OP over all its subgraphs."""
    e = {'name': name, 'file': file or f'{name}.pb',
         'inputs': [{'name': n, 'shape': s, 'dtype': d} for n, s, d in inputs],
         'outputs': list(outputs), 'args': list(args), 'expect': expect, 'compare': list(compare)}
    if expect_also:
        e['expect_also'] = list(expect_also)
    if expect != 'ok':
        e['expect_not'] = ['cannot be lowered to TFLite builtins']
    if note:
        e['note'] = note
    if expect_ops:
        e['expect_ops'] = dict(expect_ops)
    return e


def binary_const(fg, op, base, a, value):
    """`a <op> python constant`: the constant is the Const `<op name>/y`, as TF names it."""
    name = fg.reserve(base)
    return fg.op(op, name, [a, fg.sub_const(f'{name}/y', value)], {'T': A.type(NP_DT[np.asarray(value).dtype])},
                 exact=True)


def less_const(cg, a, limit, base='Less'):
    return binary_const(cg, 'Less', base, a, np.int32(limit))


def incr(fg, a, base='add'):
    return binary_const(fg, 'AddV2', base, a, np.int32(1))


def sum_greater_zero(g, x):
    axes = g.const('Const', np.array([0, 1], np.int32))
    s = g.op('Sum', 'Sum', [x, axes], {'T': A.type(F32), 'Tidx': A.type(I32), 'keep_dims': A.b(False)})
    return binary_const(g, 'Greater', 'Greater', s, np.float32(0))


def m_nested_while():
    gd, g = new_graph()
    rng = rng_for('nested_while')
    W, b = weights(rng, 4, 4), weights(rng, 4)
    x = g.placeholder('x', F32, [1, 4])
    wc, bc = g.const('W', W), g.const('b', b)
    i0 = g.const('Const', np.int32(0))

    def outer_body(bg, a):  # a: counter, max_iter, i, x, W, b
        j0 = bg.const('Const', np.int32(0))

        def inner_body(ig, c):  # c: counter, max_iter, j, x, W, b
            mm = ig.matmul('MatMul', c[3], c[4])
            y = ig.unary('Tanh', 'Tanh', ig.binary('AddV2', 'add', mm, c[5]))
            return [incr(ig, c[2], 'add_1'), y]
        inner = make_while(bg, 'while/while', [Var(j0, I32, []), Var(a[3], F32, [1, 4])],
                           [Var(a[4], F32, [4, 4], 'W', 'w'), Var(a[5], F32, [4], 'b', 'b')],
                           lambda cg, c: less_const(cg, c[2], 2), inner_body)
        return [incr(bg, a[2]), inner[3]]
    # Outer loop: `While` (TF 2.0/2.1 while_v2 emitted While for every loop); inner: StatelessWhile.
    out = make_while(g, 'while', [Var(i0, I32, []), Var(x, F32, [1, 4])],
                     [Var(wc, F32, [4, 4], 'W', 'w'), Var(bc, F32, [4], 'b', 'b')],
                     lambda cg, a: less_const(cg, a[2], 3), outer_body, op='While')
    g.identity('Identity', out[3])

    def ref(f):
        y = f['x']
        for _ in range(3 * 2):
            y = np.tanh(y @ W + b)
        return [y]
    return gd, [entry('nested_while', [('x', [1, 4], 'float32')])], ref


def m_while_in_if():
    gd, g = new_graph()
    x = g.placeholder('x', F32, [1, 4])
    pred = sum_greater_zero(g, x)

    def then_fn(fg, a):
        i0 = fg.const('Const', np.int32(0))

        def body(bg, c):
            m = binary_const(bg, 'Mul', 'mul', c[3], np.float32(0.5))
            y = binary_const(bg, 'AddV2', 'add', m, np.float32(1.0))
            return [incr(bg, c[2], 'add_1'), y]
        w = make_while(fg, 'cond/while', [Var(i0, I32, []), Var(a[0], F32, [1, 4])], [],
                       lambda cg, c: less_const(cg, c[2], 3), body)
        return [w[3]]

    def else_fn(fg, a):
        m = binary_const(fg, 'Mul', 'mul', a[0], np.float32(2.0))
        return [binary_const(fg, 'Sub', 'sub', m, np.float32(1.0))]
    y = make_if(g, 'cond', pred, [Var(x, F32, [1, 4], 'x', 'x')], then_fn, else_fn, [F32], [[1, 4]])
    g.identity('Identity', y[0])

    def ref(f):
        x = f['x']
        if x.sum() > 0:
            for _ in range(3):
                x = x * 0.5 + 1
            return [x]
        return [x * 2 - 1]
    return gd, [entry('while_in_if', [('x', [1, 4], 'float32')], compare=['--range', '-1,1'],
                      note='--range -1,1 so that samples take both branches')], ref


def tensorlist_rnn(name, dynamic):
    """Keras 2 backend.rnn style loop: h_t = tanh(x_t W + h_{t-1} U) over TensorLists."""
    gd, g = new_graph()
    rng = rng_for('tensorlist_loop')
    W, U = weights(rng, 3, 4), weights(rng, 4, 4)
    x = g.placeholder('x', F32, [-1, -1, 3] if dynamic else [1, 5, 3])
    wc, uc = g.const('W', W), g.const('U', U)
    xt = g.transpose('transpose', x, [1, 0, 2])
    caps = []
    if dynamic:
        shp = g.op('Shape', 'Shape', [xt], {'T': A.type(F32), 'out_type': A.type(I32)})
        n = g.strided_slice('strided_slice', shp, [0], [1], [1], I32, shrink=1)
        shp0 = g.op('Shape', 'Shape', [x], {'T': A.type(F32), 'out_type': A.type(I32)})
        batch = g.strided_slice('strided_slice', shp0, [0], [1], [1], I32, shrink=1)
        packed = g.op('Pack', 'zeros/packed', [batch, g.const('zeros/packed/1', np.int32(4))],
                      {'N': A.i(2), 'T': A.type(I32), 'axis': A.i(0)})
        h0 = g.op('Fill', 'zeros', [packed, g.const('zeros/Const', np.float32(0))],
                  {'T': A.type(F32), 'index_type': A.type(I32)})
        es_in, es_out, num, hd = [-1, 3], [-1, 4], n, [-1, 4]
        cv = Var(n, I32, [], 'strided_slice', 'strided_slice')
        cv.cond_uses = True
        caps.append(cv)
    else:
        h0 = g.const('zeros', np.float32(0), broadcast_shape=[1, 4])
        es_in, es_out, num, hd = [1, 3], [1, 4], 5, [1, 4]
    out_list = g.tl_reserve('TensorArrayV2', es_out, num)
    in_list = g.tl_from_tensor('TensorArrayUnstack/TensorListFromTensor', xt, es_in)
    time = g.const('time', np.int32(0))
    caps += [Var(in_list, VARIANT, [], 'TensorArrayUnstack/TensorListFromTensor',
                 'tensorarrayv2read_tensorlistgetitem_tensorarrayunstack_tensorlistfromtensor'),
             Var(wc, F32, [3, 4], 'W', 'matmul_w'), Var(uc, F32, [4, 4], 'U', 'matmul_1_u')]
    k = 1 if dynamic else 0  # index of the first non-cond capture in the body args

    def cond(cg, a):
        if dynamic:
            return cg.binary('Less', 'Less', a[2], a[5], I32)
        return less_const(cg, a[2], 5)

    def body(bg, a):  # counter, max_iter, time, out_list, h, [n], in_list, W, U
        il, w, u = a[5 + k], a[6 + k], a[7 + k]
        item = bg.tl_get('TensorArrayV2Read/TensorListGetItem', il, a[2], es_in)
        z = bg.binary('AddV2', 'add', bg.matmul('MatMul', item, w), bg.matmul('MatMul_1', a[4], u))
        h = bg.unary('Tanh', 'Tanh', z)
        lst = bg.tl_set('TensorArrayV2Write/TensorListSetItem', a[3], a[2], h)
        return [incr(bg, a[2], 'add_1'), lst, h]
    w = make_while(g, 'while', [Var(time, I32, []), Var(out_list, VARIANT, []), Var(h0, F32, hd)], caps,
                   cond, body, parallel_iterations=32)
    st = g.tl_stack('TensorArrayV2Stack/TensorListStack', w[3], es_out, -1 if dynamic else 5)
    g.identity('Identity', g.transpose('transpose_1', st, [1, 0, 2]))

    def ref(f):
        x = f['x']
        h = np.zeros((x.shape[0], 4), np.float32)
        outs = []
        for t in range(x.shape[1]):
            h = np.tanh(x[:, t] @ W + h @ U)
            outs.append(h)
        return [np.stack(outs, 1)]
    return gd, ref


def m_tensorlist_loop():
    gd, ref = tensorlist_rnn('tensorlist_loop', False)
    return gd, [entry('tensorlist_loop', [('x', [1, 5, 3], 'float32')])], ref


def m_while_unknown_time():
    gd, ref = tensorlist_rnn('while_unknown_time', True)
    f = 'while_unknown_time.pb'
    return gd, [
        entry('while_unknown_time', [('x', [-1, -1, 3], 'float32')], file=f, expect='--input_shapes',
              expect_also=["'x'"],
              note="unknown time dimension: the error must name the input and --input_shapes; loose pattern"),
        entry('while_unknown_time_shapes', [('x', [1, 5, 3], 'float32')], file=f,
              args=['--input_shapes', '1,5,3'])], ref


def m_if_shape_mismatch():
    gd, g = new_graph()
    x = g.placeholder('x', F32, [1, 6])
    pred = sum_greater_zero(g, x)

    def branch(n):
        return lambda fg, a: [fg.strided_slice('strided_slice', a[0], [0, 0], [1, n], [1, 1], shrink=1)]
    # cond_v2 gives the output the most specific compatible shape of [2] and [3]: [-1].
    y = make_if(g, 'cond', pred, [Var(x, F32, [1, 6], 'x', 'x')], branch(2), branch(3), [F32], [[-1]], op='If')
    g.identity('Identity', y[0])

    def ref(f):
        x = f['x']
        return [x[0, :2] if x.sum() > 0 else x[0, :3]]
    return gd, [entry('if_shape_mismatch', [('x', [1, 6], 'float32')], expect='shape', expect_also=['branch'],
                      note="then-branch returns [2], else-branch [3]; loose pattern, tighten to tflc's message")], ref


def lstm_ref(x, K, R, B, u):
    sig = lambda v: 1 / (1 + np.exp(-v))
    h = np.zeros((x.shape[0], u), np.float32)
    c = np.zeros_like(h)
    outs = []
    for t in range(x.shape[1]):
        z = x[:, t] @ K + h @ R + B
        i, f, g, o = np.split(z, 4, axis=1)
        c = sig(f) * c + sig(i) * np.tanh(g)
        h = sig(o) * np.tanh(c)
        outs.append(h)
    return np.stack(outs, 1), h


def keras3_cell(fg, x, h, c, K, R, B):
    """Keras 3 LSTMCell.call (implementation 2) on the TF backend with a static batch of 1:
    z = add(matmul(x, kernel), matmul(h, recurrent_kernel)) -> keras.ops.add sees a [1,4u] second
    operand that squeezes to a vector matching the last dim, so it emits Squeeze + BiasAdd
    (backend/tensorflow/numpy.py add); add(z, bias) -> BiasAdd; split(z, 4, axis=1) -> Split;
    c = f*c_tm1 + i*tanh(z2); h = o*tanh(c)."""
    z = fg.matmul('lstm_cell/MatMul', x, K)
    r = fg.matmul('lstm_cell/MatMul_1', h, R)
    rs = fg.op('Squeeze', 'lstm_cell/Squeeze', [r], {'T': A.type(F32), 'squeeze_dims': A.ints([])})
    z = fg.bias_add('lstm_cell/BiasAdd', z, rs)
    z = fg.bias_add('lstm_cell/BiasAdd_1', z, B)
    zs = fg.op('Split', 'lstm_cell/split', [fg.const('lstm_cell/split/split_dim', np.int32(1)), z],
               {'T': A.type(F32), 'num_split': A.i(4)}, n_out=4)
    i = fg.unary('Sigmoid', 'lstm_cell/Sigmoid', zs[0])
    f = fg.unary('Sigmoid', 'lstm_cell/Sigmoid_1', zs[1])
    fc = fg.binary('Mul', 'lstm_cell/mul', f, c)
    ig = fg.binary('Mul', 'lstm_cell/mul_1', i, fg.unary('Tanh', 'lstm_cell/Tanh', zs[2]))
    c2 = fg.binary('AddV2', 'lstm_cell/add', fc, ig)
    o = fg.unary('Sigmoid', 'lstm_cell/Sigmoid_2', zs[3])
    h2 = fg.binary('Mul', 'lstm_cell/mul_2', o, fg.unary('Tanh', 'lstm_cell/Tanh_1', c2))
    return h2, c2


def m_keras3_lstm():
    """keras.Sequential([Input((6, 3), batch_size=1), LSTM(5, return_sequences=True), Dense(2)]) on
    the TF backend, CPU: LSTM.inner_loop's cuDNN attempt raises NotImplementedError (no GPU), so
    backend.rnn builds a tf.while_loop over TensorArrays (keras/src/backend/tensorflow/rnn.py)."""
    gd, g = new_graph()
    rng = rng_for('keras3_lstm')
    T, n_in, u = 6, 3, 5
    K, R, B = weights(rng, n_in, 4 * u), weights(rng, u, 4 * u), weights(rng, 4 * u, scale=0.1)
    DK, DB = weights(rng, u, 2), weights(rng, 2, scale=0.1)
    x = g.placeholder('input_layer', F32, [1, T, n_in])
    kc = g.const('lstm/lstm_cell/kernel', K)
    rc = g.const('lstm/lstm_cell/recurrent_kernel', R)
    bc = g.const('lstm/lstm_cell/bias', B)
    h0 = g.const('lstm/zeros', np.float32(0), broadcast_shape=[1, u])
    c0 = g.const('lstm/zeros_1', np.float32(0), broadcast_shape=[1, u])
    xt = g.transpose('lstm/transpose', x, [1, 0, 2])
    # TensorArray(size=6) -> Reserve(-1, 6), replaced by unstack's FromTensor (left dead).
    g.tl_reserve('lstm/TensorArrayV2', np.int32(-1), 6)
    in_list = g.tl_from_tensor('lstm/TensorArrayUnstack/TensorListFromTensor', xt, [1, n_in])
    # output_time_zero: one step on inputs[0] to learn the output dtype/shape (dead).
    x0 = g.strided_slice('lstm/strided_slice', xt, [0], [1], [1], shrink=1)
    g.scope = 'lstm'
    keras3_cell(g, x0, h0, c0, kc, rc, bc)
    g.scope = ''
    out_list = g.tl_reserve('lstm/TensorArrayV2_1', [1, u], T)
    time = g.const('lstm/time', np.int32(0))
    # max_iterations = tf.reduce_max(input_length=6): Max(6, Range(0, Rank=0, 1)).
    mx_in = g.const('lstm/Max/input', np.int32(T))
    rank = g.const('lstm/Rank', np.int32(0))
    rg = g.op('Range', 'lstm/range', [g.const('lstm/range/start', np.int32(0)), rank,
                                      g.const('lstm/range/delta', np.int32(1))], {'Tidx': A.type(I32)})
    mx = g.op('Max', 'lstm/Max', [mx_in, rg], {'T': A.type(I32), 'Tidx': A.type(I32), 'keep_dims': A.b(False)})

    def cond(cg, a):  # while_v2 wrapped_cond: logical_and(loop_counter < maximum_iterations, time < 6)
        pred = less_const(cg, a[2], T)
        lim = cg.binary('Less', 'Less_1', a[0], a[1], I32)
        return cg.op('LogicalAnd', 'LogicalAnd', [lim, pred])

    def body(bg, a):  # counter, max_iter, time, out_list, h, c, in_list, kernel, recurrent_kernel, bias
        item = bg.tl_get('TensorArrayV2Read/TensorListGetItem', a[6], a[2], [1, n_in])
        h, c = keras3_cell(bg, item, a[4], a[5], a[7], a[8], a[9])
        lst = bg.tl_set('TensorArrayV2Write/TensorListSetItem', a[3], a[2], h)
        return [incr(bg, a[2], 'add'), lst, h, c]
    w = make_while(g, 'lstm/while', [Var(time, I32, []), Var(out_list, VARIANT, []), Var(h0, F32, [1, u]),
                                     Var(c0, F32, [1, u])],
                   [Var(in_list, VARIANT, [], 'lstm/TensorArrayUnstack/TensorListFromTensor',
                        'tensorarrayv2read_tensorlistgetitem_lstm_tensorarrayunstack_tensorlistfromtensor'),
                    Var(kc, F32, [n_in, 4 * u], 'lstm/lstm_cell/kernel', 'lstm_cell_matmul_lstm_lstm_cell_kernel'),
                    Var(rc, F32, [u, 4 * u], 'lstm/lstm_cell/recurrent_kernel',
                        'lstm_cell_matmul_1_lstm_lstm_cell_recurrent_kernel'),
                    Var(bc, F32, [4 * u], 'lstm/lstm_cell/bias', 'lstm_cell_biasadd_1_lstm_lstm_cell_bias')],
                   cond, body, max_iter=mx, parallel_iterations=32)
    st = g.tl_stack('lstm/TensorArrayV2Stack/TensorListStack', w[3], [1, u], T)
    g.strided_slice('lstm/strided_slice_1', st, [-1], [0], [1], shrink=1)  # last_output (unused)
    seq = g.transpose('lstm/transpose_1', st, [1, 0, 2])
    dk, db = g.const('dense/kernel', DK), g.const('dense/bias', DB)
    # Keras 3 Dense: ops.matmul on a rank-3 input -> tf.matmul -> BatchMatMulV2; ops.add(y, bias) -> BiasAdd.
    mm = g.op('BatchMatMulV2', 'dense/MatMul', [seq, dk], {'T': A.type(F32), 'adj_x': A.b(False),
                                                          'adj_y': A.b(False)})
    g.identity('Identity', g.bias_add('dense/BiasAdd', mm, db))

    def ref(f):
        seq, _ = lstm_ref(f['input_layer'], K, R, B, u)
        return [seq @ DK + DB]
    return gd, [entry('keras3_lstm', [('input_layer', [1, T, n_in], 'float32')],
                      expect_ops={'UNIDIRECTIONAL_SEQUENCE_LSTM': 1, 'WHILE': 0})], ref


# ConfigProto{device_count {CPU: 1} {GPU: 0}, graph_options {rewrite_options {}}, allow_soft_placement,
# experimental {}} as Keras' PartitionedCall carries it (CONTROL_FLOW.md 7.1 call site).
CONFIG_PROTO = b'\n\x07\n\x03CPU\x10\x01\n\x07\n\x03GPU\x10\x002\x02J\x008\x01\x82\x01\x00'


def keras2_cell(fg, x, h, c, K, R, B):
    """Keras 2 standard_lstm step (keras/layers/rnn/lstm.py): MatMul, MatMul_1, add, BiasAdd, split,
    Sigmoid, Sigmoid_1, mul(f, c), Tanh, mul_1, add_1, Sigmoid_2, Tanh_1, mul_2."""
    z = fg.binary('AddV2', 'add', fg.matmul('MatMul', x, K), fg.matmul('MatMul_1', h, R))
    z = fg.bias_add('BiasAdd', z, B)
    zs = fg.op('Split', 'split', [fg.const('split/split_dim', np.int32(1)), z],
               {'T': A.type(F32), 'num_split': A.i(4)}, n_out=4)
    i = fg.unary('Sigmoid', 'Sigmoid', zs[0])
    f = fg.unary('Sigmoid', 'Sigmoid_1', zs[1])
    fc = fg.binary('Mul', 'mul', f, c)
    ig = fg.binary('Mul', 'mul_1', i, fg.unary('Tanh', 'Tanh', zs[2]))
    c2 = fg.binary('AddV2', 'add_1', fc, ig)
    o = fg.unary('Sigmoid', 'Sigmoid_2', zs[3])
    h2 = fg.binary('Mul', 'mul_2', o, fg.unary('Tanh', 'Tanh_1', c2))
    return h2, c2


def gpu_lstm_twin(gd, tag, T, n_in, u):
    """The unreferenced `gpu_lstm_with_fallback` twin Keras 2 registers with the same api_implements
    (CONTROL_FLOW.md 1.4): a CudnnRNNV3 path that only Grappler's ImplementationSelector would swap in on
    a GPU. Reduced body (params packing simplified); a converter must follow the call's `f`, never
    pick a function by its tag or name."""
    fg = Graph(gd.library, f'__inference_gpu_lstm_with_fallback_{Uid.next()}')
    a = [fg.add_arg('inputs', F32, [1, T, n_in], 'inputs'), fg.add_arg('init_h', F32, [1, u], 'init_h'),
         fg.add_arg('init_c', F32, [1, u], 'init_c'), fg.add_arg('kernel', F32, [n_in, 4 * u], 'kernel'),
         fg.add_arg('recurrent_kernel', F32, [u, 4 * u], 'recurrent_kernel'),
         fg.add_arg('bias', F32, [4 * u], 'bias')]
    xt = fg.transpose('transpose', a[0], [1, 0, 2])
    dim0 = fg.const('ExpandDims/dim', np.int32(0))
    eh = fg.op('ExpandDims', 'ExpandDims', [a[1], dim0], {'T': A.type(F32), 'Tdim': A.type(I32)})
    ec = fg.op('ExpandDims', 'ExpandDims_1', [a[2], dim0], {'T': A.type(F32), 'Tdim': A.type(I32)})
    flat = fg.const('Reshape/shape', np.array([-1], np.int32))
    parts = [fg.op('Reshape', 'Reshape', [w, flat], {'T': A.type(F32), 'Tshape': A.type(I32)}) for w in a[3:]]
    params = fg.op('ConcatV2', 'concat', parts + [fg.const('concat/axis', np.int32(0))],
                   {'N': A.i(3), 'T': A.type(F32), 'Tidx': A.type(I32)})
    seq_len = fg.const('sequence_lengths', np.full([1], T, np.int32))
    rnn = 'CudnnRNNV3'
    fg.op(rnn, rnn, [xt, eh, ec, params, seq_len], {
        'T': A.type(F32), 'rnn_mode': A.s('lstm'), 'input_mode': A.s('linear_input'),
        'direction': A.s('unidirectional'), 'dropout': A.f(0.0), 'seed': A.i(0), 'seed2': A.i(0),
        'num_proj': A.i(0), 'is_training': A.b(True), 'time_major': A.b(True)}, exact=True)
    outs = fg.strided_slice('strided_slice', f'{rnn}:output:0', [-1], [0], [1], shrink=1)
    seq = fg.transpose('transpose_1', f'{rnn}:output:0', [1, 0, 2])
    h = fg.op('Squeeze', 'Squeeze', [f'{rnn}:output_h:0'], {'T': A.type(F32), 'squeeze_dims': A.ints([0])})
    c = fg.op('Squeeze', 'Squeeze_1', [f'{rnn}:output_c:0'], {'T': A.type(F32), 'squeeze_dims': A.ints([0])})
    runtime = fg.const('runtime', np.float32(2.0))
    for k, r in enumerate([outs, seq, h, c, runtime]):
        fg.rets.append(('identity' + (f'_{k}' if k else ''), fg.identity('Identity', r), F32))
    fg.finish({'api_implements': A.s(tag), 'api_preferred_device': A.s('GPU'), 'time_major': A.b(False),
               'go_backwards': A.b(False)})


def m_keras2_lstm_tagged():
    """tf.keras 2 Sequential([LSTM(5) on Input(batch_size=1, shape=(6,3)), Dense(2)]): the LSTM is a
    PartitionedCall of __inference_standard_lstm_* (api_implements lstm_<uuid>, CPU), laid out as
    the TF 2.15 SavedModel of CONTROL_FLOW.md 7.1, with return_sequences=False."""
    gd, g = new_graph()
    rng = rng_for('keras2_lstm_tagged')
    T, n_in, u = 6, 3, 5
    K, R, B = weights(rng, n_in, 4 * u), weights(rng, u, 4 * u), weights(rng, 4 * u, scale=0.1)
    DK, DB = weights(rng, u, 2), weights(rng, 2, scale=0.1)
    x = g.placeholder('input_1', F32, [1, T, n_in])
    shp = g.op('Shape', 'sequential/lstm/Shape', [x], {'T': A.type(F32), 'out_type': A.type(I32)})
    batch = g.strided_slice('sequential/lstm/strided_slice', shp, [0], [1], [1], I32, shrink=1)
    zeros = []
    for z in ('zeros', 'zeros_1'):
        packed = g.op('Pack', f'sequential/lstm/{z}/packed', [batch, g.const(f'sequential/lstm/{z}/packed/1',
                                                                              np.int32(u))],
                      {'N': A.i(2), 'T': A.type(I32), 'axis': A.i(0)})
        zeros.append(g.op('Fill', f'sequential/lstm/{z}', [packed, g.const(f'sequential/lstm/{z}/Const',
                                                                            np.float32(0))],
                          {'T': A.type(F32), 'index_type': A.type(I32)}))
    kc = g.const('sequential/lstm/lstm_cell/kernel', K)
    rc = g.const('sequential/lstm/lstm_cell/recurrent_kernel', R)
    bc = g.const('sequential/lstm/lstm_cell/bias', B)

    fname = f'__inference_standard_lstm_{Uid.next()}'
    fg = Graph(gd.library, fname)
    a = [fg.add_arg('inputs', F32, [1, T, n_in], 'inputs'), fg.add_arg('init_h', F32, [1, u], 'init_h'),
         fg.add_arg('init_c', F32, [1, u], 'init_c'), fg.add_arg('kernel', F32, [n_in, 4 * u], 'kernel'),
         fg.add_arg('recurrent_kernel', F32, [u, 4 * u], 'recurrent_kernel'),
         fg.add_arg('bias', F32, [4 * u], 'bias')]
    xt = fg.transpose('transpose', a[0], [1, 0, 2])
    n = fg.strided_slice('strided_slice', fg.op('Shape', 'Shape', [xt], {'T': A.type(F32),
                                                                          'out_type': A.type(I32)}),
                         [0], [1], [1], I32, shrink=1)
    fg.tl_reserve('TensorArrayV2', np.int32(-1), n)  # input TensorArray, replaced by unstack (dead)
    in_list = fg.tl_from_tensor('TensorArrayUnstack/TensorListFromTensor', xt, [1, n_in])
    x0 = fg.strided_slice('strided_slice_1', xt, [0], [1], [1], shrink=1)
    keras2_cell(fg, x0, a[1], a[2], a[3], a[4], a[5])  # output_time_zero (dead)
    out_list = fg.tl_reserve('TensorArrayV2_1', [1, u], 1)
    time = fg.const('time', np.int32(0))
    nv = Var(n, I32, [], 'strided_slice', 'strided_slice')
    nv.cond_uses = True

    def body(bg, b):  # counter, max_iter, time, out_list, h, c, n, in_list, kernel, rec_kernel, bias
        item = bg.tl_get('TensorArrayV2Read/TensorListGetItem', b[7], b[2], [1, n_in])
        h, c = keras2_cell(bg, item, b[4], b[5], b[8], b[9], b[10])
        idx = bg.const('TensorArrayV2Write/TensorListSetItem/index', np.int32(0))
        lst = bg.tl_set('TensorArrayV2Write/TensorListSetItem', b[3], idx, h)
        return [incr(bg, b[2], 'add_2'), lst, h, c]
    w = make_while(fg, 'while', [Var(time, I32, []), Var(out_list, VARIANT, []), Var(a[1], F32, [1, u]),
                                 Var(a[2], F32, [1, u])],
                   [nv, Var(in_list, VARIANT, [], 'TensorArrayUnstack/TensorListFromTensor',
                            'tensorarrayv2read_tensorlistgetitem_tensorarrayunstack_tensorlistfromtensor'),
                    Var(a[3], F32, [n_in, 4 * u], 'kernel', 'matmul_kernel'),
                    Var(a[4], F32, [u, 4 * u], 'recurrent_kernel', 'matmul_1_recurrent_kernel'),
                    Var(a[5], F32, [4 * u], 'bias', 'biasadd_bias')],
                   lambda cg, b: cg.binary('Less', 'Less', b[2], b[6], I32), body, parallel_iterations=32)
    st = fg.tl_stack('TensorArrayV2Stack/TensorListStack', w[3], [1, u], 1)
    last = fg.strided_slice('strided_slice_2', st, [-1], [0], [1], shrink=1)
    seq = fg.transpose('transpose_1', st, [1, 0, 2])
    runtime = fg.const('runtime', np.float32(1.0))
    for k, r in enumerate([last, seq, w[4], w[5], runtime]):
        fg.rets.append(('identity' + (f'_{k}' if k else ''), fg.identity('Identity', r), F32))
    tag = 'lstm_3f6e2d1c-8b7a-4c5d-9e0f-1a2b3c4d5e6f'
    fg.finish({'api_implements': A.s(tag), 'api_preferred_device': A.s('CPU'), 'time_major': A.b(False),
               'go_backwards': A.b(False)})
    gpu_lstm_twin(gd, tag, T, n_in, u)

    call = g.op('PartitionedCall', 'sequential/lstm/PartitionedCall', [x, zeros[0], zeros[1], kc, rc, bc], n_out=5,
                attrs={'Tin': A.types([F32] * 6), 'Tout': A.types([F32] * 5), 'f': A.func(fname),
                       'config': A.s(''), 'executor_type': A.s(''),
                       'config_proto': A.s(CONFIG_PROTO),
                       '_collective_manager_ids': A.ints([]), '_read_only_resource_inputs': A.ints([])})
    dk, db = g.const('sequential/dense/kernel', DK), g.const('sequential/dense/bias', DB)
    y = g.bias_add('sequential/dense/BiasAdd', g.matmul('sequential/dense/MatMul', call[0], dk), db)
    g.identity('Identity', y)

    strip_default_attrs(gd)  # as in the TF 2.15 SavedModel this layout follows

    def ref(f):
        _, h = lstm_ref(f['input_1'], K, R, B, u)
        return [h @ DK + DB]
    return gd, [entry('keras2_lstm_tagged', [('input_1', [1, T, n_in], 'float32')])], ref


def m_quant_while():
    gd, g = new_graph()
    rng = rng_for('quant_while')
    K1, b1 = weights(rng, 8, 8, scale=0.4), weights(rng, 8, scale=0.1)
    W2, b2 = weights(rng, 8, 8, scale=0.4), weights(rng, 8, scale=0.1)
    K3 = weights(rng, 8, 3, scale=0.4)
    x = g.placeholder('x', F32, [1, 8])
    y = g.bias_add('dense/BiasAdd', g.matmul('dense/MatMul', x, g.const('dense/kernel', K1)), g.const('dense/bias', b1))
    y = g.unary('Relu', 'dense/Relu', y)
    i0 = g.const('Const', np.int32(0))
    w2c, b2c = g.const('W2', W2), g.const('b2', b2)

    def body(bg, a):
        z = bg.bias_add('BiasAdd', bg.matmul('MatMul', a[3], a[4]), a[5])
        return [incr(bg, a[2], 'add'), bg.unary('Relu', 'Relu', z)]
    w = make_while(g, 'while', [Var(i0, I32, []), Var(y, F32, [1, 8])],
                   [Var(w2c, F32, [8, 8], 'W2', 'matmul_w2'), Var(b2c, F32, [8], 'b2', 'biasadd_b2')],
                   lambda cg, a: less_const(cg, a[2], 4), body, op='While')
    g.identity('Identity', g.matmul('dense_1/MatMul', w[3], g.const('dense_1/kernel', K3)))

    def ref(f):
        y = np.maximum(f['x'] @ K1 + b1, 0)
        for _ in range(4):
            y = np.maximum(y @ W2 + b2, 0)
        return [y @ K3]
    ins = [('x', [1, 8], 'float32')]
    f = 'quant_while.pb'
    q = ['--optimizations', 'DEFAULT']
    loose = 'quantized: tolerance is a first guess, tighten once it converts'
    return gd, [entry('quant_while', ins),
                entry('quant_while_float16', ins, file=f, args=q + ['--target_spec.supported_types', 'float16'],
                      compare=['--tolerance', '1e-2'], note=loose),
                entry('quant_while_dynamic_range', ins, file=f, args=q, compare=['--tolerance', '5e-2'], note=loose),
                entry('quant_while_int8', ins, file=f, args=q + ['--representative_dataset', '@quant_while_repr.npz'],
                      compare=['--tolerance', '5e-2'],
                      note='int8 through the loop body: max error about 0.026 x max|ref| at 1.5; @FILE = a file the generator writes beside the model (100 samples '
                           'uniform [-1,1], seed 1, array "x" of shape (100, 8))')], ref


def m_tensorlist_dynamic_element():
    gd, g = new_graph()
    x = g.placeholder('x', F32, [1, 4])
    ns = g.placeholder('new_shape', I32, [2])
    lst = g.tl_reserve('TensorArrayV2', np.int32(-1), 2)  # scalar -1: unknown rank
    i0 = g.const('Const', np.int32(0))

    def body(bg, a):  # counter, max_iter, i, list, x, new_shape
        r = bg.op('Reshape', 'Reshape', [a[4], a[5]], {'T': A.type(F32), 'Tshape': A.type(I32)})
        return [incr(bg, a[2], 'add'), bg.tl_set('TensorArrayV2Write/TensorListSetItem', a[3], a[2], r)]
    w = make_while(g, 'while', [Var(i0, I32, []), Var(lst, VARIANT, [])],
                   [Var(x, F32, [1, 4], 'x', 'reshape_x'), Var(ns, I32, [2], 'new_shape', 'reshape_new_shape')],
                   lambda cg, a: less_const(cg, a[2], 2), body)
    g.identity('Identity', g.tl_stack('TensorArrayV2Stack/TensorListStack', w[3], np.int32(-1), 2))

    def ref(f):
        r = f['x'].reshape(f['new_shape'])
        return [np.stack([r, r])]
    return gd, [entry('tensorlist_dynamic_element', [('x', [1, 4], 'float32'), ('new_shape', [2], 'int32')],
                      expect='element[ _]shape',
                      note='items are Reshape(x, new_shape) with new_shape an input: nothing fixes the '
                           'element shape; loose pattern')], ref


def m_float64_input():
    gd, g = new_graph()
    x = g.placeholder('x', F64, [1, 4])
    y = g.op('Cast', 'Cast', [x], {'SrcT': A.type(F64), 'DstT': A.type(F32), 'Truncate': A.b(False)})
    i0 = g.const('Const', np.int32(0))

    def body(bg, a):
        m = binary_const(bg, 'Mul', 'mul', a[3], np.float32(0.9))
        return [incr(bg, a[2], 'add_1'), binary_const(bg, 'AddV2', 'add', m, np.float32(0.1))]
    w = make_while(g, 'while', [Var(i0, I32, []), Var(y, F32, [1, 4])], [],
                   lambda cg, a: less_const(cg, a[2], 3), body)
    g.identity('Identity', w[3])

    def ref(f):
        y = f['x'].astype(np.float32)
        for _ in range(3):
            y = y * np.float32(0.9) + np.float32(0.1)
        return [y]
    return gd, [entry('float64_input', [('x', [1, 4], 'float64')],
                      note='TF keeps a DT_DOUBLE input a FLOAT64 tensor (CONTROL_FLOW.md 6)')], ref


def m_quant_if():
    gd, g = new_graph()
    rng = rng_for('quant_if')
    K1, b1 = weights(rng, 8, 8, scale=0.4), weights(rng, 8, scale=0.1)
    Wt, bt = weights(rng, 8, 8, scale=0.4), weights(rng, 8, scale=0.1)
    We, be = weights(rng, 8, 8, scale=0.4), weights(rng, 8, scale=0.1)
    K3 = weights(rng, 8, 3, scale=0.4)
    x = g.placeholder('x', F32, [1, 8])
    h = g.bias_add('dense/BiasAdd', g.matmul('dense/MatMul', x, g.const('dense/kernel', K1)), g.const('dense/bias', b1))
    h = g.unary('Relu', 'dense/Relu', h)
    pred = sum_greater_zero(g, x)
    # cond_v2 passes the captured weights as branch inputs; each branch reads its own pair.
    ins = [Var(h, F32, [1, 8], 'h', 'h'),
           Var(g.const('Wt', Wt), F32, [8, 8], 'Wt', 'matmul_wt'), Var(g.const('bt', bt), F32, [8], 'bt', 'biasadd_bt'),
           Var(g.const('We', We), F32, [8, 8], 'We', 'matmul_we'), Var(g.const('be', be), F32, [8], 'be', 'biasadd_be')]

    def then_fn(fg, a):
        return [fg.unary('Relu', 'Relu', fg.bias_add('BiasAdd', fg.matmul('MatMul', a[0], a[1]), a[2]))]

    def else_fn(fg, a):
        return [fg.bias_add('BiasAdd', fg.matmul('MatMul', a[0], a[3]), a[4])]
    y = make_if(g, 'cond', pred, ins, then_fn, else_fn, [F32], [[1, 8]])
    g.identity('Identity', g.matmul('dense_1/MatMul', y[0], g.const('dense_1/kernel', K3)))

    def ref(f):
        h = np.maximum(f['x'] @ K1 + b1, 0)
        y = np.maximum(h @ Wt + bt, 0) if f['x'].sum() > 0 else h @ We + be
        return [y @ K3]
    inputs = [('x', [1, 8], 'float32')]
    f = 'quant_if.pb'
    q = ['--optimizations', 'DEFAULT', '--representative_dataset', '@quant_while_repr.npz']
    ds = ('@FILE = the quant_while_int8 dataset (100 samples uniform [-1,1], seed 1): Sum(x) > 0 '
          'in about half of them, so both branches are calibrated')
    return gd, [entry('quant_if', inputs),
                entry('quant_if_int8', inputs, file=f, args=q, compare=['--tolerance', '3e-2'], note=ds),
                entry('quant_if_int16x8', inputs, file=f,
                      args=q + ['--target_spec.supported_ops',
                                     'EXPERIMENTAL_TFLITE_BUILTINS_ACTIVATIONS_INT16_WEIGHTS_INT8,TFLITE_BUILTINS'],
                      compare=['--tolerance', '2e-2'], note=ds)], ref


MODELS = [m_nested_while, m_while_in_if, m_tensorlist_loop, m_if_shape_mismatch, m_keras3_lstm,
          m_keras2_lstm_tagged, m_quant_while, m_tensorlist_dynamic_element, m_while_unknown_time,
          m_float64_input, m_quant_if]


# ---------------------------------------------------------------------------------------------
# Untagged RNN loops the converter must recognize by structure (rnnfuse): Keras 3 GRU (both
# reset_after settings), Keras 3 LSTM with return_sequences=False, and an LSTM-shaped hand-written
# loop that is NOT an LSTM (must stay a WHILE).

def keras3_rnn_model(name, T, n_in, u, weights_fn, cell_fn, n_states, return_sequences, dense_out=2,
                     initial_states=False):
    """Keras 3 RNN layer on the TF backend (keras/src/backend/tensorflow/rnn.py): the input is
    transposed time-major and unstacked into a TensorList; time and the states are loop vars; the
    output TensorArray has T elements written at `time` (return_sequences) or 1 element written at
    the constant 0 (return_all_outputs=False: `ta_index_to_write = time if return_all_outputs else
    0`); cond = logical_and(loop_counter < maximum_iterations, time < T). The weights are captured
    (passed after the loop vars, returned unchanged). weights_fn(g) -> (main-graph weight consts,
    capture base names); cell_fn(fg, x, states, weights) -> (output, new states). Dense(dense_out)
    after the layer (BatchMatMulV2 on the sequence, MatMul on the last output, + BiasAdd).
    initial_states: the states start from graph inputs `h0`, `c0`, ... (Keras initial_state) instead of
    zeros, and the final states are outputs `Identity_1`, ... (return_state)."""
    gd, g = new_graph()
    rng = rng_for(name)
    x = g.placeholder('input_layer', F32, [1, T, n_in])
    ws, bases = weights_fn(g, rng)
    DK, DB = weights(rng, u, dense_out), weights(rng, dense_out, scale=0.1)
    if initial_states:
        zeros = [g.placeholder(n, F32, [1, u]) for n in ('h0', 'c0')[:n_states]]
    else:
        zeros = [g.const(f'rnn/zeros{"_" + str(k) if k else ""}', np.float32(0), broadcast_shape=[1, u])
                 for k in range(n_states)]
    xt = g.transpose('rnn/transpose', x, [1, 0, 2])
    g.tl_reserve('rnn/TensorArrayV2', np.int32(-1), T)  # replaced by unstack's FromTensor (dead)
    in_list = g.tl_from_tensor('rnn/TensorArrayUnstack/TensorListFromTensor', xt, [1, n_in])
    n_out = T if return_sequences else 1
    out_list = g.tl_reserve('rnn/TensorArrayV2_1', [1, u], n_out)
    time = g.const('rnn/time', np.int32(0))
    mx = g.const('rnn/while/maximum_iterations', np.int32(T))

    def cond(cg, a):
        pred = less_const(cg, a[2], T)
        lim = cg.binary('Less', 'Less_1', a[0], a[1], I32)
        return cg.op('LogicalAnd', 'LogicalAnd', [lim, pred])

    def body(bg, a):  # counter, max_iter, time, out_list, states..., in_list, weights...
        item = bg.tl_get('TensorArrayV2Read/TensorListGetItem', a[4 + n_states], a[2], [1, n_in])
        out, new_states = cell_fn(bg, item, a[4:4 + n_states], a[5 + n_states:])
        idx = a[2] if return_sequences else bg.const('TensorArrayV2Write/TensorListSetItem/index', np.int32(0))
        lst = bg.tl_set('TensorArrayV2Write/TensorListSetItem', a[3], idx, out)
        return [incr(bg, a[2], 'add'), lst] + list(new_states)
    caps = [Var(in_list, VARIANT, [], 'rnn/TensorArrayUnstack/TensorListFromTensor',
                'tensorarrayv2read_tensorlistgetitem_rnn_tensorarrayunstack_tensorlistfromtensor')]
    caps += [Var(c, F32, list(w.shape), f'rnn/cell/{b}', f'cell_{b}') for (c, w), b in zip(ws, bases)]
    w = make_while(g, 'rnn/while', [Var(time, I32, []), Var(out_list, VARIANT, [])] +
                   [Var(z, F32, [1, u]) for z in zeros], caps, cond, body, max_iter=mx, parallel_iterations=32)
    st = g.tl_stack('rnn/TensorArrayV2Stack/TensorListStack', w[3], [1, u], n_out)
    last = g.strided_slice('rnn/strided_slice_1', st, [-1], [0], [1], shrink=1)
    dk, db = g.const('dense/kernel', DK), g.const('dense/bias', DB)
    if return_sequences:
        seq = g.transpose('rnn/transpose_1', st, [1, 0, 2])
        mm = g.op('BatchMatMulV2', 'dense/MatMul', [seq, dk], {'T': A.type(F32), 'adj_x': A.b(False),
                                                              'adj_y': A.b(False)})
    else:
        mm = g.matmul('dense/MatMul', last, dk)
    g.identity('Identity', g.bias_add('dense/BiasAdd', mm, db))
    if initial_states:
        for k in range(n_states):
            g.identity(f'Identity_{k + 1}', w[4 + k])
    return gd, [w for _, w in ws], DK, DB


def gru_ref(x, K, R, B, u, reset_after):
    sig = lambda v: 1 / (1 + np.exp(-v))
    h = np.zeros((x.shape[0], u), np.float32)
    outs = []
    bi, br = (B[0], B[1]) if reset_after else (B, np.zeros(3 * u, np.float32))
    for t in range(x.shape[1]):
        mx = x[:, t] @ K + bi
        xz, xr, xh = np.split(mx, 3, axis=1)
        if reset_after:
            mi = h @ R + br
            rz, rr, rh = np.split(mi, 3, axis=1)
            z, r = sig(xz + rz), sig(xr + rr)
            hh = np.tanh(xh + r * rh)
        else:
            z, r = sig(xz + h @ R[:, :u]), sig(xr + h @ R[:, u:2 * u])
            hh = np.tanh(xh + (r * h) @ R[:, 2 * u:])
        h = z * h + (1 - z) * hh
        outs.append(h)
    return np.stack(outs, 1), h


def keras3_gru_cell(reset_after, u):
    """Keras 3 GRUCell.call (implementation 2) on the TF backend, batch 1 (keras/src/layers/rnn/gru.py):
    reset_after: input_bias, recurrent_bias = squeeze(split(bias, 2, axis=0), axis=0) (Split + Squeeze);
    matrix_x = add(matmul(x, kernel), input_bias) (MatMul + BiasAdd); split(matrix_x, 3, axis=-1);
    matrix_inner = matmul(h, recurrent_kernel) (+= recurrent_bias: AddV2), or without reset_after
    matmul(h, recurrent_kernel[:, :2u]); recurrent_z/r/h = matrix_inner[:, :u] / [:, u:2u] / [:, 2u:]
    (StridedSlice); z = sigmoid(x_z + recurrent_z), r = sigmoid(x_r + recurrent_r); reset_after:
    hh = tanh(x_h + r * recurrent_h), else tanh(x_h + matmul(r * h, recurrent_kernel[:, 2u:]));
    h = z * h + (1 - z) * hh (Mul, Sub(1, z), Mul, AddV2)."""
    def cell(fg, x, states, w):
        h = states[0]
        bias, kernel, rec = w
        if reset_after:
            bs = fg.op('Split', 'gru_cell/split', [fg.const('gru_cell/split/split_dim', np.int32(0)), bias],
                       {'T': A.type(F32), 'num_split': A.i(2)}, n_out=2)
            ib = fg.op('Squeeze', 'gru_cell/Squeeze', [bs[0]], {'T': A.type(F32), 'squeeze_dims': A.ints([0])})
            rb = fg.op('Squeeze', 'gru_cell/Squeeze_1', [bs[1]], {'T': A.type(F32), 'squeeze_dims': A.ints([0])})
        else:
            ib = bias
        mx = fg.bias_add('gru_cell/BiasAdd', fg.matmul('gru_cell/MatMul', x, kernel), ib)
        xs = fg.op('Split', 'gru_cell/split_1', [fg.const('gru_cell/split_1/split_dim', np.int32(-1)), mx],
                   {'T': A.type(F32), 'num_split': A.i(3)}, n_out=3)
        if reset_after:
            mi = fg.binary('AddV2', 'gru_cell/add', fg.matmul('gru_cell/MatMul_1', h, rec), rb)
        else:
            r2 = fg.strided_slice('gru_cell/strided_slice', rec, [0, 0], [0, 2 * u], [1, 1], begin_mask=1, end_mask=1)
            mi = fg.matmul('gru_cell/MatMul_1', h, r2)
        rz = fg.strided_slice('gru_cell/strided_slice_1', mi, [0, 0], [0, u], [1, 1], begin_mask=1, end_mask=1)
        rr = fg.strided_slice('gru_cell/strided_slice_2', mi, [0, u], [0, 2 * u], [1, 1], begin_mask=1, end_mask=1)
        z = fg.unary('Sigmoid', 'gru_cell/Sigmoid', fg.binary('AddV2', 'gru_cell/add_1', xs[0], rz))
        r = fg.unary('Sigmoid', 'gru_cell/Sigmoid_1', fg.binary('AddV2', 'gru_cell/add_2', xs[1], rr))
        if reset_after:
            rh = fg.strided_slice('gru_cell/strided_slice_3', mi, [0, 2 * u], [0, 0], [1, 1], begin_mask=1, end_mask=3)
            rec_h = fg.binary('Mul', 'gru_cell/mul', r, rh)
        else:
            r3 = fg.strided_slice('gru_cell/strided_slice_3', rec, [0, 2 * u], [0, 0], [1, 1], begin_mask=1, end_mask=3)
            rec_h = fg.matmul('gru_cell/MatMul_2', fg.binary('Mul', 'gru_cell/mul', r, h), r3)
        hh = fg.unary('Tanh', 'gru_cell/Tanh', fg.binary('AddV2', 'gru_cell/add_3', xs[2], rec_h))
        keep = fg.binary('Mul', 'gru_cell/mul_1', z, h)
        # tf: 1 - z is Sub(x=Const 1, y=z), the constant named `sub/x`.
        sub = fg.reserve('gru_cell/sub')
        one_minus = fg.op('Sub', sub, [fg.sub_const(f'{sub}/x', np.float32(1)), z], {'T': A.type(F32)}, exact=True)
        hn = fg.binary('AddV2', 'gru_cell/add_4', keep, fg.binary('Mul', 'gru_cell/mul_2', one_minus, hh))
        return hn, [hn]
    return cell


def m_keras3_gru(reset_after=True):
    name = 'keras3_gru' if reset_after else 'keras3_gru_reset_before'
    T, n_in, u = 5, 3, 4
    W = {}

    def wfn(g, rng):
        W['K'], W['R'] = weights(rng, n_in, 3 * u), weights(rng, u, 3 * u)
        W['B'] = weights(rng, *((2, 3 * u) if reset_after else (3 * u,)), scale=0.2)
        return ([(g.const('rnn/cell/bias', W['B']), W['B']), (g.const('rnn/cell/kernel', W['K']), W['K']),
                 (g.const('rnn/cell/recurrent_kernel', W['R']), W['R'])], ['bias', 'kernel', 'recurrent_kernel'])
    gd, _, DK, DB = keras3_rnn_model(name, T, n_in, u, wfn, keras3_gru_cell(reset_after, u), 1, True)

    def ref(f):
        seq, _ = gru_ref(f['input_layer'], W['K'], W['R'], W['B'], u, reset_after)
        return [seq @ DK + DB]
    # No GRU builtin: tflc.GRU unrolls into FULLY_CONNECTED / LOGISTIC / TANH per step, no WHILE.
    return gd, [entry(name, [('input_layer', [1, T, n_in], 'float32')], expect_ops={'WHILE': 0},
                      note=f'Keras 3 GRU(reset_after={reset_after}) loop, fused (unrolled tflc.GRU)')], ref


def m_keras3_gru_reset_before():
    return m_keras3_gru(False)


def lstm_weights(n_in, u, W):
    def wfn(g, rng):
        W['K'], W['R'], W['B'] = weights(rng, n_in, 4 * u), weights(rng, u, 4 * u), weights(rng, 4 * u, scale=0.1)
        return ([(g.const('rnn/cell/kernel', W['K']), W['K']),
                 (g.const('rnn/cell/recurrent_kernel', W['R']), W['R']),
                 (g.const('rnn/cell/bias', W['B']), W['B'])], ['kernel', 'recurrent_kernel', 'bias'])
    return wfn


def m_keras3_lstm_last():
    """keras3_lstm with return_sequences=False: the output list has one element, written at 0."""
    T, n_in, u = 6, 3, 5
    W = {}

    def cell(fg, x, s, w):
        h, c = keras3_cell(fg, x, s[0], s[1], w[0], w[1], w[2])
        return h, [h, c]
    gd, _, DK, DB = keras3_rnn_model('keras3_lstm_last', T, n_in, u, lstm_weights(n_in, u, W), cell, 2, False)

    def ref(f):
        _, h = lstm_ref(f['input_layer'], W['K'], W['R'], W['B'], u)
        return [h @ DK + DB]
    return gd, [entry('keras3_lstm_last', [('input_layer', [1, T, n_in], 'float32')],
                      expect_ops={'UNIDIRECTIONAL_SEQUENCE_LSTM': 1, 'WHILE': 0})], ref


def m_handwritten_loop_nomatch():
    """A hand-written LSTM-shaped loop that is not an LSTM: the output gate uses tanh, not sigmoid
    (h = tanh(z3) * tanh(c)). Everything else is keras3_lstm's layout; it must stay a WHILE."""
    T, n_in, u = 6, 3, 5
    W = {}

    def cell(fg, x, s, w):
        K, R, B = w
        z = fg.binary('AddV2', 'cell/add', fg.matmul('cell/MatMul', x, K), fg.matmul('cell/MatMul_1', s[0], R))
        z = fg.bias_add('cell/BiasAdd', z, B)
        zs = fg.op('Split', 'cell/split', [fg.const('cell/split/split_dim', np.int32(1)), z],
                   {'T': A.type(F32), 'num_split': A.i(4)}, n_out=4)
        i = fg.unary('Sigmoid', 'cell/Sigmoid', zs[0])
        f = fg.unary('Sigmoid', 'cell/Sigmoid_1', zs[1])
        c = fg.binary('AddV2', 'cell/add_1', fg.binary('Mul', 'cell/mul', f, s[1]),
                      fg.binary('Mul', 'cell/mul_1', i, fg.unary('Tanh', 'cell/Tanh', zs[2])))
        o = fg.unary('Tanh', 'cell/Tanh_2', zs[3])
        h = fg.binary('Mul', 'cell/mul_2', o, fg.unary('Tanh', 'cell/Tanh_1', c))
        return h, [h, c]
    gd, _, DK, DB = keras3_rnn_model('handwritten_loop_nomatch', T, n_in, u, lstm_weights(n_in, u, W), cell, 2,
                                     True)

    def ref(f):
        x = f['input_layer']
        sig = lambda v: 1 / (1 + np.exp(-v))
        h = np.zeros((x.shape[0], u), np.float32)
        c = np.zeros_like(h)
        outs = []
        for t in range(x.shape[1]):
            zi, zf, zg, zo = np.split(x[:, t] @ W['K'] + h @ W['R'] + W['B'], 4, axis=1)
            c = sig(zf) * c + sig(zi) * np.tanh(zg)
            h = np.tanh(zo) * np.tanh(c)
            outs.append(h)
        return [np.stack(outs, 1) @ DK + DB]
    return gd, [entry('handwritten_loop_nomatch', [('input_layer', [1, T, n_in], 'float32')],
                      expect_ops={'WHILE': 1, 'UNIDIRECTIONAL_SEQUENCE_LSTM': 0})], ref


def m_keras3_lstm_state():
    """keras3_lstm_last with initial_state=[h0, c0] inputs and return_state=True: the fused composite
    needs its initial-state inputs and its final-c output (tflc.LSTM unrolls then: no WHILE left)."""
    T, n_in, u = 4, 3, 5
    W = {}

    def cell(fg, x, s, w):
        h, c = keras3_cell(fg, x, s[0], s[1], w[0], w[1], w[2])
        return h, [h, c]
    gd, _, DK, DB = keras3_rnn_model('keras3_lstm_state', T, n_in, u, lstm_weights(n_in, u, W), cell, 2, False,
                                     initial_states=True)

    def ref(f):
        x = f['input_layer']
        sig = lambda v: 1 / (1 + np.exp(-v))
        h, c = f['h0'].astype(np.float32), f['c0'].astype(np.float32)
        for t in range(x.shape[1]):
            zi, zf, zg, zo = np.split(x[:, t] @ W['K'] + h @ W['R'] + W['B'], 4, axis=1)
            c = sig(zf) * c + sig(zi) * np.tanh(zg)
            h = sig(zo) * np.tanh(c)
        return [h @ DK + DB, h, c]
    ins = [('input_layer', [1, T, n_in], 'float32'), ('h0', [1, u], 'float32'), ('c0', [1, u], 'float32')]
    return gd, [entry('keras3_lstm_state', ins, outputs=('Identity', 'Identity_1', 'Identity_2'),
                      expect_ops={'WHILE': 0})], ref


def m_keras2_lstm_untagged():
    """keras2_lstm_tagged without api_implements on its functions (a Keras 2 LSTM that took the generic
    backend.rnn path, e.g. built in a context where _could_use_gpu_kernel is false): the call is
    inlined and the While (zeros from Fill, the time limit a captured strided_slice of Shape) must be
    recognized by its structure."""
    gd, _, ref = m_keras2_lstm_tagged()
    for f in gd.library.function:
        if 'api_implements' in f.attr:
            del f.attr['api_implements']
    return gd, [entry('keras2_lstm_untagged', [('input_1', [1, 6, 3], 'float32')],
                      expect_ops={'UNIDIRECTIONAL_SEQUENCE_LSTM': 1, 'WHILE': 0})], ref


def m_handwritten_lstm_batch2():
    """A hand-written LSTM loop with batch 2 and one matmul pair per gate (as Keras' implementation=1
    computes it): z_k = x_t @ kernel[:, k*u:(k+1)*u] + h @ recurrent_kernel[:, ...] + bias[k*u:...]
    (StridedSlice of the captured weights, MatMul, AddV2); gate order i, f, c, o. It is an LSTM and
    must fuse."""
    T, n_in, u, B = 5, 3, 4, 2
    W = {}
    gd, g = new_graph()
    rng = rng_for('handwritten_lstm_batch2')
    W['K'], W['R'], W['B'] = weights(rng, n_in, 4 * u), weights(rng, u, 4 * u), weights(rng, 4 * u, scale=0.1)
    x = g.placeholder('x', F32, [B, T, n_in])
    kc, rc, bc = g.const('kernel', W['K']), g.const('recurrent_kernel', W['R']), g.const('bias', W['B'])
    h0 = g.const('zeros', np.float32(0), broadcast_shape=[B, u])
    c0 = g.const('zeros_1', np.float32(0), broadcast_shape=[B, u])
    xt = g.transpose('transpose', x, [1, 0, 2])
    in_list = g.tl_from_tensor('TensorArrayUnstack/TensorListFromTensor', xt, [B, n_in])
    out_list = g.tl_reserve('TensorArrayV2', [B, u], T)
    time = g.const('time', np.int32(0))

    def body(bg, a):  # counter, max_iter, time, out_list, h, c, in_list, kernel, recurrent_kernel, bias
        item = bg.tl_get('TensorArrayV2Read/TensorListGetItem', a[6], a[2], [B, n_in])
        pre = []
        for k in range(4):
            ks = bg.strided_slice('strided_slice', a[7], [0, k * u], [0, (k + 1) * u], [1, 1], begin_mask=1, end_mask=1)
            rs = bg.strided_slice('strided_slice', a[8], [0, k * u], [0, (k + 1) * u], [1, 1], begin_mask=1, end_mask=1)
            bs = bg.strided_slice('strided_slice', a[9], [k * u], [(k + 1) * u], [1])
            z = bg.binary('AddV2', 'add', bg.matmul('MatMul', item, ks), bg.matmul('MatMul', a[4], rs))
            pre.append(bg.binary('AddV2', 'add', z, bs))
        i, f, o = (bg.unary('Sigmoid', 'Sigmoid', pre[k]) for k in (0, 1, 3))
        c = bg.binary('AddV2', 'add', bg.binary('Mul', 'mul', f, a[5]),
                      bg.binary('Mul', 'mul', i, bg.unary('Tanh', 'Tanh', pre[2])))
        h = bg.binary('Mul', 'mul', o, bg.unary('Tanh', 'Tanh', c))
        lst = bg.tl_set('TensorArrayV2Write/TensorListSetItem', a[3], a[2], h)
        return [incr(bg, a[2], 'add'), lst, h, c]
    w = make_while(g, 'while', [Var(time, I32, []), Var(out_list, VARIANT, []), Var(h0, F32, [B, u]),
                                Var(c0, F32, [B, u])],
                   [Var(in_list, VARIANT, [], 'TensorArrayUnstack/TensorListFromTensor', 'in_list'),
                    Var(kc, F32, [n_in, 4 * u], 'kernel', 'kernel'),
                    Var(rc, F32, [u, 4 * u], 'recurrent_kernel', 'recurrent_kernel'),
                    Var(bc, F32, [4 * u], 'bias', 'bias')],
                   lambda cg, a: less_const(cg, a[2], T), body)
    st = g.tl_stack('TensorArrayV2Stack/TensorListStack', w[3], [B, u], T)
    g.identity('Identity', g.transpose('transpose_1', st, [1, 0, 2]))

    def ref(f):
        seq, _ = lstm_ref(f['x'], W['K'], W['R'], W['B'], u)
        return [seq]
    return gd, [entry('handwritten_lstm_batch2', [('x', [B, T, n_in], 'float32')],
                      expect_ops={'UNIDIRECTIONAL_SEQUENCE_LSTM': 1, 'WHILE': 0})], ref


MODELS += [m_keras3_gru, m_keras3_gru_reset_before, m_keras3_lstm_last, m_handwritten_loop_nomatch,
           m_keras3_lstm_state, m_keras2_lstm_untagged, m_handwritten_lstm_batch2]


# ---------------------------------------------------------------------------------------------
# Self-check: a numpy interpreter of the ops above (not the test oracle; see the module doc).

def tensor_value(t):
    dt = DT_NP[t.dtype]
    dims = [d.size for d in t.tensor_shape.dim]
    if t.tensor_content:
        return np.frombuffer(t.tensor_content, dt).reshape(dims).copy()
    vals = {F32: t.float_val, F64: t.double_val, I32: t.int_val, BOOL: t.bool_val}[t.dtype]
    arr = np.array(list(vals), dt)
    return np.broadcast_to(arr.reshape(-1)[0] if arr.size else np.zeros((), dt), dims).astype(dt)


def attr_types(a):
    return list(a.list.type)


class Interp:
    def __init__(self, gd):
        self.fns = {f.signature.name: f for f in gd.library.function}
        self.gd = gd

    def run_nodes(self, nodes, bind, in_fn, fname):
        """bind: name -> value for args (functions) / fed placeholders. Returns a resolver."""
        by = {n.name: n for n in nodes}
        cache = {}

        def val(ref):
            if in_fn and ref in bind:
                return bind[ref]
            parts = ref.split(':')
            if in_fn:
                if len(parts) != 3:
                    raise ValueError(f'{fname}: bad reference {ref}')
                node, arg, i = parts[0], parts[1], int(parts[2])
                n = by[node]
                if OUT_ARG[n.op] != arg:
                    raise ValueError(f'{fname}: {ref}: {n.op} has output arg {OUT_ARG[n.op]}, not {arg}')
            else:
                node, i = parts[0], int(parts[1]) if len(parts) > 1 else 0
            return outs(node)[i]

        def outs(name):
            if name not in cache:
                cache[name] = self.eval(by[name], val, bind)
            return cache[name]
        return val

    def call(self, fname, args):
        f = self.fns[fname]
        sig = f.signature
        assert len(args) == len(sig.input_arg), (fname, len(args), len(sig.input_arg))
        bind = {a.name: v for a, v in zip(sig.input_arg, args)}
        val = self.run_nodes(f.node_def, bind, True, fname)
        return [val(f.ret[o.name]) for o in sig.output_arg]

    def eval(self, n, val, bind):
        op, at = n.op, n.attr
        ins = [val(s) for s in n.input if not s.startswith('^')] if op not in (
            'While', 'StatelessWhile', 'If', 'StatelessIf') else None
        if op == 'Placeholder':
            return [bind[n.name]]
        if op == 'Const':
            return [tensor_value(at['value'].tensor)]
        if op == 'Identity':
            return [ins[0]]
        if op == 'MatMul' or op == 'BatchMatMulV2':
            return [np.matmul(ins[0], ins[1]).astype(np.float32)]
        binops = {'AddV2': np.add, 'Mul': np.multiply, 'Sub': np.subtract, 'Less': np.less,
                  'Greater': np.greater, 'LogicalAnd': np.logical_and}
        if op in binops:
            r = binops[op](ins[0], ins[1])
            return [r if r.dtype == np.bool_ else r.astype(ins[0].dtype)]
        if op == 'BiasAdd':
            return [ins[0] + ins[1]]
        unops = {'Tanh': np.tanh, 'Sigmoid': lambda v: 1 / (1 + np.exp(-v)), 'Relu': lambda v: np.maximum(v, 0)}
        if op in unops:
            return [unops[op](ins[0]).astype(np.float32)]
        if op == 'Transpose':
            return [np.transpose(ins[0], ins[1])]
        if op == 'Split':
            return np.split(ins[1], at['num_split'].i, axis=int(ins[0]))
        if op == 'Squeeze':
            return [np.squeeze(ins[0])]
        if op == 'Reshape':
            return [ins[0].reshape(ins[1])]
        if op == 'Shape':
            return [np.array(ins[0].shape, np.int32)]
        if op == 'Pack':
            return [np.stack(ins, at['axis'].i)]
        if op == 'Fill':
            return [np.full(ins[0], ins[1])]
        if op == 'Cast':
            return [ins[0].astype(DT_NP[at['DstT'].type])]
        if op in ('Sum', 'Max'):
            fn = np.sum if op == 'Sum' else np.max
            return [np.asarray(fn(ins[0], axis=tuple(np.atleast_1d(ins[1])), keepdims=at['keep_dims'].b),
                               ins[0].dtype)]
        if op == 'Range':
            return [np.arange(ins[0], ins[1], ins[2], dtype=np.int32)]
        if op == 'StridedSlice':
            x, b, e, st = ins
            assert at['ellipsis_mask'].i == 0 and at['new_axis_mask'].i == 0  # absent attr reads 0
            sl = []
            for k in range(len(b)):
                bb = None if at['begin_mask'].i >> k & 1 else int(b[k])
                ee = None if at['end_mask'].i >> k & 1 else int(e[k])
                if at['shrink_axis_mask'].i >> k & 1:
                    sl.append(int(b[k]))
                else:
                    sl.append(slice(bb, ee if ee != 0 or bb is None or bb >= 0 else None, int(st[k])))
            return [np.asarray(x[tuple(sl)])]
        if op == 'TensorListReserve':
            return [[None] * int(ins[1])]
        if op == 'TensorListFromTensor':
            return [[row for row in ins[0]]]
        if op == 'TensorListGetItem':
            return [ins[0][int(ins[1])]]
        if op == 'TensorListSetItem':
            lst = list(ins[0])
            lst[int(ins[1])] = ins[2]
            return [lst]
        if op == 'TensorListStack':
            return [np.stack(ins[0])]
        if op == 'PartitionedCall':
            return self.call(at['f'].func.name, ins)
        if op in ('While', 'StatelessWhile'):
            vs = [val(s) for s in n.input]
            assert len(vs) == len(attr_types(at['T']))
            while bool(self.call(at['cond'].func.name, vs)[0]):
                vs = self.call(at['body'].func.name, vs)
            return vs
        if op in ('If', 'StatelessIf'):
            vs = [val(s) for s in n.input]
            branch = at['then_branch'] if bool(vs[0]) else at['else_branch']
            return self.call(branch.func.name, vs[1:])
        raise NotImplementedError(op)

    def run(self, feeds, outputs):
        val = self.run_nodes(self.gd.node, feeds, False, 'main')
        return [val(o) for o in outputs]


# op -> (number of inputs, attrs without a default in the op registry); list-input ops: None inputs.
OP_SIG = {
    'Const': (0, ('dtype', 'value')), 'Placeholder': (0, ('dtype',)), 'Identity': (1, ('T',)),
    'MatMul': (2, ('T',)), 'BatchMatMulV2': (2, ('T',)), 'AddV2': (2, ('T',)), 'Mul': (2, ('T',)),
    'Sub': (2, ('T',)), 'Less': (2, ('T',)), 'Greater': (2, ('T',)), 'LogicalAnd': (2, ()),
    'BiasAdd': (2, ('T',)), 'Tanh': (1, ('T',)), 'Sigmoid': (1, ('T',)), 'Relu': (1, ('T',)),
    'Transpose': (2, ('T',)), 'Split': (2, ('T', 'num_split')), 'Squeeze': (1, ('T',)),
    'Reshape': (2, ('T',)), 'Shape': (1, ('T',)), 'Pack': (None, ('N', 'T')), 'Fill': (2, ('T',)),
    'Cast': (1, ('SrcT', 'DstT')), 'Sum': (2, ('T',)), 'Max': (2, ('T',)), 'Range': (3, ()),
    'StridedSlice': (4, ('T', 'Index')), 'TensorListReserve': (2, ('element_dtype', 'shape_type')),
    'TensorListFromTensor': (2, ('element_dtype', 'shape_type')), 'TensorListGetItem': (3, ('element_dtype',)),
    'TensorListSetItem': (3, ('element_dtype',)), 'TensorListStack': (2, ('element_dtype',)),
    'While': (None, ('T', 'cond', 'body')), 'StatelessWhile': (None, ('T', 'cond', 'body')),
    'If': (None, ('Tcond', 'Tin', 'Tout', 'then_branch', 'else_branch')),
    'StatelessIf': (None, ('Tcond', 'Tin', 'Tout', 'then_branch', 'else_branch')),
    'PartitionedCall': (None, ('Tin', 'Tout', 'f')),
    'ExpandDims': (2, ('T',)), 'ConcatV2': (None, ('N', 'T')), 'CudnnRNNV3': (5, ('T',)),
}


def validate(gd):
    """Structural checks TF's importer would make: known ops, input counts, required attrs, every
    reference resolvable, call sites matching the callee signatures (counts and types)."""
    errs = []
    fns = {f.signature.name: f for f in gd.library.function}

    def sig_types(name, which):
        f = fns.get(name)
        if f is None:
            errs.append(f'unknown function {name}')
            return None
        return [a.type for a in getattr(f.signature, which)]

    def check_nodes(where, nodes, args):
        names = {n.name for n in nodes}
        for n in nodes:
            if n.op not in OP_SIG:
                errs.append(f'{where}/{n.name}: op {n.op} not in OP_SIG')
                continue
            k, req = OP_SIG[n.op]
            data = [i for i in n.input if not i.startswith('^')]
            if k is not None and len(data) != k:
                errs.append(f'{where}/{n.name}: {n.op} wants {k} inputs, has {len(data)}')
            for a in req:
                if a not in n.attr:
                    errs.append(f'{where}/{n.name}: {n.op} lacks attr {a}')
            for i in data:
                node = i.split(':')[0]
                if node not in names and i not in args:
                    errs.append(f'{where}/{n.name}: input {i} resolves to nothing')
            if n.op in ('While', 'StatelessWhile'):
                t = list(n.attr['T'].list.type)
                if len(t) != len(data):
                    errs.append(f'{where}/{n.name}: T has {len(t)} types, {len(data)} inputs')
                for fn, which in (('cond', 'input_arg'), ('body', 'input_arg'), ('body', 'output_arg')):
                    got = sig_types(n.attr[fn].func.name, which)
                    if got is not None and got != t:
                        errs.append(f'{where}/{n.name}: {fn} {which} types {got} != T {t}')
                if len(n.attr['output_shapes'].list.shape) != len(t):
                    errs.append(f'{where}/{n.name}: output_shapes count != len(T)')
                c = sig_types(n.attr['cond'].func.name, 'output_arg')
                if c is not None and len(c) != 1:  # bool, or a numeric scalar (non-zero = true)
                    errs.append(f'{where}/{n.name}: cond returns {c}')
            if n.op in ('If', 'StatelessIf'):
                tin, tout = list(n.attr['Tin'].list.type), list(n.attr['Tout'].list.type)
                if len(tin) + 1 != len(data):
                    errs.append(f'{where}/{n.name}: Tin has {len(tin)} types, {len(data) - 1} inputs')
                for br in ('then_branch', 'else_branch'):
                    fname = n.attr[br].func.name
                    if sig_types(fname, 'input_arg') not in (None, tin) or \
                            sig_types(fname, 'output_arg') not in (None, tout):
                        errs.append(f'{where}/{n.name}: {br} {fname} signature != Tin/Tout')
            if n.op == 'PartitionedCall':
                fname = n.attr['f'].func.name
                if sig_types(fname, 'input_arg') not in (None, list(n.attr['Tin'].list.type)) or \
                        sig_types(fname, 'output_arg') not in (None, list(n.attr['Tout'].list.type)):
                    errs.append(f'{where}/{n.name}: {fname} signature != Tin/Tout')

    check_nodes('main', gd.node, set())
    for f in gd.library.function:
        args = {a.name for a in f.signature.input_arg}
        check_nodes(f.signature.name, f.node_def, args)
        outs = [a.name for a in f.signature.output_arg]
        if sorted(outs) != sorted(f.ret):
            errs.append(f'{f.signature.name}: ret keys {sorted(f.ret)} != output args {outs}')
        for o in outs:
            r = f.ret.get(o, '')
            if r not in args and r.split(':')[0] not in {n.name for n in f.node_def}:
                errs.append(f'{f.signature.name}: ret {o} -> {r} resolves to nothing')
        if len(set(outs)) != len(outs) or len(args) != len(f.signature.input_arg):
            errs.append(f'{f.signature.name}: duplicate arg names')
    return errs



def compare_selfcheck(name, got, want, ok, worst, peak):
    """One sample of --selfcheck: the interpreter's outputs against the numpy formula; returns the
    updated (ok, worst |difference|, peak |reference|)."""
    for a, b in zip(got, want):
        if a.shape != b.shape:
            print(f'{name}: shape {a.shape} != reference {b.shape}')
            ok = False
            continue
        worst = max(worst, float(np.max(np.abs(a - b))))
        peak = max(peak, float(np.max(np.abs(b))))
    return ok, worst, peak

def selfcheck(outdir, results):
    rng = np.random.default_rng(1)
    ok = True
    for gd, entries, ref in results:
        if hasattr(gd, 'selfcheck'):  # a SavedModel directory
            ok &= gd.selfcheck(outdir, entries, ref)
            continue
        path = os.path.join(outdir, entries[0]['file'])
        dec = subprocess.run(['protoc', '--decode=tflc.tf.GraphDef', f'-I{SCHEMA}',
                              os.path.join(SCHEMA, 'graph.proto')],
                             stdin=open(path, 'rb'), capture_output=True)
        if dec.returncode != 0:
            print(f'{path}: protoc --decode failed: {dec.stderr.decode()}')
            ok = False
            continue
        for err in validate(gd):
            print(f'{entries[0]["file"]}: {err}')
            ok = False
        for e in entries:
            worst, peak = 0.0, 0.0
            for _ in range(4):
                feeds = {}
                for i in e['inputs']:
                    shape = [d if d >= 0 else s for d, s in zip(i['shape'], [1, 5, 3])]
                    if i['dtype'] == 'int32' and not i['shape']:  # a scalar count
                        feeds[i['name']] = np.int32(rng.integers(0, 6))
                    elif i['dtype'] == 'int32':
                        feeds[i['name']] = np.array([4, 1], np.int32)
                    else:
                        feeds[i['name']] = rng.uniform(-1, 1, shape).astype(i['dtype'])
                got = Interp(gd).run(feeds, e['outputs'])
                ok, worst, peak = compare_selfcheck(e['name'], got, ref(feeds), ok, worst, peak)
            good = worst <= 1e-5 * max(1.0, peak)
            ok &= good
            print(f'{e["name"]:28s} expect={e["expect"]!r:22s} max|out|={peak:.4f} '
                  f'max|interp-numpy|={worst:.2e} {"OK" if good else "MISMATCH"}')
    return ok


# Published-model layouts (SavedModel directories with a TensorBundle, Keras 2 stacked / GRU / reversed /
# return_state LSTMs, float64 signatures, non-bool conditions, ...): tests/tf/gen_cf_published.py.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_cf_published  # noqa: E402


def main(argv):
    args = [a for a in argv if not a.startswith('--')]
    if len(args) != 1:
        print(__doc__)
        return 2
    outdir = args[0]
    os.makedirs(outdir, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        load_protos(tmp)
        results, manifest = [], []
        for make in MODELS + gen_cf_published.models(sys.modules[__name__]):
            Uid.n = 1000
            gd, entries, ref = make()
            if hasattr(gd, 'write'):  # a SavedModel directory (gen_cf_published.SavedModel)
                gd.write(outdir, entries[0]['file'])
            else:
                with open(os.path.join(outdir, entries[0]['file']), 'wb') as f:
                    f.write(gd.SerializeToString(deterministic=True))
            results.append((gd, entries, ref))
            manifest += entries
        # Representative dataset of quant_while_int8 (make_dataset.py layout: samples replace the batch dim).
        np.savez(os.path.join(outdir, 'quant_while_repr.npz'),
                 x=np.random.default_rng(1).uniform(-1, 1, (100, 8)).astype(np.float32))
        with open(os.path.join(outdir, 'manifest.json'), 'w') as f:
            json.dump({'models': manifest, 'expect_syntax': '"ok", or a case-insensitive extended regex '
                       '(grep -Ei) the error message (model path replaced by <model>) must match; expect_also: more '
                       'substrings it must contain, expect_not: substrings it must not contain (grep -Fi); '
                       'args: extra tflc convert args, @NAME = OUTDIR/NAME; compare: extra compare_tf.js args; '
                       'expect_ops: {OP: N} exact operator counts over all subgraphs of the .tflite'},
                      f, indent=1)
            f.write('\n')
        if '--selfcheck' in argv:
            return 0 if selfcheck(outdir, results) else 1
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
