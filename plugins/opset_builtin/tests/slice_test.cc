// SLICE, STRIDED_SLICE (masks, offset), GATHER (axis, batch_dims), GATHER_ND.
#include "test_util.h"

namespace tflc::opset_builtin::testing {
namespace {

class SliceTest : public OpsetTest {
 protected:
  Tensor Strided(const Tensor& x, std::vector<int32_t> b, std::vector<int32_t> e, std::vector<int32_t> s,
                 const Attrs& masks = {}) {
    return Fold1("STRIDED_SLICE", {x, Vec(b), Vec(e), Vec(s)}, masks);
  }
};

std::vector<float> Iota(int n) {
  std::vector<float> v;
  for (int i = 1; i <= n; ++i) v.push_back(static_cast<float>(i));
  return v;
}

const Tensor kX34 = F({3, 4}, Iota(12));  // [[1..4],[5..8],[9..12]]
const Tensor kV4 = F({4}, {1, 2, 3, 4});

TEST_F(SliceTest, Slice) {
  Tensor y = Fold1("SLICE", {kX34, Vec({1, 1}), Vec({2, -1})});
  EXPECT_EQ(y.dims, (Dims{2, 3}));
  ExpectNear(y.f(), {6, 7, 8, 10, 11, 12});
  Tensor z = Fold1("SLICE", {kX34, I64({2}, {0, 2}), I64({2}, {1, 2})});
  ExpectNear(z.f(), {3, 4});
  EXPECT_TRUE(StatusHas(ShapeStatus("SLICE", {Arg::In(TFLC_TYPE_FLOAT32, {3, 4}), Vec({2, 0}), Vec({2, 4})}),
                        TFLC_CODE_INVALID_ARGUMENT, "does not fit in the input [3,4]"));
}

TEST_F(SliceTest, StridedSliceBasicAndStrides) {
  Tensor a = Strided(kX34, {0, 1}, {3, 3}, {1, 1});
  EXPECT_EQ(a.dims, (Dims{3, 2}));
  ExpectNear(a.f(), {2, 3, 6, 7, 10, 11});
  Tensor b = Strided(kX34, {0, 0}, {0, 0}, {2, 2}, {{"begin_mask", 3}, {"end_mask", 3}});
  EXPECT_EQ(b.dims, (Dims{2, 2}));
  ExpectNear(b.f(), {1, 3, 9, 11});
  // Begin/end beyond the bounds are clamped.
  ExpectNear(Strided(kV4, {-10}, {10}, {1}).f(), {1, 2, 3, 4});
  // Fewer entries than dims: the rest is taken whole.
  Tensor c = Strided(kX34, {1}, {3}, {1});
  EXPECT_EQ(c.dims, (Dims{2, 4}));
  ExpectNear(c.f(), {5, 6, 7, 8, 9, 10, 11, 12});
}

TEST_F(SliceTest, StridedSliceNegativeStrides) {
  ExpectNear(Strided(kV4, {0}, {0}, {-1}, {{"begin_mask", 1}, {"end_mask", 1}}).f(), {4, 3, 2, 1});
  ExpectNear(Strided(kV4, {-1}, {0}, {-2}, {{"end_mask", 1}}).f(), {4, 2});
  ExpectNear(Strided(kV4, {2}, {0}, {-1}).f(), {3, 2});
}

TEST_F(SliceTest, StridedSliceShrinkNewAxisEllipsis) {
  Tensor row = Strided(kX34, {1}, {2}, {1}, {{"shrink_axis_mask", 1}});
  EXPECT_EQ(row.dims, (Dims{4}));
  ExpectNear(row.f(), {5, 6, 7, 8});
  Tensor col = Strided(kX34, {0, -1}, {0, 0}, {1, 1}, {{"begin_mask", 1}, {"end_mask", 1}, {"shrink_axis_mask", 2}});
  EXPECT_EQ(col.dims, (Dims{3}));
  ExpectNear(col.f(), {4, 8, 12});
  Tensor scalar = Strided(kX34, {2, 3}, {3, 4}, {1, 1}, {{"shrink_axis_mask", 3}});
  EXPECT_EQ(scalar.dims, (Dims{}));
  ExpectNear(scalar.f(), {12});
  // x[newaxis, 1:2]
  Tensor na = Strided(kX34, {0, 1}, {0, 2}, {1, 1}, {{"new_axis_mask", 1}});
  EXPECT_EQ(na.dims, (Dims{1, 1, 4}));
  ExpectNear(na.f(), {5, 6, 7, 8});
  // x[..., 1] on [2,3,4]
  Tensor el = Strided(F({2, 3, 4}, Iota(24)), {0, 1}, {0, 2}, {1, 1}, {{"ellipsis_mask", 1}, {"shrink_axis_mask", 2}});
  EXPECT_EQ(el.dims, (Dims{2, 3}));
  ExpectNear(el.f(), {2, 6, 10, 14, 18, 22});
}

TEST_F(SliceTest, StridedSliceOffset) {
  // offset: end is relative to begin.
  ExpectNear(Strided(kV4, {1}, {2}, {1}, {{"offset", true}}).f(), {2, 3});
}

TEST_F(SliceTest, StridedSliceOnShapeVectors) {
  // The Keras "batch size from tf.shape" pattern: shape[0] as a scalar.
  Tensor s = Fold1("STRIDED_SLICE", {Vec({1, 28, 28, 3}), Vec({0}), Vec({1}), Vec({1})}, {{"shrink_axis_mask", 1}});
  EXPECT_EQ(s.dims, (Dims{}));
  EXPECT_EQ(s.i32(), (std::vector<int32_t>{1}));
}

TEST_F(SliceTest, StridedSliceShapesWithUnknownDims) {
  NodeView n;
  TFLC_ASSERT_OK(InferOne("STRIDED_SLICE", {Input(TFLC_TYPE_FLOAT32, {-1, 4}), Const(Vec({0, 1})), Const(Vec({0, 3})),
                                            Const(Vec({1, 1}))},
                          {{"begin_mask", 1}, {"end_mask", 1}}, &n));
  EXPECT_EQ(n.output(0).dims(), (Dims{-1, 2}));
  TFLC_ASSERT_OK(InferOne("STRIDED_SLICE", {Input(TFLC_TYPE_FLOAT32, {2, 4}), Input(TFLC_TYPE_INT32, {2}),
                                            Input(TFLC_TYPE_INT32, {2}), Const(Vec({1, 1}))},
                          {{"shrink_axis_mask", 1}}, &n));
  EXPECT_EQ(n.output(0).dims(), (Dims{-1}));  // values unknown: rank known
  EXPECT_TRUE(StatusHas(ShapeStatus("STRIDED_SLICE", {Arg::In(TFLC_TYPE_FLOAT32, {2}), Vec({5}), Vec({6}), Vec({1})},
                                    {{"shrink_axis_mask", 1}}),
                        TFLC_CODE_INVALID_ARGUMENT, "out of range for size 2"));
}

TEST_F(SliceTest, Gather) {
  const Tensor p = F({3, 2}, {1, 2, 3, 4, 5, 6});
  Tensor a = Fold1("GATHER", {p, Vec({2, 0})}, {{"axis", 0}});
  EXPECT_EQ(a.dims, (Dims{2, 2}));
  ExpectNear(a.f(), {5, 6, 1, 2});
  Tensor b = Fold1("GATHER", {p, I64({3}, {1, 1, 0})}, {{"axis", -1}});
  EXPECT_EQ(b.dims, (Dims{3, 3}));
  ExpectNear(b.f(), {2, 2, 1, 4, 4, 3, 6, 6, 5});
  Tensor scalar_index = Fold1("GATHER", {Vec({1, 7, 7, 3}), Scalar(3)});
  EXPECT_EQ(scalar_index.dims, (Dims{}));
  EXPECT_EQ(scalar_index.i32(), (std::vector<int32_t>{3}));
  // batch_dims 1: row b takes its own indices.
  Tensor c = Fold1("GATHER", {F({2, 3}, {1, 2, 3, 4, 5, 6}), I32({2, 2}, {2, 0, 1, 1})}, {{"axis", 1}, {"batch_dims", 1}});
  EXPECT_EQ(c.dims, (Dims{2, 2}));
  ExpectNear(c.f(), {3, 1, 5, 5});
}

TEST_F(SliceTest, GatherShapesAndBadIndex) {
  NodeView n;
  TFLC_ASSERT_OK(InferOne("GATHER", {Input(TFLC_TYPE_FLOAT32, {100, 16}), Input(TFLC_TYPE_INT32, {-1, 5})}, {}, &n));
  EXPECT_EQ(n.output(0).dims(), (Dims{-1, 5, 16}));
  NodeView bad = Node("GATHER", {Const(F({2}, {1, 2})), Const(Vec({2}))});
  TFLC_ASSERT_OK(g().Output(bad.output(0), "y"));
  EXPECT_TRUE(StatusHas(InferAndFold(), TFLC_CODE_INVALID_ARGUMENT, "GATHER index 2 is out of range [0, 2)"));
}

TEST_F(SliceTest, GatherNd) {
  const Tensor p = F({2, 2}, {1, 2, 3, 4});
  Tensor a = Fold1("GATHER_ND", {p, I32({2, 2}, {1, 0, 0, 1})});
  EXPECT_EQ(a.dims, (Dims{2}));
  ExpectNear(a.f(), {3, 2});
  Tensor b = Fold1("GATHER_ND", {p, I32({1, 1}, {1})});
  EXPECT_EQ(b.dims, (Dims{1, 2}));
  ExpectNear(b.f(), {3, 4});
}

}  // namespace
}  // namespace tflc::opset_builtin::testing
