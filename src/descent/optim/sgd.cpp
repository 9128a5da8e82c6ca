#include "descent/optim/sgd.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "descent/autograd/grad_mode.h"
#include "descent/optim/measure_each.h"
#include "descent/optim/update_parts.h"

namespace descent {
namespace {

enum class Form { PyTorch, Velocity, Ema, LookaheadNesterov };

const HyperparamDef& form_def() {
  static const HyperparamDef def =
      choice("form", {"pytorch", "velocity", "ema", "lookahead_nesterov"}, "pytorch");
  return def;
}

Form form_of(const ParamGroup& group) {
  return group.choice<Form>(form_def(), {{"pytorch", Form::PyTorch},
                                         {"velocity", Form::Velocity},
                                         {"ema", Form::Ema},
                                         {"lookahead_nesterov", Form::LookaheadNesterov}});
}

struct SGDOptions {
  double lr, momentum, dampening, weight_decay;
  bool nesterov, maximize, bias_correction;
  Form form;

  static SGDOptions from(const ParamGroup& group) {
    return {group.get("lr"),
            group.get("momentum"),
            group.get("dampening"),
            group.get("weight_decay"),
            group.flag("nesterov"),
            group.flag("maximize"),
            group.flag("bias_correction"),
            form_of(group)};
  }
};

// One update of one parameter in its group's form, measured into norms when they are asked for.
// start: where the look-ahead form's update starts from (the parameter's values before the
// look-ahead move, or the parameter itself).
void sgd_update(const SGDOptions& o, Tensor& param, const float* grad, ParamState& state,
                const float* start, UpdateNorms* norms) {
  const int64_t n = param.numel();
  float* const p = param.data();
  const float lr = static_cast<float>(o.lr);
  const float momentum = static_cast<float>(o.momentum);
  const GradPrologue prologue(o.maximize, o.weight_decay);
  switch (o.form) {
    case Form::PyTorch: {
      // 1 - dampening in double, then rounded, as PyTorch passes it (alpha=1 - dampening).
      const float one_minus_dampening = static_cast<float>(1.0 - o.dampening);
      if (momentum == 0.0f) {
        update_each(p, n, norms, [=](int64_t i) { p[i] -= lr * prologue(grad[i], p[i]); });
        return;
      }
      const bool first = !state.has("momentum_buffer");
      const bool nesterov = o.nesterov;
      float* const b = state.buffer("momentum_buffer", param).data();
      with_flag(first, [&](auto kFirst) {
        with_flag(nesterov, [&](auto kNesterov) {
          update_each(p, n, norms, [=](int64_t i) {
            const float g = prologue(grad[i], p[i]);
            b[i] = decltype(kFirst)::value ? g : b[i] * momentum + one_minus_dampening * g;
            p[i] -= lr * (decltype(kNesterov)::value ? g + momentum * b[i] : b[i]);
          });
        });
      });
      return;
    }
    case Form::Velocity: {
      const bool nesterov = o.nesterov;
      float* const v = state.buffer("velocity", param).data();
      with_flag(nesterov, [&](auto kNesterov) {
        update_each(p, n, norms, [=](int64_t i) {
          const float g = prologue(grad[i], p[i]);
          v[i] = momentum * v[i] - lr * g;
          p[i] += decltype(kNesterov)::value ? momentum * v[i] - lr * g : v[i];
        });
      });
      return;
    }
    case Form::Ema: {
      const double t = next_step(state);
      const FloatBeta betas = float_beta(o.momentum);
      const float beta = betas.beta, one_minus_beta = betas.one_minus_beta;
      // lr / (1 - beta^t) in double, rounded once.
      const float step_size =
          static_cast<float>(o.bias_correction ? o.lr / bias_correction(o.momentum, t) : o.lr);
      float* const m = state.buffer("exp_avg", param).data();
      update_each(p, n, norms, [=](int64_t i) {
        const float g = prologue(grad[i], p[i]);
        m[i] = beta * m[i] + one_minus_beta * g;
        p[i] -= step_size * m[i];
      });
      return;
    }
    case Form::LookaheadNesterov: {
      // p is at the look-ahead point (the gradient's); the update starts from `start`, and the
      // change is measured from the look-ahead point, where the step found p.
      float* const v = state.buffer("velocity", param).data();
      update_each(p, n, norms, [=](int64_t i) {
        const float g = prologue(grad[i], p[i]);
        v[i] = momentum * v[i] - lr * g;
        p[i] = start[i] + v[i];
      });
      return;
    }
  }
}

}  // namespace

std::vector<HyperparamDef> SGD::hyperparams() {
  return {non_negative("lr", 1e-3),
          non_negative("momentum", 0.0),
          unit_interval("dampening", 0.0),
          non_negative("weight_decay", 0.0),
          flag("nesterov", false),
          flag("maximize", false),
          form_def(),
          flag("bias_correction", false)};
}

SGD::SGD(std::vector<ParamGroup> groups, const Hyperparams& defaults)
    : Optimizer("sgd", hyperparams(), defaults, std::move(groups)) {
  for (const auto& g : param_groups()) {
    const SGDOptions o = SGDOptions::from(g);
    if (o.nesterov && (o.momentum <= 0 || o.dampening != 0))
      throw std::invalid_argument("sgd: nesterov=true requires momentum > 0 and dampening = 0");
    if (o.form != Form::PyTorch && o.dampening != 0)
      throw std::invalid_argument("sgd: dampening applies to form=pytorch only");
    if (o.nesterov && o.form != Form::PyTorch && o.form != Form::Velocity)
      throw std::invalid_argument(
          "sgd: nesterov=true applies to form=pytorch or velocity (form=lookahead_nesterov is "
          "Nesterov's method by itself)");
    if (o.bias_correction && o.form != Form::Ema)
      throw std::invalid_argument("sgd: bias_correction applies to form=ema only");
    if (o.form == Form::Ema && o.momentum >= 1)
      throw std::invalid_argument("sgd: form=ema needs momentum < 1");
  }
}

void SGD::update(const ParamGroup& group, Tensor& param, const float* grad, ParamState& state) {
  // Reached from step() for the other forms, or from a wrapper (lookahead) for any form: the
  // look-ahead form then starts from the parameter itself, as no move came before.
  sgd_update(SGDOptions::from(group), param, grad, state, param.data(), measured_update());
}

void SGD::move_ahead() {
  // Every parameter with a velocity moves, including one without a gradient yet (after
  // load_state_dict(), before the closure's backward gives it one).
  size_t index = 0;
  for_each_param(
      [&](const ParamGroup& group, Tensor& param, ParamState& state) {
        if (index == before_move_.size()) before_move_.emplace_back();
        BeforeMove& before = before_move_[index++];
        before.moved = form_of(group) == Form::LookaheadNesterov && state.has("velocity");
        if (!before.moved) return;
        const float momentum = static_cast<float>(group.get("momentum"));
        const float* v = state.buffers.at("velocity").data();
        const int64_t n = param.numel();
        float* p = param.data();
        before.values.resize(n);
        for (int64_t i = 0; i < n; ++i) {
          before.values[i] = p[i];
          p[i] += momentum * v[i];
        }
      },
      Visit::All);
}

void SGD::move_back() {
  size_t index = 0;
  for_each_param(
      [&](const ParamGroup&, Tensor& param, ParamState&) {
        const BeforeMove& before = before_move_[index++];
        // Like the update, this passes over a parameter without a gradient, which then stays at
        // its look-ahead point.
        if (before.moved && param.has_grad())
          std::copy(before.values.begin(), before.values.end(), param.data());
      },
      Visit::All);
}

bool SGD::needs_closure() const {
  return std::any_of(param_groups().begin(), param_groups().end(),
                     [](const auto& g) { return form_of(g) == Form::LookaheadNesterov; });
}

std::optional<float> SGD::step(const Closure& closure) {
  if (!needs_closure()) return Optimizer::step(closure);
  if (!closure)
    throw std::invalid_argument(
        "sgd: form=lookahead_nesterov evaluates the gradient at the look-ahead point "
        "p + momentum v, so it needs a closure: call step(closure)");
  move_ahead();
  std::optional<float> loss;
  try {
    loss = closure();
  } catch (...) {
    move_back();  // leave the parameters where they were
    throw;
  }
  NoGradGuard no_grad;
  size_t index = 0;
  for_each_param(
      [&](const ParamGroup& group, Tensor& param, ParamState& state) {
        const BeforeMove& before = before_move_[index++];
        // As step(): no gradient, no update; a moved parameter then stays at its look-ahead point.
        if (!param.has_grad()) return;
        sgd_update(SGDOptions::from(group), param, param.grad_data(), state,
                   before.moved ? before.values.data() : param.data(), nullptr);
      },
      Visit::All);
  return loss;
}

}  // namespace descent
