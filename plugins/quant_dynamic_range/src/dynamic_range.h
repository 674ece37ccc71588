// The "dynamic_range" quantizer: int8 weights for ops with hybrid kernels, float activations.
#ifndef TFLC_PLUGINS_QUANT_DYNAMIC_RANGE_DYNAMIC_RANGE_H_
#define TFLC_PLUGINS_QUANT_DYNAMIC_RANGE_DYNAMIC_RANGE_H_

#include <cstdint>

#include "tflc/abi/tflc_plugin.h"

// The plugin's query function (unique name so tests can register it with FakeHost).
extern "C" const TflcPluginApi* TflcQuantDynamicRange_Query(const TflcPluginQuery_Args* args);

namespace tflc::quant_dynamic_range {

// Weights with fewer elements stay float (TF's QuantizationSpecs::minimum_elements_for_weights).
inline constexpr int64_t kMinElementsForWeights = 1024;

// TflcQuantizer::Apply of "dynamic_range".
TflcStatus* Apply(TflcQuantize_Args* args);

}  // namespace tflc::quant_dynamic_range

#endif  // TFLC_PLUGINS_QUANT_DYNAMIC_RANGE_DYNAMIC_RANGE_H_
