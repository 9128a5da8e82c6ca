#include "descent/optim/lamb.h"

#include <algorithm>
#include <cmath>

namespace descent {

std::vector<HyperparamDef> Lamb::hyperparams() {
  return {non_negative("lr", 1e-3),          unit_interval("beta1", 0.9),
          unit_interval("beta2", 0.999),     non_negative("eps", 1e-6),
          non_negative("weight_decay", 0.0), flag("bias_correction", true),
          flag("clamp_weight_norm", true),   flag("maximize", false)};
}

Lamb::Lamb(std::vector<ParamGroup> groups, const Hyperparams& defaults)
    : Optimizer("lamb", hyperparams(), defaults, std::move(groups)) {}

void Lamb::update(const ParamGroup& group, Tensor& param, const float* grad, ParamState& state) {
  const double lr = group.get("lr"), beta1 = group.get("beta1"), beta2 = group.get("beta2");
  const float eps = static_cast<float>(group.get("eps"));
  const float wd = static_cast<float>(group.get("weight_decay"));
  const float sign = group.flag("maximize") ? -1.0f : 1.0f;
  const double t = (state.scalars["step"] += 1.0);
  const bool bias_correction = group.flag("bias_correction");
  const float inv_bc1 =
      bias_correction ? static_cast<float>(1.0 / (1.0 - std::pow(beta1, t))) : 1.0f;
  const float bc2_sqrt =
      bias_correction ? static_cast<float>(std::sqrt(1.0 - std::pow(beta2, t))) : 1.0f;
  const float b1 = static_cast<float>(beta1), b2 = static_cast<float>(beta2);
  const float one_minus_b1 = static_cast<float>(1.0 - beta1);
  const float one_minus_b2 = static_cast<float>(1.0 - beta2);
  const int64_t n = param.numel();
  float* p = param.data();
  float* m = state.buffer("exp_avg", param).data();
  float* v = state.buffer("exp_avg_sq", param).data();
  // The same expression in both passes, so the r applied is the r whose norm was taken.
  auto r_of = [&](int64_t i) {
    return m[i] * inv_bc1 / (std::sqrt(v[i]) / bc2_sqrt + eps) + wd * p[i];
  };

  // In blocks: the moments and r in a float loop that vectorizes, then the norms' sums in double,
  // element by element in the same order as before (so the same sums), out of r kept for the
  // block. One loop doing both stayed scalar, as the ordered double sums cannot vectorize.
  constexpr int64_t kBlock = 64;
  float r_block[kBlock];
  double p_sq = 0, r_sq = 0;
  for (int64_t start = 0; start < n; start += kBlock) {
    const int64_t len = std::min(kBlock, n - start);
    float* pb = p + start;
    float* mb = m + start;
    float* vb = v + start;
    const float* gb = grad + start;
    for (int64_t i = 0; i < len; ++i) {
      const float g = sign * gb[i];
      mb[i] = mb[i] * b1 + one_minus_b1 * g;
      vb[i] = vb[i] * b2 + one_minus_b2 * g * g;
      r_block[i] = mb[i] * inv_bc1 / (std::sqrt(vb[i]) / bc2_sqrt + eps) + wd * pb[i];  // r_of
    }
    for (int64_t i = 0; i < len; ++i) {
      const double r = r_block[i];
      p_sq += static_cast<double>(pb[i]) * pb[i];
      r_sq += r * r;
    }
  }
  double w = std::sqrt(p_sq);
  if (group.flag("clamp_weight_norm")) w = std::min(w, kWeightNormClamp);
  const double r_norm = std::sqrt(r_sq);
  const double ratio = (w == 0.0 || r_norm == 0.0) ? 1.0 : w / r_norm;
  state.scalars["trust_ratio"] = ratio;  // the last ratio, for inspection; not read back
  const float neg_step = static_cast<float>(-lr * ratio);
  for (int64_t i = 0; i < n; ++i) p[i] += neg_step * r_of(i);
}

}  // namespace descent
