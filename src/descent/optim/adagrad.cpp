#include "descent/optim/adagrad.h"

#include <algorithm>
#include <cmath>

#include "descent/optim/measure_each.h"
#include "descent/optim/update_parts.h"

namespace descent {
namespace {

struct AdagradOptions {
  double lr, lr_decay, weight_decay, initial_accumulator_value, eps;
  bool maximize, keras;

  static AdagradOptions from(const ParamGroup& group) {
    return {group.get("lr"),           group.get("lr_decay"),
            group.get("weight_decay"), group.get("initial_accumulator_value"),
            group.get("eps"),          group.flag("maximize"),
            keras_convention(group)};
  }
};

}  // namespace

std::vector<HyperparamDef> Adagrad::hyperparams() {
  return {non_negative("lr", 1e-2),
          non_negative("lr_decay", 0.0),
          non_negative("weight_decay", 0.0),
          non_negative("initial_accumulator_value", 0.0),
          non_negative("eps", 1e-10),
          flag("maximize", false),
          keras_convention_def()};
}

Adagrad::Adagrad(std::vector<ParamGroup> groups, const Hyperparams& defaults)
    : Optimizer("adagrad", hyperparams(), defaults, std::move(groups)) {}

void Adagrad::update(const ParamGroup& group, Tensor& param, const float* grad, ParamState& state) {
  const AdagradOptions o = AdagradOptions::from(group);
  const float eps = static_cast<float>(o.eps);
  const GradPrologue prologue(o.maximize, o.weight_decay);
  const bool keras = o.keras;
  const int64_t n = param.numel();
  float* p = param.data();
  // PyTorch fills the sum with initial_accumulator_value when the state is created.
  const bool fresh = !state.has("sum");
  float* s = state.buffer("sum", param).data();
  if (fresh) std::fill(s, s + n, static_cast<float>(o.initial_accumulator_value));
  const double t = next_step(state);
  // clr in double, as torch computes it in Python, then rounded once for addcdiv's value.
  const float neg_clr = static_cast<float>(-(o.lr / (1.0 + (t - 1.0) * o.lr_decay)));
  with_flag(keras, [&](auto k) {
    update_each(p, n, measured_update(), [=](int64_t i) {
      const float g = prologue(grad[i], p[i]);
      s[i] += g * g;
      const float denom = decltype(k)::value ? std::sqrt(s[i] + eps) : std::sqrt(s[i]) + eps;
      p[i] += neg_clr * g / denom;  // addcdiv's order: (value * g) / denom
    });
  });
}

}  // namespace descent
