'use strict';
// Shared pieces of compare_keras.js and compare_tflite.js: seeded inputs,
// (de)quantization with the .tflite file's parameters, the tolerance check,
// option parsing and the report.

const {TYPED_ARRAYS} = require('./tflite_runtime');

/** mulberry32: tiny deterministic PRNG, returns floats in [0, 1). */
function mulberry32(seed) {
  let a = seed >>> 0;
  return function next() {
    a = (a + 0x6D2B79F5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const numel = (shape) => shape.reduce((a, b) => a * b, 1);

/** One Float32Array per shape, uniform in [lo, hi), drawn from `rand` in order. */
function randomInputs(shapes, rand, lo, hi) {
  return shapes.map((shape) => {
    const a = new Float32Array(numel(shape));
    for (let i = 0; i < a.length; i++) a[i] = lo + (hi - lo) * rand();
    return a;
  });
}

const INT_RANGES = {
  int8: [-128, 127], uint8: [0, 255], int16: [-32768, 32767], uint16: [0, 65535],
  int32: [-2147483648, 2147483647], uint32: [0, 4294967295], bool: [0, 1],
};

// Round half away from zero, like std::round in the TFLite QUANTIZE kernel.
const roundAway = (x) => Math.sign(x) * Math.round(Math.abs(x));

// Scale/zero point for element i (per-tensor, or per-channel along quantizedDimension).
function qparamFn(desc, shape) {
  const {scale, zeroPoint, quantizedDimension: qd} = desc;
  if (scale.length <= 1) {
    const s = scale[0];
    const z = zeroPoint.length ? zeroPoint[0] : 0;
    return () => [s, z];
  }
  const inner = numel(shape.slice(qd + 1));
  const dim = shape[qd];
  return (i) => {
    const c = Math.floor(i / inner) % dim;
    return [scale[c], zeroPoint.length > c ? zeroPoint[c] : 0];
  };
}

/**
 * Converts float test data into the typed array a .tflite input expects.
 * Quantized integer inputs use the file's scale / zero point; unquantized
 * integer inputs get the rounded values.
 * @param desc  tensor description from readIoQuantization
 */
function toModelInput(floatData, desc, label) {
  const dtype = desc.dtype;
  if (dtype === 'float32' || dtype === 'float64') return TYPED_ARRAYS[dtype].from(floatData);
  const Ctor = TYPED_ARRAYS[dtype];
  const range = INT_RANGES[dtype];
  if (!Ctor || !range) throw new Error(`${label}: input ${desc.name} has unsupported type ${dtype}`);
  const out = new Ctor(floatData.length);
  const quantized = desc.scale.length > 0 && desc.scale[0] > 0;
  const qp = quantized ? qparamFn(desc, desc.shape) : null;
  for (let i = 0; i < floatData.length; i++) {
    let q;
    if (quantized) {
      const [s, z] = qp(i);
      q = roundAway(floatData[i] / s) + z;
    } else {
      q = roundAway(floatData[i]);
    }
    out[i] = Math.min(range[1], Math.max(range[0], q));
  }
  return out;
}

/** Output data → Float32Array, dequantizing quantized integer outputs. */
function fromModelOutput(data, desc) {
  const quantized = desc && desc.dtype !== 'float32' && desc.scale.length > 0 && desc.scale[0] > 0;
  if (!quantized) return Float32Array.from(data, Number);
  const qp = qparamFn(desc, desc.shape);
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const [s, z] = qp(i);
    out[i] = (Number(data[i]) - z) * s;
  }
  return out;
}

/** Accumulates per-output statistics over all samples. */
class OutputStats {
  constructor(name, shape) {
    this.name = name;
    this.shape = shape;
    this.maxAbsDiff = 0;
    this.maxAbsRef = 0;
    this.sumAbsDiff = 0;
    this.count = 0;
    this.nonFinite = 0;
    this.argmaxSame = 0;
    this.samples = 0;
  }
  add(ours, ref) {
    if (ours.length !== ref.length) {
      throw new Error(`output ${this.name}: ${ours.length} values vs ${ref.length} in the reference`);
    }
    let am = 0;
    let ar = 0;
    for (let i = 0; i < ref.length; i++) {
      const d = Math.abs(ours[i] - ref[i]);
      if (!Number.isFinite(d)) {
        // NaN/Inf anywhere fails the check (NaN would slip through comparisons).
        if (!(Number.isNaN(ours[i]) && Number.isNaN(ref[i]))) this.nonFinite++;
        continue;
      }
      this.maxAbsDiff = Math.max(this.maxAbsDiff, d);
      this.maxAbsRef = Math.max(this.maxAbsRef, Math.abs(ref[i]));
      this.sumAbsDiff += d;
      this.count++;
      if (ours[i] > ours[am]) am = i;
      if (ref[i] > ref[ar]) ar = i;
    }
    if (am === ar) this.argmaxSame++;
    this.samples++;
  }
  result(tolerance) {
    const bound = tolerance * Math.max(1, this.maxAbsRef);
    const pass = this.nonFinite === 0 && this.maxAbsDiff <= bound;
    const n = this.shape.length ? this.shape[this.shape.length - 1] : 1;
    return {
      name: this.name,
      shape: this.shape,
      max_abs_diff: this.maxAbsDiff,
      mean_abs_diff: this.count ? this.sumAbsDiff / this.count : 0,
      max_abs_ref: this.maxAbsRef,
      bound,
      non_finite: this.nonFinite,
      // Only meaningful for classifier-like outputs (last dim > 1).
      argmax_agreement: n > 1 ? this.argmaxSame / this.samples : null,
      pass,
    };
  }
}

function usageError(msg) {
  const e = new Error(msg);
  e.usage = true;
  return e;
}

/**
 * Parses `<a> <b> [--samples N] [--seed S] [--range lo,hi] [--tolerance T] [--runtime litert|tfjs-tflite] [--json]`.
 */
function parseArgs(argv, defaults) {
  const opts = {samples: 8, seed: 1, range: [-1, 1], tolerance: defaults.tolerance, json: false, runtime: null,
    positional: []};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const eq = a.indexOf('=');
    const flag = a.startsWith('--') && eq > 0 ? a.slice(0, eq) : a;
    const takeValue = () => {
      if (a.startsWith('--') && eq > 0) return a.slice(eq + 1);
      if (i + 1 >= argv.length) throw usageError(`${flag} needs a value`);
      return argv[++i];
    };
    switch (flag) {
      case '--samples': {
        opts.samples = Number(takeValue());
        if (!Number.isInteger(opts.samples) || opts.samples < 1) throw usageError('--samples must be a positive integer');
        break;
      }
      case '--seed': {
        opts.seed = Number(takeValue());
        if (!Number.isInteger(opts.seed)) throw usageError('--seed must be an integer');
        break;
      }
      case '--range': {
        const r = takeValue().split(',').map(Number);
        if (r.length !== 2 || !r.every(Number.isFinite) || r[0] > r[1]) throw usageError('--range must be lo,hi with lo <= hi');
        opts.range = r;
        break;
      }
      case '--tolerance': {
        opts.tolerance = Number(takeValue());
        if (!(opts.tolerance >= 0)) throw usageError('--tolerance must be a non-negative number');
        break;
      }
      case '--runtime': {
        // litert (default) or tfjs-tflite; validated by lib/runtime.js (default: TFLC_E2E_RUNTIME).
        opts.runtime = takeValue();
        if (!['litert', 'tfjs-tflite'].includes(opts.runtime)) throw usageError('--runtime must be litert or tfjs-tflite');
        break;
      }
      case '--json': opts.json = true; break;
      case '-h': case '--help': opts.help = true; break;
      default:
        if (a.startsWith('--')) throw usageError(`unknown option ${a}`);
        opts.positional.push(a);
    }
  }
  return opts;
}

const fmt = (x) => (x === 0 ? '0' : Math.abs(x) >= 1e-3 && Math.abs(x) < 1e4 ? x.toPrecision(4) : x.toExponential(3));

/** Prints the human-readable summary (and the JSON line with --json). */
function report(summary, opts) {
  const lines = [];
  lines.push(`${summary.tool}: ${summary.candidate}`);
  lines.push(`  reference: ${summary.reference}`);
  lines.push(`  samples ${summary.samples}, seed ${summary.seed}, range [${summary.range.join(', ')}], ` +
      `tolerance ${summary.tolerance} (relative to max(1, max|ref|))`);
  for (const note of summary.notes || []) lines.push(`  note: ${note}`);
  summary.outputs.forEach((o, i) => {
    const extra = [`mean abs ${fmt(o.mean_abs_diff)}`, `max|ref| ${fmt(o.max_abs_ref)}`];
    if (o.argmax_agreement !== null) extra.push(`argmax agree ${(100 * o.argmax_agreement).toFixed(0)}%`);
    if (o.non_finite) extra.push(`${o.non_finite} non-finite!`);
    lines.push(`  output ${i} ${o.name} [${o.shape.join(',')}]: max abs diff ${fmt(o.max_abs_diff)} ` +
        `<= bound ${fmt(o.bound)}? ${o.pass ? 'PASS' : 'FAIL'}  (${extra.join(', ')})`);
  });
  lines.push(summary.pass ? 'PASS' : 'FAIL');
  console.log(lines.join('\n'));
  if (opts.json) console.log(JSON.stringify(summary));
}

module.exports = {
  mulberry32, randomInputs, numel, toModelInput, fromModelOutput, OutputStats, parseArgs, report, usageError,
};
