#pragma once
// Elementwise float functions in a form the compiler vectorizes: straight-line arithmetic, no
// calls, no branches. libm's tanhf is one call per element, and was half the time of a step of a
// small tanh network. Accuracy (tests/test_vector_math.cpp, every float tried in a range against
// the double-precision function): exp_float within 1 ulp, tanh_float within 2 ulp, sigmoid_float
// within 3 ulp.
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>

namespace descent {

// a where `take_a`, else b, by bit masks: both are computed first, so a loop stays branch-free
// (a conditional expression lets the compiler branch around a division it must not speculate).
inline float select(bool take_a, float a, float b) {
  const uint32_t mask = 0u - static_cast<uint32_t>(take_a);
  return std::bit_cast<float>((std::bit_cast<uint32_t>(a) & mask) |
                              (std::bit_cast<uint32_t>(b) & ~mask));
}

// e^y for y in [-87, 88] (beyond, the result is meaningless: callers clamp). e^y = 2^n e^r with
// n = round(y / ln 2) and |r| <= ln(2) / 2 (ln 2 split in two, so that y - n ln 2 is exact), e^r
// by its Taylor series through r^7 (the first term left out is below 1e-8 relative).
inline float exp_float(float y) {
  // Adding 1.5 * 2^23 rounds y / ln 2 to an integer held in the sum's low bits: n as a float and
  // as an int without a conversion (one the compiler will not vectorize without
  // -fno-trapping-math).
  constexpr float kShift = 12582912.0f;
  const float shifted = y * 1.44269504088896341f + kShift;
  const float n = shifted - kShift;
  const int32_t n_int = std::bit_cast<int32_t>(shifted) - std::bit_cast<int32_t>(kShift);
  const float r = (y - n * 0.693145751953125f) - n * 1.42860682030941723e-6f;
  float e = 1.0f / 5040;
  e = e * r + 1.0f / 720;
  e = e * r + 1.0f / 120;
  e = e * r + 1.0f / 24;
  e = e * r + 1.0f / 6;
  e = e * r + 0.5f;
  e = e * r + 1;
  e = e * r + 1;
  const float two_to_n = std::bit_cast<float>((n_int + 127) << 23);
  return e * two_to_n;
}

// tanh(x); NaN stays NaN, +-inf gives +-1.
inline float tanh_float(float x) {
  const float a = std::fabs(x);
  // |x| < 0.5: the Taylor series of tanh through x^15 (the next term is below 1e-8 relative).
  const float s = x * x;
  float p = -929569.0f / 638512875.0f;
  p = p * s + 21844.0f / 6081075.0f;
  p = p * s - 1382.0f / 155925.0f;
  p = p * s + 62.0f / 2835.0f;
  p = p * s - 17.0f / 315.0f;
  p = p * s + 2.0f / 15.0f;
  p = p * s - 1.0f / 3.0f;
  const float small = std::copysign(x + x * (s * p), x);  // keeps -0
  // Otherwise 1 - 2 / (e^(2|x|) + 1); from |x| = 10 on that rounds to 1.
  const float y = std::min(2 * a, 20.0f);
  const float large = std::copysign(1 - 2 / (exp_float(y) + 1), x);
  return select(a < 0.5f, small, select(a == a, large, x));  // NaN stays NaN
}

// 1 / (1 + e^-x) from e = e^-|x|, which never overflows: 1 / (1 + e) for x >= 0, e / (1 + e)
// below. Past |x| = 87 e stays at e^-87: the result is then 1, or below 2e-38 instead of the
// exact denormal. NaN stays NaN.
inline float sigmoid_float(float x) {
  const float e = exp_float(-std::min(std::fabs(x), 87.0f));
  const float r = 1 / (1 + e);
  return select(x >= 0, r, select(x < 0, e * r, x));
}

}  // namespace descent
