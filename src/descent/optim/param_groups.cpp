#include "descent/optim/param_groups.h"

#include <stdexcept>

#include "descent/util/glob.h"

namespace descent {

std::vector<ParamGroup> weight_decay_groups(const std::vector<NamedTensor>& params, bool exclude_1d,
                                            const std::vector<std::string>& exempt_patterns) {
  std::vector<bool> used(exempt_patterns.size(), false);
  const auto matched = [&](const std::string& name) {
    bool any = false;
    for (size_t k = 0; k < exempt_patterns.size(); ++k)
      if (glob_match(exempt_patterns[k], name)) any = used[k] = true;
    return any;
  };
  ParamGroup decayed, exempt;
  exempt.options["weight_decay"] = 0.0;
  for (const auto& p : params) {
    const bool exempted = matched(p.name) || (exclude_1d && p.tensor.dim() < 2);
    ParamGroup& group = exempted ? exempt : decayed;
    group.params.push_back(p.tensor);
    group.names.push_back(p.name);
  }
  for (size_t k = 0; k < exempt_patterns.size(); ++k)
    if (!used[k]) {
      std::string names;
      for (const auto& p : params) names += (names.empty() ? "" : ", ") + p.name;
      throw std::invalid_argument("no_weight_decay: '" + exempt_patterns[k] +
                                  "' matches no parameter (the parameters: " + names + ")");
    }
  std::vector<ParamGroup> groups;
  if (!decayed.params.empty()) groups.push_back(std::move(decayed));
  if (!exempt.params.empty()) groups.push_back(std::move(exempt));
  return groups;
}

}  // namespace descent
