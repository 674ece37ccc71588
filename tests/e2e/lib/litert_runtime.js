'use strict';
// Today's TFLite runtime, LiteRT.js (npm @litertjs/core, pinned in package.json), driven from
// plain Node through its emscripten module, with the same interface as lib/tflite_runtime.js
// (the 2023 tfjs-tflite interpreter):
//   loadRuntime() -> runtime
//   createRunner(runtime, bytes, label) -> Promise<{inputs, outputs, run(inputs) -> Promise, close()}>
//   runModel(runtime, bytes, inputs, label) -> Promise<{inputs, outputs}>
//
// Why not the package's high-level API: it only takes float32/int32/uint8 tensors. The embind
// layer underneath takes every element type, so we use it directly (see shared/TESTING.md):
//   - the glue is CommonJS inside a "type":"module" package: evaluated with new Function(...);
//   - litert_wasm_internal.wasm needs relaxed SIMD (V8 flag set before the wasm is compiled);
//     the compat build is the fallback (same int8 results, float within ~1e-7: no FMA);
//   - LiteRtEnvironment -> loadModel(env, ptr, len) -> compileModel(env, model, options);
//     I/O through HOST_MEMORY LiteRtTensorBuffers, lock()/HEAPU8/unlock().
// Its failures are silent: when TFLite's Prepare or Invoke fails (unresolved custom op, Flex op,
// out-of-range GATHER index...), compileModel()/run() still return, log a line starting "ERROR:"
// and hand back garbage. Any such line logged while compiling or running is a hard failure here.
//
// Inputs and outputs are described and ordered like subgraph 0's inputs/outputs in the file
// (readIoQuantization), as the 2023 runner does, whatever the order of the SignatureDef the
// compiled model runs: callers index quantization parameters by that order. Buffers get the
// stored shapes (no resizing: a buffer larger than the stored shape corrupts memory).
//
// Pass-through outputs: when a subgraph output is the very tensor of a subgraph input (e.g. an
// identity model with no operators), LiteRT.js 2.5.3 binds the input buffer and the output buffer
// to that one tensor and hands back the output buffer, which nothing wrote: uninitialised memory,
// with no log line (the 2023 runtime returns the input). By TFLite's semantics such an output IS
// the input (no operator can write a subgraph input), so the runner returns the input's values
// for it, encoded and decoded in the tensor's type as the runtime would hold them.

const fs = require('fs');
const path = require('path');
const {readIoQuantization, vectorToArray, runtimeLogLines} = require('./tflite_runtime');
const {readSignatures} = require('./tflite_signatures');

const WASM_DIR = path.join(__dirname, '..', 'node_modules', '@litertjs', 'core', 'wasm');
// Preferred first. TFLC_LITERT_BUILD=compat forces the build without relaxed SIMD.
const BUILDS = ['litert_wasm_internal', 'litert_wasm_compat_internal'];

// LiteRT ElementType values (litert_model_types.h; @litertjs/core's ElementType) by dtype name.
const ELEMENT_TYPES = {
  float32: 1, int32: 2, uint8: 3, int64: 4, string: 5, bool: 6, int16: 7, int8: 9, float16: 10,
  float64: 11, uint64: 13, uint32: 16, uint16: 17,
};
// Typed array holding the raw elements of each supported I/O type.
const RAW_ARRAYS = {
  float32: Float32Array, int32: Int32Array, uint8: Uint8Array, int64: BigInt64Array, bool: Uint8Array,
  int16: Int16Array, int8: Int8Array, float16: Uint16Array, float64: Float64Array, uint32: Uint32Array,
  uint16: Uint16Array,
};

let relaxedSimdFlagSet = false;

async function instantiateBuild(base) {
  if (base === 'litert_wasm_internal' && !relaxedSimdFlagSet) {
    // Must happen before the module is compiled; harmless for the compat build.
    require('v8').setFlagsFromString('--experimental-wasm-relaxed-simd');
    relaxedSimdFlagSet = true;
  }
  const gluePath = path.join(WASM_DIR, base + '.js');
  const wasmPath = path.join(WASM_DIR, base + '.wasm');
  const src = fs.readFileSync(gluePath, 'utf8');
  const mod = {exports: {}};
  // eslint-disable-next-line no-new-func
  new Function('module', 'exports', 'require', '__filename', '__dirname', src)(
      mod, mod.exports, require, gluePath, WASM_DIR);
  const factory = mod.exports.default || mod.exports;
  if (typeof factory !== 'function') throw new Error(`${gluePath} did not export a module factory`);
  const logs = [];
  const M = await factory({
    wasmBinary: fs.readFileSync(wasmPath),
    print: (s) => logs.push(String(s)),
    printErr: (s) => logs.push(String(s)),
  });
  const env = M.LiteRtEnvironment.create(null);
  return {kind: 'litert', module: M, env, build: base, logs};
}

/**
 * Loads LiteRT.js. Tries the relaxed-SIMD build first, then the compat build
 * (TFLC_LITERT_BUILD=compat: only the compat build).
 * @returns {Promise<{kind: 'litert', module, env, build: string, logs: string[]}>}
 */
async function loadRuntime() {
  const builds = process.env.TFLC_LITERT_BUILD === 'compat' ? BUILDS.slice(1) : BUILDS;
  const errors = [];
  for (const base of builds) {
    try {
      return await instantiateBuild(base);
    } catch (e) {
      errors.push(`${base}: ${e && e.message ? e.message : e}`);
    }
  }
  throw new Error(`cannot load the LiteRT.js runtime from ${WASM_DIR} ` +
      `(run tests/e2e/setup.sh?):\n  ${errors.join('\n  ')}`);
}

// The runtime's log lines since `from`, without INFO/WARNING/VERBOSE chatter and repeats.
function runtimeLog(runtime, from) {
  return runtimeLogLines(runtime, from, /^(INFO|WARNING|VERBOSE):/);
}

// Throws when the runtime logged an "ERROR:" line since `from` (LiteRT's silent failures).
function checkLog(runtime, from, what) {
  const lines = runtimeLog(runtime, from);
  if (lines.some((l) => /^ERROR:/.test(l))) {
    throw new Error(`${what}: the LiteRT runtime logged an error:\n  ${lines.join('\n  ')}`);
  }
}

function errorText(e) {
  return e && e.message ? e.message : String(e);
}

// IEEE half <-> float (round to nearest even), for float16 I/O.
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
function toHalf(x) {
  f32[0] = x;
  const b = u32[0];
  const sign = (b >>> 16) & 0x8000;
  const exp = (b >>> 23) & 0xff;
  let mant = b & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);  // Inf / NaN
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;  // overflow -> Inf
  if (e <= 0) {  // subnormal half (or zero)
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let h = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (rem > half || (rem === half && (h & 1))) h++;
    return sign | h;
  }
  let h = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (h & 1))) h++;  // may carry into the exponent: correct
  return sign | h;
}
function fromHalf(h) {
  const sign = h & 0x8000 ? -1 : 1;
  const e = (h >>> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return sign * m * 2 ** -24;
  if (e === 0x1f) return m ? NaN : sign * Infinity;
  return sign * (1 + m / 1024) * 2 ** (e - 15);
}

// Caller data (any array of numbers, or BigInts for int64) -> raw typed array of `dtype`.
function toRaw(src, dtype) {
  switch (dtype) {
    case 'float16': return Uint16Array.from(src, (v) => toHalf(Number(v)));
    case 'int64': return BigInt64Array.from(src, (v) => (typeof v === 'bigint' ? v : BigInt(Math.round(Number(v)))));
    case 'bool': return Uint8Array.from(src, (v) => (Number(v) ? 1 : 0));
    default: return RAW_ARRAYS[dtype].from(src, Number);
  }
}

// Raw typed array -> what run() returns: float16 decoded to Float32Array, int64 as Float64Array
// (exact below 2^53; callers do Number arithmetic), the rest as their own typed array.
function fromRaw(raw, dtype) {
  if (dtype === 'float16') return Float32Array.from(raw, fromHalf);
  if (dtype === 'int64') return Float64Array.from(raw, Number);
  return raw;
}

const numel = (shape) => shape.reduce((a, b) => a * b, 1);

// Maps the compiled signature's I/O positions onto subgraph 0's I/O order.
// Returns perm with perm[signaturePosition] = subgraph position.
function mapSignature(names, ioDescs, sigMap, label, what) {
  const perm = names.map((name) => {
    if (sigMap) {
      const t = sigMap.get(name);
      if (t !== undefined) {
        const k = ioDescs.findIndex((d) => d.index === t);
        if (k >= 0) return k;
      }
    }
    const k = ioDescs.findIndex((d) => d.name === name);
    return k;
  });
  if (perm.length !== ioDescs.length || perm.some((k) => k < 0) || new Set(perm).size !== perm.length) {
    // No name match (e.g. no SignatureDef and renamed tensors): the default signature lists the
    // subgraph's tensors in order.
    if (names.length === ioDescs.length) return names.map((_, i) => i);
    throw new Error(`${label}: the runtime's signature has ${names.length} ${what}(s) ` +
        `[${names.join(', ')}], subgraph 0 has ${ioDescs.length}`);
  }
  return perm;
}

/**
 * Creates a runner for `modelBytes` that can be run many times; call close() when done.
 * Each run() compiles the model afresh, so variable tensors (UNIDIRECTIONAL_SEQUENCE_LSTM state)
 * start at zero for every independent sample, as after reset_all_variables().
 * run(inputs): inputs = one array per model input in subgraph 0's input order, numbers in the
 * input's element type (float16 inputs take float values, encoded here; int64 takes numbers or
 * BigInts). Returns Promise<[{name, shape, dtype, data}]>, data a typed array (float16 outputs
 * decoded to Float32Array, int64 outputs as Float64Array).
 */
async function createRunner(runtime, modelBytes, label = 'model') {
  const M = runtime.module;
  const bytes = modelBytes instanceof Uint8Array ? modelBytes : new Uint8Array(modelBytes);
  // Same precise messages as the 2023 runner for garbage files (LiteRT would abort the module).
  let io;
  try {
    io = readIoQuantization(bytes);
  } catch (e) {
    throw new Error(`LiteRT runtime failed to load ${label}: ${errorText(e)}`);
  }
  for (const d of [...io.inputs, ...io.outputs]) {
    if (!RAW_ARRAYS[d.dtype]) throw new Error(`${label}: I/O tensor ${d.name} has type ${d.dtype}, not supported by the runner`);
    if (d.shape.some((n) => n < 0)) throw new Error(`${label}: I/O tensor ${d.name} has an unknown stored dimension [${d.shape}]`);
  }
  let sigs = [];
  try {
    sigs = readSignatures(bytes);
  } catch (e) {
    sigs = [];
  }

  // The model keeps pointing at this copy: free it only after the model is deleted.
  const ptr = M._malloc(bytes.length);
  M.HEAPU8.set(bytes, ptr);
  let model = null;
  let compiled = null;  // compiled model not yet used by a run
  let closed = false;
  const logStart = runtime.logs.length;
  // The runtime's own log lines since `from` (the reason of a thrown error is often only there).
  const logged = (from) => {
    const lines = runtimeLog(runtime, from);
    return lines.length ? `\n  runtime log: ${lines.join('\n  ')}` : '';
  };
  const cleanup = () => {
    if (compiled) compiled.delete();
    compiled = null;
    if (model) model.delete();
    model = null;
    M._free(ptr);
  };

  let sigIndex = 0;
  let inPerm;
  let outPerm;
  try {
    try {
      model = M.loadModel(runtime.env, ptr, bytes.length);
    } catch (e) {
      const err = new Error(`LiteRT runtime failed to load ${label}: ${errorText(e)}${logged(logStart)}`);
      // LiteRT.js 2.5.3's loader refuses every model with variable tensors (the state of
      // UNIDIRECTIONAL_SEQUENCE_LSTM / GRU lowered by the official converter and by tflc).
      if (/Variable tensors not yet supported/.test(err.message)) err.code = 'LITERT_VARIABLE_TENSORS';
      throw err;
    }
    checkLog(runtime, logStart, `LiteRT runtime failed to load ${label}`);
    const n = model.getNumSignatures();
    if (n < 1) throw new Error(`LiteRT runtime failed to load ${label}: no signature`);
    // The signature that runs subgraph 0 (the one the 2023 runtime runs); else the first.
    const keys = [];
    for (let i = 0; i < n; i++) {
      const s = model.getSignature(i);
      keys.push(s.key());
      s.delete();
    }
    const sg0 = sigs.find((s) => s.subgraph === 0);
    if (sg0 && keys.includes(sg0.key)) sigIndex = keys.indexOf(sg0.key);
    const sigDef = sigs.find((s) => s.key === keys[sigIndex]);
    const sig = model.getSignature(sigIndex);
    const inNames = vectorToArray(sig.inputNames());
    const outNames = vectorToArray(sig.outputNames());
    sig.delete();
    const mapOf = (list) => (list ? new Map(list.map((m) => [m.name, m.tensor])) : null);
    inPerm = mapSignature(inNames, io.inputs, sigDef && mapOf(sigDef.inputs), label, 'input');
    outPerm = mapSignature(outNames, io.outputs, sigDef && mapOf(sigDef.outputs), label, 'output');
    // Element types the compiled signature expects must be the file's.
    inNames.forEach((_, j) => {
      const tt = model.getInputTensorType(sigIndex, j);
      const et = tt.elementType().value;
      tt.delete();
      const d = io.inputs[inPerm[j]];
      if (et !== ELEMENT_TYPES[d.dtype]) {
        throw new Error(`${label}: input ${d.name}: runtime element type ${et}, file says ${d.dtype}`);
      }
    });
    compiled = await compile();
  } catch (e) {
    cleanup();
    throw e;
  }

  async function compile() {
    const at = runtime.logs.length;
    let cm;
    try {
      cm = await M.compileModel(runtime.env, model, {
        accelerator: 'wasm', cpuOptions: {numThreads: 1}, gpuOptions: {}, webNNOptions: {},
      });
    } catch (e) {
      throw new Error(`LiteRT runtime failed to compile ${label}: ${errorText(e)}${logged(at)}`);
    }
    try {
      checkLog(runtime, at, `LiteRT runtime failed to compile ${label}`);
    } catch (e) {
      cm.delete();
      throw e;
    }
    return cm;
  }

  // Output position -> input position, for outputs that are the same tensor as an input.
  const passThrough = io.outputs.map((o) => io.inputs.findIndex((d) => d.index === o.index));

  const describe = (d) => ({name: d.name, shape: d.shape.slice(), dtype: d.dtype});
  const inputs = io.inputs.map(describe);
  const outputs = io.outputs.map(describe);

  function makeBuffer(desc, src, i) {
    const dims = new M.VectorInt32();
    for (const n of desc.shape) dims.push_back(n);
    const layout = M.LiteRtLayout.create(dims);
    dims.delete();
    const type = M.LiteRtRankedTensorType.create({value: ELEMENT_TYPES[desc.dtype]}, layout);
    layout.delete();
    const raw = toRaw(src, desc.dtype);
    let buf;
    try {
      if (raw.byteLength !== type.bytes()) {
        throw new Error(`${label}: input ${i} (${desc.name}, ${desc.dtype}[${desc.shape}]) needs ` +
            `${type.bytes()} bytes, got ${raw.byteLength}`);
      }
      buf = M.LiteRtTensorBuffer.createManaged(runtime.env, M.LiteRtTensorBufferType.HOST_MEMORY, type, raw.byteLength);
    } finally {
      type.delete();
    }
    const p = buf.lock(M.LiteRtTensorBufferLockMode.WRITE);
    try {
      M.HEAPU8.set(new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength), p);
    } finally {
      buf.unlock();
    }
    return buf;
  }

  function readBuffer(buf, desc) {
    const Raw = RAW_ARRAYS[desc.dtype];
    const size = buf.packedSize();
    const want = numel(desc.shape) * Raw.BYTES_PER_ELEMENT;
    let shape = desc.shape.slice();
    if (size !== want) {
      // A dynamically shaped output: take the buffer's own dims.
      const tt = buf.tensorType();
      const layout = tt.layout();
      shape = vectorToArray(layout.dimensions());
      layout.delete();
      tt.delete();
      if (numel(shape) * Raw.BYTES_PER_ELEMENT !== size) {
        throw new Error(`${label}: output ${desc.name} has ${size} bytes, expected ${want} for ${desc.dtype}[${desc.shape}]`);
      }
    }
    const p = buf.lock(M.LiteRtTensorBufferLockMode.READ);
    let raw;
    try {
      raw = new Raw(M.HEAPU8.slice(p, p + size).buffer);  // a copy: the heap may move
    } finally {
      buf.unlock();
    }
    return {name: desc.name, shape, dtype: desc.dtype, data: fromRaw(raw, desc.dtype)};
  }

  async function run(inputData) {
    if (closed) throw new Error(`${label}: runner is closed`);
    if (!Array.isArray(inputData) || inputData.length !== inputs.length) {
      throw new Error(`${label}: expected ${inputs.length} input array(s), got ` +
          `${Array.isArray(inputData) ? inputData.length : typeof inputData}`);
    }
    inputData.forEach((src, i) => {
      if (!src || src.length !== numel(inputs[i].shape)) {
        throw new Error(`${label}: input ${i} (${inputs[i].name}, ${inputs[i].dtype}[${inputs[i].shape}]) ` +
            `needs ${numel(inputs[i].shape)} values, got ${src ? src.length : 'none'}`);
      }
    });
    // Fresh compiled model for every sample (the first one compiled by createRunner).
    const cm = compiled || await compile();
    compiled = null;
    const inBufs = [];
    let outBufs = [];
    try {
      for (let j = 0; j < inPerm.length; j++) inBufs.push(makeBuffer(io.inputs[inPerm[j]], inputData[inPerm[j]], inPerm[j]));
      const at = runtime.logs.length;
      try {
        outBufs = await cm.run(sigIndex, inBufs);
      } catch (e) {
        throw new Error(`${label}: LiteRT inference failed: ${errorText(e)}${logged(at)}`);
      }
      checkLog(runtime, at, `${label}: LiteRT inference failed`);
      if (outBufs.length !== outPerm.length) {
        throw new Error(`${label}: runtime returned ${outBufs.length} output(s), expected ${outPerm.length}`);
      }
      const result = new Array(outputs.length);
      outBufs.forEach((b, j) => { result[outPerm[j]] = readBuffer(b, io.outputs[outPerm[j]]); });
      passThrough.forEach((i, k) => {
        if (i < 0) return;
        const d = io.outputs[k];
        result[k] = {name: d.name, shape: d.shape.slice(), dtype: d.dtype, data: fromRaw(toRaw(inputData[i], d.dtype), d.dtype)};
      });
      return result;
    } finally {
      for (const b of inBufs) b.delete();
      for (const b of outBufs) b.delete();
      cm.delete();
    }
  }

  function close() {
    if (closed) return;
    closed = true;
    cleanup();
  }

  return {inputs, outputs, run, close};
}

/** Runs a .tflite model once (see createRunner for the input/output forms). */
async function runModel(runtime, modelBytes, inputs, label) {
  const r = await createRunner(runtime, modelBytes, label);
  try {
    const outputs = await r.run(inputs);
    return {inputs: r.inputs, outputs};
  } finally {
    r.close();
  }
}

module.exports = {loadRuntime, createRunner, runModel, readIoQuantization, toHalf, fromHalf};
