#include "descent/plot/levels.h"

#include <algorithm>
#include <cmath>

namespace descent::plot {
namespace {

// The value at fraction q of the sorted values (nearest rank).
double quantile(std::vector<double> v, double q) {
  const auto k = static_cast<std::ptrdiff_t>(q * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + k, v.end());
  return v[static_cast<size_t>(k)];
}

}  // namespace

std::vector<double> contour_thresholds(const std::vector<double>& z, int count, bool log_spaced) {
  std::vector<double> out;
  if (z.empty() || count < 1) return out;
  const auto [lo_it, hi_it] = std::minmax_element(z.begin(), z.end());
  const double lo = *lo_it, range = *hi_it - lo;
  if (!(range > 0)) return out;
  if (!log_spaced) {
    // Band centres: count levels, none on the extremes (a level at the minimum draws nothing).
    for (int k = 0; k < count; ++k) out.push_back(lo + range * (k + 0.5) / count);
    return out;
  }
  std::vector<double> above;
  above.reserve(z.size());
  for (double v : z)
    if (v > lo) above.push_back(v - lo);
  // The first level sits at the 1st percentile above the minimum (but at most 1e-6 of the range
  // below it), the last just under the maximum.
  const double first = std::max(quantile(above, 0.01), range * 1e-6);
  const double last = range * (1 - 1e-9);
  if (count == 1 || !(last > first)) return {lo + first};
  const double ratio = std::log(last / first) / (count - 1);
  for (int k = 0; k < count; ++k) out.push_back(lo + first * std::exp(ratio * k));
  return out;
}

bool calls_for_log_levels(const std::vector<double>& z) {
  if (z.size() < 2) return false;
  const double lo = *std::min_element(z.begin(), z.end());
  const double q10 = quantile(z, 0.1) - lo, q90 = quantile(z, 0.9) - lo;
  return q90 > 50 * q10;
}

}  // namespace descent::plot
