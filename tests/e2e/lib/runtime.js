'use strict';
// Picks the TFLite runtime the compare_* tools run .tflite files in:
//   litert       (default) LiteRT.js 2.5.3, today's runtime: lib/litert_runtime.js
//   tfjs-tflite  the 2023 interpreter of @tensorflow/tfjs-tflite: lib/tflite_runtime.js
// Chosen by the tools' `--runtime NAME` option, else the environment variable
// TFLC_E2E_RUNTIME, else litert. Both modules have the same interface; this one makes
// createRunner/run/runModel uniformly async (await works on the 2023 runner's sync results).

const {readIoQuantization, TYPED_ARRAYS} = require('./tflite_runtime');

const RUNTIMES = {
  'litert': () => require('./litert_runtime'),
  'tfjs-tflite': () => require('./tflite_runtime'),
};
const DEFAULT_RUNTIME = 'litert';

/** The runtime name to use: `requested` (e.g. from --runtime), else TFLC_E2E_RUNTIME, else litert. */
function runtimeName(requested) {
  const name = requested || process.env.TFLC_E2E_RUNTIME || DEFAULT_RUNTIME;
  if (!RUNTIMES[name]) {
    const e = new Error(`unknown runtime "${name}"` +
        `${requested ? '' : ' (from TFLC_E2E_RUNTIME)'}: use ${Object.keys(RUNTIMES).join(' or ')}`);
    e.usage = true;
    throw e;
  }
  return name;
}

/**
 * Loads the chosen runtime; the result carries `kind` (its name) and `build`.
 * `explicit`: the runtime was chosen (--runtime or TFLC_E2E_RUNTIME), so no fallback.
 */
async function loadRuntime(requested) {
  const name = runtimeName(requested);
  const impl = RUNTIMES[name]();
  const rt = await impl.loadRuntime();
  rt.kind = name;
  rt.impl = impl;
  rt.explicit = Boolean(requested || process.env.TFLC_E2E_RUNTIME);
  rt.fallbacks = [];
  return rt;
}

/**
 * Promise of a runner {inputs, outputs, run(inputs) -> Promise<outputs>, close()}.
 * LiteRT.js 2.5.3 cannot load models with variable tensors (RNN state: "Variable tensors not yet
 * supported"). When LiteRT is only the default (not asked for by --runtime / TFLC_E2E_RUNTIME),
 * such a model runs in the 2023 tfjs-tflite interpreter instead, with a note on stderr and in
 * runtimeLabel(); asking for litert explicitly keeps the refusal.
 */
async function createRunner(runtime, bytes, label) {
  let r;
  try {
    r = await runtime.impl.createRunner(runtime, bytes, label);
  } catch (e) {
    if (e.code !== 'LITERT_VARIABLE_TENSORS' || runtime.explicit) throw e;
    if (!runtime.fallback) runtime.fallback = await loadRuntime('tfjs-tflite');
    runtime.fallbacks.push(label);
    console.error(`note: LiteRT.js cannot load ${label} (variable tensors not yet supported); ` +
        'running it in the 2023 tfjs-tflite runtime (--runtime litert keeps the refusal)');
    r = await runtime.fallback.impl.createRunner(runtime.fallback, bytes, label);
  }
  const run = r.run;
  return {...r, run: async (inputs) => run(inputs)};
}

async function runModel(runtime, bytes, inputs, label) {
  return runtime.impl.runModel(runtime, bytes, inputs, label);
}

/** "litert:litert_wasm_internal" etc., for reports (+ the fallback when one was used). */
const runtimeLabel = (rt) => `${rt.kind}:${rt.build}` + (rt.fallbacks && rt.fallbacks.length
  ? ` (+ tfjs-tflite:${rt.fallback.build} for ${rt.fallbacks.length} model(s) with variable tensors)` : '');

module.exports = {
  loadRuntime, createRunner, runModel, runtimeName, runtimeLabel, readIoQuantization, TYPED_ARRAYS,
  RUNTIMES: Object.keys(RUNTIMES), DEFAULT_RUNTIME,
};
