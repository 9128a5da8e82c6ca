#pragma once
// D-Adaptation, Adam form (Defazio & Mishchenko 2023, "Learning-Rate-Free Learning by
// D-Adaptation"), as the authors' dadaptation 3.x DAdaptAdam: Adam whose step size d lr is
// learned (d_adaptation.h's two passes). Per step, with d the previous estimate and g including
// coupled decay, b = sqrt(beta2):
//   dlr = d lr (sqrt(1 - beta2^(k+1)) / (1 - beta1^(k+1)) with bias_correction)
//   pass 1:  A = sum dlr <g, s / (sqrt(v) + eps)>  (v before this step's update)
//            m <- beta1 m + dlr (1 - beta1) g;   v <- beta2 v + (1 - beta2) g^2
//            s <- b s + dlr (1 - b) g;           D = sum |s|
//   estimate: N <- b N + (1 - b) A;  d_hat = N / ((1 - b) D);  d <- max(d, min(d_hat, d
//   growth_rate)) pass 2:  p <- p - weight_decay dlr p      (decoupled only)
//            p <- p - m / (sqrt(v) + eps)
// Defaults (the authors'): lr 1, beta1 0.9, beta2 0.999, eps 1e-8, weight_decay 0,
// decoupled false, bias_correction false, d0 1e-6, growth_rate 0 (without bound), maximize false.
#include "descent/optim/d_adaptation.h"

namespace descent {

class DAdaptAdam : public DAdaptation {
 public:
  static std::vector<HyperparamDef> hyperparams();
  static Hyperparams default_hyperparams() { return defaults_of(hyperparams()); }
  DAdaptAdam(std::vector<ParamGroup> groups, const Hyperparams& defaults = default_hyperparams());

 protected:
  void accumulate(const ParamGroup& group, Tensor& param, const float* grad, ParamState& state,
                  Globals& g) override;
  void estimate(const ParamGroup& first, Globals& g) override;
  void apply(const ParamGroup& group, Tensor& param, const float* grad, ParamState& state,
             const Globals& g) override;
};

}  // namespace descent
