#!/usr/bin/env node
'use strict';
// Unit checks of lib/litert_runtime.js (the LiteRT.js runner) and lib/runtime.js:
//   - float16 encode/decode (round to nearest even, subnormals, overflow, Inf/NaN);
//   - a model whose op became an unresolved CUSTOM op: LiteRT only logs "ERROR:" and returns
//     garbage; the runner must fail with that message (and the 2023 runtime refuses it too);
//   - the same input twice gives the same output (fresh compiled model per run);
//   - runtime selection: --runtime / TFLC_E2E_RUNTIME, unknown names refused;
//   - an output that is the same tensor as an input gives the input's values.
// usage: litert_units.js <a float .tflite whose ops include LOGISTIC, e.g. the icu model> [gather model]
const assert = require('assert');
const fs = require('fs');
const {toHalf, fromHalf} = require('../lib/litert_runtime');
const {loadRuntime, createRunner, runtimeName, readIoQuantization} = require('../lib/runtime');
const {readIoQuantization: sharedReader} = require('../lib/tflite_runtime');

// Patches every OperatorCode with builtin `from` into CUSTOM (32) with an empty custom_code.
// OperatorCode fields: 0 deprecated_builtin_code (int8), 1 custom_code, 2 version, 3 builtin_code.
function patchOpToCustom(bytes, from) {
  const out = Buffer.from(bytes);
  const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const deref = (p) => p + dv.getUint32(p, true);
  const field = (t, id) => {
    const vt = t - dv.getInt32(t, true);
    const slot = 4 + 2 * id;
    if (slot + 2 > dv.getUint16(vt, true)) return 0;
    const off = dv.getUint16(vt + slot, true);
    return off ? t + off : 0;
  };
  const model = deref(0);
  const v = deref(field(model, 1));
  let patched = 0;
  for (let i = 0; i < dv.getUint32(v, true); i++) {
    const oc = deref(v + 4 + 4 * i);
    const dep = field(oc, 0);
    const bc = field(oc, 3);
    const code = bc ? dv.getInt32(bc, true) : (dep ? dv.getInt8(dep) : 0);
    if (code !== from) continue;
    if (dep) dv.setInt8(dep, 32);
    if (bc) dv.setInt32(bc, 32, true);
    patched++;
  }
  if (!patched) throw new Error(`no operator code ${from} to patch`);
  return out;
}

// Makes subgraph 0's first output the tensor of its first input (a pass-through output), in the
// subgraph and in the SignatureDefs. Model fields 2 = subgraphs, 7 = signature_defs; SubGraph
// fields 1 = inputs, 2 = outputs; SignatureDef field 1 = outputs; TensorMap field 1 = tensor_index.
function patchOutputToInput(bytes) {
  const out = Buffer.from(bytes);
  const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const deref = (p) => p + dv.getUint32(p, true);
  const field = (t, id) => {
    const vt = t - dv.getInt32(t, true);
    const slot = 4 + 2 * id;
    if (slot + 2 > dv.getUint16(vt, true)) return 0;
    const off = dv.getUint16(vt + slot, true);
    return off ? t + off : 0;
  };
  const subgraphs = deref(field(deref(0), 2));
  const sg = deref(subgraphs + 4);
  const inputs = deref(field(sg, 1));
  const outputs = deref(field(sg, 2));
  const from = dv.getInt32(outputs + 4, true);
  const to = dv.getInt32(inputs + 4, true);
  dv.setInt32(outputs + 4, to, true);
  const sigs = field(deref(0), 7);
  if (sigs) {
    const v = deref(sigs);
    for (let i = 0; i < dv.getUint32(v, true); i++) {
      const maps = field(deref(v + 4 + 4 * i), 1);
      if (!maps) continue;
      const mv = deref(maps);
      for (let j = 0; j < dv.getUint32(mv, true); j++) {
        const idx = field(deref(mv + 4 + 4 * j), 1);
        if (idx && dv.getUint32(idx, true) === from) dv.setUint32(idx, to, true);
      }
    }
  }
  return out;
}

async function main() {
  const model = process.argv[2];
  let n = 0;
  const ok = (what) => { n++; console.log(`ok    ${what}`); };

  // float16
  for (const [x, h] of [[1, 0x3c00], [-2, 0xc000], [65504, 0x7bff], [65520, 0x7c00], [1e6, 0x7c00],
    [2 ** -24, 0x0001], [2 ** -26, 0x0000], [0.1, 0x2e66], [-0, 0x8000], [Infinity, 0x7c00],
    [1 + 2 ** -11, 0x3c00], [1 + 3 * 2 ** -11, 0x3c02]]) {
    assert.strictEqual(toHalf(x), h, `toHalf(${x})`);
  }
  assert(Number.isNaN(fromHalf(toHalf(NaN))));
  for (let h = 0; h < 0x7c00; h += 7) assert.strictEqual(toHalf(fromHalf(h)), h, `half ${h} round trip`);
  ok('float16 encode/decode (ties to even, subnormals, overflow, NaN, exhaustive round trip)');

  // runtime selection
  assert.strictEqual(runtimeName(), process.env.TFLC_E2E_RUNTIME || 'litert');
  assert.strictEqual(runtimeName('tfjs-tflite'), 'tfjs-tflite');
  assert.throws(() => runtimeName('tflite-2019'), /unknown runtime/);
  assert.strictEqual(readIoQuantization, sharedReader);
  ok('runtime selection (default litert, --runtime, unknown name refused); one FlatBuffer reader');

  const bytes = fs.readFileSync(model);
  const io = readIoQuantization(bytes);
  const lit = await loadRuntime('litert');
  const old = await loadRuntime('tfjs-tflite');

  // determinism / fresh state
  const r = await createRunner(lit, bytes, model);
  const x = io.inputs.map((d) => Float32Array.from({length: d.shape.reduce((a, b) => a * b, 1)}, (_, i) => Math.sin(i + 1)));
  const a = await r.run(x);
  const b = await r.run(x);
  r.close();
  assert.deepStrictEqual(Array.from(a[0].data), Array.from(b[0].data));
  assert(a[0].data.every(Number.isFinite));
  ok('litert: same input twice → identical finite outputs');

  // unresolved custom op: silent in LiteRT except for an ERROR: log line
  const bad = patchOpToCustom(bytes, 14 /* LOGISTIC */);
  await assert.rejects(async () => {
    const rr = await createRunner(lit, bad, 'patched.tflite');
    try { await rr.run(x); } finally { rr.close(); }
  }, (e) => /patched\.tflite/.test(e.message) && /ERROR:/.test(e.message) && /custom/i.test(e.message));
  ok('litert: unresolved custom op → error naming the file with the runtime\'s ERROR: line');
  await assert.rejects(async () => {
    const rr = await createRunner(old, bad, 'patched.tflite');
    try { await rr.run(x); } finally { rr.close(); }
  }, /patched\.tflite/);
  ok('tfjs-tflite: unresolved custom op refused');
  // A good model still runs after the failure (the runtime is not left broken).
  const r2 = await createRunner(lit, bytes, model);
  const c = await r2.run(x);
  r2.close();
  assert.deepStrictEqual(Array.from(c[0].data), Array.from(a[0].data));
  ok('litert: runtime still usable after a failed model');
  // Pass-through output (an output that is the input tensor): LiteRT.js hands back an output
  // buffer nothing wrote; the runner returns the input's values, as the 2023 runtime does.
  const pass = patchOutputToInput(bytes);
  const pl = await createRunner(lit, pass, 'passthrough.tflite');
  const po = await createRunner(old, pass, 'passthrough.tflite');
  assert.deepStrictEqual(pl.outputs[0].shape, io.inputs[0].shape);
  const pa = await pl.run(x);
  const pb = await po.run(x);
  pl.close();
  po.close();
  assert.deepStrictEqual(Array.from(pa[0].data), Array.from(Float32Array.from(x[0])));
  assert.deepStrictEqual(Array.from(pb[0].data), Array.from(pa[0].data));
  ok('litert: an output that is the input tensor gives the input (as tfjs-tflite)');
  // Optional: a model whose first op is a GATHER of float ids (tflc's conversion of the generated
  // Embedding model): an out-of-range id makes TFLite's Invoke fail; LiteRT's run() returns
  // normally and only logs ERROR lines: the runner must still fail.
  const gather = process.argv[3];
  if (gather && fs.existsSync(gather)) {
    const g = fs.readFileSync(gather);
    const gr = await createRunner(lit, g, gather);
    const len = gr.inputs[0].shape.reduce((p, q) => p * q, 1);
    await assert.rejects(gr.run([Array.from({length: len}, (_, i) => (i === 0 ? 100000 : 0))]),
        (e) => /gather index out of bounds/.test(e.message) && /ERROR:/.test(e.message));
    const ok0 = await gr.run([new Array(len).fill(0)]);
    assert(ok0[0].data.every(Number.isFinite));
    gr.close();
    ok('litert: out-of-range GATHER index (run() returns, only ERROR: logged) → error; valid ids still run');
  }
  console.log(`litert_units: ${n} passed`);
}

main().catch((e) => { console.error(`litert_units: FAIL: ${e.stack || e.message}`); process.exit(1); });
