#pragma once
// SGD with momentum, dampening, Nesterov momentum, weight decay and maximize (PyTorch's form):
//   g <- -g                                     if maximize
//   g <- g + weight_decay * p                   (coupled L2)
//   b <- g on the first step, else  b <- momentum * b + (1 - dampening) * g
//   g <- g + momentum * b  if nesterov,  else  g <- b       (when momentum != 0)
//   p <- p - lr * g
// Defaults: lr 1e-3, momentum 0, dampening 0, weight_decay 0, nesterov false, maximize false.
// Nesterov needs momentum > 0 and dampening = 0.
#include "descent/optim/optimizer.h"

namespace descent {

class SGD : public Optimizer {
 public:
  static std::vector<HyperparamDef> hyperparams();
  static Hyperparams default_hyperparams() { return defaults_of(hyperparams()); }
  SGD(std::vector<ParamGroup> groups, const Hyperparams& defaults = default_hyperparams());

 protected:
  void update(const ParamGroup& group, Tensor& param, const float* grad,
              ParamState& state) override;
};

}  // namespace descent
