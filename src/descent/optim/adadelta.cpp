#include "descent/optim/adadelta.h"

#include <cmath>

namespace descent {

std::vector<HyperparamDef> Adadelta::hyperparams() {
  HyperparamDef rho = unit_interval("rho", 0.9);
  rho.max_open = false;  // PyTorch accepts rho = 1 (frozen averages)
  return {non_negative("lr", 1.0), rho, non_negative("eps", 1e-6),
          non_negative("weight_decay", 0.0), flag("maximize", false)};
}

Adadelta::Adadelta(std::vector<ParamGroup> groups, const Hyperparams& defaults)
    : Optimizer("adadelta", hyperparams(), defaults, std::move(groups)) {}

void Adadelta::update(const ParamGroup& group, Tensor& param, const float* grad,
                      ParamState& state) {
  const double rho = group.get("rho");
  const float rho_f = static_cast<float>(rho);
  const float one_minus_rho = static_cast<float>(1.0 - rho);  // in double, as torch passes it
  const float eps = static_cast<float>(group.get("eps"));
  const float neg_lr = static_cast<float>(-group.get("lr"));
  const float wd = static_cast<float>(group.get("weight_decay"));
  const float sign = group.flag("maximize") ? -1.0f : 1.0f;
  state.scalars["step"] += 1.0;  // kept like torch's state['step'], unused by the update
  const int64_t n = param.numel();
  float* p = param.data();
  float* v = state.buffer("square_avg", param).data();
  float* u = state.buffer("acc_delta", param).data();
  for (int64_t i = 0; i < n; ++i) {
    const float g = sign * grad[i] + wd * p[i];
    v[i] = v[i] * rho_f + one_minus_rho * g * g;
    const float delta = std::sqrt(u[i] + eps) / std::sqrt(v[i] + eps) * g;
    u[i] = u[i] * rho_f + one_minus_rho * delta * delta;
    p[i] += neg_lr * delta;
  }
}

}  // namespace descent
