// The quant_int8 plugin: the "int8" quantizer.
#ifndef TFLC_PLUGINS_QUANT_INT8_PLUGIN_H_
#define TFLC_PLUGINS_QUANT_INT8_PLUGIN_H_

#include "tflc/abi/tflc_plugin.h"

extern "C" const TflcPluginApi* TflcQuantInt8_Query(const TflcPluginQuery_Args* args);

#endif  // TFLC_PLUGINS_QUANT_INT8_PLUGIN_H_
