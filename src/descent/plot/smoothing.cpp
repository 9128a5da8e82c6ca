#include "descent/plot/smoothing.h"

#include <cmath>

namespace descent::plot {

std::vector<double> debiased_ema(const std::vector<double>& y, double smoothing) {
  std::vector<double> out(y.size());
  double mean = 0, weight = 1;  // weight = a^k
  for (size_t i = 0; i < y.size(); ++i) {
    if (!std::isfinite(y[i])) {
      out[i] = y[i];
      continue;
    }
    mean = smoothing * mean + (1 - smoothing) * y[i];
    weight *= smoothing;
    out[i] = mean / (1 - weight);
  }
  return out;
}

}  // namespace descent::plot
