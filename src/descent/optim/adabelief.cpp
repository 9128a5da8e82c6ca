#include "descent/optim/adabelief.h"

#include <algorithm>
#include <cmath>

namespace descent {

std::vector<HyperparamDef> AdaBelief::hyperparams() {
  return {non_negative("lr", 1e-3),
          unit_interval("beta1", 0.9),
          unit_interval("beta2", 0.999),
          non_negative("eps", 1e-16),
          non_negative("weight_decay", 0.0),
          flag("decoupled_weight_decay", true),
          flag("amsgrad", false),
          flag("rectify", false),
          flag("maximize", false)};
}

AdaBelief::AdaBelief(std::vector<ParamGroup> groups, const Hyperparams& defaults)
    : Optimizer("adabelief", hyperparams(), defaults, std::move(groups)) {}

void AdaBelief::update(const ParamGroup& group, Tensor& param, const float* grad,
                       ParamState& state) {
  const double lr = group.get("lr"), beta1 = group.get("beta1"), beta2 = group.get("beta2");
  const double wd = group.get("weight_decay");
  const bool decoupled = group.flag("decoupled_weight_decay");
  const float decay = decoupled ? static_cast<float>(1.0 - lr * wd) : 1.0f;
  const float coupled_wd = decoupled ? 0.0f : static_cast<float>(wd);
  const float eps = static_cast<float>(group.get("eps"));
  const bool amsgrad = group.flag("amsgrad");
  const float sign = group.flag("maximize") ? -1.0f : 1.0f;
  const double t = (state.scalars["step"] += 1.0);
  const double bc1 = 1.0 - std::pow(beta1, t), bc2 = 1.0 - std::pow(beta2, t);

  // The step as p -= step_size * m / (sqrt(s) / bc2_sqrt + eps), or p -= step_size * m when the
  // rectified variance is not yet tractable (bc2_sqrt = 0 marks that).
  double step_size = lr / bc1;
  double bc2_sqrt = std::sqrt(bc2);
  if (group.flag("rectify")) {
    const double rho_inf = 2.0 / (1.0 - beta2) - 1.0;
    const double rho_t = rho_inf - 2.0 * t * std::pow(beta2, t) / bc2;
    if (rho_t >= 5.0) {
      step_size = lr *
                  std::sqrt(bc2 * (rho_t - 4.0) / (rho_inf - 4.0) * (rho_t - 2.0) / rho_t *
                            rho_inf / (rho_inf - 2.0)) /
                  bc1;
      bc2_sqrt = 1.0;
    } else {
      bc2_sqrt = 0.0;
    }
  }
  const float neg_step = static_cast<float>(-step_size);
  const float bc2s = static_cast<float>(bc2_sqrt);
  const bool adaptive = bc2_sqrt != 0.0;

  const float b1 = static_cast<float>(beta1), b2 = static_cast<float>(beta2);
  const float one_minus_b1 = static_cast<float>(1.0 - beta1);
  const float one_minus_b2 = static_cast<float>(1.0 - beta2);
  const int64_t n = param.numel();
  float* p = param.data();
  float* m = state.buffer("exp_avg", param).data();
  float* s = state.buffer("exp_avg_var", param).data();
  float* smax = amsgrad ? state.buffer("max_exp_avg_var", param).data() : nullptr;
  // amsgrad and the rectification's choice are template arguments, so each combination is its
  // own branch-free loop that the compiler vectorizes; the arithmetic is unchanged.
  auto loop = [&]<bool kAmsgrad, bool kAdaptive>() {
    for (int64_t i = 0; i < n; ++i) {
      const float g = sign * grad[i] + coupled_wd * p[i];
      p[i] *= decay;
      m[i] = m[i] * b1 + one_minus_b1 * g;
      const float r = g - m[i];
      s[i] = s[i] * b2 + one_minus_b2 * r * r + eps;
      float second = s[i];
      if constexpr (kAmsgrad) second = smax[i] = std::max(smax[i], s[i]);
      if constexpr (kAdaptive) {
        p[i] += neg_step * m[i] / (std::sqrt(second) / bc2s + eps);
      } else {
        // The rectified warm-up (a few steps, scalar is fine): the product rounded on its own
        // as before, when it came through a select; seen bare, p + step * m would become an FMA
        // and change the last bit.
        volatile float step = neg_step * m[i];
        p[i] += step;
      }
    }
  };
  if (smax) {
    if (adaptive)
      loop.template operator()<true, true>();
    else
      loop.template operator()<true, false>();
  } else {
    if (adaptive)
      loop.template operator()<false, true>();
    else
      loop.template operator()<false, false>();
  }
}

}  // namespace descent
