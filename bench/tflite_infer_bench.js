#!/usr/bin/env node
'use strict';
// Benchmark (not a test): how fast the real TFLite interpreter (the tfjs-tflite WebAssembly build,
// driven by tests/e2e/lib/tflite_runtime.js) runs one .tflite on this machine, single-threaded.
//
// Usage: node bench/tflite_infer_bench.js MODEL.tflite [--range LO,HI] [--warmup N] [--runs N]
//                                         [--batches N] [--seed S] [--json]
//   --range    float inputs are uniform in [LO, HI] (default -1,1); int8/uint8 inputs are those
//              values quantized with the input's own scale and zero point
//   --warmup   untimed inferences first (default 10)
//   --runs     inferences per timed batch (default 50)
//   --batches  timed batches; the figure is the median batch (default 5)
//   --json     print one JSON object instead of the text line
// Needs tests/e2e/node_modules (tests/e2e/setup.sh installs it).
//
// One interpreter is created and Infer() is called on it again and again: unlike the harness's
// run(), which re-creates the interpreter before each run to reset variable tensors, so that model
// loading is not counted. Only Infer() is timed; each run gets the next of 8 seeded random inputs,
// copied in before the clock starts.

const fs = require('fs');
const path = require('path');
const {loadRuntime, readIoQuantization, vectorToArray} = require('../tests/e2e/lib/tflite_runtime.js');

function usage(msg) {
  if (msg) console.error(`tflite_infer_bench: ${msg}`);
  console.error('usage: node bench/tflite_infer_bench.js MODEL.tflite [--range LO,HI] [--warmup N] ' +
      '[--runs N] [--batches N] [--seed S] [--json]');
  process.exit(2);
}

function parseArgs(argv) {
  const opts = {model: null, range: [-1, 1], warmup: 10, runs: 50, batches: 5, seed: 1, json: false};
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i];
    let value = null;
    const eq = arg.indexOf('=');
    if (arg.startsWith('--') && eq > 0) {
      value = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    const next = () => {
      if (value !== null) return value;
      if (i + 1 >= argv.length) usage(`${arg} needs a value`);
      return argv[++i];
    };
    const count = (name, min) => {
      const n = Number(next());
      if (!Number.isInteger(n) || n < min) usage(`${name} must be an integer >= ${min}`);
      return n;
    };
    switch (arg) {
      case '--range': {
        const r = next().split(',').map(Number);
        if (r.length !== 2 || !r.every(Number.isFinite) || r[0] > r[1]) usage('--range must be LO,HI with LO <= HI');
        opts.range = r;
        break;
      }
      case '--warmup': opts.warmup = count('--warmup', 0); break;
      case '--runs': opts.runs = count('--runs', 1); break;
      case '--batches': opts.batches = count('--batches', 1); break;
      case '--seed': opts.seed = count('--seed', 0); break;
      case '--json': opts.json = true; break;
      case '-h': case '--help': usage(); break;
      default:
        if (arg.startsWith('-') || opts.model) usage(`unexpected argument ${argv[i]}`);
        opts.model = arg;
    }
  }
  if (!opts.model) usage('no model given');
  return opts;
}

// mulberry32: small, seeded, good enough for benchmark inputs.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6D2B79F5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const INT_RANGES = {int8: [-128, 127], uint8: [0, 255], int16: [-32768, 32767], int32: [-2147483648, 2147483647]};
const ARRAYS = {float32: Float32Array, int8: Int8Array, uint8: Uint8Array, int16: Int16Array, int32: Int32Array};

// One random sample for input `desc` ({dtype, shape, scale, zeroPoint} from readIoQuantization).
function randomInput(desc, numel, range, next) {
  const Ctor = ARRAYS[desc.dtype];
  if (!Ctor) throw new Error(`input ${desc.name} has type ${desc.dtype}; only ${Object.keys(ARRAYS).join(', ')} are supported`);
  const out = new Ctor(numel);
  const [lo, hi] = range;
  if (desc.dtype === 'float32') {
    for (let i = 0; i < numel; i++) out[i] = lo + (hi - lo) * next();
    return out;
  }
  const [qmin, qmax] = INT_RANGES[desc.dtype];
  const scale = desc.scale.length ? desc.scale[0] : 1;
  const zp = desc.zeroPoint.length ? desc.zeroPoint[0] : 0;
  for (let i = 0; i < numel; i++) {
    const q = Math.round((lo + (hi - lo) * next()) / scale) + zp;
    out[i] = Math.min(qmax, Math.max(qmin, q));
  }
  return out;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const bytes = new Uint8Array(fs.readFileSync(opts.model));
  const io = readIoQuantization(bytes);
  const runtime = await loadRuntime();
  const mod = runtime.module;

  // The interpreter keeps pointing at this buffer: free it only after the runner is deleted.
  const ptr = mod._malloc(bytes.length);
  mod.HEAPU8.set(bytes, ptr);
  const status = mod.TFLiteWebModelRunner.CreateFromBufferAndOptions(
      ptr, bytes.length, {numThreads: 1, enableProfiling: false, maxProfilingBufferEntries: 1024});
  if (!status.ok()) {
    const msg = status.errorMessage();
    status.delete();
    throw new Error(`TFLite runtime cannot load ${opts.model}: ${msg}`);
  }
  const runner = status.value();
  status.delete();

  // Tensor infos capture data pointers when fetched and the interpreter may move buffers (XNNPACK
  // on the first Infer), so fetch them afresh for every copy.
  const withInputs = (fn) => {
    const infos = vectorToArray(runner.GetInputs());
    try {
      return fn(infos);
    } finally {
      for (const info of infos) info.delete();
    }
  };
  const numels = withInputs((infos) => infos.map((info) => info.data().length));
  if (numels.length !== io.inputs.length) throw new Error(`runner has ${numels.length} inputs, the file ${io.inputs.length}`);
  const next = rng(opts.seed);
  const samples = [];
  for (let s = 0; s < 8; s++) samples.push(io.inputs.map((d, i) => randomInput(d, numels[i], opts.range, next)));

  let k = 0;
  const inferOnce = () => {
    const sample = samples[k++ % samples.length];
    withInputs((infos) => infos.forEach((info, i) => info.data().set(sample[i])));
    const t0 = process.hrtime.bigint();
    if (!runner.Infer()) throw new Error(`${opts.model}: TFLite inference failed`);
    return Number(process.hrtime.bigint() - t0) / 1e6;  // ms
  };

  for (let i = 0; i < opts.warmup; i++) inferOnce();
  const batchMs = [];  // mean ms per inference, one per batch
  for (let b = 0; b < opts.batches; b++) {
    let total = 0;
    for (let i = 0; i < opts.runs; i++) total += inferOnce();
    batchMs.push(total / opts.runs);
  }
  runner.delete();
  mod._free(ptr);

  const ms = median(batchMs);
  const result = {
    model: path.basename(opts.model),
    runtime: runtime.build,
    threads: 1,
    inputs: io.inputs.map((d) => `${d.dtype}[${d.shape.join(',')}]`),
    warmup: opts.warmup,
    runs_per_batch: opts.runs,
    batches: opts.batches,
    batch_ms: batchMs.map((x) => Number(x.toFixed(4))),
    ms_per_inference: Number(ms.toFixed(4)),
    inferences_per_s: Number((1000 / ms).toFixed(2)),
  };
  if (opts.json) {
    console.log(JSON.stringify(result));
  } else {
    console.log(`tflite_infer_bench: ${result.model} on ${result.runtime}, 1 thread: ` +
        `${result.inferences_per_s} inferences/s, ${result.ms_per_inference} ms per inference ` +
        `(median of ${opts.batches} batches of ${opts.runs}, after ${opts.warmup} warm-up)`);
  }
}

main().catch((e) => {
  console.error(`tflite_infer_bench: ${e && e.message ? e.message : e}`);
  process.exit(1);
});
