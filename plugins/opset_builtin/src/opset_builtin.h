// The builtin opset plugin's query function. Unit tests register it with FakeHost; entry.cc
// exports it as the library's TflcPlugin_Query.
#ifndef TFLC_PLUGINS_OPSET_BUILTIN_SRC_OPSET_BUILTIN_H_
#define TFLC_PLUGINS_OPSET_BUILTIN_SRC_OPSET_BUILTIN_H_

#include "tflc/abi/tflc_plugin.h"

extern "C" const TflcPluginApi* TflcOpsetBuiltin_Query(const TflcPluginQuery_Args* args);

#endif  // TFLC_PLUGINS_OPSET_BUILTIN_SRC_OPSET_BUILTIN_H_
