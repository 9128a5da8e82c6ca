#pragma once
// What the learning-rate-free optimizers of the D-Adaptation line (D-Adaptation's Adam form,
// Prodigy) share: a global estimate d of the distance to the solution, D, made from sums over
// every parameter, so one step() is two passes:
//   1. each parameter adds to two sums (a numerator and a denominator) and moves its moment
//      buffers, with the d of the previous step;
//   2. d is re-estimated from the sums (if the denominator is still 0, nothing moves), then each
//      parameter takes its step.
// The global scalars (d, d_max, the running numerator, k) are saved with every parameter's state
// (the same values in each), so state_dict() holds them. update() is the same algorithm applied to
// one parameter alone. Both passes run on descent's threads (sum_each, update_each in
// optim/measure_each.h).
#include "descent/optim/optimizer.h"

namespace descent {

class DAdaptation : public Optimizer {
 public:
  std::optional<float> step(const Closure& closure = nullptr) override;
  bool steps_per_parameter() const override { return false; }  // d is global

 protected:
  DAdaptation(std::string name, std::vector<HyperparamDef> defs, const Hyperparams& defaults,
              std::vector<ParamGroup> groups);

  struct Globals {
    double d = 0, d_max = 0;  // the estimate and its largest value so far
    double numerator = 0;     // the running (weighted) numerator
    double k = 0;             // steps taken
    // This step's:
    double lr = 0;               // the largest group lr (groups at 0 are skipped)
    double dlr = 0;              // d lr (times the bias correction where used)
    double numerator_sum = 0;    // this step's addition to the numerator
    double denominator_sum = 0;  // the denominator's sum
  };

  // The hyper-parameters both read: d0 (the first estimate), growth_rate (d grows at most this
  // factor per step; 0: without bound) and bias_correction (dlr times Adam's
  // sqrt(1 - beta2^(k+1)) / (1 - beta1^(k+1))).
  static std::vector<HyperparamDef> estimate_hyperparams();

  // Anything else the first pass needs, from the first group, once dlr is set.
  virtual void begin(const ParamGroup& first, Globals& g) {}
  // Pass 1 for one parameter.
  virtual void accumulate(const ParamGroup& group, Tensor& param, const float* grad,
                          ParamState& state, Globals& g) = 0;
  // The new estimate from the sums (only called when the denominator is not 0).
  virtual void estimate(const ParamGroup& first, Globals& g) = 0;
  // Pass 2 for one parameter, with the new d.
  virtual void apply(const ParamGroup& group, Tensor& param, const float* grad, ParamState& state,
                     const Globals& g) = 0;

  void update(const ParamGroup& group, Tensor& param, const float* grad,
              ParamState& state) override;

 private:
  // The globals a stepped parameter's state holds, or the first estimate (saved null or unstepped).
  static Globals load(const ParamGroup& group, const ParamState* saved);
  // dlr = d lr, with the bias correction where the first group asks for it.
  static void set_dlr(const ParamGroup& first, Globals& g);
  static void store(ParamState& state, const Globals& g);
};

}  // namespace descent
