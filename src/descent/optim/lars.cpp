#include "descent/optim/lars.h"

#include <cmath>

#include "descent/optim/measure_each.h"
#include "descent/optim/update_parts.h"

namespace descent {
namespace {

struct LarsOptions {
  double lr, momentum, weight_decay, trust_coefficient, eps;
  bool exclude_1d, maximize;

  static LarsOptions from(const ParamGroup& group) {
    return {group.get("lr"),           group.get("momentum"),
            group.get("weight_decay"), group.get("trust_coefficient"),
            group.get("eps"),          group.flag("exclude_1d"),
            group.flag("maximize")};
  }
};

}  // namespace

std::vector<HyperparamDef> Lars::hyperparams() {
  return {non_negative("lr", 1.0),
          non_negative("momentum", 0.9),
          non_negative("weight_decay", 0.0),
          non_negative("trust_coefficient", 1e-3),
          non_negative("eps", 1e-8),
          flag("exclude_1d", true),
          flag("maximize", false)};
}

Lars::Lars(std::vector<ParamGroup> groups, const Hyperparams& defaults)
    : Optimizer("lars", hyperparams(), defaults, std::move(groups)) {}

void Lars::update(const ParamGroup& group, Tensor& param, const float* grad, ParamState& state) {
  const LarsOptions o = LarsOptions::from(group);
  const double wd = o.weight_decay;
  const int64_t n = param.numel();
  float* p = param.data();

  double local_lr = 1.0;
  if (!(o.exclude_1d && param.dim() <= 1)) {
    double p_sq = 0, g_sq = 0;
    for (int64_t i = 0; i < n; ++i) {
      p_sq += static_cast<double>(p[i]) * p[i];
      g_sq += static_cast<double>(grad[i]) * grad[i];
    }
    const double p_norm = std::sqrt(p_sq), g_norm = std::sqrt(g_sq);
    if (p_norm > 0 && g_norm > 0)
      local_lr = o.trust_coefficient * p_norm / (g_norm + wd * p_norm + o.eps);
  }
  state.scalars["local_lr"] = local_lr;  // the last one, for inspection; not read back

  const float scale = static_cast<float>(o.lr * local_lr);
  const float momentum = static_cast<float>(o.momentum);
  const GradPrologue prologue(o.maximize, wd);
  float* v = state.buffer("momentum_buffer", param).data();
  update_each(p, n, measured_update(), [=](int64_t i) {
    v[i] = momentum * v[i] + scale * prologue(grad[i], p[i]);
    p[i] -= v[i];
  });
}

}  // namespace descent
