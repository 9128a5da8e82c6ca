#include "descent/optim/sam.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "descent/autograd/grad_mode.h"

namespace descent {

std::vector<HyperparamDef> Sam::hyperparams() {
  return {non_negative("rho", 0.05), flag("adaptive", false)};
}

Sam::Sam(std::vector<ParamGroup> groups, const Hyperparams& defaults, const std::string& base)
    : WrapperOptimizer("sam", hyperparams(), defaults, std::move(groups), base) {}

std::unique_ptr<Optimizer> Sam::from_args(std::vector<ParamGroup> groups, SpecArgs& args) {
  auto [base, h] = read_args("sam", hyperparams(), args, kDefaultBase);
  return std::make_unique<Sam>(std::move(groups), h, base);
}

std::optional<float> Sam::step(const Closure& closure) {
  if (!closure)
    throw std::logic_error("sam: step() needs a closure that re-evaluates the loss and gradients");
  // ||g|| (or ||p g|| for ASAM) over every parameter with a gradient, in double.
  double norm2 = 0;
  for_each_param([&](const ParamGroup& group, Tensor& param, ParamState&) {
    const bool adaptive = group.flag("adaptive");
    const float* p = param.data();
    const float* g = param.grad_data();
    for (int64_t i = 0; i < param.numel(); ++i) {
      const double s = adaptive ? std::abs(static_cast<double>(p[i])) * g[i] : g[i];
      norm2 += s * s;
    }
  });
  const double norm = std::sqrt(norm2);
  size_t k = 0;
  {
    NoGradGuard no_grad;
    // Every parameter, so that the closure's new gradients cannot shift the restoring below: one
    // without a gradient yet (a first step with none computed) is not moved, and saved as empty.
    for_each_param(
        [&](const ParamGroup& group, Tensor& param, ParamState&) {
          if (saved_.size() <= k) saved_.emplace_back();
          std::vector<float>& saved = saved_[k++];
          saved.clear();
          if (!param.has_grad()) return;
          const bool adaptive = group.flag("adaptive");
          const float scale = static_cast<float>(group.get("rho") / (norm + 1e-12));
          float* p = param.data();
          const float* g = param.grad_data();
          saved.assign(p, p + param.numel());
          for (int64_t i = 0; i < param.numel(); ++i)
            p[i] += (adaptive ? p[i] * p[i] : 1.0f) * g[i] * scale;
        },
        Visit::All);
  }
  const float loss = closure();
  {
    NoGradGuard no_grad;
    k = 0;
    for_each_param(
        [&](const ParamGroup&, Tensor& param, ParamState&) {
          const std::vector<float>& saved = saved_[k++];
          std::copy(saved.begin(), saved.end(), param.data());
        },
        Visit::All);
  }
  Optimizer::step();  // the base's update of each parameter, with the perturbed gradient
  return loss;
}

void Sam::update(const ParamGroup& group, Tensor& param, const float* grad, ParamState& state) {
  base_update(group, param, grad, state);
}

}  // namespace descent
