// Identity & co (removed), FusedBatchNorm*, OneHot, TopKV2, Cumsum, LRN.
#include <cmath>

#include "test_util.h"

namespace tflc::lower_builtin::testing {
namespace {

TEST(IdentityRows, AreRemoved) {
  for (const char* op : {"Identity", "StopGradient", "Snapshot", "CheckNumerics", "PreventGradient"}) {
    SCOPED_TRACE(op);
    Harness h;
    ValueView x = h.In("x", {3});
    NodeView relu = h.Src("Relu", "relu", {x}, 1, false);
    NodeView id = h.Src(op, "id", {relu.output(0)}, 1, false);
    h.Src("Tanh", "tanh", {id.output(0)});
    TFLC_ASSERT_OK(h.Lower());
    EXPECT_EQ(h.OpsString(), "RELU TANH");
    EXPECT_EQ(h.One("TANH").input(0).producer().op(), "RELU");
  }
}

TEST_F(LowerTest, IdentityNForwardsEachOutput) {
  ValueView a = h.In("a", {2}), b = h.In("b", {3});
  NodeView id = h.Src("IdentityN", "idn", {a, b}, 2, false);
  h.Src("Neg", "neg", {id.output(1)});
  TFLC_ASSERT_OK(h.Lower());
  EXPECT_EQ(h.One("NEG").input(0).name(), "b");
}

TEST_F(LowerTest, IdentityAsGraphOutputForwardsAnIntermediateValue) {
  NodeView relu = h.Src("Relu", "relu", {h.In("x", {3})}, 1, false);
  h.Src("Identity", "id", {relu.output(0)});
  TFLC_ASSERT_OK(h.Lower());
  EXPECT_EQ(h.OpsString(), "RELU");
  EXPECT_EQ(h.Output(0).producer().op(), "RELU");
}

// A graph input passed straight to a graph output, or one value listed as two graph outputs, gets
// a tensor of its own: LiteRT miscomputes subgraphs whose outputs alias an input or each other.
TEST_F(LowerTest, IdentityOfAGraphInputAsGraphOutputCopies) {
  h.Src("Identity", "id", {h.In("x", {3})});
  TFLC_ASSERT_OK(h.Lower());
  EXPECT_EQ(h.OpsString(), "RESHAPE");
  EXPECT_EQ(h.Output(0).producer().input(0).name(), "x");
}

TEST_F(LowerTest, NoOpDisappears) {
  h.Src("NoOp", "noop", {}, 0);
  TFLC_ASSERT_OK(h.Lower());
  EXPECT_EQ(h.OpsString(), "");
}

NodeView BatchNorm(Harness& h, const std::string& op, bool constant_stats, size_t outputs = 5) {
  ValueView x = h.In("x", {1, 2, 2, 2});
  std::vector<ValueView> in = {x, h.F("gamma", {2}, {1.5f, 0.5f}), h.F("beta", {2}, {0.1f, -0.2f})};
  if (constant_stats) {
    in.push_back(h.F("mean", {2}, {0.3f, -1.0f}));
    in.push_back(h.F("var", {2}, {4.0f, 0.25f}));
  } else {
    in.push_back(h.In("mean", {2}));
    in.push_back(h.In("var", {2}));
  }
  NodeView n = h.Src(op, "bn/" + op, in, outputs, false);
  TFLC_EXPECT_OK(h.g().Output(n.output(0), "y"));
  TFLC_EXPECT_OK(n.SetFloat("epsilon", 0.001));
  TFLC_EXPECT_OK(n.SetBool("is_training", false));
  TFLC_EXPECT_OK(n.SetString("data_format", "NHWC"));
  return n;
}

TEST_F(LowerTest, FusedBatchNormPrecomputesConstants) {
  BatchNorm(h, "FusedBatchNormV3", true, 6);
  TFLC_ASSERT_OK(h.Lower());
  EXPECT_EQ(h.OpsString(), "MUL ADD");
  NodeView add = h.One("ADD"), mul = h.One("MUL");
  EXPECT_EQ(add.name(), "bn/FusedBatchNormV3");
  EXPECT_EQ(mul.name(), "bn/FusedBatchNormV3/mul");
  EXPECT_EQ(mul.input(0).name(), "x");
  EXPECT_EQ(add.input(0).producer().get(), mul.get());
  const std::vector<float> m = Harness::F32(mul.input(1)), s = Harness::F32(add.input(1));
  const float m0 = 1.5f / std::sqrt(4.0f + 0.001f), m1 = 0.5f / std::sqrt(0.25f + 0.001f);
  ExpectNear(m, {m0, m1}, 1e-6f);
  ExpectNear(s, {0.1f - 0.3f * m0, -0.2f + 1.0f * m1}, 1e-6f);
  EXPECT_EQ(Harness::Int(mul, "fused_activation_function"), 0);
}

TEST_F(LowerTest, FusedBatchNormWithVariableStatistics) {
  BatchNorm(h, "FusedBatchNorm", false);
  TFLC_ASSERT_OK(h.Lower());
  EXPECT_EQ(h.All("RSQRT").size(), 1u);
  EXPECT_EQ(h.All("SUB").size(), 1u);
  EXPECT_EQ(h.All("MUL").size(), 3u);
  EXPECT_EQ(h.All("ADD").size(), 2u);
  NodeView out = h.OutputProducer(0);
  EXPECT_EQ(out.op(), "ADD");
  EXPECT_EQ(out.name(), "bn/FusedBatchNorm");
  EXPECT_EQ(out.input(1).producer().op(), "SUB");
  NodeView rsqrt = h.One("RSQRT");
  NodeView var_eps = rsqrt.input(0).producer();
  EXPECT_EQ(var_eps.input(0).name(), "var");
  EXPECT_EQ(Harness::F32(var_eps.input(1)), std::vector<float>{0.001f});
}

TEST_F(LowerTest, FusedBatchNormStatisticsOutputsForwardTheInputs) {
  NodeView n = BatchNorm(h, "FusedBatchNormV2", true);
  h.Src("Neg", "neg", {n.output(1)});
  TFLC_ASSERT_OK(h.Lower());
  EXPECT_EQ(h.One("NEG").input(0).name(), "mean");
}

TEST_F(LowerTest, FusedBatchNormRejectsTraining) {
  TFLC_ASSERT_OK(BatchNorm(h, "FusedBatchNormV3", true, 6).SetBool("is_training", true));
  Status s = h.Lower();
  EXPECT_EQ(s.code(), TFLC_CODE_UNIMPLEMENTED);
  EXPECT_NE(s.message().find("is_training"), std::string::npos) << s;
  EXPECT_NE(s.message().find("bn/FusedBatchNormV3"), std::string::npos) << s;
}

TEST_F(LowerTest, FusedBatchNormRejectsUsedReserveSpace) {
  NodeView n = BatchNorm(h, "FusedBatchNormV3", true, 6);
  h.Src("Neg", "neg", {n.output(5)});
  Status s = h.Lower();
  EXPECT_EQ(s.code(), TFLC_CODE_UNIMPLEMENTED);
  EXPECT_NE(s.message().find("reserve"), std::string::npos) << s;
}

TEST_F(LowerTest, FusedBatchNormNumeric) {
  REQUIRE_OPSET();
  for (bool constant : {true, false}) {
    SCOPED_TRACE(constant);
    Harness hh;
    BatchNorm(hh, "FusedBatchNormV3", constant, 6);
    std::vector<float> x = {1, 2, 3, 4, 5, 6, 7, 8};
    const float gamma[] = {1.5f, 0.5f}, beta[] = {0.1f, -0.2f}, mean[] = {0.3f, -1.0f}, var[] = {4.0f, 0.25f};
    std::vector<float> expected;
    for (size_t i = 0; i < x.size(); ++i) {
      size_t c = i % 2;
      expected.push_back((x[i] - mean[c]) / std::sqrt(var[c] + 0.001f) * gamma[c] + beta[c]);
    }
    std::vector<HostTensor> inputs = {HostTensor::Float({1, 2, 2, 2}, x)};
    if (!constant) {
      inputs.push_back(HostTensor::Float({2}, {mean[0], mean[1]}));
      inputs.push_back(HostTensor::Float({2}, {var[0], var[1]}));
    }
    RUN_OR_SKIP(out, hh, inputs);
    ExpectNear(out[0].floats(), expected, 1e-5f);
  }
}

TEST_F(LowerTest, OneHotAxis) {
  TFLC_ASSERT_OK(h.Src("OneHot", "oh", {h.In("i", {2}, TFLC_TYPE_INT32), h.Scalar("depth", 3), h.F("on", {}, {1}),
                                         h.F("off", {}, {0})})
                     .SetInt("axis", 0));
  TFLC_ASSERT_OK(h.Lower());
  NodeView o = h.One("ONE_HOT");
  EXPECT_EQ(Harness::Int(o, "axis"), 0);
  EXPECT_EQ(o.num_inputs(), 4u);
}

TEST_F(LowerTest, TopKHasTwoOutputs) {
  h.Src("TopKV2", "topk", {h.In("x", {5}), h.Scalar("k", 2)}, 2);
  TFLC_ASSERT_OK(h.Lower());
  NodeView t = h.One("TOPK_V2");
  EXPECT_EQ(t.num_outputs(), 2u);
  EXPECT_EQ(h.Output(1).get(), t.output(1).get());
}

TEST_F(LowerTest, CumsumFlags) {
  NodeView n = h.Src("Cumsum", "cs", {h.In("x", {4}), h.Scalar("axis", 0)});
  TFLC_ASSERT_OK(n.SetBool("exclusive", true));
  TFLC_ASSERT_OK(n.SetBool("reverse", true));
  TFLC_ASSERT_OK(h.Lower());
  NodeView c = h.One("CUMSUM");
  EXPECT_EQ(Harness::Int(c, "exclusive"), 1);
  EXPECT_EQ(Harness::Int(c, "reverse"), 1);
}

TEST_F(LowerTest, LRNParameters) {
  NodeView n = h.Src("LRN", "lrn", {h.In("x", {1, 1, 1, 4})});
  TFLC_ASSERT_OK(n.SetInt("depth_radius", 2));
  TFLC_ASSERT_OK(n.SetFloat("bias", 2.0));
  TFLC_ASSERT_OK(n.SetFloat("alpha", 0.5));
  TFLC_ASSERT_OK(n.SetFloat("beta", 0.75));
  TFLC_ASSERT_OK(h.Lower());
  NodeView l = h.One("LOCAL_RESPONSE_NORMALIZATION");
  EXPECT_EQ(Harness::Int(l, "radius"), 2);
  EXPECT_DOUBLE_EQ(Harness::Float(l, "bias"), 2.0);
  EXPECT_DOUBLE_EQ(Harness::Float(l, "alpha"), 0.5);
  EXPECT_DOUBLE_EQ(Harness::Float(l, "beta"), 0.75);
}

TEST_F(LowerTest, MiscNumeric) {
  REQUIRE_OPSET();
  {
    Harness hh;
    hh.Src("OneHot", "oh", {hh.In("i", {2}, TFLC_TYPE_INT32), hh.Scalar("depth", 3), hh.F("on", {}, {5}),
                            hh.F("off", {}, {-1})});
    RUN_OR_SKIP(out, hh, {HostTensor::Int32({2}, {2, 0})});
    ExpectNear(out[0].floats(), {-1, -1, 5, 5, -1, -1});
  }
  {
    Harness hh;
    hh.Src("TopKV2", "topk", {hh.In("x", {5}), hh.Scalar("k", 2)}, 2);
    RUN_OR_SKIP(out, hh, {HostTensor::Float({5}, {3, 9, 1, 7, 5})});
    ExpectNear(out[0].floats(), {9, 7});
    EXPECT_EQ(out[1].int32s(), (std::vector<int32_t>{1, 3}));
  }
  {
    Harness hh;
    TFLC_ASSERT_OK(hh.Src("Cumsum", "cs", {hh.In("x", {4}), hh.Scalar("axis", 0)}).SetBool("exclusive", true));
    RUN_OR_SKIP(out, hh, {HostTensor::Float({4}, {1, 2, 3, 4})});
    ExpectNear(out[0].floats(), {0, 1, 3, 6});
  }
  {
    Harness hh;
    NodeView n = hh.Src("LRN", "lrn", {hh.In("x", {1, 1, 1, 3})});
    TFLC_ASSERT_OK(n.SetInt("depth_radius", 1));
    TFLC_ASSERT_OK(n.SetFloat("bias", 1.0));
    TFLC_ASSERT_OK(n.SetFloat("alpha", 0.5));
    TFLC_ASSERT_OK(n.SetFloat("beta", 0.5));
    std::vector<float> x = {1, 2, 3}, expected;
    for (int c = 0; c < 3; ++c) {
      float sq = 0;
      for (int k = std::max(0, c - 1); k <= std::min(2, c + 1); ++k) sq += x[k] * x[k];
      expected.push_back(x[c] / std::pow(1.0f + 0.5f * sq, 0.5f));
    }
    RUN_OR_SKIP(out, hh, {HostTensor::Float({1, 1, 1, 3}, x)});
    ExpectNear(out[0].floats(), expected);
  }
}

}  // namespace
}  // namespace tflc::lower_builtin::testing
