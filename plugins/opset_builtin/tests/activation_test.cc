// Activations and normalizations.
#include <cmath>
#include <cstring>
#include <limits>
#include <random>

#include "common.h"
#include "conv_kernels.h"
#include "test_util.h"

namespace tflc::opset_builtin::testing {
namespace {

class ActivationTest : public OpsetTest {};

const Tensor kX = F({5}, {-2, -0.5f, 0.5f, 2, 7});

TEST_F(ActivationTest, ReluFamily) {
  ExpectNear(Fold1("RELU", {kX}).f(), {0, 0, 0.5f, 2, 7});
  ExpectNear(Fold1("RELU6", {kX}).f(), {0, 0, 0.5f, 2, 6});
  ExpectNear(Fold1("RELU_N1_TO_1", {kX}).f(), {-1, -0.5f, 0.5f, 1, 1});
  ExpectNear(Fold1("RELU_0_TO_1", {kX}).f(), {0, 0, 0.5f, 1, 1});
  ExpectNear(Fold1("LEAKY_RELU", {F({2}, {-2, 3})}, {{"alpha", 0.2}}).f(), {-0.4f, 3});
}

TEST_F(ActivationTest, SmoothActivations) {
  ExpectNear(Fold1("ELU", {F({2}, {-1, 2})}).f(), {-0.63212056f, 2});
  // LOGISTIC follows TFLite's cut-offs: 1 above ~16.6, exp(x) below -9.
  ExpectNear(Fold1("LOGISTIC", {F({4}, {0, 2, 20, -10})}).f(), {0.5f, 0.88079708f, 1.f, 4.539993e-05f}, 1e-7f);
  ExpectNear(Fold1("TANH", {F({2}, {0, 1})}).f(), {0, 0.76159416f});
  ExpectNear(Fold1("GELU", {F({2}, {1, -1})}).f(), {0.84134475f, -0.15865525f});
  ExpectNear(Fold1("GELU", {F({1}, {1})}, {{"approximate", true}}).f(), {0.84119199f});
  ExpectNear(Fold1("HARD_SWISH", {F({4}, {-4, 1, 4, -1})}).f(), {0, 4.f / 6.f, 4, -2.f / 6.f});
}

TEST_F(ActivationTest, Prelu) {
  ExpectNear(Fold1("PRELU", {F({2, 2}, {-1, 2, -3, 4}), F({2}, {0.1f, 0.2f})}).f(), {-0.1f, 2, -0.3f, 4});
  NodeView n;
  TFLC_ASSERT_OK(InferOne("PRELU", {Input(TFLC_TYPE_FLOAT32, {1, 4, 4, 3}), Const(F({1, 1, 3}, {1, 1, 1}))}, {}, &n));
  EXPECT_EQ(n.output(0).dims(), (Dims{1, 4, 4, 3}));
}

TEST_F(ActivationTest, SoftmaxOverLastAxisWithBeta) {
  Tensor y = Fold1("SOFTMAX", {F({2, 3}, {1, 2, 3, 0, 0, 0})}, {{"beta", 1.0}});
  ExpectNear(y.f(), {0.09003057f, 0.24472847f, 0.66524096f, 1.f / 3, 1.f / 3, 1.f / 3});
  ExpectNear(Fold1("SOFTMAX", {F({1, 2}, {0, 2})}, {{"beta", 0.5}}).f(), {0.26894142f, 0.73105858f});
  // Large inputs do not overflow (max subtraction).
  ExpectNear(Fold1("SOFTMAX", {F({2}, {1000, 1000})}, {{"beta", 1.0}}).f(), {0.5f, 0.5f});
}

TEST_F(ActivationTest, SoftmaxNeedsBeta) {
  NodeView n;
  EXPECT_TRUE(StatusHas(InferOne("SOFTMAX", {Input(TFLC_TYPE_FLOAT32, {1, 3})}, {}, &n), TFLC_CODE_INVALID_ARGUMENT,
                        "needs the attribute 'beta'"));
}

TEST_F(ActivationTest, LogSoftmax) {
  ExpectNear(Fold1("LOG_SOFTMAX", {F({1, 3}, {1, 2, 3})}).f(), {-2.40760596f, -1.40760596f, -0.40760596f});
}

TEST_F(ActivationTest, L2Normalization) {
  ExpectNear(Fold1("L2_NORMALIZATION", {F({2, 2}, {3, 4, 0, 0})}).f(), {0.6f, 0.8f, 0, 0});
}

TEST_F(ActivationTest, LocalResponseNormalization) {
  // radius 1, bias 1, alpha 1, beta 1 over [1, 2, 3]: x / (1 + sum of squares in the window).
  Tensor y = Fold1("LOCAL_RESPONSE_NORMALIZATION", {F({1, 1, 1, 3}, {1, 2, 3})},
                   {{"radius", 1}, {"bias", 1.0}, {"alpha", 1.0}, {"beta", 1.0}});
  ExpectNear(y.f(), {1.f / 6, 2.f / 15, 3.f / 14});
  // beta 0.5: x / sqrt(2 + 0.25 * sum) = 2 / sqrt(2 + 0.25 * 8) = 1
  Tensor z = Fold1("LOCAL_RESPONSE_NORMALIZATION", {F({1, 1, 1, 2}, {2, 2})},
                   {{"radius", 2}, {"bias", 2.0}, {"alpha", 0.25}, {"beta", 0.5}});
  ExpectNear(z.f(), {1, 1});
}

TEST_F(ActivationTest, UnaryShapeKeepsUnknownDims) {
  NodeView n;
  TFLC_ASSERT_OK(InferOne("TANH", {Input(TFLC_TYPE_FLOAT32, {-1, 5})}, {}, &n));
  EXPECT_EQ(n.output(0).dims(), (Dims{-1, 5}));
  EXPECT_EQ(n.output(0).type(), TFLC_TYPE_FLOAT32);
}

// The row form of the fused activations (used by the convolution kernels) must give the same bits
// as the per-element ApplyActivation, including -0, NaN, infinities and the clamp bounds.
TEST_F(ActivationTest, RowActivationMatchesPerElementBits) {
  std::vector<float> x = {0.f, -0.f, 1.f, -1.f, 6.f, -6.f, 0.5f, -0.5f, 6.5f, -1.5f, 1e-40f, -1e-40f,
                          std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity(),
                          std::numeric_limits<float>::quiet_NaN(), -std::numeric_limits<float>::quiet_NaN(),
                          std::nextafter(6.f, 7.f), std::nextafter(1.f, 2.f), std::nextafter(-1.f, -2.f)};
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> u(-8.f, 8.f);
  for (int i = 0; i < 1000; ++i) x.push_back(u(rng));
  for (int64_t act = 0; act <= 5; ++act) {
    for (size_t n : {x.size(), size_t{7}, size_t{1}}) {  // odd lengths exercise the loop tails
      std::vector<float> row(x.begin(), x.begin() + static_cast<std::ptrdiff_t>(n));
      ApplyActivationInPlace(act, row.data(), static_cast<int64_t>(n));
      for (size_t i = 0; i < n; ++i) {
        const float want = ApplyActivation(act, x[i]);
        EXPECT_EQ(0, std::memcmp(&row[i], &want, sizeof(float))) << "act " << act << " x " << x[i];
      }
    }
  }
}

}  // namespace
}  // namespace tflc::opset_builtin::testing
