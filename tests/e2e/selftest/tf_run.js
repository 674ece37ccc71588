#!/usr/bin/env node
'use strict';
// Helper of tf_selftest.sh: runs a TF model (frozen .pb or SavedModel dir) in the
// tfjs-converter reference on seeded inputs and prints one line per output:
//   "<name> shape [d,..] finite <yes|no> min <v> max <v>"
// usage: tf_run.js <model> [--feed name=value]... [--samples N] [--expect half_plus_two]
// Exit 0 when every output is finite (and matches --expect), 1 otherwise, 2 on error.
const {loadTfReference} = require('../lib/tf_reference');
const {mulberry32} = require('../lib/common');

async function main() {
  const argv = process.argv.slice(2);
  const feeds = {};
  let samples = 4;
  let expect = null;
  const pos = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--feed') {
      const [k, v] = argv[++i].split('=');
      feeds[k] = Number(v);
    } else if (argv[i] === '--samples') samples = Number(argv[++i]);
    else if (argv[i] === '--expect') expect = argv[++i];
    else pos.push(argv[i]);
  }
  const ref = await loadTfReference(pos[0], {feeds});
  const rand = mulberry32(1);
  let ok = true;
  const agg = ref.outputs.map(() => ({shape: null, finite: true, min: Infinity, max: -Infinity, maxErr: 0}));
  for (let s = 0; s < samples; s++) {
    const feed = {};
    const xs = {};
    for (const inp of ref.inputs) {
      const shape = (inp.shape || []).map((d) => (d < 0 ? 1 : d));
      const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
      for (let i = 0; i < data.length; i++) data[i] = 2 * rand() - 1;
      feed[inp.name] = {data, shape};
      xs[inp.name] = data;
    }
    const out = await ref.run(feed);
    out.forEach((o, k) => {
      const a = agg[k];
      a.shape = o.shape;
      for (let i = 0; i < o.data.length; i++) {
        const v = o.data[i];
        if (!Number.isFinite(v)) a.finite = false;
        a.min = Math.min(a.min, v);
        a.max = Math.max(a.max, v);
        if (expect === 'half_plus_two') {
          const x = xs[ref.inputs[0].name][i];
          a.maxErr = Math.max(a.maxErr, Math.abs(v - Math.fround(Math.fround(0.5 * x) + 2)));
        }
      }
    });
  }
  ref.outputs.forEach((o, k) => {
    const a = agg[k];
    let line = `${o.key} (${o.name}) shape [${a.shape}] finite ${a.finite ? 'yes' : 'no'} min ${a.min} max ${a.max}`;
    if (expect === 'half_plus_two') line += ` max|y-(0.5x+2)| ${a.maxErr}`;
    console.log(line);
    if (!a.finite || a.maxErr !== 0) ok = false;
  });
  console.log(`inputs: ${ref.inputs.map((i) => `${i.key}[${i.shape}]`).join(' ')}; ${ref.nodeCount} nodes; ops ${ref.ops.join(',')}`);
  ref.dispose();
  return ok ? 0 : 1;
}
main().then((c) => process.exit(c), (e) => {
  console.error(`tf_run: error: ${e.message}`);
  process.exit(2);
});
