#include "descent/optim/registry.h"

#include "descent/optim/adam.h"
#include "descent/optim/sgd.h"

namespace descent {
namespace {

template <class T>
OptimizerInfo entry(const std::string& name, const std::vector<std::string>& bool_keys) {
  OptimizerInfo info;
  info.name = name;
  for (const auto& [key, value] : T::default_hyperparams()) {
    const bool is_bool = std::find(bool_keys.begin(), bool_keys.end(), key) != bool_keys.end();
    info.hyperparams.push_back({key, value, is_bool ? HyperparamKind::Bool : HyperparamKind::Real});
  }
  info.make = [](std::vector<ParamGroup> groups, const Hyperparams& defaults) {
    return std::make_unique<T>(std::move(groups), defaults);
  };
  return info;
}

}  // namespace

const std::vector<OptimizerInfo>& optimizer_registry() {
  static const std::vector<OptimizerInfo> registry = {
      entry<SGD>("sgd", {"nesterov", "maximize"}),
      entry<Adam>("adam", {"amsgrad", "maximize"}),
  };
  return registry;
}

const OptimizerInfo& optimizer_info(const std::string& name) {
  std::string valid;
  for (const auto& info : optimizer_registry()) {
    if (info.name == name) return info;
    valid += (valid.empty() ? "" : ", ") + info.name;
  }
  throw SpecError("unknown optimizer '" + name + "' (valid: " + valid + ")");
}

Hyperparams read_hyperparams(const OptimizerInfo& info, SpecArgs& args) {
  Hyperparams h;
  for (const auto& def : info.hyperparams)
    h[def.name] = def.kind == HyperparamKind::Bool
                      ? (args.get_bool(def.name, def.value != 0) ? 1.0 : 0.0)
                      : args.get_double(def.name, def.value);
  args.finish();
  return h;
}

std::unique_ptr<Optimizer> make_optimizer(const std::string& name, std::vector<Tensor> params,
                                          const Hyperparams& hyperparams) {
  const OptimizerInfo& info = optimizer_info(name);
  std::vector<ParamGroup> groups(1);
  groups[0].params = std::move(params);
  return info.make(std::move(groups), hyperparams);
}

std::unique_ptr<Optimizer> make_optimizer(const std::string& spec_text,
                                          std::vector<Tensor> params) {
  const Spec spec = parse_spec(spec_text);
  const OptimizerInfo& info = optimizer_info(spec.name);
  SpecArgs args("optimizer '" + spec_text + "'", spec.args);
  return make_optimizer(spec.name, std::move(params), read_hyperparams(info, args));
}

}  // namespace descent
