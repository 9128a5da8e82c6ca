#pragma once
// clang-format off
// Classic 2-D test functions for watching optimizers, written with descent's differentiable ops so
// their gradients come from the autodiff tape (no hand-written or finite-difference gradients).
//
//   rosenbrock       (1-x)^2 + 100 (y-x^2)^2                                 min (1, 1) = 0
//   beale            (1.5-x+xy)^2 + (2.25-x+xy^2)^2 + (2.625-x+xy^3)^2       min (3, 0.5) = 0
//   himmelblau       (x^2+y-11)^2 + (x+y^2-7)^2                              four minima = 0
//   booth            (x+2y-7)^2 + (2x+y-5)^2                                 min (1, 3) = 0
//   matyas           0.26 (x^2+y^2) - 0.48 xy                                min (0, 0) = 0
//   rastrigin        20 + x^2 - 10 cos(2 pi x) + y^2 - 10 cos(2 pi y)        min (0, 0) = 0
//   ackley           -20 exp(-0.2 sqrt(0.5 (x^2+y^2)))
//                      - exp(0.5 (cos 2 pi x + cos 2 pi y)) + e + 20         min (0, 0) = 0
//   styblinski_tang  0.5 (x^4 - 16x^2 + 5x + y^4 - 16y^2 + 5y)               min (-2.9035, -2.9035)
//   goldstein_price  [1 + (x+y+1)^2 (19-14x+3x^2-14y+6xy+3y^2)]
//                    * [30 + (2x-3y)^2 (18-32x+12x^2+48y-36xy+27y^2)]       min (0, -1) = 3
//   mccormick        sin(x+y) + (x-y)^2 - 1.5x + 2.5y + 1                    min (0.5-pi/3, -0.5-pi/3)
//   saddle           x^2 - y^2                                               saddle at (0, 0)
//   monkey_saddle    x^3 - 3xy^2                                             degenerate saddle
//   quadratic        0.5 (x^2 + kappa y^2)   ("quadratic:kappa=K", default 10) min (0, 0) = 0
//   cliff            0.05 ((x-2)^2 + y^2) + height clamp(-(x + y/2) / width, 0, 1)
//                    ("cliff:height=H,width=W", default 10, 0.05): a steep wall        min (2, 0) = 0
// clang-format on
//
// f works elementwise on x and y of any (broadcastable) shape, so a plot can evaluate a whole grid
// in one call. An optimizer's point is one [2]-shaped parameter tensor (as torch.tensor([x, y])):
// descent has no indexing op, so point_component() extracts a coordinate differentiably as
// sum(point * one_hot); L-BFGS and friends then see the point as the single vector it is.
#include <functional>
#include <string>
#include <vector>

#include "descent/tensor/tensor.h"

namespace descent {

struct Domain {
  double x_min, x_max, y_min, y_max;  // the usual plotting window
};

struct KnownPoint {
  double x, y, value;
  std::string kind;  // "global minimum", "local minimum", "saddle"
};

struct TestFunction {
  std::string name;  // the canonical spec, e.g. "quadratic:kappa=10"
  std::string formula;
  std::function<Tensor(const Tensor& x, const Tensor& y)> f;
  Domain domain;
  std::vector<KnownPoint> known_points;  // stationary points with their values
  double start_x = 0, start_y = 0;       // the default start

  Tensor operator()(const Tensor& x, const Tensor& y) const { return f(x, y); }
  // f at a [2]-shaped point; the result has shape [] and differentiates into the point.
  Tensor at(const Tensor& point) const;
};

// SPEC "name" or "name:key=value"; throws SpecError listing the valid names or keys.
TestFunction make_test_function(const std::string& spec);
std::vector<std::string> test_function_names();

// Coordinate i of a [2]-shaped point as a shape-[] tensor, differentiably.
Tensor point_component(const Tensor& point, int64_t i);

}  // namespace descent
