#pragma once
// A tensor with a name, as in a state dict ("0.weight", "state.3.exp_avg").
#include <string>
#include <vector>

#include "descent/tensor/tensor.h"

namespace descent {

struct NamedTensor {
  std::string name;
  Tensor tensor;
};

// Copies `from` into `into` by name, strictly (as PyTorch's strict load_state_dict): every
// target must be present with its shape and nothing else may be. Checks everything before copying
// anything, so a bad source leaves the targets as they were. Messages begin with `source`.
void copy_by_name(const std::vector<NamedTensor>& into, const std::vector<NamedTensor>& from,
                  const std::string& source);

// Throws std::invalid_argument "<source>: tensor 'NAME' holds NaN at element I of N" for the
// first NaN or infinity: weights read from a file must be finite (a NaN layer would otherwise
// train on to chance accuracy).
void require_finite(const std::vector<NamedTensor>& tensors, const std::string& source);

}  // namespace descent
