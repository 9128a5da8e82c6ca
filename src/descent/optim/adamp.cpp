#include "descent/optim/adamp.h"

#include <cmath>

#include "descent/optim/measure_each.h"
#include "descent/optim/scale_invariant_projection.h"
#include "descent/optim/update_parts.h"

namespace descent {

std::vector<HyperparamDef> AdamP::hyperparams() {
  return {
      non_negative("lr", 1e-3),  unit_interval("beta1", 0.9),       unit_interval("beta2", 0.999),
      non_negative("eps", 1e-8), non_negative("weight_decay", 0.0), non_negative("delta", 0.1),
      fraction("wd_ratio", 0.1), flag("nesterov", false),           flag("maximize", false)};
}

AdamP::AdamP(std::vector<ParamGroup> groups, const Hyperparams& defaults)
    : Optimizer("adamp", hyperparams(), defaults, std::move(groups)) {}

void AdamP::update(const ParamGroup& group, Tensor& param, const float* grad, ParamState& state) {
  const double lr = group.get("lr"), b1 = group.get("beta1"), b2 = group.get("beta2");
  const double t = next_step(state);
  // Plain names, not structured bindings: the loop's lambda captures them (clang 14 can't).
  const FloatBeta beta1_pair = float_beta(b1);
  const float beta1 = beta1_pair.beta, one_minus_beta1 = beta1_pair.one_minus_beta;
  const FloatBeta beta2_pair = float_beta(b2);
  const float beta2 = beta2_pair.beta, one_minus_beta2 = beta2_pair.one_minus_beta;
  const float sqrt_bc2 = static_cast<float>(std::sqrt(bias_correction(b2, t)));
  const float eps = static_cast<float>(group.get("eps"));
  const bool nesterov = group.flag("nesterov");
  const float sign = maximize_sign(group.flag("maximize"));
  const int64_t n = param.numel();
  float* p = param.data();
  float* m = state.buffer("exp_avg", param).data();
  float* v = state.buffer("exp_avg_sq", param).data();
  g_.resize(static_cast<size_t>(n));
  d_.resize(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    const float g = sign * grad[i];
    g_[i] = g;
    m[i] = m[i] * beta1 + one_minus_beta1 * g;
    v[i] = v[i] * beta2 + one_minus_beta2 * g * g;
    const float denom = std::sqrt(v[i]) / sqrt_bc2 + eps;
    d_[i] = (nesterov ? beta1 * m[i] + one_minus_beta1 * g : m[i]) / denom;
  }
  const double ratio = project_scale_invariant(param, g_.data(), d_.data(), group.get("delta"),
                                               group.get("wd_ratio"), group.get("eps"));
  const float decay = decoupled_decay(lr, group.get("weight_decay") * ratio);
  const float step = static_cast<float>(lr / bias_correction(b1, t));
  const float* const d = d_.data();
  update_each(p, n, measured_update(), [=](int64_t i) { p[i] = p[i] * decay - step * d[i]; });
}

}  // namespace descent
