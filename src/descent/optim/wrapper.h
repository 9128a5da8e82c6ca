#pragma once
// What the optimizers that wrap a base optimizer (lookahead, sam) share: the base is named in the
// SPEC ("lookahead:base=sgd,k=5,lr=0.1"), groups carry the wrapper's hyper-parameters and the
// base's side by side, and the base's per-parameter state lives in the wrapper's own state, so
// state_dict() holds both. The base is driven through its per-parameter update(), so bases with
// their own step() (lbfgs, prodigy), with x and y to switch (schedule-free) and the wrappers
// themselves are refused: steps_per_parameter() says which.
#include <memory>
#include <string>
#include <utility>

#include "descent/optim/optimizer.h"
#include "descent/util/spec.h"

namespace descent {

struct OptimizerInfo;

// The registry entry of `base`, refusing optimizers that cannot be driven one parameter at a time
// (their own step() over all parameters): `user` names what asks, in the message.
const OptimizerInfo& per_parameter_optimizer(const std::string& user, const std::string& base);

// opt's update() of one parameter, with its state in `state` (update() is protected: what drives
// another optimizer one parameter at a time calls it through here).
void update_parameter(Optimizer& opt, const ParamGroup& group, Tensor& param, const float* grad,
                      ParamState& state);

class WrapperOptimizer : public Optimizer {
 public:
  const Optimizer& base() const { return *base_; }

 protected:
  // own: the wrapper's hyper-parameters; defaults may also set the base's (by their names).
  WrapperOptimizer(std::string name, const std::vector<HyperparamDef>& own,
                   const Hyperparams& defaults, std::vector<ParamGroup> groups,
                   const std::string& base);

  // The base's name and every hyper-parameter from SPEC arguments: base (default_base), the
  // wrapper's own keys, then the base's (which finishes args).
  static std::pair<std::string, Hyperparams> read_args(const std::string& wrapper,
                                                       const std::vector<HyperparamDef>& own,
                                                       SpecArgs& args,
                                                       const std::string& default_base);

  // The base optimizer's update of one parameter, with its state in `state`.
  void base_update(const ParamGroup& group, Tensor& param, const float* grad, ParamState& state);

 private:
  std::unique_ptr<Optimizer> base_;
};

}  // namespace descent
