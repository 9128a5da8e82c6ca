#pragma once
// SOAP (Vyas et al. 2024, "SOAP: Improving and Stabilizing Shampoo using Adam"), as the authors'
// soap.py: Adam run in the eigenbasis of Shampoo's statistics. For a parameter with dimensions
// d_1..d_K (merged first if merge_dims), one statistic per dimension d_k <= max_precond_dim
// (for a matrix G: L for the rows, R for the columns); a longer dimension, and a vector unless
// precondition_1d, has none and its basis is the identity. With s the number of steps taken
// before this one:
//   g <- -g if maximize
//   first step (s = 0): L <- (1 - sb) G G^T, R <- (1 - sb) G^T G; Q_L, Q_R = their eigenvectors
//     (descending eigenvalues); the parameter does not move (the reference never steps with a
//     basis that saw the current gradient)
//   later steps, t = s (the Adam step):
//     G' = Q_L^T G Q_R                                      (each dimension's Q in turn)
//     m <- b1 m + (1 - b1) G';   v <- b2 v + (1 - b2) G'^2  (m, v live in the rotated basis)
//     N = Q_L (m / (sqrt(v) + eps)) Q_R^T
//     N <- N / (1e-30 + sqrt(mean(N^2)))                    (normalize_grads)
//     p <- p - lr sqrt(1 - b2^t) / (1 - b1^t) N             (correct_bias; else p <- p - lr N)
//     p <- p - lr weight_decay p                            (decoupled, after the step)
//     L <- sb L + (1 - sb) G G^T;   R <- sb R + (1 - sb) G^T G
//     every precondition_frequency steps (t a multiple of it), for each dimension: order the
//     basis by its estimated eigenvalues diag(Q^T L Q), descending (v's entries move with their
//     basis vectors), then one power iteration and a QR decomposition: Q <- orth(L Q); m is
//     carried into the new basis (Q_new^T Q_old m ...); v is not rotated (the reference's
//     approximation)
//   sb = shampoo_beta, or b2 when shampoo_beta < 0.
// Defaults (the reference's): lr 3e-3, betas (0.95, 0.95), shampoo_beta -1, eps 1e-8,
// weight_decay 0.01, precondition_frequency 10, max_precond_dim 10000, merge_dims false,
// precondition_1d false, normalize_grads false, correct_bias true; maximize false (descent's).
// Differences from soap.py: the eigendecompositions (LAPACK dsyevd) and the QR (dgeqrf) run in
// double, the state is float32; the reference moves m out of the basis and back in every step,
// here only when the basis changes (the same numbers up to rounding); the reference's
// data_format (channels_last kernels) does not apply (descent's kernels are [out, in, kh, kw]).
// Cost: every precondition_frequency steps an eigenvalue estimate, a product and a QR of each
// d_k x d_k statistic; every step the rotations of G and of the step (2 K products).
// State: step (counting the first step that only sets up the bases); exp_avg, exp_avg_sq; for
// each preconditioned dimension k, gg<k> (the statistic) and q<k> (its basis).
#include "descent/optim/optimizer.h"

namespace descent {

class Soap : public Optimizer {
 public:
  static std::vector<HyperparamDef> hyperparams();
  static Hyperparams default_hyperparams() { return defaults_of(hyperparams()); }
  Soap(std::vector<ParamGroup> groups, const Hyperparams& defaults = default_hyperparams());

  // The dimensions the reference's merge_dims makes of `shape`: consecutive dimensions multiplied
  // together while the product stays <= max_dim.
  static Shape merged_shape(const Shape& shape, int64_t max_dim);

 protected:
  void update(const ParamGroup& group, Tensor& param, const float* grad,
              ParamState& state) override;
};

}  // namespace descent
