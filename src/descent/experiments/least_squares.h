#pragma once
// Linear least squares in double for the experiments that fit linear models exactly (bias-variance,
// double-descent): the minimum-norm solution of A w = b, with a tiny ridge so that the
// interpolation threshold (A square and nearly singular) stays solvable.
#include <cstdint>
#include <vector>

namespace descent::experiments {

// A is rows x cols, row-major; b is rows x outputs. Returns w, cols x outputs: for rows >= cols,
// (A'A + ridge I)^-1 A'b; for rows < cols, A'(AA' + ridge I)^-1 b, the interpolating solution of
// least norm. `ridge` is relative to the mean diagonal of the Gram matrix.
std::vector<double> min_norm_least_squares(const std::vector<double>& a, int64_t rows, int64_t cols,
                                           const std::vector<double>& b, int64_t outputs,
                                           double ridge = 1e-10);

}  // namespace descent::experiments
