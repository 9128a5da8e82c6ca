#pragma once
// L1 and L2 penalties on the weights, added straight to the gradients after backward() instead
// of being built into the loss graph: the penalty l1 * sum|w| + 0.5 * l2 * sum w^2 contributes
// l1 * sign(w) + l2 * w to each gradient (sign(0) = 0, the subgradient PyTorch's abs uses).
//
// The L2 term is what SGD's and Adam's (coupled) weight_decay adds to the gradient, so it flows
// through momentum and Adam's normalization; AdamW's decoupled decay is different: the optimizer
// shrinks the weights directly, outside the gradient. The caller decides which parameters are
// penalized (typically the weights, leaving biases out).
#include <vector>

#include "descent/tensor/tensor.h"

namespace descent {

// For every parameter with a gradient: grad += l1 * sign(w) + l2 * w (computed in double, rounded
// once to float). Returns the penalty of those parameters, l1 * sum|w| + 0.5 * l2 * sum w^2, in
// double; parameters without a gradient are skipped, as optimizers skip them. l1 and l2 must be
// >= 0 (std::invalid_argument naming the value otherwise).
double add_penalty_gradient(const std::vector<Tensor>& params, double l1, double l2);

}  // namespace descent
