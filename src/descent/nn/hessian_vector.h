#pragma once
// The curvature of a loss along its own gradient: g'g and g'Hg, with g the gradient of the mean
// loss with respect to a model's parameters and H its Hessian, at the current weights on one
// batch. One Hessian-vector product Hg gives g'Hg; this file computes it exactly, with
// Pearlmutter's R-operator (nn/hessian_difference.h estimates it from tape gradients instead).
// docs/curvature.md has the derivations and the accuracy of both.
#include <string>

#include "descent/nn/sequential.h"
#include "descent/tensor/tensor.h"

namespace descent {

struct GradientCurvature {
  double grad_sq = 0;   // g'g
  double g_hess_g = 0;  // g'Hg
};

// Exactly, in double precision on copies of the weights, without the tape: forward and backward
// passes for g, then forward and backward R-passes for Hg. Handles Linear layers, the activations
// of the activation table (their f' and f'' from ops/activation.h), LogSoftmax and Dropout, which
// it takes as the identity (so call it in evaluation mode); nested Sequentials are flattened.
// loss_name is a loss exact_hessian_supports; target is what that loss takes (one-hot rows already
// made). Parameters that do not require grad count as constants (their part of g is 0).
//
// Throws std::invalid_argument naming the first layer it cannot differentiate twice, or a parameter
// shared between layers, suggesting method 'difference'; bad shapes or class indices get the
// loss's own message (it runs the float model and loss once to check).
// Whether exact_gradient_curvature knows the loss's second derivatives: mse, cross_entropy, nll,
// binary_cross_entropy, l1, smooth_l1 and huber, without options. Throws SpecError for a loss
// loss_by_name refuses.
bool exact_hessian_supports(const std::string& loss);

GradientCurvature exact_gradient_curvature(Sequential& model, const std::string& loss_name,
                                           const Tensor& inputs, const Tensor& target);

}  // namespace descent
