#include "descent/optim/adamw.h"

#include "descent/optim/adam.h"

namespace descent {

std::vector<HyperparamDef> AdamW::hyperparams() {
  return {non_negative("lr", 1e-3),
          unit_interval("beta1", 0.9),
          unit_interval("beta2", 0.999),
          non_negative("eps", 1e-8),
          non_negative("weight_decay", 1e-2),
          flag("amsgrad", false),
          flag("maximize", false),
          adam_convention_def()};
}

AdamW::AdamW(std::vector<ParamGroup> groups, const Hyperparams& defaults)
    : Optimizer("adamw", hyperparams(), defaults, std::move(groups)) {}

void AdamW::update(const ParamGroup& group, Tensor& param, const float* grad, ParamState& state) {
  adam_update(group, param, grad, state, /*decoupled_weight_decay=*/true);
}

}  // namespace descent
