#include "quant_common/weights.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

namespace tflc::quant {
namespace {

constexpr float kMaxQuantized = 127.f;
constexpr double kNearZeroTolerance = 1.0e-6;  // TF: quantization_utils.cc
constexpr float kSmallestHalfRange = static_cast<float>(kNearZeroTolerance / 2);

// Elements per step of `axis` (the product of the dimensions after it).
int64_t InnerSize(const std::vector<int64_t>& dims, int32_t axis) {
  int64_t inner = 1;
  for (size_t d = static_cast<size_t>(axis) + 1; d < dims.size(); ++d) inner *= dims[d];
  return inner;
}

size_t ChannelOf(int64_t i, int64_t inner, int64_t channels) {
  return static_cast<size_t>((i / inner) % channels);
}

}  // namespace

Int8Weights QuantizeSymmetricInt8(const float* w, const std::vector<int64_t>& dims, int32_t axis,
                                  const std::vector<float>& min_scales) {
  Int8Weights q;
  q.axis = axis;
  const int64_t n = sdk::NumElements(dims);
  const bool per_axis = axis != kPerTensor;
  const int64_t channels = per_axis ? dims[static_cast<size_t>(axis)] : 1;
  const int64_t inner = per_axis ? InnerSize(dims, axis) : 1;

  std::vector<float> half_range(static_cast<size_t>(channels), 0.f);
  for (int64_t i = 0; i < n; ++i) {
    float& h = half_range[per_axis ? ChannelOf(i, inner, channels) : 0];
    h = std::max(h, std::fabs(w[i]));
  }
  q.scales.resize(half_range.size());
  std::vector<float> inverse(half_range.size());
  for (size_t c = 0; c < half_range.size(); ++c) {
    float h = half_range[c];
    if (2.0 * h <= kNearZeroTolerance) h = std::max(h, kSmallestHalfRange);  // ExpandVerySmallRange
    q.scales[c] = h / kMaxQuantized;
    if (c < min_scales.size() && q.scales[c] < min_scales[c]) {
      q.scales[c] = min_scales[c];
      h = q.scales[c] * kMaxQuantized;
    }
    // TF's MLIR quantizer (QuantizeLegacy): per tensor PortableSymmetricQuantizeFloats multiplies by
    // 127 / range; per axis SymmetricPerChannelQuantizeValues by float(1.0 / scale).
    inverse[c] = per_axis ? static_cast<float>(1.0 / static_cast<double>(q.scales[c])) : kMaxQuantized / h;
  }
  q.data.resize(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    const float s = inverse[per_axis ? ChannelOf(i, inner, channels) : 0];
    const float r = std::round(w[i] * s);  // half away from zero, as TfLiteRound
    q.data[static_cast<size_t>(i)] = static_cast<int8_t>(std::min(kMaxQuantized, std::max(-kMaxQuantized, r)));
  }
  return q;
}

float DequantizeInt8(const Int8Weights& q, const std::vector<int64_t>& dims, int64_t i) {
  size_t c = 0;
  if (q.axis != kPerTensor) c = ChannelOf(i, InnerSize(dims, q.axis), dims[static_cast<size_t>(q.axis)]);
  return q.scales[c] * static_cast<float>(q.data[static_cast<size_t>(i)]);
}

StatusOr<sdk::ValueView> AddInt8Weights(sdk::GraphBuilder& g, const sdk::ValueView& w, int32_t axis,
                                        const std::vector<float>& min_scales) {
  const std::string name(w.name());
  if (!w.is_const() || w.type() != TFLC_TYPE_FLOAT32 || !w.fully_defined()) {
    return InvalidArgument("weights '" + name + "' must be a FLOAT32 constant of known shape to quantize to int8, got " +
                           sdk::DataTypeName(w.type()) + (w.is_const() ? " constant" : " non-constant"));
  }
  const std::vector<int64_t> dims = w.dims();
  if (axis != kPerTensor && (axis < 0 || static_cast<size_t>(axis) >= dims.size())) {
    return InvalidArgument("weights '" + name + "': quantized dimension " + std::to_string(axis) + " is outside rank " +
                           std::to_string(dims.size()));
  }
  const int64_t n = sdk::NumElements(dims);
  if (w.byte_size() != static_cast<size_t>(n) * sizeof(float)) {
    return Internal("weights '" + name + "' hold " + std::to_string(w.byte_size()) + " bytes for " + std::to_string(n) +
                    " floats");
  }
  const Int8Weights q = QuantizeSymmetricInt8(w.data_as<float>(), dims, axis, min_scales);
  void* data = nullptr;
  TFLC_ASSIGN_OR_RETURN(sdk::ValueView out, g.NewConst(name, TFLC_TYPE_INT8, dims, q.data.size(), &data));
  if (!q.data.empty()) std::memcpy(data, q.data.data(), q.data.size());
  sdk::ValueView::Quant params;
  params.scales = q.scales;
  params.zero_points.assign(q.scales.size(), 0);
  params.quantized_dimension = axis == kPerTensor ? 0 : axis;
  TFLC_RETURN_IF_ERROR(out.SetQuant(params));
  return out;
}

}  // namespace tflc::quant
