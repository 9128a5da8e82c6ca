#pragma once
// A 2-D test function (functions/test_functions.h) as a contour plot: f evaluated on an n x n grid
// over a window, in one call of f on the whole grid; levels log-spaced when the values call for
// it (levels.h); the function's known stationary points marked. Paths are the caller's to add.
#include <cstdint>

#include "descent/functions/test_functions.h"
#include "descent/plot/figure.h"

namespace descent::plot {

ContourPlot function_contour(const TestFunction& fn, const Domain& window, int64_t n,
                             const std::string& id = "contour");

}  // namespace descent::plot
