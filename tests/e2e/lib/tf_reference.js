'use strict';
// Independent reference outputs for TensorFlow graphs: a frozen GraphDef (.pb)
// or a SavedModel directory runs in @tensorflow/tfjs-converter (CPU backend).
//
// GraphDef: decoded with protobufjs and proto/tf_subset.proto (hand-written
// subset of TF's protos, same field numbers), pruned to the nodes the wanted
// outputs need (control inputs dropped), every Const value moved into
// weightSpecs/weightData, then handed to tf.loadGraphModel(tf.io.fromMemory()).
//
// SavedModel: MetaGraphDef with tag "serve", the signature's TensorInfo names,
// StatefulPartitionedCall/PartitionedCall bodies inlined recursively (function
// naming node:out_arg:i → flat index via meta_info_def.stripped_op_list),
// variables read from the TensorBundle checkpoint (lib/tf_checkpoint.js) and
// frozen: VariableV2 → Const, VarHandleOp → Const + ReadVariableOp → Identity.
//
// TF2 control flow: While/StatelessWhile/If/StatelessIf keep their functions, which
// go to modelTopology.library made runnable by tfjs-converter (buildLibrary: Consts
// moved to the weight map, flat output indices, Identity results); the model then
// runs in executeAsync with Tensor.dispose held off (runHoldingDisposal), and
// TensorListPopBack / TensorListElementShape run as custom ops. Float64 runs as
// float32, int64 as int32. Input shapes come from the caller (unknown dims allowed).
//
// API:
//   await loadTfReference(path, {signature, inputs: [names], outputs: [names], feeds})
//     → {kind, inputs: [{name, key, dtype, shape}], outputs: [{name, key}], run(feedMap), dispose(),
//        controlFlow (bool), functions: [library function names handed over], ops, nodeCount}
//        run({name: {data, shape}}) → [{name, shape, data: Float32Array}]
//   await graphDefReference(pbPath, {inputs: {name: {data, shape}}, outputs: [names]})
//   await savedModelReference(dir, {signature, inputs, outputs})
// An input value may be {data, shape} or a typed array carrying a .shape property.

const fs = require('fs');
const path = require('path');
const protobuf = require('protobufjs');
const tf = require('@tensorflow/tfjs-core');
require('@tensorflow/tfjs-backend-cpu');
const tfconv = require('@tensorflow/tfjs-converter');
const {readBundle} = require('./tf_checkpoint');

let protoRoot = null;
function protos() {
  if (!protoRoot) protoRoot = protobuf.loadSync(path.join(__dirname, '..', 'proto', 'tf_subset.proto'));
  return protoRoot;
}
const T = (name) => protos().lookupType(`tensorflow.${name}`);

const num = (v) => (typeof v === 'number' ? v : v && typeof v.toNumber === 'function' ? v.toNumber() : Number(v));

// DataType numbers (types.proto).
const DT = {
  FLOAT: 1, DOUBLE: 2, INT32: 3, UINT8: 4, INT16: 5, INT8: 6, STRING: 7, INT64: 9, BOOL: 10,
  BFLOAT16: 14, UINT16: 17, HALF: 19, RESOURCE: 20, UINT32: 22, UINT64: 23,
};
const DT_NAMES = Object.fromEntries(Object.entries(DT).map(([k, v]) => [v, k.toLowerCase()]));
const dtName = (d) => DT_NAMES[d] || `dtype${d}`;
// tfjs dtype for a TF dtype (tfjs has float32/int32/bool/string only).
function tfjsDtype(d) {
  if (d > 100) d -= 100;
  switch (d) {
    case DT.FLOAT: case DT.DOUBLE: case DT.HALF: case DT.BFLOAT16: return 'float32';
    case DT.INT32: case DT.UINT8: case DT.INT16: case DT.INT8: case DT.INT64: case DT.UINT16:
    case DT.UINT32: case DT.UINT64: return 'int32';
    case DT.BOOL: return 'bool';
    case DT.STRING: return 'string';
    default: throw new Error(`TF dtype ${dtName(d)} is not supported by the tfjs reference`);
  }
}

function halfToFloat(h) {
  const s = (h & 0x8000) ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}
function bf16ToFloat(h) {
  const b = new DataView(new ArrayBuffer(4));
  b.setUint32(0, (h & 0xffff) << 16, true);
  return b.getFloat32(0, true);
}

function shapeOf(shapeProto) {
  if (!shapeProto || shapeProto.unknownRank) return shapeProto && shapeProto.unknownRank ? null : [];
  return (shapeProto.dim || []).map((d) => num(d.size));
}
const numel = (shape) => shape.reduce((a, b) => a * b, 1);

/**
 * Values of a raw little-endian buffer of TF dtype `dtype` as a tfjs-compatible array
 * (Float32Array / Int32Array / Uint8Array for bool / array of Uint8Array for strings).
 */
function rawToArray(bytes, dtype, count, label) {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const need = (size) => {
    if (bytes.length !== count * size) {
      throw new Error(`${label}: ${bytes.length} content bytes for ${count} ${dtName(dtype)} values`);
    }
  };
  const out = (Ctor, size, get) => {
    need(size);
    const a = new Ctor(count);
    for (let i = 0; i < count; i++) a[i] = get(i * size);
    return a;
  };
  switch (dtype) {
    case DT.FLOAT: return out(Float32Array, 4, (p) => dv.getFloat32(p, true));
    case DT.DOUBLE: return out(Float32Array, 8, (p) => dv.getFloat64(p, true));
    case DT.HALF: return out(Float32Array, 2, (p) => halfToFloat(dv.getUint16(p, true)));
    case DT.BFLOAT16: return out(Float32Array, 2, (p) => bf16ToFloat(dv.getUint16(p, true)));
    case DT.INT32: return out(Int32Array, 4, (p) => dv.getInt32(p, true));
    case DT.UINT32: return out(Int32Array, 4, (p) => dv.getUint32(p, true));
    case DT.INT16: return out(Int32Array, 2, (p) => dv.getInt16(p, true));
    case DT.UINT16: return out(Int32Array, 2, (p) => dv.getUint16(p, true));
    case DT.INT8: return out(Int32Array, 1, (p) => dv.getInt8(p));
    case DT.UINT8: return out(Int32Array, 1, (p) => dv.getUint8(p));
    case DT.INT64: return out(Int32Array, 8, (p) => Number(dv.getBigInt64(p, true)));
    case DT.UINT64: return out(Int32Array, 8, (p) => Number(dv.getBigUint64(p, true)));
    case DT.BOOL: return out(Uint8Array, 1, (p) => (dv.getUint8(p) ? 1 : 0));
    default: throw new Error(`${label}: tensor of dtype ${dtName(dtype)} is not supported`);
  }
}

/** TensorProto → {dtype (TF number), shape, values}. Typed fields repeat their last value. */
function tensorProtoValues(tp, label) {
  const dtype = tp.dtype;
  const shape = shapeOf(tp.tensorShape) || [];
  const count = numel(shape);
  if (tp.tensorContent && tp.tensorContent.length) {
    if (dtype === DT.STRING) throw new Error(`${label}: string tensor_content is not supported`);
    return {dtype, shape, values: rawToArray(tp.tensorContent, dtype, count, label)};
  }
  let src;
  let Ctor = Int32Array;
  let conv = num;
  switch (dtype) {
    case DT.FLOAT: src = tp.floatVal; Ctor = Float32Array; break;
    case DT.DOUBLE: src = tp.doubleVal; Ctor = Float32Array; break;
    case DT.HALF: src = tp.halfVal; Ctor = Float32Array; conv = halfToFloat; break;
    case DT.BFLOAT16: src = tp.halfVal; Ctor = Float32Array; conv = bf16ToFloat; break;
    case DT.INT32: case DT.INT16: case DT.INT8: case DT.UINT8: case DT.UINT16: src = tp.intVal; break;
    case DT.INT64: src = tp.int64Val; break;
    case DT.UINT32: src = tp.uint32Val; break;
    case DT.UINT64: src = tp.uint64Val; break;
    case DT.BOOL: src = tp.boolVal; Ctor = Uint8Array; conv = (b) => (b ? 1 : 0); break;
    case DT.STRING: {
      const s = tp.stringVal || [];
      const values = [];
      for (let i = 0; i < count; i++) values.push(s.length ? s[Math.min(i, s.length - 1)] : new Uint8Array(0));
      return {dtype, shape, values};
    }
    default: throw new Error(`${label}: tensor of dtype ${dtName(dtype)} is not supported`);
  }
  src = src || [];
  if (src.length > count) throw new Error(`${label}: ${src.length} values for shape [${shape}]`);
  const values = new Ctor(count);
  if (src.length) {
    for (let i = 0; i < count; i++) values[i] = conv(src[Math.min(i, src.length - 1)]);
  }
  return {dtype, shape, values};
}

// --------------------------------------------------------------------------
// Tensor names

/** "a" / "a:0" / "^a" → {node, index, control}. */
function parseInput(s) {
  if (s.startsWith('^')) return {node: s.slice(1), index: 0, control: true};
  const m = /^(.*):(\d+)$/.exec(s);
  return m ? {node: m[1], index: Number(m[2]), control: false} : {node: s, index: 0, control: false};
}
const tensorKey = (s) => {
  const p = parseInput(s);
  return `${p.node}:${p.index}`;
};
const fmtTensor = (node, index) => (index === 0 ? node : `${node}:${index}`);

// --------------------------------------------------------------------------
// Function inlining

const CALL_OPS = new Set(['StatefulPartitionedCall', 'PartitionedCall']);
// Control-flow ops whose functions stay in the library (tfjs-converter runs them): op → func attrs.
const CONTROL_FLOW_FUNC_ATTRS = {
  While: ['cond', 'body'], StatelessWhile: ['cond', 'body'],
  If: ['then_branch', 'else_branch'], StatelessIf: ['then_branch', 'else_branch'],
};

// Output args of common ops with more than one output arg, or with a list output arg
// (OpDefs in TF:tensorflow/core/ops/*.cc). A SavedModel's stripped_op_list is not
// enough: it omits ops that only occur inside loop bodies (Less, TensorListGetItem,
// TensorListSetItem in the stock Keras LSTM SavedModel). Entry: arg name, or
// [name, 'n', numberAttr] / [name, 't', typeListAttr] for list args.
const BN_OUT = ['y', 'batch_mean', 'batch_variance', 'reserve_space_1', 'reserve_space_2'];
const OUTPUT_ARGS = {
  FusedBatchNorm: BN_OUT, FusedBatchNormV2: BN_OUT, FusedBatchNormV3: [...BN_OUT, 'reserve_space_3'],
  TopK: ['values', 'indices'], TopKV2: ['values', 'indices'],
  Unique: ['y', 'idx'], UniqueV2: ['y', 'idx'], UniqueWithCounts: ['y', 'idx', 'count'],
  UniqueWithCountsV2: ['y', 'idx', 'count'], ListDiff: ['out', 'idx'],
  Split: [['output', 'n', 'num_split']], SplitV: [['output', 'n', 'num_split']],
  Unpack: [['output', 'n', 'num']], ShapeN: [['output', 'n', 'N']], IdentityN: [['output', 't', 'T']],
  DynamicPartition: [['outputs', 'n', 'num_partitions']],
  While: [['output', 't', 'T']], StatelessWhile: [['output', 't', 'T']],
  If: [['output', 't', 'Tout']], StatelessIf: [['output', 't', 'Tout']],
  Case: [['output', 't', 'Tout']], StatelessCase: [['output', 't', 'Tout']],
  PartitionedCall: [['output', 't', 'Tout']], StatefulPartitionedCall: [['output', 't', 'Tout']],
  Switch: ['output_false', 'output_true'], Merge: ['output', 'value_index'],
  TensorListPopBack: ['output_handle', 'tensor'],
  TensorListConcat: ['tensor', 'lengths'], TensorListConcatV2: ['tensor', 'lengths'],
  TensorArrayV3: ['handle', 'flow'], TensorArrayGradV3: ['grad_handle', 'flow_out'],
  TensorArrayConcatV3: ['value', 'lengths'],
  MaxPoolWithArgmax: ['output', 'argmax'],
  NonMaxSuppressionV4: ['selected_indices', 'valid_outputs'],
  NonMaxSuppressionV5: ['selected_indices', 'selected_scores', 'valid_outputs'],
  BroadcastGradientArgs: ['r0', 'r1'],
  Svd: ['s', 'u', 'v'], Qr: ['q', 'r'], SelfAdjointEigV2: ['e', 'v'], Lu: ['lu', 'p'],
  QuantizeV2: ['output', 'output_min', 'output_max'],
  CudnnRNN: ['output', 'output_h', 'output_c', 'reserve_space'],
  CudnnRNNV2: ['output', 'output_h', 'output_c', 'reserve_space', 'host_reserved'],
  CudnnRNNV3: ['output', 'output_h', 'output_c', 'reserve_space', 'host_reserved'],
  LSTMBlockCell: ['i', 'cs', 'f', 'o', 'ci', 'co', 'h'], BlockLSTM: ['i', 'cs', 'f', 'o', 'ci', 'co', 'h'],
  BlockLSTMV2: ['i', 'cs', 'f', 'o', 'ci', 'co', 'h'], GRUBlockCell: ['r', 'u', 'c', 'h'],
  StringSplit: ['indices', 'values', 'shape'], StringSplitV2: ['indices', 'values', 'shape'],
  SparseReshape: ['output_indices', 'output_shape'],
  RaggedRange: ['rt_nested_splits', 'rt_dense_values'],
  CTCGreedyDecoder: ['decoded_indices', 'decoded_values', 'decoded_shape', 'log_probability'],
};

function attrInt(node, name, opDef) {
  const a = node.attr && node.attr[name];
  if (a && a.i != null) return num(a.i);
  const d = opDef && (opDef.attr || []).find((x) => x.name === name);
  if (d && d.defaultValue && d.defaultValue.i != null) return num(d.defaultValue.i);
  return null;
}

function argSize(arg, node, opDef) {
  if (arg.numberAttr) {
    const n = attrInt(node, arg.numberAttr, opDef);
    if (n == null) throw new Error(`node ${node.name} (${node.op}): attr ${arg.numberAttr} missing`);
    return n;
  }
  if (arg.typeListAttr) {
    const a = node.attr && node.attr[arg.typeListAttr];
    return a && a.list && a.list.type ? a.list.type.length : 0;
  }
  return 1;
}

/**
 * Maps "node:out_arg:i" (FunctionDef naming) to flat output indices. Sources, in order:
 * a library function called by op name (one tensor per output arg), the OpDef table
 * above, the model's stripped_op_list, else the op is taken to have one output arg
 * (true of most ops): then every reference to the node must use the same arg name.
 */
class OutputArgs {
  constructor(fns, opDefs) {
    this.fns = fns;
    this.opDefs = opDefs || new Map();
    this.seen = new Map();  // fn/node → out arg name, for ops of unknown layout
  }

  flatIndex(bodyNode, outArg, i, fnName) {
    if (!bodyNode) throw new Error(`function ${fnName}: reference to unknown node`);
    const f = this.fns.get(bodyNode.op);
    let args = null;
    if (f) {
      args = (f.signature.outputArg || []).map((a) => ({name: a.name, size: 1}));
    } else if (OUTPUT_ARGS[bodyNode.op]) {
      args = OUTPUT_ARGS[bodyNode.op].map((a) => {
        if (typeof a === 'string') return {name: a, size: 1};
        const [name, kind, attr] = a;
        return {name, size: argSize(kind === 'n' ? {numberAttr: attr} : {typeListAttr: attr}, bodyNode, null)};
      });
    } else if (this.opDefs.has(bodyNode.op)) {
      const opDef = this.opDefs.get(bodyNode.op);
      args = (opDef.outputArg || []).map((a) => ({name: a.name, size: argSize(a, bodyNode, opDef)}));
    }
    if (!args) {
      const key = `${fnName}\u0000${bodyNode.name}`;
      const prev = this.seen.get(key);
      if (prev != null && prev !== outArg) {
        throw new Error(`function ${fnName}: node ${bodyNode.name} (op ${bodyNode.op}) is read through output args ` +
            `${prev} and ${outArg}, and its OpDef is unknown (not in the model's op list nor in the ` +
            'OUTPUT_ARGS table of tests/e2e/lib/tf_reference.js): add the op there');
      }
      this.seen.set(key, outArg);
      return i;
    }
    let base = 0;
    for (const arg of args) {
      if (arg.name === outArg) return base + i;
      base += arg.size;
    }
    throw new Error(`function ${fnName}: op ${bodyNode.op} (node ${bodyNode.name}) has no output arg ${outArg}`);
  }
}

/**
 * Reference mapper of one FunctionDef body: argument names → argMap values, "node" /
 * "node:out_arg:i" → prefix + node (flat index form), control inputs → null.
 */
function functionRefMapper(fn, argMap, prefix, outputArgs) {
  const fname = fn.signature.name;
  const byName = new Map((fn.nodeDef || []).map((n) => [n.name, n]));
  return (s) => {
    if (s.startsWith('^')) return null;
    const parts = s.split(':');
    if (parts.length === 1) {
      if (argMap.has(s)) return argMap.get(s);
      if (byName.has(s)) return prefix + s;
      throw new Error(`function ${fname}: unknown input ${s}`);
    }
    if (parts.length === 2) {
      if (argMap.has(parts[0])) {  // "arg:0" (rare)
        if (parts[1] !== '0') throw new Error(`function ${fname}: bad input ${s}`);
        return argMap.get(parts[0]);
      }
      if (byName.has(parts[0])) return fmtTensor(prefix + parts[0], Number(parts[1]));  // flat form
      throw new Error(`function ${fname}: unknown input ${s}`);
    }
    const i = Number(parts.pop());
    const outArg = parts.pop();
    const nodeName = parts.join(':');
    if (!byName.has(nodeName)) throw new Error(`function ${fname}: input ${s} names no node of the function`);
    return fmtTensor(prefix + nodeName, outputArgs.flatIndex(byName.get(nodeName), outArg, i, fname));
  };
}

/**
 * Inlines every StatefulPartitionedCall / PartitionedCall / direct function call
 * of `nodes`, recursively. Returns {nodes, alias} where alias maps "call:k"
 * tensor keys to the inlined tensors (resolve with resolveAlias). While/If nodes
 * are kept: their functions go to the library (buildLibrary).
 */
function inlineFunctions(graphNodes, library, opDefs) {
  const fns = new Map(((library && library.function) || []).map((f) => [f.signature.name, f]));
  const outputArgs = new OutputArgs(fns, opDefs);
  const out = [];
  const alias = new Map();

  const calledFunction = (node) => {
    if (CALL_OPS.has(node.op)) {
      const f = node.attr && node.attr.f && node.attr.f.func && node.attr.f.func.name;
      if (!f || !fns.has(f)) throw new Error(`node ${node.name} (${node.op}) calls unknown function ${f}`);
      return fns.get(f);
    }
    return fns.get(node.op) || null;
  };

  function inline(fn, call, depth) {
    if (depth > 64) throw new Error(`function call nesting too deep at ${call.name}`);
    const sig = fn.signature;
    const fname = sig.name;
    const prefix = `${call.name}/`;
    const dataInputs = (call.input || []).filter((s) => !s.startsWith('^'));
    const inArgs = sig.inputArg || [];
    if (inArgs.length !== dataInputs.length) {
      throw new Error(`call ${call.name}: function ${fname} takes ${inArgs.length} inputs, the call passes ${dataInputs.length}`);
    }
    const argMap = new Map(inArgs.map((a, j) => [a.name, dataInputs[j]]));
    const mapRef = functionRefMapper(fn, argMap, prefix, outputArgs);
    const body = (fn.nodeDef || []).map((n) => ({
      name: prefix + n.name,
      op: n.op,
      input: (n.input || []).map(mapRef).filter((x) => x !== null),
      attr: n.attr || {},
    }));
    expand(body, depth + 1);
    (sig.outputArg || []).forEach((arg, k) => {
      const r = fn.ret && fn.ret[arg.name];
      if (r == null) throw new Error(`function ${fname}: no ret for output ${arg.name}`);
      alias.set(`${call.name}:${k}`, tensorKey(mapRef(r)));
    });
  }

  function expand(nodes, depth) {
    for (const n of nodes) {
      const fn = calledFunction(n);
      if (fn) inline(fn, n, depth);
      else out.push(n);
    }
  }
  expand(graphNodes, 0);
  return {nodes: out, alias};
}

function resolveAlias(alias, s) {
  let key = tensorKey(s);
  for (let guard = 0; alias.has(key); guard++) {
    if (guard > 1000) throw new Error(`alias cycle at ${s}`);
    key = alias.get(key);
  }
  return key;
}

// --------------------------------------------------------------------------
// Library functions of While / StatelessWhile / If / StatelessIf
//
// tfjs-converter 4.22 runs these ops from graph.library, with three traps:
//  - it looks function-body Const nodes up in the one global weight map: every
//    body node gets the prefix "__tflc_fn/<function>/" and body Consts become
//    weights under that name;
//  - it reads "node:out_arg:i" as the flat index i: references are rewritten to
//    flat indices first (OutputArgs);
//  - each ret value must come from its own node (it keeps one output index per
//    node): every ret goes through an Identity "__ret<k>".
// Calls (StatefulPartitionedCall, ...) inside these functions are inlined like in
// the main graph; ReadVariableOp becomes Identity (variables reach loops as
// captured inputs, frozen to Consts outside).

const FN_PREFIX = '__tflc_fn/';

function freezeReads(n) {
  if (n.op !== 'ReadVariableOp') return n;
  return {name: n.name, op: 'Identity', input: n.input,
    attr: {T: {type: n.attr && n.attr.dtype ? n.attr.dtype.type : DT.FLOAT}}};
}

/** One library function made runnable by tfjs-converter: {signature, nodes, ret}. */
function libraryFunction(fn, library, opDefs) {
  const sig = fn.signature;
  const fname = sig.name;
  const prefix = `${FN_PREFIX}${fname}/`;
  const fns = new Map(((library && library.function) || []).map((f) => [f.signature.name, f]));
  const inArgs = sig.inputArg || [];
  const outArgs = sig.outputArg || [];
  const argMap = new Map(inArgs.map((a) => [a.name, prefix + a.name]));
  const mapRef = functionRefMapper(fn, argMap, prefix, new OutputArgs(fns, opDefs));
  const body = (fn.nodeDef || []).map((n) => ({
    name: prefix + n.name,
    op: n.op,
    input: (n.input || []).map(mapRef).filter((x) => x !== null),
    attr: n.attr || {},
  }));
  const {nodes, alias} = inlineFunctions(body, library, opDefs);
  const resolved = (s) => resolveAlias(alias, s);
  const rets = outArgs.map((arg, k) => {
    const r = fn.ret && fn.ret[arg.name];
    if (r == null) throw new Error(`function ${fname}: no ret for output ${arg.name}`);
    return {name: `${prefix}__ret${k}`, op: 'Identity', input: [resolved(mapRef(r))], attr: {T: {type: arg.type}}};
  });
  const all = [...nodes.map((n) => ({...n, input: (n.input || []).map(resolved)})), ...rets];
  const args = new Set(argMap.values());
  const kept = prune(all, rets.map((r) => r.name), new Set(), args).map(freezeReads);
  for (const n of kept) {
    if (['VarHandleOp', 'VariableV2', 'Variable'].includes(n.op)) {
      throw new Error(`function ${fname}: variable ${n.name.slice(prefix.length)} is created inside a ` +
          'loop/branch function; the reference only freezes variables of the main graph');
    }
  }
  return {
    signature: {
      name: fname,
      inputArg: inArgs.map((a) => ({name: prefix + a.name, type: a.type})),
      outputArg: outArgs.map((a) => ({name: a.name, type: a.type})),
    },
    nodes: kept,
    ret: Object.fromEntries(outArgs.map((a, k) => [a.name, rets[k].name])),
  };
}

/** Functions that the While/If nodes of `nodes` need, transitively. */
function buildLibrary(nodes, library, opDefs) {
  const fns = new Map(((library && library.function) || []).map((f) => [f.signature.name, f]));
  const done = new Map();
  const queue = [];
  const visit = (n) => {
    for (const a of CONTROL_FLOW_FUNC_ATTRS[n.op] || []) {
      const f = n.attr && n.attr[a] && n.attr[a].func && n.attr[a].func.name;
      if (!f) throw new Error(`node ${n.name} (${n.op}) has no function attr ${a}`);
      if (!fns.has(f)) throw new Error(`node ${n.name} (${n.op}): ${a} names function ${f}, which is not in the library`);
      if (!done.has(f)) {
        done.set(f, null);
        queue.push(f);
      }
    }
  };
  nodes.forEach(visit);
  while (queue.length) {
    const f = queue.shift();
    const lf = libraryFunction(fns.get(f), library, opDefs);
    done.set(f, lf);
    lf.nodes.forEach(visit);
  }
  return [...done.values()];
}

// --------------------------------------------------------------------------
// Pruning and conversion to the tfjs GraphModel artifacts

/**
 * Keeps only the nodes that `outputs` need, stopping at the fed nodes; drops
 * control inputs. Returns nodes in their original order.
 */
function prune(nodes, outputs, fedNodes, external = new Set()) {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const keep = new Set();
  const stack = outputs.map((o) => parseInput(o).node);
  while (stack.length) {
    const name = stack.pop();
    if (keep.has(name)) continue;
    const n = byName.get(name);
    if (!n && external.has(name)) continue;  // a function argument
    if (!n) throw new Error(`graph has no node ${name}`);
    keep.add(name);
    if (fedNodes.has(name)) continue;
    for (const s of n.input || []) {
      const p = parseInput(s);
      if (!p.control) stack.push(p.node);
    }
  }
  return nodes.filter((n) => keep.has(n.name)).map((n) => ({
    ...n,
    input: fedNodes.has(n.name) ? [] : (n.input || []).filter((s) => !s.startsWith('^')),
  }));
}

/**
 * Builds {modelTopology, weightSpecs, weightData} from pruned nodes and library
 * functions (buildLibrary); Const values, the functions' ones too, become weights.
 */
function buildArtifacts(nodes, producer, functions = []) {
  const AttrValue = T('AttrValue');
  const toJson = (a) => AttrValue.toObject(
      a instanceof AttrValue.ctor ? a : AttrValue.fromObject(a), {enums: String, longs: String, bytes: String});
  const weightSpecs = [];
  const chunks = [];
  const toJsonNode = (n) => {
    const attr = {};
    for (const [k, v] of Object.entries(n.attr || {})) {
      if (n.op === 'Const' && k === 'value') continue;
      if (k.startsWith('_')) continue;  // _class, _output_shapes, ...
      attr[k] = toJson(v);
    }
    if (n.op === 'Const') {
      let t = n.constValue;
      if (!t) {
        const v = n.attr && n.attr.value && n.attr.value.tensor;
        if (!v) throw new Error(`Const node ${n.name} has no value`);
        t = tensorProtoValues(v, `Const ${n.name}`);
      }
      const dtype = tfjsDtype(t.dtype);
      let bytes;
      if (dtype === 'string') {
        const parts = [];
        for (const s of t.values) {
          const len = Buffer.alloc(4);
          len.writeUInt32LE(s.length, 0);
          parts.push(len, Buffer.from(s));
        }
        bytes = Buffer.concat(parts);
      } else {
        bytes = Buffer.from(t.values.buffer, t.values.byteOffset, t.values.byteLength);
      }
      weightSpecs.push({name: n.name, shape: t.shape, dtype});
      chunks.push(Buffer.from(bytes));
    }
    return {name: n.name, op: n.op, input: n.input || [], attr};
  };
  const jsonNodes = nodes.map(toJsonNode);
  const jsonFunctions = functions.map((f) => ({
    signature: f.signature, nodeDef: f.nodes.map(toJsonNode), ret: f.ret,
  }));
  const all = Buffer.concat(chunks);
  const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength);
  const modelTopology = {node: jsonNodes, versions: {producer: producer || 0}};
  if (jsonFunctions.length) modelTopology.library = {function: jsonFunctions};
  return {
    modelTopology,
    weightSpecs,
    weightData,
    format: 'graph-model',
    generatedBy: 'tflc tests/e2e/lib/tf_reference.js',
  };
}

// --------------------------------------------------------------------------
// Loading

function readBytes(p, what) {
  try {
    return fs.readFileSync(p);
  } catch (e) {
    throw new Error(`${p}: cannot read ${what} (${e.code || e.message})`);
  }
}

function decode(typeName, bytes, label) {
  try {
    return T(typeName).decode(bytes);
  } catch (e) {
    throw new Error(`${label}: not a valid ${typeName} (${e.message})`);
  }
}

function placeholderSpec(node, key) {
  const dt = node.attr && node.attr.dtype ? node.attr.dtype.type : DT.FLOAT;
  const sh = node.attr && node.attr.shape ? shapeOf(node.attr.shape.shape) : null;
  return {name: node.name, key: key || node.name, dtype: dtName(dt), tfDtype: dt, shape: sh};
}

/**
 * Frozen GraphDef: inputs default to all Placeholders, outputs to the sink nodes
 * (nodes no other node reads), both overridable by name.
 */
function prepareGraphDef(pbPath, opts) {
  const gd = decode('GraphDef', readBytes(pbPath, 'GraphDef'), pbPath);
  if (!gd.node || !gd.node.length) throw new Error(`${pbPath}: GraphDef has no nodes`);
  const {nodes, alias} = inlineFunctions(gd.node, gd.library, new Map());
  const byName = new Map(nodes.map((n) => [n.name, n]));
  let inputNames = opts.inputs;
  if (!inputNames || !inputNames.length) inputNames = nodes.filter((n) => n.op === 'Placeholder').map((n) => n.name);
  let outputNames = opts.outputs;
  if (!outputNames || !outputNames.length) {
    // _Retval nodes (graphs exported from functions, e.g. LiteRT's test .pbtxt) mark
    // the outputs in their "index" order; otherwise the sink nodes are the outputs.
    const retvals = nodes.filter((n) => n.op === '_Retval');
    if (retvals.length) {
      outputNames = retvals.map((n) => [attrInt(n, 'index') || 0, (n.input || []).find((s) => !s.startsWith('^'))])
          .sort((a, b) => a[0] - b[0]).map(([, s]) => s);
    } else {
      const used = new Set();
      for (const n of nodes) for (const s of n.input || []) used.add(parseInput(s).node);
      outputNames = nodes.filter((n) => !used.has(n.name) && !['Placeholder', 'Const', 'NoOp', 'Assert'].includes(n.op))
          .map((n) => n.name);
    }
    if (!outputNames.length) throw new Error(`${pbPath}: no sink nodes found; name the outputs`);
  }
  const inputs = inputNames.map((nm) => {
    const n = byName.get(parseInput(nm).node);
    if (!n) throw new Error(`${pbPath}: no input node ${nm}`);
    return placeholderSpec(n, nm);
  });
  return {kind: 'graphdef', nodes, alias, library: gd.library, opDefs: new Map(),
    producer: gd.versions ? gd.versions.producer : 0, inputs,
    outputs: outputNames.map((nm) => ({name: nm, key: nm}))};
}

function opDefMap(meta) {
  const ops = (meta.metaInfoDef && meta.metaInfoDef.strippedOpList && meta.metaInfoDef.strippedOpList.op) || [];
  return new Map(ops.map((o) => [o.name, o]));
}

/**
 * VarHandleOp node name → checkpoint key, by following the restore function
 * (saver_def.restore_op_name): RestoreV2 tensor_names[k] → Identity → AssignVariableOp(arg j)
 * → input j of the restore call. VariableV2 nodes use their own name.
 */
function variableKeys(meta, gd, label) {
  const keys = new Map();
  const nodes = gd.node || [];
  const byName = new Map(nodes.map((n) => [n.name, n]));
  for (const n of nodes) if (n.op === 'VariableV2' || n.op === 'Variable') keys.set(n.name, n.name);
  const handles = nodes.filter((n) => n.op === 'VarHandleOp');
  if (!handles.length) return keys;
  const restoreName = meta.saverDef && meta.saverDef.restoreOpName;
  const restore = restoreName && byName.get(parseInput(restoreName).node);
  if (!restore || !CALL_OPS.has(restore.op)) {
    throw new Error(`${label}: cannot find the restore function call (saver_def.restore_op_name=${restoreName})`);
  }
  const fns = new Map(((gd.library && gd.library.function) || []).map((f) => [f.signature.name, f]));
  const fn = fns.get(restore.attr.f.func.name);
  if (!fn) throw new Error(`${label}: restore function ${restore.attr.f.func.name} not in the library`);
  const callInputs = (restore.input || []).filter((s) => !s.startsWith('^'));
  const argIndex = new Map((fn.signature.inputArg || []).map((a, j) => [a.name, j]));
  const body = new Map((fn.nodeDef || []).map((n) => [n.name, n]));
  // RestoreV2 outputs "RestoreV2:tensors:k" → key
  const restoredKey = new Map();
  for (const n of fn.nodeDef || []) {
    if (n.op !== 'RestoreV2') continue;
    const namesRef = parseInput(n.input[1]).node.split(':')[0];
    const c = body.get(namesRef);
    if (!c || c.op !== 'Const') throw new Error(`${label}: RestoreV2 ${n.name}: tensor_names is not a Const`);
    const t = tensorProtoValues(c.attr.value.tensor, c.name);
    t.values.forEach((s, k) => restoredKey.set(`${n.name}:tensors:${k}`, Buffer.from(s).toString('utf8')));
  }
  const sourceKey = (ref, depth = 0) => {
    if (depth > 20) return null;
    if (restoredKey.has(ref)) return restoredKey.get(ref);
    const nodeName = ref.split(':')[0];
    const n = body.get(nodeName);
    if (n && n.op === 'Identity') return sourceKey(n.input[0], depth + 1);
    return null;
  };
  for (const n of fn.nodeDef || []) {
    if (n.op !== 'AssignVariableOp') continue;
    const j = argIndex.get(n.input[0]);
    const key = sourceKey(n.input[1]);
    if (j == null || key == null) continue;
    const handle = callInputs[j] && byName.get(parseInput(callInputs[j]).node);
    if (handle && handle.op === 'VarHandleOp') keys.set(handle.name, key);
  }
  return keys;
}

function prepareSavedModel(dir, opts) {
  const smPath = path.join(dir, 'saved_model.pb');
  if (!fs.existsSync(smPath)) {
    if (fs.existsSync(path.join(dir, 'saved_model.pbtxt'))) throw new Error(`${dir}: saved_model.pbtxt (text form) is not supported`);
    throw new Error(`${dir}: no saved_model.pb`);
  }
  const sm = decode('SavedModel', readBytes(smPath, 'SavedModel'), smPath);
  const meta = (sm.metaGraphs || []).find((m) => m.metaInfoDef && (m.metaInfoDef.tags || []).includes('serve'));
  if (!meta) throw new Error(`${smPath}: no MetaGraphDef with tag "serve"`);
  const sigKey = opts.signature || 'serving_default';
  const sig = meta.signatureDef && meta.signatureDef[sigKey];
  if (!sig) {
    throw new Error(`${smPath}: no signature ${sigKey} (has: ${Object.keys(meta.signatureDef || {}).join(', ') || 'none'})`);
  }
  const gd = meta.graphDef;
  const label = smPath;
  const sigIn = Object.entries(sig.inputs || {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const sigOut = Object.entries(sig.outputs || {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [k, ti] of [...sigIn, ...sigOut]) {
    if (!ti.name) throw new Error(`${label}: signature ${sigKey} tensor ${k} is not a dense tensor (sparse/composite unsupported)`);
  }
  const pick = (list, wanted, what) => {
    if (!wanted || !wanted.length) return list;
    return wanted.map((w) => {
      const e = list.find(([k, ti]) => k === w || ti.name === w || tensorKey(ti.name) === tensorKey(w));
      if (!e) throw new Error(`${label}: signature ${sigKey} has no ${what} ${w}`);
      return e;
    });
  };
  const inList = pick(sigIn, opts.inputs, 'input');
  const outList = pick(sigOut, opts.outputs, 'output');

  const opDefs = opDefMap(meta);
  const {nodes, alias} = inlineFunctions(gd.node || [], gd.library, opDefs);
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const outputs = outList.map(([k, ti]) => ({name: ti.name, key: k}));
  const inputs = inList.map(([k, ti]) => {
    const n = byName.get(parseInput(ti.name).node);
    if (!n) throw new Error(`${label}: signature input ${k} names missing node ${ti.name}`);
    const shape = ti.tensorShape ? shapeOf(ti.tensorShape) : null;
    return {name: ti.name, key: k, dtype: dtName(ti.dtype), tfDtype: ti.dtype, shape};
  });

  // Freeze variables that the outputs need.
  const feedNodes = new Set(inputs.map((i) => parseInput(i.name).node));
  const resolved = (s) => resolveAlias(alias, s);
  const needed = prune(nodes.map((n) => ({...n, input: (n.input || []).filter((s) => !s.startsWith('^')).map(resolved)})),
      outputs.map((o) => resolved(o.name)), feedNodes);
  const vars = needed.filter((n) => n.op === 'VarHandleOp' || n.op === 'VariableV2' || n.op === 'Variable');
  let consts = new Map();
  if (vars.length) {
    const keys = variableKeys(meta, gd, label);
    const prefix = path.join(dir, 'variables', 'variables');
    const wantKeys = vars.map((v) => {
      const k = keys.get(v.name);
      if (!k) throw new Error(`${label}: no checkpoint key found for variable node ${v.name}`);
      return k;
    });
    const bundle = readBundle(prefix, wantKeys, protos());
    vars.forEach((v, i) => {
      const t = bundle.get(wantKeys[i]);
      consts.set(v.name, {dtype: t.dtype, shape: t.shape, values: rawToArray(t.bytes, t.dtype, numel(t.shape), `checkpoint ${wantKeys[i]}`)});
    });
  }
  const frozen = nodes.map((n) => {
    if (consts.has(n.name)) {
      const c = consts.get(n.name);
      return {name: n.name, op: 'Const', input: [], attr: {dtype: {type: c.dtype}}, constValue: c};
    }
    if (n.op === 'ReadVariableOp') {
      return {name: n.name, op: 'Identity', input: n.input, attr: {T: {type: n.attr.dtype ? n.attr.dtype.type : DT.FLOAT}}};
    }
    return n;
  });
  return {kind: 'saved_model', nodes: frozen, alias, library: gd.library, opDefs,
    producer: gd.versions ? gd.versions.producer : 0,
    inputs, outputs, signature: sigKey,
    tfVersion: meta.metaInfoDef.tensorflowVersion || ''};
}

// TensorList ops tfjs-converter 4.22 gets wrong or lacks, as custom ops (its lists are
// mutable and keyed by the id of their handle tensor, context.getTensorList(id)):
//  - TensorListPopBack returns only [tensor]; TF's OpDef has (output_handle, tensor);
//  - TensorListElementShape is missing: the list's element_shape, -1 for an unknown
//    dim, scalar -1 for an unknown rank (TF:tensorflow/core/kernels/list_kernels.cc).
let customOpsRegistered = false;
function registerTensorListOps() {
  if (customOpsRegistered) return;
  customOpsRegistered = true;
  const listOf = (node, what) => {
    const h = node.inputs[0];
    const list = h && node.context && node.context.getTensorList(h.id);
    if (!list) throw new Error(`${what}: input is not a TensorList handle`);
    return list;
  };
  const shapeParam = (t) => {
    const d = Array.from(t.dataSync());
    return t.rank === 0 ? d[0] : d;
  };
  tfconv.registerOp('TensorListPopBack', (node) => {
    const list = listOf(node, 'TensorListPopBack');
    const t = list.popBack(shapeParam(node.inputs[1]), node.attrs.element_dtype);
    return [list.idTensor, t];
  });
  tfconv.registerOp('TensorListElementShape', (node) => {
    const es = listOf(node, 'TensorListElementShape').elementShape;
    return [Array.isArray(es) ? tf.tensor1d(es, 'int32') : tf.scalar(-1, 'int32')];
  });
}

let backendReady = null;
async function ensureBackend() {
  if (!backendReady) {
    backendReady = tf.setBackend('cpu').then(() => tf.ready()).then(() => {
      tf.backend().firstUse = false;  // no "install tfjs-node" banner
    });
  }
  await backendReady;
}

/**
 * Runs `fn` (an async model execution) with Tensor.dispose turned into a no-op,
 * inside an engine scope that frees the run's tensors afterwards. tfjs-converter's
 * async executor disposes, at the end of each function call, tensors that a
 * TensorList still holds (a return_sequences LSTM feeding another then fails with
 * "Cannot read properties of undefined (reading 'backend')"); holding disposal off
 * for the run leaves the values unchanged; the requested disposals happen afterwards.
 * `fn` must read its outputs itself.
 */
let holding = false;
async function runHoldingDisposal(fn) {
  if (holding) throw new Error('tf_reference: control-flow runs must not overlap (await each run())');
  holding = true;
  const proto = tf.Tensor.prototype;
  const dispose = proto.dispose;
  const deferred = new Set();
  tf.engine().startScope();
  proto.dispose = function heldDispose() {
    deferred.add(this);
  };
  try {
    return await fn();
  } finally {
    proto.dispose = dispose;
    for (const t of deferred) t.dispose();  // what tfjs asked to free, kept list entries too
    tf.engine().endScope();
    holding = false;
  }
}

/**
 * Loads a frozen GraphDef (.pb file) or SavedModel directory for repeated runs.
 * opts: {signature, inputs: [names], outputs: [names], feeds: {name: number}}
 *   (feeds: extra placeholders fed with a scalar, e.g. keep_prob=1.0; they are
 *   not part of `inputs`).
 */
async function loadTfReference(modelPath, opts = {}) {
  const st = (() => {
    try {
      return fs.statSync(modelPath);
    } catch (e) {
      throw new Error(`${modelPath}: no such file or directory`);
    }
  })();
  const feeds = opts.feeds || {};
  const feedNames = Object.keys(feeds);
  const prep = st.isDirectory() ? prepareSavedModel(modelPath, opts) : prepareGraphDef(modelPath, opts);
  // Extra scalar feeds are not model inputs.
  prep.inputs = prep.inputs.filter((i) => !feedNames.includes(i.name) && !feedNames.includes(parseInput(i.name).node) &&
      !feedNames.includes(i.key));
  const feedNodes = new Set([...prep.inputs.map((i) => parseInput(i.name).node), ...feedNames.map((f) => parseInput(f).node)]);
  const resolved = (s) => resolveAlias(prep.alias, s);
  const nodes = prep.nodes.map((n) => ({...n, input: (n.input || []).filter((s) => !s.startsWith('^')).map(resolved)}));
  const outTensors = prep.outputs.map((o) => resolved(o.name));
  const pruned = prune(nodes, outTensors, feedNodes);
  const byName = new Map(pruned.map((n) => [n.name, n]));
  for (const f of feedNodes) {
    if (!byName.has(f)) continue;  // fed node that the outputs do not need
    const n = byName.get(f);
    if (!['Placeholder', 'PlaceholderWithDefault'].includes(n.op)) {
      // Feeding an intermediate tensor: turn the node into a Placeholder.
      byName.set(f, Object.assign(n, {op: 'Placeholder', input: [], attr: {dtype: {type: DT.FLOAT}}}));
    }
  }
  const functions = buildLibrary(pruned, prep.library, prep.opDefs);
  const artifacts = buildArtifacts(pruned, prep.producer, functions);
  const allOps = new Set([...pruned, ...functions.flatMap((f) => f.nodes)].map((n) => n.op));
  // Control flow runs only in executeAsync; TensorLists need Tensor.dispose held off (see run).
  const controlFlow = functions.length > 0 || [...allOps].some((op) => op.startsWith('TensorList'));
  await ensureBackend();
  registerTensorListOps();
  let model;
  try {
    model = await tfconv.loadGraphModel(tf.io.fromMemory(artifacts));
  } catch (e) {
    throw new Error(`${modelPath}: tfjs-converter refused the graph: ${e.message}`);
  }
  const feedTensor = (name, spec, data, shape) => {
    const dtype = spec ? tfjsDtype(spec.tfDtype) : 'float32';
    return tf.tensor(dtype === 'float32' ? Float32Array.from(data) : Int32Array.from(data, Math.round), shape, dtype);
  };
  const outNames = outTensors.map((k) => k.endsWith(':0') ? k.slice(0, -2) : k);

  async function readOutputs(res) {
    const list = Array.isArray(res) ? res : [res];
    const out = [];
    for (let k = 0; k < list.length; k++) {
      const t = list[k];
      out.push({name: prep.outputs[k].name, key: prep.outputs[k].key, shape: t.shape, dtype: t.dtype,
        data: Float32Array.from(await t.data())});
      t.dispose();
    }
    return out;
  }

  let dynamic = false;
  async function run(inputValues) {
    const feedMap = {};
    const made = [];
    try {
      for (const spec of prep.inputs) {
        const v = inputValues[spec.name] || inputValues[spec.key] || inputValues[parseInput(spec.name).node];
        if (!v) throw new Error(`${modelPath}: no value for input ${spec.name}`);
        const data = v.data || v;
        const shape = v.shape;
        if (!shape) throw new Error(`${modelPath}: input ${spec.name} has no shape`);
        if (numel(shape) !== data.length) throw new Error(`${modelPath}: input ${spec.name}: ${data.length} values for shape [${shape}]`);
        const t = feedTensor(spec.name, spec, data, shape);
        made.push(t);
        feedMap[parseInput(spec.name).node] = t;
      }
      for (const [name, value] of Object.entries(feeds)) {
        const node = parseInput(name).node;
        if (!byName.has(node)) continue;
        const n = byName.get(node);
        const dt = n.attr && n.attr.dtype && n.attr.dtype.type != null ? n.attr.dtype.type : DT.FLOAT;
        const t = tf.scalar(value, tfjsDtype(typeof dt === 'string' ? DT[dt.replace(/^DT_/, '')] : dt));
        made.push(t);
        feedMap[node] = t;
      }
      let res;
      if (controlFlow) {
        return await runHoldingDisposal(async () => readOutputs(await model.executeAsync(feedMap, outNames)));
      }
      if (dynamic) {
        res = await model.executeAsync(feedMap, outNames);
      } else {
        try {
          res = model.execute(feedMap, outNames);
        } catch (e) {
          if (!/executeAsync/.test(e.message)) throw e;
          dynamic = true;  // control flow / dynamic shapes
          res = await model.executeAsync(feedMap, outNames);
        }
      }
      return await readOutputs(res);
    } finally {
      for (const t of made) t.dispose();
    }
  }

  return {
    kind: prep.kind,
    signature: prep.signature,
    functions: functions.map((f) => f.signature.name),
    controlFlow,
    inputs: prep.inputs,
    outputs: prep.outputs,
    nodeCount: pruned.length,
    ops: [...allOps].sort(),
    run,
    dispose: () => model.dispose(),
  };
}

async function runOnce(modelPath, opts) {
  const inputs = opts.inputs || {};
  const ref = await loadTfReference(modelPath, {
    signature: opts.signature, inputs: Object.keys(inputs), outputs: opts.outputs, feeds: opts.feeds,
  });
  try {
    return await ref.run(inputs);
  } finally {
    ref.dispose();
  }
}

/** Runs a frozen GraphDef once: {inputs: {name: {data, shape}}, outputs: [names], feeds}. */
async function graphDefReference(pbPath, opts = {}) {
  return runOnce(pbPath, opts);
}

/** Runs a SavedModel signature once: {signature, inputs: {key or tensor name: {data, shape}}, outputs, feeds}. */
async function savedModelReference(dir, opts = {}) {
  return runOnce(dir, opts);
}

module.exports = {
  loadTfReference, graphDefReference, savedModelReference,
  // exported for tests
  tensorProtoValues, rawToArray, inlineFunctions, parseInput, protos,
};
