#pragma once
// g'g and g'Hg (nn/hessian_vector.h) estimated from tape gradients: Hg by the central difference
//   Hg ~ (grad L(w + r g) - grad L(w - r g)) / (2 r),   r ||g|| = 1e-3 max(1, rms(w)),
// so it works for any model descent can train, at the cost of three forward and backward passes.
#include "descent/nn/hessian_vector.h"
#include "descent/nn/loss.h"
#include "descent/nn/module.h"

namespace descent {

// At the model's current weights, in the mode the model is in (dropout draws its masks, so call it
// in evaluation mode to get deterministic numbers). loss is the mean loss; the dot products are
// summed in double. Parameters that do not require grad count as constants. Leaves the
// parameters' values and gradients exactly (bit for bit) as it found them, also when it throws.
GradientCurvature difference_gradient_curvature(Module& model, const LossFunction& loss,
                                                const Tensor& inputs, const Tensor& target);

}  // namespace descent
