// Broadcasting arithmetic, comparisons, logic, unary math, SELECT, ADD_N, ZEROS_LIKE, CAST.
#include <cmath>

#include "test_util.h"

namespace tflc::opset_builtin::testing {
namespace {

class ElementwiseTest : public OpsetTest {};

TEST_F(ElementwiseTest, AddBroadcastsColumnAgainstRow) {
  Tensor y = Fold1("ADD", {F({2, 1}, {10, 20}), F({3}, {1, 2, 3})});
  EXPECT_EQ(y.dims, (Dims{2, 3}));
  ExpectNear(y.f(), {11, 12, 13, 21, 22, 23});
}

TEST_F(ElementwiseTest, AddFusedRelu6AndSubMulDiv) {
  ExpectNear(Fold1("ADD", {F({4}, {-5, 1, 5, 9}), ScalarF(0.5f)}, {{"fused_activation_function", 3}}).f(), {0, 1.5f, 5.5f, 6});
  ExpectNear(Fold1("SUB", {F({3}, {1, 2, 3}), F({3}, {3, 2, 1})}).f(), {-2, 0, 2});
  ExpectNear(Fold1("SUB", {F({3}, {1, 2, 3}), F({3}, {3, 2, 1})}, {{"fused_activation_function", 1}}).f(), {0, 0, 2});
  ExpectNear(Fold1("MUL", {F({2, 2}, {1, 2, 3, 4}), F({2, 1}, {10, -1})}).f(), {10, 20, -3, -4});
  ExpectNear(Fold1("DIV", {F({3}, {1, -3, 9}), ScalarF(2)}).f(), {0.5f, -1.5f, 4.5f});
  ExpectNear(Fold1("MUL", {F({2}, {3, -3}), F({2}, {1, 1})}, {{"fused_activation_function", 2}}).f(), {1, -1});
}

TEST_F(ElementwiseTest, IntegerArithmeticOnShapeData) {
  // [batch, h*w] style shape arithmetic, as lowered Keras graphs do it.
  EXPECT_EQ(Fold1("MUL", {Vec({7, 8}), Scalar(2)}).i32(), (std::vector<int32_t>{14, 16}));
  EXPECT_EQ(Fold1("ADD", {I64({2}, {1, 2}), I64({2}, {10, 20})}).i64(), (std::vector<int64_t>{11, 22}));
  EXPECT_EQ(Fold1("DIV", {Vec({-7, 7}), Scalar(2)}).i32(), (std::vector<int32_t>{-3, 3}));  // truncates
  EXPECT_EQ(Fold1("SUB", {Vec({5}), Vec({7})}).i32(), (std::vector<int32_t>{-2}));
  EXPECT_EQ(Fold1("ADD", {Vec({-5, 3}), Vec({1, 1})}, {{"fused_activation_function", 1}}).i32(),
            (std::vector<int32_t>{0, 4}));
}

TEST_F(ElementwiseTest, MaxMinSquaredDifferencePow) {
  ExpectNear(Fold1("MAXIMUM", {F({3}, {1, 5, -2}), ScalarF(0)}).f(), {1, 5, 0});
  ExpectNear(Fold1("MINIMUM", {F({3}, {1, 5, -2}), F({3}, {2, 2, 2})}).f(), {1, 2, -2});
  ExpectNear(Fold1("SQUARED_DIFFERENCE", {F({2}, {1, 5}), F({2}, {4, 2})}).f(), {9, 9});
  ExpectNear(Fold1("POW", {F({3}, {2, 9, 4}), F({3}, {3, 0.5f, -1})}).f(), {8, 3, 0.25f});
  EXPECT_EQ(Fold1("POW", {Vec({2, -3, 5}), Vec({10, 3, 0})}).i32(), (std::vector<int32_t>{1024, -27, 1}));
  EXPECT_EQ(Fold1("MAXIMUM", {Vec({1, 9}), Scalar(4)}).i32(), (std::vector<int32_t>{4, 9}));
}

TEST_F(ElementwiseTest, FloorDivAndFloorModRoundTowardNegativeInfinity) {
  EXPECT_EQ(Fold1("FLOOR_DIV", {Vec({-7, 7, -8, 7}), Vec({2, 2, 2, -2})}).i32(), (std::vector<int32_t>{-4, 3, -4, -4}));
  ExpectNear(Fold1("FLOOR_DIV", {F({2}, {-7, 7.5f}), F({2}, {2, 2})}).f(), {-4, 3});
  EXPECT_EQ(Fold1("FLOOR_MOD", {Vec({-7, 7, 7, -7}), Vec({2, 2, -2, -2})}).i32(), (std::vector<int32_t>{1, 1, -1, -1}));
  ExpectNear(Fold1("FLOOR_MOD", {F({2}, {-7.5f, 7.5f}), F({2}, {2, -2})}).f(), {0.5f, -0.5f});
}

TEST_F(ElementwiseTest, IntegerDivisionByZeroIsAnError) {
  NodeView n = Node("FLOOR_DIV", {Const(Vec({1, 2})), Const(Vec({1, 0}))});
  TFLC_ASSERT_OK(g().Output(n.output(0), "y"));
  EXPECT_TRUE(StatusHas(InferAndFold(), TFLC_CODE_INVALID_ARGUMENT, "division by zero"));
}

TEST_F(ElementwiseTest, Comparisons) {
  auto b = [&](const char* op, Tensor a, Tensor c) { return Fold1(op, {a, c}).b(); };
  using B = std::vector<bool>;
  EXPECT_EQ(b("LESS", F({3}, {1, 2, 3}), ScalarF(2)), (B{true, false, false}));
  EXPECT_EQ(b("LESS_EQUAL", F({3}, {1, 2, 3}), ScalarF(2)), (B{true, true, false}));
  EXPECT_EQ(b("GREATER", F({3}, {1, 2, 3}), ScalarF(2)), (B{false, false, true}));
  EXPECT_EQ(b("GREATER_EQUAL", F({3}, {1, 2, 3}), ScalarF(2)), (B{false, true, true}));
  EXPECT_EQ(b("EQUAL", Vec({1, 2, 3}), Vec({1, 0, 3})), (B{true, false, true}));
  EXPECT_EQ(b("NOT_EQUAL", Vec({1, 2, 3}), Vec({1, 0, 3})), (B{false, true, false}));
  Tensor t = Fold1("LESS", {F({2, 1}, {0, 5}), F({1, 2}, {1, 6})});
  EXPECT_EQ(t.type, TFLC_TYPE_BOOL);
  EXPECT_EQ(t.dims, (Dims{2, 2}));
  EXPECT_EQ(t.b(), (B{true, true, false, true}));
}

TEST_F(ElementwiseTest, Logic) {
  using B = std::vector<bool>;
  EXPECT_EQ(Fold1("LOGICAL_AND", {Bool({4}, {0, 0, 1, 1}), Bool({4}, {0, 1, 0, 1})}).b(), (B{false, false, false, true}));
  EXPECT_EQ(Fold1("LOGICAL_OR", {Bool({4}, {0, 0, 1, 1}), Bool({4}, {0, 1, 0, 1})}).b(), (B{false, true, true, true}));
  EXPECT_EQ(Fold1("LOGICAL_NOT", {Bool({2}, {0, 1})}).b(), (B{true, false}));
  NodeView n;
  EXPECT_TRUE(StatusHas(InferOne("LOGICAL_AND", {Input(TFLC_TYPE_FLOAT32, {2}), Input(TFLC_TYPE_BOOL, {2})}, {}, &n),
                        TFLC_CODE_INVALID_ARGUMENT, "must be BOOL"));
}

TEST_F(ElementwiseTest, SelectAndSelectV2) {
  ExpectNear(Fold1("SELECT", {Bool({3}, {1, 0, 1}), F({3}, {1, 2, 3}), F({3}, {-1, -2, -3})}).f(), {1, -2, 3});
  // A rank-1 condition picks whole rows.
  ExpectNear(Fold1("SELECT", {Bool({2}, {0, 1}), F({2, 2}, {1, 2, 3, 4}), F({2, 2}, {-1, -2, -3, -4})}).f(), {-1, -2, 3, 4});
  // SELECT_V2 broadcasts all three.
  Tensor y = Fold1("SELECT_V2", {Bool({2, 1}, {1, 0}), F({1, 3}, {1, 2, 3}), ScalarF(0)});
  EXPECT_EQ(y.dims, (Dims{2, 3}));
  ExpectNear(y.f(), {1, 2, 3, 0, 0, 0});
  NodeView n;
  EXPECT_TRUE(StatusHas(InferOne("SELECT", {Input(TFLC_TYPE_BOOL, {2, 1}), Input(TFLC_TYPE_FLOAT32, {2, 3}),
                                            Input(TFLC_TYPE_FLOAT32, {2, 3})}, {}, &n),
                        TFLC_CODE_INVALID_ARGUMENT, "use SELECT_V2 to broadcast"));
}

TEST_F(ElementwiseTest, AddN) {
  ExpectNear(Fold1("ADD_N", {F({2}, {1, 2}), F({2}, {10, 20}), F({2}, {100, 200})}).f(), {111, 222});
  NodeView n;
  EXPECT_TRUE(StatusHas(InferOne("ADD_N", {Input(TFLC_TYPE_FLOAT32, {2}), Input(TFLC_TYPE_FLOAT32, {3})}, {}, &n),
                        TFLC_CODE_INVALID_ARGUMENT, "same shape"));
}

TEST_F(ElementwiseTest, UnaryMath) {
  ExpectNear(Fold1("EXP", {F({2}, {0, 1})}).f(), {1, 2.7182817f});
  ExpectNear(Fold1("LOG", {F({2}, {1, 2.7182817f})}).f(), {0, 1});
  ExpectNear(Fold1("SQRT", {F({2}, {4, 2.25f})}).f(), {2, 1.5f});
  ExpectNear(Fold1("RSQRT", {F({2}, {4, 0.25f})}).f(), {0.5f, 2});
  ExpectNear(Fold1("SQUARE", {F({2}, {-3, 0.5f})}).f(), {9, 0.25f});
  ExpectNear(Fold1("ABS", {F({2}, {-3, 2})}).f(), {3, 2});
  EXPECT_EQ(Fold1("ABS", {Vec({-3, 2})}).i32(), (std::vector<int32_t>{3, 2}));
  ExpectNear(Fold1("NEG", {F({2}, {-3, 2})}).f(), {3, -2});
  EXPECT_EQ(Fold1("NEG", {I64({1}, {5})}).i64(), (std::vector<int64_t>{-5}));
  ExpectNear(Fold1("FLOOR", {F({3}, {-1.5f, 1.5f, 2})}).f(), {-2, 1, 2});
  ExpectNear(Fold1("CEIL", {F({3}, {-1.5f, 1.5f, 2})}).f(), {-1, 2, 2});
  ExpectNear(Fold1("SIN", {F({2}, {0, 1.5707964f})}).f(), {0, 1});
  ExpectNear(Fold1("COS", {F({2}, {0, 3.1415927f})}).f(), {1, -1});
}

TEST_F(ElementwiseTest, RoundHalfToEven) {
  ExpectNear(Fold1("ROUND", {F({7}, {0.5f, 1.5f, 2.5f, -0.5f, -1.5f, 2.4f, -2.6f})}).f(), {0, 2, 2, 0, -2, 2, -3});
}

TEST_F(ElementwiseTest, ZerosLike) {
  Tensor z = Fold1("ZEROS_LIKE", {Vec({4, 5, 6})});
  EXPECT_EQ(z.type, TFLC_TYPE_INT32);
  EXPECT_EQ(z.i32(), (std::vector<int32_t>{0, 0, 0}));
}

TEST_F(ElementwiseTest, Cast) {
  Tensor i = Fold1("CAST", {F({3}, {1.7f, -1.7f, 3})}, {{"out_data_type", TFLC_TYPE_INT32}});
  EXPECT_EQ(i.type, TFLC_TYPE_INT32);
  EXPECT_EQ(i.i32(), (std::vector<int32_t>{1, -1, 3}));  // truncation
  ExpectNear(Fold1("CAST", {Vec({2, -4})}, {{"out_data_type", TFLC_TYPE_FLOAT32}}).f(), {2, -4});
  EXPECT_EQ(Fold1("CAST", {Vec({0, 7})}, {{"out_data_type", TFLC_TYPE_BOOL}}).b(), (std::vector<bool>{false, true}));
  ExpectNear(Fold1("CAST", {Bool({2}, {1, 0})}, {{"out_data_type", TFLC_TYPE_FLOAT32}}).f(), {1, 0});
  EXPECT_EQ(Fold1("CAST", {Vec({1, 2})}, {{"out_data_type", TFLC_TYPE_INT64}}).i64(), (std::vector<int64_t>{1, 2}));
  // float -> float16 -> float keeps exactly representable values.
  Tensor h = Fold1("CAST", {F({3}, {1.5f, -2.f, 65504.f})}, {{"out_data_type", TFLC_TYPE_FLOAT16}});
  EXPECT_EQ(h.as<uint16_t>(), (std::vector<uint16_t>{0x3e00, 0xc000, 0x7bff}));
  ExpectNear(Fold1("CAST", {h}, {{"out_data_type", TFLC_TYPE_FLOAT32}}).f(), {1.5f, -2.f, 65504.f});
  NodeView n;
  EXPECT_TRUE(StatusHas(InferOne("CAST", {Input(TFLC_TYPE_FLOAT32, {2})}, {}, &n), TFLC_CODE_INVALID_ARGUMENT,
                        "needs the attribute 'out_data_type'"));
}

TEST_F(ElementwiseTest, ShapesWithUnknownDimsAndErrors) {
  NodeView n;
  TFLC_ASSERT_OK(InferOne("ADD", {Input(TFLC_TYPE_FLOAT32, {-1, 1, 4}), Input(TFLC_TYPE_FLOAT32, {3, 1})}, {}, &n));
  EXPECT_EQ(n.output(0).dims(), (Dims{-1, 3, 4}));
  TFLC_ASSERT_OK(InferOne("MUL", {Input(TFLC_TYPE_FLOAT32, {-1, 8}), Input(TFLC_TYPE_FLOAT32, {8})}, {}, &n));
  EXPECT_EQ(n.output(0).dims(), (Dims{-1, 8}));
  Status s = InferOne("ADD", {Input(TFLC_TYPE_FLOAT32, {2, 3}), Input(TFLC_TYPE_FLOAT32, {4})}, {}, &n);
  EXPECT_TRUE(StatusHas(s, TFLC_CODE_INVALID_ARGUMENT, "shapes [2,3] and [4] cannot be broadcast: dimension 1 is 3 vs 4"));
}

TEST_F(ElementwiseTest, TypeMismatchIsReported) {
  NodeView n;
  Status s = InferOne("SUB", {Input(TFLC_TYPE_FLOAT32, {2}), Input(TFLC_TYPE_INT32, {2})}, {}, &n);
  EXPECT_TRUE(StatusHas(s, TFLC_CODE_INVALID_ARGUMENT, "same type, got FLOAT32 and INT32"));
}

TEST_F(ElementwiseTest, QuantizedArithmeticIsNotFolded) {
  // int8 ADD needs requantization: the reference kernel declines (UNIMPLEMENTED) and the host
  // leaves the node in place.
  NodeView n = Node("ADD", {Const(I8({2}, {1, 2})), Const(I8({2}, {3, 4}))});
  TFLC_ASSERT_OK(g().Output(n.output(0), "y"));
  TFLC_ASSERT_OK(Infer());
  TFLC_ASSERT_OK(host().FoldConstants());
  EXPECT_FALSE(g().output(0).is_const());
  EXPECT_EQ(g().output(0).type(), TFLC_TYPE_INT8);
}

}  // namespace
}  // namespace tflc::opset_builtin::testing
