// AVERAGE_POOL_2D, MAX_POOL_2D, L2_POOL_2D.
#include "test_util.h"

namespace tflc::opset_builtin::testing {
namespace {

class PoolTest : public OpsetTest {};

const Attrs kSame2x2s2 = {{"padding", 0}, {"stride_w", 2}, {"stride_h", 2}, {"filter_width", 2}, {"filter_height", 2}};

TEST_F(PoolTest, AveragePoolSameCountsOnlyValidElements) {
  // 3x3 = 1..9; SAME 2x2/2 pads one row and column below/right, which are not averaged in.
  Tensor y = Fold1("AVERAGE_POOL_2D", {F({1, 3, 3, 1}, {1, 2, 3, 4, 5, 6, 7, 8, 9})}, kSame2x2s2);
  EXPECT_EQ(y.dims, (Dims{1, 2, 2, 1}));
  ExpectNear(y.f(), {3.0f, 4.5f, 7.5f, 9.0f});
}

TEST_F(PoolTest, AveragePoolTwoChannelsValid) {
  // channel 0 = 1..4, channel 1 = 10..40: one 2x2 window.
  Tensor y = Fold1("AVERAGE_POOL_2D", {F({1, 2, 2, 2}, {1, 10, 2, 20, 3, 30, 4, 40})},
                   {{"padding", 1}, {"stride_w", 1}, {"stride_h", 1}, {"filter_width", 2}, {"filter_height", 2}});
  EXPECT_EQ(y.dims, (Dims{1, 1, 1, 2}));
  ExpectNear(y.f(), {2.5f, 25.f});
}

TEST_F(PoolTest, MaxPoolValidAndFusedRelu) {
  const Attrs a = {{"padding", 1}, {"stride_w", 1}, {"stride_h", 1}, {"filter_width", 2}, {"filter_height", 2}};
  Tensor y = Fold1("MAX_POOL_2D", {F({1, 3, 3, 1}, {1, -2, 3, -4, 5, -6, 7, -8, -9})}, a);
  EXPECT_EQ(y.dims, (Dims{1, 2, 2, 1}));
  ExpectNear(y.f(), {5, 5, 7, 5});
  Attrs relu = a;
  relu.push_back({"fused_activation_function", 1});
  Tensor r = Fold1("MAX_POOL_2D", {F({1, 2, 2, 1}, {-1, -2, -3, -4})}, relu);
  ExpectNear(r.f(), {0});
}

TEST_F(PoolTest, MaxPoolSameNeverPicksPadding) {
  // All negative: a padded zero would win if padding were taken into the window.
  Tensor y = Fold1("MAX_POOL_2D", {F({1, 3, 3, 1}, {-1, -2, -3, -4, -5, -6, -7, -8, -9})}, kSame2x2s2);
  ExpectNear(y.f(), {-1, -3, -7, -9});
}

TEST_F(PoolTest, L2Pool) {
  Tensor y = Fold1("L2_POOL_2D", {F({1, 2, 2, 1}, {3, 4, 0, 0})},
                   {{"padding", 1}, {"stride_w", 1}, {"stride_h", 1}, {"filter_width", 2}, {"filter_height", 2}});
  ExpectNear(y.f(), {2.5f});
}

TEST_F(PoolTest, ShapesAndErrors) {
  NodeView n;
  TFLC_ASSERT_OK(InferOne("MAX_POOL_2D", {Input(TFLC_TYPE_FLOAT32, {-1, 7, 6, 5})}, kSame2x2s2, &n));
  EXPECT_EQ(n.output(0).dims(), (Dims{-1, 4, 3, 5}));
  Status s = InferOne("AVERAGE_POOL_2D", {Input(TFLC_TYPE_FLOAT32, {1, 4, 4, 1})},
                      {{"padding", 1}, {"stride_w", 1}, {"stride_h", 1}}, &n);
  EXPECT_TRUE(StatusHas(s, TFLC_CODE_INVALID_ARGUMENT, "filter_height and filter_width must be positive"));
}

TEST_F(PoolTest, RejectsWrongRank) {
  NodeView n;
  Status s = InferOne("MAX_POOL_2D", {Input(TFLC_TYPE_FLOAT32, {4, 4, 1})}, kSame2x2s2, &n);
  EXPECT_TRUE(StatusHas(s, TFLC_CODE_INVALID_ARGUMENT, "must have rank 4"));
}

}  // namespace
}  // namespace tflc::opset_builtin::testing
