// Symmetric int8 weights as TFLite kernels expect them (FORMATS.md section 5): zero point 0, values
// in [-127, 127], scale = max|w| / 127 per output channel (or per tensor).
#ifndef TFLC_PLUGINS_QUANT_COMMON_WEIGHTS_H_
#define TFLC_PLUGINS_QUANT_COMMON_WEIGHTS_H_

#include <cstdint>
#include <vector>

#include "tflc/sdk/plugin.h"
#include "tflc/sdk/status.h"

namespace tflc::quant {

inline constexpr int32_t kPerTensor = -1;

struct Int8Weights {
  std::vector<int8_t> data;   // same element order as the float weights
  std::vector<float> scales;  // one per slice along `axis`, or one for the tensor
  int32_t axis = kPerTensor;  // quantized dimension; kPerTensor (-1) for one scale
};

// Quantizes row-major float weights of shape `dims`. `axis` is the quantized dimension
// (0 <= axis < dims.size()) or kPerTensor.
//
// As TF's MLIR weight quantizer (GetUniformQuantizedTypeForWeight / ...PerAxisTypeForWeight with
// symmetric, narrow-range int8 and legacy float scales):
//   half_range = max |w| over the channel; a channel whose range 2*half_range is below 1e-6
//   (kNearZeroTolerance, e.g. all zeros) is widened to [-5e-7, 5e-7], so it gets the tiny positive
//   scale 5e-7 / 127 and quantizes to zeros rather than a zero scale the kernels divide by;
//   scale = half_range / 127 (float);  q = clamp(round(w * inverse), -127, 127) with round half
//   away from zero (TfLiteRound) in float, inverse = 127 / half_range per tensor
//   (PortableSymmetricQuantizeFloats) and float(1.0 / scale) per axis
//   (SymmetricPerChannelQuantizeValues), as QuantizeLegacy does.
//
// `min_scales` (empty, or one per channel): a channel's scale is raised to at least this, e.g. so a
// bias divided by input_scale x weight_scale still fits its integer type (full-integer
// quantization of a near-zero channel with a real bias).
Int8Weights QuantizeSymmetricInt8(const float* w, const std::vector<int64_t>& dims, int32_t axis,
                                  const std::vector<float>& min_scales = {});

// The real value of element `i` of quantized weights of shape `dims` (scale * q).
float DequantizeInt8(const Int8Weights& q, const std::vector<int64_t>& dims, int64_t i);

// Adds an INT8 constant holding `w` (a FLOAT32 constant) quantized along `axis` (kPerTensor or a
// dimension of `w`), with its quantization parameters (zero points 0, quantized_dimension = axis, or
// 0 per tensor). It has `w`'s dims and name; `w` itself is left alone (the host drops it once
// nothing uses it). The caller points consumers at the result with NodeView::SetInput.
StatusOr<sdk::ValueView> AddInt8Weights(sdk::GraphBuilder& g, const sdk::ValueView& w, int32_t axis,
                                        const std::vector<float>& min_scales = {});

}  // namespace tflc::quant

#endif  // TFLC_PLUGINS_QUANT_COMMON_WEIGHTS_H_
