#pragma once
// Quantiles of measured values for the experiments' bands (e.g. 10% and 90% over repetitions).
#include <algorithm>
#include <cmath>
#include <vector>

namespace descent::experiments {

// The value at fraction q (0..1) of the values, by linear interpolation between the order
// statistics (NumPy's default): q = 0.5 is the median. Infinite values sort to the ends (a
// quantile between two infinities is infinite); NaN for no values.
inline double quantile(std::vector<double> values, double q) {
  if (values.empty()) return std::nan("");
  std::sort(values.begin(), values.end());
  const double at = std::clamp(q, 0.0, 1.0) * static_cast<double>(values.size() - 1);
  const size_t below = static_cast<size_t>(std::floor(at));
  const size_t above = std::min(below + 1, values.size() - 1);
  const double lo = values[below], hi = values[above], t = at - static_cast<double>(below);
  if (t == 0 || lo == hi) return lo;
  return lo + t * (hi - lo);
}

}  // namespace descent::experiments
