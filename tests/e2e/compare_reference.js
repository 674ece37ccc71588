#!/usr/bin/env node
// Runs a .tflite in the real TFLite runtime (WASM) on recorded inputs and compares its outputs with
// recorded reference outputs (e.g. computed with numpy by the model generator).
// Usage: compare_reference.js REFERENCE.json CANDIDATE.tflite [--tolerance 1e-4]
//   REFERENCE.json: {input_shapes, inputs: [[...]], output_shapes, outputs: [[...]]}
// Exit 0 pass, 1 mismatch, 2 error.
'use strict';
const fs = require('fs');
const { loadRuntime, runModel } = require('./lib/tflite_runtime');

async function main() {
  const args = process.argv.slice(2);
  if (args.length < 2) throw new Error('usage: compare_reference.js REFERENCE.json CANDIDATE.tflite [--tolerance T]');
  const [refPath, modelPath] = args;
  const ti = args.indexOf('--tolerance');
  const tol = ti >= 0 ? Number(args[ti + 1]) : 1e-4;
  const ref = JSON.parse(fs.readFileSync(refPath, 'utf8'));
  let modelBytes;
  try { modelBytes = fs.readFileSync(modelPath); } catch (e) { throw new Error(`${modelPath}: ${e.message}`); }
  const runtime = await loadRuntime();
  const inputs = ref.inputs.map((x) => Float32Array.from(x));
  const result = runModel(runtime, new Uint8Array(modelBytes), inputs);
  if (result.outputs.length !== ref.outputs.length) {
    console.log(`FAIL ${modelPath}: ${result.outputs.length} outputs, reference has ${ref.outputs.length}`);
    return 1;
  }
  let ok = true;
  result.outputs.forEach((out, k) => {
    const want = ref.outputs[k];
    const got = out.data;
    if (got.length !== want.length) {
      console.log(`FAIL output ${k}: ${got.length} values, reference has ${want.length}`);
      ok = false;
      return;
    }
    let maxDiff = 0, maxRef = 0;
    for (let i = 0; i < want.length; ++i) {
      maxDiff = Math.max(maxDiff, Math.abs(got[i] - want[i]));
      maxRef = Math.max(maxRef, Math.abs(want[i]));
    }
    const bound = tol * Math.max(1, maxRef);
    const pass = maxDiff <= bound && Number.isFinite(maxDiff);
    ok = ok && pass;
    console.log(`output ${k} [${out.shape}]: max |ours - ref| = ${maxDiff.toExponential(3)} (bound ${bound.toExponential(3)}) ${pass ? 'PASS' : 'FAIL'}`);
  });
  return ok ? 0 : 1;
}

main().then((code) => process.exit(code), (e) => { console.error(`error: ${e.message}`); process.exit(2); });
