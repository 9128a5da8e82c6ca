#include "descent/optim/rprop.h"

#include <algorithm>
#include <stdexcept>

#include "descent/optim/measure_each.h"
#include "descent/optim/update_parts.h"

namespace descent {
namespace {

struct RpropOptions {
  double lr, eta_minus, eta_plus, step_size_min, step_size_max;
  bool maximize;

  static RpropOptions from(const ParamGroup& group) {
    return {group.get("lr"),
            group.get("eta_minus"),
            group.get("eta_plus"),
            group.get("step_size_min"),
            group.get("step_size_max"),
            group.flag("maximize")};
  }
};

}  // namespace

std::vector<HyperparamDef> Rprop::hyperparams() {
  HyperparamDef eta_minus = unit_interval("eta_minus", 0.5);  // (0, 1): 0 checked below
  HyperparamDef eta_plus = non_negative("eta_plus", 1.2);     // (1, inf): checked below
  return {non_negative("lr", 1e-2),
          eta_minus,
          eta_plus,
          non_negative("step_size_min", 1e-6),
          non_negative("step_size_max", 50.0),
          flag("maximize", false)};
}

Rprop::Rprop(std::vector<ParamGroup> groups, const Hyperparams& defaults)
    : Optimizer("rprop", hyperparams(), defaults, std::move(groups)) {
  for (const auto& g : param_groups()) {
    const RpropOptions o = RpropOptions::from(g);
    if (!(0.0 < o.eta_minus && o.eta_minus < 1.0 && 1.0 < o.eta_plus))
      throw std::invalid_argument("rprop: needs 0 < eta_minus < 1 < eta_plus");
    if (o.step_size_min > o.step_size_max)
      throw std::invalid_argument("rprop: needs step_size_min <= step_size_max");
  }
}

void Rprop::update(const ParamGroup& group, Tensor& param, const float* grad, ParamState& state) {
  const RpropOptions o = RpropOptions::from(group);
  const float eta_minus = static_cast<float>(o.eta_minus);
  const float eta_plus = static_cast<float>(o.eta_plus);
  const float lo = static_cast<float>(o.step_size_min);
  const float hi = static_cast<float>(o.step_size_max);
  const float sign = maximize_sign(o.maximize);
  const int64_t n = param.numel();
  float* p = param.data();
  float* prev = state.buffer("prev", param).data();
  const bool fresh = !state.has("step_size");
  float* s = state.buffer("step_size", param).data();
  if (fresh) std::fill(s, s + n, static_cast<float>(o.lr));
  next_step(state);  // kept like torch's state['step'], unused by the update
  // Every choice a blend of values computed unconditionally (with ?: the compiler kept branches,
  // as a comparison on one arm only may trap, and std::clamp's references did the same), so the
  // loop vectorizes; the results are the same.
  update_each(p, n, measured_update(), [=](int64_t i) {
    const float g0 = sign * grad[i];
    const float product = g0 * prev[i];  // its sign, as torch takes it (an underflow counts as 0)
    const float factor = blend(product > 0.0f, eta_plus, blend(product < 0.0f, eta_minus, 1.0f));
    const float scaled = s[i] * factor;
    // std::clamp(scaled, lo, hi): lo if scaled < lo, else hi if hi < scaled, else scaled.
    const float step = blend(scaled < lo, lo, blend(hi < scaled, hi, scaled));
    s[i] = step;
    const float g = blend(factor == eta_minus, 0.0f, g0);  // torch zeroes where factor == eta_minus
    p[i] -= blend(g > 0.0f, 1.0f, blend(g < 0.0f, -1.0f, 0.0f)) * step;
    prev[i] = g;
  });
}

}  // namespace descent
