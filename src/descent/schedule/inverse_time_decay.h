#pragma once
// inverse_time_decay (Keras InverseTimeDecay): v = v_0 / (1 + decay_rate * t / decay_steps),
// with staircase the exponent's t / decay_steps is floored. Defaults: decay_rate 1,
// decay_steps 1, staircase false.
#include <cmath>

#include "descent/schedule/factor_schedule.h"
#include "descent/schedule/schedule_args.h"

namespace descent {

class InverseTimeDecayScheduler : public FactorScheduler {
 public:
  static std::vector<ScheduleArgDef> spec_args() {
    return {arg::real("decay_rate", 1).within(">= 0"), arg::real("decay_steps", 1).within("> 0"),
            arg::flag("staircase", false)};
  }
  static std::unique_ptr<Scheduler> from_args(const ScheduleArgs& a, Optimizer& opt,
                                              const std::string& key, InitialValues initial) {
    return std::make_unique<InverseTimeDecayScheduler>(opt, a.real("decay_rate"),
                                                       a.real("decay_steps"), a.flag("staircase"),
                                                       key, std::move(initial));
  }

  InverseTimeDecayScheduler(Optimizer& opt, double decay_rate, double decay_steps, bool staircase,
                            std::string key = "lr", InitialValues initial = nullptr)
      : FactorScheduler("inverse_time_decay", opt, std::move(key), std::move(initial)),
        rate_(decay_rate),
        steps_(decay_steps),
        staircase_(staircase) {
    schedule_check(decay_rate >= 0, name_, "decay_rate must be >= 0");
    schedule_check(decay_steps > 0, name_, "decay_steps must be > 0");
    attach();
    initial_step();
  }

 protected:
  double value(double base, int64_t t) const override {
    double p = static_cast<double>(t) / steps_;
    if (staircase_) p = std::floor(p);
    return base / (1 + rate_ * p);
  }

 private:
  double rate_, steps_;
  bool staircase_;
};

}  // namespace descent
