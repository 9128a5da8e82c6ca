#pragma once
// Delta-bar-delta (Jacobs 1988, "Increased Rates of Convergence Through Learning Rate
// Adaptation", Neural Networks 1(4)): every weight has its own learning rate e, raised
// additively while the gradient keeps its sign and cut multiplicatively when the sign flips.
//   g <- -g if maximize;  g <- g + weight_decay p (coupled L2);  delta = g
//   e starts at lr;  bar_delta starts at 0
//   e <- e + kappa            if bar_delta * delta > 0    (bar_delta from the previous step)
//   e <- (1 - phi) e          if bar_delta * delta < 0
//   bar_delta <- (1 - theta) delta + theta bar_delta
//   p <- p - e delta                                       (with the new e)
// Defaults: lr 1e-3, kappa 1e-4, phi 0.1, theta 0.7, weight_decay 0, maximize false.
// kappa is absolute, so scale it with lr (about lr / 10: ten agreeing steps double a rate);
// Jacobs' own runs used theta 0.7 and phi 0.1-0.5. Meant for full-batch (or large-batch)
// gradients: with minibatch noise the signs flip at random and the rates only shrink.
#include "descent/optim/optimizer.h"

namespace descent {

class DeltaBarDelta : public Optimizer {
 public:
  static std::vector<HyperparamDef> hyperparams();
  static Hyperparams default_hyperparams() { return defaults_of(hyperparams()); }
  DeltaBarDelta(std::vector<ParamGroup> groups,
                const Hyperparams& defaults = default_hyperparams());

 protected:
  void update(const ParamGroup& group, Tensor& param, const float* grad,
              ParamState& state) override;
  bool measures_in_update() const override { return true; }
};

}  // namespace descent
