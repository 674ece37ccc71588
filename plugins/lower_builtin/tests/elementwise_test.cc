// The generic 1:1 rows (unary / binary / comparison / logic / shape operands) and BiasAdd, AddN,
// Equal/NotEqual, SelectV2, Cast.
#include <cmath>
#include <cstring>
#include <functional>

#include "lowerings.h"
#include "test_util.h"

namespace tflc::lower_builtin::testing {
namespace {

struct OneToOne {
  const char* tf;
  const char* builtin;
  int arity;
  bool fused_activation;
};

const OneToOne kOneToOne[] = {
    {"Abs", "ABS", 1, false},          {"Ceil", "CEIL", 1, false},
    {"Cos", "COS", 1, false},          {"Elu", "ELU", 1, false},
    {"Exp", "EXP", 1, false},          {"Floor", "FLOOR", 1, false},
    {"Log", "LOG", 1, false},          {"LogSoftmax", "LOG_SOFTMAX", 1, false},
    {"Neg", "NEG", 1, false},          {"Relu6", "RELU6", 1, false},
    {"Round", "ROUND", 1, false},      {"Rsqrt", "RSQRT", 1, false},
    {"Sigmoid", "LOGISTIC", 1, false}, {"Sin", "SIN", 1, false},
    {"Sqrt", "SQRT", 1, false},        {"Square", "SQUARE", 1, false},
    {"Tanh", "TANH", 1, false},        {"ZerosLike", "ZEROS_LIKE", 1, false},
    {"LogicalNot", "LOGICAL_NOT", 1, false},
    {"Add", "ADD", 2, true},           {"AddV2", "ADD", 2, true},
    {"Sub", "SUB", 2, true},           {"Mul", "MUL", 2, true},
    {"Div", "DIV", 2, true},           {"RealDiv", "DIV", 2, true},
    {"FloorDiv", "FLOOR_DIV", 2, false}, {"FloorMod", "FLOOR_MOD", 2, false},
    {"Maximum", "MAXIMUM", 2, false},  {"Minimum", "MINIMUM", 2, false},
    {"SquaredDifference", "SQUARED_DIFFERENCE", 2, false}, {"Pow", "POW", 2, false},
    {"Equal", "EQUAL", 2, false},      {"NotEqual", "NOT_EQUAL", 2, false},
    {"Less", "LESS", 2, false},        {"LessEqual", "LESS_EQUAL", 2, false},
    {"Greater", "GREATER", 2, false},  {"GreaterEqual", "GREATER_EQUAL", 2, false},
    {"LogicalAnd", "LOGICAL_AND", 2, false}, {"LogicalOr", "LOGICAL_OR", 2, false},
    {"Select", "SELECT", 3, false},
};

TEST(OneToOneRows, EmitTheBuiltinWithInputsInOrder) {
  for (const OneToOne& c : kOneToOne) {
    SCOPED_TRACE(c.tf);
    Harness h;
    std::vector<ValueView> inputs;
    for (int i = 0; i < c.arity; ++i) inputs.push_back(h.In("in" + std::to_string(i), {2, 2}));
    h.Src(c.tf, std::string("model/") + c.tf, inputs);
    TFLC_ASSERT_OK(h.Lower());
    EXPECT_EQ(h.OpsString(), c.builtin);
    NodeView n = h.One(c.builtin);
    EXPECT_EQ(n.name(), std::string("model/") + c.tf);
    ASSERT_EQ(n.num_inputs(), static_cast<size_t>(c.arity));
    for (int i = 0; i < c.arity; ++i) EXPECT_EQ(n.input(i).name(), "in" + std::to_string(i));
    EXPECT_EQ(n.HasAttr("fused_activation_function"), c.fused_activation);
    if (c.fused_activation) {
      EXPECT_EQ(Harness::Int(n, "fused_activation_function"), 0);
    }
    EXPECT_EQ(h.OutputProducer(0).get(), n.get());
  }
}

TEST_F(LowerTest, ConstantInt64ShapeOperandsBecomeInt32Constants) {
  h.Src("Reshape", "model/reshape", {h.In("x", {2, 3}), h.I64("shape", {2}, {3, 2})});
  TFLC_ASSERT_OK(h.Lower());
  EXPECT_EQ(h.OpsString(), "RESHAPE");
  NodeView r = h.One("RESHAPE");
  EXPECT_EQ(r.input(1).name(), "model/reshape/input1_int32");
  EXPECT_EQ(Harness::I32(r.input(1)), (std::vector<int32_t>{3, 2}));
}

TEST_F(LowerTest, Int64ShapeOperandsAreCastToInt32) {
  h.Src("Reshape", "model/reshape", {h.In("x", {2, 3}), h.In("shape", {2}, TFLC_TYPE_INT64)});
  TFLC_ASSERT_OK(h.Lower());
  EXPECT_EQ(h.OpsString(), "CAST RESHAPE");
  NodeView cast = h.One("CAST");
  EXPECT_EQ(cast.name(), "model/reshape/input1_int32");
  EXPECT_EQ(Harness::Int(cast, "in_data_type"), TFLC_TYPE_INT64);
  EXPECT_EQ(Harness::Int(cast, "out_data_type"), TFLC_TYPE_INT32);
  NodeView r = h.One("RESHAPE");
  EXPECT_EQ(r.input(1).producer().get(), cast.get());
}

TEST_F(LowerTest, Int32ShapeOperandsPassThrough) {
  h.Src("Transpose", "t", {h.In("x", {2, 3}), h.Iv("perm", {1, 0})});
  TFLC_ASSERT_OK(h.Lower());
  EXPECT_EQ(h.OpsString(), "TRANSPOSE");
  EXPECT_EQ(h.One("TRANSPOSE").input(1).name(), "perm");
}

TEST_F(LowerTest, BiasAddBecomesAdd) {
  h.Src("BiasAdd", "dense/BiasAdd", {h.In("x", {1, 4}), h.F("dense/bias", {4}, {1, 2, 3, 4})});
  TFLC_ASSERT_OK(h.Lower());
  NodeView add = h.One("ADD");
  EXPECT_EQ(add.name(), "dense/BiasAdd");
  EXPECT_EQ(add.input(1).name(), "dense/bias");
  EXPECT_EQ(Harness::Int(add, "fused_activation_function"), 0);
}

TEST_F(LowerTest, BiasAddRejectsNCHW) {
  TFLC_ASSERT_OK(h.Src("BiasAdd", "b", {h.In("x", {1, 4, 2, 2}), h.F("bias", {4}, {1, 2, 3, 4})})
                     .SetString("data_format", "NCHW"));
  Status s = h.Lower();
  EXPECT_EQ(s.code(), TFLC_CODE_UNIMPLEMENTED);
  EXPECT_NE(s.message().find("data_format"), std::string::npos) << s;
}

TEST_F(LowerTest, AddNWithOneInputIsRemoved) {
  h.Src("AddN", "sum", {h.In("x", {3})});
  TFLC_ASSERT_OK(h.Lower());
  EXPECT_EQ(h.OpsString(), "");
  EXPECT_EQ(h.Output(0).name(), "x");
}

TEST_F(LowerTest, AddNWithManyInputs) {
  h.Src("AddN", "sum", {h.In("a", {3}), h.In("b", {3}), h.In("c", {3})});
  TFLC_ASSERT_OK(h.Lower());
  NodeView n = h.One("ADD_N");
  EXPECT_EQ(n.num_inputs(), 3u);
}

TEST_F(LowerTest, EqualNeedsStrictShapes) {
  TFLC_ASSERT_OK(h.Src("Equal", "eq", {h.In("a", {3}), h.In("b", {2})}).SetBool("incompatible_shape_error", false));
  Status s = h.Lower();
  EXPECT_EQ(s.code(), TFLC_CODE_UNIMPLEMENTED);
  EXPECT_NE(s.message().find("incompatible_shape_error"), std::string::npos) << s;
}

TEST_F(LowerTest, SelectV2UsesSelectForEqualShapes) {
  h.Src("SelectV2", "sel", {h.In("c", {2, 2}, TFLC_TYPE_BOOL), h.In("x", {2, 2}), h.In("y", {2, 2})});
  TFLC_ASSERT_OK(h.Lower());
  EXPECT_EQ(h.OpsString(), "SELECT");
}

TEST_F(LowerTest, SelectV2BroadcastsOtherwise) {
  h.Src("SelectV2", "sel", {h.In("c", {2}, TFLC_TYPE_BOOL), h.In("x", {2, 2}), h.In("y", {2, 2})});
  TFLC_ASSERT_OK(h.Lower());
  EXPECT_EQ(h.OpsString(), "SELECT_V2");
}

TEST_F(LowerTest, CastCarriesTypes) {
  NodeView n = h.Src("Cast", "cast", {h.In("x", {3})});
  TFLC_ASSERT_OK(n.SetType("SrcT", TFLC_TYPE_FLOAT32));
  TFLC_ASSERT_OK(n.SetType("DstT", TFLC_TYPE_INT32));
  TFLC_ASSERT_OK(h.Lower());
  NodeView c = h.One("CAST");
  EXPECT_EQ(Harness::Int(c, "in_data_type"), TFLC_TYPE_FLOAT32);
  EXPECT_EQ(Harness::Int(c, "out_data_type"), TFLC_TYPE_INT32);
}

TEST_F(LowerTest, CastNeedsDstT) {
  h.Src("Cast", "cast", {h.In("x", {3})});
  Status s = h.Lower();
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("DstT"), std::string::npos) << s;
}

// ---- numerics ----

struct UnaryCase {
  const char* tf;
  std::function<float(float)> f;
  bool positive;
};

TEST(OneToOneRows, UnaryNumeric) {
  REQUIRE_OPSET();
  const UnaryCase cases[] = {
      {"Abs", [](float x) { return std::fabs(x); }, false},
      {"Ceil", [](float x) { return std::ceil(x); }, false},
      {"Cos", [](float x) { return std::cos(x); }, false},
      {"Elu", [](float x) { return x > 0 ? x : std::expm1(x); }, false},
      {"Exp", [](float x) { return std::exp(x); }, false},
      {"Floor", [](float x) { return std::floor(x); }, false},
      {"Log", [](float x) { return std::log(x); }, true},
      {"Neg", [](float x) { return -x; }, false},
      {"Relu6", [](float x) { return std::min(std::max(x, 0.f), 6.f); }, false},
      {"Round", [](float x) { return std::nearbyint(x); }, false},
      {"Rsqrt", [](float x) { return 1 / std::sqrt(x); }, true},
      {"Sigmoid", [](float x) { return 1 / (1 + std::exp(-x)); }, false},
      {"Sin", [](float x) { return std::sin(x); }, false},
      {"Sqrt", [](float x) { return std::sqrt(x); }, true},
      {"Square", [](float x) { return x * x; }, false},
      {"Tanh", [](float x) { return std::tanh(x); }, false},
      {"ZerosLike", [](float) { return 0.f; }, false},
  };
  for (const UnaryCase& c : cases) {
    SCOPED_TRACE(c.tf);
    Harness h;
    h.Src(c.tf, "op", {h.In("x", {8})});
    std::vector<float> x(8), expected(8);
    for (int i = 0; i < 8; ++i) {
      x[i] = c.positive ? 0.3f + 0.7f * i : -3.3f + 0.9f * i;
      expected[i] = c.f(x[i]);
    }
    RUN_OR_SKIP(out, h, {HostTensor::Float({8}, x)});
    ExpectNear(out[0].floats(), expected, 1e-5f * 10);
  }
}

struct BinaryCase {
  const char* tf;
  std::function<float(float, float)> f;
};

TEST(OneToOneRows, BinaryBroadcastingNumeric) {
  REQUIRE_OPSET();
  const BinaryCase cases[] = {
      {"Add", [](float a, float b) { return a + b; }},
      {"AddV2", [](float a, float b) { return a + b; }},
      {"Sub", [](float a, float b) { return a - b; }},
      {"Mul", [](float a, float b) { return a * b; }},
      {"RealDiv", [](float a, float b) { return a / b; }},
      {"Div", [](float a, float b) { return a / b; }},
      {"FloorDiv", [](float a, float b) { return std::floor(a / b); }},
      {"FloorMod", [](float a, float b) { float m = std::fmod(a, b); return (m != 0 && (m < 0) != (b < 0)) ? m + b : m; }},
      {"Maximum", [](float a, float b) { return std::max(a, b); }},
      {"Minimum", [](float a, float b) { return std::min(a, b); }},
      {"SquaredDifference", [](float a, float b) { return (a - b) * (a - b); }},
      {"Pow", [](float a, float b) { return std::pow(std::fabs(a), b); }},
  };
  for (const BinaryCase& c : cases) {
    SCOPED_TRACE(c.tf);
    Harness h;
    const bool pow = std::string(c.tf) == "Pow";
    std::vector<float> x(6), y = {1.5f, -2.0f, 0.75f};
    for (int i = 0; i < 6; ++i) x[i] = pow ? 0.5f + 0.4f * i : -2.2f + 0.9f * i;
    h.Src(c.tf, "op", {h.In("x", {2, 3}), h.F("y", {3}, y)});
    std::vector<float> expected(6);
    for (int i = 0; i < 6; ++i) expected[i] = c.f(x[i], y[i % 3]);
    RUN_OR_SKIP(out, h, {HostTensor::Float({2, 3}, x)});
    EXPECT_EQ(out[0].dims, (std::vector<int64_t>{2, 3}));
    ExpectNear(out[0].floats(), expected, 1e-5f);
  }
}

TEST(OneToOneRows, ComparisonsNumeric) {
  REQUIRE_OPSET();
  const std::pair<const char*, std::function<bool(float, float)>> cases[] = {
      {"Equal", [](float a, float b) { return a == b; }},      {"NotEqual", [](float a, float b) { return a != b; }},
      {"Less", [](float a, float b) { return a < b; }},        {"LessEqual", [](float a, float b) { return a <= b; }},
      {"Greater", [](float a, float b) { return a > b; }},     {"GreaterEqual", [](float a, float b) { return a >= b; }},
  };
  const std::vector<float> x = {1, 2, 3, 4}, y = {2, 2, 2, 5};
  for (const auto& [op, f] : cases) {
    SCOPED_TRACE(op);
    Harness h;
    h.Src(op, "cmp", {h.In("x", {4}), h.F("y", {4}, y)});
    RUN_OR_SKIP(out, h, {HostTensor::Float({4}, x)});
    ASSERT_EQ(out[0].type, TFLC_TYPE_BOOL);
    ASSERT_EQ(out[0].bytes.size(), 4u);
    for (int i = 0; i < 4; ++i) EXPECT_EQ(out[0].bytes[i] != 0, f(x[i], y[i])) << i;
  }
}

TEST_F(LowerTest, SelectV2Numeric) {
  REQUIRE_OPSET();
  // SelectV2(x > 0, x, 0) = relu(x), with a broadcast else-branch.
  ValueView x = h.In("x", {2, 2});
  NodeView gt = h.Src("Greater", "gt", {x, h.F("zero", {}, {0.f})}, 1, false);
  h.Src("SelectV2", "sel", {gt.output(0), x, h.F("zero2", {2}, {0.f, 0.f})});
  RUN_OR_SKIP(out, h, {HostTensor::Float({2, 2}, {-1, 2, 3, -4})});
  ExpectNear(out[0].floats(), {0, 2, 3, 0});
}

TEST_F(LowerTest, CastNumeric) {
  REQUIRE_OPSET();
  TFLC_ASSERT_OK(h.Src("Cast", "cast", {h.In("x", {3})}).SetType("DstT", TFLC_TYPE_INT32));
  RUN_OR_SKIP(out, h, {HostTensor::Float({3}, {1.7f, -2.2f, 3.0f})});
  EXPECT_EQ(out[0].int32s(), (std::vector<int32_t>{1, -2, 3}));
}

TEST_F(LowerTest, AddNNumeric) {
  REQUIRE_OPSET();
  h.Src("AddN", "sum", {h.In("a", {2}), h.In("b", {2}), h.F("c", {2}, {10, 20})});
  RUN_OR_SKIP(out, h, {HostTensor::Float({2}, {1, 2}), HostTensor::Float({2}, {3, 4})});
  ExpectNear(out[0].floats(), {14, 26});
}

}  // namespace
}  // namespace tflc::lower_builtin::testing
