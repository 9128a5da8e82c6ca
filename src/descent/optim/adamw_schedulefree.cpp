#include "descent/optim/adamw_schedulefree.h"

#include <cmath>
#include <stdexcept>

namespace descent {

std::vector<HyperparamDef> AdamWScheduleFree::hyperparams() {
  return {non_negative("lr", 0.0025),
          unit_interval("beta1", 0.9),
          unit_interval("beta2", 0.999),
          non_negative("eps", 1e-8),
          non_negative("weight_decay", 0.0),
          non_negative("warmup_steps", 0),
          non_negative("r", 0.0),
          non_negative("weight_lr_power", 2.0)};
}

AdamWScheduleFree::AdamWScheduleFree(std::vector<ParamGroup> groups, const Hyperparams& defaults)
    : Optimizer("adamw_schedulefree", hyperparams(), defaults, std::move(groups)) {}

void AdamWScheduleFree::switch_params(Mode mode) {
  // The base class hands out per-parameter state only through update(), which its step()
  // calls for parameters with a gradient: give every parameter one for this pass, then drop
  // the ones that were not there.
  std::vector<Tensor> allocated;
  for (auto& g : param_groups())
    for (auto& p : g.params)
      if (!p.has_grad()) {
        p.grad_data();
        allocated.push_back(p);
      }
  mode_ = mode;
  try {
    Optimizer::step(nullptr);
  } catch (...) {
    mode_ = Mode::Step;
    throw;
  }
  mode_ = Mode::Step;
  for (auto& p : allocated) p.clear_grad();
}

void AdamWScheduleFree::eval_params() { switch_params(Mode::ToEval); }
void AdamWScheduleFree::train_params() { switch_params(Mode::ToTrain); }

void AdamWScheduleFree::update(const ParamGroup& group, Tensor& param, const float* grad,
                               ParamState& state) {
  const int64_t n = param.numel();
  float* p = param.data();
  const bool in_eval = state.scalars.count("eval_mode") && state.scalars["eval_mode"] != 0;
  const float beta1f = static_cast<float>(group.get("beta1"));
  const float one_minus_beta1 = static_cast<float>(1.0 - group.get("beta1"));
  if (mode_ != Mode::Step) {
    if (!state.has("z")) return;  // never stepped: the parameter is x = y = z
    const bool to_eval = mode_ == Mode::ToEval;
    if (to_eval == in_eval) return;
    const float* z = state.buffers.at("z").data();
    const float* x = state.buffers.at("x").data();
    for (int64_t i = 0; i < n; ++i) p[i] = to_eval ? x[i] : one_minus_beta1 * z[i] + beta1f * x[i];
    state.scalars["eval_mode"] = to_eval ? 1.0 : 0.0;
    return;
  }
  if (in_eval)
    throw std::logic_error("adamw_schedulefree: step() in eval mode; call train_params() first");

  const double lr0 = group.get("lr"), beta2 = group.get("beta2");
  const double warmup = group.get("warmup_steps"), r = group.get("r");
  const double power = group.get("weight_lr_power");
  auto& sc = state.scalars;
  const double k = sc["k"];
  const double sched = k < warmup ? (k + 1) / warmup : 1.0;
  const double lr = lr0 * sched * std::sqrt(1.0 - std::pow(beta2, k + 1));
  const double lr_max = sc["lr_max"] = std::max(lr, sc.count("lr_max") ? sc["lr_max"] : -1.0);
  const double weight = std::pow(k + 1, r) * std::pow(lr_max, power);
  const double weight_sum = (sc["weight_sum"] += weight);
  const float ckp1 = static_cast<float>(weight_sum > 0 ? weight / weight_sum : 0.0);
  const float one_minus_c = static_cast<float>(1.0 - (weight_sum > 0 ? weight / weight_sum : 0.0));
  sc["k"] = k + 1;

  const bool first = !state.has("z");
  float* z = state.buffer("z", param).data();
  float* x = state.buffer("x", param).data();
  float* v = state.buffer("exp_avg_sq", param).data();
  if (first) {
    std::copy(p, p + n, z);
    std::copy(p, p + n, x);
  }
  const float b2 = static_cast<float>(beta2), one_minus_b2 = static_cast<float>(1.0 - beta2);
  const float eps = static_cast<float>(group.get("eps"));
  const float wd = static_cast<float>(group.get("weight_decay"));
  const float lrf = static_cast<float>(lr);
  for (int64_t i = 0; i < n; ++i) {
    const float g = grad[i];
    v[i] = v[i] * b2 + one_minus_b2 * g * g;
    const float u = g / (std::sqrt(v[i]) + eps) + wd * p[i];
    z[i] -= lrf * u;
    x[i] = one_minus_c * x[i] + ckp1 * z[i];
    p[i] = one_minus_beta1 * z[i] + beta1f * x[i];
  }
}

}  // namespace descent
