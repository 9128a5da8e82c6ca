#include "descent/optim/adan.h"

#include <cmath>

#include "descent/optim/measure_each.h"
#include "descent/optim/update_parts.h"

namespace descent {

std::vector<HyperparamDef> Adan::hyperparams() {
  return {non_negative("lr", 1e-3),     unit_interval("beta1", 0.98),
          unit_interval("beta2", 0.92), unit_interval("beta3", 0.99),
          non_negative("eps", 1e-8),    non_negative("weight_decay", 0.0),
          flag("no_prox", false),       flag("maximize", false)};
}

Adan::Adan(std::vector<ParamGroup> groups, const Hyperparams& defaults)
    : Optimizer("adan", hyperparams(), defaults, std::move(groups)) {}

void Adan::update(const ParamGroup& group, Tensor& param, const float* grad, ParamState& state) {
  const double lr = group.get("lr"), weight_decay = group.get("weight_decay");
  const double beta1 = group.get("beta1"), beta2 = group.get("beta2"), beta3 = group.get("beta3");
  const double t = next_step(state);
  const float bc1 = static_cast<float>(bias_correction(beta1, t));
  const float bc2 = static_cast<float>(bias_correction(beta2, t));
  const float bc3_sqrt = static_cast<float>(std::sqrt(bias_correction(beta3, t)));
  // Plain names, not structured bindings: the loop's lambda captures them (clang 14 can't).
  const FloatBeta b1_pair = float_beta(beta1);
  const float b1 = b1_pair.beta, one_minus_b1 = b1_pair.one_minus_beta;
  const FloatBeta b2_pair = float_beta(beta2);
  const float b2 = b2_pair.beta, one_minus_b2 = b2_pair.one_minus_beta;
  const FloatBeta b3_pair = float_beta(beta3);
  const float b3 = b3_pair.beta, one_minus_b3 = b3_pair.one_minus_beta;
  const float eps = static_cast<float>(group.get("eps"));
  const float step = static_cast<float>(lr);
  const bool prox = !group.flag("no_prox");
  const float shrink = static_cast<float>(1.0 + lr * weight_decay);  // the proximal step's divisor
  const float decay = decoupled_decay(lr, weight_decay);             // no_prox's factor
  const float sign = maximize_sign(group.flag("maximize"));
  const int64_t n = param.numel();
  float* p = param.data();
  float* m = state.buffer("exp_avg", param).data();
  float* v = state.buffer("exp_avg_diff", param).data();
  float* s = state.buffer("exp_avg_sq", param).data();
  float* previous = state.buffer("pre_grad", param).data();
  const bool first = t == 1;  // no previous gradient: the difference is 0
  with_flag(first, [&](auto kFirst) {
    with_flag(prox, [&](auto kProx) {
      update_each(p, n, measured_update(), [=](int64_t i) {
        const float g = sign * grad[i];
        const float d = decltype(kFirst)::value ? 0.0f : g - previous[i];
        m[i] = m[i] * b1 + one_minus_b1 * g;
        v[i] = v[i] * b2 + one_minus_b2 * d;
        const float nesterov = g + b2 * d;
        s[i] = s[i] * b3 + one_minus_b3 * nesterov * nesterov;
        const float u = (m[i] / bc1 + b2 * v[i] / bc2) / (std::sqrt(s[i]) / bc3_sqrt + eps);
        p[i] = decltype(kProx)::value ? (p[i] - step * u) / shrink : p[i] * decay - step * u;
        previous[i] = g;
      });
    });
  });
}

}  // namespace descent
