#pragma once
// The lecture notes' ill-conditioning monitor. A second-order Taylor expansion of the loss along a
// gradient step of size eps,
//   L(w - eps g) ~ L(w) - eps g'g + 0.5 eps^2 g'Hg,
// says the step raises the loss, however large the gradient, once the curvature term
// 0.5 eps^2 g'Hg exceeds the first-order decrease eps g'g. probe_curvature measures both terms at
// the current weights on one batch; g'Hg needs one Hessian-vector product, either from a central
// difference of two tape gradients (nn/hessian_difference.h) or exactly with Pearlmutter's
// R-operator (nn/hessian_vector.h); docs/curvature.md.
#include <cstdint>
#include <string>

#include "descent/nn/sequential.h"
#include "descent/tensor/tensor.h"

namespace descent {

enum class HessianMethod {
  Difference,  // Hg ~ (grad L(w + r g) - grad L(w - r g)) / (2 r): any model, three backward passes
  Exact,       // R-operator in double: Linear layers, elementwise activations and LogSoftmax only
};

// "difference" or "exact"; anything else throws std::invalid_argument listing both.
HessianMethod parse_hessian_method(const std::string& name);
std::string to_string(HessianMethod method);

struct CurvatureProbe {
  double lr = 0;                 // eps
  double grad_sq = 0;            // g'g
  double g_hess_g = 0;           // g'Hg
  double first_order = 0;        // eps g'g: the decrease a gradient step promises
  double second_order = 0;       // 0.5 eps^2 g'Hg: the curvature's correction to it
  bool ill_conditioned = false;  // second_order > first_order
};

// Measures at the model's current weights on one batch, with the model in evaluation mode (dropout
// off, so the probe is deterministic). g is the gradient of the mean loss `loss_name` (see
// loss_by_name); with num_classes > 0 the targets are class indices, and mse and
// binary_cross_entropy compare the output with one_hot(targets, num_classes), as the trainer does.
// Parameters that do not require grad count as constants (their part of g is 0).
//
// Leaves the parameters' values and gradients exactly (bit for bit) as it found them, and the
// modules' training flags too, also when it throws. Exact throws std::invalid_argument naming the
// first layer it cannot differentiate twice, suggesting "difference".
CurvatureProbe probe_curvature(Sequential& model, const std::string& loss_name, int64_t num_classes,
                               const Tensor& inputs, const Tensor& targets, double lr,
                               HessianMethod method);

}  // namespace descent
