// Shared helpers: broadcasting, TFLite padding arithmetic, axes, half floats, activations.
#include "common.h"

#include <gtest/gtest.h>

#include <cmath>

namespace tflc::opset_builtin {
namespace {

TEST(Common, BroadcastShapes) {
  EXPECT_EQ(*BroadcastShapes({2, 1, 3}, {4, 1}), (Dims{2, 4, 3}));
  EXPECT_EQ(*BroadcastShapes({}, {5}), (Dims{5}));
  EXPECT_EQ(*BroadcastShapes({-1, 3}, {1, 3}), (Dims{-1, 3}));
  EXPECT_EQ(*BroadcastShapes({-1, 3}, {4, 3}), (Dims{4, 3}));  // the unknown dim must be 1 or 4
  auto bad = BroadcastShapes({2, 3}, {3, 3});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("dimension 0 is 2 vs 3"), std::string::npos) << bad.status();
}

TEST(Common, ConvOutSizeAndPaddingAsTflite) {
  // SAME: ceil(in / stride); VALID: (in - effective + stride) / stride.
  EXPECT_EQ(ConvOutSize(kPaddingSame, 7, 3, 2, 1), 4);
  EXPECT_EQ(ConvOutSize(kPaddingValid, 7, 3, 2, 1), 3);
  EXPECT_EQ(ConvOutSize(kPaddingValid, 7, 3, 1, 2), 3);  // effective 5
  EXPECT_EQ(ConvOutSize(kPaddingSame, -1, 3, 1, 1), -1);
  // padding = max(0, (out-1)*stride + (k-1)*dilation + 1 - in); the odd unit goes after.
  PadInfo p = ConvPadding(4, 3, 2, 1, 2);  // total 1
  EXPECT_EQ(p.before, 0);
  EXPECT_EQ(p.after, 1);
  p = ConvPadding(5, 3, 1, 1, 5);  // total 2
  EXPECT_EQ(p.before, 1);
  EXPECT_EQ(p.after, 1);
  p = ConvPadding(5, 3, 1, 2, 5);  // dilation 2: effective 5, total 4
  EXPECT_EQ(p.before, 2);
  EXPECT_EQ(p.after, 2);
  p = ConvPadding(7, 3, 2, 1, 3);  // VALID: no padding
  EXPECT_EQ(p.before + p.after, 0);
}

TEST(Common, NormalizeAxis) {
  EXPECT_EQ(*NormalizeAxis(-1, 4, "axis"), 3);
  EXPECT_EQ(*NormalizeAxis(0, 4, "axis"), 0);
  EXPECT_FALSE(NormalizeAxis(4, 4, "axis").ok());
  EXPECT_FALSE(NormalizeAxis(-5, 4, "axis").ok());
}

TEST(Common, DimsToStringMarksUnknown) { EXPECT_EQ(DimsToString({-1, 3}), "[?,3]"); }

TEST(Common, HalfFloats) {
  EXPECT_EQ(HalfToFloat(0x3c00), 1.0f);
  EXPECT_EQ(HalfToFloat(0xc000), -2.0f);
  EXPECT_EQ(HalfToFloat(0x7bff), 65504.f);
  EXPECT_EQ(HalfToFloat(0x0001), std::ldexp(1.f, -24));  // smallest subnormal
  EXPECT_TRUE(std::isinf(HalfToFloat(0x7c00)));
  EXPECT_EQ(FloatToHalf(1.0f), 0x3c00);
  EXPECT_EQ(FloatToHalf(65504.f), 0x7bff);
  EXPECT_EQ(FloatToHalf(1e6f), 0x7c00);                    // overflow -> inf
  EXPECT_EQ(FloatToHalf(std::ldexp(1.f, -24)), 0x0001);    // subnormal
  EXPECT_EQ(FloatToHalf(1.0f + std::ldexp(1.f, -11)), 0x3c00);  // tie -> even
  EXPECT_EQ(FloatToHalf(std::ldexp(1.f, -14)), 0x0400);          // smallest normal
  EXPECT_EQ(FloatToHalf(std::ldexp(1.f, -15)), 0x0200);          // subnormal
  EXPECT_EQ(FloatToHalf(std::ldexp(3.f, -25)), 0x0002);          // 1.5 units -> even 2
  EXPECT_EQ(FloatToHalf(std::ldexp(1.f, -25)), 0x0000);          // half a unit -> even 0
  EXPECT_EQ(FloatToHalf(-2.5f), 0xc100);
}

TEST(Common, FusedActivations) {
  EXPECT_EQ(ApplyActivation(kActNone, -3.f), -3.f);
  EXPECT_EQ(ApplyActivation(kActRelu, -3.f), 0.f);
  EXPECT_EQ(ApplyActivation(kActReluN1To1, -3.f), -1.f);
  EXPECT_EQ(ApplyActivation(kActRelu6, 7.f), 6.f);
  EXPECT_FLOAT_EQ(ApplyActivation(kActTanh, 1.f), std::tanh(1.f));
  EXPECT_EQ(ApplyActivationT<int32_t>(kActRelu6, 9), 6);
  EXPECT_EQ(ApplyActivationT<int32_t>(kActRelu, -9), 0);
}

TEST(Common, ForEachBroadcastOffsets) {
  const Dims ins[2] = {{2, 1}, {3}};
  std::vector<std::pair<int64_t, int64_t>> seen;
  ForEachBroadcast(Dims{2, 3}, ins, [&](int64_t, int64_t a, int64_t b) { seen.emplace_back(a, b); });
  EXPECT_EQ(seen, (std::vector<std::pair<int64_t, int64_t>>{{0, 0}, {0, 1}, {0, 2}, {1, 0}, {1, 1}, {1, 2}}));
}

}  // namespace
}  // namespace tflc::opset_builtin
