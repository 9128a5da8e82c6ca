#pragma once
// Schedule-free as a wrapper of any per-parameter optimizer (the reference's
// ScheduleFreeWrapper, Defazio et al. 2024): the base optimizer moves z, with the gradient taken
// at y, and the averaging of schedule_free.h does the rest. Per parameter, with c the averaging
// weight of the base's lr (lr_max^weight_lr_power (k+1)^r over their sum):
//   g <- g + weight_decay_at_y y
//   z <- base_step(z, g)            (the base's own rule and state)
//   x <- (1 - c) x + c z;   y <- (1 - b) z + b x,  b = sf_momentum   (the parameter holds y)
// Defaults: sf_momentum 0.9 (the reference's momentum, renamed so that it cannot be taken for
// sgd's), weight_decay_at_y 0, r 0, weight_lr_power 2, base sgd. SPEC:
// "schedule_free:base=adam,lr=0.001": keys other than base, sf_momentum, weight_decay_at_y, r
// and weight_lr_power go to the base. Over plain sgd (momentum 0) it is sgd_schedulefree.
// eval_params()/train_params() switch between x and y as for the schedule-free optimizers (the
// trainer calls them); the base's state lives beside z and x (optim/wrapper.h).
#include <memory>
#include <string>

#include "descent/optim/wrapper.h"

namespace descent {

class ScheduleFreeWrapper : public WrapperOptimizer {
 public:
  static constexpr const char* kDefaultBase = "sgd";  // without base=
  static std::vector<HyperparamDef> hyperparams();    // the wrapper's own
  static Hyperparams default_hyperparams() { return defaults_of(hyperparams()); }
  ScheduleFreeWrapper(std::vector<ParamGroup> groups,
                      const Hyperparams& defaults = default_hyperparams(),
                      const std::string& base = "sgd");

  // From SPEC arguments: base, the wrapper's keys, and the base's hyper-parameters.
  static std::unique_ptr<Optimizer> from_args(std::vector<ParamGroup> groups, SpecArgs& args);

  void eval_params() override;
  void train_params() override;
  bool steps_per_parameter() const override { return false; }

 protected:
  void update(const ParamGroup& group, Tensor& param, const float* grad,
              ParamState& state) override;

 private:
  std::vector<float> gradient_;  // the gradient with the decay at y added
};

}  // namespace descent
