#pragma once
// Small fits the experiments share: the least-squares slope of a line through points, and the
// same on log-log axes (the exponent of a power law).
#include <cmath>
#include <vector>

namespace descent::experiments {

// The least-squares slope of y against x (NaN with fewer than two distinct x).
inline double fitted_slope(const std::vector<double>& x, const std::vector<double>& y) {
  const double n = static_cast<double>(x.size());
  double sx = 0, sy = 0;
  for (size_t i = 0; i < x.size(); ++i) sx += x[i], sy += y[i];
  double sxy = 0, sxx = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    sxy += (x[i] - sx / n) * (y[i] - sy / n);
    sxx += (x[i] - sx / n) * (x[i] - sx / n);
  }
  return sxx > 0 ? sxy / sxx : std::nan("");
}

// The exponent k of y ~ x^k: the slope of log y against log x (x, y > 0).
inline double loglog_slope(const std::vector<double>& x, const std::vector<double>& y) {
  std::vector<double> lx, ly;
  for (size_t i = 0; i < x.size(); ++i) {
    lx.push_back(std::log(x[i]));
    ly.push_back(std::log(y[i]));
  }
  return fitted_slope(lx, ly);
}

}  // namespace descent::experiments
