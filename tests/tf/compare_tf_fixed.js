#!/usr/bin/env node
'use strict';
// compare_tf.js for a model with an extra scalar input that must hold a fixed value in *both* the
// TF reference and the candidate (compare_tf.js's --feed reaches the reference only), e.g. the
// dropout keep_prob of tf2onnx_lstm_frozen, which tflc keeps as an input (--input_arrays X,keep_prob)
// because RandomUniform cannot be folded: floor(keep_prob + u) = 1 for keep_prob = 1, u in [0, 1).
//
// usage: node compare_tf_fixed.js <model.pb> <candidate.tflite> --input X:1x784 --output output
//          --fixed keep_prob=1.0 [--samples 8] [--seed 1] [--range lo,hi] [--tolerance 1e-4] [--json]
// Random inputs are fed to both (same values); fixed ones are fed as scalars to both. Candidate
// inputs are matched by name (without "serving_default_" / ":0"), outputs by name
// or else by order. Same check and exit codes
// as compare_tf.js: max|cand - ref| <= tol * max(1, max|ref|); 0 pass, 1 mismatch, 2 error.
const fs = require('fs');
const path = require('path');
const e2e = path.join(__dirname, '..', 'e2e');
const {loadRuntime, createRunner, readIoQuantization} = require(path.join(e2e, 'lib', 'tflite_runtime'));
const {loadTfReference} = require(path.join(e2e, 'lib', 'tf_reference'));
const {mulberry32, randomInputs, toModelInput, fromModelOutput, OutputStats, parseArgs, report, usageError} =
    require(path.join(e2e, 'lib', 'common'));

const bare = (n) => n.replace(/^serving_default_/, '').replace(/:0$/, '');

async function main() {
  const argv = process.argv.slice(2);
  const inputs = [], outputs = [], fixed = {}, rest = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!['--input', '--output', '--fixed'].includes(a)) {
      rest.push(a);
      continue;
    }
    if (i + 1 >= argv.length) throw usageError(`${a} needs a value`);
    const v = argv[++i];
    if (a === '--output') {
      outputs.push(v);
    } else if (a === '--input') {
      const c = v.lastIndexOf(':');
      if (c <= 0 || !/^\d+(x\d+)*$/.test(v.slice(c + 1))) throw usageError(`--input wants name:dims, got ${v}`);
      inputs.push({name: v.slice(0, c), shape: v.slice(c + 1).split('x').map(Number)});
    } else {
      const eq = v.lastIndexOf('=');
      const val = Number(v.slice(eq + 1));
      if (eq <= 0 || !Number.isFinite(val)) throw usageError(`--fixed wants name=number, got ${v}`);
      fixed[v.slice(0, eq)] = val;
    }
  }
  const opts = parseArgs(rest, {tolerance: 1e-4});
  if (opts.positional.length !== 2 || !inputs.length || !outputs.length) {
    throw usageError('usage: compare_tf_fixed.js <model.pb> <candidate.tflite> --input name:dims... --output name... ' +
                     '[--fixed name=value]... [--samples N] [--seed S] [--range lo,hi] [--tolerance T]');
  }
  const [modelPath, tflPath] = opts.positional;
  if (!fs.existsSync(modelPath)) throw new Error(`${modelPath}: no such file or directory`);
  const bytes = fs.readFileSync(tflPath);
  const io = readIoQuantization(bytes);
  const ref = await loadTfReference(modelPath, {inputs: inputs.map((i) => i.name), outputs, feeds: fixed});
  const runtime = await loadRuntime();
  const runner = createRunner(runtime, bytes, tflPath);
  try {
    // Candidate input i ← random input k, or a fixed scalar.
    const source = io.inputs.map((d) => {
      const n = bare(d.name);
      const k = inputs.findIndex((x) => x.name === n);
      if (k >= 0) return {k};
      if (n in fixed) return {value: fixed[n]};
      throw new Error(`${tflPath}: candidate input ${d.name} is neither an --input nor a --fixed name`);
    });
    // Outputs by name, else by order (tflc names an output tensor after the op that computes it;
    // the TF output name is its SignatureDef key).
    let outOrder = io.outputs.map((d) => outputs.indexOf(bare(d.name)));
    if (outOrder.some((k) => k < 0)) {
      if (io.outputs.length !== outputs.length) {
        throw new Error(`${tflPath}: ${io.outputs.length} output(s), ${outputs.length} --output name(s)`);
      }
      outOrder = io.outputs.map((_, k) => k);
    }
    const rand = mulberry32(opts.seed);
    const [lo, hi] = opts.range;
    const stats = io.outputs.map((d, k) => new OutputStats(`${d.name} (TF ${outputs[outOrder[k]]})`, d.shape));
    for (let s = 0; s < opts.samples; s++) {
      const floats = randomInputs(inputs.map((i) => i.shape), rand, lo, hi);
      const feed = {};
      ref.inputs.forEach((r) => {
        const k = inputs.findIndex((x) => x.name === r.name || x.name === r.key || `${x.name}:0` === r.name);
        if (k < 0) throw new Error(`${modelPath}: TF input ${r.name} is not an --input name`);
        feed[r.name] = {data: floats[k], shape: inputs[k].shape};
      });
      const refOut = await ref.run(feed);
      const candOut = runner.run(io.inputs.map((d, i) =>
        toModelInput(source[i].k !== undefined ? floats[source[i].k] : new Float32Array([source[i].value]), d, tflPath)));
      candOut.forEach((o, k) => {
        const r = refOut[outOrder[k]];
        if (r.data.length !== o.data.length) {
          throw new Error(`${tflPath}: output ${o.name} has ${o.data.length} values, TF ${r.key} has ${r.data.length}`);
        }
        stats[k].add(fromModelOutput(o.data, io.outputs[k]), r.data);
      });
    }
    const results = stats.map((st) => st.result(opts.tolerance));
    const summary = {
      tool: 'compare_tf_fixed', reference: `${modelPath} (graphdef, tfjs-converter CPU)`, candidate: tflPath,
      samples: opts.samples, seed: opts.seed, range: opts.range, tolerance: opts.tolerance, runtime: runtime.build,
      notes: Object.entries(fixed).map(([k, v]) => `${k} = ${v} in both`), outputs: results,
      pass: results.every((o) => o.pass),
    };
    report(summary, opts);
    return summary.pass ? 0 : 1;
  } finally {
    runner.close();
    ref.dispose();
  }
}

main().then((code) => process.exit(code), (e) => {
  console.error(`compare_tf_fixed: error: ${e.message}`);
  if (process.env.TFLC_E2E_DEBUG) console.error(e.stack);
  process.exit(2);
});
