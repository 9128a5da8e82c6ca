#include "descent/optim/d_adaptation.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "descent/autograd/grad_mode.h"
#include "descent/optim/update_parts.h"

namespace descent {

std::vector<HyperparamDef> DAdaptation::estimate_hyperparams() {
  HyperparamDef d0 = non_negative("d0", 1e-6);
  d0.min = 1e-300;  // d0 divides (Prodigy's d / d0): it must be positive
  return {d0, non_negative("growth_rate", 0.0), flag("bias_correction", false)};
}

void DAdaptation::set_dlr(const ParamGroup& first, Globals& g) {
  const double correction = first.flag("bias_correction")
                                ? std::sqrt(bias_correction(first.get("beta2"), g.k + 1)) /
                                      bias_correction(first.get("beta1"), g.k + 1)
                                : 1.0;
  g.dlr = g.d * g.lr * correction;
}

DAdaptation::Globals DAdaptation::load(const ParamGroup& group, const ParamState* saved) {
  Globals g;
  g.d = g.d_max = group.get("d0");
  if (saved && saved->scalars.count("d")) {
    g.d = saved->scalars.at("d");
    g.d_max = saved->scalars.at("d_max");
    g.numerator = saved->scalars.at("d_numerator");
    g.k = saved->scalars.at("k");
  }
  return g;
}

void DAdaptation::store(ParamState& state, const Globals& g) {
  state.scalars["d"] = g.d;
  state.scalars["d_max"] = g.d_max;
  state.scalars["d_numerator"] = g.numerator;
  state.scalars["k"] = g.k;
}

DAdaptation::DAdaptation(std::string name, std::vector<HyperparamDef> defs,
                         const Hyperparams& defaults, std::vector<ParamGroup> groups)
    : Optimizer(std::move(name), std::move(defs), defaults, std::move(groups)) {
  // step() is its own: the base class's weight_decay_form does not reach it.
  refuse_weight_decay_forms(*this, "use decoupled = true");
}

std::optional<float> DAdaptation::step(const Closure& closure) {
  std::optional<float> loss;
  if (closure) loss = closure();
  NoGradGuard no_grad;
  const ParamGroup& first = param_groups().front();
  const ParamState* saved = nullptr;  // any stepped parameter's: they all hold the globals
  for_each_param(
      [&](const ParamGroup&, Tensor&, ParamState& state) {
        if (!saved && state.scalars.count("d")) saved = &state;
      },
      Visit::All);
  Globals g = load(first, saved);
  g.lr = 0;
  for (const ParamGroup& group : param_groups()) g.lr = std::max(g.lr, group.get("lr"));
  set_dlr(first, g);
  begin(first, g);
  for_each_param([&](const ParamGroup& group, Tensor& param, ParamState& state) {
    accumulate(group, param, param.grad_data(), state, g);
  });
  if (g.denominator_sum == 0) return loss;  // no gradient yet: nothing to estimate from
  estimate(first, g);
  g.k += 1;
  for_each_param([&](const ParamGroup& group, Tensor& param, ParamState& state) {
    apply(group, param, param.grad_data(), state, g);
    store(state, g);
  });
  return loss;
}

void DAdaptation::update(const ParamGroup& group, Tensor& param, const float* grad,
                         ParamState& state) {
  Globals g = load(group, &state);
  g.lr = group.get("lr");
  set_dlr(group, g);
  begin(group, g);
  accumulate(group, param, grad, state, g);
  if (g.denominator_sum == 0) return;  // as step()
  estimate(group, g);
  g.k += 1;
  apply(group, param, grad, state, g);
  store(state, g);
}

}  // namespace descent
