#pragma once
// Prodigy (Mishchenko & Defazio 2024, "Prodigy: An Expeditiously Adaptive Parameter-Free
// Learner"), as the authors' prodigyopt: Adam whose step size d lr is learned, with d estimated
// from the progress made from the starting point p0 (d_adaptation.h's two passes). Per step,
// with d the previous estimate, beta3 = sqrt(beta2) unless set, and g including coupled decay:
//   dlr = d lr (sqrt(1 - beta2^(k+1)) / (1 - beta1^(k+1)) with bias_correction)
//   pass 1:  N <- beta3 N + sum (d / d0) dlr <g, p0 - p>
//            m <- beta1 m + d (1 - beta1) g;   v <- beta2 v + d^2 (1 - beta2) g^2
//            s <- beta3 s + (d / d0) dlr g     ((d / d0) d with safeguard_warmup)
//            D = sum |s|
//   estimate: d_hat = d_coef N / D;  d <- max(d, d_hat) on the first growth (d = d0);
//             d_max <- max(d_max, d_hat);  d <- min(d_max, d growth_rate)
//   pass 2:  p <- p - weight_decay dlr p      (decoupled, the default)
//            p <- p - dlr m / (sqrt(v) + d eps)
// Defaults (the authors'): lr 1, beta1 0.9, beta2 0.999, beta3 0 (meaning sqrt(beta2)), eps 1e-8,
// weight_decay 0, decoupled true, bias_correction false, safeguard_warmup false, d0 1e-6,
// d_coef 1, growth_rate 0 (without bound), maximize false.
#include "descent/optim/d_adaptation.h"

namespace descent {

class Prodigy : public DAdaptation {
 public:
  static std::vector<HyperparamDef> hyperparams();
  static Hyperparams default_hyperparams() { return defaults_of(hyperparams()); }
  Prodigy(std::vector<ParamGroup> groups, const Hyperparams& defaults = default_hyperparams());

 protected:
  void begin(const ParamGroup& first, Globals& g) override;
  void accumulate(const ParamGroup& group, Tensor& param, const float* grad, ParamState& state,
                  Globals& g) override;
  void estimate(const ParamGroup& first, Globals& g) override;
  void apply(const ParamGroup& group, Tensor& param, const float* grad, ParamState& state,
             const Globals& g) override;
};

}  // namespace descent
