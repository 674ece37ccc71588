#!/usr/bin/env node
'use strict';
// Self-test of the TF-graph reference (lib/tf_reference.js) on TF2 control flow:
// While/StatelessWhile/If/StatelessIf with library functions and TensorList ops.
//
//  1. Hand-built GraphDefs (no model corpus needed), each checked against values
//     computed here from the ops' documented semantics:
//     - a While that pushes to a TensorList (body Consts, a float64 input of
//       shape [-1,-1]), then a second While that pops the list empty
//       (TensorListPopBack read as "node:tensor:0" / "node:output_handle:0",
//       TopKV2 "indices", TensorListLength in the cond, TensorListElementShape after);
//     - an If whose branches return two outputs of one Split/SplitV node, the then
//       branch calling a function through PartitionedCall.
//  2. The stock Keras LSTM and GRU SavedModels (TF 2.15, StatelessWhile over
//     TensorLists) against a plain JS forward pass written from Keras' documented
//     semantics, with the weights read from the checkpoint (lib/tf_checkpoint.js) and
//     the layer configs from keras_metadata.pb: 9 inputs (8 seeded random [1,14,6],
//     one batch of 3), agreement within 1e-5 x max(1, |expected|).
//  3. LiteRT's if_op.pb (If and StatelessIf on scalar inputs a, b), each branch taken.
//
// usage: tf_control_flow_ref.js [models dir]
//   models dir: default $TFLC_SHARED_MODELS, else <repo>/../shared/models, else /work/shared/models.
// Exit 0 all pass, 1 a check failed, 77 (after running part 1) when the models are absent.

const fs = require('fs');
const os = require('os');
const path = require('path');
const {loadTfReference, protos, tensorProtoValues, rawToArray} = require('../lib/tf_reference');
const {readBundle} = require('../lib/tf_checkpoint');
const {mulberry32} = require('../lib/common');

let failures = 0;
const results = [];
function report(ok, what, detail) {
  results.push(ok);
  if (!ok) failures++;
  console.log(`${ok ? 'ok   ' : 'FAIL '} ${what}${detail ? ` (${detail})` : ''}`);
}
async function check(what, fn) {
  try {
    const detail = await fn();
    report(true, what, detail);
  } catch (e) {
    report(false, what, e.message);
    if (process.env.TFLC_E2E_DEBUG) console.error(e.stack);
  }
}

/** Max |got - want| over arrays, throwing when it exceeds tol * max(1, max|want|). */
function agree(got, want, tol, label) {
  if (got.length !== want.length) throw new Error(`${label}: ${got.length} values, expected ${want.length}`);
  let err = 0;
  let scale = 1;
  for (let i = 0; i < want.length; i++) {
    if (!Number.isFinite(got[i])) throw new Error(`${label}: value ${i} is ${got[i]}`);
    err = Math.max(err, Math.abs(got[i] - want[i]));
    scale = Math.max(scale, Math.abs(want[i]));
  }
  if (err > tol * scale) {
    throw new Error(`${label}: max |diff| ${err} > ${tol} x ${scale}; got [${Array.from(got).slice(0, 6)}...] ` +
        `want [${Array.from(want).slice(0, 6)}...]`);
  }
  return err;
}
const sameShape = (got, want, label) => {
  if (JSON.stringify(got) !== JSON.stringify(want)) throw new Error(`${label}: shape [${got}], expected [${want}]`);
};

// --------------------------------------------------------------------------
// 1. Hand-built GraphDefs

const attr = {
  type: (t) => ({type: t}),
  types: (...t) => ({list: {type: t}}),
  func: (name) => ({func: {name}}),
  i: (i) => ({i}),
  shape: (dims) => ({shape: {dim: dims.map((size) => ({size}))}}),
};
function constNode(name, dtype, shape, values) {
  const tensor = {dtype, tensorShape: {dim: shape.map((size) => ({size}))}};
  if (dtype === 'DT_FLOAT') tensor.floatVal = values;
  else tensor.intVal = values;
  return {name, op: 'Const', attr: {dtype: attr.type(dtype), value: {tensor}}};
}
const node = (name, op, input, attrs = {}) => ({name, op, input, attr: attrs});
const fdef = (name, inArgs, outArgs, nodeDef, ret) => ({
  signature: {
    name,
    inputArg: inArgs.map(([n, t]) => ({name: n, type: t})),
    outputArg: outArgs.map(([n, t]) => ({name: n, type: t})),
  },
  nodeDef, ret,
});

function writeGraphDef(dir, file, gd) {
  const GraphDef = protos().lookupType('tensorflow.GraphDef');
  const msg = GraphDef.fromObject(gd);  // enum names → numbers
  const err = GraphDef.verify(msg);
  if (err) throw new Error(`selftest GraphDef ${file}: ${err}`);
  const p = path.join(dir, file);
  fs.writeFileSync(p, GraphDef.encode(msg).finish());
  return p;
}

const F = 'DT_FLOAT';
const I = 'DT_INT32';
const V = 'DT_VARIANT';
const STEPS = 4;
const HALF = 0.5;

// Loop 1: (i, acc, list) → (i+1, acc*0.5 + 1, PushBack(list, acc*0.5 + 1)) while i < 4.
// Loop 2: (j, s, list) → p = PopBack(list); (j+1, s + p + argmax_row(p), list) while Length(list) > 0.
function loopGraph() {
  const loopT = attr.types(I, F, V);
  return {
    node: [
      node('x', 'Placeholder', [], {dtype: attr.type('DT_DOUBLE'), shape: attr.shape([-1, -1])}),
      node('xf', 'Cast', ['x'], {SrcT: attr.type('DT_DOUBLE'), DstT: attr.type(F)}),
      constNode('zero', I, [], [0]),
      constNode('eshape', I, [2], [-1, 3]),
      constNode('nomax', I, [], [-1]),
      node('list', 'EmptyTensorList', ['eshape', 'nomax'], {element_dtype: attr.type(F), shape_type: attr.type(I)}),
      node('loop1', 'StatelessWhile', ['zero', 'xf', 'list'],
          {T: loopT, cond: attr.func('push_cond'), body: attr.func('push_body'), parallel_iterations: attr.i(10)}),
      node('loop2', 'While', ['zero', 'zero_f', 'loop1:2'],
          {T: loopT, cond: attr.func('pop_cond'), body: attr.func('pop_body'), parallel_iterations: attr.i(10)}),
      // loop2's accumulator starts as zeros shaped like x
      node('zero_f', 'ZerosLike', ['xf'], {T: attr.type(F)}),
      node('left', 'TensorListLength', ['loop2:2']),
      node('eshape_out', 'TensorListElementShape', ['loop2:2'], {shape_type: attr.type(I)}),
      node('acc', 'Identity', ['loop1:1'], {T: attr.type(F)}),
      node('sum', 'Identity', ['loop2:1'], {T: attr.type(F)}),
      node('pops', 'Identity', ['loop2'], {T: attr.type(I)}),
    ],
    library: {
      function: [
        fdef('push_cond', [['i', I], ['acc', F], ['l', V]], [['ok', 'DT_BOOL']], [
          constNode('steps', I, [], [STEPS]),  // body Const: must reach the global weight map
          node('less', 'Less', ['i', 'steps'], {T: attr.type(I)}),
        ], {ok: 'less:z:0'}),
        fdef('push_body', [['i', I], ['acc', F], ['l', V]], [['i1', I], ['acc1', F], ['l1', V]], [
          constNode('one_i', I, [], [1]),
          constNode('half', F, [], [HALF]),
          constNode('one', F, [], [1]),
          node('inc', 'AddV2', ['i', 'one_i:output:0'], {T: attr.type(I)}),
          node('scaled', 'Mul', ['acc', 'half:output:0'], {T: attr.type(F)}),
          node('next', 'AddV2', ['scaled:z:0', 'one:output:0'], {T: attr.type(F)}),
          node('push', 'TensorListPushBack', ['l', 'next:z:0'], {element_dtype: attr.type(F)}),
        ], {i1: 'inc:z:0', acc1: 'next:z:0', l1: 'push:output_handle:0'}),
        fdef('pop_cond', [['j', I], ['s', F], ['l', V]], [['ok', 'DT_BOOL']], [
          constNode('zero', I, [], [0]),
          node('len', 'TensorListLength', ['l']),
          node('more', 'Greater', ['len:length:0', 'zero:output:0'], {T: attr.type(I)}),
        ], {ok: 'more:z:0'}),
        fdef('pop_body', [['j', I], ['s', F], ['l', V]], [['j1', I], ['s1', F], ['l1', V]], [
          constNode('one_i', I, [], [1]),
          constNode('eshape', I, [2], [-1, 3]),
          constNode('k', I, [], [1]),
          node('pop', 'TensorListPopBack', ['l', 'eshape:output:0'], {element_dtype: attr.type(F)}),
          node('top', 'TopKV2', ['pop:tensor:0', 'k:output:0'], {T: attr.type(F)}),
          node('argmax', 'Cast', ['top:indices:0'], {SrcT: attr.type(I), DstT: attr.type(F)}),
          node('s_a', 'AddV2', ['s', 'pop:tensor:0'], {T: attr.type(F)}),
          node('s_b', 'AddV2', ['s_a:z:0', 'argmax:y:0'], {T: attr.type(F)}),
          node('inc', 'AddV2', ['j', 'one_i:output:0'], {T: attr.type(I)}),
        ], {j1: 'inc:z:0', s1: 's_b:z:0', l1: 'pop:output_handle:0'}),
      ],
    },
    versions: {producer: 1205},
  };
}

// If(Sum(v) > 0; v): then [2 * v[2:4] (via a call), v[0:2], v[2:4]], else [-v[0:2], v[2:4], v[0:2]];
// outputs 1 and 2 are two outputs of one Split/SplitV node.
function ifGraph() {
  return {
    node: [
      node('v', 'Placeholder', [], {dtype: attr.type(F), shape: attr.shape([4])}),
      constNode('axis', I, [1], [0]),
      constNode('zero', F, [], [0]),
      node('total', 'Sum', ['v', 'axis'], {T: attr.type(F), Tidx: attr.type(I)}),
      node('pos', 'Greater', ['total', 'zero'], {T: attr.type(F)}),
      node('branch', 'StatelessIf', ['pos', 'v'], {
        Tcond: attr.type('DT_BOOL'), Tin: attr.types(F), Tout: attr.types(F, F, F),
        then_branch: attr.func('then_fn'), else_branch: attr.func('else_fn'),
      }),
      node('first', 'Identity', ['branch'], {T: attr.type(F)}),
      node('second', 'Identity', ['branch:1'], {T: attr.type(F)}),
      node('third', 'Identity', ['branch:2'], {T: attr.type(F)}),
    ],
    library: {
      function: [
        fdef('then_fn', [['v', F]], [['a', F], ['b', F], ['c', F]], [
          constNode('axis', I, [], [0]),
          node('sp', 'Split', ['axis:output:0', 'v'], {T: attr.type(F), num_split: attr.i(2)}),
          node('dbl', 'PartitionedCall', ['sp:output:1'], {
            Tin: attr.types(F), Tout: attr.types(F), f: attr.func('double_fn'),
          }),
        ], {a: 'dbl:output:0', b: 'sp:output:0', c: 'sp:output:1'}),
        fdef('else_fn', [['v', F]], [['a', F], ['b', F], ['c', F]], [
          constNode('axis', I, [], [0]),
          constNode('sizes', I, [2], [2, 2]),
          node('sp', 'SplitV', ['v', 'sizes:output:0', 'axis:output:0'],
              {T: attr.type(F), Tlen: attr.type(I), num_split: attr.i(2)}),
          node('neg', 'Neg', ['sp:output:0'], {T: attr.type(F)}),
        ], {a: 'neg:y:0', b: 'sp:output:1', c: 'sp:output:0'}),
        fdef('double_fn', [['t', F]], [['y', F]], [
          constNode('two', F, [], [2]),
          node('m', 'Mul', ['t', 'two:output:0'], {T: attr.type(F)}),
        ], {y: 'm:z:0'}),
      ],
    },
    versions: {producer: 1205},
  };
}

async function handBuilt(tmp) {
  const f32 = Math.fround;
  await check('hand-built While/TensorList graph (body Consts, PushBack/PopBack/Length/ElementShape, ' +
      'TopKV2 indices, float64 input [-1,-1])', async () => {
    const pb = writeGraphDef(tmp, 'loops.pb', loopGraph());
    const ref = await loadTfReference(pb, {inputs: ['x'], outputs: ['acc', 'sum', 'pops', 'left', 'eshape_out']});
    try {
      if (!ref.controlFlow || ref.functions.length !== 4) throw new Error(`functions ${ref.functions}`);
      if (ref.inputs[0].dtype !== 'double') throw new Error(`input dtype ${ref.inputs[0].dtype}`);
      const rand = mulberry32(7);
      let worst = 0;
      for (const batch of [1, 2, 5]) {
        const x = Float32Array.from({length: batch * 3}, () => 4 * rand() - 2);
        const [acc, sum, pops, left, es] = await ref.run({x: {data: x, shape: [batch, 3]}});
        // Expected, in float32 like the reference: acc_t+1 = acc_t * 0.5 + 1; loop 2
        // sums the 4 pushed values plus each row's argmax (all acc_t rank like x).
        const accs = [];
        let a = Float32Array.from(x);
        for (let t = 0; t < STEPS; t++) {
          a = a.map((v) => f32(f32(v * HALF) + 1));
          accs.push(a);
        }
        const s = new Float32Array(batch * 3);
        for (let t = STEPS - 1; t >= 0; t--) {
          for (let b = 0; b < batch; b++) {
            const row = Array.from(accs[t].slice(3 * b, 3 * b + 3));
            const am = row.indexOf(Math.max(...row));
            for (let c = 0; c < 3; c++) s[3 * b + c] = f32(f32(s[3 * b + c] + row[c]) + am);
          }
        }
        sameShape(acc.shape, [batch, 3], 'acc');
        sameShape(sum.shape, [batch, 3], 'sum');
        worst = Math.max(worst, agree(acc.data, a, 0, 'loop 1 accumulator'), agree(sum.data, s, 1e-6, 'loop 2 sum'));
        agree(pops.data, [STEPS], 0, 'loop 2 iterations (TensorListLength in cond)');
        agree(left.data, [0], 0, 'TensorListLength after popping all');
        agree(es.data, [-1, 3], 0, 'TensorListElementShape');
      }
      return `batches 1, 2, 5; max |diff| ${worst}`;
    } finally {
      ref.dispose();
    }
  });

  await check('hand-built StatelessIf graph (two rets from one Split node, PartitionedCall in a branch, SplitV)',
      async () => {
        const pb = writeGraphDef(tmp, 'if.pb', ifGraph());
        const ref = await loadTfReference(pb, {inputs: ['v'], outputs: ['first', 'second', 'third']});
        try {
          const rand = mulberry32(3);
          const taken = {then: 0, else: 0};
          for (let k = 0; k < 8; k++) {
            const v = Float32Array.from({length: 4}, () => 2 * rand() - 1);
            if (k === 0) v.fill(0.25);
            if (k === 1) v.fill(-0.25);
            const [first, second, third] = await ref.run({v: {data: v, shape: [4]}});
            const pos = v.reduce((p, q) => Math.fround(p + q), 0) > 0;
            taken[pos ? 'then' : 'else']++;
            const want1 = pos ? [2 * v[2], 2 * v[3]] : [-v[0], -v[1]];
            const want2 = pos ? [v[0], v[1]] : [v[2], v[3]];
            agree(first.data, want1, 0, `output 0 (${pos ? 'then' : 'else'})`);
            agree(second.data, want2, 0, `output 1 (${pos ? 'then' : 'else'})`);
            agree(third.data, pos ? [v[2], v[3]] : [v[0], v[1]], 0, `output 2 (${pos ? 'then' : 'else'})`);
          }
          if (!taken.then || !taken.else) throw new Error(`branches taken: ${JSON.stringify(taken)}`);
          return `then ${taken.then}x, else ${taken.else}x, exact`;
        } finally {
          ref.dispose();
        }
      });
}

// --------------------------------------------------------------------------
// 2. Stock Keras LSTM / GRU SavedModels vs a JS forward pass

/** Every string field of a protobuf message (recursively) that parses as a JSON object. */
function jsonStrings(buf, out = [], depth = 0) {
  let pos = 0;
  const varint = () => {
    let r = 0;
    let mul = 1;
    for (;;) {
      if (pos >= buf.length) throw new Error('truncated');
      const b = buf[pos++];
      r += (b & 0x7f) * mul;
      if (!(b & 0x80)) return r;
      mul *= 128;
    }
  };
  while (pos < buf.length) {
    const key = varint();
    const wt = key & 7;
    if (wt === 0) varint();
    else if (wt === 1) pos += 8;
    else if (wt === 5) pos += 4;
    else if (wt === 2) {
      const len = varint();
      const sub = buf.subarray(pos, pos + len);
      pos += len;
      if (sub[0] === 0x7b) {  // '{'
        try {
          out.push(JSON.parse(sub.toString('utf8')));
          continue;
        } catch (e) { /* not JSON: maybe a message */ }
      }
      if (depth < 4) {
        try {
          jsonStrings(sub, out, depth + 1);
        } catch (e) { /* not a message */ }
      }
    } else {
      throw new Error(`wire type ${wt}`);
    }
  }
  return out;
}

/** Layers of the Keras Sequential model recorded in keras_metadata.pb. */
function sequentialLayers(dir) {
  const objs = jsonStrings(fs.readFileSync(path.join(dir, 'keras_metadata.pb')));
  const root = objs.find((o) => o.class_name === 'Sequential' && o.config && Array.isArray(o.config.layers));
  if (!root) throw new Error(`${dir}/keras_metadata.pb: no Sequential model config found`);
  return root.config.layers.filter((l) => l.class_name !== 'InputLayer');
}

function checkpointTensors(dir, keys) {
  const bundle = readBundle(path.join(dir, 'variables', 'variables'), keys, protos());
  const out = {};
  for (const k of keys) {
    const t = bundle.get(k);
    out[k] = {shape: t.shape, data: Float64Array.from(rawToArray(t.bytes, t.dtype, t.shape.reduce((a, b) => a * b, 1), k))};
  }
  return out;
}

const sigmoid = (v) => 1 / (1 + Math.exp(-v));
const ACTIVATIONS = {linear: (v) => v, relu: (v) => Math.max(0, v), tanh: Math.tanh, sigmoid};

/** y[n] = sum_k x[k] * W[k, n] + b[n] (row-major W [K, N]). */
function affine(x, W, K, N, b, bOff = 0) {
  const y = new Float64Array(N);
  for (let n = 0; n < N; n++) {
    let acc = b ? b[bOff + n] : 0;
    for (let k = 0; k < K; k++) acc += x[k] * W[k * N + n];
    y[n] = acc;
  }
  return y;
}

/**
 * Keras 2 LSTM (return_sequences=False): z = x_t W + h U + b split in 4 →
 * i, f, c~, o; c = f c + i tanh(z_c); h = o tanh(c) (Keras:keras/layers/rnn/lstm.py).
 * GRU, reset_after=True, bias [2, 3u] = (input, recurrent): x_t W + b_in and h U + b_rec
 * split in 3 → z, r, h parts; z = σ(x_z + r_z), r = σ(x_r + r_r),
 * hh = tanh(x_h + r * r_h), h = z h + (1 - z) hh (Keras:keras/layers/rnn/gru.py).
 */
function rnnLastState(kind, x, T, D, u, W, U, b) {
  let h = new Float64Array(u);
  let c = new Float64Array(u);
  const gates = kind === 'LSTM' ? 4 : 3;
  for (let t = 0; t < T; t++) {
    const xt = x.subarray(t * D, (t + 1) * D);
    if (kind === 'LSTM') {
      const zx = affine(xt, W, D, 4 * u, b);
      const zh = affine(h, U, u, 4 * u, null);
      const nh = new Float64Array(u);
      const nc = new Float64Array(u);
      for (let j = 0; j < u; j++) {
        const z = (g) => zx[g * u + j] + zh[g * u + j];
        const i = sigmoid(z(0));
        const f = sigmoid(z(1));
        const o = sigmoid(z(3));
        nc[j] = f * c[j] + i * Math.tanh(z(2));
        nh[j] = o * Math.tanh(nc[j]);
      }
      h = nh;
      c = nc;
    } else {
      const mx = affine(xt, W, D, gates * u, b, 0);
      const mh = affine(h, U, u, gates * u, b, gates * u);
      const nh = new Float64Array(u);
      for (let j = 0; j < u; j++) {
        const z = sigmoid(mx[j] + mh[j]);
        const r = sigmoid(mx[u + j] + mh[u + j]);
        const hh = Math.tanh(mx[2 * u + j] + r * mh[2 * u + j]);
        nh[j] = z * h[j] + (1 - z) * hh;
      }
      h = nh;
    }
  }
  return h;
}

async function stockRnn(dir, label) {
  await check(`${label}: reference (StatelessWhile + TensorLists) == JS ${label.includes('gru') ? 'GRU' : 'LSTM'} ` +
      'forward pass from the checkpoint, 9 inputs, tol 1e-5', async () => {
    const layers = sequentialLayers(dir);
    const [rnn, ...denses] = layers;
    const kind = rnn.class_name;
    const rc = rnn.config;
    if (!['LSTM', 'GRU'].includes(kind)) throw new Error(`first layer is ${kind}`);
    const unsupported = [];
    if (rc.activation !== 'tanh') unsupported.push(`activation ${rc.activation}`);
    if (rc.recurrent_activation !== 'sigmoid') unsupported.push(`recurrent_activation ${rc.recurrent_activation}`);
    if (rc.return_sequences || rc.go_backwards || rc.stateful || rc.time_major) unsupported.push('sequence flags');
    if (!rc.use_bias) unsupported.push('use_bias false');
    if (kind === 'GRU' && !rc.reset_after) unsupported.push('reset_after false');
    if (denses.some((l) => l.class_name !== 'Dense' || !ACTIVATIONS[l.config.activation] || !l.config.use_bias)) {
      unsupported.push(`layers ${denses.map((l) => `${l.class_name}(${l.config.activation})`)}`);
    }
    if (unsupported.length) throw new Error(`the JS forward pass does not cover: ${unsupported.join(', ')}`);
    const u = rc.units;
    // The cell's weights are the model's first variables (kernel, recurrent_kernel, bias);
    // the Dense layers are layer_with_weights-1.. (checked by shape below).
    const keys = ['variables/0', 'variables/1', 'variables/2'].map((k) => `${k}/.ATTRIBUTES/VARIABLE_VALUE`);
    denses.forEach((_, k) => keys.push(`layer_with_weights-${k + 1}/kernel/.ATTRIBUTES/VARIABLE_VALUE`,
        `layer_with_weights-${k + 1}/bias/.ATTRIBUTES/VARIABLE_VALUE`));
    const w = checkpointTensors(dir, keys);
    const [Wt, Ut, bt] = keys.slice(0, 3).map((k) => w[k]);
    const gates = kind === 'LSTM' ? 4 : 3;
    const D = Wt.shape[0];
    const wantB = kind === 'LSTM' ? [gates * u] : [2, gates * u];
    sameShape(Wt.shape, [D, gates * u], 'kernel');
    sameShape(Ut.shape, [u, gates * u], 'recurrent_kernel');
    sameShape(bt.shape, wantB, 'bias');

    const ref = await loadTfReference(dir);
    try {
      if (!ref.ops.includes('StatelessWhile') || !ref.ops.includes('TensorListGetItem')) {
        throw new Error(`the reference did not keep the loop: ops ${ref.ops}`);
      }
      const inp = ref.inputs[0];
      const [, T, Din] = inp.shape;
      if (Din !== D) throw new Error(`input ${inp.key} shape [${inp.shape}], kernel has ${D} rows`);
      const rand = mulberry32(1);
      const samples = [];
      for (let s = 0; s < 8; s++) samples.push({batch: 1, lo: -1, hi: 1});
      samples.push({batch: 3, lo: -3, hi: 3});
      let worst = 0;
      for (const sm of samples) {
        const x = Float32Array.from({length: sm.batch * T * D}, () => sm.lo + (sm.hi - sm.lo) * rand());
        const [out] = await ref.run({[inp.name]: {data: x, shape: [sm.batch, T, D]}});
        const want = [];
        for (let b = 0; b < sm.batch; b++) {
          let y = rnnLastState(kind, Float64Array.from(x.subarray(b * T * D, (b + 1) * T * D)), T, D, u,
              Wt.data, Ut.data, bt.data);
          denses.forEach((l, k) => {
            const K = w[keys[3 + 2 * k]];
            const B = w[keys[4 + 2 * k]];
            sameShape(K.shape, [y.length, l.config.units], `${l.config.name} kernel`);
            y = affine(y, K.data, y.length, l.config.units, B.data).map(ACTIVATIONS[l.config.activation]);
          });
          want.push(...y);
        }
        sameShape(out.shape, [sm.batch, want.length / sm.batch], `output ${out.key}`);
        worst = Math.max(worst, agree(out.data, want, 1e-5, `batch ${sm.batch} output ${out.key}`));
      }
      return `${kind}(${u}) + ${denses.map((l) => `Dense(${l.config.units},${l.config.activation})`).join(' + ')}; ` +
          `max |diff| ${worst.toExponential(2)}`;
    } finally {
      ref.dispose();
    }
  });
}

// --------------------------------------------------------------------------
// 3. LiteRT's if_op.pb

async function ifOp(pb) {
  await check('if_op.pb: StatefulIf = a<b ? cst0+cst1 : a*cst1, StatelessIf = a==b ? a-b : a/b, each branch taken',
      async () => {
        // The constants come from the file; the branch semantics from LiteRT's if_op.pbtxt
        // (then cond_true = Add(arg2, arg3), else cond_false = Mul(arg0, arg3);
        // then cond_true_1 = Sub(arg0, arg1), else cond_false_1 = Div(arg0, arg1)).
        const gd = protos().lookupType('tensorflow.GraphDef').decode(fs.readFileSync(pb));
        const cst = (name) => {
          const n = gd.node.find((x) => x.name === name);
          if (!n) throw new Error(`no node ${name}`);
          return tensorProtoValues(n.attr.value.tensor, name).values;
        };
        const c0 = cst('cst0');
        const c1 = cst('cst1');
        const ref = await loadTfReference(pb);
        try {
          const names = ref.outputs.map((o) => o.name).join(',');
          if (names !== 'StatefulIf,StatelessIf') throw new Error(`outputs ${names}`);
          const f32 = Math.fround;
          const cases = [[1, 2], [3, 2], [2, 2], [-1.5, 0.5], [0.75, -4]];
          const rand = mulberry32(5);
          for (let k = 0; k < 4; k++) cases.push([f32(4 * rand() - 2), f32(4 * rand() - 2)]);
          const taken = new Set();
          for (const [a, b] of cases) {
            const [sf, sl] = await ref.run({a: {data: [a], shape: []}, b: {data: [b], shape: []}});
            const want1 = a < b ? Array.from(c0, (v, i) => f32(v + c1[i])) : Array.from(c1, (v) => f32(a * v));
            const want2 = [a === b ? f32(a - b) : f32(a / b)];
            taken.add(a < b ? 'If then' : 'If else').add(a === b ? 'StatelessIf then' : 'StatelessIf else');
            sameShape(sf.shape, [c0.length], 'StatefulIf');
            agree(sf.data, want1, 0, `StatefulIf a=${a} b=${b}`);
            agree(sl.data, want2, 0, `StatelessIf a=${a} b=${b}`);
          }
          if (taken.size !== 4) throw new Error(`branches taken: ${[...taken]}`);
          return `${cases.length} (a, b) pairs, exact`;
        } finally {
          ref.dispose();
        }
      });
}

async function main() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tfcf-'));
  try {
    await handBuilt(tmp);
  } finally {
    fs.rmSync(tmp, {recursive: true, force: true});
  }
  let models = process.argv[2] || process.env.TFLC_SHARED_MODELS || '';
  if (!models) {
    for (const d of [path.join(__dirname, '..', '..', '..', '..', 'shared', 'models'), '/work/shared/models']) {
      if (fs.existsSync(d)) {
        models = d;
        break;
      }
    }
  }
  const stock = path.join(models, 'stock_lstm_gru_savedmodels_tf215');
  const ifPb = path.join(models, 'litert_if_op_graphdef', 'if_op.pb');
  if (!models || !fs.existsSync(stock) || !fs.existsSync(ifPb)) {
    console.log(`${results.length - failures} passed, ${failures} failed`);
    if (failures) return 1;
    console.log(`SKIP: shared models not found (${models || 'no models dir'}): stock LSTM/GRU and if_op checks not run`);
    return 77;
  }
  await stockRnn(path.join(stock, 'lstm_model'), 'stock lstm_model');
  await stockRnn(path.join(stock, 'gru_model'), 'stock gru_model');
  await ifOp(ifPb);
  console.log(`${results.length - failures} passed, ${failures} failed`);
  return failures ? 1 : 0;
}

main().then((code) => process.exit(code), (e) => {
  console.error(`tf_control_flow_ref: error: ${e.stack || e.message}`);
  process.exit(2);
});
