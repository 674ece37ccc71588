#!/usr/bin/env node
'use strict';
// Why the LSTM e2e tests run in the 2023 runtime, as a test that fails when it stops being true.
// Given a .tflite with UNIDIRECTIONAL_SEQUENCE_LSTM whose state inputs 18/19 are variable tensors
// (is_variable=true, buffer 0, neither subgraph inputs nor outputs: what the official converter
// writes, CONTROL_FLOW.md 3.3), checks:
//   1. the file has that form;
//   2. LiteRT.js refuses it at load: its model loader rejects any variable tensor
//      ("ERROR: [model_load.cc:...] Variable tensors not yet supported."), error code
//      LITERT_VARIABLE_TENSORS with the hint of lib/runtime.js, and nothing falls back;
//   3. the same file with every is_variable flag cleared loads in LiteRT.js but cannot run: TFLite's
//      kernel takes the state only from variable tensors ("unidirectional_sequence_lstm.cc:...
//      output_state != nullptr was not true.", "failed to prepare"); the 2023 runtime refuses it too;
//   4. the 2023 runtime runs the original file (finite outputs, same outputs for the same input).
// LiteRT.js exposes no other entry point (no interpreter API) in its embind module, so there is
// no runtime-level workaround. When check 2 fails, LiteRT.js learnt variable tensors: drop the
// TFLC_E2E_RUNTIME=tfjs-tflite pins of the LSTM tests (tests/integration/CMakeLists.txt,
// tests/tf/CMakeLists.txt).
// usage: litert_variable_tensors.js MODEL.tflite   (exit 0 pass, 1 fail)
const assert = require('assert');
const fs = require('fs');
const {loadRuntime, createRunner, VARIABLE_TENSORS_HINT} = require('../lib/runtime');

const UNIDIRECTIONAL_SEQUENCE_LSTM = 44;

// Minimal FlatBuffer walk of the parts of schema.fbs used here.
function reader(buf) {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const deref = (p) => p + dv.getUint32(p, true);
  const field = (t, id) => {
    const vt = t - dv.getInt32(t, true);
    const slot = 4 + 2 * id;
    if (slot + 2 > dv.getUint16(vt, true)) return 0;
    const off = dv.getUint16(vt + slot, true);
    return off ? t + off : 0;
  };
  const tables = (t, id) => {
    const f = field(t, id);
    if (!f) return [];
    const v = deref(f);
    return Array.from({length: dv.getUint32(v, true)}, (_, i) => deref(v + 4 + 4 * i));
  };
  const ints = (t, id) => {
    const f = field(t, id);
    if (!f) return [];
    const v = deref(f);
    return Array.from({length: dv.getUint32(v, true)}, (_, i) => dv.getInt32(v + 4 + 4 * i, true));
  };
  return {dv, deref, field, tables, ints};
}

// Model: 1 operator_codes, 2 subgraphs. SubGraph: 0 tensors, 1 inputs, 2 outputs, 3 operators.
// Tensor: 2 buffer, 5 is_variable. Operator: 0 opcode_index, 1 inputs.
// OperatorCode: 0 deprecated_builtin_code (int8), 3 builtin_code (int32).
function describe(bytes) {
  const r = reader(bytes);
  const model = r.deref(0);
  const codes = r.tables(model, 1).map((oc) => {
    const dep = r.field(oc, 0);
    const bc = r.field(oc, 3);
    return Math.max(dep ? r.dv.getInt8(dep) : 0, bc ? r.dv.getInt32(bc, true) : 0);
  });
  const sg = r.tables(model, 2)[0];
  const tensors = r.tables(sg, 0);
  const isVar = (t) => { const f = r.field(t, 5); return Boolean(f && r.dv.getUint8(f)); };
  const bufferOf = (t) => { const f = r.field(t, 2); return f ? r.dv.getUint32(f, true) : 0; };
  const io = new Set([...r.ints(sg, 1), ...r.ints(sg, 2)]);
  const lstms = r.tables(sg, 3).filter((op) => {
    const f = r.field(op, 0);
    return codes[f ? r.dv.getUint32(f, true) : 0] === UNIDIRECTIONAL_SEQUENCE_LSTM;
  }).map((op) => r.ints(op, 1));
  return {r, model, tensors, isVar, bufferOf, io, lstms};
}

// A copy with every Tensor.is_variable flag (of every subgraph) cleared.
function clearVariableFlags(bytes) {
  const out = Buffer.from(bytes);
  const r = reader(out);
  let n = 0;
  for (const sg of r.tables(r.deref(0), 2)) {
    for (const t of r.tables(sg, 0)) {
      const f = r.field(t, 5);
      if (f && r.dv.getUint8(f)) { r.dv.setUint8(f, 0); n++; }
    }
  }
  return {bytes: out, cleared: n};
}

async function tryRun(rt, bytes, label, input) {
  const runner = await createRunner(rt, bytes, label);
  try {
    return await runner.run(input);
  } finally {
    runner.close();
  }
}

async function main() {
  const file = process.argv[2];
  if (!file) throw new Error('usage: litert_variable_tensors.js MODEL.tflite');
  const bytes = fs.readFileSync(file);
  let n = 0;
  const ok = (what) => { n++; console.log(`ok    ${what}`); };

  // 1. the official converter's form of the LSTM state
  const d = describe(bytes);
  assert(d.lstms.length > 0, `${file}: no UNIDIRECTIONAL_SEQUENCE_LSTM`);
  for (const ins of d.lstms) {
    assert.strictEqual(ins.length, 24, 'UNIDIRECTIONAL_SEQUENCE_LSTM takes 24 inputs');
    for (const k of [18, 19]) {
      const t = d.tensors[ins[k]];
      assert(d.isVar(t), `LSTM input ${k} (tensor ${ins[k]}) is_variable`);
      assert.strictEqual(d.bufferOf(t), 0, `LSTM input ${k} has buffer 0`);
      assert(!d.io.has(ins[k]), `LSTM input ${k} is no subgraph input/output`);
    }
  }
  ok(`${d.lstms.length} UNIDIRECTIONAL_SEQUENCE_LSTM op(s), state inputs 18/19 variable, buffer 0, not in the subgraph I/O`);

  const lit = await loadRuntime('litert');
  const old = await loadRuntime('tfjs-tflite');

  // 2. LiteRT.js refuses it at load, with the loader's line and the harness' hint; no fallback
  await assert.rejects(createRunner(lit, bytes, file), (e) => {
    assert.strictEqual(e.code, 'LITERT_VARIABLE_TENSORS');
    assert.match(e.message, /ERROR: \[model_load\.cc:\d+\] Variable tensors not yet supported/);
    assert(e.message.includes(file), 'the message names the file');
    assert(e.message.includes(VARIABLE_TENSORS_HINT), 'the message says what to do');
    return true;
  });
  ok('litert: refused at load ("model_load.cc: Variable tensors not yet supported"), error names the file and the remedy');

  // 3. clearing is_variable is no way out: the kernel needs variable state tensors
  const patched = clearVariableFlags(bytes);
  assert(patched.cleared >= 2 * d.lstms.length);
  const probe = await createRunner(old, bytes, file);
  const input = probe.inputs.map((t, i) => Float32Array.from(
      {length: t.shape.reduce((a, b) => a * b, 1)}, (_, j) => Math.sin(1 + j + 7 * i)));
  const ref = await probe.run(input);
  const again = await probe.run(input);
  probe.close();
  await assert.rejects(tryRun(lit, patched.bytes, 'cleared.tflite', input),
      (e) => /output_state != nullptr was not true/.test(e.message) &&
             /UNIDIRECTIONAL_SEQUENCE_LSTM\) failed to prepare/.test(e.message));
  ok('litert: with is_variable cleared it loads but fails in Prepare ("output_state != nullptr was not true")');
  await assert.rejects(tryRun(old, patched.bytes, 'cleared.tflite', input),
      (e) => /cleared\.tflite/.test(e.message) && /output_state != nullptr was not true/.test(e.message));
  ok('tfjs-tflite: with is_variable cleared it is refused too');

  // 4. the 2023 runtime runs the original
  assert(ref.every((o) => o.data.every(Number.isFinite)), 'finite outputs');
  ref.forEach((o, k) => assert.deepStrictEqual(Array.from(again[k].data), Array.from(o.data)));
  ok('tfjs-tflite: runs the original file (finite outputs, state reset between runs)');
  console.log(`litert_variable_tensors: ${n} passed`);
}

main().then(() => process.exit(0), (e) => {
  console.error(`litert_variable_tensors: FAIL: ${e.stack || e.message}`);
  process.exit(1);
});
