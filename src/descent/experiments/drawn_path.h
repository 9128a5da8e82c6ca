#pragma once
// An optimizer's path over a 2-D function (functions/optimizer_path.h) as a contour plot draws it:
// its points, losses and learning rates, the first `steps` + 1 of them (all by default).
#include <cstddef>
#include <limits>
#include <string>

#include "descent/functions/optimizer_path.h"
#include "descent/plot/figure.h"

namespace descent::experiments {

plot::Path drawn_path(const std::string& name, const OptimizerPath& path,
                      size_t steps = std::numeric_limits<size_t>::max());

}  // namespace descent::experiments
