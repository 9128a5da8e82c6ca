#include "descent/optim/wrapper.h"

#include "descent/optim/registry.h"

namespace descent {
namespace {

// Optimizer::update is protected; naming it through a derived class gives a pointer to the
// virtual member that calls the base optimizer's override ([class.protected]).
struct UpdateAccess : Optimizer {
  using Fn = void (Optimizer::*)(const ParamGroup&, Tensor&, const float*, ParamState&);
  static Fn fn() { return &UpdateAccess::update; }
};

std::vector<HyperparamDef> all_defs(const std::string& wrapper,
                                    const std::vector<HyperparamDef>& own,
                                    const std::string& base) {
  std::vector<HyperparamDef> defs = per_parameter_optimizer(wrapper, base).hyperparams;
  for (const auto& d : own) {
    for (const auto& b : defs)
      if (b.name == d.name)
        throw SpecError(wrapper + ": base '" + base + "' has its own '" + d.name + "'");
    defs.push_back(d);
  }
  return defs;
}

}  // namespace

const OptimizerInfo& per_parameter_optimizer(const std::string& user, const std::string& base) {
  const OptimizerInfo& info = optimizer_info(base);
  Tensor probe = Tensor::zeros({1}).requires_grad_();
  if (!info.make({ParamGroup{{probe}, {}}}, defaults_of(info.hyperparams))->steps_per_parameter())
    throw SpecError(user + ": base=" + base +
                    " is not supported (it takes its own step() over all parameters; use a "
                    "per-parameter optimizer)");
  return info;
}

void update_parameter(Optimizer& opt, const ParamGroup& group, Tensor& param, const float* grad,
                      ParamState& state) {
  (opt.*UpdateAccess::fn())(group, param, grad, state);
}

WrapperOptimizer::WrapperOptimizer(std::string name, const std::vector<HyperparamDef>& own,
                                   const Hyperparams& defaults, std::vector<ParamGroup> groups,
                                   const std::string& base)
    : Optimizer(name, all_defs(name, own, base), defaults, std::move(groups)) {
  // The base object validates its hyper-parameters (e.g. sgd's nesterov rule) and supplies
  // update(); it sees the same parameters, with the base's keys only.
  std::vector<ParamGroup> base_groups;
  for (const auto& g : param_groups()) {
    ParamGroup bg{g.params, g.options};
    for (const auto& d : own) bg.options.erase(d.name);
    base_groups.push_back(std::move(bg));
  }
  Hyperparams base_defaults = this->defaults();
  for (const auto& d : own) base_defaults.erase(d.name);
  base_ = per_parameter_optimizer(name, base).make(std::move(base_groups), base_defaults);
}

std::pair<std::string, Hyperparams> WrapperOptimizer::read_args(
    const std::string& wrapper, const std::vector<HyperparamDef>& own, SpecArgs& args,
    const std::string& default_base) {
  const std::string base = args.get_string("base", default_base);
  Hyperparams h;
  for (const auto& def : own) {
    double v = def.value;
    if (def.kind == HyperparamKind::Bool)
      v = args.get_bool(def.name, def.value != 0) ? 1.0 : 0.0;
    else
      v = args.get_double(def.name, def.value);
    check_hyperparam(args.context(), def, v);
    h[def.name] = v;
  }
  const Hyperparams base_h =
      read_hyperparams(per_parameter_optimizer(wrapper, base), args);  // finishes args
  h.insert(base_h.begin(), base_h.end());
  return {base, h};
}

void WrapperOptimizer::base_update(const ParamGroup& group, Tensor& param, const float* grad,
                                   ParamState& state) {
  update_parameter(*base_, group, param, grad, state);
}

}  // namespace descent
