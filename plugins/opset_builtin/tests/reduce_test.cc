// MEAN / SUM / REDUCE_MAX / REDUCE_MIN / REDUCE_PROD / REDUCE_ANY / REDUCE_ALL, ARG_MAX / ARG_MIN, CUMSUM, TOPK_V2.
#include "test_util.h"

namespace tflc::opset_builtin::testing {
namespace {

class ReduceTest : public OpsetTest {};

TEST_F(ReduceTest, MeanOverSpatialAxesIsGlobalAveragePooling) {
  // NHWC [1,2,2,2]: channel 0 = 1,3,5,7; channel 1 = 2,4,6,8.
  const Tensor x = F({1, 2, 2, 2}, {1, 2, 3, 4, 5, 6, 7, 8});
  Tensor keep = Fold1("MEAN", {x, Vec({1, 2})}, {{"keep_dims", true}});
  EXPECT_EQ(keep.dims, (Dims{1, 1, 1, 2}));
  ExpectNear(keep.f(), {4, 5});
  Tensor drop = Fold1("MEAN", {x, Vec({2, -3})});
  EXPECT_EQ(drop.dims, (Dims{1, 2}));
  ExpectNear(drop.f(), {4, 5});
}

TEST_F(ReduceTest, SumMaxMinProd) {
  const Tensor x = F({2, 3}, {1, 2, 3, 4, 5, 6});
  ExpectNear(Fold1("SUM", {x, Scalar(-1)}).f(), {6, 15});
  ExpectNear(Fold1("SUM", {x, Vec({0, 0})}).f(), {5, 7, 9});  // duplicate axes count once
  ExpectNear(Fold1("SUM", {x, Vec({0, 1})}).f(), {21});
  ExpectNear(Fold1("REDUCE_MAX", {F({2, 3}, {1, -2, 3, -4, 5, -6}), Scalar(0)}).f(), {1, 5, 3});
  ExpectNear(Fold1("REDUCE_MIN", {F({2, 3}, {1, -2, 3, -4, 5, -6}), Scalar(1)}).f(), {-2, -6});
  ExpectNear(Fold1("REDUCE_PROD", {x, Scalar(1)}, {{"keep_dims", true}}).f(), {6, 120});
  // No axes: nothing reduced.
  Tensor same = Fold1("SUM", {x, I32({0}, {})});
  EXPECT_EQ(same.dims, (Dims{2, 3}));
  ExpectNear(same.f(), {1, 2, 3, 4, 5, 6});
}

TEST_F(ReduceTest, IntegerReductions) {
  EXPECT_EQ(Fold1("SUM", {Vec({1, 2, 3}), Scalar(0)}).i32(), (std::vector<int32_t>{6}));
  EXPECT_EQ(Fold1("MEAN", {Vec({1, 2}), Scalar(0)}).i32(), (std::vector<int32_t>{1}));  // truncated
  EXPECT_EQ(Fold1("REDUCE_MAX", {I8({3}, {-5, 7, 3}), Scalar(0)}).as<int8_t>(), (std::vector<int8_t>{7}));
  EXPECT_EQ(Fold1("REDUCE_PROD", {I64({3}, {2, 3, 4}), Scalar(0)}).i64(), (std::vector<int64_t>{24}));
}

TEST_F(ReduceTest, AnyAll) {
  const Tensor b = Bool({2, 3}, {1, 0, 0, 1, 1, 1});
  EXPECT_EQ(Fold1("REDUCE_ANY", {b, Scalar(1)}).b(), (std::vector<bool>{true, true}));
  EXPECT_EQ(Fold1("REDUCE_ALL", {b, Scalar(1)}).b(), (std::vector<bool>{false, true}));
  EXPECT_EQ(Fold1("REDUCE_ALL", {b, Scalar(0)}).b(), (std::vector<bool>{true, false, false}));
  EXPECT_EQ(Fold1("REDUCE_ANY", {Bool({2}, {0, 0}), Scalar(0)}).b(), (std::vector<bool>{false}));
}

TEST_F(ReduceTest, Shapes) {
  NodeView n;
  TFLC_ASSERT_OK(InferOne("MEAN", {Input(TFLC_TYPE_FLOAT32, {-1, 7, 7, 32}), Const(Vec({1, 2}))}, {}, &n));
  EXPECT_EQ(n.output(0).dims(), (Dims{-1, 32}));
  TFLC_ASSERT_OK(InferOne("SUM", {Input(TFLC_TYPE_FLOAT32, {2, 3}), Input(TFLC_TYPE_INT32, {1})}, {{"keep_dims", true}}, &n));
  EXPECT_EQ(n.output(0).dims(), (Dims{-1, -1}));  // axes unknown: rank kept, sizes unknown
  Status s = InferOne("MEAN", {Input(TFLC_TYPE_FLOAT32, {2, 3}), Const(Vec({2}))}, {}, &n);
  EXPECT_TRUE(StatusHas(s, TFLC_CODE_INVALID_ARGUMENT, "reduction axis 2 is out of range for rank 2"));
}

TEST_F(ReduceTest, ArgMaxArgMinTakeTheFirstExtremum) {
  const Tensor x = F({2, 3}, {1, 5, 5, 7, 0, 7});
  Tensor a = Fold1("ARG_MAX", {x, Scalar(1)}, {{"output_type", TFLC_TYPE_INT32}});
  EXPECT_EQ(a.type, TFLC_TYPE_INT32);
  EXPECT_EQ(a.dims, (Dims{2}));
  EXPECT_EQ(a.i32(), (std::vector<int32_t>{1, 0}));
  Tensor b = Fold1("ARG_MAX", {x, Scalar(0)}, {{"output_type", TFLC_TYPE_INT64}});
  EXPECT_EQ(b.i64(), (std::vector<int64_t>{1, 0, 1}));
  EXPECT_EQ(Fold1("ARG_MIN", {x, Vec({-1})}, {{"output_type", TFLC_TYPE_INT32}}).i32(), (std::vector<int32_t>{0, 1}));
  NodeView n;
  EXPECT_TRUE(StatusHas(InferOne("ARG_MAX", {Input(TFLC_TYPE_FLOAT32, {2, 3}), Const(Scalar(1))}, {}, &n),
                        TFLC_CODE_INVALID_ARGUMENT, "'output_type'"));
}

TEST_F(ReduceTest, Cumsum) {
  const Tensor x = F({4}, {1, 2, 3, 4});
  ExpectNear(Fold1("CUMSUM", {x, Scalar(0)}).f(), {1, 3, 6, 10});
  ExpectNear(Fold1("CUMSUM", {x, Scalar(0)}, {{"exclusive", true}}).f(), {0, 1, 3, 6});
  ExpectNear(Fold1("CUMSUM", {x, Scalar(0)}, {{"reverse", true}}).f(), {10, 9, 7, 4});
  ExpectNear(Fold1("CUMSUM", {x, Scalar(0)}, {{"reverse", true}, {"exclusive", true}}).f(), {9, 7, 4, 0});
  EXPECT_EQ(Fold1("CUMSUM", {I32({2, 2}, {1, 2, 3, 4}), Scalar(0)}).i32(), (std::vector<int32_t>{1, 2, 4, 6}));
}

TEST_F(ReduceTest, TopK) {
  auto out = Fold("TOPK_V2", {F({2, 4}, {1, 3, 2, 3, 5, 4, 6, 0}), Scalar(2)}, {}, 2);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].dims, (Dims{2, 2}));
  ExpectNear(out[0].f(), {3, 3, 6, 5});
  EXPECT_EQ(out[1].type, TFLC_TYPE_INT32);
  EXPECT_EQ(out[1].i32(), (std::vector<int32_t>{1, 3, 2, 0}));
  NodeView n;
  EXPECT_TRUE(StatusHas(InferOne("TOPK_V2", {Input(TFLC_TYPE_FLOAT32, {2, 4}), Const(Scalar(5))}, {}, &n, 2),
                        TFLC_CODE_INVALID_ARGUMENT, "k = 5 is out of range"));
}

}  // namespace
}  // namespace tflc::opset_builtin::testing
