#!/usr/bin/env node
'use strict';
// Cross-check of keras_numpy_reference.py against tfjs-layers (tests/e2e/lib/keras_reference.js)
// on a model both know: runs the Keras model in tfjs-layers on every input of REFERENCE.json and
// compares with the numpy outputs. Prints the max abs difference; exit 0 when it is within
// tol x max(1, max|ref|) (default 1e-5), 1 otherwise, 2 on errors.
// usage: tfjs_compare.js MODEL REFERENCE.json [--tolerance T]
const fs = require('fs');
const path = require('path');
const {kerasReference} = require(path.join(__dirname, '..', 'e2e', 'lib', 'keras_reference'));

async function main() {
  const [model, refPath] = process.argv.slice(2);
  const ti = process.argv.indexOf('--tolerance');
  const tol = ti > 0 ? Number(process.argv[ti + 1]) : 1e-5;
  if (!model || !refPath) throw new Error('usage: tfjs_compare.js MODEL REFERENCE.json [--tolerance T]');
  const ref = JSON.parse(fs.readFileSync(refPath, 'utf8'));
  const samples = [{inputs: ref.inputs, outputs: ref.outputs}].concat(ref.samples || []);
  let maxDiff = 0;
  let maxRef = 0;
  for (const s of samples) {
    const outs = await kerasReference(model, s.inputs.map((x) => Float32Array.from(x)));
    if (outs.length !== s.outputs.length) throw new Error(`${model}: tfjs gives ${outs.length} outputs, numpy ${s.outputs.length}`);
    outs.forEach((o, k) => {
      if (o.data.length !== s.outputs[k].length) throw new Error(`${model}: output ${k} sizes differ (${o.data.length} vs ${s.outputs[k].length})`);
      for (let i = 0; i < o.data.length; i++) {
        const d = Math.abs(o.data[i] - s.outputs[k][i]);
        maxDiff = Number.isNaN(d) ? Infinity : Math.max(maxDiff, d);
        maxRef = Math.max(maxRef, Math.abs(s.outputs[k][i]));
      }
    });
  }
  const pass = maxDiff <= tol * Math.max(1, maxRef);
  console.log(`${pass ? 'ok  ' : 'FAIL'} ${path.basename(model)}: numpy vs tfjs-layers over ${samples.length} samples: ` +
      `max abs diff ${maxDiff.toExponential(2)} (max|ref| ${maxRef.toPrecision(3)}, tol ${tol})`);
  return pass ? 0 : 1;
}
main().then((c) => process.exit(c), (e) => { console.error(`tfjs_compare: error: ${e.message}`); process.exit(2); });
