#pragma once
// What the schedule-free optimizers (Defazio, Yang, Mehta, Mishchenko, Khaled & Cutkosky 2024,
// "The Road Less Scheduled"; facebookresearch/schedule_free) share. Three sequences per
// parameter: z (the base sequence, moved by the optimizer's own step), x (a weighted average of
// z, the weights to evaluate and keep) and y = (1 - beta) z + beta x, where gradients are taken
// and which the parameter holds in training. With k counting steps from 0 and gamma_k the step's
// learning rate (each optimizer says how it is formed):
//   lr_max = max(lr_max, gamma_k);  w = (k + 1)^r * lr_max^weight_lr_power;  W += w;  c = w / W
//   z <- z - gamma_k u          (u: the optimizer's direction, taken at y)
//   x <- (1 - c) x + c z
//   y <- (1 - beta) z + beta x  (written into the parameter)
// z and x start at the initial parameter. The reference keeps only z and y; x is kept here, so
// switching between y and x is exact. eval_params() puts x in the parameters (the trainer calls it
// before it evaluates or saves) and train_params() puts y back; step() refuses to run in eval
// mode. lr_max, the weight sum and k are per parameter here (per group in the reference; the same
// while every parameter gets a gradient at every step).
#include <string>

#include "descent/optim/optimizer.h"

namespace descent {

// The sequences, as functions both the schedule-free optimizers and the wrapper
// (schedule_free_wrapper.h) use.
namespace schedule_free {

// The hyper-parameters every schedule-free optimizer adds: r and weight_lr_power.
std::vector<HyperparamDef> averaging_hyperparams();

// One parameter's sequences for this step.
struct Sequences {
  float* z;
  float* x;
  float beta, one_minus_beta;  // y's interpolation
  float c, one_minus_c;        // x's averaging weight this step
  float gamma;                 // the step's learning rate, as float
};

// Refuses a step in eval mode (naming `optimizer`), advances k, lr_max and the weight sum for a
// step at learning rate gamma and returns the sequences, z and x filled from the parameter on its
// first step. `interpolation` names the hyper-parameter that is beta ("beta1", "momentum").
Sequences advance(const std::string& optimizer, const ParamGroup& group, Tensor& param,
                  ParamState& state, const std::string& interpolation, double gamma);

// The steps this parameter has taken (k, before this one).
inline double steps_taken(ParamState& state) { return state.scalars["k"]; }

// z <- z - gamma u;  x <- (1 - c) x + c z;  returns y, for entry i.
inline float move(const Sequences& s, int64_t i, float u) {
  s.z[i] -= s.gamma * u;
  s.x[i] = s.one_minus_c * s.x[i] + s.c * s.z[i];
  return s.one_minus_beta * s.z[i] + s.beta * s.x[i];
}

// Puts x (to_eval) or y into a stepped parameter; nothing if it is there already or was never
// stepped (then x = y = z is the parameter).
void switch_param(const ParamGroup& group, Tensor& param, ParamState& state,
                  const std::string& interpolation, bool to_eval);

}  // namespace schedule_free

class ScheduleFree : public Optimizer {
 public:
  void eval_params() override;   // parameters <- x; no-op if already there
  void train_params() override;  // parameters <- y = (1 - beta) z + beta x; no-op if already there
  // A wrapper could not switch its parameters between x and y; step() is still the base class's
  // walk, and each update measures itself.
  bool steps_per_parameter() const override { return false; }
  bool walks_parameters() const override { return true; }

 protected:
  bool measures_in_update() const override { return true; }
  // interpolation: the name of the hyper-parameter that is beta above ("beta1", "momentum").
  ScheduleFree(std::string name, std::vector<HyperparamDef> defs, const Hyperparams& defaults,
               std::vector<ParamGroup> groups, std::string interpolation);

  // The sequences for a step at learning rate gamma_of(k), k the steps taken before.
  template <class GammaOf>
  schedule_free::Sequences begin_step(const ParamGroup& group, Tensor& param, ParamState& state,
                                      GammaOf&& gamma_of) {
    const double gamma = gamma_of(schedule_free::steps_taken(state));
    return schedule_free::advance(name(), group, param, state, interpolation_, gamma);
  }

 private:
  std::string interpolation_;
};

}  // namespace descent
