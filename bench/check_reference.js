#!/usr/bin/env node
'use strict';
// Checks a converted small bench SavedModel against the generator's own arithmetic:
// make_big_saved_model writes DIR/reference.txt (line 1: x, line 2: y = relu(...relu(x·W0+b0)...),
// computed in double precision from the same weights) for models of <= 64 MiB.
// usage: node bench/check_reference.js DIR/reference.txt model.tflite   (exit 0 pass, 1 mismatch)
const fs = require('fs');
const path = require('path');
const {loadRuntime, runModel} = require(path.join(__dirname, '../tests/e2e/lib/tflite_runtime'));

(async () => {
  const [ref, tfl] = process.argv.slice(2);
  const [x, y] = fs.readFileSync(ref, 'utf8').trim().split('\n').map((l) => l.trim().split(/\s+/).map(Number));
  const runtime = await loadRuntime();
  const {outputs} = runModel(runtime, fs.readFileSync(tfl), [Float32Array.from(x)], tfl);
  const got = outputs[0].data;
  let maxDiff = 0, maxRef = 0;
  for (let i = 0; i < y.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs(got[i] - y[i]));
    maxRef = Math.max(maxRef, Math.abs(y[i]));
  }
  const ok = got.length === y.length && maxDiff <= 1e-5 * Math.max(1, maxRef);
  console.log(`${tfl}: ${y.length} outputs, max abs diff ${maxDiff.toExponential(3)} (max|ref| ${maxRef.toFixed(4)}) ` +
              (ok ? 'PASS' : 'FAIL'));
  process.exit(ok ? 0 : 1);
})().catch((e) => { console.error(e.message); process.exit(2); });
