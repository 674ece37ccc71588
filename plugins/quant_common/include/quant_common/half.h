// float16 weights as TFLite's float16 quantization writes them: the SDK's IEEE half conversion
// (tflc/sdk/half.h) after TF's clamp to the largest finite half.
#ifndef TFLC_PLUGINS_QUANT_COMMON_HALF_H_
#define TFLC_PLUGINS_QUANT_COMMON_HALF_H_

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "tflc/sdk/half.h"

namespace tflc::quant {

// Largest finite half value.
inline constexpr float kMaxHalf = 65504.f;

// Rounds to the nearest half, ties to even (Eigen's float_to_half_rtne). Finite values beyond the
// half range are clamped to +-65504 first, as TF's float16 weight quantization does, so +-inf
// becomes +-65504 too; NaN stays NaN (a quiet NaN with the input's sign).
inline uint16_t FloatToHalf(float f) {
  if (!std::isnan(f)) f = std::min(std::max(f, -kMaxHalf), kMaxHalf);
  return sdk::FloatToHalf(f);
}

// Exact: every half value is a float value.
using sdk::HalfToFloat;

}  // namespace tflc::quant

#endif  // TFLC_PLUGINS_QUANT_COMMON_HALF_H_
