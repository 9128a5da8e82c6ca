#pragma once
// Lookahead (Zhang, Lucas, Hinton & Ba 2019, "Lookahead Optimizer: k steps forward, 1 step
// back"): wraps a base optimizer ("fast weights" p) and keeps slow weights phi per parameter:
//   phi <- p (at the first step)
//   every step:     p <- base_update(p, g)            (the base optimizer's own rule and state)
//   every k steps:  phi <- phi + alpha (p - phi);  p <- phi
// Defaults: k 5, alpha 0.5, base adam (with the base's own defaults). alpha = 1 is the base
// optimizer alone; alpha = 0 never leaves the starting point.
// SPEC: "lookahead:base=adam,k=5,alpha=0.5,lr=0.01": keys other than base, k and alpha go to the
// base optimizer. Groups carry the base's hyper-parameters and k/alpha side by side, and the
// base's state lives in this optimizer's per-parameter state (next to "lookahead_slow" and
// "lookahead_step"), so state_dict() holds both (optim/wrapper.h). The base is driven through its
// per-parameter update(); optimizers with their own step() (lbfgs, prodigy, the wrappers) are
// refused.
#include <memory>
#include <string>

#include "descent/optim/wrapper.h"

namespace descent {

class Lookahead : public WrapperOptimizer {
 public:
  static constexpr const char* kDefaultBase = "adam";  // without base=
  static std::vector<HyperparamDef> hyperparams();     // k and alpha (the base adds its own)
  static Hyperparams default_hyperparams() { return defaults_of(hyperparams()); }
  // defaults may also set the base's hyper-parameters (by their names).
  Lookahead(std::vector<ParamGroup> groups, const Hyperparams& defaults = default_hyperparams(),
            const std::string& base = "adam");

  // From SPEC arguments: base, k, alpha, and the base's hyper-parameters.
  static std::unique_ptr<Optimizer> from_args(std::vector<ParamGroup> groups, SpecArgs& args);

  // Not a base for another wrapper: its SPEC names a base of its own.
  bool steps_per_parameter() const override { return false; }

 protected:
  void update(const ParamGroup& group, Tensor& param, const float* grad,
              ParamState& state) override;
};

}  // namespace descent
