#pragma once
// Optimizers by name, for configuration files and SPEC strings ("adam:lr=0.01,beta2=0.99").
// Each entry carries its hyper-parameter declarations (see hyperparams.h), so arguments are
// checked and an unknown key is reported with the valid ones.
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "descent/optim/optimizer.h"
#include "descent/util/spec.h"

namespace descent {

struct OptimizerInfo {
  std::string name;
  std::vector<HyperparamDef> hyperparams;
  std::function<std::unique_ptr<Optimizer>(std::vector<ParamGroup>, const Hyperparams&)> make;
  // Optional: builds from SPEC arguments itself, for optimizers whose accepted keys depend on
  // other arguments (lookahead's base). make_optimizer(spec, ...) uses it when set.
  std::function<std::unique_ptr<Optimizer>(std::vector<ParamGroup>, SpecArgs&)> make_from_args =
      nullptr;
  // With make_from_args: the keys it takes beyond `hyperparams`, for listings ("base=adam and the
  // base's keys").
  std::string more_keys = "";
  // A wrapper's base optimizer when base= is not given ("" for the others).
  std::string default_base = "";
};

const std::vector<OptimizerInfo>& optimizer_registry();
const OptimizerInfo& optimizer_info(const std::string& name);  // throws SpecError listing names

// Rewrites PyTorch's and Keras' spellings among a SPEC's arguments (hyperparam_aliases.h: betas,
// learning_rate, ...) to the names the optimizer declares, and for a wrapper also to those its
// base declares. Throws SpecError prefixed with `context`.
void resolve_optimizer_aliases(const OptimizerInfo& info, std::map<std::string, std::string>& args,
                               const std::string& context);

// Reads the hyper-parameters named in args (text values) against the optimizer's declarations,
// checks their ranges, and calls args.finish(), so an unknown key throws.
Hyperparams read_hyperparams(const OptimizerInfo& info, SpecArgs& args);
// The same against any declarations (a transform's).
Hyperparams read_hyperparams(const std::vector<HyperparamDef>& defs, SpecArgs& args);

// Makes the named optimizer over one group of parameters.
std::unique_ptr<Optimizer> make_optimizer(const std::string& name, std::vector<Tensor> params,
                                          const Hyperparams& hyperparams);
// Makes the named optimizer over the given parameter groups.
std::unique_ptr<Optimizer> make_optimizer(const std::string& name, std::vector<ParamGroup> groups,
                                          const Hyperparams& hyperparams);
// From text arguments, as a SPEC or a config file gives them; wrappers (lookahead) take their base
// optimizer's keys too. Throws SpecError naming args.context() for a bad or unknown key.
std::unique_ptr<Optimizer> make_optimizer(const std::string& name, std::vector<ParamGroup> groups,
                                          SpecArgs& args);
// From a SPEC string: "name" or "name:key=value,...".
std::unique_ptr<Optimizer> make_optimizer(const std::string& spec, std::vector<Tensor> params);

}  // namespace descent
