#include "descent/nn/module.h"

namespace descent {

std::vector<Tensor> Module::parameters() const {
  std::vector<Tensor> out;
  for (auto& p : named_parameters()) out.push_back(p.tensor);
  return out;
}

}  // namespace descent
