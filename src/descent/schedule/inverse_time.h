#pragma once
// inverse_time (the lecture notes): v = v_0 (1 + decay) / (1 + decay e), e = 1 + floor(t /
// steps_per_epoch) the 1-based epoch of step t. Defaults: decay 1, steps_per_epoch 1 (the
// schedule is stepped once per epoch).
#include "descent/schedule/factor_schedule.h"
#include "descent/schedule/schedule_args.h"

namespace descent {

class InverseTimeScheduler : public FactorScheduler {
 public:
  static std::vector<ScheduleArgDef> spec_args() {
    return {arg::real("decay", 1).within(">= 0"),
            arg::integer("steps_per_epoch", 1).within(">= 1")};
  }
  static std::unique_ptr<Scheduler> from_args(const ScheduleArgs& a, Optimizer& opt,
                                              const std::string& key, InitialValues initial) {
    return std::make_unique<InverseTimeScheduler>(
        opt, a.real("decay"), a.integer("steps_per_epoch"), key, std::move(initial));
  }

  InverseTimeScheduler(Optimizer& opt, double decay, int64_t steps_per_epoch,
                       std::string key = "lr", InitialValues initial = nullptr)
      : FactorScheduler("inverse_time", opt, std::move(key), std::move(initial)),
        decay_(decay),
        spe_(steps_per_epoch) {
    schedule_check(decay >= 0, name_, "decay must be >= 0");
    schedule_check(steps_per_epoch > 0, name_, "steps_per_epoch must be a positive integer");
    attach();
    initial_step();
  }

 protected:
  double value(double base, int64_t t) const override {
    const double e = static_cast<double>(1 + t / spe_);
    return base * (1 + decay_) / (1 + decay_ * e);
  }

 private:
  double decay_;
  int64_t spe_;
};

}  // namespace descent
