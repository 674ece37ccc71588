// Full-integer post-training quantization over calibrated ranges, driven by the opsets' quantization
// facts (TflcOpQuantSpec): int8 (asymmetric int8 activations) or int16x8 (symmetric int16
// activations); int8 symmetric weights, per channel along the opset's weight_output_axis; integer
// biases with scale input_scale x weight_scale. Ops without an integer kernel stay float between
// DEQUANTIZE and QUANTIZE, unless the options ask for integer ops only.
#ifndef TFLC_PLUGINS_QUANT_COMMON_FULL_INTEGER_H_
#define TFLC_PLUGINS_QUANT_COMMON_FULL_INTEGER_H_

#include <cstdint>

#include "tflc/abi/tflc_plugin.h"

namespace tflc::quant {

enum class Activations { kInt8, kInt16 };

// The body of the "int8" and "int16x8" quantizers' Apply.
TflcStatus* ApplyFullInteger(TflcQuantize_Args* args, Activations mode);

// Their CalibrationStats: ranges, and the channel means when bias correction is on (option
// "bias_correction": true / false; default true for int16x8, false for int8).
uint32_t FullIntegerCalibrationStats(const TflcHostApi* host, const TflcOptions* options, Activations mode);

}  // namespace tflc::quant

#endif  // TFLC_PLUGINS_QUANT_COMMON_FULL_INTEGER_H_
