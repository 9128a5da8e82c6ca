#include "descent/optim/sgd.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace descent {
namespace {

enum Form { kPytorch = 0, kVelocity = 1, kEma = 2, kLookaheadNesterov = 3 };

Form form_of(const ParamGroup& group) { return static_cast<Form>(group.get("form")); }

}  // namespace

std::vector<HyperparamDef> SGD::hyperparams() {
  return {non_negative("lr", 1e-3),
          non_negative("momentum", 0.0),
          unit_interval("dampening", 0.0),
          non_negative("weight_decay", 0.0),
          flag("nesterov", false),
          flag("maximize", false),
          choice("form", {"pytorch", "velocity", "ema", "lookahead_nesterov"}, "pytorch"),
          flag("bias_correction", false)};
}

SGD::SGD(std::vector<ParamGroup> groups, const Hyperparams& defaults)
    : Optimizer("sgd", hyperparams(), defaults, std::move(groups)) {
  for (const auto& g : param_groups()) {
    const Form form = form_of(g);
    if (g.flag("nesterov") && (g.get("momentum") <= 0 || g.get("dampening") != 0))
      throw std::invalid_argument("sgd: nesterov=true requires momentum > 0 and dampening = 0");
    if (form != kPytorch && g.get("dampening") != 0)
      throw std::invalid_argument("sgd: dampening applies to form=pytorch only");
    if (g.flag("nesterov") && form != kPytorch && form != kVelocity)
      throw std::invalid_argument(
          "sgd: nesterov=true applies to form=pytorch or velocity (form=lookahead_nesterov is "
          "Nesterov's method by itself)");
    if (g.flag("bias_correction") && form != kEma)
      throw std::invalid_argument("sgd: bias_correction applies to form=ema only");
    if (form == kEma && g.get("momentum") >= 1)
      throw std::invalid_argument("sgd: form=ema needs momentum < 1");
  }
}

std::optional<float> SGD::step(const Closure& closure) {
  const bool lookahead =
      std::any_of(param_groups().begin(), param_groups().end(),
                  [](const auto& g) { return form_of(g) == kLookaheadNesterov; });
  if (!lookahead) return Optimizer::step(closure);
  if (!closure)
    throw std::invalid_argument(
        "sgd: form=lookahead_nesterov evaluates the gradient at the look-ahead point "
        "p + momentum v, so it needs a closure: call step(closure)");
  // The base class's step() is the only way to reach each parameter with its state, so the
  // look-ahead move is a pass of update() with no closure (parameters without a gradient yet have
  // no velocity and stay where they are).
  for (auto& [ptr, saved] : saved_) saved.moved = false;
  // A parameter without a gradient is skipped by the base class's loop, but after
  // load_state_dict() it may have a velocity: give it a zero gradient for the move, then none.
  std::vector<Tensor> lent_grads;
  for (auto& g : param_groups())
    if (form_of(g) == kLookaheadNesterov)
      for (auto& p : g.params)
        if (!p.has_grad()) {
          p.grad_data();
          lent_grads.push_back(p);
        }
  pass_ = Pass::MoveAhead;
  Optimizer::step();
  pass_ = Pass::Update;
  for (auto& p : lent_grads) p.clear_grad();
  try {
    return Optimizer::step(closure);
  } catch (...) {
    pass_ = Pass::MoveBack;  // leave the parameters where they were
    Optimizer::step();
    pass_ = Pass::Update;
    throw;
  }
}

void SGD::update(const ParamGroup& group, Tensor& param, const float* grad, ParamState& state) {
  const Form form = form_of(group);
  const int64_t n = param.numel();
  float* p = param.data();
  if (pass_ != Pass::Update) {
    if (form != kLookaheadNesterov) return;
    Saved& saved = saved_[p];
    if (pass_ == Pass::MoveBack) {
      if (saved.moved) std::copy(saved.values.begin(), saved.values.end(), p);
      saved.moved = false;
      return;
    }
    if (!state.has("velocity")) return;
    const float momentum = static_cast<float>(group.get("momentum"));
    const float* v = state.buffer("velocity", param).data();
    saved.values.resize(n);
    for (int64_t i = 0; i < n; ++i) {
      saved.values[i] = p[i];
      p[i] += momentum * v[i];
    }
    saved.moved = true;
    return;
  }

  const float lr = static_cast<float>(group.get("lr"));
  const float momentum = static_cast<float>(group.get("momentum"));
  const float wd = static_cast<float>(group.get("weight_decay"));
  const bool nesterov = group.flag("nesterov");
  const float sign = group.flag("maximize") ? -1.0f : 1.0f;

  switch (form) {
    case kPytorch: {
      // 1 - dampening in double, then rounded, as PyTorch passes it (alpha=1 - dampening).
      const float one_minus_dampening = static_cast<float>(1.0 - group.get("dampening"));
      if (momentum == 0.0f) {
        for (int64_t i = 0; i < n; ++i) p[i] -= lr * (sign * grad[i] + wd * p[i]);
        return;
      }
      const bool first = !state.has("momentum_buffer");
      float* b = state.buffer("momentum_buffer", param).data();
      for (int64_t i = 0; i < n; ++i) {
        const float g = sign * grad[i] + wd * p[i];
        b[i] = first ? g : b[i] * momentum + one_minus_dampening * g;
        p[i] -= lr * (nesterov ? g + momentum * b[i] : b[i]);
      }
      return;
    }
    case kVelocity: {
      float* v = state.buffer("velocity", param).data();
      for (int64_t i = 0; i < n; ++i) {
        const float g = sign * grad[i] + wd * p[i];
        v[i] = momentum * v[i] - lr * g;
        p[i] += nesterov ? momentum * v[i] - lr * g : v[i];
      }
      return;
    }
    case kEma: {
      const double beta = group.get("momentum");
      const double t = (state.scalars["step"] += 1.0);
      const float one_minus_beta = static_cast<float>(1.0 - beta);
      // lr / (1 - beta^t) in double, rounded once.
      const float step_size = static_cast<float>(group.flag("bias_correction")
                                                     ? group.get("lr") / (1.0 - std::pow(beta, t))
                                                     : group.get("lr"));
      float* m = state.buffer("exp_avg", param).data();
      for (int64_t i = 0; i < n; ++i) {
        const float g = sign * grad[i] + wd * p[i];
        m[i] = momentum * m[i] + one_minus_beta * g;
        p[i] -= step_size * m[i];
      }
      return;
    }
    case kLookaheadNesterov: {
      // p is at the look-ahead point; the update starts from the saved parameters.
      auto it = saved_.find(p);
      const float* from = (it != saved_.end() && it->second.moved) ? it->second.values.data() : p;
      float* v = state.buffer("velocity", param).data();
      for (int64_t i = 0; i < n; ++i) {
        const float g = sign * grad[i] + wd * p[i];
        v[i] = momentum * v[i] - lr * g;
        p[i] = from[i] + v[i];
      }
      if (it != saved_.end()) it->second.moved = false;
      return;
    }
  }
}

}  // namespace descent
