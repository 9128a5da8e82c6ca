// The sums of squares behind norms and metrics (util/sum_squares.h): the fused copy gives the
// same bits as a copy and a separate sum, for every length around the 16 partial sums.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "descent/util/random.h"
#include "descent/util/sum_squares.h"

namespace descent {
namespace test_sum_squares {

TEST(SumSquares, CopyAndSumIsTheCopyAndTheSum) {
  Generator gen(3);
  for (int64_t n : {0, 1, 15, 16, 17, 33, 1000, 100003}) {
    std::vector<float> x(static_cast<size_t>(n)), out(static_cast<size_t>(n), -1.0f);
    for (float& v : x) v = static_cast<float>(gen.normal() * 3);
    const double fused = copy_and_sum_squares(x.data(), out.data(), n);
    EXPECT_EQ(fused, sum_squares(x.data(), n)) << n;
    EXPECT_EQ(out, x) << n;
    double exact = 0;
    for (float v : x) exact += static_cast<double>(v) * v;
    EXPECT_NEAR(fused, exact, 1e-9 * (exact + 1)) << n;
  }
}

TEST(SumSquares, DifferenceOfACopyIsZero) {
  const std::vector<float> a = {1.5f, -2.0f, 3.25f};
  std::vector<float> b(3);
  copy_and_sum_squares(a.data(), b.data(), 3);
  EXPECT_EQ(sum_squared_difference(a.data(), b.data(), 3), 0.0);
  b[1] = 0;
  EXPECT_EQ(sum_squared_difference(a.data(), b.data(), 3), 4.0);
}

}  // namespace test_sum_squares
}  // namespace descent
