// The saved_model frontend plugin: TensorFlow SavedModel directories (TF1 and TF2) → source graph.
#ifndef TFLC_PLUGINS_FRONTEND_SAVED_MODEL_SRC_FRONTEND_H_
#define TFLC_PLUGINS_FRONTEND_SAVED_MODEL_SRC_FRONTEND_H_

#include <string>

#include "tflc/abi/tflc_plugin.h"
#include "tflc/sdk/status.h"

extern "C" const TflcPluginApi* TflcFrontendSavedModel_Query(const TflcPluginQuery_Args* args);

namespace tflc::saved_model {

// What the frontend's Load does once the SavedModel directory's proto is read: parses `bytes` as a
// SavedModel (the text format when `text`, as saved_model.pbtxt), then imports the chosen MetaGraph's
// signatures into `model` under the options (--saved_model_tag_set, --saved_model_signature_key,
// --input_shapes). Variables are read from `dir`/variables/variables.{index,data-*}, which may be
// absent. In-memory entry point for tests and tests/fuzz/saved_model_fuzzer.cc.
Status LoadSavedModelBytes(const TflcHostApi* host, const TflcOptions* options, const std::string& dir,
                           const std::string& bytes, bool text, TflcModel* model);

}  // namespace tflc::saved_model

#endif  // TFLC_PLUGINS_FRONTEND_SAVED_MODEL_SRC_FRONTEND_H_
