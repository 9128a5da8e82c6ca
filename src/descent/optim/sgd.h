#pragma once
// SGD with momentum, in four forms (the `form` hyper-parameter), with weight decay and maximize.
// Every form first takes  g <- -g if maximize;  g <- g + weight_decay * p  (coupled L2).
//
// form=pytorch (default; PyTorch's torch.optim.SGD):
//   b <- g on the first step, else  b <- momentum * b + (1 - dampening) * g
//   g <- g + momentum * b  if nesterov,  else  g <- b       (when momentum != 0)
//   p <- p - lr * g
// form=velocity (Keras, ensmallen, Goodfellow et al. 2016 alg. 8.2; lr inside the velocity):
//   v <- momentum * v - lr * g
//   p <- p + v,  or with nesterov (Keras's):  p <- p + momentum * v - lr * g
// form=ema (the lecture notes' exponential moving average; t counts steps):
//   m <- momentum * m + (1 - momentum) * g
//   p <- p - lr * m / (1 - momentum^t)  if bias_correction,  else  p <- p - lr * m
// form=lookahead_nesterov (Nesterov's original, Sutskever et al. 2013; needs step(closure)):
//   g = gradient at the look-ahead point p + momentum * v (weight decay there too)
//   v <- momentum * v - lr * g;   p <- p + v
// Defaults: lr 1e-3, momentum 0, dampening 0, weight_decay 0, nesterov false, maximize false,
// form pytorch, bias_correction false. Nesterov needs momentum > 0 and dampening = 0; dampening
// belongs to form=pytorch, nesterov to pytorch and velocity, bias_correction to ema.
// pytorch and velocity agree while lr is constant (v = -lr b) and differ once lr changes: in the
// velocity form the old velocity keeps the old lr.
#include "descent/optim/optimizer.h"

namespace descent {

class SGD : public Optimizer {
 public:
  static std::vector<HyperparamDef> hyperparams();
  static Hyperparams default_hyperparams() { return defaults_of(hyperparams()); }
  SGD(std::vector<ParamGroup> groups, const Hyperparams& defaults = default_hyperparams());

  // For form=lookahead_nesterov: moves to the look-ahead point, evaluates the closure there, then
  // updates from the parameters as they were. Throws std::invalid_argument without a closure.
  std::optional<float> step(const Closure& closure = nullptr) override;
  // Whether a group uses form=lookahead_nesterov (its gradient is taken at the look-ahead point).
  bool needs_closure() const override;

 protected:
  void update(const ParamGroup& group, Tensor& param, const float* grad,
              ParamState& state) override;
  bool measures_in_update() const override { return true; }

 private:
  // form=lookahead_nesterov: each parameter's values from before the look-ahead move, in the order
  // of the walk over all parameters. They live only between the move and the update of one step,
  // so they are not optimizer state; kept from step to step to reuse the buffers.
  struct BeforeMove {
    std::vector<float> values;
    bool moved = false;
  };
  std::vector<BeforeMove> before_move_;
  void move_ahead();
  void move_back();
};

}  // namespace descent
