#include "descent/optim/schedule_free.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "descent/optim/update_parts.h"

namespace descent {
namespace {

bool in_eval_mode(const ParamState& state) {
  const auto it = state.scalars.find("eval_mode");
  return it != state.scalars.end() && it->second != 0;
}

}  // namespace

ScheduleFree::ScheduleFree(std::string name, std::vector<HyperparamDef> defs,
                           const Hyperparams& defaults, std::vector<ParamGroup> groups,
                           std::string interpolation)
    : Optimizer(std::move(name), std::move(defs), defaults, std::move(groups)),
      interpolation_(std::move(interpolation)) {}

std::vector<HyperparamDef> ScheduleFree::averaging_hyperparams() {
  return {non_negative("r", 0.0), non_negative("weight_lr_power", 2.0)};
}

void ScheduleFree::check_train_mode(ParamState& state) const {
  if (in_eval_mode(state))
    throw std::logic_error(name() + ": step() in eval mode; call train_params() first");
}

ScheduleFree::Sequences ScheduleFree::advance(const ParamGroup& group, Tensor& param,
                                              ParamState& state, double k, double gamma) {
  auto& sc = state.scalars;
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
  const auto [beta, one_minus_beta] = float_beta(group.get(interpolation_));
  return {z,
          x,
          beta,
          one_minus_beta,
          static_cast<float>(c),
          static_cast<float>(1.0 - c),
          static_cast<float>(gamma)};
}

void ScheduleFree::switch_params(bool to_eval) {
  // Every parameter, with a gradient or not.
  for_each_param(
      [&](const ParamGroup& group, Tensor& param, ParamState& state) {
        if (!state.has("z")) return;  // never stepped: the parameter is x = y = z
        if (to_eval == in_eval_mode(state)) return;
        const auto [beta, one_minus_beta] = float_beta(group.get(interpolation_));
        const float* z = state.buffers.at("z").data();
        const float* x = state.buffers.at("x").data();
        float* p = param.data();
        const int64_t n = param.numel();
        for (int64_t i = 0; i < n; ++i) p[i] = to_eval ? x[i] : one_minus_beta * z[i] + beta * x[i];
        state.scalars["eval_mode"] = to_eval ? 1.0 : 0.0;
      },
      Visit::All);
}

void ScheduleFree::eval_params() { switch_params(/*to_eval=*/true); }
void ScheduleFree::train_params() { switch_params(/*to_eval=*/false); }

}  // namespace descent
