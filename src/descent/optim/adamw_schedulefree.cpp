#include "descent/optim/adamw_schedulefree.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "descent/optim/adam_family.h"
#include "descent/optim/update_parts.h"

namespace descent {
namespace {

struct ScheduleFreeOptions {
  double lr, beta1, beta2, eps, weight_decay, warmup_steps, r, weight_lr_power;

  static ScheduleFreeOptions from(const ParamGroup& group) {
    return {group.get("lr"),  group.get("beta1"),          group.get("beta2"),
            group.get("eps"), group.get("weight_decay"),   group.get("warmup_steps"),
            group.get("r"),   group.get("weight_lr_power")};
  }
};

bool in_eval_mode(ParamState& state) {
  return state.scalars.count("eval_mode") && state.scalars["eval_mode"] != 0;
}

}  // namespace

std::vector<HyperparamDef> AdamWScheduleFree::hyperparams() {
  std::vector<HyperparamDef> defs = adam_family_hyperparams(0.0025, 1e-8, 0.0);
  defs.insert(defs.end(), {non_negative("warmup_steps", 0), non_negative("r", 0.0),
                           non_negative("weight_lr_power", 2.0)});
  return defs;
}

AdamWScheduleFree::AdamWScheduleFree(std::vector<ParamGroup> groups, const Hyperparams& defaults)
    : Optimizer("adamw_schedulefree", hyperparams(), defaults, std::move(groups)) {}

void AdamWScheduleFree::switch_params(bool to_eval) {
  // Every parameter, with a gradient or not.
  for_each_param(
      [&](const ParamGroup& group, Tensor& param, ParamState& state) {
        if (!state.has("z")) return;  // never stepped: the parameter is x = y = z
        if (to_eval == in_eval_mode(state)) return;
        const auto [beta1, one_minus_beta1] = float_beta(group.get("beta1"));
        const float* z = state.buffers.at("z").data();
        const float* x = state.buffers.at("x").data();
        float* p = param.data();
        const int64_t n = param.numel();
        for (int64_t i = 0; i < n; ++i)
          p[i] = to_eval ? x[i] : one_minus_beta1 * z[i] + beta1 * x[i];
        state.scalars["eval_mode"] = to_eval ? 1.0 : 0.0;
      },
      Visit::All);
}

void AdamWScheduleFree::eval_params() { switch_params(/*to_eval=*/true); }
void AdamWScheduleFree::train_params() { switch_params(/*to_eval=*/false); }

void AdamWScheduleFree::update(const ParamGroup& group, Tensor& param, const float* grad,
                               ParamState& state) {
  if (in_eval_mode(state))
    throw std::logic_error("adamw_schedulefree: step() in eval mode; call train_params() first");
  const ScheduleFreeOptions o = ScheduleFreeOptions::from(group);
  auto& sc = state.scalars;
  const double k = sc["k"];
  const double sched = k < o.warmup_steps ? (k + 1) / o.warmup_steps : 1.0;
  const double lr = o.lr * sched * std::sqrt(bias_correction(o.beta2, k + 1));
  const double lr_max = sc["lr_max"] = std::max(lr, sc.count("lr_max") ? sc["lr_max"] : -1.0);
  const double weight = std::pow(k + 1, o.r) * std::pow(lr_max, o.weight_lr_power);
  const double weight_sum = (sc["weight_sum"] += weight);
  const float ckp1 = static_cast<float>(weight_sum > 0 ? weight / weight_sum : 0.0);
  const float one_minus_c = static_cast<float>(1.0 - (weight_sum > 0 ? weight / weight_sum : 0.0));
  sc["k"] = k + 1;

  const int64_t n = param.numel();
  float* p = param.data();
  const bool first = !state.has("z");
  float* z = state.buffer("z", param).data();
  float* x = state.buffer("x", param).data();
  float* v = state.buffer("exp_avg_sq", param).data();
  if (first) {
    std::copy(p, p + n, z);
    std::copy(p, p + n, x);
  }
  const auto [beta1, one_minus_beta1] = float_beta(o.beta1);
  const auto [b2, one_minus_b2] = float_beta(o.beta2);
  const float eps = static_cast<float>(o.eps);
  const float wd = static_cast<float>(o.weight_decay);
  const float lrf = static_cast<float>(lr);
  for (int64_t i = 0; i < n; ++i) {
    const float g = grad[i];
    v[i] = v[i] * b2 + one_minus_b2 * g * g;
    const float u = g / (std::sqrt(v[i]) + eps) + wd * p[i];
    z[i] -= lrf * u;
    x[i] = one_minus_c * x[i] + ckp1 * z[i];
    p[i] = one_minus_beta1 * z[i] + beta1 * x[i];
  }
}

}  // namespace descent
