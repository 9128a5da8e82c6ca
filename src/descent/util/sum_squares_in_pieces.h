#pragma once
// The sums of util/sum_squares.h over long arrays, in pieces on descent's threads
// (util/parallel.h): each piece's sum as sum_squares.h takes it, the pieces added in order, so
// the same bits on any number of threads. They measure how far a step moved the weights where
// the optimizer does not measure itself (the trainer's walk, Optimizer's walk).
#include <cstdint>

#include "descent/util/parallel.h"
#include "descent/util/sum_squares.h"

namespace descent {

// Copies x into out and returns the sum of x's squares.
inline double copy_and_sum_squares_in_pieces(const float* x, float* out, int64_t n) {
  return parallel_sum<double>(n, [x, out](int64_t begin, int64_t end) {
    return copy_and_sum_squares(x + begin, out + begin, end - begin);
  });
}

// The sum of (a - b)^2.
inline double sum_squared_difference_in_pieces(const float* a, const float* b, int64_t n) {
  return parallel_sum<double>(n, [a, b](int64_t begin, int64_t end) {
    return sum_squared_difference(a + begin, b + begin, end - begin);
  });
}

}  // namespace descent
