#include "quant_common/bias_correction.h"

#include <cstddef>

#include "tflc/sdk/plugin.h"

namespace tflc::quant {

std::vector<double> WeightRoundingShift(const float* w, const std::vector<int64_t>& dims, const Int8Weights& q,
                                        int32_t output_axis, int32_t input_axis,
                                        const std::vector<float>& input_means) {
  const int32_t rank = static_cast<int32_t>(dims.size());
  if (output_axis < 0 || output_axis >= rank || input_axis < 0 || input_axis >= rank || input_means.empty()) return {};
  const int64_t out_channels = dims[static_cast<size_t>(output_axis)];
  const int64_t in_channels = static_cast<int64_t>(input_means.size());
  const int64_t n = sdk::NumElements(dims);
  if (out_channels <= 0 || n <= 0 || q.data.size() != static_cast<size_t>(n)) return {};
  const bool per_channel = q.axis != kPerTensor;
  if (per_channel ? (q.axis != output_axis || q.scales.size() != static_cast<size_t>(out_channels)) : q.scales.size() != 1) {
    return {};
  }
  // Which input channel output channel o, weight index k (along input_axis) multiplies.
  const bool depthwise = input_axis == output_axis;
  const int64_t kc = depthwise ? 1 : dims[static_cast<size_t>(input_axis)];
  int64_t multiplier = 1, groups = 1;
  if (depthwise) {
    if (out_channels % in_channels != 0) return {};
    multiplier = out_channels / in_channels;
  } else {
    if (kc <= 0 || in_channels % kc != 0) return {};
    groups = in_channels / kc;
    if (out_channels % groups != 0) return {};
  }
  std::vector<int64_t> stride(dims.size(), 1);
  for (size_t d = dims.size(); d-- > 1;) stride[d - 1] = stride[d] * dims[d];
  const int64_t so = stride[static_cast<size_t>(output_axis)], si = stride[static_cast<size_t>(input_axis)];

  std::vector<double> shift(static_cast<size_t>(out_channels), 0.0);
  for (int64_t i = 0; i < n; ++i) {
    const int64_t o = (i / so) % out_channels;
    const int64_t ic = depthwise ? o / multiplier : (o / (out_channels / groups)) * kc + (i / si) % kc;
    const double scale = q.scales[per_channel ? static_cast<size_t>(o) : 0];
    const double error = scale * q.data[static_cast<size_t>(i)] - static_cast<double>(w[i]);
    shift[static_cast<size_t>(o)] += error * static_cast<double>(input_means[static_cast<size_t>(ic)]);
  }
  return shift;
}

}  // namespace tflc::quant
