#include "descent/optim/dadapt_adam.h"

#include <algorithm>
#include <cmath>

#include "descent/optim/measure_each.h"
#include "descent/optim/update_parts.h"

namespace descent {

std::vector<HyperparamDef> DAdaptAdam::hyperparams() {
  std::vector<HyperparamDef> defs = {
      non_negative("lr", 1.0),   unit_interval("beta1", 0.9),       unit_interval("beta2", 0.999),
      non_negative("eps", 1e-8), non_negative("weight_decay", 0.0), flag("decoupled", false),
      flag("maximize", false)};
  for (HyperparamDef& d : estimate_hyperparams()) defs.push_back(std::move(d));
  return defs;
}

DAdaptAdam::DAdaptAdam(std::vector<ParamGroup> groups, const Hyperparams& defaults)
    : DAdaptation("dadapt_adam", hyperparams(), defaults, std::move(groups)) {}

void DAdaptAdam::accumulate(const ParamGroup& group, Tensor& param, const float* grad,
                            ParamState& state, Globals& g) {
  const int64_t n = param.numel();
  float* p = param.data();
  float* s = state.buffer("s", param).data();
  float* m = state.buffer("exp_avg", param).data();
  float* v = state.buffer("exp_avg_sq", param).data();
  if (group.get("lr") == 0.0) return;
  const bool decoupled = group.flag("decoupled");
  const GradPrologue prologue(group.flag("maximize"), decoupled ? 0.0 : group.get("weight_decay"));
  const double beta1 = group.get("beta1"), beta2 = group.get("beta2");
  const double root_beta2 = std::sqrt(beta2);
  const float b1 = static_cast<float>(beta1), b2 = static_cast<float>(beta2);
  const float one_minus_b2 = static_cast<float>(1 - beta2);
  const float rb2 = static_cast<float>(root_beta2);
  const float m_weight = static_cast<float>(g.dlr * (1 - beta1));
  const float s_weight = static_cast<float>(g.dlr * (1 - root_beta2));
  const float eps = static_cast<float>(group.get("eps"));
  const TwoSums sums = sum_each(n, [=](int64_t i, double& agreement, double& s_sum) {
    const float gi = prologue(grad[i], p[i]);
    agreement += static_cast<double>(gi) * (s[i] / (std::sqrt(v[i]) + eps));
    m[i] = m[i] * b1 + m_weight * gi;
    v[i] = v[i] * b2 + one_minus_b2 * gi * gi;
    s[i] = s[i] * rb2 + s_weight * gi;
    s_sum += std::abs(s[i]);
  });
  g.numerator_sum += g.dlr * sums.first;
  g.denominator_sum += sums.second;
}

void DAdaptAdam::estimate(const ParamGroup& first, Globals& g) {
  const double root_beta2 = std::sqrt(first.get("beta2"));
  g.numerator = root_beta2 * g.numerator + (1 - root_beta2) * g.numerator_sum;
  if (g.lr <= 0) return;
  const double d_hat = g.numerator / ((1 - root_beta2) * g.denominator_sum);
  const double growth = first.get("growth_rate");
  g.d = std::max(g.d, growth > 0 ? std::min(d_hat, g.d * growth) : d_hat);
  g.d_max = std::max(g.d_max, g.d);
}

void DAdaptAdam::apply(const ParamGroup& group, Tensor& param, const float* grad, ParamState& state,
                       const Globals& g) {
  next_step(state);
  if (group.get("lr") == 0.0) return;
  const int64_t n = param.numel();
  float* p = param.data();
  const float* m = state.buffers.at("exp_avg").data();
  const float* v = state.buffers.at("exp_avg_sq").data();
  const float decay =
      group.flag("decoupled") ? static_cast<float>(1.0 - group.get("weight_decay") * g.dlr) : 1.0f;
  const float eps = static_cast<float>(group.get("eps"));
  update_each(p, n, nullptr,
              [=](int64_t i) { p[i] = p[i] * decay - m[i] / (std::sqrt(v[i]) + eps); });
}

}  // namespace descent
