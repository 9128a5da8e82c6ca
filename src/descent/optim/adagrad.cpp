#include "descent/optim/adagrad.h"

#include <algorithm>
#include <cmath>

namespace descent {

std::vector<HyperparamDef> Adagrad::hyperparams() {
  return {non_negative("lr", 1e-2),
          non_negative("lr_decay", 0.0),
          non_negative("weight_decay", 0.0),
          non_negative("initial_accumulator_value", 0.0),
          non_negative("eps", 1e-10),
          flag("maximize", false),
          choice("convention", {"pytorch", "keras"}, "pytorch")};
}

Adagrad::Adagrad(std::vector<ParamGroup> groups, const Hyperparams& defaults)
    : Optimizer("adagrad", hyperparams(), defaults, std::move(groups)) {}

void Adagrad::update(const ParamGroup& group, Tensor& param, const float* grad, ParamState& state) {
  const float eps = static_cast<float>(group.get("eps"));
  const float wd = static_cast<float>(group.get("weight_decay"));
  const float sign = group.flag("maximize") ? -1.0f : 1.0f;
  const bool keras = group.get("convention") == 1.0;
  const int64_t n = param.numel();
  float* p = param.data();
  // PyTorch fills the sum with initial_accumulator_value when the state is created.
  const bool fresh = !state.has("sum");
  float* s = state.buffer("sum", param).data();
  if (fresh) std::fill(s, s + n, static_cast<float>(group.get("initial_accumulator_value")));
  const double t = (state.scalars["step"] += 1.0);
  // clr in double, as torch computes it in Python, then rounded once for addcdiv's value.
  const float neg_clr =
      static_cast<float>(-(group.get("lr") / (1.0 + (t - 1.0) * group.get("lr_decay"))));
  for (int64_t i = 0; i < n; ++i) {
    const float g = sign * grad[i] + wd * p[i];
    s[i] += g * g;
    const float denom = keras ? std::sqrt(s[i] + eps) : std::sqrt(s[i]) + eps;
    p[i] += neg_clr * g / denom;  // addcdiv's order: (value * g) / denom
  }
}

}  // namespace descent
