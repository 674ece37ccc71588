"""Control-flow models with the layouts published models have (loaded by gen_control_flow.py).

SavedModel directories laid out as tf.keras 2 (TF 2.15) writes them (CONTROL_FLOW.md 1.3, 1.4, 7.1):
  main graph: Placeholder `serving_default_<key>`, one VarHandleOp per weight (+ its unused
  `<name>/Read/ReadVariableOp`), `StatefulPartitionedCall(f=__inference_signature_wrapper_*)` with the
  input and the resource handles, and the restore call `StatefulPartitionedCall_2(saver_filename, handles...)`
  of `__inference__traced_restore_*` (RestoreV2 -> Identity -> AssignVariableOp, the object-graph key
  mapping the variables to checkpoint keys); the signature wrapper calls `__inference__wrapped_model_*`,
  which reads the variables (ReadVariableOp) and calls each RNN layer's tagged function
  (`__inference_standard_lstm_*` / `__inference_standard_gru_*`, api_implements lstm_/gru_<uuid>, CPU)
  through a PartitionedCall; the unreferenced GPU twin carries the same tag. variables/ holds a real
  TensorBundle (variables.index SSTable + variables.data-00000-of-00001) written here.
  Signature inputs have an unknown batch ([-1, T, F]).

Models (details in each function's doc; manifest entries with "format": "saved_model" are directories):
  SavedModels (Keras 2 layout, variables in a TensorBundle unless said):
    stacked_lstm_savedmodel        LSTM(8, return_sequences) -> LSTM(4) -> Dense(1)
    gru_lstm_savedmodel            GRU(6, return_sequences, reset_after) -> LSTM(5, go_backwards) -> Dense(2)
    lstm_unknown_time_savedmodel   input [-1,-1,3]: error naming the input and --input_shapes; _shapes: 1,7,3
    float64_signature_savedmodel   DT_DOUBLE input -> Cast -> While (input stays FLOAT64: tflc inspect)
    float64_io_savedmodel          DT_DOUBLE in and out
    lstm_return_state              LSTM result 3 (final c) used
    lstm_three_outputs_savedmodel  three signature outputs (results 1, 2, 3)
    bidirectional_lstm_savedmodel  Bidirectional(LSTM, return_sequences) -> Bidirectional(LSTM)
    bidirectional_gru_savedmodel   Bidirectional(GRU, return_sequences) -> GlobalAveragePooling1D
    lstm_encoder_decoder_savedmodel  seq2seq: encoder h, c as the decoder's initial state; tensordot Dense
    gru_const_weights_savedmodel   Const weights in the functions, empty variables/ (onnx2tf layout)
    embedding_masked_lstm_savedmodel  Embedding(mask_zero) (ResourceGather) -> masked LSTM (8-arg function)
    gru_resource_loop_savedmodel   GRU(reset_after=False): untagged While reading DT_RESOURCE captures
    lstm_relu_savedmodel           LSTM(activation='relu'): the same untagged While with LSTMCell
    *_batch3 / while_unknown_time_batch2: batch > 1 given with --input_shapes
  GraphDefs: if_nonbool_cond (int32 / float If conditions), if_in_while, while_int_cond (int32 cond
    result), tensorlist_push_pop (EmptyTensorList, PushBack, PopBack, Length, ElementShape outside loops),
    while_max_iterations (maximum_iterations 3 < bound 10), tensorarray_dynamic_size (growing list:
    error), split_unused_outputs, while_dynamic_trip_count (trip count from an int32 input),
    tensorarray_unknown_element_shape (element_shape -1 filled in a loop; known_failure).
Manifest extras read by tests/integration/tf_control_flow_v2.sh: format, inspect_expect, known_failure.

Keras 2 facts: keras/layers/rnn/lstm.py (standard_lstm), gru.py (standard_gru: bias unstacked into
input/recurrent bias, gates z, r, h; h = z*h_tm1 + (1-z)*hh; results last_output, outputs, new_h,
runtime), keras/backend.py (rnn: go_backwards reverses the time-major input with ReverseV2 on axis 0;
output TensorArray of size T with return_sequences else 1, written at `time` / 0).
"""
import os
import struct
import subprocess
import sys

import numpy as np

cf = None  # the gen_control_flow module (set by models())
smpb = None  # saved_model_pb2
bpb = None  # tensor_bundle_pb2

STRING, RESOURCE = 7, 20


def load_protos():
    global smpb, bpb
    if smpb is not None:
        return
    tmp = os.path.dirname(cf.pb.__file__)
    subprocess.run(['protoc', f'--python_out={tmp}', f'-I{cf.SCHEMA}', os.path.join(cf.SCHEMA, 'saved_model.proto'),
                    os.path.join(cf.SCHEMA, 'tensor_bundle.proto')], check=True)
    import importlib
    smpb = importlib.import_module('saved_model_pb2')
    bpb = importlib.import_module('tensor_bundle_pb2')


# ---------------------------------------------------------------------------------------------
# TensorBundle writer (TF tensorflow/core/util/tensor_bundle: LevelDB-format SSTable index, one data shard)

def _crc32c_table():
    t = []
    for n in range(256):
        c = n
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        t.append(c)
    return t


_CRC = None


def crc32c(data):
    global _CRC
    _CRC = _CRC or _crc32c_table()
    c = 0xFFFFFFFF
    for b in data:
        c = _CRC[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


def mask_crc(c):
    return ((((c >> 15) | (c << 17)) & 0xFFFFFFFF) + 0xA282EAD8) & 0xFFFFFFFF


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def sst_block(entries, restart_interval=16):
    """LevelDB block: prefix-compressed entries, restart points every `restart_interval` entries."""
    out, restarts, prev = bytearray(), [], b''
    for i, (k, v) in enumerate(entries):
        if i % restart_interval == 0:
            restarts.append(len(out))
            shared = 0
        else:
            shared = 0
            while shared < min(len(prev), len(k)) and prev[shared] == k[shared]:
                shared += 1
        out += varint(shared) + varint(len(k) - shared) + varint(len(v)) + k[shared:] + v
        prev = k
    restarts = restarts or [0]
    out += b''.join(struct.pack('<I', r) for r in restarts) + struct.pack('<I', len(restarts))
    return bytes(out)


def sst_write(entries):
    """entries: sorted (key bytes, value bytes). One data block, an empty metaindex, the index block."""
    f = bytearray()

    def put(block):
        off = len(f)
        f.extend(block + b'\x00')  # type 0 = no compression
        f.extend(struct.pack('<I', mask_crc(crc32c(block + b'\x00'))))
        return varint(off) + varint(len(block))
    keys = [k for k, _ in entries]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    data = put(sst_block(entries))
    meta = put(sst_block([]))
    index = put(sst_block([(keys[-1], data)], 1))
    footer = meta + index
    footer += b'\x00' * (40 - len(footer)) + struct.pack('<Q', 0xdb4775248b80fb57)
    return bytes(f + footer)


def write_bundle(prefix, tensors):
    """tensors: dict key -> numpy array. Writes <prefix>.index and <prefix>.data-00000-of-00001."""
    data = bytearray()
    entries = []
    hdr = bpb.BundleHeaderProto(num_shards=1)
    hdr.version.producer = 1
    entries.append((b'', hdr.SerializeToString()))
    for key in sorted(tensors):
        arr = np.ascontiguousarray(tensors[key])
        raw = arr.tobytes()
        e = bpb.BundleEntryProto(dtype=cf.NP_DT[arr.dtype], shard_id=0, offset=len(data), size=len(raw),
                                 crc32c=mask_crc(crc32c(raw)))
        cf.shape_proto(e.shape, list(arr.shape))
        data.extend(raw)
        entries.append((key.encode(), e.SerializeToString()))
    entries.sort()
    with open(prefix + '.index', 'wb') as fh:
        fh.write(sst_write(entries))
    with open(prefix + '.data-00000-of-00001', 'wb') as fh:
        fh.write(bytes(data))


# ---------------------------------------------------------------------------------------------
# SavedModel builder

def string_const(g, name, values):
    a = cf.pb.AttrValue()
    t = a.tensor
    t.dtype = STRING
    cf.shape_proto(t.tensor_shape, [len(values)])
    t.string_val.extend(v.encode() for v in values)
    return g.op('Const', name, exact=True, attrs={'dtype': cf.A.type(STRING), 'value': a})


def call(g, op, name, inputs, tin, tout, fname, read_only=()):
    return g.op(op, name, inputs, exact=True, n_out=len(tout), attrs={
        'Tin': cf.A.types(tin), 'Tout': cf.A.types(tout), 'f': cf.A.func(fname), 'config': cf.A.s(''),
        'executor_type': cf.A.s(''), 'config_proto': cf.A.s(cf.CONFIG_PROTO),
        '_collective_manager_ids': cf.A.ints([]), '_read_only_resource_inputs': cf.A.ints(list(read_only))})


class SavedModel:
    """A tf.keras 2 style SavedModel: `inputs` [(key, dtype, dims)], weights as variables (or, with
    variables=False, Const nodes inside the wrapped model as onnx2tf writes them, variables/ empty).
    body(fg, xs, w) builds the model in __inference__wrapped_model_* and returns [(out key, ref, dtype,
    dims)]; w(name, array) gives the weight's value ref inside that function."""

    def __init__(self, inputs, body, use_variables=True):
        load_protos()
        self.gd, g = cf.new_graph()
        self.vars = []  # (node name, checkpoint key, array)
        self.use_variables = use_variables
        # The wrapped model first (its variables become the call's resource inputs).
        wname = f'__inference__wrapped_model_{cf.Uid.next()}'
        fg = cf.Graph(self.gd.library, wname)
        xs = [fg.add_arg(k, dt, dims, k) for k, dt, dims in inputs]
        res_args = []

        def w(name, arr, resource=False):
            """resource=True: the resource handle itself (for ResourceGather), not its ReadVariableOp."""
            arr = np.asarray(arr)
            if not use_variables:
                return fg.const(name, arr)
            k = len(self.vars)
            self.vars.append((name, f'layer_with_weights-{k}/{name.split("/")[-1]}/.ATTRIBUTES/VARIABLE_VALUE', arr))
            arg = fg.add_arg(f'{cf.norm(name)}_readvariableop_resource', RESOURCE, [], 'resource')
            res_args.append(arg)
            if resource:
                return arg
            return fg.op('ReadVariableOp', f'{name}/ReadVariableOp', [arg], {'dtype': cf.A.type(cf.NP_DT[arr.dtype])})
        outs = body(fg, xs, w)
        self.outputs = outs
        for k, (key, ref, dt, dims) in enumerate(outs):
            fg.rets.append(('identity' + (f'_{k}' if k else ''), fg.identity('Identity' + (f'_{k}' if k else ''), ref, dt),
                            dt))
        fg.finish()
        nvar = len(self.vars)
        tin = [dt for _, dt, _ in inputs] + [RESOURCE] * nvar
        tout = [dt for _, _, dt, _ in outs]

        # Signature wrapper: (inputs..., unknown, unknown_0, ...) -> the wrapped model.
        sname = f'__inference_signature_wrapper_{cf.Uid.next()}'
        sg = cf.Graph(self.gd.library, sname)
        sx = [sg.add_arg(k, dt, dims, k) for k, dt, dims in inputs]
        sr = [sg.add_arg('unknown' + (f'_{i - 1}' if i else ''), RESOURCE, [], None) for i in range(nvar)]
        r = call(sg, 'StatefulPartitionedCall', 'StatefulPartitionedCall', sx + sr, tin, tout, wname)
        r = r if len(outs) > 1 else [r]
        for k, ((key, _, dt, _), ref) in enumerate(zip(outs, r)):
            sg.rets.append((key, sg.identity('Identity' + (f'_{k}' if k else ''), ref, dt), dt))
        sg.finish()

        # Main graph.
        phs = [g.placeholder(f'serving_default_{k}', dt, dims) for k, dt, dims in inputs]
        handles = []
        for name, key, arr in self.vars:
            h = g.op('VarHandleOp', name, exact=True, attrs={
                'dtype': cf.A.type(cf.NP_DT[arr.dtype]), 'shape': cf.A.shape(list(arr.shape)),
                'shared_name': cf.A.s(name), 'container': cf.A.s(''), 'allowed_devices': cf.A.ints([]),
                '_output_shapes': cf.A.shapes([[]])})
            g.op('ReadVariableOp', f'{name}/Read/ReadVariableOp', [h], exact=True,
                 attrs={'dtype': cf.A.type(cf.NP_DT[arr.dtype])})
            handles.append(h)
        call(g, 'StatefulPartitionedCall', 'StatefulPartitionedCall', phs + handles, tin, tout, sname,
             read_only=range(len(inputs), len(inputs) + nvar))
        if nvar:
            self._restore(g, handles)
        self.inputs = inputs

    def _restore(self, g, handles):
        fn = g.placeholder('saver_filename', STRING, [])
        rname = f'__inference__traced_restore_{cf.Uid.next()}'
        rg = cf.Graph(self.gd.library, rname)
        prefix = rg.add_arg('file_prefix', STRING, [], 'file_prefix')
        vargs = [rg.add_arg(f'assignvariableop_{i}_resource' if i else 'assignvariableop_resource', RESOURCE, [],
                            'resource') for i in range(len(handles))]
        keys = [k for _, k, _ in self.vars]
        names = string_const(rg, 'RestoreV2/tensor_names', keys)
        slices = string_const(rg, 'RestoreV2/shape_and_slices', [''] * len(keys))
        rv = rg.op('RestoreV2', 'RestoreV2', [prefix, names, slices], exact=True,
                   attrs={'dtypes': cf.A.types([cf.NP_DT[a.dtype] for _, _, a in self.vars])})
        assigns = []
        for i, (arg, (_, _, arr)) in enumerate(zip(vargs, self.vars)):
            ident = rg.op('Identity', f'Identity_{i}' if i else 'Identity', [f'RestoreV2:tensors:{i}'], exact=True,
                          attrs={'T': cf.A.type(cf.NP_DT[arr.dtype])})
            assigns.append(rg.op('AssignVariableOp', f'AssignVariableOp_{i}' if i else 'AssignVariableOp',
                                 [arg, ident], exact=True, attrs={'dtype': cf.A.type(cf.NP_DT[arr.dtype]),
                                                                  'validate_shape': cf.A.b(False)}))
        del rv
        noop = rg.op('NoOp', 'NoOp', ['^' + a.node for a in assigns], exact=True)
        out = rg.op('Identity', f'Identity_{len(handles)}', [prefix, '^' + noop.node], exact=True,
                    attrs={'T': cf.A.type(STRING)})
        rg.rets.append((f'identity_{len(handles)}', out, STRING))
        rg.finish()
        call(g, 'StatefulPartitionedCall', 'StatefulPartitionedCall_2', [fn] + handles,
             [STRING] + [RESOURCE] * len(handles), [STRING], rname)

    def write(self, outdir, name):
        d = os.path.join(outdir, name)
        os.makedirs(os.path.join(d, 'variables'), exist_ok=True)
        sm = smpb.SavedModel(saved_model_schema_version=1)
        mg = sm.meta_graphs.add()
        mg.meta_info_def.tags.append('serve')
        mg.meta_info_def.tensorflow_version = '2.15.0'
        mg.meta_info_def.meta_graph_version = 'v2.15.0-rc1-8-g6887368d6d4'
        mg.meta_info_def.stripped_op_list.SetInParent()
        mg.graph_def.CopyFrom(self.gd)
        if self.vars:
            mg.saver_def.filename_tensor_name = 'saver_filename:0'
            mg.saver_def.restore_op_name = 'StatefulPartitionedCall_2'
        sig = mg.signature_def['serving_default']
        sig.method_name = 'tensorflow/serving/predict'
        for k, dt, dims in self.inputs:
            ti = sig.inputs[k]
            ti.name, ti.dtype = f'serving_default_{k}:0', dt
            cf.shape_proto(ti.tensor_shape, dims)
        for k, (key, _, dt, dims) in enumerate(self.outputs):
            ti = sig.outputs[key]
            ti.name, ti.dtype = f'StatefulPartitionedCall:{k}', dt
            cf.shape_proto(ti.tensor_shape, dims)
        with open(os.path.join(d, 'saved_model.pb'), 'wb') as fh:
            fh.write(sm.SerializeToString(deterministic=True))
        if self.vars:
            write_bundle(os.path.join(d, 'variables', 'variables'), {k: a for _, k, a in self.vars})

    # -- generator self-check (gen_control_flow.py --selfcheck)
    def selfcheck(self, outdir, entries, ref):
        ok = True
        path = os.path.join(outdir, entries[0]['file'], 'saved_model.pb')
        dec = subprocess.run(['protoc', '--decode=tflc.tf.SavedModel', f'-I{cf.SCHEMA}',
                              os.path.join(cf.SCHEMA, 'saved_model.proto')], stdin=open(path, 'rb'),
                             capture_output=True)
        if dec.returncode != 0:
            print(f'{path}: protoc --decode failed: {dec.stderr.decode()}')
            return False
        for err in cf.validate(self.gd):
            print(f'{entries[0]["file"]}: {err}')
            ok = False
        values = {name: arr for name, _, arr in self.vars}
        if self.vars:  # read the bundle back with the JS reader's rules (through our own parse)
            ok &= check_bundle(os.path.join(outdir, entries[0]['file'], 'variables', 'variables'),
                               {k: a for _, k, a in self.vars})
        rng = np.random.default_rng(1)
        for e in entries:
            worst, peak = 0.0, 0.0
            for _ in range(3):
                feeds = {}
                for k, dt, dims in self.inputs:
                    shape = [d if d >= 0 else s for d, s in zip(dims, [2, 5, 3, 3])]
                    if dt == cf.I32:  # token ids 0..4 (0 = padding)
                        feeds[k] = np.rint(rng.uniform(-0.49, 4.49, shape)).astype(np.int32)
                    else:
                        feeds[k] = rng.uniform(-1, 1, shape).astype(cf.DT_NP[dt])
                it = SmInterp(self.gd, values)
                got = it.run({f'serving_default_{k}': v for k, v in feeds.items()},
                             [f'StatefulPartitionedCall:{k}' for k in range(len(self.outputs))])
                ok, worst, peak = cf.compare_selfcheck(e['name'], got, ref(feeds), ok, worst, peak)
            good = worst <= 1e-5 * max(1.0, peak)
            ok &= good
            print(f'{e["name"]:28s} expect={e["expect"]!r:22s} max|out|={peak:.4f} '
                  f'max|interp-numpy|={worst:.2e} {"OK" if good else "MISMATCH"}')
        return ok


def check_bundle(prefix, want):
    raw = open(prefix + '.index', 'rb').read()
    data = open(prefix + '.data-00000-of-00001', 'rb').read()

    def rv(buf, p):
        r, s = 0, 0
        while True:
            b = buf[p]
            p += 1
            r |= (b & 0x7F) << s
            s += 7
            if not b & 0x80:
                return r, p

    def block(off, size):
        body = raw[off:off + size + 1]
        assert struct.unpack('<I', raw[off + size + 1:off + size + 5])[0] == mask_crc(crc32c(body))
        blk = raw[off:off + size]
        n = struct.unpack('<I', blk[-4:])[0]
        lim = len(blk) - 4 - 4 * n
        p, key, out = 0, b'', []
        while p < lim:
            sh, p = rv(blk, p)
            un, p = rv(blk, p)
            vl, p = rv(blk, p)
            key = key[:sh] + blk[p:p + un]
            p += un
            out.append((key, blk[p:p + vl]))
            p += vl
        return out
    assert struct.unpack('<Q', raw[-8:])[0] == 0xdb4775248b80fb57
    p = len(raw) - 48
    _, p = rv(raw, p)
    _, p = rv(raw, p)
    io, p = rv(raw, p)
    isz, p = rv(raw, p)
    table = {}
    for _, h in block(io, isz):
        o, q = rv(h, 0)
        s, _ = rv(h, q)
        table.update(block(o, s))
    for k, arr in want.items():
        e = bpb.BundleEntryProto.FromString(table[k.encode()])
        got = np.frombuffer(data[e.offset:e.offset + e.size], arr.dtype).reshape(arr.shape)
        if not np.array_equal(got, arr) or e.crc32c != mask_crc(crc32c(arr.tobytes())):
            print(f'{prefix}: entry {k} does not read back')
            return False
    return True


def interp_eval(base):
    """cf.Interp.eval plus the ops of these models: VarHandleOp (the variable's value, self.values),
    ReadVariableOp, StatefulPartitionedCall, Unpack, ReverseV2, and list ops outside loops."""
    def ev(self, n, val, bind):
        op = n.op
        data = lambda: [val(s) for s in n.input if not s.startswith('^')]
        if op == 'VarHandleOp':
            return [self.values[n.name]]
        if op == 'ReadVariableOp':
            return [val(n.input[0])]
        if op == 'StatefulPartitionedCall':
            return self.call(n.attr['f'].func.name, data())
        if op == 'Unpack':
            x = data()[0]
            return [np.take(x, k, axis=n.attr['axis'].i) for k in range(n.attr['num'].i)]
        if op == 'ReverseV2':
            x, ax = data()
            return [np.flip(x, tuple(int(v) for v in np.atleast_1d(ax)))]
        if op == 'GatherV2':
            p, ix, ax = data()
            return [np.take(p, ix, axis=int(ax))]
        if op == 'Prod':
            x, ax = data()
            return [np.asarray(np.prod(x, axis=tuple(np.atleast_1d(ax)), keepdims=n.attr['keep_dims'].b), x.dtype)]
        if op == 'ConcatV2':
            *xs, ax = data()
            return [np.concatenate(xs, int(ax))]
        if op == 'TensorListSetItem' and n.attr['resize_if_index_out_of_bounds'].b:
            lst, i, v = data()
            lst = list(lst) + [None] * max(0, int(i) + 1 - len(lst))
            lst[int(i)] = v
            return [lst]
        if op in ('FloorDiv', 'FloorMod', 'Maximum', 'GreaterEqual', 'LogicalOr'):
            x, y = data()
            fn = {'FloorDiv': np.floor_divide, 'FloorMod': np.mod, 'Maximum': np.maximum,
                  'GreaterEqual': np.greater_equal, 'LogicalOr': np.logical_or}[op]
            r = fn(x, y)
            return [r if r.dtype == np.bool_ else np.asarray(r, x.dtype)]
        if op == 'Mean':
            x, ax = data()
            return [np.asarray(np.mean(x, axis=tuple(np.atleast_1d(ax)), keepdims=n.attr['keep_dims'].b), x.dtype)]
        if op == 'SplitV':
            x, sizes, ax = data()
            sizes = [int(v) for v in sizes]
            if -1 in sizes:
                sizes[sizes.index(-1)] = x.shape[int(ax)] - (sum(sizes) + 1)
            return np.split(x, np.cumsum(sizes)[:-1], axis=int(ax))
        if op == 'ResourceGather':
            p, ix = data()
            return [np.take(p, ix, axis=0)]
        if op == 'NotEqual':
            x, y = data()
            return [np.not_equal(x, y)]
        if op == 'ZerosLike':
            return [np.zeros_like(data()[0])]
        if op == 'ExpandDims':
            x, d = data()
            return [np.expand_dims(x, int(d))]
        if op == 'Tile':
            x, m = data()
            return [np.tile(x, m)]
        if op == 'SelectV2':
            c, x, y = data()
            return [np.where(c, x, y)]
        if op == 'EmptyTensorList':
            return [[]]
        if op == 'TensorListPushBack':
            lst, v = data()
            return [list(lst) + [v]]
        if op == 'TensorListPopBack':
            lst = list(data()[0])
            return [lst[:-1], lst[-1]]
        if op == 'TensorListLength':
            return [np.int32(len(data()[0]))]
        if op == 'TensorListElementShape':
            return [np.array(data()[0][0].shape, np.int32)]
        return base(self, n, val, bind)
    return ev


def SmInterp(gd, values):
    it = cf.Interp(gd)
    it.values = values
    return it


# ---------------------------------------------------------------------------------------------
# Keras 2 RNN functions (unknown batch; time known or not)

A = None  # cf.A, set by models()


def sigmoid(v):
    return 1 / (1 + np.exp(-v))


def lstm_np(x, K, R, B, u, go_backwards=False):
    """Keras 2 standard_lstm: returns (last_output, outputs over time in processing order, h, c)."""
    if go_backwards:
        x = x[:, ::-1]
    h = np.zeros((x.shape[0], u), np.float32)
    c = np.zeros_like(h)
    seq = []
    for t in range(x.shape[1]):
        z = x[:, t] @ K + h @ R + B
        i, f, g, o = np.split(z, 4, axis=1)
        c = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
        h = sigmoid(o) * np.tanh(c)
        seq.append(h)
    return h, np.stack(seq, 1), h, c


def gru_np(x, K, R, B, u, go_backwards=False):
    """Keras 2 standard_gru (reset_after=True): bias [2, 3u] = input bias, recurrent bias."""
    if go_backwards:
        x = x[:, ::-1]
    h = np.zeros((x.shape[0], u), np.float32)
    seq = []
    for t in range(x.shape[1]):
        xz, xr, xh = np.split(x[:, t] @ K + B[0], 3, axis=1)
        rz, rr, rh = np.split(h @ R + B[1], 3, axis=1)
        z = sigmoid(xz + rz)
        r = sigmoid(xr + rr)
        hh = np.tanh(xh + r * rh)
        h = z * h + (1 - z) * hh
        seq.append(h)
    return h, np.stack(seq, 1), h


def gru_cell(fg, x, h, K, R, bi, br):
    """Keras 2 standard_gru step."""
    F32 = cf.F32
    mx = fg.bias_add('BiasAdd', fg.matmul('MatMul', x, K), bi)
    xs = fg.op('Split', 'split', [fg.const('split/split_dim', np.int32(1)), mx],
               {'T': A.type(F32), 'num_split': A.i(3)}, n_out=3)
    mi = fg.bias_add('BiasAdd_1', fg.matmul('MatMul_1', h, R), br)
    rs = fg.op('Split', 'split_1', [fg.const('split_1/split_dim', np.int32(1)), mi],
               {'T': A.type(F32), 'num_split': A.i(3)}, n_out=3)
    z = fg.unary('Sigmoid', 'Sigmoid', fg.binary('AddV2', 'add', xs[0], rs[0]))
    r = fg.unary('Sigmoid', 'Sigmoid_1', fg.binary('AddV2', 'add_1', xs[1], rs[1]))
    hh = fg.unary('Tanh', 'Tanh', fg.binary('AddV2', 'add_2', xs[2], fg.binary('Mul', 'mul', r, rs[2])))
    zh = fg.binary('Mul', 'mul_1', z, h)
    one_minus = fg.op('Sub', 'sub', [fg.const('sub/x', np.float32(1.0)), z], {'T': A.type(F32)})
    return fg.binary('AddV2', 'add_3', zh, fg.binary('Mul', 'mul_2', one_minus, hh))


def standard_rnn(lib, kind, T, n_in, u, return_sequences, go_backwards, tag):
    """__inference_standard_lstm_* / __inference_standard_gru_* (Keras 2, time_major=False, no mask).
    LSTM args (inputs, init_h, init_c, kernel, recurrent_kernel, bias) -> (last_output, outputs, h, c,
    runtime); GRU args (inputs, init_h, kernel, recurrent_kernel, bias[2,3u]) -> (last_output, outputs,
    h, runtime). Returns the function name."""
    F32, I32, VARIANT = cf.F32, cf.I32, cf.VARIANT
    lstm = kind == 'lstm'
    ng = 4 if lstm else 3
    fname = f'__inference_standard_{kind}_{cf.Uid.next()}'
    fg = cf.Graph(lib, fname)
    a = [fg.add_arg('inputs', F32, [-1, T, n_in], 'inputs'), fg.add_arg('init_h', F32, [-1, u], 'init_h')]
    if lstm:
        a.append(fg.add_arg('init_c', F32, [-1, u], 'init_c'))
    a += [fg.add_arg('kernel', F32, [n_in, ng * u], 'kernel'),
          fg.add_arg('recurrent_kernel', F32, [u, ng * u], 'recurrent_kernel'),
          fg.add_arg('bias', F32, [ng * u] if lstm else [2, ng * u], 'bias')]
    x, kern, rkern, bias = a[0], a[-3], a[-2], a[-1]
    if not lstm:
        ub = fg.op('Unpack', 'unstack', [bias], {'T': A.type(F32), 'num': A.i(2), 'axis': A.i(0)}, n_out=2)
    xt = fg.transpose('transpose', x, [1, 0, 2])
    n = fg.strided_slice('strided_slice', fg.op('Shape', 'Shape', [xt], {'T': A.type(F32), 'out_type': A.type(I32)}),
                         [0], [1], [1], I32, shrink=1)
    if go_backwards:
        xt = fg.op('ReverseV2', 'ReverseV2', [xt, fg.const('ReverseV2/axis', np.array([0], np.int32))],
                   {'T': A.type(F32), 'Tidx': A.type(I32)})
    fg.tl_reserve('TensorArrayV2', np.int32(-1), n)  # input TensorArray, replaced by unstack (dead)
    in_list = fg.tl_from_tensor('TensorArrayUnstack/TensorListFromTensor', xt, [-1, n_in])
    out_list = fg.tl_reserve('TensorArrayV2_1', [-1, u], n if return_sequences else 1)
    time = fg.const('time', np.int32(0))
    nv = cf.Var(n, I32, [], 'strided_slice', 'strided_slice')
    nv.cond_uses = True
    st_vars = [cf.Var(a[1], F32, [-1, u])] + ([cf.Var(a[2], F32, [-1, u])] if lstm else [])
    ns = len(st_vars)
    if lstm:
        caps = [cf.Var(kern, F32, [n_in, 4 * u], 'kernel', 'matmul_kernel'),
                cf.Var(rkern, F32, [u, 4 * u], 'recurrent_kernel', 'matmul_1_recurrent_kernel'),
                cf.Var(bias, F32, [4 * u], 'bias', 'biasadd_bias')]
    else:
        caps = [cf.Var(kern, F32, [n_in, 3 * u], 'kernel', 'matmul_kernel'),
                cf.Var(ub[0], F32, [3 * u], 'unstack', 'biasadd_unstack'),
                cf.Var(rkern, F32, [u, 3 * u], 'recurrent_kernel', 'matmul_1_recurrent_kernel'),
                cf.Var(ub[1], F32, [3 * u], 'unstack', 'biasadd_1_unstack')]

    def body(bg, b):  # counter, max_iter, time, out_list, h, [c], n, in_list, weights...
        item = bg.tl_get('TensorArrayV2Read/TensorListGetItem', b[5 + ns], b[2], [-1, n_in])
        w = b[6 + ns:]
        if lstm:
            h, c = cf.keras2_cell(bg, item, b[4], b[5], w[0], w[1], w[2])
            new = [h, c]
        else:
            h = gru_cell(bg, item, b[4], w[0], w[2], w[1], w[3])
            new = [h]
        idx = b[2] if return_sequences else bg.const('TensorArrayV2Write/TensorListSetItem/index', np.int32(0))
        lst = bg.tl_set('TensorArrayV2Write/TensorListSetItem', b[3], idx, h)
        return [cf.incr(bg, b[2], 'add_4'), lst] + new
    wl = cf.make_while(fg, 'while', [cf.Var(time, I32, []), cf.Var(out_list, VARIANT, [])] + st_vars,
                       [nv, cf.Var(in_list, VARIANT, [], 'TensorArrayUnstack/TensorListFromTensor',
                                   'tensorarrayv2read_tensorlistgetitem_tensorarrayunstack_tensorlistfromtensor')]
                       + caps, lambda cg, b: cg.binary('Less', 'Less', b[2], b[4 + ns], I32), body,
                       parallel_iterations=32)
    st = fg.tl_stack('TensorArrayV2Stack/TensorListStack', wl[3], [-1, u],
                     (T if T > 0 else -1) if return_sequences else 1)
    last = fg.strided_slice('strided_slice_2', st, [-1], [0], [1], shrink=1)
    seq = fg.transpose('transpose_1', st, [1, 0, 2])
    runtime = fg.const('runtime', np.float32(1.0))
    res = [last, seq] + list(wl[4:4 + ns]) + [runtime]
    for k, r in enumerate(res):
        fg.rets.append(('identity' + (f'_{k}' if k else ''), fg.identity('Identity' + (f'_{k}' if k else ''), r), F32))
    fg.finish({'api_implements': A.s(tag), 'api_preferred_device': A.s('CPU'), 'time_major': A.b(False),
               'go_backwards': A.b(go_backwards)})
    return fname, len(res)


def gpu_twin(lib, kind, T, n_in, u, tag, go_backwards):
    """The unreferenced GPU twin (same api_implements, CudnnRNNV3 path), reduced; never called."""
    F32 = cf.F32
    lstm = kind == 'lstm'
    ng = 4 if lstm else 3
    fg = cf.Graph(lib, f'__inference_gpu_{kind}_with_fallback_{cf.Uid.next()}')
    a = [fg.add_arg('inputs', F32, [-1, T, n_in], 'inputs'), fg.add_arg('init_h', F32, [-1, u], 'init_h')]
    if lstm:
        a.append(fg.add_arg('init_c', F32, [-1, u], 'init_c'))
    a += [fg.add_arg('kernel', F32, [n_in, ng * u], 'kernel'),
          fg.add_arg('recurrent_kernel', F32, [u, ng * u], 'recurrent_kernel'),
          fg.add_arg('bias', F32, [ng * u] if lstm else [2, ng * u], 'bias')]
    xt = fg.transpose('transpose', a[0], [1, 0, 2])
    dim0 = fg.const('ExpandDims/dim', np.int32(0))
    eh = fg.op('ExpandDims', 'ExpandDims', [a[1], dim0], {'T': A.type(F32), 'Tdim': A.type(cf.I32)})
    ec = fg.op('ExpandDims', 'ExpandDims_1', [a[2] if lstm else a[1], dim0], {'T': A.type(F32), 'Tdim': A.type(cf.I32)})
    flat = fg.const('Reshape/shape', np.array([-1], np.int32))
    parts = [fg.op('Reshape', 'Reshape', [w, flat], {'T': A.type(F32), 'Tshape': A.type(cf.I32)}) for w in a[-3:]]
    params = fg.op('ConcatV2', 'concat', parts + [fg.const('concat/axis', np.int32(0))],
                   {'N': A.i(3), 'T': A.type(F32), 'Tidx': A.type(cf.I32)})
    seq_len = fg.const('sequence_lengths', np.full([1], max(T, 1), np.int32))
    rnn = 'CudnnRNNV3'
    fg.op(rnn, rnn, [xt, eh, ec, params, seq_len], {
        'T': A.type(F32), 'rnn_mode': A.s('lstm' if lstm else 'gru'), 'input_mode': A.s('linear_input'),
        'direction': A.s('unidirectional'), 'dropout': A.f(0.0), 'seed': A.i(0), 'seed2': A.i(0),
        'num_proj': A.i(0), 'is_training': A.b(True), 'time_major': A.b(True)}, exact=True)
    outs = fg.strided_slice('strided_slice', f'{rnn}:output:0', [-1], [0], [1], shrink=1)
    seq = fg.transpose('transpose_1', f'{rnn}:output:0', [1, 0, 2])
    h = fg.op('Squeeze', 'Squeeze', [f'{rnn}:output_h:0'], {'T': A.type(F32), 'squeeze_dims': A.ints([0])})
    res = [outs, seq, h]
    if lstm:
        res.append(fg.op('Squeeze', 'Squeeze_1', [f'{rnn}:output_c:0'], {'T': A.type(F32), 'squeeze_dims': A.ints([0])}))
    res.append(fg.const('runtime', np.float32(2.0)))
    for k, r in enumerate(res):
        fg.rets.append(('identity' + (f'_{k}' if k else ''), fg.identity('Identity' + (f'_{k}' if k else ''), r), F32))
    fg.finish({'api_implements': A.s(tag), 'api_preferred_device': A.s('GPU'), 'time_major': A.b(False),
               'go_backwards': A.b(go_backwards)})


def keras2_layer(fg, lib, kind, scope, x, T, n_in, u, w, K, R, B, return_sequences=False, go_backwards=False,
                 uuid='00000000-0000-4000-8000-000000000000'):
    """One tf.keras 2 LSTM/GRU layer call inside the wrapped model: zero initial states from the
    input's batch (Fill(Pack(StridedSlice(Shape(x)), units), 0)), the PartitionedCall of the tagged
    CPU function (plus the GPU twin in the library). Returns the call's outputs."""
    F32, I32 = cf.F32, cf.I32
    tag = f'{kind}_{uuid}'
    fname, nres = standard_rnn(lib, kind, T, n_in, u, return_sequences, go_backwards, tag)
    gpu_twin(lib, kind, T, n_in, u, tag, go_backwards)
    shp = fg.op('Shape', f'{scope}/Shape', [x], {'T': A.type(F32), 'out_type': A.type(I32)})
    batch = fg.strided_slice(f'{scope}/strided_slice', shp, [0], [1], [1], I32, shrink=1)
    zeros = []
    for z in (('zeros', 'zeros_1') if kind == 'lstm' else ('zeros',)):
        packed = fg.op('Pack', f'{scope}/{z}/packed', [batch, fg.const(f'{scope}/{z}/packed/1', np.int32(u))],
                       {'N': A.i(2), 'T': A.type(I32), 'axis': A.i(0)})
        zeros.append(fg.op('Fill', f'{scope}/{z}', [packed, fg.const(f'{scope}/{z}/Const', np.float32(0))],
                           {'T': A.type(F32), 'index_type': A.type(I32)}))
    cell = 'lstm_cell' if kind == 'lstm' else 'gru_cell'
    ws = [w(f'{scope}/{cell}/kernel', K), w(f'{scope}/{cell}/recurrent_kernel', R), w(f'{scope}/{cell}/bias', B)]
    return call(fg, 'PartitionedCall', f'{scope}/PartitionedCall', [x] + zeros + ws, [F32] * (1 + len(zeros) + 3),
                [F32] * nres, fname)


def dense(fg, scope, x, w, K, B):
    return fg.bias_add(f'{scope}/BiasAdd', fg.matmul(f'{scope}/MatMul', x, w(f'{scope}/kernel', K)),
                       w(f'{scope}/bias', B))


def weights(rng, *shape, scale=0.5):
    return (rng.standard_normal(shape) * scale).astype(np.float32)


# ---------------------------------------------------------------------------------------------
# SavedModel models

def batch3(e):
    """A batch > 1 given with --input_shapes: the lists' element shape [-1, units] takes that batch."""
    return e


def sm_entry(name, inputs, outputs, inspect_expect=(), **kw):
    """A manifest entry of a SavedModel directory (format saved_model: the driver converts with
    --saved_model_dir; inputs/outputs are signature keys); inspect_expect: substrings `tflc inspect`
    of the result must print."""
    e = cf.entry(name, inputs, outputs=outputs, file=kw.pop('file', name), **kw)
    e['format'] = 'saved_model'
    if inspect_expect:
        e['inspect_expect'] = list(inspect_expect)
    return e


def m_stacked_lstm_savedmodel():
    """tf.keras 2 Sequential([Input((6, 3)), LSTM(8, return_sequences=True), LSTM(4), Dense(1)]),
    batch unknown: the first LSTM's sequence (tagged function result 1) feeds the second."""
    rng = cf.rng_for('stacked_lstm_savedmodel')
    T, F, u1, u2 = 6, 3, 8, 4
    K1, R1, B1 = weights(rng, F, 4 * u1), weights(rng, u1, 4 * u1), weights(rng, 4 * u1, scale=0.1)
    K2, R2, B2 = weights(rng, u1, 4 * u2), weights(rng, u2, 4 * u2), weights(rng, 4 * u2, scale=0.1)
    DK, DB = weights(rng, u2, 1, scale=2.0), weights(rng, 1, scale=0.1)

    def body(fg, xs, w):
        l1 = keras2_layer(fg, fg.lib, 'lstm', 'sequential/lstm', xs[0], T, F, u1, w, K1, R1, B1, return_sequences=True,
                          uuid='5b1c8d2e-7f3a-4e6b-9c0d-1e2f3a4b5c6d')
        l2 = keras2_layer(fg, fg.lib, 'lstm', 'sequential/lstm_1', l1[1], T, u1, u2, w, K2, R2, B2,
                          uuid='9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d')
        return [('dense', dense(fg, 'sequential/dense', l2[0], w, DK, DB), cf.F32, [-1, 1])]
    sm = SavedModel([('lstm_input', cf.F32, [-1, T, F])], body)

    def ref(f):
        _, s1, _, _ = lstm_np(f['lstm_input'], K1, R1, B1, u1)
        h, _, _, _ = lstm_np(s1, K2, R2, B2, u2)
        return [h @ DK + DB]
    return sm, [sm_entry('stacked_lstm_savedmodel', [('lstm_input', [-1, T, F], 'float32')], ['dense']),
                batch3(sm_entry('stacked_lstm_savedmodel_batch3', [('lstm_input', [3, T, F], 'float32')], ['dense'],
                         file='stacked_lstm_savedmodel', args=['--input_shapes', f'3,{T},{F}'],
                         note='batch 3 fixed with --input_shapes (state shapes, fused LSTM batch)'))], ref


def m_gru_lstm_savedmodel():
    """Sequential([Input((7, 4)), GRU(6, return_sequences=True, reset_after=True),
    LSTM(5, go_backwards=True), Dense(2)]), batch unknown."""
    rng = cf.rng_for('gru_lstm_savedmodel')
    T, F, u1, u2 = 7, 4, 6, 5
    K1, R1, B1 = weights(rng, F, 3 * u1), weights(rng, u1, 3 * u1), weights(rng, 2, 3 * u1, scale=0.1)
    K2, R2, B2 = weights(rng, u1, 4 * u2), weights(rng, u2, 4 * u2), weights(rng, 4 * u2, scale=0.1)
    DK, DB = weights(rng, u2, 2), weights(rng, 2, scale=0.1)

    def body(fg, xs, w):
        g1 = keras2_layer(fg, fg.lib, 'gru', 'sequential/gru', xs[0], T, F, u1, w, K1, R1, B1, return_sequences=True,
                          uuid='0cb307f3-1d2e-4f5a-8b6c-7d8e9f0a1b2c')
        l2 = keras2_layer(fg, fg.lib, 'lstm', 'sequential/lstm', g1[1], T, u1, u2, w, K2, R2, B2, go_backwards=True,
                          uuid='3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f')
        return [('dense', dense(fg, 'sequential/dense', l2[0], w, DK, DB), cf.F32, [-1, 2])]
    sm = SavedModel([('gru_input', cf.F32, [-1, T, F])], body)

    def ref(f):
        _, s1, _ = gru_np(f['gru_input'], K1, R1, B1, u1)
        h, _, _, _ = lstm_np(s1, K2, R2, B2, u2, go_backwards=True)
        return [h @ DK + DB]
    return sm, [sm_entry('gru_lstm_savedmodel', [('gru_input', [-1, T, F], 'float32')], ['dense']),
                batch3(sm_entry('gru_lstm_savedmodel_batch3', [('gru_input', [3, T, F], 'float32')], ['dense'],
                         file='gru_lstm_savedmodel', args=['--input_shapes', f'3,{T},{F}']))], ref


def m_lstm_unknown_time_savedmodel():
    """Sequential([Input((None, 3)), LSTM(4), Dense(2)]): input [-1, -1, 3]. Without --input_shapes
    the time axis is unknown: an error naming the input and --input_shapes; with --input_shapes 1,7,3 ok."""
    rng = cf.rng_for('lstm_unknown_time_savedmodel')
    F, u = 3, 4
    K, R, B = weights(rng, F, 4 * u), weights(rng, u, 4 * u), weights(rng, 4 * u, scale=0.1)
    DK, DB = weights(rng, u, 2), weights(rng, 2, scale=0.1)

    def body(fg, xs, w):
        l1 = keras2_layer(fg, fg.lib, 'lstm', 'sequential/lstm', xs[0], -1, F, u, w, K, R, B,
                          uuid='7e6d5c4b-3a29-4180-9f7e-6d5c4b3a2918')
        return [('dense', dense(fg, 'sequential/dense', l1[0], w, DK, DB), cf.F32, [-1, 2])]
    sm = SavedModel([('input_1', cf.F32, [-1, -1, F])], body)

    def ref(f):
        h, _, _, _ = lstm_np(f['input_1'], K, R, B, u)
        return [h @ DK + DB]
    name = 'lstm_unknown_time_savedmodel'
    return sm, [
        sm_entry(name, [('input_1', [-1, -1, F], 'float32')], ['dense'], expect='--input_shapes',
                 expect_also=['input_1'],
                 note='unknown time axis: the error must name the input and --input_shapes'),
        sm_entry(name + '_shapes', [('input_1', [1, 7, F], 'float32')], ['dense'], file=name,
                 args=['--input_shapes', '1,7,3'])], ref


def m_float64_signature_savedmodel():
    """A tf.function(input_signature=[TensorSpec([None, 4], tf.float64)]) saved with tf.saved_model.save:
    Cast to float32, a 3-step StatelessWhile x = x*0.9 + w (w a variable), output float32.
    TF's converter keeps the DT_DOUBLE input a FLOAT64 tensor (enable_x64, CONTROL_FLOW.md 6)."""
    rng = cf.rng_for('float64_signature_savedmodel')
    W = weights(rng, 4, scale=0.3)
    F32, I32 = cf.F32, cf.I32

    def body(fg, xs, w):
        y = fg.op('Cast', 'Cast', [xs[0]], {'SrcT': A.type(cf.F64), 'DstT': A.type(F32), 'Truncate': A.b(False)})
        wv = w('w', W)
        i0 = fg.const('Const', np.int32(0))

        def wbody(bg, a):
            m = cf.binary_const(bg, 'Mul', 'mul', a[3], np.float32(0.9))
            return [cf.incr(bg, a[2], 'add_1'), bg.binary('AddV2', 'add', m, a[4])]
        wl = cf.make_while(fg, 'while', [cf.Var(i0, I32, []), cf.Var(y, F32, [-1, 4])],
                           [cf.Var(wv, F32, [4], 'ReadVariableOp', 'add_readvariableop')],
                           lambda cg, a: cf.less_const(cg, a[2], 3), wbody)
        return [('output_0', wl[3], F32, [-1, 4])]
    sm = SavedModel([('x', cf.F64, [-1, 4])], body)

    def ref(f):
        y = f['x'].astype(np.float32)
        for _ in range(3):
            y = y * np.float32(0.9) + W
        return [y]
    return sm, [sm_entry('float64_signature_savedmodel', [('x', [-1, 4], 'float64')], ['output_0'],
                         inspect_expect=['"serving_default_x:0" FLOAT64'],
                         note='the .tflite input must stay FLOAT64 (tflc inspect)')], ref


def m_lstm_return_state():
    """tf.keras 2 functional model: seq, h, c = LSTM(5, return_state=True)(Input((6, 3))) -> Dense(2)(seq + c):
    the tagged function's result 3 (final c) is used, so the call cannot become one fused LSTM op
    whose c is not an output (the official converter then keeps the While)."""
    rng = cf.rng_for('lstm_return_state')
    T, F, u = 6, 3, 5
    K, R, B = weights(rng, F, 4 * u), weights(rng, u, 4 * u), weights(rng, 4 * u, scale=0.1)
    DK, DB = weights(rng, u, 2), weights(rng, 2, scale=0.1)

    def body(fg, xs, w):
        l1 = keras2_layer(fg, fg.lib, 'lstm', 'model/lstm', xs[0], T, F, u, w, K, R, B,
                          uuid='2468ace0-1357-49bd-8f00-a1b2c3d4e5f6')
        s = fg.binary('AddV2', 'model/tf.__operators__.add/AddV2', l1[0], l1[3])
        return [('dense', dense(fg, 'model/dense', s, w, DK, DB), cf.F32, [-1, 2])]
    sm = SavedModel([('input_1', cf.F32, [-1, T, F])], body)

    def ref(f):
        h, _, _, c = lstm_np(f['input_1'], K, R, B, u)
        return [(h + c) @ DK + DB]
    return sm, [sm_entry('lstm_return_state', [('input_1', [-1, T, F], 'float32')], ['dense'])], ref


def tensordot_dense(fg, scope, x, w, K, B, n_in, n_out):
    """tf.keras 2 Dense on a rank-3 input with an unknown batch: tf.tensordot(x, kernel, [[2], [0]])
    (dynamic path of math_ops._tensordot_reshape: Shape, GatherV2 free/axes dims, Prod, transpose,
    Reshape, MatMul, Reshape to concat(free dims, [n_out])) + BiasAdd (keras/layers/core/dense.py)."""
    F32, I32 = cf.F32, cf.I32
    t = f'{scope}/Tensordot'
    kern = w(f'{scope}/kernel', K)
    axes = fg.const(f'{t}/axes', np.array([2], np.int32))
    free = fg.const(f'{t}/free', np.array([0, 1], np.int32))
    shp = fg.op('Shape', f'{t}/Shape', [x], {'T': A.type(F32), 'out_type': A.type(I32)})
    gax = fg.const(f'{t}/GatherV2/axis', np.int32(0))
    gfree = fg.op('GatherV2', f'{t}/GatherV2', [shp, free, gax],
                  {'Tparams': A.type(I32), 'Tindices': A.type(I32), 'Taxis': A.type(I32), 'batch_dims': A.i(0)})
    gax1 = fg.const(f'{t}/GatherV2_1/axis', np.int32(0))
    gaxes = fg.op('GatherV2', f'{t}/GatherV2_1', [shp, axes, gax1],
                  {'Tparams': A.type(I32), 'Tindices': A.type(I32), 'Taxis': A.type(I32), 'batch_dims': A.i(0)})
    pf = fg.op('Prod', f'{t}/Prod', [gfree, fg.const(f'{t}/Const', np.array([0], np.int32))],
               {'T': A.type(I32), 'Tidx': A.type(I32), 'keep_dims': A.b(False)})
    pa = fg.op('Prod', f'{t}/Prod_1', [gaxes, fg.const(f'{t}/Const_1', np.array([0], np.int32))],
               {'T': A.type(I32), 'Tidx': A.type(I32), 'keep_dims': A.b(False)})
    perm = fg.op('ConcatV2', f'{t}/concat', [free, axes, fg.const(f'{t}/concat/axis', np.int32(0))],
                 {'N': A.i(2), 'T': A.type(I32), 'Tidx': A.type(I32)})
    new_shape = fg.op('Pack', f'{t}/stack', [pf, pa], {'N': A.i(2), 'T': A.type(I32), 'axis': A.i(0)})
    tr = fg.op('Transpose', f'{t}/transpose', [x, perm], {'T': A.type(F32), 'Tperm': A.type(I32)})
    rs = fg.op('Reshape', f'{t}/Reshape', [tr, new_shape], {'T': A.type(F32), 'Tshape': A.type(I32)})
    mm = fg.matmul(f'{t}/MatMul', rs, kern)
    bfree = fg.const(f'{t}/Const_2', np.array([n_out], np.int32))
    outshape = fg.op('ConcatV2', f'{t}/concat_1', [gfree, bfree, fg.const(f'{t}/concat_1/axis', np.int32(0))],
                     {'N': A.i(2), 'T': A.type(I32), 'Tidx': A.type(I32)})
    y = fg.op('Reshape', t, [mm, outshape], {'T': A.type(F32), 'Tshape': A.type(I32)}, exact=True)
    return fg.bias_add(f'{scope}/BiasAdd', y, w(f'{scope}/bias', B))


def m_bidirectional_lstm_savedmodel():
    """Sequential([Input((5, 3)), Bidirectional(LSTM(4, return_sequences=True)), Bidirectional(LSTM(3)),
    Dense(2)]), batch unknown. Keras 2 Bidirectional.call: the backward layer is a go_backwards copy; with
    return_sequences its output is reversed back on the time axis (backend.reverse -> ReverseV2 axis 1),
    merge_mode concat (ConcatV2 axis -1)."""
    rng = cf.rng_for('bidirectional_lstm_savedmodel')
    T, F, u1, u2 = 5, 3, 4, 3
    Ws = []
    for n_in, u in ((F, u1), (F, u1), (2 * u1, u2), (2 * u1, u2)):
        Ws.append((weights(rng, n_in, 4 * u), weights(rng, u, 4 * u), weights(rng, 4 * u, scale=0.1)))
    DK, DB = weights(rng, 2 * u2, 2, scale=1.0), weights(rng, 2, scale=0.1)
    F32, I32 = cf.F32, cf.I32

    def body(fg, xs, w):
        sc = 'sequential/bidirectional'
        f1 = keras2_layer(fg, fg.lib, 'lstm', f'{sc}/forward_lstm', xs[0], T, F, u1, w, *Ws[0], return_sequences=True,
                          uuid='11111111-2222-4333-8444-555555555555')
        b1 = keras2_layer(fg, fg.lib, 'lstm', f'{sc}/backward_lstm', xs[0], T, F, u1, w, *Ws[1], return_sequences=True,
                          go_backwards=True, uuid='66666666-7777-4888-9999-aaaaaaaaaaaa')
        rev = fg.op('ReverseV2', f'{sc}/ReverseV2', [b1[1], fg.const(f'{sc}/ReverseV2/axis', np.array([1], np.int32))],
                    {'T': A.type(F32), 'Tidx': A.type(I32)})
        cat = fg.op('ConcatV2', f'{sc}/concat', [f1[1], rev, fg.const(f'{sc}/concat/axis', np.int32(-1))],
                    {'N': A.i(2), 'T': A.type(F32), 'Tidx': A.type(I32)})
        sc = 'sequential/bidirectional_1'
        f2 = keras2_layer(fg, fg.lib, 'lstm', f'{sc}/forward_lstm_1', cat, T, 2 * u1, u2, w, *Ws[2],
                          uuid='bbbbbbbb-cccc-4ddd-8eee-ffffffffffff')
        b2 = keras2_layer(fg, fg.lib, 'lstm', f'{sc}/backward_lstm_1', cat, T, 2 * u1, u2, w, *Ws[3], go_backwards=True,
                          uuid='01234567-89ab-4cde-8f01-23456789abcd')
        cat2 = fg.op('ConcatV2', f'{sc}/concat', [f2[0], b2[0], fg.const(f'{sc}/concat/axis', np.int32(-1))],
                     {'N': A.i(2), 'T': A.type(F32), 'Tidx': A.type(I32)})
        return [('dense', dense(fg, 'sequential/dense', cat2, w, DK, DB), F32, [-1, 2])]
    sm = SavedModel([('bidirectional_input', F32, [-1, T, F])], body)

    def ref(f):
        x = f['bidirectional_input']
        _, s_f, _, _ = lstm_np(x, *Ws[0], u1)
        _, s_b, _, _ = lstm_np(x, *Ws[1], u1, go_backwards=True)
        cat = np.concatenate([s_f, s_b[:, ::-1]], -1)
        h_f, _, _, _ = lstm_np(cat, *Ws[2], u2)
        h_b, _, _, _ = lstm_np(cat, *Ws[3], u2, go_backwards=True)
        return [np.concatenate([h_f, h_b], -1) @ DK + DB]
    return sm, [sm_entry('bidirectional_lstm_savedmodel', [('bidirectional_input', [-1, T, F], 'float32')],
                         ['dense']),
                batch3(sm_entry('bidirectional_lstm_savedmodel_batch3', [('bidirectional_input', [3, T, F], 'float32')],
                         ['dense'], file='bidirectional_lstm_savedmodel', args=['--input_shapes', f'3,{T},{F}']))], ref


def m_lstm_encoder_decoder_savedmodel():
    """The Keras seq2seq pattern (functional, two inputs): _, h, c = LSTM(6, return_state=True)(encoder_inputs
    [-1,5,3]); seq = LSTM(6, return_sequences=True)(decoder_inputs [-1,4,2], initial_state=[h, c]);
    Dense(3) on the sequence (tensordot). The decoder's initial states are the encoder's results 2 and 3."""
    rng = cf.rng_for('lstm_encoder_decoder_savedmodel')
    Te, Fe, Td, Fd, u = 5, 3, 4, 2, 6
    KE, RE, BE = weights(rng, Fe, 4 * u), weights(rng, u, 4 * u), weights(rng, 4 * u, scale=0.1)
    KD, RD, BD = weights(rng, Fd, 4 * u), weights(rng, u, 4 * u), weights(rng, 4 * u, scale=0.1)
    DK, DB = weights(rng, u, 3, scale=1.0), weights(rng, 3, scale=0.1)
    F32 = cf.F32

    def body(fg, xs, w):
        enc = keras2_layer(fg, fg.lib, 'lstm', 'model/lstm', xs[0], Te, Fe, u, w, KE, RE, BE,
                           uuid='a0a0a0a0-b1b1-4c2c-8d3d-e4e4e4e4e4e4')
        tag = 'lstm_f5f5f5f5-0606-4717-8828-393939393939'
        fname, nres = standard_rnn(fg.lib, 'lstm', Td, Fd, u, True, False, tag)
        gpu_twin(fg.lib, 'lstm', Td, Fd, u, tag, False)
        ws = [w('model/lstm_1/lstm_cell/kernel', KD), w('model/lstm_1/lstm_cell/recurrent_kernel', RD),
              w('model/lstm_1/lstm_cell/bias', BD)]
        dec = call(fg, 'PartitionedCall', 'model/lstm_1/PartitionedCall', [xs[1], enc[2], enc[3]] + ws, [F32] * 6,
                   [F32] * nres, fname)
        return [('dense', tensordot_dense(fg, 'model/dense', dec[1], w, DK, DB, u, 3), F32, [-1, Td, 3])]
    sm = SavedModel([('encoder_inputs', F32, [-1, Te, Fe]), ('decoder_inputs', F32, [-1, Td, Fd])], body)

    def ref(f):
        _, _, h, c = lstm_np(f['encoder_inputs'], KE, RE, BE, u)
        x = f['decoder_inputs']
        seq = []
        for t in range(x.shape[1]):
            z = x[:, t] @ KD + h @ RD + BD
            i, ff, g, o = np.split(z, 4, axis=1)
            c = sigmoid(ff) * c + sigmoid(i) * np.tanh(g)
            h = sigmoid(o) * np.tanh(c)
            seq.append(h)
        return [np.stack(seq, 1) @ DK + DB]
    return sm, [sm_entry('lstm_encoder_decoder_savedmodel', [('decoder_inputs', [-1, Td, Fd], 'float32'),
                                                             ('encoder_inputs', [-1, Te, Fe], 'float32')],
                         ['dense'])], ref


def m_gru_const_weights_savedmodel():
    """A SavedModel whose weights are Const nodes inside the functions and whose variables/ is empty
    (the layout onnx2tf writes): Sequential([Input((6, 4)), GRU(5), Dense(1)]), batch unknown."""
    rng = cf.rng_for('gru_const_weights_savedmodel')
    T, F, u = 6, 4, 5
    K, R, B = weights(rng, F, 3 * u), weights(rng, u, 3 * u), weights(rng, 2, 3 * u, scale=0.1)
    DK, DB = weights(rng, u, 1, scale=1.0), weights(rng, 1, scale=0.1)

    def body(fg, xs, w):
        g1 = keras2_layer(fg, fg.lib, 'gru', 'sequential/gru', xs[0], T, F, u, w, K, R, B,
                          uuid='c0ffee00-1234-4567-89ab-cdef01234567')
        return [('dense', dense(fg, 'sequential/dense', g1[0], w, DK, DB), cf.F32, [-1, 1])]
    sm = SavedModel([('gru_input', cf.F32, [-1, T, F])], body, use_variables=False)

    def ref(f):
        h, _, _ = gru_np(f['gru_input'], K, R, B, u)
        return [h @ DK + DB]
    return sm, [sm_entry('gru_const_weights_savedmodel', [('gru_input', [-1, T, F], 'float32')], ['dense'])], ref


def masked_standard_lstm(lib, T, n_in, u, tag):
    """__inference_standard_lstm_* of a masked Keras 2 LSTM (return_sequences=False, zero_output_for_mask
    False): args (inputs, init_h, init_c, kernel, recurrent_kernel, bias, mask[b,t] bool,
    sequence_lengths[b] int32 (unused on CPU)). backend.rnn with a mask: mask -> ExpandDims(-1) ->
    Transpose to time major -> bool TensorList; the loop carries prev_output (ZerosLike of the dead
    time-zero step's output) and per step selects SelectV2(Tile(mask_t), new, old) for the output and
    both states."""
    F32, I32, BOOL, VARIANT = cf.F32, cf.I32, cf.BOOL, cf.VARIANT
    fname = f'__inference_standard_lstm_{cf.Uid.next()}'
    fg = cf.Graph(lib, fname)
    a = [fg.add_arg('inputs', F32, [-1, T, n_in], 'inputs'), fg.add_arg('init_h', F32, [-1, u], 'init_h'),
         fg.add_arg('init_c', F32, [-1, u], 'init_c'), fg.add_arg('kernel', F32, [n_in, 4 * u], 'kernel'),
         fg.add_arg('recurrent_kernel', F32, [u, 4 * u], 'recurrent_kernel'),
         fg.add_arg('bias', F32, [4 * u], 'bias'), fg.add_arg('mask', BOOL, [-1, T], 'mask'),
         fg.add_arg('sequence_lengths', I32, [-1], 'sequence_lengths')]
    xt = fg.transpose('transpose', a[0], [1, 0, 2])
    n = fg.strided_slice('strided_slice', fg.op('Shape', 'Shape', [xt], {'T': A.type(F32), 'out_type': A.type(I32)}),
                         [0], [1], [1], I32, shrink=1)
    me = fg.op('ExpandDims', 'ExpandDims', [a[6], fg.const('ExpandDims/dim', np.int32(-1))],
               {'T': A.type(BOOL), 'Tdim': A.type(I32)})
    mt = fg.op('Transpose', 'transpose_1', [me, fg.sub_const('transpose_1/perm', np.array([1, 0, 2], np.int32))],
               {'T': A.type(BOOL), 'Tperm': A.type(I32)}, exact=True)
    fg.tl_reserve('TensorArrayV2', np.int32(-1), n)  # input TensorArray, replaced by unstack (dead)
    in_list = fg.tl_from_tensor('TensorArrayUnstack/TensorListFromTensor', xt, [-1, n_in])
    x0 = fg.strided_slice('strided_slice_1', xt, [0], [1], [1], shrink=1)
    h0, _ = cf.keras2_cell(fg, x0, a[1], a[2], a[3], a[4], a[5])  # output_time_zero
    out_list = fg.tl_reserve('TensorArrayV2_1', [-1, u], 1)
    fg.tl_reserve('TensorArrayV2_2', np.int32(-1), n)  # mask TensorArray, replaced by unstack (dead)
    mes = fg.sub_const('TensorArrayUnstack_1/TensorListFromTensor/element_shape', np.array([-1, 1], np.int32))
    mask_list = fg.op('TensorListFromTensor', 'TensorArrayUnstack_1/TensorListFromTensor', [mt, mes], exact=True,
                      attrs={'element_dtype': A.type(BOOL), 'shape_type': A.type(I32)})
    zo = fg.op('ZerosLike', 'zeros_like', [h0], {'T': A.type(F32)})
    time = fg.const('time', np.int32(0))
    nv = cf.Var(n, I32, [], 'strided_slice', 'strided_slice')
    nv.cond_uses = True
    caps = [nv, cf.Var(in_list, VARIANT, [], 'TensorArrayUnstack/TensorListFromTensor',
                       'tensorarrayv2read_tensorlistgetitem_tensorarrayunstack_tensorlistfromtensor'),
            cf.Var(mask_list, VARIANT, [], 'TensorArrayUnstack_1/TensorListFromTensor',
                   'tensorarrayv2read_1_tensorlistgetitem_tensorarrayunstack_1_tensorlistfromtensor'),
            cf.Var(a[3], F32, [n_in, 4 * u], 'kernel', 'matmul_kernel'),
            cf.Var(a[4], F32, [u, 4 * u], 'recurrent_kernel', 'matmul_1_recurrent_kernel'),
            cf.Var(a[5], F32, [4 * u], 'bias', 'biasadd_bias')]

    def body(bg, b):  # counter, max_iter, time, out_list, prev_output, h, c, n, in_list, mask_list, K, R, B
        item = bg.tl_get('TensorArrayV2Read/TensorListGetItem', b[8], b[2], [-1, n_in])
        mname = bg.reserve('TensorArrayV2Read_1/TensorListGetItem')
        mes = bg.sub_const(f'{mname}/element_shape', np.array([-1, 1], np.int32))
        mask_t = bg.op('TensorListGetItem', mname, [b[9], b[2], mes], exact=True, attrs={'element_dtype': A.type(BOOL)})
        h, c = cf.keras2_cell(bg, item, b[5], b[6], b[10], b[11], b[12])

        def select(k, new, old):
            t = bg.op('Tile', f'Tile{k}', [mask_t, bg.const(f'Tile{k}/multiples', np.array([1, 1], np.int32))],
                      {'T': A.type(BOOL), 'Tmultiples': A.type(I32)})
            return bg.op('SelectV2', f'SelectV2{k}', [t, new, old], {'T': A.type(F32)})
        out = select('', h, b[4])
        h2 = select('_1', h, b[5])
        c2 = select('_2', c, b[6])
        idx = bg.const('TensorArrayV2Write/TensorListSetItem/index', np.int32(0))
        lst = bg.tl_set('TensorArrayV2Write/TensorListSetItem', b[3], idx, out)
        return [cf.incr(bg, b[2], 'add_4'), lst, out, h2, c2]
    wl = cf.make_while(fg, 'while', [cf.Var(time, I32, []), cf.Var(out_list, VARIANT, []), cf.Var(zo, F32, [-1, u]),
                                     cf.Var(a[1], F32, [-1, u]), cf.Var(a[2], F32, [-1, u])], caps,
                       lambda cg, b: cg.binary('Less', 'Less', b[2], b[7], I32), body, parallel_iterations=32)
    st = fg.tl_stack('TensorArrayV2Stack/TensorListStack', wl[3], [-1, u], 1)
    last = fg.strided_slice('strided_slice_2', st, [-1], [0], [1], shrink=1)
    seq = fg.transpose('transpose_2', st, [1, 0, 2])
    runtime = fg.const('runtime', np.float32(1.0))
    for k, r in enumerate([last, seq, wl[5], wl[6], runtime]):
        fg.rets.append(('identity' + (f'_{k}' if k else ''), fg.identity('Identity' + (f'_{k}' if k else ''), r), F32))
    fg.finish({'api_implements': A.s(tag), 'api_preferred_device': A.s('CPU'), 'time_major': A.b(False),
               'go_backwards': A.b(False)})
    return fname


def m_embedding_masked_lstm_savedmodel():
    """The Keras 2 text classifier: Sequential([Input((6,), dtype=int32), Embedding(5, 3, mask_zero=True),
    LSTM(4), Dense(1)]), batch unknown. Embedding: ResourceGather on the variable (+ Identity); its mask
    NotEqual(tokens, 0) goes to the LSTM's tagged function as a 7th argument (plus sequence_lengths =
    Sum(Cast(mask))), so the function is not the plain fusable one: masked steps keep the previous output
    and states. Tokens: rounded uniform [-0.49, 4.49] (a quarter are the padding id 0)."""
    rng = cf.rng_for('embedding_masked_lstm_savedmodel')
    T, V, E, u = 6, 5, 3, 4
    EMB = weights(rng, V, E, scale=1.0)
    K, R, B = weights(rng, E, 4 * u), weights(rng, u, 4 * u), weights(rng, 4 * u, scale=0.1)
    DK, DB = weights(rng, u, 1, scale=1.5), weights(rng, 1, scale=0.1)
    F32, I32, BOOL = cf.F32, cf.I32, cf.BOOL

    def body(fg, xs, w):
        res = w('sequential/embedding/embeddings', EMB, resource=True)
        emb = fg.op('ResourceGather', 'sequential/embedding/embedding_lookup', [res, xs[0]], exact=True,
                    attrs={'dtype': A.type(F32), 'Tindices': A.type(I32), 'batch_dims': A.i(0),
                           'validate_indices': A.b(True)})
        emb = fg.identity('sequential/embedding/embedding_lookup/Identity', emb)
        mask = fg.op('NotEqual', 'sequential/embedding/NotEqual', [xs[0], fg.const('sequential/embedding/NotEqual/y',
                                                                                    np.int32(0))],
                     {'T': A.type(I32), 'incompatible_shape_error': A.b(True)})
        sc = 'sequential/lstm'
        seqlen = fg.op('Sum', f'{sc}/Sum', [fg.op('Cast', f'{sc}/Cast', [mask], {'SrcT': A.type(BOOL), 'DstT': A.type(I32),
                                                                               'Truncate': A.b(False)}),
                                           fg.const(f'{sc}/Sum/reduction_indices', np.int32(1))],
                       {'T': A.type(I32), 'Tidx': A.type(I32), 'keep_dims': A.b(False)})
        shp = fg.op('Shape', f'{sc}/Shape', [emb], {'T': A.type(F32), 'out_type': A.type(I32)})
        batch = fg.strided_slice(f'{sc}/strided_slice', shp, [0], [1], [1], I32, shrink=1)
        zeros = []
        for z in ('zeros', 'zeros_1'):
            packed = fg.op('Pack', f'{sc}/{z}/packed', [batch, fg.const(f'{sc}/{z}/packed/1', np.int32(u))],
                           {'N': A.i(2), 'T': A.type(I32), 'axis': A.i(0)})
            zeros.append(fg.op('Fill', f'{sc}/{z}', [packed, fg.const(f'{sc}/{z}/Const', np.float32(0))],
                               {'T': A.type(F32), 'index_type': A.type(I32)}))
        tag = 'lstm_e1e2e3e4-f5f6-4a7a-8b8b-c9c9c9c9c9c9'
        fname = masked_standard_lstm(fg.lib, T, E, u, tag)
        ws = [w(f'{sc}/lstm_cell/kernel', K), w(f'{sc}/lstm_cell/recurrent_kernel', R), w(f'{sc}/lstm_cell/bias', B)]
        l1 = call(fg, 'PartitionedCall', f'{sc}/PartitionedCall', [emb] + zeros + ws + [mask, seqlen],
                  [F32] * 6 + [BOOL, I32], [F32] * 5, fname)
        return [('dense', dense(fg, 'sequential/dense', l1[0], w, DK, DB), F32, [-1, 1])]
    sm = SavedModel([('embedding_input', I32, [-1, T])], body)

    def ref(f):
        tok = f['embedding_input']
        x = EMB[tok]
        m = (tok != 0)[:, :, None]
        h = np.zeros((tok.shape[0], u), np.float32)
        c, out = np.zeros_like(h), np.zeros_like(h)
        for t in range(T):
            z = x[:, t] @ K + h @ R + B
            i, ff, g, o = np.split(z, 4, axis=1)
            c2 = sigmoid(ff) * c + sigmoid(i) * np.tanh(g)
            h2 = sigmoid(o) * np.tanh(c2)
            out = np.where(m[:, t], h2, out)
            h, c = np.where(m[:, t], h2, h), np.where(m[:, t], c2, c)
        return [out @ DK + DB]
    return sm, [sm_entry('embedding_masked_lstm_savedmodel', [('embedding_input', [-1, T], 'int32')], ['dense'],
                         compare=['--range', '-0.49,4.49', '--samples', '16']),
                batch3(sm_entry('embedding_masked_lstm_savedmodel_batch3', [('embedding_input', [3, T], 'int32')], ['dense'],
                         file='embedding_masked_lstm_savedmodel', args=['--input_shapes', f'3,{T}'],
                         compare=['--range', '-0.49,4.49', '--samples', '16'],
                         note='batch 3: rows masked differently in one batch'))], ref


def m_float64_io_savedmodel():
    """tf.function(input_signature=[TensorSpec([None, 3], tf.float64)]) returning float64 too (models
    exported from float64 pipelines): Cast to float32, a 4-step While y = tanh(y @ W), Cast back to
    float64. TF's converter keeps both signature tensors FLOAT64 (CONTROL_FLOW.md 6)."""
    rng = cf.rng_for('float64_io_savedmodel')
    W = weights(rng, 3, 3, scale=0.8)
    F32, F64, I32 = cf.F32, cf.F64, cf.I32

    def body(fg, xs, w):
        y = fg.op('Cast', 'Cast', [xs[0]], {'SrcT': A.type(F64), 'DstT': A.type(F32), 'Truncate': A.b(False)})
        wv = w('w', W)
        i0 = fg.const('Const', np.int32(0))

        def wbody(bg, a):
            return [cf.incr(bg, a[2], 'add'), bg.unary('Tanh', 'Tanh', bg.matmul('MatMul', a[3], a[4]))]
        wl = cf.make_while(fg, 'while', [cf.Var(i0, I32, []), cf.Var(y, F32, [-1, 3])],
                           [cf.Var(wv, F32, [3, 3], 'ReadVariableOp', 'matmul_readvariableop')],
                           lambda cg, a: cf.less_const(cg, a[2], 4), wbody)
        out = fg.op('Cast', 'Cast_1', [wl[3]], {'SrcT': A.type(F32), 'DstT': A.type(F64), 'Truncate': A.b(False)})
        return [('output_0', out, F64, [-1, 3])]
    sm = SavedModel([('x', F64, [-1, 3])], body)

    def ref(f):
        y = f['x'].astype(np.float32)
        for _ in range(4):
            y = np.tanh(y @ W)
        return [y.astype(np.float64)]
    return sm, [sm_entry('float64_io_savedmodel', [('x', [-1, 3], 'float64')], ['output_0'],
                         inspect_expect=['"serving_default_x:0" FLOAT64', 'FLOAT64 [1,3] sig=[-1,3]'],
                         note='input and output stay FLOAT64 (tflc inspect)')], ref


def m_lstm_three_outputs_savedmodel():
    """Functional tf.keras 2 model with three signature outputs (keys sorted as the signature wrapper
    orders them): seq, h, c = LSTM(4, return_sequences=True, return_state=True)(Input((5, 3)));
    outputs dense = Dense(2)(h), sequence = seq, state_c = c (tagged function results 1, 2, 3 used)."""
    rng = cf.rng_for('lstm_three_outputs_savedmodel')
    T, F, u = 5, 3, 4
    K, R, B = weights(rng, F, 4 * u), weights(rng, u, 4 * u), weights(rng, 4 * u, scale=0.1)
    DK, DB = weights(rng, u, 2, scale=1.0), weights(rng, 2, scale=0.1)
    F32 = cf.F32

    def body(fg, xs, w):
        l1 = keras2_layer(fg, fg.lib, 'lstm', 'model/lstm', xs[0], T, F, u, w, K, R, B, return_sequences=True,
                          uuid='13579bdf-2468-4ace-8bdf-0123456789ab')
        return [('dense', dense(fg, 'model/dense', l1[2], w, DK, DB), F32, [-1, 2]),
                ('sequence', l1[1], F32, [-1, T, u]), ('state_c', l1[3], F32, [-1, u])]
    sm = SavedModel([('input_1', F32, [-1, T, F])], body)

    def ref(f):
        _, seq, h, c = lstm_np(f['input_1'], K, R, B, u)
        return [h @ DK + DB, seq, c]
    return sm, [sm_entry('lstm_three_outputs_savedmodel', [('input_1', [-1, T, F], 'float32')],
                         ['dense', 'sequence', 'state_c'])], ref


def m_tensorarray_dynamic_size():
    """tf.TensorArray(tf.float32, size=0, dynamic_size=True) written in a 4-step loop (graph:
    TensorListReserve(num_elements=0), TensorListSetItem(resize_if_index_out_of_bounds=True)): the
    list grows, which no static tensor can hold (TF's converter leaves such a SetItem unlowered,
    CONTROL_FLOW.md 2.2): a clear error naming the attribute, not a wrong result."""
    F32, I32, VARIANT = cf.F32, cf.I32, cf.VARIANT
    gd, g = cf.new_graph()
    x = g.placeholder('x', F32, [1, 4])
    lst = g.tl_reserve('TensorArrayV2', [1, 4], 0)
    i0 = g.const('Const', np.int32(0))

    def body(bg, a):  # counter, max_iter, i, list, x
        v = cf.binary_const(bg, 'Mul', 'mul', a[4], np.float32(2.0))
        it = bg.op('TensorListSetItem', 'TensorArrayV2Write/TensorListSetItem', [a[3], a[2], v],
                   {'element_dtype': A.type(F32), 'resize_if_index_out_of_bounds': A.b(True)})
        return [cf.incr(bg, a[2], 'add'), it]
    w = cf.make_while(g, 'while', [cf.Var(i0, I32, []), cf.Var(lst, VARIANT, [])],
                      [cf.Var(x, F32, [1, 4], 'x', 'mul_x')], lambda cg, a: cf.less_const(cg, a[2], 4), body)
    g.identity('Identity', g.tl_stack('TensorArrayV2Stack/TensorListStack', w[3], [1, 4], -1))

    def ref(f):
        return [np.stack([f['x'] * 2] * 4)]
    return gd, [cf.entry('tensorarray_dynamic_size', [('x', [1, 4], 'float32')], expect='resize_if_index_out_of_bounds',
                         expect_also=['TensorListSetItem'],
                         note='a growing TensorArray (dynamic_size=True): clear error')], ref


def gru_v1_cell(fg, x, h, kr, br, rr, u, pre=''):
    """Keras 2 GRUCell.call, implementation 2, reset_after=False (keras/layers/rnn/gru.py), reading the
    variables where the cell uses them: MatMul/ReadVariableOp (kernel), BiasAdd/ReadVariableOp (bias),
    strided_slice/ReadVariableOp and strided_slice_1/ReadVariableOp (recurrent_kernel[:, :2u] and [:, 2u:])."""
    F32, I32 = cf.F32, cf.I32
    rd = lambda name, r: fg.op('ReadVariableOp', f'{pre}{name}/ReadVariableOp', [r], {'dtype': A.type(F32)})
    mx = fg.matmul(f'{pre}MatMul', x, rd('MatMul', kr))
    mx = fg.bias_add(f'{pre}BiasAdd', mx, rd('BiasAdd', br))
    xs = fg.op('Split', f'{pre}split', [fg.const(f'{pre}split/split_dim', np.int32(-1)), mx],
               {'T': A.type(F32), 'num_split': A.i(3)}, n_out=3)
    rk1 = fg.strided_slice(f'{pre}strided_slice', rd('strided_slice', rr), [0, 0], [0, 2 * u], [1, 1],
                           begin_mask=3, end_mask=1)
    mi = fg.matmul(f'{pre}MatMul_1', h, rk1)
    rs = fg.op('SplitV', f'{pre}split_1', [mi, fg.const(f'{pre}Const', np.array([u, u, -1], np.int32)),
                                         fg.const(f'{pre}split_1/split_dim', np.int32(-1))],
               {'T': A.type(F32), 'Tlen': A.type(I32), 'num_split': A.i(3)}, n_out=3)
    z = fg.unary('Sigmoid', f'{pre}Sigmoid', fg.binary('AddV2', f'{pre}add', xs[0], rs[0]))
    r = fg.unary('Sigmoid', f'{pre}Sigmoid_1', fg.binary('AddV2', f'{pre}add_1', xs[1], rs[1]))
    rk2 = fg.strided_slice(f'{pre}strided_slice_1', rd('strided_slice_1', rr), [0, 2 * u], [0, 0], [1, 1],
                           begin_mask=1, end_mask=3)
    rh = fg.matmul(f'{pre}MatMul_2', fg.binary('Mul', f'{pre}mul', r, h), rk2)
    hh = fg.unary('Tanh', f'{pre}Tanh', fg.binary('AddV2', f'{pre}add_2', xs[2], rh))
    zh = fg.binary('Mul', f'{pre}mul_1', z, h)
    om = fg.op('Sub', f'{pre}sub', [fg.const(f'{pre}sub/x', np.float32(1.0)), z], {'T': A.type(F32)})
    return fg.binary('AddV2', f'{pre}add_3', zh, fg.binary('Mul', f'{pre}mul_2', om, hh))


def m_gru_resource_loop_savedmodel():
    """tf.keras 2 Sequential([Input((6, 3)), GRU(5, reset_after=False), Dense(2)]), batch unknown.
    reset_after=False cannot use cuDNN, so there is no tagged function: RNN.call runs backend.rnn in the
    wrapped model, and the While captures the cell's variables as DT_RESOURCE loop vars that the body
    reads with ReadVariableOp (the recurrent kernel twice, sliced)."""
    rng = cf.rng_for('gru_resource_loop_savedmodel')
    T, F, u = 6, 3, 5
    K, R, B = weights(rng, F, 3 * u), weights(rng, u, 3 * u), weights(rng, 3 * u, scale=0.1)
    DK, DB = weights(rng, u, 2, scale=1.0), weights(rng, 2, scale=0.1)
    F32, I32, VARIANT = cf.F32, cf.I32, cf.VARIANT

    def body(fg, xs, w):
        sc = 'sequential/gru'
        x = xs[0]
        shp = fg.op('Shape', f'{sc}/Shape', [x], {'T': A.type(F32), 'out_type': A.type(I32)})
        batch = fg.strided_slice(f'{sc}/strided_slice', shp, [0], [1], [1], I32, shrink=1)
        packed = fg.op('Pack', f'{sc}/zeros/packed', [batch, fg.const(f'{sc}/zeros/packed/1', np.int32(u))],
                       {'N': A.i(2), 'T': A.type(I32), 'axis': A.i(0)})
        h0 = fg.op('Fill', f'{sc}/zeros', [packed, fg.const(f'{sc}/zeros/Const', np.float32(0))],
                   {'T': A.type(F32), 'index_type': A.type(I32)})
        kr = w(f'{sc}/gru_cell/kernel', K, resource=True)
        rr = w(f'{sc}/gru_cell/recurrent_kernel', R, resource=True)
        br = w(f'{sc}/gru_cell/bias', B, resource=True)
        xt = fg.transpose(f'{sc}/transpose', x, [1, 0, 2])
        n = fg.strided_slice(f'{sc}/strided_slice_1', fg.op('Shape', f'{sc}/Shape_1', [xt],
                                                            {'T': A.type(F32), 'out_type': A.type(I32)}),
                             [0], [1], [1], I32, shrink=1)
        fg.tl_reserve(f'{sc}/TensorArrayV2', np.int32(-1), n)  # dead
        in_list = fg.tl_from_tensor(f'{sc}/TensorArrayUnstack/TensorListFromTensor', xt, [-1, F])
        x0 = fg.strided_slice(f'{sc}/strided_slice_2', xt, [0], [1], [1], shrink=1)
        gru_v1_cell(fg, x0, h0, kr, br, rr, u, pre=f'{sc}/gru_cell/')  # output_time_zero (dead)
        out_list = fg.tl_reserve(f'{sc}/TensorArrayV2_1', [-1, u], 1)
        time = fg.const(f'{sc}/time', np.int32(0))
        nv = cf.Var(n, I32, [], f'{sc}/strided_slice_1', 'sequential_gru_strided_slice_1')
        nv.cond_uses = True
        caps = [nv, cf.Var(in_list, VARIANT, [], f'{sc}/TensorArrayUnstack/TensorListFromTensor',
                           'tensorarrayv2read_tensorlistgetitem_sequential_gru_tensorarrayunstack_tensorlistfromtensor'),
                cf.Var(kr, RESOURCE, [], 'resource', 'gru_cell_matmul_readvariableop_resource'),
                cf.Var(br, RESOURCE, [], 'resource', 'gru_cell_biasadd_readvariableop_resource'),
                cf.Var(rr, RESOURCE, [], 'resource', 'gru_cell_strided_slice_readvariableop_resource')]

        def wbody(bg, b):  # counter, max_iter, time, out_list, h, n, in_list, kernel, bias, recurrent_kernel
            item = bg.tl_get('TensorArrayV2Read/TensorListGetItem', b[6], b[2], [-1, F])
            h = gru_v1_cell(bg, item, b[4], b[7], b[8], b[9], u, pre='gru_cell/')
            idx = bg.const('TensorArrayV2Write/TensorListSetItem/index', np.int32(0))
            lst = bg.tl_set('TensorArrayV2Write/TensorListSetItem', b[3], idx, h)
            return [cf.incr(bg, b[2], 'add'), lst, h]
        wl = cf.make_while(fg, f'{sc}/while', [cf.Var(time, I32, []), cf.Var(out_list, VARIANT, []),
                                               cf.Var(h0, F32, [-1, u])], caps,
                           lambda cg, b: cg.binary('Less', 'Less', b[2], b[5], I32), wbody, op='While',
                           parallel_iterations=32)
        st = fg.tl_stack(f'{sc}/TensorArrayV2Stack/TensorListStack', wl[3], [-1, u], 1)
        last = fg.strided_slice(f'{sc}/strided_slice_3', st, [-1], [0], [1], shrink=1)
        return [('dense', dense(fg, 'sequential/dense', last, w, DK, DB), F32, [-1, 2])]
    sm = SavedModel([('gru_input', F32, [-1, T, F])], body)

    def ref(f):
        x = f['gru_input']
        h = np.zeros((x.shape[0], u), np.float32)
        for t in range(T):
            xz, xr, xh = np.split(x[:, t] @ K + B, 3, axis=1)
            rz, rr_ = np.split(h @ R[:, :2 * u], 2, axis=1)
            z, r = sigmoid(xz + rz), sigmoid(xr + rr_)
            hh = np.tanh(xh + (r * h) @ R[:, 2 * u:])
            h = z * h + (1 - z) * hh
        return [h @ DK + DB]
    return sm, [sm_entry('gru_resource_loop_savedmodel', [('gru_input', [-1, T, F], 'float32')], ['dense']),
                batch3(sm_entry('gru_resource_loop_savedmodel_batch3', [('gru_input', [3, T, F], 'float32')], ['dense'],
                         file='gru_resource_loop_savedmodel', args=['--input_shapes', f'3,{T},{F}']))], ref


# ---------------------------------------------------------------------------------------------
# GraphDef models

def m_if_nonbool_cond():
    """If whose condition is not bool (raw-op level, allowed: a non-zero scalar is true, functional_ops.cc):
    an int32 one (Cast(Sum(x) > 0) * 3) choosing x*2 / x-1, then a float one (Relu(Sum(y)))
    choosing tanh(y) / y*0.5. 16 samples in [-1, 1] take both branches."""
    F32, I32 = cf.F32, cf.I32
    gd, g = cf.new_graph()
    x = g.placeholder('x', F32, [1, 4])
    gt = cf.sum_greater_zero(g, x)
    ci = g.op('Cast', 'Cast', [gt], {'SrcT': A.type(cf.BOOL), 'DstT': A.type(I32), 'Truncate': A.b(False)})
    ci = cf.binary_const(g, 'Mul', 'mul', ci, np.int32(3))
    y = make_if_t(g, 'cond', ci, I32, [cf.Var(x, F32, [1, 4], 'x', 'x')],
                  lambda fg, a: [cf.binary_const(fg, 'Mul', 'mul', a[0], np.float32(2))],
                  lambda fg, a: [cf.binary_const(fg, 'Sub', 'sub', a[0], np.float32(1))], [F32], [[1, 4]])[0]
    axes = g.const('Const_1', np.array([0, 1], np.int32))
    s = g.op('Sum', 'Sum_1', [y, axes], {'T': A.type(F32), 'Tidx': A.type(I32), 'keep_dims': A.b(False)})
    cfl = g.unary('Relu', 'Relu', s)
    z = make_if_t(g, 'cond_1', cfl, F32, [cf.Var(y, F32, [1, 4], 'y', 'y')],
                  lambda fg, a: [fg.unary('Tanh', 'Tanh', a[0])],
                  lambda fg, a: [cf.binary_const(fg, 'Mul', 'mul', a[0], np.float32(0.5))], [F32], [[1, 4]],
                  op='If')[0]
    g.identity('Identity', z)

    def ref(f):
        x = f['x']
        y = x * 2 if x.sum() > 0 else x - 1
        return [np.tanh(y) if max(y.sum(), 0) != 0 else y * np.float32(0.5)]
    return gd, [cf.entry('if_nonbool_cond', [('x', [1, 4], 'float32')], compare=['--range', '-1,1', '--samples', '16'])], ref


def make_if_t(g, scope, pred, tcond, inputs, then_fn, else_fn, out_dts, out_dims, op='StatelessIf'):
    """cf.make_if with a condition of type `tcond`."""
    outs = cf.make_if(g, scope, pred, inputs, then_fn, else_fn, out_dts, out_dims, op=op)
    node = [n for n in g.nodes if n.name == scope][0]
    node.attr['Tcond'].CopyFrom(A.type(tcond))
    return outs


def m_if_in_while():
    """While 4x: x = StatelessIf(Sum(x) > 0){ x*0.5 - 0.3 } else { x + 0.7 } inside the body (cond_v2 in
    while_v2), plus x = tanh(x @ W) after the If, W captured by the loop and the then branch."""
    F32, I32 = cf.F32, cf.I32
    gd, g = cf.new_graph()
    rng = cf.rng_for('if_in_while')
    W = weights(rng, 4, 4)
    x = g.placeholder('x', F32, [1, 4])
    wc = g.const('W', W)
    i0 = g.const('Const', np.int32(0))

    def body(bg, a):  # counter, max_iter, i, x, W
        pred = cf.sum_greater_zero(bg, a[3])

        def then_fn(fg, b):
            m = cf.binary_const(fg, 'Mul', 'mul', b[0], np.float32(0.5))
            return [cf.binary_const(fg, 'Sub', 'sub', m, np.float32(0.3))]
        y = cf.make_if(bg, 'while/cond', pred, [cf.Var(a[3], F32, [1, 4], 'x', 'placeholder_1')],
                       then_fn, lambda fg, b: [cf.binary_const(fg, 'AddV2', 'add', b[0], np.float32(0.7))],
                       [F32], [[1, 4]])[0]
        return [cf.incr(bg, a[2], 'add_1'), bg.unary('Tanh', 'Tanh', bg.matmul('MatMul', y, a[4]))]
    w = cf.make_while(g, 'while', [cf.Var(i0, I32, []), cf.Var(x, F32, [1, 4])], [cf.Var(wc, F32, [4, 4], 'W', 'matmul_w')],
                      lambda cg, a: cf.less_const(cg, a[2], 4), body)
    g.identity('Identity', w[3])

    def ref(f):
        x = f['x']
        for _ in range(4):
            x = x * np.float32(0.5) - np.float32(0.3) if x.sum() > 0 else x + np.float32(0.7)
            x = np.tanh(x @ W)
        return [x]
    return gd, [cf.entry('if_in_while', [('x', [1, 4], 'float32')], compare=['--range', '-1,1', '--samples', '16'])], ref


def m_while_int_cond():
    """StatelessWhile whose cond returns an int32 scalar (5 - i: non-zero = true, the While op doc;
    legal at the raw-op level, while_v2 itself always returns bool): 5 steps of x = x*0.8 + 0.2."""
    F32, I32 = cf.F32, cf.I32
    gd, g = cf.new_graph()
    x = g.placeholder('x', F32, [1, 3])
    i0 = g.const('Const', np.int32(0))

    def cond(cg, a):
        return cg.op('Sub', 'sub', [cg.sub_const('sub/x', np.int32(5)), a[2]], {'T': A.type(I32)})

    def body(bg, a):
        m = cf.binary_const(bg, 'Mul', 'mul', a[3], np.float32(0.8))
        return [cf.incr(bg, a[2], 'add_1'), cf.binary_const(bg, 'AddV2', 'add', m, np.float32(0.2))]
    w = cf.make_while(g, 'while', [cf.Var(i0, I32, []), cf.Var(x, F32, [1, 3])], [], cond, body)
    # the cond function's output is int32: fix its signature and Identity
    cname = [n for n in g.nodes if n.name == 'while'][0].attr['cond'].func.name
    f = [f for f in gd.library.function if f.signature.name == cname][0]
    f.signature.output_arg[0].type = I32
    for n in f.node_def:
        if n.op == 'Identity':
            n.attr['T'].CopyFrom(A.type(I32))
    g.identity('Identity', w[3])

    def ref(f):
        x = f['x']
        for _ in range(5):
            x = x * np.float32(0.8) + np.float32(0.2)
        return [x]
    return gd, [cf.entry('while_int_cond', [('x', [1, 3], 'float32')])], ref


def m_tensorlist_push_pop():
    """TensorList ops outside loops (tf.TensorArray-free list_ops use, e.g. tf.raw_ops in
    custom layers): EmptyTensorList([1,4]) PushBack x, x*2, tanh(x); PopBack -> t (= tanh(x));
    Length (2) and ElementShape ([1,4]) as float factors; output t*len + Stack(list).sum(0) + Sum(shape)."""
    F32, I32, VARIANT = cf.F32, cf.I32, cf.VARIANT
    gd, g = cf.new_graph()
    x = g.placeholder('x', F32, [1, 4])
    es = g.const('EmptyTensorList/element_shape', np.array([1, 4], np.int32))
    lst = g.op('EmptyTensorList', 'EmptyTensorList', [es, g.const('EmptyTensorList/max_num_elements', np.int32(-1))],
               {'element_dtype': A.type(F32), 'shape_type': A.type(I32)})

    def push(name, h, v):
        return g.op('TensorListPushBack', name, [h, v], {'element_dtype': A.type(F32)})
    lst = push('TensorListPushBack', lst, x)
    lst = push('TensorListPushBack_1', lst, cf.binary_const(g, 'Mul', 'mul', x, np.float32(2)))
    lst = push('TensorListPushBack_2', lst, g.unary('Tanh', 'Tanh', x))
    pop = g.op('TensorListPopBack', 'TensorListPopBack', [lst, g.const('TensorListPopBack/element_shape',
                                                                         np.array([1, 4], np.int32))],
               {'element_dtype': A.type(F32)}, n_out=2)
    n = g.op('TensorListLength', 'TensorListLength', [pop[0]])
    shp = g.op('TensorListElementShape', 'TensorListElementShape', [pop[0]], {'shape_type': A.type(I32)})
    nf = g.op('Cast', 'Cast', [n], {'SrcT': A.type(I32), 'DstT': A.type(F32), 'Truncate': A.b(False)})
    ssum = g.op('Sum', 'Sum', [shp, g.const('Const', np.array([0], np.int32))],
                {'T': A.type(I32), 'Tidx': A.type(I32), 'keep_dims': A.b(False)})
    sf = g.op('Cast', 'Cast_1', [ssum], {'SrcT': A.type(I32), 'DstT': A.type(F32), 'Truncate': A.b(False)})
    st = g.tl_stack('TensorListStack', pop[0], [1, 4], -1)
    stsum = g.op('Sum', 'Sum_1', [st, g.const('Const_1', np.array([0], np.int32))],
                 {'T': A.type(F32), 'Tidx': A.type(I32), 'keep_dims': A.b(False)})
    y = g.binary('AddV2', 'add', g.binary('Mul', 'mul_1', pop[1], nf), stsum)
    g.identity('Identity', g.binary('AddV2', 'add_1', y, sf))

    def ref(f):
        x = f['x']
        return [np.tanh(x) * 2 + (x + 2 * x) + np.float32(5)]
    return gd, [cf.entry('tensorlist_push_pop', [('x', [1, 4], 'float32')])], ref


def m_while_max_iterations():
    """tf.while_loop(lambda i, x: i < 10, body, maximum_iterations=3): while_v2's cond is
    LogicalAnd(loop_counter < maximum_iterations, i < 10); the counter stops it after 3 steps of
    x = x*1.5 - 0.25 (the loop's own bound would give 10)."""
    F32, I32 = cf.F32, cf.I32
    gd, g = cf.new_graph()
    x = g.placeholder('x', F32, [1, 4])
    i0 = g.const('Const', np.int32(0))
    mi = g.const('while/maximum_iterations', np.int32(3))

    def cond(cg, a):
        pred = cf.less_const(cg, a[2], 10)
        lim = cg.binary('Less', 'Less_1', a[0], a[1], I32)
        return cg.op('LogicalAnd', 'LogicalAnd', [lim, pred])

    def body(bg, a):
        m = cf.binary_const(bg, 'Mul', 'mul', a[3], np.float32(1.5))
        return [cf.incr(bg, a[2], 'add_1'), cf.binary_const(bg, 'Sub', 'sub', m, np.float32(0.25))]
    w = cf.make_while(g, 'while', [cf.Var(i0, I32, []), cf.Var(x, F32, [1, 4])], [], cond, body, max_iter=mi)
    g.identity('Identity', w[3])
    g.identity('Identity_1', w[2], I32)

    def ref(f):
        x = f['x']
        for _ in range(3):
            x = x * np.float32(1.5) - np.float32(0.25)
        return [x, np.int32(3)]
    return gd, [cf.entry('while_max_iterations', [('x', [1, 4], 'float32')], outputs=('Identity', 'Identity_1'))], ref


def m_split_unused_outputs():
    """A frozen GraphDef (no OpDefs) whose Split / SplitV / Unpack nodes have outputs nothing reads,
    inside a While body and in the main graph: x[1,6] -> Split(3) reads parts 0, 1; loop 2x:
    y = SplitV(y, [2, 2, -1])[0] tiled back... (see ref); Unpack(num=3) of a [3,4] weight reads row 1."""
    F32, I32 = cf.F32, cf.I32
    gd, g = cf.new_graph()
    rng = cf.rng_for('split_unused_outputs')
    W = weights(rng, 3, 4)
    x = g.placeholder('x', F32, [1, 6])
    parts = g.op('Split', 'split', [g.const('split/split_dim', np.int32(1)), x],
                 {'T': A.type(F32), 'num_split': A.i(3)}, n_out=3)
    y = g.op('ConcatV2', 'concat', [parts[1], parts[0], g.const('concat/axis', np.int32(1))],
             {'N': A.i(2), 'T': A.type(F32), 'Tidx': A.type(I32)})  # [1,4]
    rows = g.op('Unpack', 'unstack', [g.const('W', W)], {'T': A.type(F32), 'num': A.i(3), 'axis': A.i(0)}, n_out=3)
    i0 = g.const('Const', np.int32(0))

    def body(bg, a):  # counter, max_iter, i, y, w
        sv = bg.op('SplitV', 'split', [a[3], bg.const('Const', np.array([1, 2, -1], np.int32)),
                                       bg.const('split/split_dim', np.int32(-1))],
                   {'T': A.type(F32), 'Tlen': A.type(I32), 'num_split': A.i(3)}, n_out=3)
        t = bg.unary('Tanh', 'Tanh', sv[1])  # [1,2]
        z = bg.op('ConcatV2', 'concat', [sv[0], t, sv[0], bg.const('concat/axis', np.int32(1))],
                  {'N': A.i(3), 'T': A.type(F32), 'Tidx': A.type(I32)})  # [1,4]
        return [cf.incr(bg, a[2], 'add'), bg.binary('AddV2', 'add_1', z, a[4])]
    w = cf.make_while(g, 'while', [cf.Var(i0, I32, []), cf.Var(y, F32, [1, 4])],
                      [cf.Var(rows[1], F32, [4], 'unstack', 'add_1_unstack')],
                      lambda cg, a: cf.less_const(cg, a[2], 2), body)
    g.identity('Identity', w[3])

    def ref(f):
        p = np.split(f['x'], 3, axis=1)
        y = np.concatenate([p[1], p[0]], 1)
        for _ in range(2):
            y = np.concatenate([y[:, :1], np.tanh(y[:, 1:3]), y[:, :1]], 1) + W[1]
        return [y]
    return gd, [cf.entry('split_unused_outputs', [('x', [1, 6], 'float32')],
                         note='outputs nothing reads must still exist (SPLIT/SPLIT_V/UNPACK output counts)')], ref


def m_while_dynamic_trip_count():
    """autograph `for i in tf.range(n): y = y * 0.5 + cast(i) * 0.1` with n a scalar int32 input (a
    runtime trip count). autograph's _tf_range_for_stmt: loop vars (iterate, y) after while_v2's
    (loop_counter, maximum_iterations); maximum_iterations = get_range_len(0, n, 1) =
    Maximum((n - 0) // 1 + Cast(NotEqual((n - 0) % 1, 0)), 0); cond = LogicalAnd(counter < max_iter,
    LogicalOr(LogicalAnd(1 >= 0, iterate < n), LogicalAnd(1 < 0, iterate > n))); body iterate += 1.
    Inputs random in [0, 5]: n rounds to 0..5 (0 = no iteration)."""
    F32, I32, BOOL = cf.F32, cf.I32, cf.BOOL
    gd, g = cf.new_graph()
    x = g.placeholder('x', F32, [1, 4])
    n = g.placeholder('n', I32, [])
    start = g.const('range/start', np.int32(0))
    delta = g.const('range/delta', np.int32(1))
    dist = g.binary('Sub', 'sub', n, start, I32)
    q = g.binary('FloorDiv', 'floordiv', dist, delta, I32)
    rem = g.binary('FloorMod', 'mod', dist, delta, I32)
    ne = g.op('NotEqual', 'NotEqual', [rem, g.const('NotEqual/y', np.int32(0))],
              {'T': A.type(I32), 'incompatible_shape_error': A.b(True)})
    adj = g.op('Cast', 'Cast', [ne], {'SrcT': A.type(BOOL), 'DstT': A.type(I32), 'Truncate': A.b(False)})
    ln = g.binary('AddV2', 'add', q, adj, I32)
    mi = g.binary('Maximum', 'Maximum', ln, g.const('Maximum/y', np.int32(0)), I32)
    lim = cf.Var(n, I32, [], 'n', 'less_n')
    lim.cond_uses = True
    dv = cf.Var(delta, I32, [], 'range/delta', 'greaterequal_range_delta')
    dv.cond_uses = True

    def cond(cg, a):  # counter, max_iter, iterate, y, n, delta
        ge = cf.binary_const(cg, 'GreaterEqual', 'GreaterEqual', a[5], np.int32(0))
        lt = cg.binary('Less', 'Less', a[2], a[4], I32)
        neg = cf.binary_const(cg, 'Less', 'Less_1', a[5], np.int32(0))
        gt = cg.binary('Greater', 'Greater', a[2], a[4], I32)
        main = cg.op('LogicalOr', 'LogicalOr', [cg.op('LogicalAnd', 'LogicalAnd', [ge, lt]),
                                                 cg.op('LogicalAnd', 'LogicalAnd_1', [neg, gt])])
        cnt = cg.binary('Less', 'Less_2', a[0], a[1], I32)
        return cg.op('LogicalAnd', 'LogicalAnd_2', [cnt, main])

    def body(bg, a):
        fi = bg.op('Cast', 'Cast', [a[2]], {'SrcT': A.type(I32), 'DstT': A.type(F32), 'Truncate': A.b(False)})
        m = cf.binary_const(bg, 'Mul', 'mul', a[3], np.float32(0.5))
        y = bg.binary('AddV2', 'add_1', m, cf.binary_const(bg, 'Mul', 'mul_1', fi, np.float32(0.1)))
        return [bg.binary('AddV2', 'add', a[2], a[5], I32), y]
    w = cf.make_while(g, 'while', [cf.Var(start, I32, []), cf.Var(x, F32, [1, 4])], [lim, dv], cond, body,
                      max_iter=mi)
    g.identity('Identity', w[3])

    def ref(f):
        y = f['x']
        for i in range(int(f['n'])):
            y = y * np.float32(0.5) + np.float32(i) * np.float32(0.1)
        return [y]
    return gd, [cf.entry('while_dynamic_trip_count', [('x', [1, 4], 'float32'), ('n', [], 'int32')],
                         compare=['--range', '0,5', '--samples', '16'],
                         note='trip count from an input: n in 0..5 over the 16 samples')], ref


def m_tensorarray_unknown_element_shape():
    """The most common tf.function TensorArray use: ta = tf.TensorArray(tf.float32, size=4) (element
    shape unknown: TensorListReserve(element_shape=-1 scalar, 4)); for i in tf.range(4): ta =
    ta.write(i, tanh(x * (i + 1))) (TensorListSetItem of [1,3] items); ta.stack() (TensorListStack with
    element_shape -1). The element shape comes from the items (CONTROL_FLOW.md 2.3)."""
    F32, I32, VARIANT = cf.F32, cf.I32, cf.VARIANT
    gd, g = cf.new_graph()
    x = g.placeholder('x', F32, [1, 3])
    lst = g.tl_reserve('TensorArrayV2', np.int32(-1), 4)
    i0 = g.const('Const', np.int32(0))

    def body(bg, a):  # counter, max_iter, i, list, x
        ip1 = cf.incr(bg, a[2], 'add')
        fi = bg.op('Cast', 'Cast', [ip1], {'SrcT': A.type(I32), 'DstT': A.type(F32), 'Truncate': A.b(False)})
        v = bg.unary('Tanh', 'Tanh', bg.binary('Mul', 'mul', a[4], fi))
        return [ip1, bg.tl_set('TensorArrayV2Write/TensorListSetItem', a[3], a[2], v)]
    w = cf.make_while(g, 'while', [cf.Var(i0, I32, []), cf.Var(lst, VARIANT, [])],
                      [cf.Var(x, F32, [1, 3], 'x', 'mul_x')], lambda cg, a: cf.less_const(cg, a[2], 4), body)
    g.identity('Identity', g.tl_stack('TensorArrayV2Stack/TensorListStack', w[3], np.int32(-1), 4))

    def ref(f):
        return [np.stack([np.tanh(f['x'] * np.float32(i + 1)) for i in range(4)])]
    e = cf.entry('tensorarray_unknown_element_shape', [('x', [1, 3], 'float32')])
    e['known_failure'] = ('tflc refuses TensorListReserve with an unknown-rank element_shape (-1) although the '
                          'While body writes static [1,3] items: "the TensorList\'s element shape is unknown '
                          '(rank -1)"; TF\'s converter takes the shape from the SetItem in the loop body '
                          '(CONTROL_FLOW.md 2.3)')
    return gd, [e], ref


def m_bidirectional_gru_savedmodel():
    """Sequential([Input((6, 3)), Bidirectional(GRU(4, return_sequences=True)), GlobalAveragePooling1D(),
    Dense(2)]), batch unknown: a go_backwards GRU whose sequence is reversed back (ReverseV2 axis 1),
    concat, then Mean over time (Keras 2 GlobalAveragePooling1D without a mask)."""
    rng = cf.rng_for('bidirectional_gru_savedmodel')
    T, F, u = 6, 3, 4
    Ws = [(weights(rng, F, 3 * u), weights(rng, u, 3 * u), weights(rng, 2, 3 * u, scale=0.1)) for _ in range(2)]
    DK, DB = weights(rng, 2 * u, 2, scale=1.5), weights(rng, 2, scale=0.1)
    F32, I32 = cf.F32, cf.I32

    def body(fg, xs, w):
        sc = 'sequential/bidirectional'
        f1 = keras2_layer(fg, fg.lib, 'gru', f'{sc}/forward_gru', xs[0], T, F, u, w, *Ws[0], return_sequences=True,
                          uuid='abcdef01-2345-4678-89ab-cdef01234567')
        b1 = keras2_layer(fg, fg.lib, 'gru', f'{sc}/backward_gru', xs[0], T, F, u, w, *Ws[1], return_sequences=True,
                          go_backwards=True, uuid='fedcba98-7654-4321-8fed-cba987654321')
        rev = fg.op('ReverseV2', f'{sc}/ReverseV2', [b1[1], fg.const(f'{sc}/ReverseV2/axis', np.array([1], np.int32))],
                    {'T': A.type(F32), 'Tidx': A.type(I32)})
        cat = fg.op('ConcatV2', f'{sc}/concat', [f1[1], rev, fg.const(f'{sc}/concat/axis', np.int32(-1))],
                    {'N': A.i(2), 'T': A.type(F32), 'Tidx': A.type(I32)})
        gap = fg.op('Mean', 'sequential/global_average_pooling1d/Mean',
                    [cat, fg.const('sequential/global_average_pooling1d/Mean/reduction_indices', np.int32(1))],
                    {'T': A.type(F32), 'Tidx': A.type(I32), 'keep_dims': A.b(False)})
        return [('dense', dense(fg, 'sequential/dense', gap, w, DK, DB), F32, [-1, 2])]
    sm = SavedModel([('bidirectional_input', F32, [-1, T, F])], body)

    def ref(f):
        x = f['bidirectional_input']
        _, s_f, _ = gru_np(x, *Ws[0], u)
        _, s_b, _ = gru_np(x, *Ws[1], u, go_backwards=True)
        cat = np.concatenate([s_f, s_b[:, ::-1]], -1)
        return [cat.mean(1) @ DK + DB]
    return sm, [sm_entry('bidirectional_gru_savedmodel', [('bidirectional_input', [-1, T, F], 'float32')],
                         ['dense'])], ref


def m_while_unknown_time_batch2():
    """The GraphDef of while_unknown_time (backend.rnn-style TensorList loop, x [-1,-1,3]) converted for
    batch 2 with --input_shapes 2,5,3: the lists' element shape [-1, 4] must take batch 2."""
    gd, ref = cf.tensorlist_rnn('while_unknown_time', True)
    e = cf.entry('while_unknown_time_batch2', [('x', [2, 5, 3], 'float32')], args=['--input_shapes', '2,5,3'])
    return gd, [e], ref


def lstm_v1_cell(fg, x, h, c, kr, rr, br, pre=''):
    """Keras 2 LSTMCell.call, implementation 2, activation relu (keras/layers/rnn/lstm.py): z = x@kernel
    + h@recurrent_kernel (+ bias), split 4, i, f, o = sigmoid, c = f*c + i*relu(z2), h = o*relu(c);
    the variables read where used (MatMul/ReadVariableOp, MatMul_1/ReadVariableOp, BiasAdd/ReadVariableOp)."""
    F32 = cf.F32
    rd = lambda name, r: fg.op('ReadVariableOp', f'{pre}{name}/ReadVariableOp', [r], {'dtype': A.type(F32)})
    z = fg.binary('AddV2', f'{pre}add', fg.matmul(f'{pre}MatMul', x, rd('MatMul', kr)),
                  fg.matmul(f'{pre}MatMul_1', h, rd('MatMul_1', rr)))
    z = fg.bias_add(f'{pre}BiasAdd', z, rd('BiasAdd', br))
    zs = fg.op('Split', f'{pre}split', [fg.const(f'{pre}split/split_dim', np.int32(1)), z],
               {'T': A.type(F32), 'num_split': A.i(4)}, n_out=4)
    i = fg.unary('Sigmoid', f'{pre}Sigmoid', zs[0])
    f = fg.unary('Sigmoid', f'{pre}Sigmoid_1', zs[1])
    c2 = fg.binary('AddV2', f'{pre}add_1', fg.binary('Mul', f'{pre}mul', f, c),
                   fg.binary('Mul', f'{pre}mul_1', i, fg.unary('Relu', f'{pre}Relu', zs[2])))
    o = fg.unary('Sigmoid', f'{pre}Sigmoid_2', zs[3])
    return fg.binary('Mul', f'{pre}mul_2', o, fg.unary('Relu', f'{pre}Relu_1', c2)), c2


def m_lstm_relu_savedmodel():
    """The classic time-series model Sequential([Input((8, 1)), LSTM(6, activation='relu'), Dense(1)]),
    batch unknown: a non-tanh activation rules out the cuDNN-compatible tagged function, so RNN.call runs
    backend.rnn in the wrapped model with LSTMCell reading its DT_RESOURCE captures in the While body."""
    rng = cf.rng_for('lstm_relu_savedmodel')
    T, F, u = 8, 1, 6
    K, R, B = weights(rng, F, 4 * u), weights(rng, u, 4 * u), weights(rng, 4 * u, scale=0.1)
    DK, DB = weights(rng, u, 1, scale=4.0), weights(rng, 1, scale=0.1)
    F32, I32, VARIANT = cf.F32, cf.I32, cf.VARIANT

    def body(fg, xs, w):
        sc = 'sequential/lstm'
        x = xs[0]
        shp = fg.op('Shape', f'{sc}/Shape', [x], {'T': A.type(F32), 'out_type': A.type(I32)})
        batch = fg.strided_slice(f'{sc}/strided_slice', shp, [0], [1], [1], I32, shrink=1)
        zeros = []
        for z in ('zeros', 'zeros_1'):
            packed = fg.op('Pack', f'{sc}/{z}/packed', [batch, fg.const(f'{sc}/{z}/packed/1', np.int32(u))],
                           {'N': A.i(2), 'T': A.type(I32), 'axis': A.i(0)})
            zeros.append(fg.op('Fill', f'{sc}/{z}', [packed, fg.const(f'{sc}/{z}/Const', np.float32(0))],
                               {'T': A.type(F32), 'index_type': A.type(I32)}))
        kr = w(f'{sc}/lstm_cell/kernel', K, resource=True)
        rr = w(f'{sc}/lstm_cell/recurrent_kernel', R, resource=True)
        br = w(f'{sc}/lstm_cell/bias', B, resource=True)
        xt = fg.transpose(f'{sc}/transpose', x, [1, 0, 2])
        n = fg.strided_slice(f'{sc}/strided_slice_1', fg.op('Shape', f'{sc}/Shape_1', [xt],
                                                            {'T': A.type(F32), 'out_type': A.type(I32)}),
                             [0], [1], [1], I32, shrink=1)
        fg.tl_reserve(f'{sc}/TensorArrayV2', np.int32(-1), n)  # dead
        in_list = fg.tl_from_tensor(f'{sc}/TensorArrayUnstack/TensorListFromTensor', xt, [-1, F])
        x0 = fg.strided_slice(f'{sc}/strided_slice_2', xt, [0], [1], [1], shrink=1)
        lstm_v1_cell(fg, x0, zeros[0], zeros[1], kr, rr, br, pre=f'{sc}/lstm_cell/')  # output_time_zero (dead)
        out_list = fg.tl_reserve(f'{sc}/TensorArrayV2_1', [-1, u], 1)
        time = fg.const(f'{sc}/time', np.int32(0))
        nv = cf.Var(n, I32, [], f'{sc}/strided_slice_1', 'sequential_lstm_strided_slice_1')
        nv.cond_uses = True
        caps = [nv, cf.Var(in_list, VARIANT, [], f'{sc}/TensorArrayUnstack/TensorListFromTensor',
                           'tensorarrayv2read_tensorlistgetitem_sequential_lstm_tensorarrayunstack_tensorlistfromtensor'),
                cf.Var(kr, RESOURCE, [], 'resource', 'lstm_cell_matmul_readvariableop_resource'),
                cf.Var(rr, RESOURCE, [], 'resource', 'lstm_cell_matmul_1_readvariableop_resource'),
                cf.Var(br, RESOURCE, [], 'resource', 'lstm_cell_biasadd_readvariableop_resource')]

        def wbody(bg, b):  # counter, max_iter, time, out_list, h, c, n, in_list, kernel, rec_kernel, bias
            item = bg.tl_get('TensorArrayV2Read/TensorListGetItem', b[7], b[2], [-1, F])
            h, c = lstm_v1_cell(bg, item, b[4], b[5], b[8], b[9], b[10], pre='lstm_cell/')
            idx = bg.const('TensorArrayV2Write/TensorListSetItem/index', np.int32(0))
            lst = bg.tl_set('TensorArrayV2Write/TensorListSetItem', b[3], idx, h)
            return [cf.incr(bg, b[2], 'add'), lst, h, c]
        wl = cf.make_while(fg, f'{sc}/while', [cf.Var(time, I32, []), cf.Var(out_list, VARIANT, []),
                                               cf.Var(zeros[0], F32, [-1, u]), cf.Var(zeros[1], F32, [-1, u])], caps,
                           lambda cg, b: cg.binary('Less', 'Less', b[2], b[6], I32), wbody, op='While',
                           parallel_iterations=32)
        st = fg.tl_stack(f'{sc}/TensorArrayV2Stack/TensorListStack', wl[3], [-1, u], 1)
        last = fg.strided_slice(f'{sc}/strided_slice_3', st, [-1], [0], [1], shrink=1)
        return [('dense', dense(fg, 'sequential/dense', last, w, DK, DB), F32, [-1, 1])]
    sm = SavedModel([('lstm_input', F32, [-1, T, F])], body)

    def ref(f):
        x = f['lstm_input']
        h = np.zeros((x.shape[0], u), np.float32)
        c = np.zeros_like(h)
        for t in range(T):
            i, ff, g, o = np.split(x[:, t] @ K + h @ R + B, 4, axis=1)
            c = sigmoid(ff) * c + sigmoid(i) * np.maximum(g, 0)
            h = sigmoid(o) * np.maximum(c, 0)
        return [h @ DK + DB]
    return sm, [sm_entry('lstm_relu_savedmodel', [('lstm_input', [-1, T, F], 'float32')], ['dense'])], ref


def models(mod):
    """Registers the ops these models use with gen_control_flow's tables; returns the model functions."""
    global cf, A
    cf, A = mod, mod.A
    cf.OUT_ARG.update({'VarHandleOp': 'resource', 'ReadVariableOp': 'value', 'StatefulPartitionedCall': 'output',
                       'Unpack': 'output', 'ReverseV2': 'output', 'RestoreV2': 'tensors', 'AssignVariableOp': None,
                       'NoOp': None, 'Mean': 'output', 'FloorDiv': 'z', 'FloorMod': 'z', 'Maximum': 'z', 'GreaterEqual': 'z', 'LogicalOr': 'z',
                       'SplitV': 'output', 'ResourceGather': 'output', 'NotEqual': 'z', 'ZerosLike': 'y', 'Tile': 'output',
                       'SelectV2': 'output', 'GatherV2': 'output', 'Prod': 'output', 'EmptyTensorList': 'handle', 'TensorListPushBack': 'output_handle',
                       'TensorListLength': 'length', 'TensorListPopBack': 'output_handle', 'TensorListElementShape': 'element_shape'})
    cf.OP_SIG.update({'VarHandleOp': (0, ('dtype', 'shape')), 'ReadVariableOp': (1, ('dtype',)),
                      'StatefulPartitionedCall': (None, ('Tin', 'Tout', 'f')), 'Unpack': (1, ('T', 'num')),
                      'ReverseV2': (2, ('T',)), 'RestoreV2': (3, ('dtypes',)), 'AssignVariableOp': (2, ('dtype',)),
                      'NoOp': (0, ()), 'Mean': (2, ('T',)), 'FloorDiv': (2, ('T',)), 'FloorMod': (2, ('T',)), 'Maximum': (2, ('T',)),
                      'GreaterEqual': (2, ('T',)), 'LogicalOr': (2, ()), 'SplitV': (3, ('T', 'num_split')), 'ResourceGather': (2, ('dtype', 'Tindices')), 'NotEqual': (2, ('T',)),
                      'ZerosLike': (1, ('T',)), 'Tile': (2, ('T',)), 'SelectV2': (3, ('T',)), 'GatherV2': (3, ('Tparams', 'Tindices', 'Taxis')),
                      'Prod': (2, ('T',)), 'EmptyTensorList': (2, ('element_dtype', 'shape_type')),
                      'TensorListPushBack': (2, ('element_dtype',)), 'TensorListPopBack': (2, ('element_dtype',)),
                      'TensorListLength': (1, ()), 'TensorListElementShape': (1, ('shape_type',))})
    if not getattr(cf.Interp, '_published', False):
        cf.Interp.eval = interp_eval(cf.Interp.eval)
        cf.Interp._published = True
    return [m_stacked_lstm_savedmodel, m_gru_lstm_savedmodel, m_lstm_unknown_time_savedmodel,
            m_float64_signature_savedmodel, m_lstm_return_state, m_if_nonbool_cond, m_if_in_while,
            m_while_int_cond, m_tensorlist_push_pop, m_while_max_iterations, m_bidirectional_lstm_savedmodel,
            m_lstm_encoder_decoder_savedmodel, m_gru_const_weights_savedmodel, m_embedding_masked_lstm_savedmodel,
            m_float64_io_savedmodel, m_lstm_three_outputs_savedmodel, m_tensorarray_dynamic_size,
            m_gru_resource_loop_savedmodel, m_split_unused_outputs, m_while_dynamic_trip_count,
            m_tensorarray_unknown_element_shape, m_bidirectional_gru_savedmodel, m_while_unknown_time_batch2,
            m_lstm_relu_savedmodel]
