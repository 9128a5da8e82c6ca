#include "descent/optim/lamb.h"

#include <algorithm>
#include <cmath>

#include "descent/optim/adam_family.h"
#include "descent/optim/measure_each.h"
#include "descent/optim/update_parts.h"

namespace descent {

namespace {

struct LambOptions : AdamFamilyOptions {
  bool bias_correction, clamp_weight_norm;

  static LambOptions from(const ParamGroup& group) {
    return {AdamFamilyOptions::from(group), group.flag("bias_correction"),
            group.flag("clamp_weight_norm")};
  }
};

}  // namespace

std::vector<HyperparamDef> Lamb::hyperparams() {
  std::vector<HyperparamDef> defs = adam_family_hyperparams(1e-3, 1e-6, 0.0);
  defs.insert(defs.end(), {flag("bias_correction", true), flag("clamp_weight_norm", true),
                           flag("maximize", false)});
  return defs;
}

Lamb::Lamb(std::vector<ParamGroup> groups, const Hyperparams& defaults)
    : Optimizer("lamb", hyperparams(), defaults, std::move(groups)) {}

void Lamb::update(const ParamGroup& group, Tensor& param, const float* grad, ParamState& state) {
  const LambOptions o = LambOptions::from(group);
  const float eps = static_cast<float>(o.eps);
  const float wd = static_cast<float>(o.weight_decay);
  const float sign = maximize_sign(o.maximize);
  const double t = next_step(state);
  const float inv_bc1 =
      o.bias_correction ? static_cast<float>(1.0 / bias_correction(o.beta1, t)) : 1.0f;
  const float bc2_sqrt =
      o.bias_correction ? static_cast<float>(std::sqrt(bias_correction(o.beta2, t))) : 1.0f;
  const FloatBeta b1 = float_beta(o.beta1), b2 = float_beta(o.beta2);
  const int64_t n = param.numel();
  float* p = param.data();
  // Plain names, not structured bindings: the lambda below captures them (clang 14 can't).
  const MomentBuffers moments = moment_buffers(state, param);
  float* const m = moments.m;
  float* const v = moments.v;
  // r = m_hat / (sqrt(v_hat) + eps) + wd p, written the same way in both passes below, so the r
  // applied is the r whose norm was taken.

  // The moments, and the norms' sums of p and r, in one pass in pieces on the threads.
  const TwoSums squares = sum_each(n, [=](int64_t i, double& p_sq, double& r_sq) {
    update_moments(m[i], v[i], sign * grad[i], b1, b2);
    const float r = m[i] * inv_bc1 / (std::sqrt(v[i]) / bc2_sqrt + eps) + wd * p[i];
    p_sq += static_cast<double>(p[i]) * p[i];
    r_sq += static_cast<double>(r) * r;
  });
  const double p_sq = squares.first, r_sq = squares.second;
  double w = std::sqrt(p_sq);
  if (o.clamp_weight_norm) w = std::min(w, kWeightNormClamp);
  const double r_norm = std::sqrt(r_sq);
  const double ratio = (w == 0.0 || r_norm == 0.0) ? 1.0 : w / r_norm;
  state.scalars["trust_ratio"] = ratio;  // the last ratio, for inspection; not read back
  const float neg_step = static_cast<float>(-o.lr * ratio);
  // r again, written as in the first pass.
  update_each(p, n, measured_update(), [=](int64_t i) {
    p[i] += neg_step * (m[i] * inv_bc1 / (std::sqrt(v[i]) / bc2_sqrt + eps) + wd * p[i]);
  });
}

}  // namespace descent
