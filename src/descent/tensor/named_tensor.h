#pragma once
// A tensor with a name, as in a state dict ("0.weight", "state.3.exp_avg").
#include <string>

#include "descent/tensor/tensor.h"

namespace descent {

struct NamedTensor {
  std::string name;
  Tensor tensor;
};

}  // namespace descent
