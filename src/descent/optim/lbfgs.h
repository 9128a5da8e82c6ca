#pragma once
// L-BFGS, torch 1.13's torch.optim.LBFGS exactly (itself after minFunc / torch7's optim.lbfgs).
// It works on x, the flat concatenation of all parameters (one group only), and needs a closure
// that re-evaluates f(x) and its gradient g. One step():
//   f, g <- closure();  if max|g| <= tolerance_grad: return f
//   repeat (at most max_iter times, at most max_eval closure calls):
//     first iteration ever: d <- -g, history empty, H_diag <- 1
//     else: y <- g - g_prev;  s <- t d;  if y.s > 1e-10: push (y, s, rho = 1/(y.s)) (drop the
//           oldest beyond history_size), H_diag <- y.s / y.y
//           two-loop recursion: q <- -g; for i newest..oldest: a_i <- rho_i s_i.q, q -= a_i y_i
//           d <- H_diag q; for i oldest..newest: b_i <- rho_i y_i.d, d += (a_i - b_i) s_i
//     g_prev <- g
//     t <- min(1, 1 / sum|g|) lr on the first iteration ever, else lr
//     if g.d > -tolerance_change: stop
//     strong_wolfe: t, f, g <- line search along d from t (cubic interpolation, c1 1e-4,
//                   c2 0.9, at most 25 evaluations); x <- x + t d
//     none:         x <- x + t d; f, g <- closure() (skipped on the last iteration)
//     stop when: max_iter reached, max_eval reached, max|g| <= tolerance_grad,
//                max|t d| <= tolerance_change, or |f - f_prev| < tolerance_change
//   return the first f (torch returns orig_loss)
// Defaults: lr 1, max_iter 20, max_eval 0 (meaning torch's None: max_iter * 5 / 4),
// tolerance_grad 1e-7, tolerance_change 1e-9, history_size 100, line_search_fn none.
// Scalars follow torch's mix of Python doubles and float32 0-dim tensors (dot products, rho,
// H_diag, the first t are float32), so that branch decisions fall the same way as PyTorch's;
// dot products go through the same OpenBLAS sdot and sum|g| follows torch's summation order,
// because L-BFGS turns a last-bit difference into a visible one within a few steps.
// State (kept on the first parameter so that state_dict saves it): buffers d, prev_flat_grad,
// old_dirs.<i>, old_stps.<i>; scalars t, H_diag, prev_loss, n_iter, func_evals, history,
// ro.<i>.
#include "descent/optim/optimizer.h"

namespace descent {

class LBFGS : public Optimizer {
 public:
  static std::vector<HyperparamDef> hyperparams();
  static Hyperparams default_hyperparams() { return defaults_of(hyperparams()); }
  LBFGS(std::vector<ParamGroup> groups, const Hyperparams& defaults = default_hyperparams());

  // closure is required: it must zero the gradients, evaluate the loss, backward and return it.
  std::optional<float> step(const Closure& closure = nullptr) override;
  bool needs_closure() const override { return true; }
  bool steps_per_parameter() const override { return false; }

 protected:
  // Not used: step() updates all parameters together.
  void update(const ParamGroup& group, Tensor& param, const float* grad,
              ParamState& state) override;
  // On the first parameter: d and prev_flat_grad (the flat size), `history` pairs old_dirs.<i> /
  // old_stps.<i> and their ro.<i>; or, before a first direction, only the counters. None on the
  // others.
  ParamState expected_state(const ParamGroup& group, const Tensor& param, size_t index,
                            const ParamState& saved) override;

 private:
  int64_t numel() const;
  void gather_flat_grad(std::vector<float>& out);
  void add_to_params(float t, const std::vector<float>& d);
  void copy_params(std::vector<float>& out) const;
  void set_params(const std::vector<float>& x);
};

}  // namespace descent
