// Mean, Sum, Max, Min, Prod, Any, All, ArgMax, ArgMin.
#include <algorithm>
#include <functional>

#include "test_util.h"

namespace tflc::lower_builtin::testing {
namespace {

TEST(ReduceRows, MapToBuiltinsWithKeepDims) {
  const std::pair<const char*, const char*> cases[] = {{"Mean", "MEAN"},       {"Sum", "SUM"},
                                                       {"Max", "REDUCE_MAX"},  {"Min", "REDUCE_MIN"},
                                                       {"Prod", "REDUCE_PROD"}, {"Any", "REDUCE_ANY"},
                                                       {"All", "REDUCE_ALL"}};
  for (const auto& [tf, builtin] : cases) {
    for (bool keep : {false, true}) {
      SCOPED_TRACE(std::string(tf) + (keep ? " keep_dims" : ""));
      Harness h;
      NodeView n = h.Src(tf, "r", {h.In("x", {2, 3, 4}), h.Iv("axes", {1, 2})});
      TFLC_ASSERT_OK(n.SetBool("keep_dims", keep));
      TFLC_ASSERT_OK(h.Lower());
      NodeView r = h.One(builtin);
      EXPECT_EQ(r.input(0).name(), "x");
      EXPECT_EQ(Harness::I32(r.input(1)), (std::vector<int32_t>{1, 2}));
      EXPECT_EQ(Harness::Int(r, "keep_dims"), keep ? 1 : 0);
    }
  }
}

TEST_F(LowerTest, ReduceKeepDimsDefaultsToFalse) {
  h.Src("Mean", "m", {h.In("x", {2, 3}), h.Scalar("axis", 1)});
  TFLC_ASSERT_OK(h.Lower());
  EXPECT_EQ(Harness::Int(h.One("MEAN"), "keep_dims"), 0);
}

TEST_F(LowerTest, ReduceInt64AxesBecomeInt32) {
  h.Src("Sum", "s", {h.In("x", {2, 3}), h.I64("axes", {1}, {1})});
  TFLC_ASSERT_OK(h.Lower());
  EXPECT_EQ(h.OpsString(), "SUM");
  EXPECT_EQ(Harness::I32(h.One("SUM").input(1)), std::vector<int32_t>{1});
}

TEST_F(LowerTest, ArgMaxOutputType) {
  h.Src("ArgMax", "am", {h.In("x", {2, 3}), h.Scalar("dim", 1)});
  TFLC_ASSERT_OK(h.Lower());
  EXPECT_EQ(Harness::Int(h.One("ARG_MAX"), "output_type"), TFLC_TYPE_INT64);  // TF's default
  Harness h2;
  TFLC_ASSERT_OK(h2.Src("ArgMin", "am", {h2.In("x", {2, 3}), h2.Scalar("dim", 1)}).SetType("output_type", TFLC_TYPE_INT32));
  TFLC_ASSERT_OK(h2.Lower());
  EXPECT_EQ(Harness::Int(h2.One("ARG_MIN"), "output_type"), TFLC_TYPE_INT32);
}

TEST_F(LowerTest, ArgMaxRejectsOtherOutputTypes) {
  TFLC_ASSERT_OK(h.Src("ArgMax", "am", {h.In("x", {2, 3}), h.Scalar("dim", 1)}).SetType("output_type", TFLC_TYPE_INT16));
  Status s = h.Lower();
  EXPECT_EQ(s.code(), TFLC_CODE_UNIMPLEMENTED);
  EXPECT_NE(s.message().find("output_type"), std::string::npos) << s;
}

TEST(ReduceRows, Numeric) {
  REQUIRE_OPSET();
  const std::vector<float> x = {1, -2, 3, 4, 5, -6};  // [2, 3]
  const std::pair<const char*, std::function<float(float, float)>> cases[] = {
      {"Sum", [](float a, float b) { return a + b; }},
      {"Max", [](float a, float b) { return std::max(a, b); }},
      {"Min", [](float a, float b) { return std::min(a, b); }},
      {"Prod", [](float a, float b) { return a * b; }},
  };
  for (const auto& [op, f] : cases) {
    SCOPED_TRACE(op);
    Harness h;
    h.Src(op, "r", {h.In("x", {2, 3}), h.Scalar("axis", 1)});
    std::vector<float> expected = {f(f(x[0], x[1]), x[2]), f(f(x[3], x[4]), x[5])};
    RUN_OR_SKIP(out, h, {HostTensor::Float({2, 3}, x)});
    EXPECT_EQ(out[0].dims, (std::vector<int64_t>{2}));
    ExpectNear(out[0].floats(), expected);
  }
  Harness h;
  TFLC_ASSERT_OK(h.Src("Mean", "r", {h.In("x", {2, 3}), h.Iv("axes", {0})}).SetBool("keep_dims", true));
  RUN_OR_SKIP(out, h, {HostTensor::Float({2, 3}, x)});
  EXPECT_EQ(out[0].dims, (std::vector<int64_t>{1, 3}));
  ExpectNear(out[0].floats(), {2.5f, 1.5f, -1.5f});
}

TEST(ReduceRows, ArgMaxNumeric) {
  REQUIRE_OPSET();
  Harness h;
  TFLC_ASSERT_OK(h.Src("ArgMax", "am", {h.In("x", {2, 3}), h.Scalar("dim", 1)}).SetType("output_type", TFLC_TYPE_INT32));
  RUN_OR_SKIP(out, h, {HostTensor::Float({2, 3}, {1, 7, 3, 9, 5, -6})});
  EXPECT_EQ(out[0].int32s(), (std::vector<int32_t>{1, 0}));
}

}  // namespace
}  // namespace tflc::lower_builtin::testing
