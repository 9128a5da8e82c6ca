#include "descent/util/sum_squares.h"

namespace descent {
namespace {
constexpr int kLanes = 16;

double total(const double (&acc)[kLanes]) {
  double s = 0;
  for (double a : acc) s += a;
  return s;
}
}  // namespace

double sum_squares(const float* x, int64_t n) {
  double acc[kLanes] = {};
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int k = 0; k < kLanes; ++k) {
      const double v = x[i + k];
      acc[k] += v * v;
    }
  for (int k = 0; i < n; ++i, ++k) acc[k] += static_cast<double>(x[i]) * x[i];
  return total(acc);
}

double copy_and_sum_squares(const float* x, float* out, int64_t n) {
  double acc[kLanes] = {};
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int k = 0; k < kLanes; ++k) {
      out[i + k] = x[i + k];
      const double v = x[i + k];
      acc[k] += v * v;
    }
  for (int k = 0; i < n; ++i, ++k) {
    out[i] = x[i];
    acc[k] += static_cast<double>(x[i]) * x[i];
  }
  return total(acc);
}

double sum_squared_difference(const float* a, const float* b, int64_t n) {
  double acc[kLanes] = {};
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int k = 0; k < kLanes; ++k) {
      const double d = static_cast<double>(a[i + k]) - b[i + k];
      acc[k] += d * d;
    }
  for (int k = 0; i < n; ++i, ++k) {
    const double d = static_cast<double>(a[i]) - b[i];
    acc[k] += d * d;
  }
  return total(acc);
}

}  // namespace descent
