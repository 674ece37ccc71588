// QuantizeSymmetricInt8 / AddInt8Weights: scales, values, rounding, zero channels, the constant made.
#include "quant_common/weights.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "tflc/testing/fake_host.h"

namespace tflc::quant {
namespace {

using I8 = std::vector<int8_t>;

TEST(QuantizeSymmetricInt8, PerTensorRoundsHalfAwayFromZero) {
  // max |w| = 127, so scale 1 and the inverse 127 / 127 = 1 exactly: w * inverse is w itself.
  const std::vector<float> w = {127.f, 62.5f, -62.5f, 0.5f, -1.5f, 2.5f, 0.f, -127.f};
  Int8Weights q = QuantizeSymmetricInt8(w.data(), {2, 4}, kPerTensor);
  EXPECT_EQ(q.axis, kPerTensor);
  ASSERT_EQ(q.scales.size(), 1u);
  EXPECT_FLOAT_EQ(q.scales[0], 1.f);
  EXPECT_EQ(q.data, (I8{127, 63, -63, 1, -2, 3, 0, -127}));  // not banker's rounding (62, -62, 0, -2, 2)
}

TEST(QuantizeSymmetricInt8, PerTensorScaleIsMaxAbsOver127) {
  const std::vector<float> w = {0.5f, -1.0f, 0.25f, 0.f};
  Int8Weights q = QuantizeSymmetricInt8(w.data(), {4}, kPerTensor);
  EXPECT_FLOAT_EQ(q.scales[0], 1.f / 127.f);
  EXPECT_EQ(q.data, (I8{64, -127, 32, 0}));  // 63.5 -> 64, 31.75 -> 32
  for (int i = 0; i < 4; ++i) EXPECT_NEAR(DequantizeInt8(q, {4}, i), w[static_cast<size_t>(i)], q.scales[0] / 2);
}

TEST(QuantizeSymmetricInt8, PerChannelAxis0) {
  // [2, 3]: channel 0 = {1, -2, 0.5}, channel 1 = {0.1, 0.2, -0.3}.
  const std::vector<float> w = {1.f, -2.f, 0.5f, 0.1f, 0.2f, -0.3f};
  Int8Weights q = QuantizeSymmetricInt8(w.data(), {2, 3}, 0);
  EXPECT_EQ(q.axis, 0);
  ASSERT_EQ(q.scales.size(), 2u);
  EXPECT_FLOAT_EQ(q.scales[0], 2.f / 127.f);
  EXPECT_FLOAT_EQ(q.scales[1], 0.3f / 127.f);
  EXPECT_EQ(q.data, (I8{64, -127, 32, 42, 85, -127}));  // 0.1 * 423.33 = 42.33, 0.2 -> 84.67
}

TEST(QuantizeSymmetricInt8, PerChannelLastAxisLikeDepthwise) {
  // [1, 2, 2, 3], channels along axis 3: per-channel max |w| = 4, 0.5, 30.
  const std::vector<float> w = {4.f, 0.5f, 30.f,   -2.f, 0.25f, -15.f,
                                1.f, -0.5f, 3.f,   -4.f, 0.f,   7.5f};
  const std::vector<int64_t> dims = {1, 2, 2, 3};
  Int8Weights q = QuantizeSymmetricInt8(w.data(), dims, 3);
  ASSERT_EQ(q.scales.size(), 3u);
  EXPECT_FLOAT_EQ(q.scales[0], 4.f / 127.f);
  EXPECT_FLOAT_EQ(q.scales[1], 0.5f / 127.f);
  EXPECT_FLOAT_EQ(q.scales[2], 30.f / 127.f);
  // Per axis, TF multiplies by float(1 / scale), not 127 / max: -15 * 4.2333 lands just above -63.5
  // (-63), where 1 / (4 / 127) * -2 gives exactly -63.5 (-64).
  EXPECT_EQ(q.data, (I8{127, 127, 127, -64, 64, -63, 32, -127, 13, -127, 0, 32}));
  for (int64_t i = 0; i < 12; ++i) {
    EXPECT_NEAR(DequantizeInt8(q, dims, i), w[static_cast<size_t>(i)], q.scales[static_cast<size_t>(i % 3)] / 2 + 1e-6f);
  }
}

TEST(QuantizeSymmetricInt8, ZeroChannelGetsTinyPositiveScale) {
  // TF widens ranges under 1e-6 to [-5e-7, 5e-7] (ExpandVerySmallRange): scale 5e-7 / 127.
  const std::vector<float> w = {0.f, 0.f, 1.f, -1.f, 1e-7f, -2e-7f};
  Int8Weights q = QuantizeSymmetricInt8(w.data(), {3, 2}, 0);
  ASSERT_EQ(q.scales.size(), 3u);
  EXPECT_FLOAT_EQ(q.scales[0], 5e-7f / 127.f);
  EXPECT_GT(q.scales[0], 0.f);
  EXPECT_FLOAT_EQ(q.scales[1], 1.f / 127.f);
  EXPECT_FLOAT_EQ(q.scales[2], 5e-7f / 127.f);  // tiny but non-zero channel: widened too
  EXPECT_EQ(q.data, (I8{0, 0, 127, -127, 25, -51}));

  const std::vector<float> zeros(8, 0.f);
  Int8Weights t = QuantizeSymmetricInt8(zeros.data(), {8}, kPerTensor);
  EXPECT_FLOAT_EQ(t.scales[0], 5e-7f / 127.f);
  EXPECT_EQ(t.data, I8(8, 0));
}

TEST(QuantizeSymmetricInt8, ScalarPerTensor) {
  const float w = -3.f;
  Int8Weights q = QuantizeSymmetricInt8(&w, {}, kPerTensor);
  EXPECT_FLOAT_EQ(q.scales[0], 3.f / 127.f);
  EXPECT_EQ(q.data, (I8{-127}));
}

TEST(AddInt8Weights, MakesAnInt8ConstantWithPerAxisParams) {
  testing::FakeHost host;
  sdk::GraphBuilder g = host.graph();
  auto w = g.ConstFloat("dense/kernel", {2, 3}, {1.f, -2.f, 0.5f, 0.1f, 0.2f, -0.3f});
  ASSERT_TRUE(w.ok()) << w.status();
  auto q = AddInt8Weights(g, *w, 0);
  ASSERT_TRUE(q.ok()) << q.status();
  EXPECT_EQ(q->name(), "dense/kernel");
  EXPECT_EQ(q->type(), TFLC_TYPE_INT8);
  EXPECT_EQ(q->dims(), (std::vector<int64_t>{2, 3}));
  ASSERT_TRUE(q->is_const());
  ASSERT_EQ(q->byte_size(), 6u);
  I8 data(6);
  std::memcpy(data.data(), q->data(), 6);
  EXPECT_EQ(data, (I8{64, -127, 32, 42, 85, -127}));
  auto p = q->quant();
  ASSERT_EQ(p.scales.size(), 2u);
  EXPECT_FLOAT_EQ(p.scales[0], 2.f / 127.f);
  EXPECT_FLOAT_EQ(p.scales[1], 0.3f / 127.f);
  EXPECT_EQ(p.zero_points, (std::vector<int64_t>{0, 0}));
  EXPECT_EQ(p.quantized_dimension, 0);
  // The float constant is untouched.
  EXPECT_EQ(w->type(), TFLC_TYPE_FLOAT32);
}

TEST(AddInt8Weights, PerTensorAndAxisAboveZero) {
  testing::FakeHost host;
  sdk::GraphBuilder g = host.graph();
  auto w = g.ConstFloat("w", {1, 1, 2, 2}, {1.f, -0.5f, 0.25f, 2.f});
  ASSERT_TRUE(w.ok());
  auto t = AddInt8Weights(g, *w, kPerTensor);
  ASSERT_TRUE(t.ok()) << t.status();
  auto pt = t->quant();
  ASSERT_EQ(pt.scales.size(), 1u);
  EXPECT_FLOAT_EQ(pt.scales[0], 2.f / 127.f);
  EXPECT_EQ(pt.quantized_dimension, 0);
  auto a = AddInt8Weights(g, *w, 3);
  ASSERT_TRUE(a.ok()) << a.status();
  auto pa = a->quant();
  ASSERT_EQ(pa.scales.size(), 2u);
  EXPECT_EQ(pa.quantized_dimension, 3);
  EXPECT_FLOAT_EQ(pa.scales[0], 1.f / 127.f);
  EXPECT_FLOAT_EQ(pa.scales[1], 2.f / 127.f);
}

TEST(AddInt8Weights, RejectsWhatItCannotQuantize) {
  testing::FakeHost host;
  sdk::GraphBuilder g = host.graph();
  auto i = g.ConstInt32("shape", {2}, {1, 2});
  auto x = g.Input("x", TFLC_TYPE_FLOAT32, {2, 2});
  auto w = g.ConstFloat("w", {2, 2}, {1, 2, 3, 4});
  ASSERT_TRUE(i.ok() && x.ok() && w.ok());
  EXPECT_EQ(AddInt8Weights(g, *i, kPerTensor).status().code(), TFLC_CODE_INVALID_ARGUMENT);
  EXPECT_EQ(AddInt8Weights(g, *x, kPerTensor).status().code(), TFLC_CODE_INVALID_ARGUMENT);
  auto bad = AddInt8Weights(g, *w, 2);
  EXPECT_EQ(bad.status().code(), TFLC_CODE_INVALID_ARGUMENT);
  EXPECT_NE(bad.status().message().find("'w'"), std::string::npos) << bad.status().message();
}

}  // namespace
}  // namespace tflc::quant
