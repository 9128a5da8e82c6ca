#include "descent/optim/rmsprop.h"

#include <cmath>

#include "descent/optim/measure_each.h"
#include "descent/optim/update_parts.h"

namespace descent {
namespace {

struct RMSpropOptions {
  double lr, alpha, eps, weight_decay, momentum;
  bool centered, maximize, keras;

  static RMSpropOptions from(const ParamGroup& group) {
    return {group.get("lr"),           group.get("alpha"),     group.get("eps"),
            group.get("weight_decay"), group.get("momentum"),  group.flag("centered"),
            group.flag("maximize"),    keras_convention(group)};
  }
};

}  // namespace

std::vector<HyperparamDef> RMSprop::hyperparams() {
  // PyTorch accepts any alpha >= 0, but alpha > 1 makes (1 - alpha) g^2 negative and the root NaN.
  HyperparamDef alpha = unit_interval("alpha", 0.99);
  alpha.max_open = false;
  return {non_negative("lr", 1e-2),      alpha,
          non_negative("eps", 1e-8),     non_negative("weight_decay", 0.0),
          non_negative("momentum", 0.0), flag("centered", false),
          flag("maximize", false),       keras_convention_def()};
}

RMSprop::RMSprop(std::vector<ParamGroup> groups, const Hyperparams& defaults)
    : Optimizer("rmsprop", hyperparams(), defaults, std::move(groups)) {}

void RMSprop::update(const ParamGroup& group, Tensor& param, const float* grad, ParamState& state) {
  const RMSpropOptions o = RMSpropOptions::from(group);
  // Plain names, not structured bindings: the loop's lambda captures them (clang 14 can't).
  const FloatBeta alpha = float_beta(o.alpha);
  const float alpha_f = alpha.beta, one_minus_alpha = alpha.one_minus_beta;
  const float eps = static_cast<float>(o.eps);
  const float lr = static_cast<float>(o.lr);
  const float neg_lr = static_cast<float>(-o.lr);
  const GradPrologue prologue(o.maximize, o.weight_decay);
  const float momentum = static_cast<float>(o.momentum);
  next_step(state);  // kept like torch's state['step'], unused by the update
  const int64_t n = param.numel();
  float* p = param.data();
  float* v = state.buffer("square_avg", param).data();
  float* m = o.centered ? state.buffer("grad_avg", param).data() : nullptr;
  float* b = momentum > 0.0f ? state.buffer("momentum_buffer", param).data() : nullptr;
  // The flags are template arguments, so each combination is its own branch-free loop that the
  // compiler vectorizes (tests inside the loop kept it scalar); the arithmetic is unchanged.
  auto loop = [&]<bool kCentered, bool kMomentum, bool kKeras>() {
    update_each(p, n, measured_update(), [=](int64_t i) {
      const float g = prologue(grad[i], p[i]);
      v[i] = v[i] * alpha_f + one_minus_alpha * g * g;
      float var = v[i];
      if constexpr (kCentered) {
        m[i] = m[i] * alpha_f + one_minus_alpha * g;
        var = v[i] + -1.0f * m[i] * m[i];  // addcmul(m, m, value=-1)
      }
      float d;
      if constexpr (kKeras)
        d = std::sqrt(var + eps);
      else
        d = std::sqrt(var) + eps;
      if constexpr (kMomentum) {
        if constexpr (kKeras) {
          b[i] = momentum * b[i] + lr * g / d;
          p[i] -= b[i];
        } else {
          b[i] = b[i] * momentum + g / d;
          p[i] += neg_lr * b[i];
        }
      } else {
        p[i] += neg_lr * g / d;
      }
    });
  };
  auto with_keras = [&]<bool kCentered, bool kMomentum>() {
    if (o.keras)
      loop.template operator()<kCentered, kMomentum, true>();
    else
      loop.template operator()<kCentered, kMomentum, false>();
  };
  if (m) {
    if (b)
      with_keras.template operator()<true, true>();
    else
      with_keras.template operator()<true, false>();
  } else {
    if (b)
      with_keras.template operator()<false, true>();
    else
      with_keras.template operator()<false, false>();
  }
}

}  // namespace descent
