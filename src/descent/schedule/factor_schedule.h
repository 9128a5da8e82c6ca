#pragma once
// FactorScheduler: the closed-form families, v_t = value(v_base, t) with t = last_epoch (0 for the
// value before the first step). Not chainable: in `chained` they set the value outright instead
// of multiplying what earlier schedules left (PyTorch's LambdaLR behaves the same way); in
// `sequential` they restart at t = 0.
#include "descent/schedule/scheduler.h"

namespace descent {

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
