#include "descent/experiments/least_squares.h"

#include <cmath>
#include <stdexcept>

namespace descent::experiments {
namespace {

// Solves G x = r in place for each of `outputs` right-hand sides (r is n x outputs), G symmetric
// positive definite (n x n), by Cholesky.
void cholesky_solve(std::vector<double>& g, int64_t n, std::vector<double>& r, int64_t outputs) {
  for (int64_t j = 0; j < n; ++j) {
    double d = g[j * n + j];
    for (int64_t k = 0; k < j; ++k) d -= g[j * n + k] * g[j * n + k];
    if (!(d > 0)) throw std::runtime_error("least squares: the Gram matrix is not positive");
    d = std::sqrt(d);
    g[j * n + j] = d;
    for (int64_t i = j + 1; i < n; ++i) {
      double s = g[i * n + j];
      for (int64_t k = 0; k < j; ++k) s -= g[i * n + k] * g[j * n + k];
      g[i * n + j] = s / d;
    }
  }
  for (int64_t o = 0; o < outputs; ++o) {
    for (int64_t i = 0; i < n; ++i) {  // L y = r
      double s = r[i * outputs + o];
      for (int64_t k = 0; k < i; ++k) s -= g[i * n + k] * r[k * outputs + o];
      r[i * outputs + o] = s / g[i * n + i];
    }
    for (int64_t i = n - 1; i >= 0; --i) {  // L' x = y
      double s = r[i * outputs + o];
      for (int64_t k = i + 1; k < n; ++k) s -= g[k * n + i] * r[k * outputs + o];
      r[i * outputs + o] = s / g[i * n + i];
    }
  }
}

void add_ridge(std::vector<double>& g, int64_t n, double ridge) {
  double trace = 0;
  for (int64_t i = 0; i < n; ++i) trace += g[i * n + i];
  const double add = ridge * std::max(trace / static_cast<double>(n), 1e-300);
  for (int64_t i = 0; i < n; ++i) g[i * n + i] += add;
}

}  // namespace

std::vector<double> min_norm_least_squares(const std::vector<double>& a, int64_t rows, int64_t cols,
                                           const std::vector<double>& b, int64_t outputs,
                                           double ridge) {
  std::vector<double> w(static_cast<size_t>(cols * outputs), 0.0);
  if (rows >= cols) {
    std::vector<double> g(static_cast<size_t>(cols * cols), 0.0);
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t i = 0; i < cols; ++i) {
        const double ai = a[r * cols + i];
        if (ai == 0) continue;
        for (int64_t j = 0; j <= i; ++j) g[i * cols + j] += ai * a[r * cols + j];
        for (int64_t o = 0; o < outputs; ++o) w[i * outputs + o] += ai * b[r * outputs + o];
      }
    for (int64_t i = 0; i < cols; ++i)
      for (int64_t j = 0; j < i; ++j) g[j * cols + i] = g[i * cols + j];
    add_ridge(g, cols, ridge);
    cholesky_solve(g, cols, w, outputs);
    return w;
  }
  std::vector<double> g(static_cast<size_t>(rows * rows), 0.0);
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j <= i; ++j) {
      double s = 0;
      for (int64_t k = 0; k < cols; ++k) s += a[i * cols + k] * a[j * cols + k];
      g[i * rows + j] = g[j * rows + i] = s;
    }
  add_ridge(g, rows, ridge);
  std::vector<double> z = b;
  cholesky_solve(g, rows, z, outputs);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t i = 0; i < cols; ++i) {
      const double ai = a[r * cols + i];
      for (int64_t o = 0; o < outputs; ++o) w[i * outputs + o] += ai * z[r * outputs + o];
    }
  return w;
}

}  // namespace descent::experiments
