// The quant_int16x8 plugin: the "int16x8" quantizer.
#ifndef TFLC_PLUGINS_QUANT_INT16X8_PLUGIN_H_
#define TFLC_PLUGINS_QUANT_INT16X8_PLUGIN_H_

#include "tflc/abi/tflc_plugin.h"

extern "C" const TflcPluginApi* TflcQuantInt16x8_Query(const TflcPluginQuery_Args* args);

#endif  // TFLC_PLUGINS_QUANT_INT16X8_PLUGIN_H_
