// The vectorized float functions (ops/vector_math.h) against libm in double precision, over
// every 1009th float of their range (about two million values), and at the edges.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

#include "descent/ops/vector_math.h"

namespace descent {
namespace test_vector_math {

// Units in the last place between a float and the exact value rounded to float.
int64_t ulps(float got, double exact) {
  const float want = static_cast<float>(exact);
  if (got == want) return 0;
  if (std::signbit(got) != std::signbit(want)) return std::numeric_limits<int64_t>::max();
  return std::abs(int64_t{std::bit_cast<int32_t>(got)} - std::bit_cast<int32_t>(want));
}

// The worst error over the floats x and -x in [lo, hi], x every `stride`-th float from 0 up.
template <class F, class Exact>
int64_t worst_ulps(F f, Exact exact, float lo, float hi, uint32_t stride, float& where) {
  int64_t worst = 0;
  const uint32_t end = std::bit_cast<uint32_t>(std::max(-lo, hi));
  for (uint32_t bits = 0; bits <= end; bits += stride)
    for (const float x : {std::bit_cast<float>(bits), -std::bit_cast<float>(bits)}) {
      if (x < lo || x > hi) continue;
      const int64_t u = ulps(f(x), exact(static_cast<double>(x)));
      if (u > worst) worst = u, where = x;
    }
  return worst;
}

TEST(VectorMath, ExpIsWithinOneUlp) {
  float where = 0;
  const auto worst = worst_ulps([](float y) { return exp_float(y); },
                                [](double y) { return std::exp(y); }, -87, 88, 1009, where);
  EXPECT_LE(worst, 1) << "at " << where;
}

TEST(VectorMath, TanhIsWithinTwoUlps) {
  float where = 0;
  const auto worst = worst_ulps([](float x) { return tanh_float(x); },
                                [](double x) { return std::tanh(x); }, -12, 12, 1009, where);
  EXPECT_LE(worst, 2) << "at " << where;
}

TEST(VectorMath, SigmoidIsWithinThreeUlps) {
  float where = 0;
  const auto worst =
      worst_ulps([](float x) { return sigmoid_float(x); },
                 [](double x) { return 1 / (1 + std::exp(-x)); }, -87, 87, 1009, where);
  EXPECT_LE(worst, 3) << "at " << where;
  EXPECT_TRUE(std::isnan(sigmoid_float(std::numeric_limits<float>::quiet_NaN())));
  EXPECT_EQ(sigmoid_float(std::numeric_limits<float>::infinity()), 1.0f);
  EXPECT_LT(sigmoid_float(-std::numeric_limits<float>::infinity()), 2e-38f);
  EXPECT_EQ(sigmoid_float(0.0f), 0.5f);
}

TEST(VectorMath, TanhKeepsSignsNanAndLimits) {
  EXPECT_TRUE(std::signbit(tanh_float(-0.0f)));
  EXPECT_EQ(tanh_float(0.0f), 0.0f);
  EXPECT_TRUE(std::isnan(tanh_float(std::numeric_limits<float>::quiet_NaN())));
  EXPECT_EQ(tanh_float(std::numeric_limits<float>::infinity()), 1.0f);
  EXPECT_EQ(tanh_float(-std::numeric_limits<float>::infinity()), -1.0f);
  EXPECT_EQ(tanh_float(1e30f), 1.0f);
  EXPECT_EQ(tanh_float(1e-30f), 1e-30f);  // tanh x = x to float precision near 0
}

}  // namespace test_vector_math
}  // namespace descent
