#include "descent/optim/lookahead.h"

#include <cmath>
#include <stdexcept>

namespace descent {
namespace {

struct LookaheadOptions {
  double k, alpha;
  static LookaheadOptions from(const ParamGroup& group) {
    return {group.get("k"), group.get("alpha")};
  }
};

}  // namespace

std::vector<HyperparamDef> Lookahead::hyperparams() {
  HyperparamDef k = real("k", 5);
  k.min = 1;
  HyperparamDef alpha = real("alpha", 0.5);
  alpha.min = 0;
  alpha.max = 1;  // closed: alpha = 1 is the base optimizer alone
  return {k, alpha};
}

Lookahead::Lookahead(std::vector<ParamGroup> groups, const Hyperparams& defaults,
                     const std::string& base)
    : WrapperOptimizer("lookahead", hyperparams(), defaults, std::move(groups), base) {
  for (const auto& g : param_groups())
    if (g.get("k") != std::floor(g.get("k")))
      throw std::invalid_argument("lookahead: k must be an integer");
}

std::unique_ptr<Optimizer> Lookahead::from_args(std::vector<ParamGroup> groups, SpecArgs& args) {
  auto [base, h] = read_args("lookahead", hyperparams(), args, kDefaultBase);
  return std::make_unique<Lookahead>(std::move(groups), h, base);
}

void Lookahead::update(const ParamGroup& group, Tensor& param, const float* grad,
                       ParamState& state) {
  const bool first = !state.has("lookahead_slow");
  Tensor& slow_t = state.buffer("lookahead_slow", param);
  if (first) slow_t.copy_from(param);  // phi_0 = the starting weights
  base_update(group, param, grad, state);
  const double steps = (state.scalars["lookahead_step"] += 1.0);
  const LookaheadOptions o = LookaheadOptions::from(group);
  if (std::fmod(steps, o.k) != 0.0) return;
  const float alpha = static_cast<float>(o.alpha);
  float* p = param.data();
  float* slow = slow_t.data();
  const int64_t n = param.numel();
  for (int64_t i = 0; i < n; ++i) {
    slow[i] += alpha * (p[i] - slow[i]);
    p[i] = slow[i];
  }
}

}  // namespace descent
