#include "descent/optim/param_groups.h"

namespace descent {

std::vector<ParamGroup> weight_decay_groups(const std::vector<NamedTensor>& params,
                                            bool exclude_1d) {
  ParamGroup decayed, exempt;
  exempt.options["weight_decay"] = 0.0;
  for (const auto& p : params)
    (exclude_1d && p.tensor.dim() < 2 ? exempt : decayed).params.push_back(p.tensor);
  std::vector<ParamGroup> groups;
  if (!decayed.params.empty()) groups.push_back(std::move(decayed));
  if (!exempt.params.empty()) groups.push_back(std::move(exempt));
  return groups;
}

}  // namespace descent
