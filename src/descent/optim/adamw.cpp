#include "descent/optim/adamw.h"

#include "descent/optim/adam.h"

namespace descent {

std::vector<HyperparamDef> AdamW::hyperparams() { return adam_hyperparams(1e-2); }

AdamW::AdamW(std::vector<ParamGroup> groups, const Hyperparams& defaults)
    : Optimizer("adamw", hyperparams(), defaults, std::move(groups)) {}

void AdamW::update(const ParamGroup& group, Tensor& param, const float* grad, ParamState& state) {
  adam_update(AdamOptions::from(group), /*decoupled_weight_decay=*/true, param, grad, state,
              measured_update());
}

}  // namespace descent
