// FloatToHalf / HalfToFloat: rounding to nearest even, subnormals, the TF clamp to +-65504.
#include "quant_common/half.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace tflc::quant {
namespace {

TEST(Half, ExactValues) {
  EXPECT_EQ(FloatToHalf(0.f), 0x0000);
  EXPECT_EQ(FloatToHalf(-0.f), 0x8000);
  EXPECT_EQ(FloatToHalf(1.f), 0x3c00);
  EXPECT_EQ(FloatToHalf(-2.f), 0xc000);
  EXPECT_EQ(FloatToHalf(0.5f), 0x3800);
  EXPECT_EQ(FloatToHalf(65504.f), 0x7bff);
  EXPECT_EQ(FloatToHalf(std::ldexp(1.f, -14)), 0x0400);  // smallest normal
  EXPECT_EQ(FloatToHalf(std::ldexp(1.f, -24)), 0x0001);  // smallest subnormal
}

TEST(Half, RoundsToNearestEven) {
  EXPECT_EQ(FloatToHalf(0.1f), 0x2e66);
  // Halfway between 1 and the next half (1 + 2^-10): ties go to the even mantissa.
  EXPECT_EQ(FloatToHalf(1.f + std::ldexp(1.f, -11)), 0x3c00);
  EXPECT_EQ(FloatToHalf(1.f + 3 * std::ldexp(1.f, -11)), 0x3c02);
  // Just above the tie rounds up.
  EXPECT_EQ(FloatToHalf(1.f + std::ldexp(1.f, -11) + std::ldexp(1.f, -20)), 0x3c01);
  // Subnormal ties: 0.5 and 1.5 units of 2^-24.
  EXPECT_EQ(FloatToHalf(std::ldexp(1.f, -25)), 0x0000);
  EXPECT_EQ(FloatToHalf(3 * std::ldexp(1.f, -25)), 0x0002);
  EXPECT_EQ(FloatToHalf(-3 * std::ldexp(1.f, -25)), 0x8002);
  // Below half the smallest subnormal: signed zero.
  EXPECT_EQ(FloatToHalf(-1e-10f), 0x8000);
  // Rounding a subnormal up into the normal range.
  EXPECT_EQ(FloatToHalf(std::ldexp(1.f, -14) - std::ldexp(1.f, -26)), 0x0400);
}

TEST(Half, ClampsLikeTfFloat16Quantization) {
  EXPECT_EQ(FloatToHalf(65519.f), 0x7bff);  // would round to inf without the clamp
  EXPECT_EQ(FloatToHalf(1e9f), 0x7bff);
  EXPECT_EQ(FloatToHalf(-1e9f), 0xfbff);
  EXPECT_EQ(FloatToHalf(std::numeric_limits<float>::infinity()), 0x7bff);
  EXPECT_EQ(FloatToHalf(-std::numeric_limits<float>::infinity()), 0xfbff);
  const uint16_t nan = FloatToHalf(std::numeric_limits<float>::quiet_NaN());
  EXPECT_EQ(nan & 0x7c00, 0x7c00);
  EXPECT_NE(nan & 0x03ff, 0);
  EXPECT_TRUE(std::isnan(HalfToFloat(nan)));
}

TEST(Half, EveryFiniteHalfRoundTrips) {
  for (uint32_t h = 0; h <= 0xffff; ++h) {
    if ((h & 0x7c00) == 0x7c00) continue;  // inf / NaN
    const uint16_t x = static_cast<uint16_t>(h);
    ASSERT_EQ(FloatToHalf(HalfToFloat(x)), x) << std::hex << h;
  }
}

TEST(Half, HalfToFloatValues) {
  EXPECT_EQ(HalfToFloat(0x3c00), 1.f);
  EXPECT_EQ(HalfToFloat(0xc000), -2.f);
  EXPECT_EQ(HalfToFloat(0x7bff), 65504.f);
  EXPECT_EQ(HalfToFloat(0x0001), std::ldexp(1.f, -24));
  EXPECT_EQ(HalfToFloat(0x83ff), -std::ldexp(1023.f, -24));
  EXPECT_EQ(HalfToFloat(0x7c00), std::numeric_limits<float>::infinity());
  EXPECT_NEAR(HalfToFloat(FloatToHalf(0.1f)), 0.1f, 0.1f * std::ldexp(1.f, -11));
}

}  // namespace
}  // namespace tflc::quant
