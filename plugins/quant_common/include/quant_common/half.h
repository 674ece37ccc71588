// IEEE 754 binary16 ("half") conversion as TFLite's float16 quantization does it.
#ifndef TFLC_PLUGINS_QUANT_COMMON_HALF_H_
#define TFLC_PLUGINS_QUANT_COMMON_HALF_H_

#include <cstdint>

namespace tflc::quant {

// Largest finite half value.
inline constexpr float kMaxHalf = 65504.f;

// Rounds to the nearest half, ties to even (Eigen's float_to_half_rtne). Finite values beyond the
// half range are clamped to +-65504 first, as TF's float16 weight quantization does, so +-inf
// becomes +-65504 too; NaN stays NaN (a quiet NaN with the input's sign).
uint16_t FloatToHalf(float f);

// Exact: every half value is a float value.
float HalfToFloat(uint16_t h);

}  // namespace tflc::quant

#endif  // TFLC_PLUGINS_QUANT_COMMON_HALF_H_
