#include "descent/optim/delta_bar_delta.h"

#include <algorithm>

#include "descent/optim/measure_each.h"
#include "descent/optim/update_parts.h"

namespace descent {
namespace {

struct DeltaBarDeltaOptions {
  double lr, kappa, phi, theta, weight_decay;
  bool maximize;

  static DeltaBarDeltaOptions from(const ParamGroup& group) {
    return {group.get("lr"),    group.get("kappa"),        group.get("phi"),
            group.get("theta"), group.get("weight_decay"), group.flag("maximize")};
  }
};

}  // namespace

std::vector<HyperparamDef> DeltaBarDelta::hyperparams() {
  return {non_negative("lr", 1e-3),    non_negative("kappa", 1e-4),       unit_interval("phi", 0.1),
          unit_interval("theta", 0.7), non_negative("weight_decay", 0.0), flag("maximize", false)};
}

DeltaBarDelta::DeltaBarDelta(std::vector<ParamGroup> groups, const Hyperparams& defaults)
    : Optimizer("delta_bar_delta", hyperparams(), defaults, std::move(groups)) {}

void DeltaBarDelta::update(const ParamGroup& group, Tensor& param, const float* grad,
                           ParamState& state) {
  const DeltaBarDeltaOptions o = DeltaBarDeltaOptions::from(group);
  if (!state.has("learning_rates")) {
    auto values = state.buffer("learning_rates", param).values();
    std::fill(values.begin(), values.end(), static_cast<float>(o.lr));
  }
  const float kappa = static_cast<float>(o.kappa);
  const float shrink = static_cast<float>(1.0 - o.phi);
  // Plain names, not structured bindings: the loop's lambda captures them (clang 14 can't).
  const FloatBeta theta_pair = float_beta(o.theta);
  const float theta = theta_pair.beta, one_minus_theta = theta_pair.one_minus_beta;
  const GradPrologue prologue(o.maximize, o.weight_decay);
  const int64_t n = param.numel();
  float* p = param.data();
  float* e = state.buffer("learning_rates", param).data();
  float* bar = state.buffer("bar_delta", param).data();
  // Selects on values instead of conditional stores and short-circuit tests, so the loop
  // vectorizes; the arithmetic is unchanged.
  update_each(p, n, measured_update(), [=](int64_t i) {
    const float delta = prologue(grad[i], p[i]);
    const float prev = bar[i];
    // Compare signs, not the product, which can underflow to 0 for tiny values.
    const bool bar_pos = prev > 0.0f, bar_neg = prev < 0.0f;
    const bool delta_pos = delta > 0.0f, delta_neg = delta < 0.0f;
    const bool agree = (bar_pos & delta_pos) | (bar_neg & delta_neg);
    const bool flip = (bar_pos & delta_neg) | (bar_neg & delta_pos);
    const float old_rate = e[i];
    const float rate_agree = blend(agree, old_rate + kappa, old_rate);
    const float rate = blend(flip, rate_agree * shrink, rate_agree);
    e[i] = rate;
    bar[i] = one_minus_theta * delta + theta * prev;
    p[i] -= rate * delta;
  });
}

}  // namespace descent
