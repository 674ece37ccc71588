// SPACE_TO_DEPTH, DEPTH_TO_SPACE, SPACE_TO_BATCH_ND, BATCH_TO_SPACE_ND, RESIZE_*.
#include "test_util.h"

namespace tflc::opset_builtin::testing {
namespace {

class SpatialTest : public OpsetTest {};

std::vector<float> Iota(int n) {
  std::vector<float> v;
  for (int i = 1; i <= n; ++i) v.push_back(static_cast<float>(i));
  return v;
}

const Tensor k4x4 = F({1, 4, 4, 1}, Iota(16));

TEST_F(SpatialTest, SpaceToDepthAndBack) {
  Tensor s = Fold1("SPACE_TO_DEPTH", {k4x4}, {{"block_size", 2}});
  EXPECT_EQ(s.dims, (Dims{1, 2, 2, 4}));
  ExpectNear(s.f(), {1, 2, 5, 6, 3, 4, 7, 8, 9, 10, 13, 14, 11, 12, 15, 16});
  Tensor d = Fold1("DEPTH_TO_SPACE", {s}, {{"block_size", 2}});
  EXPECT_EQ(d.dims, (Dims{1, 4, 4, 1}));
  ExpectNear(d.f(), Iota(16));
  EXPECT_TRUE(StatusHas(ShapeStatus("SPACE_TO_DEPTH", {Arg::In(TFLC_TYPE_FLOAT32, {1, 3, 4, 1})}, {{"block_size", 2}}),
                        TFLC_CODE_INVALID_ARGUMENT, "divisible by block_size 2"));
  EXPECT_TRUE(StatusHas(ShapeStatus("DEPTH_TO_SPACE", {Arg::In(TFLC_TYPE_FLOAT32, {1, 3, 4, 1})}),
                        TFLC_CODE_INVALID_ARGUMENT, "block_size must be >= 1"));
}

TEST_F(SpatialTest, SpaceToBatchAndBack) {
  // The tf.space_to_batch_nd documentation example.
  Tensor b = Fold1("SPACE_TO_BATCH_ND", {k4x4, Vec({2, 2}), I32({2, 2}, {0, 0, 0, 0})});
  EXPECT_EQ(b.dims, (Dims{4, 2, 2, 1}));
  ExpectNear(b.f(), {1, 3, 9, 11, 2, 4, 10, 12, 5, 7, 13, 15, 6, 8, 14, 16});
  Tensor s = Fold1("BATCH_TO_SPACE_ND", {b, Vec({2, 2}), I32({2, 2}, {0, 0, 0, 0})});
  EXPECT_EQ(s.dims, (Dims{1, 4, 4, 1}));
  ExpectNear(s.f(), Iota(16));
}

TEST_F(SpatialTest, SpaceToBatchPadsAndBatchToSpaceCrops) {
  Tensor b = Fold1("SPACE_TO_BATCH_ND", {F({1, 2, 2, 1}, {1, 2, 3, 4}), Vec({2, 2}), I32({2, 2}, {0, 0, 0, 2})});
  EXPECT_EQ(b.dims, (Dims{4, 1, 2, 1}));
  ExpectNear(b.f(), {1, 0, 2, 0, 3, 0, 4, 0});
  Tensor s = Fold1("BATCH_TO_SPACE_ND", {b, Vec({2, 2}), I32({2, 2}, {0, 0, 0, 2})});
  EXPECT_EQ(s.dims, (Dims{1, 2, 2, 1}));
  ExpectNear(s.f(), {1, 2, 3, 4});
  // Rank 3 (one spatial dim), as dilated Conv1D produces.
  Tensor r3 = Fold1("SPACE_TO_BATCH_ND", {F({1, 4, 2}, Iota(8)), Vec({2}), I32({1, 2}, {0, 0})});
  EXPECT_EQ(r3.dims, (Dims{2, 2, 2}));
  ExpectNear(r3.f(), {1, 2, 5, 6, 3, 4, 7, 8});
}

TEST_F(SpatialTest, ResizeBilinear) {
  const Tensor x = F({1, 2, 2, 1}, {1, 2, 3, 4});
  Tensor a = Fold1("RESIZE_BILINEAR", {x, Vec({3, 3})});
  EXPECT_EQ(a.dims, (Dims{1, 3, 3, 1}));
  ExpectNear(a.f(), {1, 5.f / 3, 2, 7.f / 3, 3, 10.f / 3, 3, 11.f / 3, 4});
  ExpectNear(Fold1("RESIZE_BILINEAR", {x, Vec({3, 3})}, {{"align_corners", true}}).f(), {1, 1.5f, 2, 2, 2.5f, 3, 3, 3.5f, 4});
  ExpectNear(Fold1("RESIZE_BILINEAR", {x, Vec({4, 4})}, {{"half_pixel_centers", true}}).f(),
             {1, 1.25f, 1.75f, 2, 1.5f, 1.75f, 2.25f, 2.5f, 2.5f, 2.75f, 3.25f, 3.5f, 3, 3.25f, 3.75f, 4});
  EXPECT_TRUE(StatusHas(ShapeStatus("RESIZE_BILINEAR", {Arg::In(TFLC_TYPE_FLOAT32, {1, 2, 2, 1}), Vec({4, 4})},
                                    {{"align_corners", true}, {"half_pixel_centers", true}}),
                        TFLC_CODE_INVALID_ARGUMENT, "cannot both be true"));
}

TEST_F(SpatialTest, ResizeNearestNeighbor) {
  Tensor up = Fold1("RESIZE_NEAREST_NEIGHBOR", {F({1, 2, 2, 1}, {1, 2, 3, 4}), Vec({4, 4})});
  ExpectNear(up.f(), {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4});
  ExpectNear(Fold1("RESIZE_NEAREST_NEIGHBOR", {k4x4, Vec({2, 2})}).f(), {1, 3, 9, 11});
  ExpectNear(Fold1("RESIZE_NEAREST_NEIGHBOR", {k4x4, Vec({2, 2})}, {{"half_pixel_centers", true}}).f(), {6, 8, 14, 16});
  ExpectNear(Fold1("RESIZE_NEAREST_NEIGHBOR", {k4x4, Vec({2, 2})}, {{"align_corners", true}}).f(), {1, 4, 13, 16});
  NodeView n;
  TFLC_ASSERT_OK(InferOne("RESIZE_NEAREST_NEIGHBOR", {Input(TFLC_TYPE_FLOAT32, {-1, 4, 4, 3}), Input(TFLC_TYPE_INT32, {2})}, {}, &n));
  EXPECT_EQ(n.output(0).dims(), (Dims{-1, -1, -1, 3}));
}

}  // namespace
}  // namespace tflc::opset_builtin::testing
