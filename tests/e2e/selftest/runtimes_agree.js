#!/usr/bin/env node
'use strict';
// Runs .tflite files in both runtimes (LiteRT.js, the default, and the 2023 tfjs-tflite
// interpreter) on the same seeded inputs and checks they agree: float outputs within
// tol x max(1, max|out|) (default 1e-5), integer outputs within --max-lsb quanta (default 1:
// the runtimes round int8 MEAN ties differently, shared/TESTING.md). One line per file;
// a file one runtime refuses is reported, and fails unless --allow-refusal.
// usage: runtimes_agree.js FILE[:lo,hi]... [--samples 4] [--seed 7] [--tolerance 1e-5] [--max-lsb 1]
// Exit 0 all agree, 1 a difference, 2 an error.
const fs = require('fs');
const litert = require('../lib/litert_runtime');
const {loadRuntime, createRunner} = require('../lib/runtime');
const {mulberry32, randomInputs, toModelInput} = require('../lib/common');

async function main() {
  const args = process.argv.slice(2);
  const opt = (name, dflt) => {
    const i = args.indexOf(name);
    if (i < 0) return dflt;
    const v = args[i + 1];
    args.splice(i, 2);
    return Number(v);
  };
  const samples = opt('--samples', 4);
  const seed = opt('--seed', 7);
  const tol = opt('--tolerance', 1e-5);
  const maxLsb = opt('--max-lsb', 1);
  const allowRefusal = args.includes('--allow-refusal');
  const files = args.filter((a) => !a.startsWith('--'));
  if (!files.length) throw new Error('usage: runtimes_agree.js FILE[:lo,hi]... [--samples N] [--seed S] [--tolerance T] [--max-lsb N]');
  const rts = [await loadRuntime('litert'), await loadRuntime('tfjs-tflite')];
  let ok = true;
  for (const spec of files) {
    const m = /^(.*):(-?[\d.]+),(-?[\d.]+)$/.exec(spec);
    const file = m ? m[1] : spec;
    const [lo, hi] = m ? [Number(m[2]), Number(m[3])] : [-1, 1];
    const bytes = fs.readFileSync(file);
    const runners = [];
    try {
      for (const rt of rts) {
        try {
          runners.push(await createRunner(rt, bytes, file));
        } catch (e) {
          runners.push({error: e.message.split('\n')[0]});
        }
      }
      const refused = runners.map((r, i) => (r.error ? `${rts[i].kind} refuses: ${r.error}` : null)).filter(Boolean);
      if (refused.length) {
        if (!allowRefusal) ok = false;
        console.log(`${allowRefusal ? 'note' : 'FAIL'} ${file}: ${refused.join('; ')}`);
        continue;
      }
      const io = litert.readIoQuantization(bytes);
      const rand = mulberry32(seed);
      let maxFloat = 0;
      let maxQ = 0;
      let scaleF = 1;
      for (let s = 0; s < samples; s++) {
        const floats = randomInputs(io.inputs.map((d) => d.shape), rand, lo, hi);
        const feeds = io.inputs.map((d, i) => toModelInput(floats[i], d, file));
        const outs = [];
        for (const r of runners) outs.push(await r.run(feeds));
        outs[0].forEach((o, k) => {
          const a = o.data;
          const b = outs[1][k].data;
          if (a.length !== b.length) throw new Error(`${file}: output ${k} sizes differ (${a.length} vs ${b.length})`);
          const isFloat = a instanceof Float32Array || a instanceof Float64Array;
          for (let i = 0; i < a.length; i++) {
            const d = Math.abs(Number(a[i]) - Number(b[i]));
            if (isFloat) {
              maxFloat = Number.isNaN(d) ? Infinity : Math.max(maxFloat, d);
              scaleF = Math.max(scaleF, Math.abs(Number(b[i])));
            } else {
              maxQ = Math.max(maxQ, d);
            }
          }
        });
      }
      const pass = maxFloat <= tol * scaleF && maxQ <= maxLsb;
      ok = ok && pass;
      console.log(`${pass ? 'ok  ' : 'FAIL'} ${file}: float max diff ${maxFloat.toExponential(2)} ` +
          `(bound ${(tol * scaleF).toExponential(2)}), integer max diff ${maxQ} (bound ${maxLsb})`);
    } finally {
      for (const r of runners) if (r.close) r.close();
    }
  }
  return ok ? 0 : 1;
}

main().then((c) => process.exit(c), (e) => { console.error(`runtimes_agree: error: ${e.message}`); process.exit(2); });
