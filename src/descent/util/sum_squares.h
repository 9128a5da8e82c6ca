#pragma once
// Sums of squares in double for norms and metrics, with 16 independent partial sums: a single
// running sum makes every addition wait for the previous one (a 4-cycle chain per element),
// which cost the training loop a third of its speed when it measured gradient norms and update
// ratios each step. The partial sums vectorize and keep the adders busy.
#include <cstdint>

namespace descent {

// sum_i x[i]^2
double sum_squares(const float* x, int64_t n);
// sum_i (a[i] - b[i])^2
double sum_squared_difference(const float* a, const float* b, int64_t n);
// Copies x into out and returns sum_squares(x), bit for bit, in one pass over x.
double copy_and_sum_squares(const float* x, float* out, int64_t n);

}  // namespace descent
