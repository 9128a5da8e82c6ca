#pragma once
// Adam (Kingma & Ba 2015) in PyTorch's form, with AMSGrad and coupled L2 weight decay:
//   g <- -g if maximize;   g <- g + weight_decay * p;   t <- t + 1
//   m <- beta1 m + (1 - beta1) g
//   v <- beta2 v + (1 - beta2) g^2
//   v_max <- max(v_max, v)                          (amsgrad; the max is over the raw v)
//   denom = sqrt(v or v_max) / sqrt(1 - beta2^t) + eps     (eps outside the bias correction)
//   p <- p - lr / (1 - beta1^t) * m / denom
// Defaults: lr 1e-3, beta1 0.9, beta2 0.999, eps 1e-8, weight_decay 0, amsgrad false,
// maximize false, convention pytorch.
//
// convention: where eps and the bias corrections sit in other frameworks and texts (the moments
// and the weight decay are the same in all of them; v~ is v, or v_max with amsgrad):
//   pytorch  p <- p - lr / (1 - beta1^t) * m / (sqrt(v~) / sqrt(1 - beta2^t) + eps)
//   keras    p <- p - lr_t * m / (sqrt(v~) + eps),  lr_t = lr sqrt(1 - beta2^t) / (1 - beta1^t)
//            ("epsilon hat", also ensmallen; Keras's own default eps is 1e-7, set it yourself)
//   optax    p <- p - lr * m_hat / (sqrt(v~_hat) + eps),  m_hat = m / (1 - beta1^t),
//            v_hat = v / (1 - beta2^t); amsgrad keeps v_max <- max(v_max, v_hat), the maximum
//            over the bias-corrected v (optax's eps_root is 0). Without amsgrad the same
//            algebra as pytorch.
//   notes    p <- p - lr * m_hat / sqrt(v~_hat + eps)   (eps inside the root, as some lecture
//            notes write it; amsgrad's max over the raw v, as pytorch)
#include "descent/optim/adam_family.h"
#include "descent/optim/optimizer.h"

namespace descent {

enum class AdamConvention { PyTorch, Keras, Optax, Notes };

// The "convention" hyper-parameter shared by Adam and AdamW.
HyperparamDef adam_convention_def();
// Adam's and AdamW's declarations, which differ only in weight_decay's default.
std::vector<HyperparamDef> adam_hyperparams(double weight_decay);

// Adam's and AdamW's hyper-parameters, read from a group.
struct AdamOptions : AdamFamilyOptions {
  bool amsgrad = false;
  AdamConvention convention = AdamConvention::PyTorch;
  static AdamOptions from(const ParamGroup& group);
};

// One Adam update of one parameter, shared by Adam, AdamW and Muon (for its vectors): t <- t + 1,
// the moments in the state's "exp_avg" and "exp_avg_sq" ("max_exp_avg_sq" with amsgrad), and the
// step. decoupled_weight_decay applies the decay as AdamW (p <- p (1 - lr weight_decay) before
// the step) instead of adding it to g.
// norms: where to measure how far the step moves the parameter (Optimizer::measured_update()),
// or null.
void adam_update(const AdamOptions& options, bool decoupled_weight_decay, Tensor& param,
                 const float* grad, ParamState& state, UpdateNorms* norms = nullptr);

class Adam : public Optimizer {
 public:
  static std::vector<HyperparamDef> hyperparams();
  static Hyperparams default_hyperparams() { return defaults_of(hyperparams()); }
  Adam(std::vector<ParamGroup> groups, const Hyperparams& defaults = default_hyperparams());

 protected:
  void update(const ParamGroup& group, Tensor& param, const float* grad,
              ParamState& state) override;
  bool measures_in_update() const override { return true; }
};

}  // namespace descent
