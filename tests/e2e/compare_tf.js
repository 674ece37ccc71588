#!/usr/bin/env node
'use strict';
// Compares a candidate .tflite against its TensorFlow source: a frozen GraphDef
// (.pb) or a SavedModel directory, run in @tensorflow/tfjs-converter (CPU).
//
// usage: node compare_tf.js <model.pb | saved_model dir> <candidate.tflite>
//          [--inputs name:shape,...] [--outputs name,...] [--signature serving_default]
//          [--feed name=value]... [--samples 8] [--seed 1] [--range lo,hi]
//          [--tolerance 1e-4] [--json]
//
// --inputs   TF inputs and their shapes, dims joined by 'x' ("X:1x784", "X:" for a
//            scalar, "X" to take the shape from the candidate; the text after the
//            last ':' is always the shape, so write "x:0:1x1" for a tensor name). GraphDef default:
//            every Placeholder; SavedModel: the signature's inputs (by key or tensor name).
// --outputs  GraphDef default: the sink nodes; SavedModel: the signature's outputs.
// --feed     extra placeholder held at a scalar value (e.g. keep_prob=1.0): fed to the reference, and to
//            the candidate's input of the same name when it has one (filled with the value).
//
// Candidate inputs/outputs are matched to the TF ones by the .tflite SignatureDef
// names when present, else by tensor name (without "serving_default_" / ":0"),
// else by order. Shapes: --inputs, else the candidate's input shape (checked
// against the TF shape, where -1 matches any size: unknown batch or non-batch dims
// take the candidate's). TF2 control flow (While/If library functions, TensorLists)
// runs in the reference as is, no option needed. Output k passes when
// max|cand - ref| <= tol * max(1, max|ref|) over all samples.
// Exit: 0 pass, 1 numeric mismatch, 2 any error.

const fs = require('fs');
const {loadRuntime, createRunner, readIoQuantization, runtimeLabel} = require('./lib/runtime');
const {readSignatures} = require('./lib/tflite_signatures');
const {loadTfReference} = require('./lib/tf_reference');
const {
  mulberry32, randomInputs, numel, toModelInput, fromModelOutput, OutputStats, parseArgs, report, usageError,
} = require('./lib/common');

const USAGE = 'usage: compare_tf.js <model.pb | saved_model dir> <candidate.tflite> ' +
    '[--inputs name:shape,...] [--outputs name,...] [--signature serving_default] [--feed name=value]... ' +
    '[--samples 8] [--seed 1] [--range lo,hi] [--tolerance 1e-4] [--runtime litert|tfjs-tflite] [--json]';

/** Takes compare_tf's own options out of argv; the rest goes to common.parseArgs. */
function extractOptions(argv) {
  const own = {inputs: null, outputs: null, signature: null, feeds: {}};
  const rest = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const m = /^(--inputs|--outputs|--signature|--feed)(?:=(.*))?$/s.exec(a);
    if (!m) {
      rest.push(a);
      continue;
    }
    let v = m[2];
    if (v === undefined) {
      if (i + 1 >= argv.length) throw usageError(`${m[1]} needs a value`);
      v = argv[++i];
    }
    switch (m[1]) {
      case '--inputs':
        own.inputs = v.split(',').filter((s) => s.length).map((s) => {
          const c = s.lastIndexOf(':');
          if (c < 0) return {name: s, shape: null};
          const dims = s.slice(c + 1);
          if (!/^(\d+(x\d+)*)?$/.test(dims) || c === 0) throw usageError(`--inputs: bad entry ${s} (want name:dims, e.g. X:1x784)`);
          return {name: s.slice(0, c), shape: dims === '' ? [] : dims.split('x').map(Number)};
          return {name: s, shape: null};
        });
        break;
      case '--outputs': own.outputs = v.split(',').filter((s) => s.length); break;
      case '--signature': own.signature = v; break;
      case '--feed': {
        const eq = v.lastIndexOf('=');
        const val = Number(v.slice(eq + 1));
        if (eq <= 0 || !Number.isFinite(val)) throw usageError(`--feed wants name=number, got ${v}`);
        own.feeds[v.slice(0, eq)] = val;
        break;
      }
      default: break;
    }
  }
  return {own, rest};
}

const bare = (n) => n.replace(/^serving_default_/, '').replace(/:0$/, '');

/**
 * For each candidate tensor, the index of the TF tensor it corresponds to.
 * tf: [{name, key}], tfl: [{index, name}], sigMaps: [{name, tensor}] or null.
 */
function matchTensors(tf, tfl, sigMaps, what, label, notes) {
  if (tf.length !== tfl.length) {
    throw new Error(`${label}: has ${tfl.length} ${what}(s), the TF reference has ${tf.length} ` +
        `(${tf.map((t) => t.key).join(', ')})`);
  }
  const tryMatch = (nameOf, how) => {
    const order = tfl.map((t) => {
      const n = nameOf(t);
      if (n == null) return -1;
      const hits = tf.map((r, k) => (r.key === n || r.name === n || bare(r.name) === n || bare(r.key) === n ? k : -1))
          .filter((k) => k >= 0);
      return hits.length === 1 ? hits[0] : -1;
    });
    if (order.every((k) => k >= 0) && new Set(order).size === order.length) {
      if (tf.length > 1) notes.push(`${what}s matched by ${how}`);
      return order;
    }
    return null;
  };
  let order = null;
  if (sigMaps && sigMaps.length) {
    const byTensor = new Map(sigMaps.map((m) => [m.tensor, m.name]));
    order = tryMatch((t) => (byTensor.has(t.index) ? byTensor.get(t.index) : null), 'SignatureDef name');
  }
  if (!order) order = tryMatch((t) => bare(t.name), 'tensor name');
  if (!order) {
    if (tf.length > 1) notes.push(`${what}s matched by order`);
    order = tfl.map((_, i) => i);
  }
  return order;
}

function readCandidate(p) {
  let bytes;
  try {
    bytes = fs.readFileSync(p);
  } catch (e) {
    throw new Error(`${p}: cannot read candidate .tflite (${e.code || e.message})`);
  }
  try {
    return {bytes, io: readIoQuantization(bytes), sigs: readSignatures(bytes)};
  } catch (e) {
    throw new Error(`${p}: ${e.message}`);
  }
}

async function main() {
  const {own, rest} = extractOptions(process.argv.slice(2));
  const opts = parseArgs(rest, {tolerance: 1e-4});
  if (opts.help) {
    console.log(USAGE);
    return 0;
  }
  if (opts.positional.length !== 2) throw usageError('expected a TF model (.pb or SavedModel dir) and a candidate .tflite');
  const [modelPath, tflPath] = opts.positional;
  if (!fs.existsSync(modelPath)) throw new Error(`${modelPath}: no such file or directory`);
  const cand = readCandidate(tflPath);

  const ref = await loadTfReference(modelPath, {
    signature: own.signature,
    inputs: own.inputs ? own.inputs.map((i) => i.name) : null,
    outputs: own.outputs,
    feeds: own.feeds,
  });
  const runtime = await loadRuntime(opts.runtime);
  const runner = await createRunner(runtime, cand.bytes, tflPath);
  try {
    const notes = [];
    const wantSig = own.signature || 'serving_default';
    const sig = cand.sigs.find((s) => s.key === wantSig && s.subgraph === 0) ||
        (cand.sigs.length === 1 && cand.sigs[0].subgraph === 0 ? cand.sigs[0] : null);
    if (sig && sig.key !== wantSig) notes.push(`candidate SignatureDef "${sig.key}" used for matching`);
    // Candidate inputs named in --feed hold that value; the others are matched to the TF inputs.
    const sigName = new Map(((sig && sig.inputs) || []).map((m) => [m.tensor, m.name]));
    const fedName = cand.io.inputs.map((d) =>
      [bare(d.name), sigName.get(d.index)].find((n) => n != null && Object.prototype.hasOwnProperty.call(own.feeds, n)));
    const fedValue = fedName.map((n) => (n === undefined ? undefined : own.feeds[n]));
    const matchable = cand.io.inputs.filter((_, i) => fedValue[i] === undefined);
    const inOrder = matchTensors(ref.inputs, matchable, sig && sig.inputs, 'input', tflPath, notes);
    const outOrder = matchTensors(ref.outputs, cand.io.outputs, sig && sig.outputs, 'output', tflPath, notes);

    // Reference input shapes.
    const shapes = ref.inputs.map((r, k) => {
      const i = inOrder.indexOf(k);
      const c = matchable[i];
      const given = own.inputs && own.inputs.find((x) => x.name === r.key || x.name === r.name);
      let shape = given && given.shape ? given.shape : c.shape;
      if (!given || !given.shape) {
        if (r.shape && (r.shape.length !== c.shape.length || r.shape.some((d, j) => d >= 0 && d !== c.shape[j]))) {
          throw new Error(`${tflPath}: input ${i} ${c.name} has shape [${c.shape}], the TF input ${r.key} has ` +
              `[${r.shape}] (give --inputs ${r.key}:<dims> to override)`);
        }
      }
      if (numel(shape) !== numel(c.shape)) {
        throw new Error(`${tflPath}: input ${i} ${c.name} has shape [${c.shape}], the TF input ${r.key} gets [${shape}]`);
      }
      return shape;
    });
    if (ref.controlFlow) {
      notes.push(`reference runs TF2 control flow / TensorLists (library functions: ${ref.functions.join(', ') || 'none'})`);
    }
    ref.inputs.forEach((r) => {
      if (r.dtype === 'double') notes.push(`TF input ${r.key} is float64: the reference computes in float32`);
    });
    for (const [k, v] of Object.entries(own.feeds)) {
      const inCandidate = fedName.includes(k);
      notes.push(`feed ${k} = ${v} (reference${inCandidate ? ' and candidate' : ''})`);
    }
    cand.io.inputs.forEach((d, i) => {
      if (d.dtype !== 'float32') notes.push(`candidate input ${i} ${d.name}: ${d.dtype}` + (d.scale.length ? ` scale ${d.scale[0]} zero point ${d.zeroPoint[0]}` : ''));
    });
    cand.io.outputs.forEach((d, k) => {
      if (d.dtype !== 'float32') notes.push(`candidate output ${k} ${d.name}: ${d.dtype}` + (d.scale.length ? ` (dequantized, scale ${d.scale[0]} zero point ${d.zeroPoint[0]})` : ''));
    });

    const rand = mulberry32(opts.seed);
    const [lo, hi] = opts.range;
    const stats = cand.io.outputs.map((d, k) => new OutputStats(`${d.name} (TF ${ref.outputs[outOrder[k]].key})`, d.shape));
    for (let s = 0; s < opts.samples; s++) {
      const floats = randomInputs(shapes, rand, lo, hi);
      const feed = {};
      ref.inputs.forEach((r, k) => {
        feed[r.name] = {data: floats[k], shape: shapes[k]};
      });
      const refOut = await ref.run(feed);
      let j = 0;
      const candOut = await runner.run(cand.io.inputs.map((d, i) => (fedValue[i] !== undefined
          ? toModelInput(new Float32Array(numel(d.shape)).fill(fedValue[i]), d, tflPath)
          : toModelInput(floats[inOrder[j++]], d, tflPath))));
      candOut.forEach((o, k) => {
        const r = refOut[outOrder[k]];
        if (r.data.length !== o.data.length) {
          throw new Error(`${tflPath}: output ${k} ${o.name} has ${o.data.length} values [${o.shape}], ` +
              `the TF output ${r.key} has ${r.data.length} [${r.shape}]`);
        }
        stats[k].add(fromModelOutput(o.data, cand.io.outputs[k]), r.data);
      });
    }
    const outputs = stats.map((st) => st.result(opts.tolerance));
    const summary = {
      tool: 'compare_tf',
      reference: `${modelPath} (${ref.kind}${ref.signature ? `, signature ${ref.signature}` : ''}, tfjs-converter CPU)`,
      candidate: tflPath,
      samples: opts.samples,
      seed: opts.seed,
      range: opts.range,
      tolerance: opts.tolerance,
      runtime: runtimeLabel(runtime),
      notes,
      outputs,
      pass: outputs.every((o) => o.pass),
    };
    report(summary, opts);
    return summary.pass ? 0 : 1;
  } finally {
    runner.close();
    ref.dispose();
  }
}

main().then((code) => process.exit(code), (e) => {
  console.error(`compare_tf: error: ${e.message}`);
  if (e.usage) console.error(USAGE);
  if (process.env.TFLC_E2E_DEBUG) console.error(e.stack);
  process.exit(2);
});
