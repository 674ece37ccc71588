'use strict';
// Reference outputs for Keras models, computed with @tensorflow/tfjs-layers on
// the tfjs CPU backend (float32).
//
// Reads two file kinds with h5wasm:
//   * legacy full-model .h5: root attr `model_config`, weights under
//     /model_weights/<layer>/ listed by the group's `weight_names` attr;
//   * Keras 3 .keras zip: config.json + model.weights.h5, weights under
//     layers/<snake_class_name>/vars/N (the `vars` group carries the layer
//     name in its `name` attr). See shared/reference/FORMATS.md §3.
// Keras 3 configs are rewritten into the Keras 2 form tfjs-layers reads
// (see rewriteConfig); weights are then set layer by layer, in each layer's
// own weight order, with a shape check.

const fs = require('fs');
const os = require('os');
const path = require('path');

const tf = require('@tensorflow/tfjs-core');
require('@tensorflow/tfjs-backend-cpu');
const tfl = require('@tensorflow/tfjs-layers');

let h5wasmPromise = null;
// h5wasm is ESM-only; its Node build reads the host filesystem (NODERAWFS).
function loadH5wasm() {
  if (!h5wasmPromise) {
    h5wasmPromise = import('h5wasm/node').then(async (m) => {
      await m.ready;
      // Make libhdf5 errors throw (with the HDF5-DIAG text) instead of being
      // printed to stderr while the call returns an invalid id.
      m.Module.activate_throwing_error_handler();
      return m;
    });
  }
  return h5wasmPromise;
}

let backendReady = null;
function ensureBackend() {
  if (!backendReady) {
    backendReady = tf.setBackend('cpu').then(() => tf.ready()).then(() => {
      // Silence the one-time "install tfjs-node to speed things up" banner.
      tf.backend().firstUse = false;
    });
  }
  return backendReady;
}

// ---------------------------------------------------------------------------
// Activations that tfjs-layers lacks or defines differently.

// Keras 3 changed hard_sigmoid to relu6(x + 3) / 6; tfjs-layers (like Keras 2)
// computes clip(0.2x + 0.5, 0, 1). Keras 3 files get this class instead.
class Keras3HardSigmoid extends tf.serialization.Serializable {
  apply(x) { return tf.tidy(() => tf.div(tf.relu6(tf.add(x, 3)), 6)); }
  getConfig() { return {}; }
}
Keras3HardSigmoid.className = 'keras3HardSigmoid';
tf.serialization.registerClass(Keras3HardSigmoid);

// hard_silu / hard_swish (Keras 3): x * relu6(x + 3) / 6.
class HardSilu extends tf.serialization.Serializable {
  apply(x) { return tf.tidy(() => tf.mul(x, tf.div(tf.relu6(tf.add(x, 3)), 6))); }
  getConfig() { return {}; }
}
HardSilu.className = 'hardSilu';
tf.serialization.registerClass(HardSilu);

// ---------------------------------------------------------------------------
// Config rewriting (Keras 3 → Keras 2 form; also cleans Keras 2.4+ configs).

const DTYPE_POLICY_CLASSES = new Set(['DTypePolicy', 'FloatDTypePolicy', 'Policy', 'QuantizedDTypePolicy']);
const DROP_KEYS = new Set(['module', 'registered_name', 'build_config', 'compile_config', 'shared_object_id']);

function isKerasTensor(x) {
  return x && typeof x === 'object' && !Array.isArray(x) && x.class_name === '__keras_tensor__';
}

// Keras 3 node: {args: [tensor | [tensors…], …], kwargs: {…}} where tensor =
// {class_name: "__keras_tensor__", config: {keras_history: [layer, node, index]}}.
// Keras 2 node: [[layer, node, index, kwargs], …].
function convertInboundNode(node) {
  if (Array.isArray(node)) return node; // already Keras 2 form
  const found = [];
  const walk = (x) => {
    if (isKerasTensor(x)) {
      const h = x.config.keras_history;
      found.push([h[0], h[1], h[2], {}]);
    } else if (Array.isArray(x)) {
      x.forEach(walk);
    } else if (x && typeof x === 'object') {
      Object.values(x).forEach(walk);
    }
  };
  walk(node.args || []);
  return found;
}

// input_layers/output_layers: Keras 3 writes a bare [name, node, index] for a
// single tensor; Keras 2 always has a list of those.
function normalizeEndpoints(list) {
  if (Array.isArray(list) && list.length === 3 && typeof list[0] === 'string') return [list];
  return list;
}

/**
 * Returns a rewritten deep copy of a Keras model config (the {class_name,
 * config} object) that tfjs-layers can deserialize.
 * @param kerasMajor  major Keras version that wrote the file (2 or 3)
 */
function rewriteConfig(config, kerasMajor) {
  const rewrite = (value, key) => {
    if (Array.isArray(value)) return value.map((v) => rewrite(v, key));
    if (!value || typeof value !== 'object') {
      if (typeof value === 'string' && (key === 'activation' || key === 'recurrent_activation')) {
        if (value === 'hard_sigmoid' && kerasMajor >= 3) return 'keras3HardSigmoid';
        if (value === 'hard_silu' || value === 'hard_swish') return 'hardSilu';
        if (value === 'silu') return 'swish';
      }
      return value;
    }
    // A dtype policy object → its dtype name.
    if (DTYPE_POLICY_CLASSES.has(value.class_name) && value.config && typeof value.config.name === 'string') {
      // Mixed precision keeps float32 variables; the reference computes in float32.
      const name = value.config.name;
      return name.startsWith('mixed_') ? 'float32' : name;
    }
    const out = {};
    for (const [k, v] of Object.entries(value)) {
      if (DROP_KEYS.has(k)) continue;
      if (k.endsWith('_initializer') && v !== null) {
        // Weights overwrite them; tfjs' Orthogonal initializer crashes on LSTMs.
        out[k] = {class_name: 'Zeros', config: {}};
      } else if (k.endsWith('_regularizer') || k.endsWith('_constraint')) {
        out[k] = null; // training-only; tfjs-layers lacks e.g. `L2`
      } else if (k === 'batch_shape') {
        out.batch_input_shape = rewrite(v, k);
      } else if (k === 'inbound_nodes' && Array.isArray(v)) {
        out[k] = v.map(convertInboundNode);
      } else if ((k === 'input_layers' || k === 'output_layers')) {
        out[k] = normalizeEndpoints(v);
      } else if (k === 'class_name' && v === 'Functional') {
        out[k] = 'Model';
      } else {
        out[k] = rewrite(v, k);
      }
    }
    return out;
  };
  const out = rewrite(config, null);
  dropStrayInputShapes(out);
  if (kerasMajor >= 3) fixSequentialNodeIndices(out);
  return out;
}

// Node indices differ for a Sequential nested in a functional model: Keras 2
// and tfjs-layers give a built Sequential its own node 0 (its internal input →
// output), so the first call from the outer model is node 1; Keras 3 counts
// that built-in node only for Functional models, not for Sequential. So in
// Keras 3 configs, references to a nested, built Sequential shift by one.
function fixSequentialNodeIndices(modelConfig) {
  if (!modelConfig || !modelConfig.config || !Array.isArray(modelConfig.config.layers)) return;
  const layers = modelConfig.config.layers;
  const builtSequential = new Set();
  for (const l of layers) {
    const sub = l.config && l.config.layers;
    if (l.class_name === 'Sequential' && Array.isArray(sub) && sub.length &&
        (sub[0].class_name === 'InputLayer' || (sub[0].config && sub[0].config.batch_input_shape))) {
      builtSequential.add((l.config && l.config.name) || l.name);
    }
  }
  const shift = (ref) => {
    if (Array.isArray(ref) && builtSequential.has(ref[0])) ref[1] += 1;
  };
  for (const l of layers) {
    for (const node of l.inbound_nodes || []) node.forEach(shift);
    fixSequentialNodeIndices(l); // a nested functional model has its own numbering
  }
  (modelConfig.config.output_layers || []).forEach(shift);
}

// Keras ignores `batch_input_shape` on layers that do not create the model's
// input (anything in a functional model but an InputLayer, anything but the
// first layer of a Sequential); tfjs-layers turns it into an input spec and
// warns when it does not fit. Drop those.
function dropStrayInputShapes(modelConfig) {
  if (!modelConfig || !modelConfig.config || !Array.isArray(modelConfig.config.layers)) return;
  const sequential = modelConfig.class_name === 'Sequential';
  modelConfig.config.layers.forEach((layer, i) => {
    const keep = layer.class_name === 'InputLayer' || (sequential && i === 0);
    if (!keep && layer.config) {
      delete layer.config.batch_input_shape;
      delete layer.config.input_shape;
    }
    dropStrayInputShapes(layer); // nested models
  });
}

// ---------------------------------------------------------------------------
// HDF5 helpers

function attrValue(obj, name) {
  const a = obj.attrs && obj.attrs[name];
  if (!a) return undefined;
  return a.value;
}

function decodeString(v) {
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array) return Buffer.from(v).toString('utf8');
  if (Array.isArray(v) && v.length === 1) return decodeString(v[0]);
  return String(v);
}

// A string-list attribute, possibly split into name0, name1, … (> 64 KB lists).
function stringListAttr(obj, name) {
  const keys = Object.keys(obj.attrs || {});
  let raw;
  if (keys.includes(name)) {
    raw = [attrValue(obj, name)];
  } else {
    raw = [];
    for (let i = 0; keys.includes(name + i); i++) raw.push(attrValue(obj, name + i));
  }
  const out = [];
  for (const r of raw) {
    if (r === undefined || r === null) continue;
    if (typeof r === 'string') out.push(r);
    else if (Array.isArray(r)) out.push(...r.map(decodeString));
    else if (ArrayBuffer.isView(r) && !(r instanceof Uint8Array)) continue; // empty float array
    else out.push(decodeString(r));
  }
  return out.map((s) => s.replace(/\0+$/, '')).filter((s) => s.length > 0);
}

function datasetToArray(ds, where) {
  const v = ds.value;
  let data;
  if (typeof v === 'number' || typeof v === 'bigint') data = new Float32Array([Number(v)]);
  else if (v instanceof Float32Array) data = v;
  else if (ArrayBuffer.isView(v) && !(v instanceof DataView)) data = Float32Array.from(v, Number);
  else throw new Error(`${where}: unsupported weight dataset type ${ds.dtype}`);
  return {shape: ds.shape || [], data};
}

// Shortens an HDF5-DIAG error stack to its innermost message, e.g.
// "H5F__super_read(): truncated file: eof = 20000, … stored_eof = 234584".
function h5ErrorMessage(e) {
  const text = String((e && e.message) || e);
  const lines = [...text.matchAll(/ in (\w+\(\)): (.*)$/gm)];
  return lines.length ? lines[lines.length - 1].slice(1).join(' ') : text.split('\n')[0];
}

function openH5(h5, filePath, label) {
  try {
    return new h5.File(filePath, 'r');
  } catch (e) {
    throw new Error(`${label}: cannot open as HDF5: ${h5ErrorMessage(e)}`);
  }
}

function isGroup(obj) { return obj && typeof obj.keys === 'function' && obj.type === 'Group'; }
function isDataset(obj) { return obj && obj.type === 'Dataset'; }

// ---------------------------------------------------------------------------
// Reading the model file

function readJsonAttr(file, name, filePath) {
  const v = attrValue(file, name);
  if (v === undefined) return undefined;
  try {
    return JSON.parse(decodeString(v));
  } catch (e) {
    throw new Error(`${filePath}: attribute ${name} is not valid JSON (${e.message})`);
  }
}

function kerasMajorOf(version) {
  const m = /^(\d+)/.exec(String(version || ''));
  return m ? Number(m[1]) : 2;
}

// Opens a model file → {config, kerasVersion, weightsFor(tfLayer, prefix), close()}.
async function openModelFile(modelPath) {
  if (!fs.existsSync(modelPath)) throw new Error(`${modelPath}: no such file`);
  const h5 = await loadH5wasm();
  const head = Buffer.alloc(8);
  const fd = fs.openSync(modelPath, 'r');
  fs.readSync(fd, head, 0, 8, 0);
  fs.closeSync(fd);
  const isZip = head[0] === 0x50 && head[1] === 0x4b; // "PK"
  const isH5 = head.toString('latin1', 0, 8) === '\x89HDF\r\n\x1a\n';
  if (isZip) return openKerasZip(h5, modelPath);
  if (isH5) return openLegacyH5(h5, modelPath);
  throw new Error(`${modelPath}: neither an HDF5 (.h5) nor a zip (.keras) file`);
}

function openLegacyH5(h5, modelPath) {
  const file = openH5(h5, path.resolve(modelPath), modelPath);
  try {
    const config = readJsonAttr(file, 'model_config', modelPath);
    if (!config) throw new Error(`${modelPath}: no model_config attribute (a weights-only file?)`);
    const kerasVersion = decodeString(attrValue(file, 'keras_version') ||
        attrValue(file.get('model_weights') || file, 'keras_version') || '');
    const weightsRoot = file.get('model_weights');
    if (!weightsRoot) throw new Error(`${modelPath}: no /model_weights group`);

    // All weights of one top-level layer, in `weight_names` order.
    const layerWeights = (layerName) => {
      const g = weightsRoot.get(layerName);
      if (!g) return [];
      return stringListAttr(g, 'weight_names').map((wn) => {
        const ds = g.get(wn);
        if (!isDataset(ds)) throw new Error(`${modelPath}: missing weight dataset model_weights/${layerName}/${wn}`);
        return {name: wn, ...datasetToArray(ds, `${modelPath}:model_weights/${layerName}/${wn}`)};
      });
    };
    return {config, kerasVersion, file, close: () => file.close(), kind: 'h5', layerWeights};
  } catch (e) {
    file.close();
    throw e;
  }
}

function openKerasZip(h5, modelPath) {
  const AdmZip = require('adm-zip');
  let zip;
  try {
    zip = new AdmZip(modelPath);
  } catch (e) {
    throw new Error(`${modelPath}: cannot read zip archive (${e.message})`);
  }
  const entry = (n) => zip.getEntry(n);
  if (!entry('config.json')) throw new Error(`${modelPath}: .keras archive has no config.json`);
  const config = JSON.parse(zip.readAsText('config.json'));
  let kerasVersion = '3';
  if (entry('metadata.json')) {
    try { kerasVersion = JSON.parse(zip.readAsText('metadata.json')).keras_version || kerasVersion; } catch (e) { /* keep default */ }
  }
  if (!entry('model.weights.h5')) {
    throw new Error(`${modelPath}: .keras archive has no model.weights.h5 (sharded or .npz weights are not supported)`);
  }
  // h5wasm reads through the host filesystem: extract the weights to a temp file.
  const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tflc-e2e-'));
  const tmpH5 = path.join(tmpDir, 'model.weights.h5');
  fs.writeFileSync(tmpH5, zip.readFile('model.weights.h5'));
  let file;
  try {
    file = openH5(h5, tmpH5, `${modelPath}!model.weights.h5`);
  } catch (e) {
    fs.rmSync(tmpDir, {recursive: true, force: true});
    throw e;
  }
  const close = () => {
    file.close();
    fs.rmSync(tmpDir, {recursive: true, force: true});
  };
  return {config, kerasVersion, file, close, kind: 'keras'};
}

// ---------------------------------------------------------------------------
// Setting weights

function shapeStr(s) { return `[${s.join(',')}]`; }
function sameShape(a, b) { return a.length === b.length && a.every((d, i) => d === b[i]); }

function assignWeights(tfLayer, arrays, where) {
  const expected = tfLayer.weights;
  if (arrays.length !== expected.length) {
    throw new Error(`${where}: layer ${tfLayer.name} (${tfLayer.getClassName()}) has ${expected.length} ` +
        `weight(s) in tfjs-layers but the file has ${arrays.length}`);
  }
  const tensors = arrays.map((a, i) => {
    if (!sameShape(a.shape, expected[i].shape)) {
      throw new Error(`${where}: layer ${tfLayer.name} weight ${i} (${expected[i].originalName}) ` +
          `expects shape ${shapeStr(expected[i].shape)}, file has ${shapeStr(a.shape)}`);
    }
    return tf.tensor(a.data, a.shape, 'float32');
  });
  tfLayer.setWeights(tensors);
  tf.dispose(tensors);
}

function isContainer(layer) { return Array.isArray(layer.layers) && typeof layer.getLayer === 'function'; }
// Leaf layers of a (possibly nested) model, in order, skipping weightless ones.
function leafLayers(layer) {
  if (!isContainer(layer)) return [layer];
  return layer.layers.flatMap(leafLayers);
}

// Legacy .h5: a top-level layer's weight_names are in that layer's own weight
// order; for a nested model they cover all its sublayers, so split them by the
// sublayer name that appears as a path component (`dense_1/kernel:0`,
// `sequential/dense_1/kernel`, `model/lstm/lstm_cell/kernel:0`).
function setWeightsLegacy(model, src, where) {
  for (const layer of model.layers) {
    const arrays = src.layerWeights(layer.name);
    if (!isContainer(layer)) {
      assignWeights(layer, arrays, where);
      continue;
    }
    const used = new Set();
    for (const leaf of leafLayers(layer)) {
      if (!leaf.weights.length) continue;
      const mine = arrays.filter((a, i) => {
        const parts = a.name.split('/').slice(0, -1);
        if (used.has(i) || !parts.includes(leaf.name)) return false;
        used.add(i);
        return true;
      });
      assignWeights(leaf, mine, `${where} (nested ${layer.name})`);
    }
    if (used.size !== arrays.length) {
      throw new Error(`${where}: nested model ${layer.name}: ${arrays.length - used.size} weight(s) ` +
          'in the file matched no sublayer');
    }
  }
}

function kerasSnakeCase(name) {
  return name.replace(/(.)([A-Z][a-z0-9]+)/g, '$1_$2').replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
}

// All variables below a saveable's group: its own vars/0..N first, then child
// objects (e.g. `cell`). Bidirectional's forward_layer precedes backward_layer,
// as in the layer's weight order.
function collectVars(group, where) {
  const out = [];
  const vars = group.get('vars');
  if (isGroup(vars)) {
    const ids = vars.keys().filter((k) => /^\d+$/.test(k)).map(Number).sort((a, b) => a - b);
    for (const id of ids) out.push(datasetToArray(vars.get(String(id)), `${where}/vars/${id}`));
  }
  const order = (k) => (k === 'forward_layer' ? 0 : k === 'backward_layer' ? 1 : 2);
  const children = group.keys().filter((k) => k !== 'vars' && isGroup(group.get(k)))
      .sort((a, b) => order(a) - order(b) || (a < b ? -1 : a > b ? 1 : 0));
  for (const c of children) out.push(...collectVars(group.get(c), `${where}/${c}`));
  return out;
}

// Keras 3 .keras: each layer of a model is saved under
// <model group>/layers/<unique snake_case class name>. Find a layer's group by
// the `name` attr on its `vars` group, else by recomputing the unique name.
function setWeightsKeras3(model, group, where, modelConfigLayers) {
  const layersGroup = group.get('layers');
  const byName = new Map();
  if (isGroup(layersGroup)) {
    for (const k of layersGroup.keys()) {
      const g = layersGroup.get(k);
      const vars = isGroup(g) ? g.get('vars') : null;
      const n = vars && attrValue(vars, 'name');
      if (n !== undefined) byName.set(decodeString(n), k);
    }
  }
  // Fallback names in order of appearance (InputLayers are not saved by
  // Sequential; whether counted or not, they never clash with other classes).
  const counts = new Map();
  const fallback = new Map();
  for (const layer of model.layers) {
    const cls = (modelConfigLayers && modelConfigLayers.get(layer.name)) || layer.getClassName();
    const base = kerasSnakeCase(cls);
    const n = counts.get(base) || 0;
    counts.set(base, n + 1);
    fallback.set(layer.name, n ? `${base}_${n}` : base);
  }
  for (const layer of model.layers) {
    const key = byName.get(layer.name) || fallback.get(layer.name);
    const g = isGroup(layersGroup) ? layersGroup.get(key) : null;
    const lw = `${where}/layers/${key}`;
    if (isContainer(layer)) {
      if (!isGroup(g)) throw new Error(`${where}: no weights group for nested model ${layer.name}`);
      setWeightsKeras3(layer, g, lw, null);
      continue;
    }
    if (!layer.weights.length) continue;
    if (!isGroup(g)) throw new Error(`${where}: no weights group for layer ${layer.name} (looked for layers/${key})`);
    assignWeights(layer, collectVars(g, lw), lw);
  }
}

// ---------------------------------------------------------------------------
// Public API

const cache = new Map();

/** Loads (once per path) the tfjs-layers model with the file's weights. */
async function loadKerasModel(modelPath) {
  const key = path.resolve(modelPath);
  if (!cache.has(key)) cache.set(key, buildModel(modelPath));
  return cache.get(key);
}

async function buildModel(modelPath) {
  await ensureBackend();
  const src = await openModelFile(modelPath);
  try {
    const kerasMajor = kerasMajorOf(src.kerasVersion);
    const config = rewriteConfig(src.config, kerasMajor);
    let model;
    try {
      model = await tfl.models.modelFromJSON({modelTopology: config});
    } catch (e) {
      const m = /Unknown (?:layer|activation|initializer|constraint|regularizer)[^.]*/.exec(e.message);
      throw new Error(`${modelPath}: tfjs-layers cannot build the model: ` +
          (m ? `${m[0]} (custom or unsupported class)` : e.message));
    }
    // Class names as written in the file (for the .keras fallback naming).
    const classes = new Map();
    for (const l of (src.config.config && src.config.config.layers) || []) {
      const name = (l.config && l.config.name) || l.name;
      if (name) classes.set(name, l.class_name);
    }
    if (src.kind === 'h5') setWeightsLegacy(model, src, modelPath);
    else setWeightsKeras3(model, src.file, modelPath, classes);
    return {model, kerasVersion: src.kerasVersion};
  } finally {
    src.close();
  }
}

/**
 * Input specs of a Keras model: [{name, shape}] with the batch dim set to 1.
 * Throws if a non-batch dimension is unknown.
 */
async function kerasInputSpecs(modelPath) {
  const {model} = await loadKerasModel(modelPath);
  return model.inputs.map((t, i) => {
    const shape = t.shape.map((d, j) => (j === 0 ? 1 : d));
    if (shape.some((d) => d === null || d === undefined || d < 0)) {
      throw new Error(`${modelPath}: input ${i} has an unknown dimension ${JSON.stringify(t.shape)}`);
    }
    const layerName = model.inputLayers && model.inputLayers[i] ? model.inputLayers[i].name : t.name;
    return {name: layerName, shape};
  });
}

/**
 * Runs the Keras model on one batch.
 * @param inputs array of Float32Array, one per model input, shaped as kerasInputSpecs
 * @returns array of {shape, data: Float32Array}, one per model output
 */
async function kerasReference(modelPath, inputs) {
  const {model} = await loadKerasModel(modelPath);
  const specs = await kerasInputSpecs(modelPath);
  if (!Array.isArray(inputs) || inputs.length !== specs.length) {
    throw new Error(`${modelPath}: model has ${specs.length} input(s), got ${Array.isArray(inputs) ? inputs.length : 'none'}`);
  }
  const xs = inputs.map((d, i) => tf.tensor(Float32Array.from(d), specs[i].shape, 'float32'));
  try {
    let ys = model.predict(xs.length === 1 ? xs[0] : xs);
    if (!Array.isArray(ys)) ys = [ys];
    const out = ys.map((y) => ({shape: y.shape.slice(), data: Float32Array.from(y.dataSync())}));
    tf.dispose(ys);
    return out;
  } finally {
    tf.dispose(xs);
  }
}

module.exports = {kerasReference, kerasInputSpecs, loadKerasModel, rewriteConfig};
