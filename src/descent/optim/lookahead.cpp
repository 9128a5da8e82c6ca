#include "descent/optim/lookahead.h"

#include <cmath>
#include <stdexcept>

#include "descent/optim/registry.h"

namespace descent {
namespace {

// Optimizer::update is protected; naming it through a derived class gives a pointer to the
// virtual member that calls the base optimizer's override ([class.protected]).
struct UpdateAccess : Optimizer {
  using Fn = void (Optimizer::*)(const ParamGroup&, Tensor&, const float*, ParamState&);
  static Fn fn() { return &UpdateAccess::update; }
};

struct LookaheadOptions {
  double k, alpha;
  static LookaheadOptions from(const ParamGroup& group) {
    return {group.get("k"), group.get("alpha")};
  }
};

const OptimizerInfo& base_info(const std::string& base) {
  if (base == "lookahead" || base == "lbfgs")
    throw SpecError("lookahead: base=" + base +
                    " is not supported (it needs its own step(); use a per-parameter optimizer)");
  return optimizer_info(base);
}

std::vector<HyperparamDef> all_defs(const std::string& base) {
  std::vector<HyperparamDef> defs = base_info(base).hyperparams;
  for (const auto& d : Lookahead::hyperparams()) {
    for (const auto& b : defs)
      if (b.name == d.name)
        throw SpecError("lookahead: base '" + base + "' has its own '" + d.name + "'");
    defs.push_back(d);
  }
  return defs;
}

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
    : Optimizer("lookahead", all_defs(base), defaults, std::move(groups)) {
  // The base object validates its hyper-parameters (e.g. sgd's nesterov rule) and supplies
  // update(); it sees the same parameters, with the base's keys only.
  std::vector<ParamGroup> base_groups;
  for (const auto& g : param_groups()) {
    if (g.get("k") != std::floor(g.get("k")))
      throw std::invalid_argument("lookahead: k must be an integer");
    ParamGroup bg{g.params, g.options};
    bg.options.erase("k");
    bg.options.erase("alpha");
    base_groups.push_back(std::move(bg));
  }
  Hyperparams base_defaults = this->defaults();
  base_defaults.erase("k");
  base_defaults.erase("alpha");
  base_ = base_info(base).make(std::move(base_groups), base_defaults);
}

std::unique_ptr<Optimizer> Lookahead::from_args(std::vector<ParamGroup> groups, SpecArgs& args) {
  const std::string base = args.get_string("base", "adam");
  Hyperparams h;
  for (const auto& def : hyperparams()) {
    const double v = args.get_double(def.name, def.value);
    check_hyperparam(args.context(), def, v);
    h[def.name] = v;
  }
  const Hyperparams base_h = read_hyperparams(base_info(base), args);  // finishes args
  h.insert(base_h.begin(), base_h.end());
  return std::make_unique<Lookahead>(std::move(groups), h, base);
}

void Lookahead::update(const ParamGroup& group, Tensor& param, const float* grad,
                       ParamState& state) {
  const bool first = !state.has("lookahead_slow");
  Tensor& slow_t = state.buffer("lookahead_slow", param);
  if (first) slow_t.copy_from(param);  // phi_0 = the starting weights
  (base_.get()->*UpdateAccess::fn())(group, param, grad, state);
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
