#!/usr/bin/env node
'use strict';
// Compares a candidate .tflite against its Keras source model.
//
// usage: node compare_keras.js <model.h5|model.keras> <candidate.tflite>
//          [--samples 8] [--seed 1] [--range lo,hi] [--tolerance 1e-4] [--runtime R] [--json]
//   --runtime litert (default; LiteRT.js 2.5.3) | tfjs-tflite (the 2023 interpreter, a second
//   opinion); default from the environment variable TFLC_E2E_RUNTIME.
//
// Seeded uniform inputs in [lo, hi) with the Keras input shapes (batch 1) go
// through the Keras model (tfjs-layers, CPU) and through the candidate in the
// TFLite WASM runtime. Integer candidate inputs are quantized with the file's
// scale / zero point; quantized outputs are dequantized. Outputs are matched by
// order. Output k passes when max|ours - ref| <= tol * max(1, max|ref|), taken
// over all samples.
// Exit: 0 pass, 1 numeric mismatch, 2 any error (bad file, load failure, …).

const fs = require('fs');
const {loadRuntime, createRunner, readIoQuantization, runtimeLabel} = require('./lib/runtime');
const {kerasReference, kerasInputSpecs} = require('./lib/keras_reference');
const {
  mulberry32, randomInputs, numel, toModelInput, fromModelOutput, OutputStats, parseArgs, report, usageError,
} = require('./lib/common');

const USAGE = 'usage: compare_keras.js <keras model (.h5|.keras)> <candidate.tflite> ' +
    '[--samples 8] [--seed 1] [--range lo,hi] [--tolerance 1e-4] [--runtime litert|tfjs-tflite] [--json]';

function readFileOrThrow(p, what) {
  try {
    return fs.readFileSync(p);
  } catch (e) {
    throw new Error(`${p}: cannot read ${what} (${e.code || e.message})`);
  }
}

// "serving_default_input_1:0" → "input_1": the converter's input naming.
const bareName = (n) => n.replace(/^serving_default_/, '').replace(/:\d+$/, '');

/**
 * For each candidate input, the index of the Keras input that feeds it: by
 * name when every name matches exactly one Keras input, else by order.
 */
function matchInputs(kerasSpecs, tflInputs, label) {
  if (kerasSpecs.length !== tflInputs.length) {
    throw new Error(`${label}: has ${tflInputs.length} input(s), the Keras model has ${kerasSpecs.length}`);
  }
  const names = kerasSpecs.map((s) => s.name);
  let order = tflInputs.map((t) => names.indexOf(bareName(t.name)));
  if (order.some((k) => k < 0) || new Set(order).size !== order.length) order = tflInputs.map((_, i) => i);
  order.forEach((k, i) => {
    const want = numel(kerasSpecs[k].shape);
    const got = numel(tflInputs[i].shape);
    if (want !== got) {
      throw new Error(`${label}: input ${i} ${tflInputs[i].name} has shape [${tflInputs[i].shape}], ` +
          `the Keras input ${kerasSpecs[k].name} has [${kerasSpecs[k].shape}]`);
    }
  });
  return order;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2), {tolerance: 1e-4});
  if (opts.help) {
    console.log(USAGE);
    return 0;
  }
  if (opts.positional.length !== 2) throw usageError('expected a Keras model and a candidate .tflite');
  const [kerasPath, tflPath] = opts.positional;

  if (!fs.existsSync(kerasPath)) throw new Error(`${kerasPath}: no such file`);
  const tflBytes = readFileOrThrow(tflPath, 'candidate .tflite');
  let io;
  try {
    io = readIoQuantization(tflBytes);
  } catch (e) {
    throw new Error(`${tflPath}: ${e.message}`);
  }

  const specs = await kerasInputSpecs(kerasPath);
  const runtime = await loadRuntime(opts.runtime);
  const runner = await createRunner(runtime, tflBytes, tflPath);
  try {
    if (runner.inputs.length !== io.inputs.length || runner.outputs.length !== io.outputs.length) {
      throw new Error(`${tflPath}: runtime and file disagree on the number of inputs/outputs`);
    }
    const order = matchInputs(specs, io.inputs, tflPath);
    const rand = mulberry32(opts.seed);
    const [lo, hi] = opts.range;
    let stats = null;
    const notes = [];
    io.inputs.forEach((d, i) => {
      if (d.scale.length && d.dtype !== 'float32') {
        notes.push(`input ${i} ${d.name}: ${d.dtype} scale ${d.scale[0]} zero point ${d.zeroPoint[0]} ` +
            `(represents [${((d.dtype === 'uint8' ? 0 : d.dtype === 'int8' ? -128 : -32768) - d.zeroPoint[0]) * d.scale[0]}, ` +
            `${((d.dtype === 'uint8' ? 255 : d.dtype === 'int8' ? 127 : 32767) - d.zeroPoint[0]) * d.scale[0]}])`);
      }
    });
    io.outputs.forEach((d, i) => {
      if (d.scale.length && d.dtype !== 'float32') {
        notes.push(`output ${i} ${d.name}: ${d.dtype}, dequantized with scale ${d.scale[0]} zero point ${d.zeroPoint[0]}`);
      }
    });

    for (let s = 0; s < opts.samples; s++) {
      const floats = randomInputs(specs.map((sp) => sp.shape), rand, lo, hi);
      const ref = await kerasReference(kerasPath, floats);
      const outs = await runner.run(io.inputs.map((d, i) => toModelInput(floats[order[i]], d, tflPath)));
      if (!stats) {
        if (outs.length !== ref.length) {
          throw new Error(`${tflPath}: has ${outs.length} output(s), the Keras model has ${ref.length}`);
        }
        stats = outs.map((o, k) => {
          if (numel(o.shape) !== numel(ref[k].shape)) {
            throw new Error(`${tflPath}: output ${k} ${o.name} has shape [${o.shape}], ` +
                `the Keras output has [${ref[k].shape}]`);
          }
          return new OutputStats(o.name, o.shape);
        });
      }
      outs.forEach((o, k) => stats[k].add(fromModelOutput(o.data, io.outputs[k]), ref[k].data));
    }

    const outputs = stats.map((st) => st.result(opts.tolerance));
    const summary = {
      tool: 'compare_keras',
      reference: kerasPath,
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
  }
}

main().then((code) => process.exit(code), (e) => {
  console.error(`compare_keras: error: ${e.message}`);
  if (e.usage) console.error(USAGE);
  if (process.env.TFLC_E2E_DEBUG) console.error(e.stack);
  process.exit(2);
});
