#pragma once
// How an op joins the tape. An op computes its output, then calls record(): when grad mode is on
// and any input requires a gradient, the output gets a Node holding the inputs and the backward
// rule. Rules use input_grad(t) to reach the buffer they accumulate into (null when t needs none).
#include <functional>
#include <initializer_list>

#include "descent/autograd/node.h"

namespace descent {

bool needs_grad(std::initializer_list<const Tensor*> inputs);

void record(Tensor& output, const char* op, std::initializer_list<Tensor> inputs,
            std::function<void(const float* grad_out)> backward);

// The gradient buffer of t when t takes part in differentiation, else nullptr.
float* input_grad(const Tensor& t);

}  // namespace descent
