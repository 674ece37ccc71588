'use strict';
// Reads the SignatureDefs of a .tflite file (schema.fbs Model field 7):
//   SignatureDef: 0 inputs [TensorMap], 1 outputs [TensorMap], 2 signature_key,
//                 3 (deprecated), 4 subgraph_index (uint32)
//   TensorMap:    0 name (string), 1 tensor_index (uint32)
// Returns [{key, subgraph, inputs: [{name, tensor}], outputs: [{name, tensor}]}]
// (empty when the file has none). Minimal FlatBuffer walk, bounds-checked.

function readSignatures(modelBytes) {
  const bytes = modelBytes instanceof Uint8Array ? modelBytes : new Uint8Array(modelBytes);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const check = (pos, size) => {
    if (pos < 0 || pos + size > bytes.length) throw new Error(`malformed FlatBuffer: offset ${pos} outside the file`);
  };
  const u32 = (p) => { check(p, 4); return dv.getUint32(p, true); };
  const field = (table, id) => {
    check(table, 4);
    const vt = table - dv.getInt32(table, true);
    check(vt, 4);
    const vtSize = dv.getUint16(vt, true);
    const slot = 4 + 2 * id;
    if (slot + 2 > vtSize) return 0;
    const off = dv.getUint16(vt + slot, true);
    return off ? table + off : 0;
  };
  const deref = (p) => p + u32(p);
  const vecTables = (table, id) => {
    const p = field(table, id);
    if (!p) return [];
    const v = deref(p);
    const n = u32(v);
    const out = [];
    for (let i = 0; i < n; i++) out.push(deref(v + 4 + 4 * i));
    return out;
  };
  const string = (table, id) => {
    const p = field(table, id);
    if (!p) return '';
    const v = deref(p);
    const n = u32(v);
    check(v + 4, n);
    return Buffer.from(bytes.buffer, bytes.byteOffset + v + 4, n).toString('utf8');
  };
  const uint = (table, id) => {
    const p = field(table, id);
    return p ? u32(p) : 0;
  };
  const model = deref(0);
  const maps = (sig, id) => vecTables(sig, id).map((t) => ({name: string(t, 0), tensor: uint(t, 1)}));
  return vecTables(model, 7).map((sig) => ({
    key: string(sig, 2),
    subgraph: uint(sig, 4),
    inputs: maps(sig, 0),
    outputs: maps(sig, 1),
  }));
}

module.exports = {readSignatures};
