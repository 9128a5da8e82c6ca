#include "descent/optim/adam.h"

#include <algorithm>
#include <cmath>

namespace descent {

HyperparamDef adam_convention_def() {
  return choice("convention", {"pytorch", "keras", "optax", "notes"}, "pytorch");
}

std::vector<HyperparamDef> Adam::hyperparams() {
  return {non_negative("lr", 1e-3),          unit_interval("beta1", 0.9),
          unit_interval("beta2", 0.999),     non_negative("eps", 1e-8),
          non_negative("weight_decay", 0.0), flag("amsgrad", false),
          flag("maximize", false),           adam_convention_def()};
}

Adam::Adam(std::vector<ParamGroup> groups, const Hyperparams& defaults)
    : Optimizer("adam", hyperparams(), defaults, std::move(groups)) {}

void Adam::update(const ParamGroup& group, Tensor& param, const float* grad, ParamState& state) {
  adam_update(group, param, grad, state, /*decoupled_weight_decay=*/false);
}

void adam_update(const ParamGroup& group, Tensor& param, const float* grad, ParamState& state,
                 bool decoupled_weight_decay) {
  const double lr = group.get("lr"), beta1 = group.get("beta1"), beta2 = group.get("beta2");
  const double weight_decay = group.get("weight_decay");
  const float eps = static_cast<float>(group.get("eps"));
  const float wd = decoupled_weight_decay ? 0.0f : static_cast<float>(weight_decay);
  // AdamW's p *= 1 - lr wd, the factor taken in double as PyTorch passes it to mul_.
  const float decay = decoupled_weight_decay ? static_cast<float>(1.0 - lr * weight_decay) : 1.0f;
  const bool amsgrad = group.flag("amsgrad");
  const auto convention = static_cast<AdamConvention>(group.get("convention"));
  const float sign = group.flag("maximize") ? -1.0f : 1.0f;
  const double t = (state.scalars["step"] += 1.0);
  // Scalars in double, rounded once to float, and the loop in torch 1.13's _single_tensor_adam
  // order (divide by sqrt(bias_correction2), then add eps), so results match PyTorch's to rounding.
  // (1 - beta) is taken in double: 1 - float(0.999) is 1.3e-5 away from float(1 - 0.999).
  const double bias_correction1 = 1.0 - std::pow(beta1, t);
  const double bias_correction2 = 1.0 - std::pow(beta2, t);
  const float neg_step_size = static_cast<float>(-(lr / bias_correction1));
  const float bc2_sqrt = static_cast<float>(std::sqrt(bias_correction2));
  // keras: the bias corrections folded into the learning rate.
  const float neg_keras_lr =
      static_cast<float>(-(lr * std::sqrt(bias_correction2) / bias_correction1));
  // optax and notes: bias-corrected moments.
  const float bc1 = static_cast<float>(bias_correction1);
  const float bc2 = static_cast<float>(bias_correction2);
  const float neg_lr = static_cast<float>(-lr);
  const float b1 = static_cast<float>(beta1), b2 = static_cast<float>(beta2);
  const float one_minus_b1 = static_cast<float>(1.0 - beta1);
  const float one_minus_b2 = static_cast<float>(1.0 - beta2);
  const int64_t n = param.numel();
  float* p = param.data();
  float* m = state.buffer("exp_avg", param).data();
  float* v = state.buffer("exp_avg_sq", param).data();
  float* vmax = amsgrad ? state.buffer("max_exp_avg_sq", param).data() : nullptr;
  // The convention and the flags are template arguments, so each combination is its own
  // branch-free loop that the compiler vectorizes (a switch inside the loop kept it scalar, 9x
  // slower).
  auto loop = [&]<AdamConvention kConvention, bool kAmsgrad, bool kDecoupled>() {
    for (int64_t i = 0; i < n; ++i) {
      const float g = sign * grad[i] + wd * p[i];
      if constexpr (kDecoupled) p[i] *= decay;
      m[i] = m[i] * b1 + one_minus_b1 * g;
      v[i] = v[i] * b2 + one_minus_b2 * g * g;
      if constexpr (kConvention == AdamConvention::Optax) {
        float v_hat = v[i] / bc2;
        if constexpr (kAmsgrad) v_hat = vmax[i] = std::max(vmax[i], v_hat);  // max over v_hat
        p[i] += neg_lr * (m[i] / bc1) / (std::sqrt(v_hat) + eps);
      } else {
        float second = v[i];
        if constexpr (kAmsgrad) second = vmax[i] = std::max(vmax[i], v[i]);
        if constexpr (kConvention == AdamConvention::PyTorch)
          p[i] += neg_step_size * m[i] / (std::sqrt(second) / bc2_sqrt + eps);
        else if constexpr (kConvention == AdamConvention::Keras)
          p[i] += neg_keras_lr * m[i] / (std::sqrt(second) + eps);
        else
          p[i] += neg_lr * (m[i] / bc1) / std::sqrt(second / bc2 + eps);
      }
    }
  };
  auto with_flags = [&]<AdamConvention kConvention>() {
    if (amsgrad) {
      if (decoupled_weight_decay)
        loop.template operator()<kConvention, true, true>();
      else
        loop.template operator()<kConvention, true, false>();
    } else {
      if (decoupled_weight_decay)
        loop.template operator()<kConvention, false, true>();
      else
        loop.template operator()<kConvention, false, false>();
    }
  };
  switch (convention) {
    case AdamConvention::PyTorch:
      with_flags.template operator()<AdamConvention::PyTorch>();
      break;
    case AdamConvention::Keras:
      with_flags.template operator()<AdamConvention::Keras>();
      break;
    case AdamConvention::Optax:
      with_flags.template operator()<AdamConvention::Optax>();
      break;
    case AdamConvention::Notes:
      with_flags.template operator()<AdamConvention::Notes>();
      break;
  }
}

}  // namespace descent
