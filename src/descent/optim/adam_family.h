#pragma once
// What the Adam family (adam, adamw, adamax, nadam, radam, adabelief, yogi, lamb) has in common:
// the hyper-parameters lr, beta1, beta2, eps and weight_decay, with maximize, read from a group
// into one typed value, and the declarations of the first five; Adam's two moments.
#include <vector>

#include "descent/optim/optimizer.h"
#include "descent/optim/update_parts.h"

namespace descent {

struct AdamFamilyOptions {
  double lr = 0, beta1 = 0, beta2 = 0, eps = 0, weight_decay = 0;
  bool maximize = false;
  static AdamFamilyOptions from(const ParamGroup& group);
};

// lr, beta1 (0.9), beta2 (0.999), eps and weight_decay, with the given defaults, in that order.
std::vector<HyperparamDef> adam_family_hyperparams(double lr, double eps, double weight_decay);

// Adam's moment buffers, m ("exp_avg") and v ("exp_avg_sq"), zero-filled on first use.
struct MomentBuffers {
  float* m;
  float* v;
};
inline MomentBuffers moment_buffers(ParamState& state, const Tensor& param) {
  return {state.buffer("exp_avg", param).data(), state.buffer("exp_avg_sq", param).data()};
}

// One element of Adam's moments, in PyTorch's order of operations:
//   m <- beta1 m + (1 - beta1) g;   v <- beta2 v + ((1 - beta2) g) g
inline void update_moments(float& m, float& v, float g, const FloatBeta& beta1,
                           const FloatBeta& beta2) {
  m = m * beta1.beta + beta1.one_minus_beta * g;
  v = v * beta2.beta + beta2.one_minus_beta * g * g;
}

}  // namespace descent
