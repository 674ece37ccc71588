#!/usr/bin/env node
// Runs a .tflite in the real TFLite runtime (WASM) on recorded inputs and compares its outputs with
// recorded reference outputs (e.g. computed with numpy by the model generator).
// Usage: compare_reference.js REFERENCE.json CANDIDATE.tflite [--tolerance 1e-4]
//   REFERENCE.json: {input_shapes, inputs: [[...]], output_shapes, outputs: [[...]],
//                    samples: [{inputs, outputs}, ...] (optional: more samples, each checked)}
// Check per output over all samples: max |ours - ref| <= tol * max(1, max |ref|).
// Exit 0 pass, 1 mismatch, 2 error.
'use strict';
const fs = require('fs');
const { loadRuntime, createRunner, TYPED_ARRAYS } = require('./lib/tflite_runtime');

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
  const runner = createRunner(runtime, new Uint8Array(modelBytes), modelPath);
  const samples = [{inputs: ref.inputs, outputs: ref.outputs}].concat(ref.samples || []);
  const stats = ref.outputs.map(() => ({maxDiff: 0, maxRef: 0, bad: false, shape: null}));
  let ok = true;
  for (const sample of samples) {
    const result = {outputs: runner.run(sample.inputs.map((x, i) => (TYPED_ARRAYS[runner.inputs[i].dtype] || Float32Array).from(x)))};
    if (result.outputs.length !== sample.outputs.length) {
      console.log(`FAIL ${modelPath}: ${result.outputs.length} outputs, reference has ${sample.outputs.length}`);
      return 1;
    }
    result.outputs.forEach((out, k) => {
      const want = sample.outputs[k];
      const got = out.data;
      const st = stats[k];
      st.shape = out.shape;
      if (got.length !== want.length) {
        if (!st.bad) console.log(`FAIL output ${k}: ${got.length} values, reference has ${want.length}`);
        st.bad = true;
        return;
      }
      for (let i = 0; i < want.length; ++i) {
        const d = Math.abs(got[i] - want[i]);
        st.maxDiff = Number.isFinite(d) ? Math.max(st.maxDiff, d) : Infinity;
        st.maxRef = Math.max(st.maxRef, Math.abs(want[i]));
      }
    });
  }
  runner.close();
  stats.forEach((st, k) => {
    const bound = tol * Math.max(1, st.maxRef);
    const pass = !st.bad && st.maxDiff <= bound && Number.isFinite(st.maxDiff);
    ok = ok && pass;
    console.log(`output ${k} [${st.shape}] over ${samples.length} sample(s): max |ours - ref| = ` +
                `${st.maxDiff.toExponential(3)} (bound ${bound.toExponential(3)}) ${pass ? 'PASS' : 'FAIL'}`);
  });
  return ok ? 0 : 1;
}

main().then((code) => process.exit(code), (e) => { console.error(`error: ${e.message}`); process.exit(2); });
