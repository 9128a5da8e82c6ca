#pragma once
// FactorScheduler: the closed-form families, v_t = value(v_base, t) with t = last_epoch (0 for the
// value before the first step). Not chainable: in `chained` they set the value outright instead
// of multiplying what earlier schedules left (PyTorch's LambdaLR behaves the same way); in
// `sequential` they restart at t = 0.
#include "descent/schedule/scheduler.h"

namespace descent {

// The linear warmup factor s + (1 - s) t / W at a step t < W (Goyal et al. 2017), which wsd,
// warmup_cosine and inverse_sqrt start with, in this order of operations.
inline double warmup_factor(double start_factor, int64_t t, int64_t warmup_steps) {
  return start_factor +
         (1 - start_factor) * static_cast<double>(t) / static_cast<double>(warmup_steps);
}

class FactorScheduler : public Scheduler {
 protected:
  using Scheduler::Scheduler;
  virtual double value(double base, int64_t t) const = 0;
  std::vector<double> compute() override {
    std::vector<double> v(num_groups());
    for (size_t i = 0; i < v.size(); ++i) v[i] = value(base_[i], last_epoch_);
    return v;
  }
};

}  // namespace descent
