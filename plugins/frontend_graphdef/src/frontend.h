// The graph_def frontend plugin: frozen TensorFlow GraphDefs (.pb binary, .pbtxt text) → source graph.
#ifndef TFLC_PLUGINS_FRONTEND_GRAPHDEF_SRC_FRONTEND_H_
#define TFLC_PLUGINS_FRONTEND_GRAPHDEF_SRC_FRONTEND_H_

#include <string>

#include "tflc/abi/tflc_plugin.h"
#include "tflc/sdk/status.h"

extern "C" const TflcPluginApi* TflcFrontendGraphDef_Query(const TflcPluginQuery_Args* args);

namespace tflc::graphdef {

// What the frontend's Load does once the file is read: parses `bytes` as a GraphDef (binary, or
// text; text first when `path` ends in .pbtxt/.txt), then imports it into `model` under the
// options (--input_arrays, --output_arrays, --input_shapes). `path` is only used to choose the
// parse order. In-memory entry point for tests and tests/fuzz/graphdef_fuzzer.cc.
Status LoadGraphDefBytes(const TflcHostApi* host, const TflcOptions* options, const std::string& path,
                         const std::string& bytes, TflcModel* model);

}  // namespace tflc::graphdef

#endif  // TFLC_PLUGINS_FRONTEND_GRAPHDEF_SRC_FRONTEND_H_
