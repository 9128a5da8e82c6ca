#pragma once
// Shampoo (Gupta, Koren & Singer 2018, "Shampoo: Preconditioned Stochastic Tensor Optimization"),
// in the practical form of Anil et al. 2020 ("Scalable Second Order Optimization for Deep
// Learning") and Meta's distributed_shampoo: Kronecker-factored statistics of a matrix
// parameter's gradient, their inverse fourth roots recomputed every few steps, and the step's
// size taken from a simpler optimizer (grafting, Agarwal et al. 2020, "Disentangling Adaptive
// Gradient Methods from Learning Rates"). With t the step (1 on the first):
//   g <- -g if maximize;   g <- g + weight_decay p            (unless decoupled)
//   matrix parameters (2 or more dimensions, viewed as G: rows x cols, conv kernels as
//   [out, in * kh * kw], as Muon does):
//     L <- beta2 L + (1 - beta2) G G^T,   R <- beta2 R + (1 - beta2) G^T G
//                                   (beta2 = 1: L <- L + G G^T, the paper's sum)
//     at t = start, start + k, start + 2k, ...  (start = start_preconditioning_step,
//                                                k = precondition_frequency):
//       L_root = (L + matrix_eps I)^(-1/e),   R_root = (R + matrix_eps I)^(-1/e)
//       (e = inverse_root_exponent; 4 is the paper's for a matrix: 1/(2 x order); eigenvalues
//       below 0, float rounding of a singular L, count as 0)
//     P = L_root G R_root                     (t >= start)
//   grafting (the grafted optimizer's step D_g, without lr; its state advances every step):
//     adagrad  a <- a + g^2;                        D_g = g / (sqrt(a) + grafting_eps)
//     adam     v <- b v + (1 - b) g^2 (b = grafting_beta2);
//              D_g = g / (sqrt(v / (1 - b^t)) + grafting_eps)       (the second moment only:
//                                                                    momentum is below)
//     sgd      D_g = g
//     none     D_g = g, and D = P unscaled
//   D = P ||D_g||_F / ||P||_F   (t >= start: P's direction, the grafted step's size per tensor;
//                                0 where P = 0)
//   D = D_g                     (before start, and for parameters with fewer than 2 dimensions:
//                                biases are stepped by the grafted optimizer alone)
//   b <- momentum b + D;   D <- D + momentum b if nesterov, else D <- b      (momentum > 0)
//   p <- p (1 - lr weight_decay)                               (decoupled only)
//   p <- p - lr D
// A side longer than max_preconditioner_dim is not preconditioned (its root is the identity and
// no statistics are kept for it), as Google's scalable_shampoo leaves dimensions above its
// skip_preconditioning_dim_size_gt; distributed_shampoo and scalable_shampoo also split a tensor
// into blocks of at most max_preconditioner_dim (block_size) first, which is not done here. Cost:
// every k steps an eigendecomposition of rows x rows and of cols x cols (LAPACK dsyevd in
// double), and every step G G^T, G^T G and the two products of P.
// Defaults: lr 1e-3, beta2 1 (the paper's sum), momentum 0.9, nesterov false, weight_decay 0,
// decoupled true, grafting adam, grafting_beta2 0.999, grafting_eps 1e-8, precondition_frequency
// 10, start_preconditioning_step 10, inverse_root_exponent 4, matrix_eps 1e-6,
// max_preconditioner_dim 1024, maximize false.
// Differences from the reference implementations: the statistics, roots and grafting state are
// kept per parameter in float32 (the roots computed in double); no blocking of large tensors, no
// exponent per tensor order (a 3-D or 4-D tensor is a matrix here), no beta1 filtering of the
// gradient before the preconditioner (use momentum), matrix_eps is absolute (not relative to the
// largest eigenvalue), and the adam grafting has no first moment of its own (momentum is that).
// State: step; left_stats, right_stats, left_root, right_root (absent for an unpreconditioned
// side or a vector); graft_sum_sq (adagrad) or graft_exp_avg_sq (adam); momentum_buffer.
#include "descent/optim/optimizer.h"

namespace descent {

class Shampoo : public Optimizer {
 public:
  static std::vector<HyperparamDef> hyperparams();
  static Hyperparams default_hyperparams() { return defaults_of(hyperparams()); }
  Shampoo(std::vector<ParamGroup> groups, const Hyperparams& defaults = default_hyperparams());

 protected:
  void update(const ParamGroup& group, Tensor& param, const float* grad,
              ParamState& state) override;

 private:
  // Per-step scratch, in double: the gradient, the grafted step, the preconditioned direction.
  std::vector<double> grad_, graft_, direction_, product_, root_;
};

}  // namespace descent
