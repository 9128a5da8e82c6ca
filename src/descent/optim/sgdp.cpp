#include "descent/optim/sgdp.h"

#include "descent/optim/measure_each.h"
#include "descent/optim/scale_invariant_projection.h"
#include "descent/optim/update_parts.h"

namespace descent {

std::vector<HyperparamDef> SGDP::hyperparams() {
  return {
      non_negative("lr", 1e-3),          unit_interval("momentum", 0.0), fraction("dampening", 0.0),
      non_negative("weight_decay", 0.0), flag("nesterov", false),        non_negative("eps", 1e-8),
      non_negative("delta", 0.1),        fraction("wd_ratio", 0.1),      flag("maximize", false)};
}

SGDP::SGDP(std::vector<ParamGroup> groups, const Hyperparams& defaults)
    : Optimizer("sgdp", hyperparams(), defaults, std::move(groups)) {}

void SGDP::update(const ParamGroup& group, Tensor& param, const float* grad, ParamState& state) {
  const double lr = group.get("lr"), mu_d = group.get("momentum");
  const float mu = static_cast<float>(mu_d);
  const float keep = static_cast<float>(1.0 - group.get("dampening"));
  const bool nesterov = group.flag("nesterov");
  const float sign = maximize_sign(group.flag("maximize"));
  next_step(state);
  const int64_t n = param.numel();
  float* p = param.data();
  float* b = state.buffer("momentum_buffer", param).data();
  g_.resize(static_cast<size_t>(n));
  d_.resize(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    const float g = sign * grad[i];
    g_[i] = g;
    b[i] = b[i] * mu + keep * g;
    d_[i] = nesterov ? g + mu * b[i] : b[i];
  }
  const double ratio = project_scale_invariant(param, g_.data(), d_.data(), group.get("delta"),
                                               group.get("wd_ratio"), group.get("eps"));
  const float decay = decoupled_decay(lr, group.get("weight_decay") * ratio / (1.0 - mu_d));
  const float step = static_cast<float>(lr);
  const float* const d = d_.data();
  update_each(p, n, measured_update(), [=](int64_t i) { p[i] = p[i] * decay - step * d[i]; });
}

}  // namespace descent
