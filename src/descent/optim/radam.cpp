#include "descent/optim/radam.h"

#include <cmath>

namespace descent {

std::vector<HyperparamDef> RAdam::hyperparams() {
  return {non_negative("lr", 1e-3),
          unit_interval("beta1", 0.9),
          unit_interval("beta2", 0.999),
          non_negative("eps", 1e-8),
          non_negative("weight_decay", 0.0),
          flag("decoupled_weight_decay", false),
          flag("maximize", false)};
}

RAdam::RAdam(std::vector<ParamGroup> groups, const Hyperparams& defaults)
    : Optimizer("radam", hyperparams(), defaults, std::move(groups)) {}

void RAdam::update(const ParamGroup& group, Tensor& param, const float* grad, ParamState& state) {
  const double lr = group.get("lr"), beta1 = group.get("beta1"), beta2 = group.get("beta2");
  const double weight_decay = group.get("weight_decay");
  const bool decoupled = group.flag("decoupled_weight_decay");
  const float eps = static_cast<float>(group.get("eps"));
  const float wd = decoupled ? 0.0f : static_cast<float>(weight_decay);
  const float decay = decoupled ? static_cast<float>(1.0 - lr * weight_decay) : 1.0f;
  const float sign = group.flag("maximize") ? -1.0f : 1.0f;
  const double t = (state.scalars["step"] += 1.0);

  const double bias_correction1 = 1.0 - std::pow(beta1, t);
  const double bias_correction2 = 1.0 - std::pow(beta2, t);
  const double rho_inf = 2.0 / (1.0 - beta2) - 1.0;
  const double rho_t = rho_inf - 2.0 * t * std::pow(beta2, t) / bias_correction2;
  const bool rectified = rho_t > 5.0;
  const double rect = rectified ? std::sqrt((rho_t - 4.0) * (rho_t - 2.0) * rho_inf /
                                            ((rho_inf - 4.0) * (rho_inf - 2.0) * rho_t))
                                : 0.0;
  const float bc1 = static_cast<float>(bias_correction1);
  const float bc2_sqrt = static_cast<float>(std::sqrt(bias_correction2));
  const float lr_f = static_cast<float>(lr), rect_f = static_cast<float>(rect);
  const float b1 = static_cast<float>(beta1), b2 = static_cast<float>(beta2);
  const float one_minus_b1 = static_cast<float>(1.0 - beta1);
  const float one_minus_b2 = static_cast<float>(1.0 - beta2);
  const int64_t n = param.numel();
  float* p = param.data();
  float* m = state.buffer("exp_avg", param).data();
  float* v = state.buffer("exp_avg_sq", param).data();
  for (int64_t i = 0; i < n; ++i) {
    const float g = sign * grad[i] + wd * p[i];
    if (decoupled) p[i] *= decay;
    m[i] = m[i] * b1 + one_minus_b1 * g;
    v[i] = v[i] * b2 + one_minus_b2 * g * g;
    const float step = m[i] / bc1 * lr_f;
    if (rectified) {
      // torch 1.13 order: sqrt(bc2) / (sqrt(v) + eps) is a reciprocal times sqrt(bc2) (Python's
      // float / Tensor), then ((m_hat lr) adaptive_lr) rect.
      const float adaptive_lr = (1.0f / (std::sqrt(v[i]) + eps)) * bc2_sqrt;
      p[i] -= step * adaptive_lr * rect_f;
    } else {
      p[i] -= step;
    }
  }
}

}  // namespace descent
