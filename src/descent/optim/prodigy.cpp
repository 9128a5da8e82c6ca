#include "descent/optim/prodigy.h"

#include <algorithm>
#include <cmath>

#include "descent/optim/measure_each.h"
#include "descent/optim/update_parts.h"

namespace descent {
namespace {

double beta3_of(const ParamGroup& group) {
  const double beta3 = group.get("beta3");
  return beta3 == 0 ? std::sqrt(group.get("beta2")) : beta3;
}

}  // namespace

std::vector<HyperparamDef> Prodigy::hyperparams() {
  std::vector<HyperparamDef> defs = {
      non_negative("lr", 1.0),       unit_interval("beta1", 0.9),
      unit_interval("beta2", 0.999), unit_interval("beta3", 0.0),
      non_negative("eps", 1e-8),     non_negative("weight_decay", 0.0),
      flag("decoupled", true),       flag("safeguard_warmup", false),
      non_negative("d_coef", 1.0),   flag("maximize", false)};
  for (HyperparamDef& d : estimate_hyperparams()) defs.push_back(std::move(d));
  return defs;
}

Prodigy::Prodigy(std::vector<ParamGroup> groups, const Hyperparams& defaults)
    : DAdaptation("prodigy", hyperparams(), defaults, std::move(groups)) {}

void Prodigy::begin(const ParamGroup& first, Globals& g) { g.numerator *= beta3_of(first); }

void Prodigy::accumulate(const ParamGroup& group, Tensor& param, const float* grad,
                         ParamState& state, Globals& g) {
  const int64_t n = param.numel();
  float* p = param.data();
  const bool first = !state.has("p0");
  float* p0 = state.buffer("p0", param).data();
  float* s = state.buffer("s", param).data();
  float* m = state.buffer("exp_avg", param).data();
  float* v = state.buffer("exp_avg_sq", param).data();
  if (first) std::copy_n(p, n, p0);
  if (group.get("lr") == 0.0) return;
  const bool decoupled = group.flag("decoupled");
  const GradPrologue prologue(group.flag("maximize"), decoupled ? 0.0 : group.get("weight_decay"));
  const double d0 = group.get("d0");
  const double beta1 = group.get("beta1"), beta2 = group.get("beta2");
  const float b1 = static_cast<float>(beta1), b2 = static_cast<float>(beta2);
  const float b3 = static_cast<float>(beta3_of(group));
  const float m_weight = static_cast<float>(g.d * (1 - beta1));
  const float v_weight = static_cast<float>(g.d * g.d * (1 - beta2));
  const double s_scale = group.flag("safeguard_warmup") ? g.d : g.dlr;
  const float s_weight = static_cast<float>(g.d / d0 * s_scale);
  const TwoSums sums = sum_each(n, [=](int64_t i, double& progress, double& s_sum) {
    const float gi = prologue(grad[i], p[i]);
    progress += static_cast<double>(gi) * (p0[i] - p[i]);
    m[i] = m[i] * b1 + m_weight * gi;
    v[i] = v[i] * b2 + v_weight * gi * gi;
    s[i] = s[i] * b3 + s_weight * gi;
    s_sum += std::abs(s[i]);
  });
  g.numerator_sum += g.d / d0 * g.dlr * sums.first;
  g.denominator_sum += sums.second;
}

void Prodigy::estimate(const ParamGroup& first, Globals& g) {
  g.numerator += g.numerator_sum;
  if (g.lr <= 0) return;
  const double d_hat = first.get("d_coef") * g.numerator / g.denominator_sum;
  if (g.d == first.get("d0")) g.d = std::max(g.d, d_hat);
  g.d_max = std::max(g.d_max, d_hat);
  const double growth = first.get("growth_rate");
  g.d = growth > 0 ? std::min(g.d_max, g.d * growth) : g.d_max;
}

void Prodigy::apply(const ParamGroup& group, Tensor& param, const float* grad, ParamState& state,
                    const Globals& g) {
  next_step(state);
  if (group.get("lr") == 0.0) return;
  const int64_t n = param.numel();
  float* p = param.data();
  const float* m = state.buffers.at("exp_avg").data();
  const float* v = state.buffers.at("exp_avg_sq").data();
  const float decay =
      group.flag("decoupled") ? static_cast<float>(1.0 - group.get("weight_decay") * g.dlr) : 1.0f;
  const float eps = static_cast<float>(g.d * group.get("eps"));
  const float step = static_cast<float>(g.dlr);
  update_each(p, n, nullptr,
              [=](int64_t i) { p[i] = p[i] * decay - step * (m[i] / (std::sqrt(v[i]) + eps)); });
}

}  // namespace descent
