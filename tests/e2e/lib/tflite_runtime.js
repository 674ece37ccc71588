'use strict';
// The real TFLite interpreter (compiled to WebAssembly, shipped in
// @tensorflow/tfjs-tflite) driven from plain Node, plus a minimal .tflite
// FlatBuffer reader for the I/O quantization parameters the runner hides.
//
// The emscripten glue in tfjs-tflite is a browser build: it has no Node code
// path, so it never touches `require`/`fs`. We evaluate it with `vm`, hand it
// the .wasm bytes as `wasmBinary`, and use the embind classes directly
// (TFLiteWebModelRunner), without the tfjs wrapper.

const fs = require('fs');
const path = require('path');
const vm = require('vm');

const WASM_DIR = path.join(__dirname, '..', 'node_modules', '@tensorflow', 'tfjs-tflite', 'wasm');

// Preferred first. The threaded builds need workers + SharedArrayBuffer; not used.
const BUILDS = ['tflite_web_api_cc_simd', 'tflite_web_api_cc'];

async function instantiateBuild(base) {
  const gluePath = path.join(WASM_DIR, base + '.js');
  const wasmPath = path.join(WASM_DIR, base + '.wasm');
  const glue = fs.readFileSync(gluePath, 'utf8');
  // Wrap the script so its top-level `var tflite_web_api_ModuleFactory` stays
  // local; shadow module/exports/define so the UMD footer does nothing.
  const wrapped = '(function (module, exports, define) {\n' + glue +
      '\nreturn tflite_web_api_ModuleFactory;\n})';
  const factory = vm.runInThisContext(wrapped, {filename: gluePath})(undefined, undefined, undefined);
  const logs = [];
  const mod = await factory({
    wasmBinary: fs.readFileSync(wasmPath),
    // The interpreter reports load errors on stderr; keep them for messages.
    print: (s) => logs.push(String(s)),
    printErr: (s) => logs.push(String(s)),
  });
  return {module: mod, build: base, logs};
}

/**
 * Loads the WASM interpreter. Tries the SIMD build first, then the plain one.
 * @returns {Promise<{module: object, build: string, logs: string[]}>}
 */
async function loadRuntime() {
  const errors = [];
  for (const base of BUILDS) {
    try {
      return await instantiateBuild(base);
    } catch (e) {
      errors.push(`${base}: ${e && e.message ? e.message : e}`);
    }
  }
  throw new Error(`cannot load the TFLite WASM runtime from ${WASM_DIR} ` +
      `(run tests/e2e/setup.sh?):\n  ${errors.join('\n  ')}`);
}

const TYPED_ARRAYS = {
  float32: Float32Array,
  float64: Float64Array,
  int8: Int8Array,
  uint8: Uint8Array,
  bool: Uint8Array,
  int16: Int16Array,
  int32: Int32Array,
  uint32: Uint32Array,
};

function vectorToArray(vec) {
  const out = [];
  try {
    for (let i = 0; i < vec.size(); i++) out.push(vec.get(i));
  } finally {
    vec.delete();
  }
  return out;
}

// The runtime's own log lines since `from`, without repeats and without lines matching `skip`
// (INFO chatter by default; the LiteRT runner also drops WARNING/VERBOSE).
function runtimeLogLines(runtime, from, skip = /^INFO:/) {
  const lines = [];
  for (const chunk of runtime.logs.slice(from)) {
    for (const line of chunk.split('\n')) {
      const l = line.trim();
      if (l && !skip.test(l) && !lines.includes(l)) lines.push(l);
    }
  }
  return lines;
}

function runtimeLog(runtime, from) {
  return runtimeLogLines(runtime, from).join('\n  ');
}

function describe(info) {
  const shape = info.shape === '' ? [] : String(info.shape).split(',').map(Number);
  return {name: info.name, shape, dtype: info.dataType};
}

/**
 * Creates an interpreter for `modelBytes` that can be run many times.
 * Call close() when done (frees the WASM-side copy of the model).
 *
 * Each run() starts from fresh variable tensors (as after the Python API's
 * interpreter.reset_all_variables()): models with RNN state (UNIDIRECTIONAL_SEQUENCE_LSTM keeps its
 * state in variable tensors, in the official converter's output too) would otherwise carry state
 * from one independent sample into the next. The runtime exposes no reset, so the interpreter is
 * re-created from the same bytes before every run after the first.
 */
function createRunner(runtime, modelBytes, label = 'model') {
  const mod = runtime.module;
  const bytes = modelBytes instanceof Uint8Array ? modelBytes : new Uint8Array(modelBytes);
  // The interpreter keeps pointing at this buffer: free it only after delete().
  const ptr = mod._malloc(bytes.length);
  mod.HEAPU8.set(bytes, ptr);
  const logStart = runtime.logs.length;
  let status;
  try {
    status = mod.TFLiteWebModelRunner.CreateFromBufferAndOptions(
        ptr, bytes.length, {numThreads: 1, enableProfiling: false, maxProfilingBufferEntries: 1024});
  } catch (e) {
    mod._free(ptr);
    throw new Error(`TFLite runtime failed to load ${label}: ${e && e.message ? e.message : e}`);
  }
  if (!status.ok()) {
    const msg = status.errorMessage();
    const logged = runtimeLog(runtime, logStart);
    status.delete();
    mod._free(ptr);
    throw new Error(`TFLite runtime failed to load ${label}: ${msg}` +
        (logged ? `\n  runtime log: ${logged}` : ''));
  }
  let runner = status.value();
  status.delete();
  let runs = 0;
  const recreate = () => {
    const st = mod.TFLiteWebModelRunner.CreateFromBufferAndOptions(
        ptr, bytes.length, {numThreads: 1, enableProfiling: false, maxProfilingBufferEntries: 1024});
    if (!st.ok()) {
      const msg = st.errorMessage();
      st.delete();
      throw new Error(`TFLite runtime failed to reload ${label}: ${msg}`);
    }
    runner.delete();
    runner = st.value();
    st.delete();
  };

  // Tensor infos capture the tensor's data pointer when they are fetched, and
  // the interpreter may move buffers (e.g. XNNPACK on the first Infer), so
  // fetch them afresh around every inference and never keep them.
  const withInfos = (getter, fn) => {
    const infos = vectorToArray(getter());
    try {
      return fn(infos);
    } finally {
      for (const info of infos) info.delete();
    }
  };
  const inputs = withInfos(() => runner.GetInputs(), (infos) => infos.map(describe));
  const outputs = withInfos(() => runner.GetOutputs(), (infos) => infos.map(describe));

  function run(inputData) {
    if (runs++ > 0) recreate();  // fresh variable tensors for every independent sample
    if (!Array.isArray(inputData) || inputData.length !== inputs.length) {
      throw new Error(`${label}: expected ${inputs.length} input array(s), got ` +
          `${Array.isArray(inputData) ? inputData.length : typeof inputData}`);
    }
    withInfos(() => runner.GetInputs(), (infos) => infos.forEach((info, i) => {
      const buf = info.data(); // a view into the WASM heap; valid until the heap grows
      const src = inputData[i];
      if (!src || src.length !== buf.length) {
        throw new Error(`${label}: input ${i} (${info.name}, ${info.dataType}[${info.shape}]) ` +
            `needs ${buf.length} values, got ${src ? src.length : 'none'}`);
      }
      buf.set(src);
    }));
    const logAt = runtime.logs.length;
    if (!runner.Infer()) {
      const logged = runtimeLog(runtime, logAt);
      throw new Error(`${label}: TFLite inference failed` + (logged ? `: ${logged}` : ''));
    }
    return withInfos(() => runner.GetOutputs(), (infos) => infos.map((info, i) => {
      const Ctor = TYPED_ARRAYS[info.dataType];
      if (!Ctor) throw new Error(`${label}: output ${info.name} has unsupported type ${info.dataType}`);
      // Copy out of the heap: the view is invalidated by the next run or a heap growth.
      return {...outputs[i], data: new Ctor(info.data())};
    }));
  }

  function close() {
    runner.delete();
    mod._free(ptr);
  }

  return {inputs, outputs, run, close};
}

/**
 * Runs a .tflite model once.
 * @param runtime   from loadRuntime()
 * @param modelBytes Buffer/Uint8Array with the .tflite file
 * @param inputs    array of typed arrays, one per model input, in the model's
 *                  input order and already in the input's dtype
 * @returns {{inputs: {name, shape, dtype}[], outputs: {name, shape, dtype, data}[]}}
 */
function runModel(runtime, modelBytes, inputs, label) {
  const r = createRunner(runtime, modelBytes, label);
  try {
    const outputs = r.run(inputs);
    return {inputs: r.inputs, outputs};
  } finally {
    r.close();
  }
}

// ---------------------------------------------------------------------------
// Minimal FlatBuffer reader for .tflite (schema.fbs field ids):
//   Model:   0 version, 1 operator_codes, 2 subgraphs, 3 description, 4 buffers
//   SubGraph: 0 tensors, 1 inputs, 2 outputs, 3 operators, 4 name
//   Tensor:  0 shape, 1 type (byte), 2 buffer, 3 name, 4 quantization
//   QuantizationParameters: 0 min, 1 max, 2 scale, 3 zero_point (long),
//            4 details_type, 5 details (union = two slots), 6 quantized_dimension
// Layout: a table starts with an int32 soffset to its vtable (vtable = table -
// soffset); the vtable is [u16 vtable size, u16 table size, u16 field offsets…],
// a 0 offset meaning "absent, use default". Offsets to sub-tables, vectors and
// strings are uint32 relative to the field's own position; a vector is a uint32
// length followed by its elements.

const TENSOR_TYPES = ['float32', 'float16', 'int32', 'uint8', 'int64', 'string', 'bool', 'int16',
  'complex64', 'int8', 'float64', 'complex128', 'uint64', 'resource', 'variant', 'uint32',
  'uint16', 'int4', 'bfloat16', 'int2', 'uint4', 'float8_e4m3fn', 'float8_e5m2'];

class FlatBufferView {
  constructor(bytes) {
    this.bytes = bytes;
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  check(pos, size, what) {
    if (pos < 0 || pos + size > this.bytes.length) {
      throw new Error(`malformed FlatBuffer: ${what} at ${pos} is outside the file`);
    }
  }
  u32(pos) { this.check(pos, 4, 'uint32'); return this.dv.getUint32(pos, true); }
  // Position of field `id` inside table `table`, or 0 when absent.
  field(table, id) {
    this.check(table, 4, 'table');
    const vtable = table - this.dv.getInt32(table, true);
    this.check(vtable, 4, 'vtable');
    const vtSize = this.dv.getUint16(vtable, true);
    const slot = 4 + 2 * id;
    if (slot + 2 > vtSize) return 0;
    this.check(vtable + slot, 2, 'vtable slot');
    const off = this.dv.getUint16(vtable + slot, true);
    return off ? table + off : 0;
  }
  deref(pos) { return pos + this.u32(pos); }
  table(table, id) { const p = this.field(table, id); return p ? this.deref(p) : 0; }
  // Returns {start, length} of a vector field, or null when absent.
  vector(table, id) {
    const p = this.field(table, id);
    if (!p) return null;
    const v = this.deref(p);
    return {start: v + 4, length: this.u32(v)};
  }
  vecTables(table, id) {
    const v = this.vector(table, id);
    if (!v) return [];
    const out = [];
    for (let i = 0; i < v.length; i++) out.push(this.deref(v.start + 4 * i));
    return out;
  }
  vecScalars(table, id, size, get) {
    const v = this.vector(table, id);
    if (!v) return [];
    this.check(v.start, v.length * size, 'vector');
    const out = [];
    for (let i = 0; i < v.length; i++) out.push(get(v.start + size * i));
    return out;
  }
  string(table, id) {
    const v = this.vector(table, id);
    if (!v) return null;
    this.check(v.start, v.length, 'string');
    return Buffer.from(this.bytes.buffer, this.bytes.byteOffset + v.start, v.length).toString('utf8');
  }
  scalar(table, id, size, get, dflt) {
    const p = this.field(table, id);
    if (!p) return dflt;
    this.check(p, size, 'scalar');
    return get(p);
  }
}

/**
 * Reads subgraph 0's input and output tensors from a .tflite file.
 * @returns {{inputs: TensorDesc[], outputs: TensorDesc[]}} where TensorDesc =
 *   {index, name, dtype, shape, scale: number[], zeroPoint: number[], quantizedDimension}
 *   (scale/zeroPoint are empty for unquantized tensors).
 */
function readIoQuantization(modelBytes) {
  const bytes = modelBytes instanceof Uint8Array ? modelBytes : new Uint8Array(modelBytes);
  if (bytes.length < 8) throw new Error('not a .tflite file (too short)');
  const ident = Buffer.from(bytes.buffer, bytes.byteOffset + 4, 4).toString('latin1');
  if (ident !== 'TFL3') throw new Error(`not a .tflite file (bytes 4..7 are ${JSON.stringify(ident)}, expected "TFL3")`);
  const fb = new FlatBufferView(bytes);
  const dv = fb.dv;
  const model = fb.deref(0);
  const subgraphs = fb.vecTables(model, 2);
  if (!subgraphs.length) throw new Error('.tflite has no subgraphs');
  const sg = subgraphs[0];
  const tensors = fb.vecTables(sg, 0);
  const i32 = (p) => dv.getInt32(p, true);

  function tensorDesc(index) {
    if (index < 0 || index >= tensors.length) {
      throw new Error(`malformed .tflite: I/O tensor index ${index} of ${tensors.length}`);
    }
    const t = tensors[index];
    const typeId = fb.scalar(t, 1, 1, (p) => dv.getInt8(p), 0);
    const q = fb.table(t, 4);
    let scale = [];
    let zeroPoint = [];
    let quantizedDimension = 0;
    if (q) {
      scale = fb.vecScalars(q, 2, 4, (p) => dv.getFloat32(p, true));
      zeroPoint = fb.vecScalars(q, 3, 8, (p) => Number(dv.getBigInt64(p, true)));
      quantizedDimension = fb.scalar(q, 6, 4, i32, 0);
    }
    return {
      index,
      name: fb.string(t, 3) || '',
      dtype: TENSOR_TYPES[typeId] || `type${typeId}`,
      shape: fb.vecScalars(t, 0, 4, i32),
      scale,
      zeroPoint,
      quantizedDimension,
    };
  }

  return {
    inputs: fb.vecScalars(sg, 1, 4, i32).map(tensorDesc),
    outputs: fb.vecScalars(sg, 2, 4, i32).map(tensorDesc),
  };
}

module.exports = {loadRuntime, createRunner, runModel, readIoQuantization, vectorToArray, runtimeLogLines, TYPED_ARRAYS};
