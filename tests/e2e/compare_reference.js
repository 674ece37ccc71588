#!/usr/bin/env node
// Runs a .tflite in the real TFLite runtime (WASM) on recorded inputs and compares its outputs with
// recorded reference outputs (e.g. computed with numpy by the model generator or by
// tests/references/keras_numpy_reference.py).
// Usage: compare_reference.js REFERENCE.json CANDIDATE.tflite [--tolerance 1e-4] [--runtime R]
//   REFERENCE.json: {input_shapes, inputs: [[...]], output_shapes, outputs: [[...]],
//                    samples: [{inputs, outputs}, ...] (optional: more samples, each checked)}
//   --runtime litert (default; LiteRT.js) | tfjs-tflite (the 2023 interpreter); default from
//   the environment variable TFLC_E2E_RUNTIME.
// Check per output over all samples: max |ours - ref| <= tol * max(1, max |ref|).
// Exit 0 pass, 1 mismatch, 2 error.
'use strict';
const fs = require('fs');
const { loadRuntime, createRunner, runtimeLabel, TYPED_ARRAYS } = require('./lib/runtime');

function option(args, name) {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  if (i + 1 >= args.length) throw new Error(`${name} needs a value`);
  return args[i + 1];
}

async function main() {
  const args = process.argv.slice(2);
  if (args.length < 2) throw new Error('usage: compare_reference.js REFERENCE.json CANDIDATE.tflite [--tolerance T] [--runtime litert|tfjs-tflite]');
  const [refPath, modelPath] = args;
  const tolArg = option(args, '--tolerance');
  const tol = tolArg !== undefined ? Number(tolArg) : 1e-4;
  if (!(tol >= 0)) throw new Error('--tolerance must be a non-negative number');
  let ref;
  try { ref = JSON.parse(fs.readFileSync(refPath, 'utf8')); } catch (e) { throw new Error(`${refPath}: ${e.message}`); }
  let modelBytes;
  try { modelBytes = fs.readFileSync(modelPath); } catch (e) { throw new Error(`${modelPath}: ${e.message}`); }
  const runtime = await loadRuntime(option(args, '--runtime'));
  const runner = await createRunner(runtime, new Uint8Array(modelBytes), modelPath);
  const samples = [{inputs: ref.inputs, outputs: ref.outputs}].concat(ref.samples || []);
  const stats = ref.outputs.map(() => ({maxDiff: 0, maxRef: 0, bad: false, shape: null}));
  let ok = true;
  try {
    if (ref.inputs.length !== runner.inputs.length) {
      throw new Error(`${modelPath}: has ${runner.inputs.length} input(s), ${refPath} has ${ref.inputs.length}`);
    }
    for (const sample of samples) {
      const result = {outputs: await runner.run(sample.inputs.map((x, i) => (runtime.kind === 'litert'
          ? x : (TYPED_ARRAYS[runner.inputs[i].dtype] || Float32Array).from(x))))};
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
          const d = Math.abs(Number(got[i]) - want[i]);
          st.maxDiff = Number.isFinite(d) ? Math.max(st.maxDiff, d) : Infinity;
          st.maxRef = Math.max(st.maxRef, Math.abs(want[i]));
        }
      });
    }
  } finally {
    runner.close();
  }
  console.log(`runtime ${runtimeLabel(runtime)}, ${samples.length} sample(s)`);
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
