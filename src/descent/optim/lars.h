#pragma once
// LARS, layer-wise adaptive rate scaling (You, Gitman & Ginsburg 2017, "Large Batch Training of
// Convolutional Networks"), Algorithm 1, with the trust ratio per parameter tensor:
//   g <- -g if maximize
//   local_lr = trust_coefficient ||p|| / (||g|| + weight_decay ||p|| + eps)
//   local_lr = 1 if ||p|| = 0 or ||g|| = 0          (a zero-initialised tensor still moves)
//   local_lr = 1 if exclude_1d and p has at most one dimension (biases, norm scales)
//   v <- momentum v + lr local_lr (g + weight_decay p)
//   p <- p - v
// Defaults: lr 1.0, momentum 0.9, weight_decay 0, trust_coefficient 1e-3, eps 1e-8,
// exclude_1d true, maximize false. Weight decay is coupled (added to the gradient inside the
// velocity), as in the paper. exclude_1d excludes 1-D tensors from the trust-ratio adaptation
// only; they keep weight decay (give them a group with weight_decay=0 to exclude that too, as
// the SimCLR and Barlow Twins recipes do). lr sits inside the velocity, as in the paper: the
// same as PyTorch-style p -= lr v while lr is constant.
// Two passes per parameter: the norms of p and g (in double), then the fused update.
#include "descent/optim/optimizer.h"

namespace descent {

class Lars : public Optimizer {
 public:
  static std::vector<HyperparamDef> hyperparams();
  static Hyperparams default_hyperparams() { return defaults_of(hyperparams()); }
  Lars(std::vector<ParamGroup> groups, const Hyperparams& defaults = default_hyperparams());

 protected:
  void update(const ParamGroup& group, Tensor& param, const float* grad,
              ParamState& state) override;
  bool measures_in_update() const override { return true; }
};

}  // namespace descent
