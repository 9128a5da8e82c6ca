#pragma once
// A node of the dynamic graph (the tape): the inputs an op read and its backward rule.
// The rule receives the output's gradient and adds each input's share into that input's grad.
#include <functional>
#include <vector>

#include "descent/tensor/tensor.h"

namespace descent {

struct Node {
  const char* op = "";
  std::vector<Tensor> inputs;  // keeps the graph alive while the output lives
  std::function<void(const float* grad_out)> backward;

  ~Node();  // frees a long chain of inputs without recursing (see backward.cpp)
};

}  // namespace descent
