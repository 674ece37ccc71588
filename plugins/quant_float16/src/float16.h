// The "float16" quantizer: float32 constants stored as float16, each behind one DEQUANTIZE.
#ifndef TFLC_PLUGINS_QUANT_FLOAT16_FLOAT16_H_
#define TFLC_PLUGINS_QUANT_FLOAT16_FLOAT16_H_

#include "tflc/abi/tflc_plugin.h"

// The plugin's query function (unique name so tests can register it with FakeHost).
extern "C" const TflcPluginApi* TflcQuantFloat16_Query(const TflcPluginQuery_Args* args);

namespace tflc::quant_float16 {

// TflcQuantizer::Apply of "float16".
TflcStatus* Apply(TflcQuantize_Args* args);

}  // namespace tflc::quant_float16

#endif  // TFLC_PLUGINS_QUANT_FLOAT16_FLOAT16_H_
