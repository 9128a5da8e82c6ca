#pragma once
// Muon (Jordan et al. 2024, "Muon: An optimizer for hidden layers in neural networks";
// Keller Jordan's reference muon.py): momentum, then the update orthogonalized by a quintic
// Newton-Schulz iteration, for matrix parameters:
//   b <- mu b + g
//   u <- g + mu b  if nesterov, else  u <- b
//   X <- u / (||u||_F + 1e-7)      (viewed as rows x cols, transposed when rows > cols)
//   repeat ns_steps: A <- X X^T;  B <- b_ns A + c_ns A A;  X <- a_ns X + B X
//                    (a_ns, b_ns, c_ns) = (3.4445, -4.7750, 2.0315)
//   p <- p - lr (s X + weight_decay p)                              (decoupled decay)
//   s = sqrt(max(1, rows/cols))       adjust_lr = original (the reference's and PyTorch's default)
//   s = 0.2 sqrt(max(rows, cols))     adjust_lr = match_rms_adamw (PyTorch's option, after
//   Moonshot:
//                                     the update's RMS matches AdamW's, so AdamW's lr and weight
//                                     decay carry over)
// X approximates U V^T of u = U S V^T (singular values pushed into about [0.7, 1.2], which is
// what the quintic's coefficients trade for speed). Parameters with 2 or more dimensions are
// matrices (conv kernels flattened to [out, in * kh * kw] as in the reference); parameters with
// fewer (biases, gains) fall back to AdamW, as the reference recommends for them:
//   m <- b1 m + (1 - b1) g;  v <- b2 v + (1 - b2) g^2;  p <- p (1 - adamw_lr weight_decay)
//   p <- p - adamw_lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + adamw_eps)
// Defaults (the reference's): lr 0.02, momentum 0.95, nesterov true, ns_steps 5,
// weight_decay 0, adjust_lr original, adamw_lr 3e-4, adamw_beta1 0.95, adamw_beta2 0.95,
// adamw_eps 1e-8. PyTorch 2.9's torch.optim.Muon defaults are lr 1e-3, weight_decay 0.1 (the rest
// the same): muon:lr=0.001,weight_decay=0.1. PyTorch keeps its momentum as an average
// (b <- mu b + (1 - mu) g), which is (1 - mu) times this one and, after the normalization, the
// same update; it refuses parameters that are not matrices, where this falls back to AdamW.
// The reference runs Newton-Schulz in bfloat16; here it is float32 (sgemm).
#include "descent/optim/optimizer.h"

namespace descent {

class Muon : public Optimizer {
 public:
  static std::vector<HyperparamDef> hyperparams();
  static Hyperparams default_hyperparams() { return defaults_of(hyperparams()); }
  Muon(std::vector<ParamGroup> groups, const Hyperparams& defaults = default_hyperparams());

  // The Newton-Schulz orthogonalization of g (rows x cols, row-major) into out (same layout).
  static void orthogonalize(const float* g, int64_t rows, int64_t cols, int steps, float* out);

 protected:
  void update(const ParamGroup& group, Tensor& param, const float* grad,
              ParamState& state) override;

 private:
  std::vector<float> scratch_;  // the momentum-corrected update, then its orthogonalization
};

}  // namespace descent
