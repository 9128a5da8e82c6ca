#include "descent/optim/schedule_free_wrapper.h"

#include <algorithm>

#include "descent/optim/schedule_free.h"

namespace descent {

std::vector<HyperparamDef> ScheduleFreeWrapper::hyperparams() {
  std::vector<HyperparamDef> defs = {unit_interval("sf_momentum", 0.9),
                                     non_negative("weight_decay_at_y", 0.0)};
  for (HyperparamDef& d : schedule_free::averaging_hyperparams()) defs.push_back(std::move(d));
  return defs;
}

ScheduleFreeWrapper::ScheduleFreeWrapper(std::vector<ParamGroup> groups,
                                         const Hyperparams& defaults, const std::string& base)
    : WrapperOptimizer("schedule_free", hyperparams(), defaults, std::move(groups), base) {}

std::unique_ptr<Optimizer> ScheduleFreeWrapper::from_args(std::vector<ParamGroup> groups,
                                                          SpecArgs& args) {
  auto [base, h] = read_args("schedule_free", hyperparams(), args, kDefaultBase);
  return std::make_unique<ScheduleFreeWrapper>(std::move(groups), h, base);
}

void ScheduleFreeWrapper::eval_params() {
  for_each_param(
      [](const ParamGroup& group, Tensor& param, ParamState& state) {
        schedule_free::switch_param(group, param, state, "sf_momentum", /*to_eval=*/true);
      },
      Visit::All);
}

void ScheduleFreeWrapper::train_params() {
  for_each_param(
      [](const ParamGroup& group, Tensor& param, ParamState& state) {
        schedule_free::switch_param(group, param, state, "sf_momentum", /*to_eval=*/false);
      },
      Visit::All);
}

void ScheduleFreeWrapper::update(const ParamGroup& group, Tensor& param, const float* grad,
                                 ParamState& state) {
  const schedule_free::Sequences s =
      schedule_free::advance(name(), group, param, state, "sf_momentum", group.get("lr"));
  const int64_t n = param.numel();
  float* p = param.data();
  const float wd = static_cast<float>(group.get("weight_decay_at_y"));
  gradient_.resize(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) gradient_[i] = grad[i] + wd * p[i];
  std::copy_n(s.z, n, p);  // the base steps z
  base_update(group, param, gradient_.data(), state);
  std::copy_n(p, n, s.z);
  for (int64_t i = 0; i < n; ++i) {
    s.x[i] = s.one_minus_c * s.x[i] + s.c * s.z[i];
    p[i] = s.one_minus_beta * s.z[i] + s.beta * s.x[i];
  }
}

}  // namespace descent
