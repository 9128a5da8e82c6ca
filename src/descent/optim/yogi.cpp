#include "descent/optim/yogi.h"

#include <algorithm>
#include <cmath>

#include "descent/optim/adam_family.h"
#include "descent/optim/measure_each.h"
#include "descent/optim/update_parts.h"

namespace descent {

std::vector<HyperparamDef> Yogi::hyperparams() {
  return {non_negative("lr", 1e-2),
          unit_interval("beta1", 0.9),
          unit_interval("beta2", 0.999),
          non_negative("eps", 1e-3),
          non_negative("initial_accumulator", 1e-6),
          non_negative("weight_decay", 0.0),
          flag("maximize", false)};
}

Yogi::Yogi(std::vector<ParamGroup> groups, const Hyperparams& defaults)
    : Optimizer("yogi", hyperparams(), defaults, std::move(groups)) {}

void Yogi::update(const ParamGroup& group, Tensor& param, const float* grad, ParamState& state) {
  const AdamFamilyOptions o = AdamFamilyOptions::from(group);
  const float eps = static_cast<float>(o.eps);
  const GradPrologue prologue(o.maximize, o.weight_decay);
  if (!state.has("exp_avg")) {
    const float init = static_cast<float>(group.get("initial_accumulator"));
    for (const char* name : {"exp_avg", "exp_avg_sq"}) {
      auto values = state.buffer(name, param).values();
      std::fill(values.begin(), values.end(), init);
    }
  }
  const double t = next_step(state);
  const float neg_step_size = static_cast<float>(-(o.lr / bias_correction(o.beta1, t)));
  const float bc2_sqrt = static_cast<float>(std::sqrt(bias_correction(o.beta2, t)));
  // Plain names, not structured bindings: the loop's lambda captures them (clang 14 can't).
  const FloatBeta b1_pair = float_beta(o.beta1);
  const float b1 = b1_pair.beta, one_minus_b1 = b1_pair.one_minus_beta;
  const float one_minus_b2 = float_beta(o.beta2).one_minus_beta;
  const int64_t n = param.numel();
  float* p = param.data();
  const MomentBuffers moments = moment_buffers(state, param);
  float* const m = moments.m;
  float* const v = moments.v;
  update_each(p, n, measured_update(), [=](int64_t i) {
    const float g = prologue(grad[i], p[i]);
    const float g2 = g * g;
    m[i] = m[i] * b1 + one_minus_b1 * g;
    const float d = v[i] - g2;
    const float s = static_cast<float>((d > 0.0f) - (d < 0.0f));
    v[i] -= one_minus_b2 * s * g2;
    p[i] += neg_step_size * m[i] / (std::sqrt(v[i]) / bc2_sqrt + eps);
  });
}

}  // namespace descent
