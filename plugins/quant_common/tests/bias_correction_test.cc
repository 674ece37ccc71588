// WeightRoundingShift: the per-channel output shift int8 weights cause, checked against a direct
// convolution of a constant input (every channel at its mean) with the float and the dequantized
// weights, for dense, grouped and depthwise layouts.
#include "quant_common/bias_correction.h"

#include <gtest/gtest.h>

#include <cmath>

#include "tflc/testing/fake_host.h"

namespace tflc::quant {
namespace {

using testing::SeededFloats;

// A CONV_2D (OHWI filter [O, KH, KW, KC]) at an interior output position of an input whose channel c
// is `means[c]` everywhere: out[o] = sum over taps and k of W[o, ky, kx, k] * means[group(o) * KC + k].
std::vector<double> ConvOfConstant(const std::vector<double>& w, int64_t o_n, int64_t kh, int64_t kw, int64_t kc,
                                   const std::vector<float>& means) {
  const int64_t groups = static_cast<int64_t>(means.size()) / kc;
  std::vector<double> out(static_cast<size_t>(o_n), 0.0);
  for (int64_t o = 0; o < o_n; ++o) {
    const int64_t group = o / (o_n / groups);
    for (int64_t ky = 0; ky < kh; ++ky) {
      for (int64_t kx = 0; kx < kw; ++kx) {
        for (int64_t k = 0; k < kc; ++k) {
          out[o] += w[((o * kh + ky) * kw + kx) * kc + k] * means[group * kc + k];
        }
      }
    }
  }
  return out;
}

// A DEPTHWISE_CONV_2D (filter [1, KH, KW, C*M]) likewise: out[o] = sum over taps of W[ky, kx, o] * means[o / M].
std::vector<double> DepthwiseOfConstant(const std::vector<double>& w, int64_t kh, int64_t kw, int64_t oc,
                                        const std::vector<float>& means) {
  const int64_t m = oc / static_cast<int64_t>(means.size());
  std::vector<double> out(static_cast<size_t>(oc), 0.0);
  for (int64_t ky = 0; ky < kh; ++ky) {
    for (int64_t kx = 0; kx < kw; ++kx) {
      for (int64_t o = 0; o < oc; ++o) out[o] += w[(ky * kw + kx) * oc + o] * means[o / m];
    }
  }
  return out;
}

// scale x q in double, as the integer kernels apply it (DequantizeInt8 rounds the product to float).
std::vector<double> Dequantized(const Int8Weights& q, const std::vector<int64_t>& dims) {
  int64_t inner = 1;
  if (q.axis != kPerTensor) {
    for (size_t d = static_cast<size_t>(q.axis) + 1; d < dims.size(); ++d) inner *= dims[d];
  }
  std::vector<double> d(q.data.size());
  for (size_t i = 0; i < d.size(); ++i) {
    const size_t c = q.axis == kPerTensor ? 0 : static_cast<size_t>((static_cast<int64_t>(i) / inner) % dims[static_cast<size_t>(q.axis)]);
    EXPECT_FLOAT_EQ(static_cast<float>(static_cast<double>(q.scales[c]) * q.data[i]), DequantizeInt8(q, dims, static_cast<int64_t>(i)));
    d[i] = static_cast<double>(q.scales[c]) * q.data[i];
  }
  return d;
}

void ExpectShiftIsOutputDifference(const std::vector<double>& shift, const std::vector<double>& quantized,
                                   const std::vector<double>& exact) {
  ASSERT_EQ(shift.size(), exact.size());
  double peak = 0;
  for (size_t o = 0; o < exact.size(); ++o) peak = std::max(peak, std::fabs(quantized[o] - exact[o]));
  EXPECT_GT(peak, 0.0) << "the test weights should not be exact in int8";
  for (size_t o = 0; o < exact.size(); ++o) {
    EXPECT_NEAR(shift[o], quantized[o] - exact[o], 1e-9 + 1e-6 * peak) << "channel " << o;
  }
}

// A CONV_2D filter `dims` (OHWI) of seeded weights, quantized per output channel: the shift equals
// the difference of the convolutions of the constant input `means`.
void ExpectConvShift(const std::vector<int64_t>& dims, uint32_t seed, const std::vector<float>& means) {
  const std::vector<float> w = SeededFloats(static_cast<size_t>(sdk::NumElements(dims)), seed, 1.f);
  const Int8Weights q = QuantizeSymmetricInt8(w.data(), dims, 0);
  const std::vector<double> shift = WeightRoundingShift(w.data(), dims, q, 0, 3, means);
  const std::vector<double> wf(w.begin(), w.end());
  ExpectShiftIsOutputDifference(shift, ConvOfConstant(Dequantized(q, dims), dims[0], dims[1], dims[2], dims[3], means),
                                ConvOfConstant(wf, dims[0], dims[1], dims[2], dims[3], means));
}

TEST(WeightRoundingShift, ConvPerChannelIsTheOutputShiftAtTheMeans) {
  ExpectConvShift({5, 3, 3, 4}, 11, {0.5f, 2.f, -1.25f, 3.f});
}

TEST(WeightRoundingShift, GroupedConvReadsItsGroupsChannels) {
  // 3 groups of 2 input channels, 2 outputs each.
  ExpectConvShift({6, 1, 2, 2}, 12, {1.f, -2.f, 4.f, 0.25f, -3.f, 8.f});
}

TEST(WeightRoundingShift, DepthwiseWithMultiplierReadsChannelOverM) {
  const std::vector<int64_t> dims = {1, 3, 3, 6};  // 3 input channels, depth multiplier 2
  const std::vector<float> w = SeededFloats(3 * 3 * 6, 13, 2.f);
  const std::vector<float> means = {0.75f, -5.f, 2.5f};
  const Int8Weights q = QuantizeSymmetricInt8(w.data(), dims, 3);
  const std::vector<double> shift = WeightRoundingShift(w.data(), dims, q, 3, 3, means);
  const std::vector<double> wf(w.begin(), w.end());
  ExpectShiftIsOutputDifference(shift, DepthwiseOfConstant(Dequantized(q, dims), 3, 3, 6, means),
                                DepthwiseOfConstant(wf, 3, 3, 6, means));
}

TEST(WeightRoundingShift, FullyConnectedPerTensor) {
  const std::vector<int64_t> dims = {3, 5};  // [units, in]
  const std::vector<float> w = SeededFloats(15, 14, 1.f);
  const std::vector<float> means = {1.f, 2.f, 3.f, -4.f, 0.5f};
  const Int8Weights q = QuantizeSymmetricInt8(w.data(), dims, kPerTensor);
  const std::vector<double> shift = WeightRoundingShift(w.data(), dims, q, 0, 1, means);
  const std::vector<double> wf(w.begin(), w.end());
  // A dense layer is a 1x1 convolution.
  ExpectShiftIsOutputDifference(shift, ConvOfConstant(Dequantized(q, dims), 3, 1, 1, 5, means),
                                ConvOfConstant(wf, 3, 1, 1, 5, means));
}

TEST(WeightRoundingShift, ZeroMeansGiveNoShift) {
  const std::vector<int64_t> dims = {2, 3};
  const std::vector<float> w = {0.3f, -0.7f, 0.11f, 0.05f, 0.9f, -0.33f};
  const Int8Weights q = QuantizeSymmetricInt8(w.data(), dims, 0);
  EXPECT_EQ(WeightRoundingShift(w.data(), dims, q, 0, 1, {0.f, 0.f, 0.f}), (std::vector<double>{0.0, 0.0}));
}

TEST(WeightRoundingShift, LayoutsItCannotMapGiveNothing) {
  const std::vector<int64_t> dims = {4, 1, 1, 3};
  const std::vector<float> w = SeededFloats(12, 15, 1.f);
  const Int8Weights q = QuantizeSymmetricInt8(w.data(), dims, 0);
  EXPECT_TRUE(WeightRoundingShift(w.data(), dims, q, 0, 3, {1.f, 2.f}).empty());          // 2 channels, filter reads 3
  EXPECT_TRUE(WeightRoundingShift(w.data(), dims, q, 0, 3, {}).empty());                  // no means recorded
  EXPECT_TRUE(WeightRoundingShift(w.data(), dims, q, 0, -1, {1.f, 2.f, 3.f}).empty());    // no input axis
  EXPECT_TRUE(WeightRoundingShift(w.data(), dims, q, 0, 4, {1.f, 2.f, 3.f}).empty());     // axis beyond rank
  const std::vector<int64_t> dw = {1, 1, 1, 5};
  const Int8Weights qd = QuantizeSymmetricInt8(w.data(), dw, 3);
  EXPECT_TRUE(WeightRoundingShift(w.data(), dw, qd, 3, 3, {1.f, 2.f}).empty());  // 5 outputs from 2 inputs
  EXPECT_TRUE(WeightRoundingShift(w.data(), dims, qd, 0, 3, {1.f, 2.f, 3.f}).empty());  // scales of another layout
}

}  // namespace
}  // namespace tflc::quant
