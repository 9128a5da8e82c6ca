#include "descent/optim/adadelta.h"

#include <cmath>

#include "descent/optim/measure_each.h"
#include "descent/optim/update_parts.h"

namespace descent {
namespace {

struct AdadeltaOptions {
  double lr, rho, eps, weight_decay;
  bool maximize;

  static AdadeltaOptions from(const ParamGroup& group) {
    return {group.get("lr"), group.get("rho"), group.get("eps"), group.get("weight_decay"),
            group.flag("maximize")};
  }
};

}  // namespace

std::vector<HyperparamDef> Adadelta::hyperparams() {
  HyperparamDef rho = unit_interval("rho", 0.9);
  rho.max_open = false;  // PyTorch accepts rho = 1 (frozen averages)
  return {non_negative("lr", 1.0), rho, non_negative("eps", 1e-6),
          non_negative("weight_decay", 0.0), flag("maximize", false)};
}

Adadelta::Adadelta(std::vector<ParamGroup> groups, const Hyperparams& defaults)
    : Optimizer("adadelta", hyperparams(), defaults, std::move(groups)) {}

void Adadelta::update(const ParamGroup& group, Tensor& param, const float* grad,
                      ParamState& state) {
  const AdadeltaOptions o = AdadeltaOptions::from(group);
  // 1 - rho in double, as torch passes it.
  // Plain names, not structured bindings: the loop's lambda captures them (clang 14 can't).
  const FloatBeta rho_pair = float_beta(o.rho);
  const float rho_f = rho_pair.beta, one_minus_rho = rho_pair.one_minus_beta;
  const float eps = static_cast<float>(o.eps);
  const float neg_lr = static_cast<float>(-o.lr);
  const GradPrologue prologue(o.maximize, o.weight_decay);
  next_step(state);  // kept like torch's state['step'], unused by the update
  const int64_t n = param.numel();
  float* p = param.data();
  float* v = state.buffer("square_avg", param).data();
  float* u = state.buffer("acc_delta", param).data();
  update_each(p, n, measured_update(), [=](int64_t i) {
    const float g = prologue(grad[i], p[i]);
    v[i] = v[i] * rho_f + one_minus_rho * g * g;
    const float delta = std::sqrt(u[i] + eps) / std::sqrt(v[i] + eps) * g;
    u[i] = u[i] * rho_f + one_minus_rho * delta * delta;
    p[i] += neg_lr * delta;
  });
}

}  // namespace descent
