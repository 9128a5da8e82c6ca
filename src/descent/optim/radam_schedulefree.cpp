#include "descent/optim/radam_schedulefree.h"

#include <cmath>

#include "descent/optim/adam_family.h"
#include "descent/optim/measure_each.h"
#include "descent/optim/update_parts.h"

namespace descent {

std::vector<HyperparamDef> RAdamScheduleFree::hyperparams() {
  std::vector<HyperparamDef> defs = adam_family_hyperparams(0.0025, 1e-8, 0.0);
  for (HyperparamDef& d : schedule_free::averaging_hyperparams()) defs.push_back(std::move(d));
  defs.push_back(flag("silent_sgd_phase", true));
  return defs;
}

RAdamScheduleFree::RAdamScheduleFree(std::vector<ParamGroup> groups, const Hyperparams& defaults)
    : ScheduleFree("radam_schedulefree", hyperparams(), defaults, std::move(groups), "beta1") {}

void RAdamScheduleFree::update(const ParamGroup& group, Tensor& param, const float* grad,
                               ParamState& state) {
  const double beta2 = group.get("beta2");
  const double t = state.scalars["k"] + 1;
  const double correction2 = bias_correction(beta2, t);
  const double rho_inf = 2 / (1 - beta2) - 1;
  const double rho_t = rho_inf - 2 * t * std::pow(beta2, t) / correction2;
  const bool rectified = rho_t > 4.0;
  const double rect =
      rectified
          ? std::sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
          : (group.flag("silent_sgd_phase") ? 0.0 : 1.0);
  const schedule_free::Sequences s =
      begin_step(group, param, state, [&](double) { return group.get("lr") * rect; });
  const int64_t n = param.numel();
  float* p = param.data();
  float* v = state.buffer("exp_avg_sq", param).data();
  const FloatBeta b2 = float_beta(beta2);
  const float eps = static_cast<float>(group.get("eps"));
  const float wd = static_cast<float>(group.get("weight_decay"));
  const float c2 = static_cast<float>(correction2);
  with_flag(rectified, [&](auto rectify) {
    update_each(p, n, measured_update(), [=](int64_t i) {
      const float g = grad[i];
      v[i] = v[i] * b2.beta + b2.one_minus_beta * g * g;
      const float normalized = decltype(rectify)::value ? g / (std::sqrt(v[i] / c2) + eps) : g;
      p[i] = schedule_free::move(s, i, normalized + wd * p[i]);
    });
  });
}

}  // namespace descent
