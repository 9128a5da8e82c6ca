#pragma once
// Gradient clipping and gradient diagnostics, as free functions over parameters (the shape of
// torch.nn.utils.clip_grad_norm_ / clip_grad_value_). Call them between backward() and the
// optimizer's step(). Parameters without a gradient are skipped everywhere.
//
// clip_grad_norm follows PyTorch 1.13: total = the norm_type-norm of the per-parameter
// norm_type-norms (the norm of all gradients as one vector; norm_type = INFINITY takes the
// largest |g|), coef = max_norm / (total + 1e-6) computed in float, and every gradient is
// multiplied by coef (in float) unless coef >= 1. As in PyTorch, a NaN total makes coef NaN and
// the gradients NaN, and an infinite one zeroes the finite gradient elements; use
// first_non_finite_grad() to find the culprit. Norms are accumulated in double.
#include <string>
#include <vector>

#include "descent/tensor/named_tensor.h"

namespace descent {

// Clips the gradients' global norm to max_norm and returns the norm before clipping (0 when no
// parameter has a gradient). norm_type must be > 0 (or INFINITY); max_norm >= 0. Both throw
// std::invalid_argument naming the value.
double clip_grad_norm(const std::vector<Tensor>& params, double max_norm, double norm_type = 2.0);

// The same clipping with the total 2-norm already measured (e.g. by grad_norm for metrics), so
// the gradients are not read twice.
void clip_grad_norm_given(const std::vector<Tensor>& params, double max_norm, double total_norm);

// Multiplies every gradient by factor (parameters without one are skipped).
void scale_grads(const std::vector<Tensor>& params, float factor);

// Clamps every gradient element to [-clip_value, clip_value] (NaN stays NaN); clip_value >= 0.
void clip_grad_value(const std::vector<Tensor>& params, double clip_value);

// clip_grad_norm (2-norm) applied to each layer separately: parameters are grouped by their name
// up to the last '.' ("0.weight" and "0.bias" form layer "0"; a name without '.' is its own
// group). Returns the largest layer norm before clipping (0 when no parameter has a gradient).
double clip_grad_norm_per_layer(const std::vector<NamedTensor>& params, double max_norm);

// The global 2-norm of the gradients, changing nothing (for metrics). A NaN or infinite gradient
// element gives a NaN or infinite result.
double grad_norm(const std::vector<Tensor>& params);

// The name of the first parameter whose gradient holds a NaN or an infinity; "" if none does.
std::string first_non_finite_grad(const std::vector<NamedTensor>& params);

}  // namespace descent
