#pragma once
// exponential_epoch (the lecture notes): v = v_0 gamma^(e - 1), e = 1 + floor(t / steps_per_epoch)
// the 1-based epoch of step t; stepped per epoch it equals PyTorch's ExponentialLR in closed form.
// gamma is required; steps_per_epoch defaults to 1.
#include <cmath>

#include "descent/schedule/factor_schedule.h"
#include "descent/schedule/schedule_args.h"

namespace descent {

class ExponentialEpochScheduler : public FactorScheduler {
 public:
  static std::vector<ScheduleArgDef> spec_args() {
    return {arg::real("gamma").required(), arg::integer("steps_per_epoch", 1).within(">= 1")};
  }
  static std::unique_ptr<Scheduler> from_args(const ScheduleArgs& a, Optimizer& opt,
                                              const std::string& key, InitialValues initial) {
    return std::make_unique<ExponentialEpochScheduler>(
        opt, a.real("gamma"), a.integer("steps_per_epoch"), key, std::move(initial));
  }

  ExponentialEpochScheduler(Optimizer& opt, double gamma, int64_t steps_per_epoch,
                            std::string key = "lr", InitialValues initial = nullptr)
      : FactorScheduler("exponential_epoch", opt, std::move(key), std::move(initial)),
        gamma_(gamma),
        spe_(steps_per_epoch) {
    schedule_check(steps_per_epoch > 0, name_, "steps_per_epoch must be a positive integer");
    attach();
    initial_step();
  }

 protected:
  double value(double base, int64_t t) const override {
    return base * std::pow(gamma_, static_cast<double>(t / spe_));
  }

 private:
  double gamma_;
  int64_t spe_;
};

}  // namespace descent
