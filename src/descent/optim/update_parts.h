#pragma once
// The small parts that the optimizers' update() functions share: the scalars around the loops
// (step count, bias corrections, betas and weight decay rounded to float), the gradient's first
// line and a branch-free select. Each optimizer still writes its own per-element loop, in its own
// order of operations: results are held bit for bit to PyTorch's, where one reordered product or
// one multiply-add contracted differently changes the last bit.
#include <bit>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "descent/optim/optimizer.h"

namespace descent {

// t <- t + 1 in the state's "step" scalar; returns the new t (1 on the first step).
inline double next_step(ParamState& state) { return state.scalars["step"] += 1.0; }

// 1 - beta^t, the bias correction of a moving average started at 0, in double.
inline double bias_correction(double beta, double t) { return 1.0 - std::pow(beta, t); }

// A decay rate as the loops use it: beta and 1 - beta, each rounded once to float from double
// (1 - float(0.999) is 1.3e-5 away from float(1 - 0.999)).
struct FloatBeta {
  float beta, one_minus_beta;
};
inline FloatBeta float_beta(double beta) {
  return {static_cast<float>(beta), static_cast<float>(1.0 - beta)};
}

// Weight decay in one of its two forms: coupled (L2), added to the gradient as weight_decay p,
// or decoupled, p <- p (1 - lr weight_decay) with the factor taken in double and rounded once,
// as PyTorch passes it to mul_.
struct WeightDecay {
  float coupled = 0.0f;  // the gradient's weight_decay
  float decay = 1.0f;    // the parameter's factor
};
inline float decoupled_decay(double lr, double weight_decay) {
  return static_cast<float>(1.0 - lr * weight_decay);
}
inline WeightDecay weight_decay_of(double lr, double weight_decay, bool decoupled) {
  if (decoupled) return {0.0f, decoupled_decay(lr, weight_decay)};
  return {static_cast<float>(weight_decay), 1.0f};
}

// The gradient as most updates start:  g <- -g if maximize;  g <- g + weight_decay p  (coupled
// weight decay; 0 for none). One expression in this order, as every loop wrote it.
inline float maximize_sign(bool maximize) { return maximize ? -1.0f : 1.0f; }
struct GradPrologue {
  float sign;
  float weight_decay;
  GradPrologue(bool maximize, double coupled_weight_decay)
      : sign(maximize_sign(maximize)), weight_decay(static_cast<float>(coupled_weight_decay)) {}
  float operator()(float grad, float param) const { return sign * grad + weight_decay * param; }
};

// c ? a : b as a bitwise blend, so both sides are computed unconditionally: with a plain select
// the compiler sinks the arithmetic or a comparison into one branch, where it may trap, and
// keeps the loop scalar.
inline float blend(bool c, float a, float b) {
  const uint32_t mask = 0u - static_cast<uint32_t>(c);
  return std::bit_cast<float>((std::bit_cast<uint32_t>(a) & mask) |
                              (std::bit_cast<uint32_t>(b) & ~mask));
}

// For optimizers that the base class's weight_decay_form cannot reach (their step() is their own,
// or the parameter is rewritten from other state): throws std::invalid_argument when a group sets
// a form other than default, saying what to use instead.
inline void refuse_weight_decay_forms(const Optimizer& opt, const std::string& instead) {
  for (const ParamGroup& group : opt.param_groups())
    if (group.options.count("weight_decay_form") && group.get("weight_decay_form") != 0)
      throw std::invalid_argument(
          opt.name() + ": weight_decay_form other than default is not supported (" + instead + ")");
}

// The "convention" of optimizers written after PyTorch with a Keras variant (adagrad, rmsprop).
inline const HyperparamDef& keras_convention_def() {
  static const HyperparamDef def = choice("convention", {"pytorch", "keras"}, "pytorch");
  return def;
}
inline bool keras_convention(const ParamGroup& group) {
  return group.choice<bool>(keras_convention_def(), {{"pytorch", false}, {"keras", true}});
}

}  // namespace descent
