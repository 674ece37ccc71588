#!/usr/bin/env node
'use strict';
// Smoke test for lib/keras_reference.js: loads every Keras model (.h5/.keras)
// under a directory (default /work/shared/models), runs one seeded random
// input through tfjs-layers and prints the input and output shapes.
//
// usage: node check_references.js [models dir | model file …] [--expect-fail SUBSTR]…
// Exit 0 when every model loads, except those named by --expect-fail, which
// must fail (their error message is printed). Exit 1 otherwise.

const fs = require('fs');
const path = require('path');
const {kerasReference, kerasInputSpecs} = require('./lib/keras_reference');
const {mulberry32, randomInputs} = require('./lib/common');

function findModels(p) {
  const st = fs.statSync(p);
  if (st.isFile()) return [p];
  const out = [];
  for (const e of fs.readdirSync(p, {withFileTypes: true})) {
    const full = path.join(p, e.name);
    if (e.isDirectory()) out.push(...findModels(full));
    else if (/\.(h5|keras)$/.test(e.name)) out.push(full);
  }
  return out.sort();
}

async function main() {
  const args = process.argv.slice(2);
  const targets = [];
  const expectFail = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--expect-fail') expectFail.push(args[++i]);
    else targets.push(args[i]);
  }
  if (!targets.length) targets.push('/work/shared/models');
  if (!expectFail.length && targets.length === 1 && targets[0] === '/work/shared/models') {
    expectFail.push('qkeras'); // custom QKeras layers: must fail clearly
  }
  const models = targets.flatMap(findModels);
  let bad = 0;
  for (const m of models) {
    const shouldFail = expectFail.some((s) => m.includes(s));
    const t0 = Date.now();
    try {
      const specs = await kerasInputSpecs(m);
      const inputs = randomInputs(specs.map((s) => s.shape), mulberry32(1), -1, 1);
      const outs = await kerasReference(m, inputs);
      const finite = outs.every((o) => o.data.every(Number.isFinite));
      const ok = finite && !shouldFail;
      if (!ok) bad++;
      console.log(`${ok ? 'OK  ' : 'FAIL'} ${m}\n     in ${specs.map((s) => `${s.name}[${s.shape}]`).join(' ')}` +
          ` -> out ${outs.map((o) => `[${o.shape}]`).join(' ')}` +
          `${finite ? '' : ' (non-finite values!)'}${shouldFail ? ' (expected to fail!)' : ''} ${Date.now() - t0} ms`);
    } catch (e) {
      if (!shouldFail) bad++;
      console.log(`${shouldFail ? 'OK  ' : 'FAIL'} ${m}\n     ${shouldFail ? 'fails as expected: ' : ''}${e.message}`);
    }
  }
  console.log(`${models.length - bad} passed, ${bad} failed`);
  process.exit(bad ? 1 : 0);
}

main().catch((e) => {
  console.error(`check_references: ${e.stack || e}`);
  process.exit(2);
});
