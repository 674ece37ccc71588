#!/usr/bin/env node
'use strict';
// Compares a candidate .tflite against a reference .tflite (e.g. the official
// converter's output for the same source model).
//
// usage: node compare_tflite.js <reference.tflite> <candidate.tflite>
//          [--samples 8] [--seed 1] [--range lo,hi] [--tolerance 1e-5] [--runtime R] [--json]
//   --runtime litert (default; LiteRT.js 2.5.3) | tfjs-tflite (the 2023 interpreter, a second
//   opinion); default from the environment variable TFLC_E2E_RUNTIME.
//
// Seeded float inputs with the reference's input shapes go into both files
// (each quantizes them with its own input scale / zero point when its inputs
// are integer); outputs are dequantized and matched by order. Output k passes
// when max|cand - ref| <= tol * max(1, max|ref|) over all samples.
// Exit: 0 pass, 1 numeric mismatch, 2 any error.

const fs = require('fs');
const {loadRuntime, createRunner, readIoQuantization, runtimeLabel} = require('./lib/runtime');
const {
  mulberry32, randomInputs, numel, toModelInput, fromModelOutput, OutputStats, parseArgs, report, usageError,
} = require('./lib/common');

const USAGE = 'usage: compare_tflite.js <reference.tflite> <candidate.tflite> ' +
    '[--samples 8] [--seed 1] [--range lo,hi] [--tolerance 1e-5] [--runtime litert|tfjs-tflite] [--json]';

async function openTflite(runtime, p, what) {
  let bytes;
  try {
    bytes = fs.readFileSync(p);
  } catch (e) {
    throw new Error(`${p}: cannot read ${what} (${e.code || e.message})`);
  }
  let io;
  try {
    io = readIoQuantization(bytes);
  } catch (e) {
    throw new Error(`${p}: ${e.message}`);
  }
  const runner = await createRunner(runtime, bytes, p);
  return {path: p, io, runner};
}

async function main() {
  const opts = parseArgs(process.argv.slice(2), {tolerance: 1e-5});
  if (opts.help) {
    console.log(USAGE);
    return 0;
  }
  if (opts.positional.length !== 2) throw usageError('expected a reference and a candidate .tflite');
  const [refPath, candPath] = opts.positional;
  for (const p of [refPath, candPath]) if (!fs.existsSync(p)) throw new Error(`${p}: no such file`);

  const runtime = await loadRuntime(opts.runtime);
  const opened = [];
  try {
    const ref = await openTflite(runtime, refPath, 'reference .tflite');
    opened.push(ref);
    const cand = await openTflite(runtime, candPath, 'candidate .tflite');
    opened.push(cand);

    if (ref.io.inputs.length !== cand.io.inputs.length) {
      throw new Error(`${candPath}: has ${cand.io.inputs.length} input(s), the reference has ${ref.io.inputs.length}`);
    }
    ref.io.inputs.forEach((r, i) => {
      const c = cand.io.inputs[i];
      if (numel(r.shape) !== numel(c.shape)) {
        throw new Error(`${candPath}: input ${i} ${c.name} has shape [${c.shape}], the reference has [${r.shape}]`);
      }
    });
    if (ref.io.outputs.length !== cand.io.outputs.length) {
      throw new Error(`${candPath}: has ${cand.io.outputs.length} output(s), the reference has ${ref.io.outputs.length}`);
    }
    ref.io.outputs.forEach((r, k) => {
      const c = cand.io.outputs[k];
      if (numel(r.shape) !== numel(c.shape)) {
        throw new Error(`${candPath}: output ${k} ${c.name} has shape [${c.shape}], the reference has [${r.shape}]`);
      }
    });

    const notes = [];
    for (const [who, m] of [['reference', ref], ['candidate', cand]]) {
      m.io.inputs.forEach((d, i) => {
        if (d.dtype !== 'float32') notes.push(`${who} input ${i} ${d.name}: ${d.dtype}` + (d.scale.length ? ` scale ${d.scale[0]} zero point ${d.zeroPoint[0]}` : ''));
      });
      m.io.outputs.forEach((d, k) => {
        if (d.dtype !== 'float32') notes.push(`${who} output ${k} ${d.name}: ${d.dtype}` + (d.scale.length ? ` (dequantized, scale ${d.scale[0]} zero point ${d.zeroPoint[0]})` : ''));
      });
    }

    const rand = mulberry32(opts.seed);
    const [lo, hi] = opts.range;
    const stats = cand.io.outputs.map((d) => new OutputStats(d.name, d.shape));
    for (let s = 0; s < opts.samples; s++) {
      const floats = randomInputs(ref.io.inputs.map((d) => d.shape), rand, lo, hi);
      const refOut = await ref.runner.run(ref.io.inputs.map((d, i) => toModelInput(floats[i], d, refPath)));
      const candOut = await cand.runner.run(cand.io.inputs.map((d, i) => toModelInput(floats[i], d, candPath)));
      candOut.forEach((o, k) => stats[k].add(
          fromModelOutput(o.data, cand.io.outputs[k]), fromModelOutput(refOut[k].data, ref.io.outputs[k])));
    }

    const outputs = stats.map((st) => st.result(opts.tolerance));
    const summary = {
      tool: 'compare_tflite',
      reference: refPath,
      candidate: candPath,
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
    for (const m of opened) m.runner.close();
  }
}

main().then((code) => process.exit(code), (e) => {
  console.error(`compare_tflite: error: ${e.message}`);
  if (e.usage) console.error(USAGE);
  if (process.env.TFLC_E2E_DEBUG) console.error(e.stack);
  process.exit(2);
});
