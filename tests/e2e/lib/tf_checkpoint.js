'use strict';
// TensorBundle checkpoint reader (SavedModel variables/variables.index + .data-*).
// Index = one LevelDB-format SSTable (see shared/reference/FORMATS.md §2):
//   footer (last 48 bytes) = metaindex handle, index handle (varint64 offset,
//   size), zero padding to 40 bytes, magic 0xdb4775248b80fb57 (LE fixed64);
//   each block is followed by a 5-byte trailer: type (0 raw, 1 snappy) + masked
//   CRC-32C of block+type. Block = entries {varint32 shared, varint32 unshared,
//   varint32 value_len, key suffix, value}, then fixed32 restarts[], fixed32 count.
// Key "" = BundleHeaderProto, other keys = BundleEntryProto (dtype, shape,
// shard_id, offset, size, crc32c). Tensor bytes = data shard [offset, offset+size).

const fs = require('fs');

const MAGIC_LO = 0x8b80fb57;
const MAGIC_HI = 0xdb477524;

let CRC_TABLE = null;
function crc32c(bytes, crc = 0) {
  if (!CRC_TABLE) {
    CRC_TABLE = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82F63B78 : c >>> 1;
      CRC_TABLE[n] = c >>> 0;
    }
  }
  crc = (crc ^ 0xffffffff) >>> 0;
  for (let i = 0; i < bytes.length; i++) crc = CRC_TABLE[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
const maskCrc = (c) => ((((c >>> 15) | (c << 17)) >>> 0) + 0xa282ead8) >>> 0;

function varint(buf, pos, label) {
  let result = 0;
  let mul = 1;
  for (let i = 0; i < 10; i++) {
    if (pos >= buf.length) throw new Error(`${label}: truncated varint`);
    const b = buf[pos++];
    result += (b & 0x7f) * mul;
    if (!(b & 0x80)) return [result, pos];
    mul *= 128;
  }
  throw new Error(`${label}: bad varint`);
}

function readHandle(buf, pos, label) {
  const [offset, p1] = varint(buf, pos, label);
  const [size, p2] = varint(buf, p1, label);
  return [{offset, size}, p2];
}

function readBlock(file, handle, label) {
  const end = handle.offset + handle.size + 5;
  if (end > file.length) throw new Error(`${label}: block at ${handle.offset} (+${handle.size}) runs past the end of the file`);
  const raw = file.subarray(handle.offset, handle.offset + handle.size);
  const type = file[handle.offset + handle.size];
  const stored = file.readUInt32LE(handle.offset + handle.size + 1);
  const actual = maskCrc(crc32c(file.subarray(handle.offset, handle.offset + handle.size + 1)));
  if (stored !== actual) throw new Error(`${label}: block at ${handle.offset}: CRC mismatch`);
  if (type === 0) return raw;
  if (type === 1) {
    let snappy;
    try {
      snappy = require('snappyjs');
    } catch (e) {
      throw new Error(`${label}: snappy-compressed block, and snappyjs is not installed`);
    }
    try {
      return Buffer.from(snappy.uncompress(raw));
    } catch (e) {
      throw new Error(`${label}: cannot uncompress snappy block at ${handle.offset}: ${e.message}`);
    }
  }
  throw new Error(`${label}: block at ${handle.offset} has unknown compression type ${type}`);
}

/** All entries of a block as [key Buffer, value Buffer]. */
function blockEntries(block, label) {
  if (block.length < 4) throw new Error(`${label}: block too short`);
  const numRestarts = block.readUInt32LE(block.length - 4);
  const limit = block.length - 4 - 4 * numRestarts;
  if (limit < 0) throw new Error(`${label}: bad restart count ${numRestarts}`);
  const out = [];
  let pos = 0;
  let key = Buffer.alloc(0);
  while (pos < limit) {
    let shared; let unshared; let vlen;
    [shared, pos] = varint(block, pos, label);
    [unshared, pos] = varint(block, pos, label);
    [vlen, pos] = varint(block, pos, label);
    if (shared > key.length || pos + unshared + vlen > limit) throw new Error(`${label}: corrupt block entry`);
    key = Buffer.concat([key.subarray(0, shared), block.subarray(pos, pos + unshared)]);
    pos += unshared;
    out.push([key, block.subarray(pos, pos + vlen)]);
    pos += vlen;
  }
  return out;
}

/** Reads the whole index: Map key (utf8) → value Buffer. */
function readTable(indexPath) {
  let file;
  try {
    file = fs.readFileSync(indexPath);
  } catch (e) {
    throw new Error(`${indexPath}: cannot read checkpoint index (${e.code || e.message})`);
  }
  if (file.length < 48) throw new Error(`${indexPath}: too short for an SSTable`);
  const f = file.length - 48;
  if (file.readUInt32LE(f + 40) !== MAGIC_LO || file.readUInt32LE(f + 44) !== MAGIC_HI) {
    throw new Error(`${indexPath}: bad SSTable magic (not a TensorBundle index)`);
  }
  const [, p] = readHandle(file, f, indexPath); // metaindex (unused: TF writes no filters)
  const [indexHandle] = readHandle(file, p, indexPath);
  const table = new Map();
  for (const [, v] of blockEntries(readBlock(file, indexHandle, indexPath), indexPath)) {
    const [h] = readHandle(v, 0, indexPath);
    for (const [k, val] of blockEntries(readBlock(file, h, indexPath), indexPath)) table.set(k.toString('utf8'), val);
  }
  return table;
}

const DTYPE_SIZES = {1: 4, 2: 8, 3: 4, 4: 1, 5: 2, 6: 1, 9: 8, 10: 1, 14: 2, 17: 2, 19: 2, 22: 4, 23: 8};

/**
 * Reads tensors `keys` from the bundle at `prefix` (e.g. <dir>/variables/variables).
 * @param root protobufjs Root holding tensorflow.BundleEntryProto / BundleHeaderProto
 * @returns Map key → {dtype (TF number), shape: number[], bytes: Buffer}
 */
function readBundle(prefix, keys, root) {
  const indexPath = `${prefix}.index`;
  const table = readTable(indexPath);
  const Entry = root.lookupType('tensorflow.BundleEntryProto');
  const Header = root.lookupType('tensorflow.BundleHeaderProto');
  const headerBytes = table.get('');
  if (!headerBytes) throw new Error(`${indexPath}: no bundle header entry`);
  const header = Header.decode(headerBytes);
  if (header.endianness) throw new Error(`${indexPath}: big-endian bundles are not supported`);
  const numShards = header.numShards || 1;
  const shards = new Map();
  const shard = (id) => {
    if (!shards.has(id)) {
      const p = `${prefix}.data-${String(id).padStart(5, '0')}-of-${String(numShards).padStart(5, '0')}`;
      try {
        shards.set(id, fs.readFileSync(p));
      } catch (e) {
        throw new Error(`${p}: cannot read checkpoint data shard (${e.code || e.message})`);
      }
    }
    return shards.get(id);
  };
  const out = new Map();
  for (const key of keys) {
    const v = table.get(key);
    if (!v) throw new Error(`${indexPath}: no checkpoint entry ${JSON.stringify(key)}`);
    const e = Entry.decode(v);
    if (e.slices && e.slices.length) throw new Error(`${indexPath}: ${key} is a sliced (partitioned) tensor: unsupported`);
    const shape = ((e.shape && e.shape.dim) || []).map((d) => Number(d.size));
    const size = Number(e.size);
    const offset = Number(e.offset);
    const count = shape.reduce((a, b) => a * b, 1);
    const esize = DTYPE_SIZES[e.dtype];
    if (!esize) throw new Error(`${indexPath}: ${key} has unsupported dtype ${e.dtype}`);
    if (size !== count * esize) throw new Error(`${indexPath}: ${key}: size ${size} != ${count} x ${esize}`);
    const data = shard(e.shardId || 0);
    if (offset + size > data.length) throw new Error(`${indexPath}: ${key}: bytes [${offset}, ${offset + size}) beyond the data shard`);
    const bytes = Buffer.from(data.subarray(offset, offset + size));
    if (e.crc32c && maskCrc(crc32c(bytes)) !== (e.crc32c >>> 0)) throw new Error(`${indexPath}: ${key}: data CRC mismatch`);
    out.set(key, {dtype: e.dtype, shape, bytes});
  }
  return out;
}

module.exports = {readBundle, readTable, crc32c, maskCrc};
