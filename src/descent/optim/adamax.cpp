#include "descent/optim/adamax.h"

#include <algorithm>
#include <cmath>

#include "descent/optim/adam_family.h"
#include "descent/optim/measure_each.h"
#include "descent/optim/update_parts.h"

namespace descent {

std::vector<HyperparamDef> Adamax::hyperparams() {
  std::vector<HyperparamDef> defs = adam_family_hyperparams(2e-3, 1e-8, 0.0);
  defs.push_back(flag("maximize", false));
  return defs;
}

Adamax::Adamax(std::vector<ParamGroup> groups, const Hyperparams& defaults)
    : Optimizer("adamax", hyperparams(), defaults, std::move(groups)) {}

void Adamax::update(const ParamGroup& group, Tensor& param, const float* grad, ParamState& state) {
  const AdamFamilyOptions o = AdamFamilyOptions::from(group);
  const float eps = static_cast<float>(o.eps);
  const GradPrologue prologue(o.maximize, o.weight_decay);
  const double t = next_step(state);
  // torch 1.13's _single_tensor_adamax: clr = lr / (1 - beta1^t) in double, addcdiv(m, u, -clr).
  const float neg_clr = static_cast<float>(-(o.lr / bias_correction(o.beta1, t)));
  // Plain names, not structured bindings: the loop's lambda captures them (clang 14 can't).
  const FloatBeta beta1_pair = float_beta(o.beta1);
  const float b1 = beta1_pair.beta, one_minus_b1 = beta1_pair.one_minus_beta;
  const float b2 = static_cast<float>(o.beta2);
  const int64_t n = param.numel();
  float* p = param.data();
  float* m = state.buffer("exp_avg", param).data();
  float* u = state.buffer("exp_inf", param).data();
  update_each(p, n, measured_update(), [=](int64_t i) {
    const float g = prologue(grad[i], p[i]);
    m[i] = m[i] * b1 + one_minus_b1 * g;
    u[i] = std::max(u[i] * b2, std::abs(g) + eps);
    p[i] += neg_clr * m[i] / u[i];
  });
}

}  // namespace descent
