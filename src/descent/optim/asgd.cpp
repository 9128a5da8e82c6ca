#include "descent/optim/asgd.h"

#include <algorithm>
#include <cmath>

namespace descent {

std::vector<HyperparamDef> ASGD::hyperparams() {
  return {non_negative("lr", 1e-2), non_negative("lambd", 1e-4),       non_negative("alpha", 0.75),
          non_negative("t0", 1e6),  non_negative("weight_decay", 0.0), flag("maximize", false)};
}

ASGD::ASGD(std::vector<ParamGroup> groups, const Hyperparams& defaults)
    : Optimizer("asgd", hyperparams(), defaults, std::move(groups)) {}

void ASGD::update(const ParamGroup& group, Tensor& param, const float* grad, ParamState& state) {
  const double lr = group.get("lr"), lambd = group.get("lambd");
  if (!state.scalars.count("eta")) {
    state.scalars["eta"] = static_cast<float>(lr);  // torch.tensor(lr): float32
    state.scalars["mu"] = 1.0;
  }
  const double t = (state.scalars["step"] += 1.0);
  const double eta = state.scalars["eta"], mu = state.scalars["mu"];
  const float decay = static_cast<float>(1.0 - lambd * eta);
  const float neg_eta = static_cast<float>(-eta);
  const float mu_f = static_cast<float>(mu);
  const bool averaging = mu_f != 1.0f;
  const float wd = static_cast<float>(group.get("weight_decay"));
  const float sign = group.flag("maximize") ? -1.0f : 1.0f;
  const int64_t n = param.numel();
  float* p = param.data();
  float* ax = state.buffer("ax", param).data();
  for (int64_t i = 0; i < n; ++i) {
    const float g = sign * grad[i] + wd * p[i];
    const float decayed = p[i] * decay;
    p[i] = decayed + neg_eta * g;
    ax[i] = averaging ? ax[i] + (p[i] - ax[i]) * mu_f : p[i];
  }
  state.scalars["eta"] =
      static_cast<float>(lr / std::pow(1.0 + lambd * lr * t, group.get("alpha")));
  state.scalars["mu"] = static_cast<float>(1.0 / std::max(1.0, t - group.get("t0")));
}

}  // namespace descent
