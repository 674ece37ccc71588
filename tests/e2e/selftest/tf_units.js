#!/usr/bin/env node
'use strict';
// Unit checks of tf_reference.js / tf_checkpoint.js pieces that the shared models
// do not reach: TensorProto typed fields (repeat-last-value, splat, half, int64,
// bool), and an SSTable whose data block is snappy-compressed.
// Exit 0 when all pass, 1 otherwise.
const assert = require('assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const snappy = require('snappyjs');
const {tensorProtoValues, protos} = require('../lib/tf_reference');
const {readBundle, crc32c, maskCrc} = require('../lib/tf_checkpoint');

const checks = [];
const check = (name, fn) => checks.push([name, fn]);
const shape = (...d) => ({dim: d.map((size) => ({size}))});

check('float_val repeats its last value', () => {
  const t = tensorProtoValues({dtype: 1, tensorShape: shape(2, 3), floatVal: [1, 2]}, 't');
  assert.deepStrictEqual(Array.from(t.values), [1, 2, 2, 2, 2, 2]);
});
check('single value splats, no value gives zeros', () => {
  assert.deepStrictEqual(Array.from(tensorProtoValues({dtype: 3, tensorShape: shape(4), intVal: [7]}, 't').values), [7, 7, 7, 7]);
  assert.deepStrictEqual(Array.from(tensorProtoValues({dtype: 1, tensorShape: shape(3)}, 't').values), [0, 0, 0]);
});
check('half_val holds fp16 bit patterns', () => {
  const t = tensorProtoValues({dtype: 19, tensorShape: shape(3), halfVal: [0x3c00, 0xc000, 0x3555]}, 't');
  assert.deepStrictEqual(Array.from(t.values), [1, -2, Math.fround(0.333251953125)]);
});
check('int64_val and bool_val', () => {
  assert.deepStrictEqual(Array.from(tensorProtoValues({dtype: 9, tensorShape: shape(2), int64Val: [5, -3]}, 't').values), [5, -3]);
  assert.deepStrictEqual(Array.from(tensorProtoValues({dtype: 10, tensorShape: shape(3), boolVal: [true]}, 't').values), [1, 1, 1]);
});
check('tensor_content little-endian float32', () => {
  const b = Buffer.alloc(8);
  b.writeFloatLE(1.5, 0);
  b.writeFloatLE(-2, 4);
  assert.deepStrictEqual(Array.from(tensorProtoValues({dtype: 1, tensorShape: shape(2), tensorContent: b}, 't').values), [1.5, -2]);
});
check('snappy-compressed SSTable block is read', () => {
  const root = protos();
  const Entry = root.lookupType('tensorflow.BundleEntryProto');
  const Header = root.lookupType('tensorflow.BundleHeaderProto');
  const data = Buffer.alloc(16);
  [1, 2, 3, 4].forEach((v, i) => data.writeFloatLE(v, 4 * i));
  const varint = (n) => { const o = []; while (n > 127) { o.push((n & 127) | 128); n = Math.floor(n / 128); } o.push(n); return Buffer.from(o); };
  const block = (entries) => {
    const parts = [];
    for (const [k, v] of entries) parts.push(varint(0), varint(k.length), varint(v.length), Buffer.from(k), v);
    const r = Buffer.alloc(8);
    r.writeUInt32LE(0, 0);
    r.writeUInt32LE(1, 4);
    return Buffer.concat([...parts, r]);
  };
  const entryBytes = Buffer.from(Entry.encode(Entry.create({dtype: 1, shape: shape(2, 2), offset: 0, size: 16,
    crc32c: maskCrc(crc32c(data))})).finish());
  const headerBytes = Buffer.from(Header.encode(Header.create({numShards: 1})).finish());
  const file = [];
  let off = 0;
  const put = (raw, type) => {
    const body = type === 1 ? Buffer.from(snappy.compress(raw)) : raw;
    const t = Buffer.from([type]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32LE(maskCrc(crc32c(Buffer.concat([body, t]))), 0);
    const h = {offset: off, size: body.length};
    file.push(body, t, crc);
    off += body.length + 5;
    return h;
  };
  const dataH = put(block([['', headerBytes], ['w/.ATTRIBUTES/VARIABLE_VALUE', entryBytes]]), 1);
  const metaH = put(block([]), 0);
  const handle = (h) => Buffer.concat([varint(h.offset), varint(h.size)]);
  const indexH = put(block([['x', handle(dataH)]]), 0);
  const footer = Buffer.alloc(48);
  Buffer.concat([handle(metaH), handle(indexH)]).copy(footer, 0);
  footer.writeUInt32LE(0x8b80fb57, 40);
  footer.writeUInt32LE(0xdb477524, 44);
  file.push(footer);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tfckpt-'));
  try {
    fs.writeFileSync(path.join(dir, 'v.index'), Buffer.concat(file));
    fs.writeFileSync(path.join(dir, 'v.data-00000-of-00001'), data);
    const got = readBundle(path.join(dir, 'v'), ['w/.ATTRIBUTES/VARIABLE_VALUE'], root).get('w/.ATTRIBUTES/VARIABLE_VALUE');
    assert.deepStrictEqual(got.shape, [2, 2]);
    assert.ok(got.bytes.equals(data));
  } finally {
    fs.rmSync(dir, {recursive: true, force: true});
  }
});

let failed = 0;
for (const [name, fn] of checks) {
  try {
    fn();
    console.log(`ok    ${name}`);
  } catch (e) {
    failed++;
    console.log(`FAIL  ${name}: ${e.message}`);
  }
}
process.exit(failed ? 1 : 0);
