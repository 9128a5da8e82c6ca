#include "descent/optim/lion.h"

#include "descent/optim/measure_each.h"
#include "descent/optim/update_parts.h"

namespace descent {
namespace {

struct LionOptions {
  double lr, beta1, beta2, weight_decay;
  bool maximize;

  static LionOptions from(const ParamGroup& group) {
    return {group.get("lr"), group.get("beta1"), group.get("beta2"), group.get("weight_decay"),
            group.flag("maximize")};
  }
};

}  // namespace

std::vector<HyperparamDef> Lion::hyperparams() {
  return {non_negative("lr", 1e-4), unit_interval("beta1", 0.9), unit_interval("beta2", 0.99),
          non_negative("weight_decay", 0.0), flag("maximize", false)};
}

Lion::Lion(std::vector<ParamGroup> groups, const Hyperparams& defaults)
    : Optimizer("lion", hyperparams(), defaults, std::move(groups)) {}

void Lion::update(const ParamGroup& group, Tensor& param, const float* grad, ParamState& state) {
  const LionOptions o = LionOptions::from(group);
  const float step = static_cast<float>(o.lr);
  // lion-pytorch's p.mul_(1 - lr * wd).
  const float decay = decoupled_decay(o.lr, o.weight_decay);
  // Plain names, not structured bindings: the loop's lambda captures them (clang 14 can't).
  const FloatBeta beta1_pair = float_beta(o.beta1);
  const float b1 = beta1_pair.beta, one_minus_b1 = beta1_pair.one_minus_beta;
  const FloatBeta beta2_pair = float_beta(o.beta2);
  const float b2 = beta2_pair.beta, one_minus_b2 = beta2_pair.one_minus_beta;
  const float sign = maximize_sign(o.maximize);
  const int64_t n = param.numel();
  float* p = param.data();
  float* m = state.buffer("exp_avg", param).data();
  update_each(p, n, measured_update(), [=](int64_t i) {
    const float g = sign * grad[i];
    const float c = m[i] * b1 + one_minus_b1 * g;
    const float u = static_cast<float>((c > 0.0f) - (c < 0.0f));
    p[i] = p[i] * decay - step * u;
    m[i] = m[i] * b2 + one_minus_b2 * g;
  });
}

}  // namespace descent
