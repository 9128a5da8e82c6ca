#include "descent/optim/adam.h"

#include <algorithm>
#include <cmath>

#include "descent/optim/measure_each.h"
#include "descent/optim/update_parts.h"

namespace descent {

HyperparamDef adam_convention_def() {
  return choice("convention", {"pytorch", "keras", "optax", "notes"}, "pytorch");
}

AdamOptions AdamOptions::from(const ParamGroup& group) {
  static const HyperparamDef convention = adam_convention_def();
  return {AdamFamilyOptions::from(group), group.flag("amsgrad"),
          group.choice<AdamConvention>(convention, {{"pytorch", AdamConvention::PyTorch},
                                                    {"keras", AdamConvention::Keras},
                                                    {"optax", AdamConvention::Optax},
                                                    {"notes", AdamConvention::Notes}})};
}

std::vector<HyperparamDef> adam_hyperparams(double weight_decay) {
  std::vector<HyperparamDef> defs = adam_family_hyperparams(1e-3, 1e-8, weight_decay);
  defs.insert(defs.end(), {flag("amsgrad", false), flag("maximize", false), adam_convention_def()});
  return defs;
}

std::vector<HyperparamDef> Adam::hyperparams() { return adam_hyperparams(0.0); }

Adam::Adam(std::vector<ParamGroup> groups, const Hyperparams& defaults)
    : Optimizer("adam", hyperparams(), defaults, std::move(groups)) {}

void Adam::update(const ParamGroup& group, Tensor& param, const float* grad, ParamState& state) {
  adam_update(AdamOptions::from(group), /*decoupled_weight_decay=*/false, param, grad, state,
              measured_update());
}

void adam_update(const AdamOptions& options, bool decoupled_weight_decay, Tensor& param,
                 const float* grad, ParamState& state, UpdateNorms* norms) {
  const double lr = options.lr;
  const float eps = static_cast<float>(options.eps);
  const WeightDecay wd = weight_decay_of(lr, options.weight_decay, decoupled_weight_decay);
  const GradPrologue prologue(options.maximize, wd.coupled);
  const double t = next_step(state);
  // Scalars in double, rounded once to float, and the loop in torch 1.13's _single_tensor_adam
  // order (divide by sqrt(bias_correction2), then add eps), so results match PyTorch's to rounding.
  const double bias_correction1 = bias_correction(options.beta1, t);
  const double bias_correction2 = bias_correction(options.beta2, t);
  const float neg_step_size = static_cast<float>(-(lr / bias_correction1));
  const float bc2_sqrt = static_cast<float>(std::sqrt(bias_correction2));
  // keras: the bias corrections folded into the learning rate.
  const float neg_keras_lr =
      static_cast<float>(-(lr * std::sqrt(bias_correction2) / bias_correction1));
  // optax and notes: bias-corrected moments.
  const float bc1 = static_cast<float>(bias_correction1);
  const float bc2 = static_cast<float>(bias_correction2);
  const float neg_lr = static_cast<float>(-lr);
  const FloatBeta beta1 = float_beta(options.beta1), beta2 = float_beta(options.beta2);
  const int64_t n = param.numel();
  float* p = param.data();
  // Plain names, not structured bindings: the loop's lambda captures them (clang 14 can't).
  const MomentBuffers moments = moment_buffers(state, param);
  float* const m = moments.m;
  float* const v = moments.v;
  float* vmax = options.amsgrad ? state.buffer("max_exp_avg_sq", param).data() : nullptr;
  // The convention and the flags are template arguments, so each combination is its own
  // branch-free loop that the compiler vectorizes (a switch inside the loop kept it scalar, 9x
  // slower).
  auto loop = [&]<AdamConvention kConvention, bool kAmsgrad, bool kDecoupled>() {
    // By value: copies the compiler knows no store through p can change, so the loop vectorizes.
    const auto update = [=](int64_t i) {
      // Decoupled, the gradient has no weight decay term to add (PyTorch's AdamW adds none).
      const float g = kDecoupled ? prologue.sign * grad[i] : prologue(grad[i], p[i]);
      if constexpr (kDecoupled) p[i] *= wd.decay;
      update_moments(m[i], v[i], g, beta1, beta2);
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
    };
    update_each(p, n, norms, update);
  };
  auto with_flags = [&]<AdamConvention kConvention>() {
    if (options.amsgrad) {
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
  switch (options.convention) {
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
