#!/usr/bin/env node
'use strict';
// Checks a quantized candidate .tflite against its float Keras source (and, optionally, against
// how well the official converter's quantized .tflite of the same model does).
//
// usage: node compare_quant.js <model.h5|.keras> <candidate.tflite> [options]
//   --official F.tflite      the official converter's output for the same model (needed by --mode int8)
//   --mode M                 int8:      candidate mean cosine >= official - cos margin and
//                                       argmax agreement >= official - argmax margin (points)
//                            tolerance: candidate max relative error <= --tol
//                            report:    only print (default)
//   --tol T                  for --mode tolerance (default 1e-2)
//   --cos-margin C           default 0.01
//   --argmax-margin P        default 3 (percentage points)
//   --expect-input-type T    candidate input type(s): one for all inputs or a comma list
//   --expect-output-type T   candidate output type(s), likewise
//   --samples N              default 32
//   --seed S                 default 1001 (keep it different from the representative dataset's)
//   --range lo,hi            uniform input range (default -1,1)
//   --json                   also print a one-line JSON summary
//
// The same seeded float inputs (Keras input shapes, batch 1) go through the Keras model
// (tfjs-layers, CPU), the candidate and the official model (TFLite WASM runtime). int8/uint8/int16
// inputs are quantized with the file's scale/zero point; quantized outputs are dequantized.
// Metrics (lib/quant_metrics.js): mean cosine similarity, argmax agreement (outputs with last
// dim > 1), max abs error and max relative error (per sample max|a-b| / max|ref|) vs the reference.
// Exit: 0 pass, 1 a check failed, 2 any error (bad file, runtime refused a model, bad option).

const fs = require('fs');
const {loadRuntime, createRunner, readIoQuantization, runtimeLabel} = require('./lib/runtime');
const {kerasReference, kerasInputSpecs} = require('./lib/keras_reference');
const {mulberry32, randomInputs, numel, toModelInput, fromModelOutput, usageError} = require('./lib/common');
const {AgreementStats} = require('./lib/quant_metrics');

const USAGE = 'usage: compare_quant.js <keras model> <candidate.tflite> [--official F.tflite] ' +
    '[--mode int8|tolerance|report] [--tol 1e-2] [--cos-margin 0.01] [--argmax-margin 3] ' +
    '[--expect-input-type T[,T…]] [--expect-output-type T[,T…]] [--samples 32] [--seed 1001] ' +
    '[--range lo,hi] [--runtime litert|tfjs-tflite] [--json]';

const MODES = ['int8', 'tolerance', 'report'];

function parseArgs(argv) {
  const opts = {
    mode: 'report', tol: 1e-2, cosMargin: 0.01, argmaxMargin: 3, samples: 32, seed: 1001, range: [-1, 1],
    official: null, expectInput: null, expectOutput: null, json: false, runtime: null, positional: [],
  };
  const num = (flag, v, ok) => {
    const x = Number(v);
    if (!ok(x)) throw usageError(`${flag}: bad value ${JSON.stringify(v)}`);
    return x;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const eq = a.indexOf('=');
    const flag = a.startsWith('--') && eq > 0 ? a.slice(0, eq) : a;
    const value = () => {
      if (a.startsWith('--') && eq > 0) return a.slice(eq + 1);
      if (i + 1 >= argv.length) throw usageError(`${flag} needs a value`);
      return argv[++i];
    };
    switch (flag) {
      case '--official': opts.official = value(); break;
      case '--mode':
        opts.mode = value();
        if (!MODES.includes(opts.mode)) throw usageError(`--mode must be one of ${MODES.join(', ')}`);
        break;
      case '--tol': case '--tolerance': opts.tol = num(flag, value(), (x) => x >= 0); break;
      case '--cos-margin': opts.cosMargin = num(flag, value(), (x) => x >= 0); break;
      case '--argmax-margin': opts.argmaxMargin = num(flag, value(), (x) => x >= 0); break;
      case '--samples': opts.samples = num(flag, value(), (x) => Number.isInteger(x) && x >= 1); break;
      case '--seed': opts.seed = num(flag, value(), Number.isInteger); break;
      case '--range': {
        const r = value().split(',').map(Number);
        if (r.length !== 2 || !r.every(Number.isFinite) || r[0] > r[1]) throw usageError('--range must be lo,hi with lo <= hi');
        opts.range = r;
        break;
      }
      case '--expect-input-type': opts.expectInput = value().split(','); break;
      case '--expect-output-type': opts.expectOutput = value().split(','); break;
      case '--runtime': opts.runtime = value(); break;  // litert (default) | tfjs-tflite
      case '--json': opts.json = true; break;
      case '-h': case '--help': opts.help = true; break;
      default:
        if (a.startsWith('--')) throw usageError(`unknown option ${a}`);
        opts.positional.push(a);
    }
  }
  if (opts.mode === 'int8' && !opts.official) throw usageError('--mode int8 needs --official');
  return opts;
}

// "serving_default_input_1:0" → "input_1": the converter's input naming.
const bareName = (n) => n.replace(/^serving_default_/, '').replace(/:\d+$/, '');

/** For each .tflite input, the index of the Keras input feeding it: by name if all match, else by order. */
function matchInputs(specs, tflInputs, label) {
  if (specs.length !== tflInputs.length) {
    throw new Error(`${label}: has ${tflInputs.length} input(s), the Keras model has ${specs.length}`);
  }
  const names = specs.map((s) => s.name);
  let order = tflInputs.map((t) => names.indexOf(bareName(t.name)));
  if (order.some((k) => k < 0) || new Set(order).size !== order.length) order = tflInputs.map((_, i) => i);
  order.forEach((k, i) => {
    if (numel(specs[k].shape) !== numel(tflInputs[i].shape)) {
      throw new Error(`${label}: input ${i} ${tflInputs[i].name} has shape [${tflInputs[i].shape}], ` +
          `the Keras input ${specs[k].name} has [${specs[k].shape}]`);
    }
  });
  return order;
}

/** A .tflite under test: file, I/O description, runner, metrics. */
async function openModel(runtime, file, label) {
  let bytes;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    throw new Error(`${file}: cannot read ${label} .tflite (${e.code || e.message})`);
  }
  let io;
  try {
    io = readIoQuantization(bytes);
  } catch (e) {
    throw new Error(`${file}: ${e.message}`);
  }
  const runner = await createRunner(runtime, bytes, file);
  if (runner.inputs.length !== io.inputs.length || runner.outputs.length !== io.outputs.length) {
    runner.close();
    throw new Error(`${file}: runtime and file disagree on the number of inputs/outputs`);
  }
  return {file, label, size: bytes.length, io, runner, order: null, stats: new AgreementStats(label)};
}

const ioTypes = (descs) => descs.map((d) => d.dtype).join(',');

function typeCheck(model, expected, which) {
  if (!expected) return null;
  const descs = model.io[which];
  const want = expected.length === 1 ? descs.map(() => expected[0]) : expected;
  const got = descs.map((d) => d.dtype);
  const ok = want.length === got.length && want.every((t, i) => t === got[i]);
  return {
    name: `${model.label} ${which.slice(0, -1)} type${got.length > 1 ? 's' : ''}`,
    pass: ok,
    detail: `${got.join(',')} (expected ${want.join(',')})`,
  };
}

const f = (x, digits = 5) => (x === null || x === undefined ? '–' : Number.isFinite(x) ? x.toFixed(digits) : String(x));
const e = (x) => (Number.isFinite(x) ? (x === 0 ? '0' : x.toExponential(2)) : String(x));

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.help) {
    console.log(USAGE);
    return 0;
  }
  if (opts.positional.length !== 2) throw usageError('expected a Keras model and a candidate .tflite');
  const [kerasPath, candPath] = opts.positional;
  if (!fs.existsSync(kerasPath)) throw new Error(`${kerasPath}: no such file`);

  const specs = await kerasInputSpecs(kerasPath);
  const runtime = await loadRuntime(opts.runtime);
  const models = [];
  try {
    models.push(await openModel(runtime, candPath, 'candidate'));
    if (opts.official) models.push(await openModel(runtime, opts.official, 'official'));
    for (const m of models) m.order = matchInputs(specs, m.io.inputs, m.file);

    const rand = mulberry32(opts.seed);
    const [lo, hi] = opts.range;
    let refShapes = null;
    for (let s = 0; s < opts.samples; s++) {
      const floats = randomInputs(specs.map((sp) => sp.shape), rand, lo, hi);
      const ref = await kerasReference(kerasPath, floats);
      refShapes = refShapes || ref.map((r) => r.shape);
      for (const m of models) {
        const outs = await m.runner.run(m.io.inputs.map((d, i) => toModelInput(floats[m.order[i]], d, m.file)));
        if (outs.length !== ref.length) {
          throw new Error(`${m.file}: has ${outs.length} output(s), the Keras model has ${ref.length}`);
        }
        outs.forEach((o, k) => {
          if (numel(o.shape) !== numel(ref[k].shape)) {
            throw new Error(`${m.file}: output ${k} ${o.name} has shape [${o.shape}], the Keras output has [${ref[k].shape}]`);
          }
          const lastDim = ref[k].shape.length ? ref[k].shape[ref[k].shape.length - 1] : 1;
          m.stats.add(fromModelOutput(o.data, m.io.outputs[k]), ref[k].data, lastDim);
        });
      }
    }

    const results = models.map((m) => ({
      ...m.stats.result(), file: m.file, size: m.size,
      input_types: ioTypes(m.io.inputs), output_types: ioTypes(m.io.outputs),
    }));
    const [cand, official] = results;

    const checks = [];
    const candModel = models[0];
    for (const c of [typeCheck(candModel, opts.expectInput, 'inputs'), typeCheck(candModel, opts.expectOutput, 'outputs')]) {
      if (c) checks.push(c);
    }
    for (const r of results) {
      if (r.non_finite) checks.push({name: `${r.label} finite outputs`, pass: false, detail: `${r.non_finite} NaN/Inf values`});
    }
    if (opts.mode === 'int8') {
      const cosMin = official.mean_cosine - opts.cosMargin;
      checks.push({
        name: 'mean cosine', pass: cand.mean_cosine >= cosMin,
        detail: `${f(cand.mean_cosine)} >= official ${f(official.mean_cosine)} - ${opts.cosMargin} = ${f(cosMin)}`,
      });
      if (official.argmax_agreement !== null) {
        const amMin = official.argmax_agreement - opts.argmaxMargin;
        checks.push({
          name: 'argmax agreement', pass: cand.argmax_agreement !== null && cand.argmax_agreement >= amMin,
          detail: `${f(cand.argmax_agreement, 1)}% >= official ${f(official.argmax_agreement, 1)}% - ` +
              `${opts.argmaxMargin} = ${f(amMin, 1)}%`,
        });
      }
    } else if (opts.mode === 'tolerance') {
      checks.push({
        name: 'max relative error', pass: cand.max_rel <= opts.tol,
        detail: `${e(cand.max_rel)} <= ${e(opts.tol)} (per sample max|ours-ref| / max|ref|)`,
      });
    }

    const lines = [];
    lines.push(`compare_quant: ${candPath}`);
    lines.push(`  reference: ${kerasPath} (tfjs-layers, float32)`);
    lines.push(`  ${opts.samples} samples, seed ${opts.seed}, range [${lo}, ${hi}], outputs ` +
        refShapes.map((sh) => `[${sh.join(',')}]`).join(' ') + `, runtime ${runtimeLabel(runtime)}, mode ${opts.mode}`);
    const rows = [['model', 'I/O types', 'bytes', 'mean cos', 'argmax', 'max abs', 'max rel']];
    for (const r of results) {
      rows.push([r.label, `${r.input_types}->${r.output_types}`, String(r.size), f(r.mean_cosine),
        r.argmax_agreement === null ? '–' : `${f(r.argmax_agreement, 1)}%`, e(r.max_abs), e(r.max_rel)]);
    }
    const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
    for (const row of rows) lines.push('  ' + row.map((cell, c) => cell.padEnd(widths[c])).join('  ').trimEnd());
    for (const c of checks) lines.push(`  ${c.pass ? 'PASS' : 'FAIL'} ${c.name}: ${c.detail}`);
    const pass = checks.every((c) => c.pass);
    lines.push(pass ? 'PASS' : 'FAIL');
    console.log(lines.join('\n'));
    if (opts.json) {
      console.log(JSON.stringify({
        tool: 'compare_quant', reference: kerasPath, candidate: candPath, official: opts.official,
        samples: opts.samples, seed: opts.seed, range: opts.range, mode: opts.mode, results, checks, pass,
      }));
    }
    return pass ? 0 : 1;
  } finally {
    for (const m of models) m.runner.close();
  }
}

main().then((code) => process.exit(code), (err) => {
  console.error(`compare_quant: error: ${err.message}`);
  if (err.usage) console.error(USAGE);
  if (process.env.TFLC_E2E_DEBUG) console.error(err.stack);
  process.exit(2);
});
