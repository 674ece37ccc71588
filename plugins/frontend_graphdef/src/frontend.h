// The graph_def frontend plugin: frozen TensorFlow GraphDefs (.pb binary, .pbtxt text) → source graph.
#ifndef TFLC_PLUGINS_FRONTEND_GRAPHDEF_SRC_FRONTEND_H_
#define TFLC_PLUGINS_FRONTEND_GRAPHDEF_SRC_FRONTEND_H_

#include "tflc/abi/tflc_plugin.h"

extern "C" const TflcPluginApi* TflcFrontendGraphDef_Query(const TflcPluginQuery_Args* args);

#endif  // TFLC_PLUGINS_FRONTEND_GRAPHDEF_SRC_FRONTEND_H_
