#include "quant_common/half.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace tflc::quant {
namespace {

uint32_t Bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  return u;
}
float FromBits(uint32_t u) {
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}

}  // namespace

uint16_t FloatToHalf(float f) {
  if (!std::isnan(f)) f = std::min(std::max(f, -kMaxHalf), kMaxHalf);
  uint32_t u = Bits(f);
  const uint32_t sign = u & 0x80000000u;
  u ^= sign;
  uint16_t h;
  if (u >= (127u + 16u) << 23) {  // beyond half's exponent range: only NaN after the clamp
    h = u > (255u << 23) ? 0x7e00 : 0x7c00;
  } else if (u < 113u << 23) {  // the half is subnormal or zero: let float addition round it
    const uint32_t magic = ((127u - 15u) + (23u - 10u) + 1u) << 23;  // 0.5: aligns bit 24 of the mantissa
    h = static_cast<uint16_t>(Bits(FromBits(u) + FromBits(magic)) - magic);
  } else {
    const uint32_t mantissa_odd = (u >> 13) & 1u;
    u += (static_cast<uint32_t>(15 - 127) << 23) + 0xfffu + mantissa_odd;  // rebias and round to even
    h = static_cast<uint16_t>(u >> 13);
  }
  return static_cast<uint16_t>(h | (sign >> 16));
}

float HalfToFloat(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  const uint32_t exponent = (h >> 10) & 0x1fu;
  const uint32_t mantissa = h & 0x3ffu;
  if (exponent == 0) {  // zero or subnormal: mantissa * 2^-24
    const float v = std::ldexp(static_cast<float>(mantissa), -24);
    return sign ? -v : v;
  }
  if (exponent == 0x1f) return FromBits(sign | 0x7f800000u | (mantissa << 13));  // inf / NaN
  return FromBits(sign | ((exponent + 127u - 15u) << 23) | (mantissa << 13));
}

}  // namespace tflc::quant
