// PAD, PADV2, MIRROR_PAD.
#include "test_util.h"

namespace tflc::opset_builtin::testing {
namespace {

class PadTest : public OpsetTest {};

TEST_F(PadTest, PadWithZeros) {
  Tensor y = Fold1("PAD", {F({2, 2}, {1, 2, 3, 4}), I32({2, 2}, {1, 0, 0, 2})});
  EXPECT_EQ(y.dims, (Dims{3, 4}));
  ExpectNear(y.f(), {0, 0, 0, 0, 1, 2, 0, 0, 3, 4, 0, 0});
  Tensor z = Fold1("PAD", {Vec({7}), I64({1, 2}, {2, 1})});
  EXPECT_EQ(z.i32(), (std::vector<int32_t>{0, 0, 7, 0}));
}

TEST_F(PadTest, QuantizedPadUsesTheZeroPoint) {
  NodeView n = Node("PAD", {Const(I8({2}, {1, 2})), Const(I32({1, 2}, {1, 1}))});
  SetQuant(n.input(0), {{0.5f}, {-5}});
  SetQuant(n.output(0), {{0.5f}, {-5}});
  TFLC_ASSERT_OK(g().Output(n.output(0), "y"));
  TFLC_ASSERT_OK(Infer());
  TFLC_ASSERT_OK(host().FoldConstants());
  ValueView out = g().output(0);
  ASSERT_TRUE(out.is_const());
  const auto* d = out.data_as<int8_t>();
  EXPECT_EQ((std::vector<int8_t>(d, d + 4)), (std::vector<int8_t>{-5, 1, 2, -5}));
}

TEST_F(PadTest, PadV2WithConstant) {
  ExpectNear(Fold1("PADV2", {F({1, 2}, {1, 2}), I32({2, 2}, {0, 1, 1, 0}), ScalarF(9)}).f(), {9, 1, 2, 9, 9, 9});
}

TEST_F(PadTest, MirrorPad) {
  ExpectNear(Fold1("MIRROR_PAD", {F({3}, {1, 2, 3}), I32({1, 2}, {2, 1})}, {{"mode", 0}}).f(), {3, 2, 1, 2, 3, 2});
  ExpectNear(Fold1("MIRROR_PAD", {F({3}, {1, 2, 3}), I32({1, 2}, {2, 2})}, {{"mode", 1}}).f(), {2, 1, 1, 2, 3, 3, 2});
  // 2-D REFLECT by one on each side.
  Tensor y = Fold1("MIRROR_PAD", {F({2, 2}, {1, 2, 3, 4}), I32({2, 2}, {1, 0, 0, 1})}, {{"mode", 0}});
  EXPECT_EQ(y.dims, (Dims{3, 3}));
  ExpectNear(y.f(), {3, 4, 3, 1, 2, 1, 3, 4, 3});
}

TEST_F(PadTest, ShapesAndErrors) {
  NodeView n;
  TFLC_ASSERT_OK(InferOne("PAD", {Input(TFLC_TYPE_FLOAT32, {-1, 5, 5, 3}), Const(I32({4, 2}, {0, 0, 1, 1, 2, 2, 0, 0}))}, {}, &n));
  EXPECT_EQ(n.output(0).dims(), (Dims{-1, 7, 9, 3}));
  TFLC_ASSERT_OK(InferOne("PAD", {Input(TFLC_TYPE_FLOAT32, {2, 2}), Input(TFLC_TYPE_INT32, {2, 2})}, {}, &n));
  EXPECT_EQ(n.output(0).dims(), (Dims{-1, -1}));
  EXPECT_TRUE(StatusHas(ShapeStatus("PAD", {Arg::In(TFLC_TYPE_FLOAT32, {2, 2}), I32({1, 2}, {0, 0})}),
                        TFLC_CODE_INVALID_ARGUMENT, "paddings must be [2, 2]"));
  EXPECT_TRUE(StatusHas(ShapeStatus("MIRROR_PAD", {Arg::In(TFLC_TYPE_FLOAT32, {3}), I32({1, 2}, {3, 0})}, {{"mode", 0}}),
                        TFLC_CODE_INVALID_ARGUMENT, "REFLECT padding of dimension 0 (size 3) can be at most 2"));
}

}  // namespace
}  // namespace tflc::opset_builtin::testing
