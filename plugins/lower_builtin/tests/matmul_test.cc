// MatMul → FULLY_CONNECTED, BatchMatMul* → BATCH_MATMUL.
#include <algorithm>
#include <cmath>

#include "test_util.h"

namespace tflc::lower_builtin::testing {
namespace {

std::vector<float> Values(size_t n, float phase = 0.3f) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = std::sin(1.3f * static_cast<float>(i) + phase);
  return v;
}

TEST_F(LowerTest, MatMulTransposesWeightsAndOmitsBias) {
  h.Src("MatMul", "dense/MatMul", {h.In("x", {1, 3}), h.F("dense/kernel", {3, 4}, Values(12))});
  TFLC_ASSERT_OK(h.Lower());
  EXPECT_EQ(h.OpsString(), "TRANSPOSE FULLY_CONNECTED");
  NodeView fc = h.One("FULLY_CONNECTED");
  EXPECT_EQ(fc.name(), "dense/MatMul");
  ASSERT_EQ(fc.num_inputs(), 3u);
  EXPECT_EQ(fc.input(0).name(), "x");
  NodeView t = fc.input(1).producer();
  EXPECT_EQ(t.name(), "dense/MatMul/weights_transpose");
  EXPECT_EQ(Harness::I32(t.input(1)), (std::vector<int32_t>{1, 0}));
  EXPECT_FALSE(fc.input(2));
  EXPECT_EQ(Harness::Int(fc, "fused_activation_function"), 0);
  EXPECT_EQ(Harness::Int(fc, "keep_num_dims"), 0);
}

TEST_F(LowerTest, MatMulTransposeFlags) {
  NodeView n = h.Src("MatMul", "mm", {h.In("a", {3, 2}), h.F("b", {4, 3}, Values(12))});
  TFLC_ASSERT_OK(n.SetBool("transpose_a", true));
  TFLC_ASSERT_OK(n.SetBool("transpose_b", true));
  TFLC_ASSERT_OK(h.Lower());
  NodeView fc = h.One("FULLY_CONNECTED");
  EXPECT_EQ(fc.input(0).producer().op(), "TRANSPOSE");  // LHS transposed
  EXPECT_EQ(fc.input(0).producer().name(), "mm/lhs_transpose");
  EXPECT_EQ(fc.input(1).name(), "b");  // already [out, in]
}

TEST_F(LowerTest, BatchMatMulCarriesAdjoints) {
  NodeView n = h.Src("BatchMatMulV2", "bmm", {h.In("x", {2, 3, 2}), h.In("y", {2, 4, 3})});
  TFLC_ASSERT_OK(n.SetBool("adj_x", true));
  TFLC_ASSERT_OK(n.SetBool("adj_y", true));
  TFLC_ASSERT_OK(h.Lower());
  NodeView b = h.One("BATCH_MATMUL");
  EXPECT_EQ(Harness::Int(b, "adj_x"), 1);
  EXPECT_EQ(Harness::Int(b, "adj_y"), 1);
  EXPECT_EQ(b.input(0).name(), "x");
  EXPECT_EQ(b.input(1).name(), "y");
}

TEST_F(LowerTest, BatchMatMulV3RejectsWideningOutput) {
  NodeView n = h.Src("BatchMatMulV3", "bmm", {h.In("x", {2, 3, 2}, TFLC_TYPE_INT8), h.In("y", {2, 2, 3}, TFLC_TYPE_INT8)});
  TFLC_ASSERT_OK(n.SetType("Ta", TFLC_TYPE_INT8));
  TFLC_ASSERT_OK(n.SetType("Tout", TFLC_TYPE_INT32));
  Status s = h.Lower();
  EXPECT_EQ(s.code(), TFLC_CODE_UNIMPLEMENTED);
  EXPECT_NE(s.message().find("Tout"), std::string::npos) << s;
}

TEST_F(LowerTest, MatMulNumeric) {
  REQUIRE_OPSET();
  std::vector<float> w = Values(12, 0.9f), x = Values(6);
  h.Src("MatMul", "mm", {h.In("x", {2, 3}), h.F("w", {3, 4}, w)});
  std::vector<float> expected(8, 0.f);
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 4; ++j)
      for (int k = 0; k < 3; ++k) expected[i * 4 + j] += x[i * 3 + k] * w[k * 4 + j];
  RUN_OR_SKIP(out, h, {HostTensor::Float({2, 3}, x)});
  EXPECT_EQ(out[0].dims, (std::vector<int64_t>{2, 4}));
  ExpectNear(out[0].floats(), expected);
}

TEST_F(LowerTest, BatchMatMulNumeric) {
  REQUIRE_OPSET();
  std::vector<float> x = Values(12), y = Values(12, 1.7f);
  NodeView n = h.Src("BatchMatMul", "bmm", {h.In("x", {2, 2, 3}), h.In("y", {2, 2, 3})});
  TFLC_ASSERT_OK(n.SetBool("adj_y", true));  // x · yᵀ per batch
  std::vector<float> expected(8, 0.f);
  for (int b = 0; b < 2; ++b)
    for (int i = 0; i < 2; ++i)
      for (int j = 0; j < 2; ++j)
        for (int k = 0; k < 3; ++k) expected[(b * 2 + i) * 2 + j] += x[(b * 2 + i) * 3 + k] * y[(b * 2 + j) * 3 + k];
  RUN_OR_SKIP(out, h, {HostTensor::Float({2, 2, 3}, x), HostTensor::Float({2, 2, 3}, y)});
  EXPECT_EQ(out[0].dims, (std::vector<int64_t>{2, 2, 2}));
  ExpectNear(out[0].floats(), expected);
}

// TFLite's BATCH_MATMUL takes rank <= 5: rank 6 flattens the batch dims (and reshapes back); an
// operand whose batch dims are all 1 becomes rank 2 and is broadcast.
TEST_F(LowerTest, BatchMatMulRank6FlattensBatch) {
  REQUIRE_OPSET();
  for (bool broadcast : {false, true}) {
    SCOPED_TRACE(broadcast ? "y broadcast" : "same batch");
    Harness g;
    const std::vector<int64_t> xs = {2, 1, 2, 1, 2, 3};
    const std::vector<int64_t> ys = broadcast ? std::vector<int64_t>{1, 1, 1, 1, 3, 2}
                                              : std::vector<int64_t>{2, 1, 2, 1, 3, 2};
    const int yb = broadcast ? 1 : 4;
    std::vector<float> x = Values(24), y = Values(static_cast<size_t>(6 * yb), 1.1f);
    g.Src("BatchMatMulV2", "bmm", {g.In("x", xs), g.In("y", ys)});
    std::vector<float> expected(16, 0.f);
    for (int b = 0; b < 4; ++b)
      for (int i = 0; i < 2; ++i)
        for (int j = 0; j < 2; ++j)
          for (int k = 0; k < 3; ++k)
            expected[(b * 2 + i) * 2 + j] += x[(b * 2 + i) * 3 + k] * y[((broadcast ? 0 : b) * 3 + k) * 2 + j];
    RUN_OR_SKIP(out, g, {HostTensor::Float(xs, x), HostTensor::Float(ys, y)});
    EXPECT_EQ(g.OpsString(), "RESHAPE RESHAPE BATCH_MATMUL RESHAPE") << g.host().Dump();
    NodeView bmm = g.One("BATCH_MATMUL");
    EXPECT_EQ(bmm.input(0).dims(), (std::vector<int64_t>{4, 2, 3}));
    EXPECT_EQ(bmm.input(1).dims(), broadcast ? (std::vector<int64_t>{3, 2}) : (std::vector<int64_t>{4, 3, 2}));
    EXPECT_EQ(out[0].dims, (std::vector<int64_t>{2, 1, 2, 1, 2, 2}));
    ExpectNear(out[0].floats(), expected);
    auto bytes = g.host().Export();
    EXPECT_TRUE(bytes.ok()) << bytes.status();
  }
}

TEST_F(LowerTest, BatchMatMulRank6BroadcastingBothIsRefused) {
  h.Src("BatchMatMulV2", "bmm", {h.In("x", {2, 1, 1, 1, 2, 3}), h.In("y", {1, 3, 1, 1, 3, 2})});
  Status s = h.Lower();
  EXPECT_EQ(s.code(), TFLC_CODE_UNIMPLEMENTED) << s;
  EXPECT_NE(s.message().find("rank <= 5"), std::string::npos) << s;
  EXPECT_NE(s.message().find("bmm"), std::string::npos) << s;
}

TEST_F(LowerTest, DenseFusesIntoFullyConnected) {
  REQUIRE_OPSET();
  std::vector<float> w = Values(12, 0.9f), x = Values(3);
  NodeView mm = h.Src("MatMul", "dense/MatMul", {h.In("x", {1, 3}), h.F("dense/kernel", {3, 4}, w)}, 1, false);
  NodeView b = h.Src("BiasAdd", "dense/BiasAdd", {mm.output(0), h.F("dense/bias", {4}, {1, 2, 3, 4})}, 1, false);
  h.Src("Relu6", "dense/Relu6", {b.output(0)});
  std::vector<float> expected(4, 0.f);
  for (int j = 0; j < 4; ++j) {
    for (int k = 0; k < 3; ++k) expected[j] += x[k] * w[k * 4 + j];
    expected[j] = std::min(6.0f, std::max(0.0f, expected[j] + static_cast<float>(j + 1)));
  }
  RUN_OR_SKIP(out, h, {HostTensor::Float({1, 3}, x)});
  EXPECT_EQ(h.OpsString(), "FULLY_CONNECTED") << h.host().Dump();
  NodeView fc = h.One("FULLY_CONNECTED");
  EXPECT_EQ(Harness::Int(fc, "fused_activation_function"), 3);
  EXPECT_EQ(fc.input(1).dims(), (std::vector<int64_t>{4, 3}));  // folded [out, in]
  ExpectNear(out[0].floats(), expected);
}

}  // namespace
}  // namespace tflc::lower_builtin::testing
