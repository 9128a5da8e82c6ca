#include "descent/experiments/drawn_path.h"

#include <algorithm>

namespace descent::experiments {

plot::Path drawn_path(const std::string& name, const OptimizerPath& path, size_t steps) {
  // steps + 1 points; the default (the largest size_t) would overflow to 0 when one is added.
  const auto n = static_cast<long>(steps < path.x.size() ? steps + 1 : path.x.size());
  plot::Path drawn;
  drawn.name = name;
  drawn.x.assign(path.x.begin(), path.x.begin() + n);
  drawn.y.assign(path.y.begin(), path.y.begin() + n);
  drawn.loss.assign(path.loss.begin(), path.loss.begin() + n);
  drawn.lr.assign(path.lr.begin(), path.lr.begin() + n);
  return drawn;
}

}  // namespace descent::experiments
