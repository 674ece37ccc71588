// Bias correction for int8 weights (Nagel et al., "Data-Free Quantization Through Weight
// Equalization and Bias Correction", 2019, section 4.2, with the input means measured rather than
// inferred from batch-norm statistics).
//
// Rounding the weights W to Wq moves every output channel o of a weight op by
//   e[o] = sum_k (Wq - W)[o, k] * x[k]
// whose expectation E[e[o]] = sum_k (Wq - W)[o, k] * E[x[k]] is a fixed offset per channel when the
// inputs have a non-zero mean (post-ReLU activations always do). Subtracting it from the bias
// removes that systematic shift; what remains is zero-mean rounding noise. E[x] per input channel
// comes from calibration (sdk::ValueView::ChannelMeans, ABI 1.2). Spatial positions share a
// channel's mean, so for convolutions the offset is exact away from the zero padding.
#ifndef TFLC_PLUGINS_QUANT_COMMON_BIAS_CORRECTION_H_
#define TFLC_PLUGINS_QUANT_COMMON_BIAS_CORRECTION_H_

#include <cstdint>
#include <vector>

#include "quant_common/weights.h"

namespace tflc::quant {

// E[(Wq - W) x] for each output channel, or empty when the layout does not say which input channel
// each weight multiplies.
//   w, dims          the float weights (row-major)
//   q                the same weights quantized (Int8Weights: data, per-channel or per-tensor scales)
//   output_axis      the axis of `dims` indexing output channels (TflcOpsetEntry.weight_output_axis)
//   input_axis       the axis indexing input channels (TflcOpsetEntry.weight_input_channel_axis).
//                    Equal to output_axis for depthwise weights [1, H, W, C*M]: output channel o
//                    reads input channel o / M. Otherwise a grouped convolution reads input channel
//                    group(o) * dims[input_axis] + k, with groups = input_means.size() / dims[input_axis].
//   input_means      E[x] for each channel of the activation the weights multiply.
std::vector<double> WeightRoundingShift(const float* w, const std::vector<int64_t>& dims, const Int8Weights& q,
                                        int32_t output_axis, int32_t input_axis,
                                        const std::vector<float>& input_means);

}  // namespace tflc::quant

#endif  // TFLC_PLUGINS_QUANT_COMMON_BIAS_CORRECTION_H_
