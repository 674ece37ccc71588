// RESHAPE, SQUEEZE, EXPAND_DIMS, TRANSPOSE, CONCATENATION, PACK, UNPACK, SPLIT, SPLIT_V, TILE,
// BROADCAST_TO, SHAPE, FILL, RANGE, REVERSE_V2, ONE_HOT.
#include "test_util.h"
#include "opset_builtin.h"
#include "tflc/testing/fake_host.h"

namespace tflc::opset_builtin::testing {
namespace {

class ShapeOpsTest : public OpsetTest {};

std::vector<float> Iota(int n) {
  std::vector<float> v;
  for (int i = 1; i <= n; ++i) v.push_back(static_cast<float>(i));
  return v;
}

TEST_F(ShapeOpsTest, ReshapeInfersMinusOne) {
  Tensor y = Fold1("RESHAPE", {F({2, 3}, Iota(6)), Vec({3, -1})});
  EXPECT_EQ(y.dims, (Dims{3, 2}));
  ExpectNear(y.f(), Iota(6));
  Tensor s = Fold1("RESHAPE", {F({1, 1}, {5}), I32({0}, {})});  // [] = scalar
  EXPECT_EQ(s.dims, (Dims{}));
  EXPECT_EQ(Fold1("RESHAPE", {I64({4}, {1, 2, 3, 4}), Vec({2, 2})}).i64(), (std::vector<int64_t>{1, 2, 3, 4}));
}

TEST_F(ShapeOpsTest, ReshapeShapes) {
  NodeView n;
  TFLC_ASSERT_OK(InferOne("RESHAPE", {Input(TFLC_TYPE_FLOAT32, {1, 7, 7, 8}), Const(Vec({1, -1}))}, {}, &n));
  EXPECT_EQ(n.output(0).dims(), (Dims{1, 392}));
  // Unknown batch: -1 stays unknown; a non-constant shape of known length gives the rank.
  TFLC_ASSERT_OK(InferOne("RESHAPE", {Input(TFLC_TYPE_FLOAT32, {-1, 4, 2}), Const(Vec({-1, 8}))}, {}, &n));
  EXPECT_EQ(n.output(0).dims(), (Dims{-1, 8}));
  TFLC_ASSERT_OK(InferOne("RESHAPE", {Input(TFLC_TYPE_FLOAT32, {2, 4}), Input(TFLC_TYPE_INT32, {3})}, {}, &n));
  EXPECT_EQ(n.output(0).dims(), (Dims{-1, -1, -1}));
  EXPECT_TRUE(StatusHas(ShapeStatus("RESHAPE", {Arg::In(TFLC_TYPE_FLOAT32, {2, 3}), Vec({4, 2})}),
                        TFLC_CODE_INVALID_ARGUMENT, "cannot reshape [2,3] (6 elements) into [4,2] (8 elements)"));
  EXPECT_TRUE(StatusHas(ShapeStatus("RESHAPE", {Arg::In(TFLC_TYPE_FLOAT32, {2, 3}), Vec({-1, -1})}),
                        TFLC_CODE_INVALID_ARGUMENT, "more than one -1"));
}

TEST_F(ShapeOpsTest, SqueezeAndExpandDims) {
  EXPECT_EQ(Fold1("SQUEEZE", {F({1, 2, 1, 3, 1}, Iota(6))}).dims, (Dims{2, 3}));
  EXPECT_EQ(Fold1("SQUEEZE", {F({1, 2, 1, 3, 1}, Iota(6))}, {{"squeeze_dims", std::vector<int64_t>{2, -1}}}).dims,
            (Dims{1, 2, 3}));
  Tensor e = Fold1("EXPAND_DIMS", {F({2, 3}, Iota(6)), Scalar(-1)});
  EXPECT_EQ(e.dims, (Dims{2, 3, 1}));
  ExpectNear(e.f(), Iota(6));
  EXPECT_EQ(Fold1("EXPAND_DIMS", {F({2, 3}, Iota(6)), Vec({0})}).dims, (Dims{1, 2, 3}));
  EXPECT_TRUE(StatusHas(ShapeStatus("SQUEEZE", {Arg::In(TFLC_TYPE_FLOAT32, {1, 2})}, {{"squeeze_dims", std::vector<int64_t>{1}}}),
                        TFLC_CODE_INVALID_ARGUMENT, "cannot squeeze dimension 1 of [1,2]"));
  EXPECT_TRUE(StatusHas(ShapeStatus("EXPAND_DIMS", {Arg::In(TFLC_TYPE_FLOAT32, {2}), Scalar(3)}),
                        TFLC_CODE_INVALID_ARGUMENT, "axis 3 is out of range for rank 2"));
}

TEST_F(ShapeOpsTest, Transpose) {
  Tensor t = Fold1("TRANSPOSE", {F({2, 3}, Iota(6)), Vec({1, 0})});
  EXPECT_EQ(t.dims, (Dims{3, 2}));
  ExpectNear(t.f(), {1, 4, 2, 5, 3, 6});
  // HWIO -> OHWI style permutation on [2,3,4]: out[k][i][j] = in[i][j][k].
  std::vector<float> in = Iota(24), want;
  for (int k = 0; k < 4; ++k)
    for (int i = 0; i < 2; ++i)
      for (int j = 0; j < 3; ++j) want.push_back(in[(i * 3 + j) * 4 + k]);
  Tensor u = Fold1("TRANSPOSE", {F({2, 3, 4}, in), Vec({2, 0, 1})});
  EXPECT_EQ(u.dims, (Dims{4, 2, 3}));
  ExpectNear(u.f(), want);
  EXPECT_EQ(Fold1("TRANSPOSE", {I8({2, 2}, {1, 2, 3, 4}), Vec({1, 0})}).as<int8_t>(), (std::vector<int8_t>{1, 3, 2, 4}));
  NodeView n;
  EXPECT_TRUE(StatusHas(InferOne("TRANSPOSE", {Input(TFLC_TYPE_FLOAT32, {2, 3}), Const(Vec({0, 0}))}, {}, &n),
                        TFLC_CODE_INVALID_ARGUMENT, "not a permutation"));
}

TEST_F(ShapeOpsTest, Concatenation) {
  Tensor c = Fold1("CONCATENATION", {F({2, 2}, {1, 2, 3, 4}), F({2, 1}, {5, 6})}, {{"axis", -1}});
  EXPECT_EQ(c.dims, (Dims{2, 3}));
  ExpectNear(c.f(), {1, 2, 5, 3, 4, 6});
  EXPECT_EQ(Fold1("CONCATENATION", {Vec({1}), Vec({2, 3})}, {{"axis", 0}}).i32(), (std::vector<int32_t>{1, 2, 3}));
  ExpectNear(Fold1("CONCATENATION", {F({1}, {-1}), F({1}, {2})}, {{"axis", 0}, {"fused_activation_function", 1}}).f(), {0, 2});
  NodeView n;
  TFLC_ASSERT_OK(InferOne("CONCATENATION", {Input(TFLC_TYPE_FLOAT32, {-1, 4}), Input(TFLC_TYPE_FLOAT32, {-1, 5})},
                          {{"axis", 1}}, &n));
  EXPECT_EQ(n.output(0).dims(), (Dims{-1, 9}));
  EXPECT_TRUE(StatusHas(InferOne("CONCATENATION", {Input(TFLC_TYPE_FLOAT32, {2, 4}), Input(TFLC_TYPE_FLOAT32, {3, 5})},
                                 {{"axis", 1}}, &n),
                        TFLC_CODE_INVALID_ARGUMENT, "inputs differ outside the concatenation axis 1"));
}

TEST_F(ShapeOpsTest, PackAndUnpack) {
  Tensor p0 = Fold1("PACK", {F({2}, {1, 2}), F({2}, {3, 4})}, {{"values_count", 2}, {"axis", 0}});
  EXPECT_EQ(p0.dims, (Dims{2, 2}));
  ExpectNear(p0.f(), {1, 2, 3, 4});
  Tensor p1 = Fold1("PACK", {F({2}, {1, 2}), F({2}, {3, 4})}, {{"values_count", 2}, {"axis", 1}});
  ExpectNear(p1.f(), {1, 3, 2, 4});
  // Shape-vector assembly, as Keras Reshape/Flatten produce it.
  EXPECT_EQ(Fold1("PACK", {Scalar(1), Scalar(-1)}, {{"values_count", 2}, {"axis", 0}}).i32(), (std::vector<int32_t>{1, -1}));
  // The kernels check the counts, so the options must be present.
  EXPECT_TRUE(StatusHas(ShapeStatus("PACK", {Scalar(1), Scalar(2)}), TFLC_CODE_INVALID_ARGUMENT,
                        "needs the attribute 'values_count' (= 2"));
  EXPECT_TRUE(StatusHas(ShapeStatus("UNPACK", {F({2}, {1, 2})}, {}, 2), TFLC_CODE_INVALID_ARGUMENT,
                        "needs the attribute 'num'"));
  auto u = Fold("UNPACK", {F({2, 3}, Iota(6))}, {{"num", 3}, {"axis", 1}}, 3);
  ASSERT_EQ(u.size(), 3u);
  EXPECT_EQ(u[0].dims, (Dims{2}));
  ExpectNear(u[0].f(), {1, 4});
  ExpectNear(u[1].f(), {2, 5});
  ExpectNear(u[2].f(), {3, 6});
}

TEST_F(ShapeOpsTest, SplitAndSplitV) {
  auto s = Fold("SPLIT", {Scalar(1), F({2, 4}, Iota(8))}, {{"num_splits", 2}}, 2);
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0].dims, (Dims{2, 2}));
  ExpectNear(s[0].f(), {1, 2, 5, 6});
  ExpectNear(s[1].f(), {3, 4, 7, 8});
  auto v = Fold("SPLIT_V", {F({6}, Iota(6)), Vec({1, -1, 2}), Scalar(0)}, {{"num_splits", 3}}, 3);
  ASSERT_EQ(v.size(), 3u);
  EXPECT_EQ(v[1].dims, (Dims{3}));
  ExpectNear(v[0].f(), {1});
  ExpectNear(v[1].f(), {2, 3, 4});
  ExpectNear(v[2].f(), {5, 6});
  NodeView n;
  EXPECT_TRUE(StatusHas(InferOne("SPLIT", {Const(Scalar(1)), Input(TFLC_TYPE_FLOAT32, {2, 5})}, {{"num_splits", 2}}, &n, 2),
                        TFLC_CODE_INVALID_ARGUMENT, "not divisible by num_splits 2"));
}

TEST_F(ShapeOpsTest, TileAndBroadcastTo) {
  Tensor t = Fold1("TILE", {F({1, 2}, {1, 2}), Vec({2, 2})});
  EXPECT_EQ(t.dims, (Dims{2, 4}));
  ExpectNear(t.f(), {1, 2, 1, 2, 1, 2, 1, 2});
  Tensor b = Fold1("BROADCAST_TO", {F({3}, {1, 2, 3}), Vec({2, 3})});
  EXPECT_EQ(b.dims, (Dims{2, 3}));
  ExpectNear(b.f(), {1, 2, 3, 1, 2, 3});
  NodeView n;
  EXPECT_TRUE(StatusHas(InferOne("BROADCAST_TO", {Input(TFLC_TYPE_FLOAT32, {3}), Const(Vec({2, 4}))}, {}, &n),
                        TFLC_CODE_INVALID_ARGUMENT, "cannot be broadcast to [2,4]"));
}

TEST_F(ShapeOpsTest, ShapeFillRange) {
  Tensor s = Fold1("SHAPE", {F({2, 3}, Iota(6))}, {{"out_type", TFLC_TYPE_INT32}});
  EXPECT_EQ(s.dims, (Dims{2}));
  EXPECT_EQ(s.i32(), (std::vector<int32_t>{2, 3}));
  EXPECT_EQ(Fold1("SHAPE", {F({2, 3}, Iota(6))}, {{"out_type", TFLC_TYPE_INT64}}).i64(), (std::vector<int64_t>{2, 3}));
  Tensor f = Fold1("FILL", {Vec({2, 2}), ScalarF(7)});
  EXPECT_EQ(f.dims, (Dims{2, 2}));
  ExpectNear(f.f(), {7, 7, 7, 7});
  EXPECT_EQ(Fold1("RANGE", {Scalar(0), Scalar(5), Scalar(2)}).i32(), (std::vector<int32_t>{0, 2, 4}));
  ExpectNear(Fold1("RANGE", {ScalarF(1), ScalarF(0), ScalarF(-0.25f)}).f(), {1, 0.75f, 0.5f, 0.25f});
  EXPECT_TRUE(StatusHas(ShapeStatus("SHAPE", {Arg::In(TFLC_TYPE_FLOAT32, {2})}), TFLC_CODE_INVALID_ARGUMENT, "'out_type'"));
  EXPECT_TRUE(StatusHas(ShapeStatus("RANGE", {Scalar(0), Scalar(5), Scalar(-1)}), TFLC_CODE_INVALID_ARGUMENT,
                        "can't reach limit"));
}

TEST_F(ShapeOpsTest, RandomUniformShapeOnly) {
  NodeView n;
  TFLC_ASSERT_OK(InferOne("RANDOM_UNIFORM", {Const(Vec({2, 3}))}, {{"seed", 1}, {"seed2", 2}}, &n));
  EXPECT_EQ(n.output(0).dims(), (Dims{2, 3}));
  EXPECT_EQ(n.output(0).type(), TFLC_TYPE_FLOAT32);
  TFLC_ASSERT_OK(InferOne("RANDOM_UNIFORM", {Input(TFLC_TYPE_INT32, {2})}, {}, &n));
  EXPECT_EQ(n.output(0).dims(), (Dims{-1, -1}));
  EXPECT_TRUE(StatusHas(ShapeStatus("RANDOM_UNIFORM", {Vec({2, -1})}), TFLC_CODE_INVALID_ARGUMENT, "must be >= 0"));
}

TEST_F(ShapeOpsTest, ReverseV2) {
  ExpectNear(Fold1("REVERSE_V2", {F({2, 3}, Iota(6)), Vec({1})}).f(), {3, 2, 1, 6, 5, 4});
  ExpectNear(Fold1("REVERSE_V2", {F({2, 3}, Iota(6)), Vec({0, -1})}).f(), {6, 5, 4, 3, 2, 1});
}

TEST_F(ShapeOpsTest, OneHot) {
  Tensor y = Fold1("ONE_HOT", {Vec({0, 2, -1}), Scalar(3), ScalarF(1), ScalarF(0)}, {{"axis", -1}});
  EXPECT_EQ(y.dims, (Dims{3, 3}));
  ExpectNear(y.f(), {1, 0, 0, 0, 0, 1, 0, 0, 0});
  Tensor z = Fold1("ONE_HOT", {Vec({0, 2}), Scalar(3), Scalar(5), Scalar(-1)}, {{"axis", 0}});
  EXPECT_EQ(z.dims, (Dims{3, 2}));
  EXPECT_EQ(z.i32(), (std::vector<int32_t>{5, -1, -1, -1, -1, 5}));
}

}  // namespace
}  // namespace tflc::opset_builtin::testing

// SHAPE reads only its input's shape: with a fully known (non-constant) input it folds to a constant.
TEST(ShapeOnlyInputs, ShapeOfANonConstantInputFolds) {
  tflc::testing::FakeHost host;
  ASSERT_TRUE(host.Register(&TflcOpsetBuiltin_Query).ok());
  auto g = host.graph();
  auto x = g.Input("x", TFLC_TYPE_FLOAT32, {1, 5, 3});
  ASSERT_TRUE(x.ok());
  auto shape = g.Builtin("SHAPE", "shape", {*x});
  ASSERT_TRUE(shape.ok());
  ASSERT_TRUE(shape->SetType("out_type", TFLC_TYPE_INT32).ok());
  ASSERT_TRUE(g.Output(shape->output(0), "s").ok());
  ASSERT_TRUE(host.InferShapes().ok());  // infers and folds
  ASSERT_EQ(g.num_nodes(), 0u) << host.Dump();
  auto v = g.output(0).ConstVector<int32_t>();
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, (std::vector<int32_t>{1, 5, 3}));
}

// Large enough for full 32x32 tiles (the 8x8 AVX blocks and the two-thread split), with ragged edges.
TEST(TransposeLarge, MatchesANaiveLoop) {
  tflc::testing::FakeHost host;
  ASSERT_TRUE(host.Register(&TflcOpsetBuiltin_Query).ok());
  auto g = host.graph();
  const int64_t rows = 1100, cols = 1030;  // > 1M elements: the parallel path too
  std::vector<float> in(static_cast<size_t>(rows * cols));
  for (size_t i = 0; i < in.size(); ++i) in[i] = static_cast<float>(i % 9973) * 0.5f - 7.0f;
  auto x = g.ConstFloat("x", {rows, cols}, in);
  auto perm = g.ConstInt32("perm", {2}, {1, 0});
  auto t = g.Builtin("TRANSPOSE", "t", {*x, *perm});
  ASSERT_TRUE(t.ok());
  ASSERT_TRUE(g.Output(t->output(0), "y").ok());
  ASSERT_TRUE(host.InferShapes().ok());  // folds
  auto y = g.output(0).ConstVector<float>();
  ASSERT_TRUE(y.ok());
  ASSERT_EQ(y->size(), in.size());
  for (int64_t r = 0; r < cols; ++r) {
    for (int64_t c = 0; c < rows; ++c) {
      ASSERT_EQ((*y)[static_cast<size_t>(r * rows + c)], in[static_cast<size_t>(c * cols + r)]) << r << "," << c;
    }
  }
}
