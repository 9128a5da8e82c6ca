#pragma once
// An optimizer's path over a 2-D test function: the point, loss, gradient norm and learning rate
// after every step, as `descent optimize` and the experiments draw them. Options add what the
// notes' experiments need on top of plain steps: Gaussian noise on the gradient (SGD's noise,
// for escaping saddles) and gradient-norm clipping (for cliffs).
#include <cstdint>
#include <string>
#include <vector>

#include "descent/functions/test_functions.h"
#include "descent/util/random.h"

namespace descent {

struct PathOptions {
  int64_t steps = 100;
  double gradient_noise = 0;  // std of N(0, s^2) added to each gradient component
  double clip_norm = 0;       // > 0: the gradient's norm is clipped to this before each step
  double stop_distance = 0;   // > 0: the path stops once this far from the start
};

struct OptimizerPath {
  std::vector<double> x, y, loss, grad_norm, lr;  // entry s: after s steps (0: the start)
  bool diverged = false;                          // stopped at a non-finite value
};

// Runs the optimizer SPEC (optim/registry.h) from (x0, y0). `rng` draws the gradient noise.
// Throws SpecError for a bad SPEC.
OptimizerPath optimizer_path(const TestFunction& fn, const std::string& optimizer, double x0,
                             double y0, const PathOptions& options, Generator& rng);

}  // namespace descent
