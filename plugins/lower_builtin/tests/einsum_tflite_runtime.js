'use strict';
// Runs the Einsum models the table test wrote (TFLC_EINSUM_DUMP_DIR: <case>.tflite + <case>.json
// with the inputs and the naive einsum result) in the real TFLite runtime chosen by
// tests/e2e/lib/runtime.js (LiteRT.js by default, TFLC_E2E_RUNTIME=tfjs-tflite for the 2023
// interpreter) and compares: the emitted ops, their versions and
// broadcasting must be what the runtime accepts, not only what our reference kernels compute.
// Usage: node einsum_tflite_runtime.js DIR   (exit 0 pass, 1 mismatch, 2 error)
const fs = require('fs');
const path = require('path');
const {loadRuntime, runModel, runtimeLabel} = require(path.join(__dirname, '..', '..', '..', 'tests', 'e2e',
                                                                'lib', 'runtime.js'));

async function main() {
  const dir = process.argv[2];
  const cases = fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  if (cases.length < 40) throw new Error(`expected at least 40 cases in ${dir}, found ${cases.length}`);
  const runtime = await loadRuntime();
  let failed = 0;
  for (const c of cases) {
    const name = c.slice(0, -5);
    const spec = JSON.parse(fs.readFileSync(path.join(dir, c), 'utf8'));
    const bytes = fs.readFileSync(path.join(dir, name + '.tflite'));
    let result;
    try {
      result = await runModel(runtime, bytes, spec.inputs.map((t) => Float32Array.from(t.data)), name);
    } catch (e) {
      console.log(`FAIL ${name} ("${spec.equation}"): ${e.message}`);
      ++failed;
      continue;
    }
    const out = result.outputs[0];
    const want = spec.expected;
    const shape = Array.from(out.shape);
    const sameShape = shape.length === want.shape.length && shape.every((d, i) => d === want.shape[i]);
    let scale = 1;
    for (const v of want.data) scale = Math.max(scale, Math.abs(v));
    let maxDiff = 0;
    for (let i = 0; i < want.data.length; ++i) maxDiff = Math.max(maxDiff, Math.abs(out.data[i] - want.data[i]));
    if (!sameShape || out.data.length !== want.data.length || !(maxDiff <= 1e-5 * scale)) {
      console.log(`FAIL ${name} ("${spec.equation}"): shape [${shape}] want [${want.shape}], max diff ${maxDiff}`);
      ++failed;
    }
  }
  console.log(`${cases.length - failed} passed, ${failed} failed (TFLite runtime ${runtimeLabel(runtime)})`);
  return failed ? 1 : 0;
}

main().then((code) => process.exit(code), (e) => {
  console.error(`einsum_tflite_runtime.js: ${e.message}`);
  process.exit(2);
});
