// Relu (int), LeakyRelu, Selu and Softplus decompositions, Softmax, tflc.PRelu, tflc.Gelu.
#include <cmath>

#include "test_util.h"

namespace tflc::lower_builtin::testing {
namespace {

constexpr double kAlpha = 1.6732632423543772848170429916717;
constexpr double kScale = 1.0507009873554804934193349852946;

double Selu(double x) { return x > 0 ? kScale * x : kScale * kAlpha * std::expm1(x); }

std::vector<float> Sweep() {
  std::vector<float> x;
  for (int i = 0; i < 17; ++i) x.push_back(-4.0f + 0.5f * static_cast<float>(i));
  return x;
}

TEST_F(LowerTest, ReluFloat) {
  h.Src("Relu", "act", {h.In("x", {3})});
  TFLC_ASSERT_OK(h.Lower());
  EXPECT_EQ(h.OpsString(), "RELU");
  EXPECT_EQ(h.One("RELU").name(), "act");
}

TEST_F(LowerTest, ReluInt32BecomesMaximum) {
  h.Src("Relu", "act", {h.In("x", {3}, TFLC_TYPE_INT32)});
  TFLC_ASSERT_OK(h.Lower());
  NodeView m = h.One("MAXIMUM");
  EXPECT_EQ(m.input(0).name(), "x");
  EXPECT_EQ(Harness::I32(m.input(1)), std::vector<int32_t>{0});
}

TEST_F(LowerTest, LeakyReluAlpha) {
  TFLC_ASSERT_OK(h.Src("LeakyRelu", "lrelu", {h.In("x", {3})}).SetFloat("alpha", 0.3));
  TFLC_ASSERT_OK(h.Lower());
  EXPECT_NEAR(Harness::Float(h.One("LEAKY_RELU"), "alpha"), 0.3, 1e-9);
}

TEST_F(LowerTest, LeakyReluDefaultAlpha) {
  h.Src("LeakyRelu", "lrelu", {h.In("x", {3})});
  TFLC_ASSERT_OK(h.Lower());
  EXPECT_NEAR(Harness::Float(h.One("LEAKY_RELU"), "alpha"), 0.2, 1e-9);
}

TEST_F(LowerTest, SoftmaxBetaOne) {
  h.Src("Softmax", "sm", {h.In("x", {2, 3})});
  TFLC_ASSERT_OK(h.Lower());
  EXPECT_DOUBLE_EQ(Harness::Float(h.One("SOFTMAX"), "beta"), 1.0);
}

// Selu = scale·alpha·ELU(x) + scale·(1 − alpha)·RELU(x). The structure is checked, and the
// decomposition is evaluated here with the constants the lowering emitted, against selu itself.
TEST_F(LowerTest, SeluDecomposition) {
  h.Src("Selu", "model/act", {h.In("x", {17})});
  TFLC_ASSERT_OK(h.Lower());
  NodeView add = h.One("ADD");
  EXPECT_EQ(add.name(), "model/act");
  EXPECT_EQ(h.OutputProducer(0).get(), add.get());
  NodeView mul_elu = add.input(0).producer(), mul_relu = add.input(1).producer();
  ASSERT_EQ(mul_elu.op(), "MUL");
  ASSERT_EQ(mul_relu.op(), "MUL");
  NodeView elu = mul_elu.input(0).producer(), relu = mul_relu.input(0).producer();
  ASSERT_EQ(elu.op(), "ELU");
  ASSERT_EQ(relu.op(), "RELU");
  EXPECT_EQ(elu.input(0).name(), "x");
  EXPECT_EQ(relu.input(0).name(), "x");
  const float c_elu = Harness::F32(mul_elu.input(1)).at(0), c_relu = Harness::F32(mul_relu.input(1)).at(0);
  for (float x : Sweep()) {
    double e = x > 0 ? x : std::expm1(static_cast<double>(x));
    double r = x > 0 ? x : 0;
    EXPECT_NEAR(c_elu * e + c_relu * r, Selu(x), 1e-5) << "x = " << x;
  }
}

TEST_F(LowerTest, SeluNumeric) {
  REQUIRE_OPSET();
  h.Src("Selu", "act", {h.In("x", {17})});
  std::vector<float> x = Sweep(), expected;
  for (float v : x) expected.push_back(static_cast<float>(Selu(v)));
  RUN_OR_SKIP(out, h, {HostTensor::Float({17}, x)});
  ExpectNear(out[0].floats(), expected, 2e-5f);
}

TEST_F(LowerTest, SoftplusDecomposition) {
  h.Src("Softplus", "sp", {h.In("x", {4})});
  TFLC_ASSERT_OK(h.Lower());
  EXPECT_EQ(h.OpsString(), "EXP ADD LOG");
  NodeView log = h.One("LOG");
  EXPECT_EQ(log.name(), "sp");
  NodeView add = log.input(0).producer();
  EXPECT_EQ(add.input(0).producer().op(), "EXP");
  EXPECT_EQ(Harness::F32(add.input(1)), std::vector<float>{1.0f});
}

TEST_F(LowerTest, SoftplusRejectsIntegers) {
  h.Src("Softplus", "sp", {h.In("x", {4}, TFLC_TYPE_INT32)});
  EXPECT_EQ(h.Lower().code(), TFLC_CODE_UNIMPLEMENTED);
}

TEST_F(LowerTest, SoftplusNumeric) {
  REQUIRE_OPSET();
  h.Src("Softplus", "sp", {h.In("x", {17})});
  std::vector<float> x = Sweep(), expected;
  for (float v : x) expected.push_back(std::log1p(std::exp(v)));
  RUN_OR_SKIP(out, h, {HostTensor::Float({17}, x)});
  ExpectNear(out[0].floats(), expected, 1e-5f);
}

TEST_F(LowerTest, PReluComposite) {
  h.Src("tflc.PRelu", "prelu", {h.In("x", {1, 2, 3}), h.F("alpha", {1, 3}, {0.1f, 0.2f, 0.3f})});
  TFLC_ASSERT_OK(h.Lower());
  NodeView p = h.One("PRELU");
  EXPECT_EQ(p.input(0).name(), "x");
  EXPECT_EQ(p.input(1).name(), "alpha");
}

TEST_F(LowerTest, PReluNumeric) {
  REQUIRE_OPSET();
  h.Src("tflc.PRelu", "prelu", {h.In("x", {1, 2, 3}), h.F("alpha", {1, 3}, {0.1f, 0.2f, 0.3f})});
  RUN_OR_SKIP(out, h, {HostTensor::Float({1, 2, 3}, {-1, 2, -3, 4, -5, -6})});
  ExpectNear(out[0].floats(), {-0.1f, 2, -0.9f, 4, -1.0f, -1.8f});
}

TEST_F(LowerTest, GeluComposite) {
  TFLC_ASSERT_OK(h.Src("tflc.Gelu", "gelu", {h.In("x", {3})}).SetBool("approximate", true));
  TFLC_ASSERT_OK(h.Lower());
  EXPECT_EQ(Harness::Int(h.One("GELU"), "approximate"), 1);
}

TEST_F(LowerTest, GeluNumeric) {
  REQUIRE_OPSET();
  for (bool approximate : {false, true}) {
    SCOPED_TRACE(approximate);
    Harness hh;
    TFLC_ASSERT_OK(hh.Src("tflc.Gelu", "gelu", {hh.In("x", {17})}).SetBool("approximate", approximate));
    std::vector<float> x = Sweep(), expected;
    for (float v : x) {
      double g = approximate
                     ? 0.5 * v * (1 + std::tanh(std::sqrt(2 / M_PI) * (v + 0.044715 * v * v * v)))
                     : 0.5 * v * (1 + std::erf(v / std::sqrt(2.0)));
      expected.push_back(static_cast<float>(g));
    }
    RUN_OR_SKIP(out, hh, {HostTensor::Float({17}, x)});
    ExpectNear(out[0].floats(), expected, 1e-4f);
  }
}

TEST_F(LowerTest, ActivationsNumeric) {
  REQUIRE_OPSET();
  std::vector<float> x = Sweep();
  {
    Harness hh;
    TFLC_ASSERT_OK(hh.Src("LeakyRelu", "a", {hh.In("x", {17})}).SetFloat("alpha", 0.1));
    std::vector<float> e;
    for (float v : x) e.push_back(v > 0 ? v : 0.1f * v);
    RUN_OR_SKIP(out, hh, {HostTensor::Float({17}, x)});
    ExpectNear(out[0].floats(), e);
  }
  {
    Harness hh;
    hh.Src("Relu", "a", {hh.In("x", {17})});
    std::vector<float> e;
    for (float v : x) e.push_back(v > 0 ? v : 0);
    RUN_OR_SKIP(out, hh, {HostTensor::Float({17}, x)});
    ExpectNear(out[0].floats(), e);
  }
  {
    Harness hh;
    hh.Src("Softmax", "a", {hh.In("x", {1, 3})});
    double s = std::exp(1.0) + std::exp(2.0) + std::exp(3.0);
    RUN_OR_SKIP(out, hh, {HostTensor::Float({1, 3}, {1, 2, 3})});
    ExpectNear(out[0].floats(), {static_cast<float>(std::exp(1.0) / s), static_cast<float>(std::exp(2.0) / s),
                                 static_cast<float>(std::exp(3.0) / s)});
  }
  {
    Harness hh;
    hh.Src("LogSoftmax", "a", {hh.In("x", {1, 3})});
    double l = std::log(std::exp(1.0) + std::exp(2.0) + std::exp(3.0));
    RUN_OR_SKIP(out, hh, {HostTensor::Float({1, 3}, {1, 2, 3})});
    ExpectNear(out[0].floats(), {static_cast<float>(1 - l), static_cast<float>(2 - l), static_cast<float>(3 - l)});
  }
}

}  // namespace
}  // namespace tflc::lower_builtin::testing
