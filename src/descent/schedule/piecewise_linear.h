#pragma once
// piecewise_linear (optax's piecewise interpolation, linear): the factor runs through the points
// (steps[i], factors[i]) in straight lines, v = v_0 f(t); before the first step it is factors[0],
// after the last, the last factor. E.g. steps=[0,10,100],factors=[0,1,0.1]: a warmup to v_0 over
// 10 steps, then a linear decay to v_0 / 10 at step 100. steps increase; both lists are required
// and as long as each other.
#include <algorithm>
#include <cmath>

#include "descent/schedule/factor_schedule.h"
#include "descent/schedule/schedule_args.h"

namespace descent {

class PiecewiseLinearScheduler : public FactorScheduler {
 public:
  static std::vector<ScheduleArgDef> spec_args() {
    return {arg::integers("steps").required(), arg::reals("factors").required()};
  }
  static std::unique_ptr<Scheduler> from_args(const ScheduleArgs& a, Optimizer& opt,
                                              const std::string& key, InitialValues initial) {
    return std::make_unique<PiecewiseLinearScheduler>(opt, a.integers("steps"), a.reals("factors"),
                                                      key, std::move(initial));
  }

  PiecewiseLinearScheduler(Optimizer& opt, std::vector<int64_t> steps, std::vector<double> factors,
                           std::string key = "lr", InitialValues initial = nullptr)
      : FactorScheduler("piecewise_linear", opt, std::move(key), std::move(initial)),
        steps_(std::move(steps)),
        factors_(std::move(factors)) {
    schedule_check(!steps_.empty() && steps_.size() == factors_.size(), name_,
                   "steps and factors must be lists of the same length, at least one point");
    schedule_check(steps_.front() >= 0, name_, "steps must be >= 0");
    for (size_t i = 1; i < steps_.size(); ++i)
      schedule_check(steps_[i] > steps_[i - 1], name_, "steps must increase");
    for (double f : factors_)
      schedule_check(std::isfinite(f) && f >= 0, name_, "factors must be finite and >= 0");
    attach();
    initial_step();
  }

  std::optional<ScheduleHorizon> horizon() const override {
    if (steps_.size() < 2) return std::nullopt;
    return ScheduleHorizon{steps_.back(), false, "steps", "", 0, "holds the last factor"};
  }

 protected:
  double value(double base, int64_t t) const override {
    if (t <= steps_.front()) return base * factors_.front();
    if (t >= steps_.back()) return base * factors_.back();
    const size_t i = static_cast<size_t>(std::upper_bound(steps_.begin(), steps_.end(), t) -
                                         steps_.begin());  // steps_[i-1] <= t
    const double a =
        static_cast<double>(t - steps_[i - 1]) / static_cast<double>(steps_[i] - steps_[i - 1]);
    return base * (factors_[i - 1] + (factors_[i] - factors_[i - 1]) * a);
  }

 private:
  std::vector<int64_t> steps_;
  std::vector<double> factors_;
};

}  // namespace descent
