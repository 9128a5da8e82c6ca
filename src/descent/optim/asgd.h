#pragma once
// ASGD, averaged SGD (Polyak & Juditsky 1992; the step-size schedule of Bottou 2012), in PyTorch
// 1.13's form. State per parameter: t, the step size eta (starts at lr), the averaging rate mu
// (starts at 1) and the averaged parameters ax:
//   g <- -g if maximize;   t <- t + 1;   g <- g + weight_decay * p
//   p <- p * (1 - lambd * eta)
//   p <- p - eta * g
//   ax <- ax + mu (p - ax)     (ax <- p while mu = 1)
//   eta <- lr / (1 + lambd * lr * t)^alpha
//   mu <- 1 / max(1, t - t0)
// eta and mu are float32 in torch (0-d tensors); descent rounds them to float the same way, so the
// trajectories match. Averaging starts after t0 steps; ax is the estimate to evaluate, p keeps
// training. Defaults: lr 1e-2, lambd 1e-4, alpha 0.75, t0 1e6, weight_decay 0, maximize false.
#include "descent/optim/optimizer.h"

namespace descent {

class ASGD : public Optimizer {
 public:
  static std::vector<HyperparamDef> hyperparams();
  static Hyperparams default_hyperparams() { return defaults_of(hyperparams()); }
  ASGD(std::vector<ParamGroup> groups, const Hyperparams& defaults = default_hyperparams());

 protected:
  void update(const ParamGroup& group, Tensor& param, const float* grad,
              ParamState& state) override;
  bool measures_in_update() const override { return true; }
};

}  // namespace descent
