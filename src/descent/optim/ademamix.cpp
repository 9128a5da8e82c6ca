#include "descent/optim/ademamix.h"

#include <cmath>

#include "descent/optim/measure_each.h"
#include "descent/optim/update_parts.h"

namespace descent {
namespace {

// The warmups of the authors' code, in double.
double alpha_at(double alpha, double warmup, double t) {
  return warmup > 0 && t < warmup ? alpha * t / warmup : alpha;
}

double beta3_at(double beta1, double beta3, double warmup, double t) {
  if (!(warmup > 0 && t < warmup)) return beta3;
  const auto half_life = [](double b) { return std::log(0.5) / std::log(b + 1e-8) - 1; };
  const double a = t / warmup;
  return std::pow(0.5, 1 / ((1 - a) * half_life(beta1) + a * half_life(beta3) + 1));
}

}  // namespace

std::vector<HyperparamDef> AdEMAMix::hyperparams() {
  return {non_negative("lr", 1e-3),          unit_interval("beta1", 0.9),
          unit_interval("beta2", 0.999),     unit_interval("beta3", 0.9999),
          non_negative("alpha", 5.0),        integer("alpha_warmup", 0, 0),
          integer("beta3_warmup", 0, 0),     non_negative("eps", 1e-8),
          non_negative("weight_decay", 0.0), flag("maximize", false)};
}

AdEMAMix::AdEMAMix(std::vector<ParamGroup> groups, const Hyperparams& defaults)
    : Optimizer("ademamix", hyperparams(), defaults, std::move(groups)) {}

void AdEMAMix::update(const ParamGroup& group, Tensor& param, const float* grad,
                      ParamState& state) {
  const double lr = group.get("lr"), beta1 = group.get("beta1"), beta2 = group.get("beta2");
  const double t = next_step(state);
  const float bc1 = static_cast<float>(bias_correction(beta1, t));
  const float bc2_sqrt = static_cast<float>(std::sqrt(bias_correction(beta2, t)));
  const float alpha =
      static_cast<float>(alpha_at(group.get("alpha"), group.get("alpha_warmup"), t));
  // Plain names, not structured bindings: the loop's lambda captures them (clang 14 can't).
  const FloatBeta b1_pair = float_beta(beta1);
  const float b1 = b1_pair.beta, one_minus_b1 = b1_pair.one_minus_beta;
  const FloatBeta b2_pair = float_beta(beta2);
  const float b2 = b2_pair.beta, one_minus_b2 = b2_pair.one_minus_beta;
  const FloatBeta b3_pair =
      float_beta(beta3_at(beta1, group.get("beta3"), group.get("beta3_warmup"), t));
  const float b3 = b3_pair.beta, one_minus_b3 = b3_pair.one_minus_beta;
  const float eps = static_cast<float>(group.get("eps"));
  const float weight_decay = static_cast<float>(group.get("weight_decay"));
  const float step = static_cast<float>(lr);
  const float sign = maximize_sign(group.flag("maximize"));
  const int64_t n = param.numel();
  float* p = param.data();
  float* fast = state.buffer("exp_avg_fast", param).data();
  float* slow = state.buffer("exp_avg_slow", param).data();
  float* v = state.buffer("exp_avg_sq", param).data();
  update_each(p, n, measured_update(), [=](int64_t i) {
    const float g = sign * grad[i];
    fast[i] = fast[i] * b1 + one_minus_b1 * g;
    slow[i] = slow[i] * b3 + one_minus_b3 * g;
    v[i] = v[i] * b2 + one_minus_b2 * g * g;
    const float u = (fast[i] / bc1 + alpha * slow[i]) / (std::sqrt(v[i]) / bc2_sqrt + eps);
    p[i] = p[i] - step * (u + weight_decay * p[i]);
  });
}

}  // namespace descent
