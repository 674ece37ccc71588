'use strict';
// Picks the TFLite runtime the compare_* tools run .tflite files in:
//   litert       (default) LiteRT.js 2.5.3, today's runtime: lib/litert_runtime.js
//   tfjs-tflite  the 2023 interpreter of @tensorflow/tfjs-tflite: lib/tflite_runtime.js
// Chosen by the tools' `--runtime NAME` option, else the environment variable
// TFLC_E2E_RUNTIME, else litert. Both modules have the same interface; this one makes
// createRunner/run/runModel uniformly async (await works on the 2023 runner's sync results).
//
// There is no fallback from one runtime to the other: a model the chosen runtime cannot run
// fails. A test whose model LiteRT.js cannot run (variable tensors, see below) must ask for the
// 2023 runtime itself (ctest ENVIRONMENT TFLC_E2E_RUNTIME=tfjs-tflite) and say why where it is
// registered.

const {readIoQuantization, TYPED_ARRAYS} = require('./tflite_runtime');

const RUNTIMES = {
  'litert': () => require('./litert_runtime'),
  'tfjs-tflite': () => require('./tflite_runtime'),
};
const DEFAULT_RUNTIME = 'litert';

// Appended to LiteRT.js' refusal of a model with variable tensors (err.code LITERT_VARIABLE_TENSORS).
// LiteRT.js 2.5.3 (the latest on npm) has one entry point, loadModel + compileModel, and its model
// loader refuses every tensor with is_variable=true (litert/core/model/model_load.cc: "Variable
// tensors not yet supported."), while TFLite's UNIDIRECTIONAL_SEQUENCE_LSTM kernel requires its
// state inputs 18/19 to be variable (unidirectional_sequence_lstm.cc: "output_state != nullptr was
// not true."). So no LSTM model, ours or the official converter's, runs in it.
const VARIABLE_TENSORS_HINT =
    'LiteRT.js 2.5.3 cannot run models with variable tensors (e.g. the state of ' +
    'UNIDIRECTIONAL_SEQUENCE_LSTM, written as the official converter writes it); a test of such a ' +
    'model must ask for the 2023 runtime explicitly (--runtime tfjs-tflite, or ctest ENVIRONMENT ' +
    'TFLC_E2E_RUNTIME=tfjs-tflite with the reason in the test\'s CMake registration). ' +
    'See tests/e2e/README.md, "Variable tensors".';

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

/** Loads the chosen runtime; the result carries `kind` (its name) and `build`. */
async function loadRuntime(requested) {
  const name = runtimeName(requested);
  const impl = RUNTIMES[name]();
  const rt = await impl.loadRuntime();
  rt.kind = name;
  rt.impl = impl;
  return rt;
}

/**
 * Promise of a runner {inputs, outputs, run(inputs) -> Promise<outputs>, close()} in `runtime`.
 * A model the runtime refuses is an error (never run elsewhere); LiteRT.js' refusal of variable
 * tensors carries err.code LITERT_VARIABLE_TENSORS and VARIABLE_TENSORS_HINT.
 */
async function createRunner(runtime, bytes, label) {
  let r;
  try {
    r = await runtime.impl.createRunner(runtime, bytes, label);
  } catch (e) {
    if (e.code === 'LITERT_VARIABLE_TENSORS') e.message += `\n  ${VARIABLE_TENSORS_HINT}`;
    throw e;
  }
  const run = r.run;
  return {...r, run: async (inputs) => run(inputs)};
}

async function runModel(runtime, bytes, inputs, label) {
  const r = await createRunner(runtime, bytes, label);
  try {
    const outputs = await r.run(inputs);
    return {inputs: r.inputs, outputs};
  } finally {
    r.close();
  }
}

/** "litert:litert_wasm_internal" etc., for reports. */
const runtimeLabel = (rt) => `${rt.kind}:${rt.build}`;

module.exports = {
  loadRuntime, createRunner, runModel, runtimeName, runtimeLabel, readIoQuantization, TYPED_ARRAYS,
  RUNTIMES: Object.keys(RUNTIMES), DEFAULT_RUNTIME, VARIABLE_TENSORS_HINT,
};
