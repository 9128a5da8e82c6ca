#include "descent/optim/schedule_free.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "descent/optim/update_parts.h"

namespace descent {
namespace schedule_free {
namespace {

bool in_eval_mode(const ParamState& state) {
  const auto it = state.scalars.find("eval_mode");
  return it != state.scalars.end() && it->second != 0;
}

}  // namespace

std::vector<HyperparamDef> averaging_hyperparams() {
  return {non_negative("r", 0.0), non_negative("weight_lr_power", 2.0)};
}

Sequences advance(const std::string& optimizer, const ParamGroup& group, Tensor& param,
                  ParamState& state, const std::string& interpolation, double gamma) {
  if (in_eval_mode(state))
    throw std::logic_error(optimizer + ": step() in eval mode; call train_params() first");
  auto& sc = state.scalars;
  const double k = sc["k"];
  const double lr_max = sc["lr_max"] = std::max(gamma, sc.count("lr_max") ? sc["lr_max"] : -1.0);
  const double weight =
      std::pow(k + 1, group.get("r")) * std::pow(lr_max, group.get("weight_lr_power"));
  const double weight_sum = (sc["weight_sum"] += weight);
  const double c = weight_sum > 0 ? weight / weight_sum : 0.0;
  sc["k"] = k + 1;
  const bool first = !state.has("z");
  float* z = state.buffer("z", param).data();
  float* x = state.buffer("x", param).data();
  if (first) {
    std::copy_n(param.data(), param.numel(), z);
    std::copy_n(param.data(), param.numel(), x);
  }
  const auto [beta, one_minus_beta] = float_beta(group.get(interpolation));
  return {z,
          x,
          beta,
          one_minus_beta,
          static_cast<float>(c),
          static_cast<float>(1.0 - c),
          static_cast<float>(gamma)};
}

void switch_param(const ParamGroup& group, Tensor& param, ParamState& state,
                  const std::string& interpolation, bool to_eval) {
  if (!state.has("z")) return;  // never stepped: the parameter is x = y = z
  if (to_eval == in_eval_mode(state)) return;
  const auto [beta, one_minus_beta] = float_beta(group.get(interpolation));
  const float* z = state.buffers.at("z").data();
  const float* x = state.buffers.at("x").data();
  float* p = param.data();
  const int64_t n = param.numel();
  for (int64_t i = 0; i < n; ++i) p[i] = to_eval ? x[i] : one_minus_beta * z[i] + beta * x[i];
  state.scalars["eval_mode"] = to_eval ? 1.0 : 0.0;
}

}  // namespace schedule_free

ScheduleFree::ScheduleFree(std::string name, std::vector<HyperparamDef> defs,
                           const Hyperparams& defaults, std::vector<ParamGroup> groups,
                           std::string interpolation)
    : Optimizer(std::move(name), std::move(defs), defaults, std::move(groups)),
      interpolation_(std::move(interpolation)) {
  // The parameter is rewritten from z and x at every step: a decay of it would be lost.
  refuse_weight_decay_forms(*this, "weight_decay here is already taken at y, inside the update");
}

void ScheduleFree::eval_params() {
  // Every parameter, with a gradient or not.
  for_each_param(
      [&](const ParamGroup& group, Tensor& param, ParamState& state) {
        schedule_free::switch_param(group, param, state, interpolation_, /*to_eval=*/true);
      },
      Visit::All);
}

void ScheduleFree::train_params() {
  for_each_param(
      [&](const ParamGroup& group, Tensor& param, ParamState& state) {
        schedule_free::switch_param(group, param, state, interpolation_, /*to_eval=*/false);
      },
      Visit::All);
}

}  // namespace descent
