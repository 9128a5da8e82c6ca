#include "descent/optim/asgd.h"

#include <algorithm>
#include <cmath>

#include "descent/optim/measure_each.h"
#include "descent/optim/update_parts.h"

namespace descent {
namespace {

struct ASGDOptions {
  double lr, lambd, alpha, t0, weight_decay;
  bool maximize;

  static ASGDOptions from(const ParamGroup& group) {
    return {group.get("lr"), group.get("lambd"),        group.get("alpha"),
            group.get("t0"), group.get("weight_decay"), group.flag("maximize")};
  }
};

}  // namespace

std::vector<HyperparamDef> ASGD::hyperparams() {
  return {non_negative("lr", 1e-2), non_negative("lambd", 1e-4),       non_negative("alpha", 0.75),
          non_negative("t0", 1e6),  non_negative("weight_decay", 0.0), flag("maximize", false)};
}

ASGD::ASGD(std::vector<ParamGroup> groups, const Hyperparams& defaults)
    : Optimizer("asgd", hyperparams(), defaults, std::move(groups)) {}

void ASGD::update(const ParamGroup& group, Tensor& param, const float* grad, ParamState& state) {
  const ASGDOptions o = ASGDOptions::from(group);
  if (!state.scalars.count("eta")) {
    state.scalars["eta"] = static_cast<float>(o.lr);  // torch.tensor(lr): float32
    state.scalars["mu"] = 1.0;
  }
  const double t = next_step(state);
  const double eta = state.scalars["eta"], mu = state.scalars["mu"];
  const float decay = static_cast<float>(1.0 - o.lambd * eta);
  const float neg_eta = static_cast<float>(-eta);
  const float mu_f = static_cast<float>(mu);
  const bool averaging = mu_f != 1.0f;
  const GradPrologue prologue(o.maximize, o.weight_decay);
  const int64_t n = param.numel();
  float* p = param.data();
  float* ax = state.buffer("ax", param).data();
  with_flag(averaging, [&](auto k) {
    update_each(p, n, measured_update(), [=](int64_t i) {
      const float g = prologue(grad[i], p[i]);
      const float decayed = p[i] * decay;
      p[i] = decayed + neg_eta * g;
      ax[i] = decltype(k)::value ? ax[i] + (p[i] - ax[i]) * mu_f : p[i];
    });
  });

  state.scalars["eta"] = static_cast<float>(o.lr / std::pow(1.0 + o.lambd * o.lr * t, o.alpha));
  state.scalars["mu"] = static_cast<float>(1.0 / std::max(1.0, t - o.t0));
}

}  // namespace descent
