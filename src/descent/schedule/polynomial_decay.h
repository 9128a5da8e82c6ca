#pragma once
// polynomial_decay (Keras PolynomialDecay): from v_0 to v_0 e (e = end_factor) over
// D = decay_steps as
//   v = v_0 ((1 - e) (1 - p)^power + e),   p = min(t, D) / D,
// holding v_0 e after D; with cycle, the horizon instead grows to the next multiple of D,
// D' = D ceil(t / D) (D at t = 0), and p = t / D': each cycle decays again from a lower start.
// (PyTorch's polynomial, PolynomialLR, has no end value and no cycle.) Defaults: end_factor 0,
// power 1, cycle false; decay_steps is required.
#include <cmath>

#include "descent/schedule/factor_schedule.h"
#include "descent/schedule/schedule_args.h"

namespace descent {

class PolynomialDecayScheduler : public FactorScheduler {
 public:
  static std::vector<ScheduleArgDef> spec_args() {
    return {arg::integer("decay_steps").required().within(">= 1"),
            arg::real("end_factor", 0).within("in [0, 1]"), arg::real("power", 1).within("> 0"),
            arg::flag("cycle", false)};
  }
  static std::unique_ptr<Scheduler> from_args(const ScheduleArgs& a, Optimizer& opt,
                                              const std::string& key, InitialValues initial) {
    return std::make_unique<PolynomialDecayScheduler>(opt, a.integer("decay_steps"),
                                                      a.real("end_factor"), a.real("power"),
                                                      a.flag("cycle"), key, std::move(initial));
  }

  PolynomialDecayScheduler(Optimizer& opt, int64_t decay_steps, double end_factor, double power,
                           bool cycle, std::string key = "lr", InitialValues initial = nullptr)
      : FactorScheduler("polynomial_decay", opt, std::move(key), std::move(initial)),
        decay_steps_(decay_steps),
        end_(end_factor),
        power_(power),
        cycle_(cycle) {
    schedule_check(decay_steps > 0, name_, "decay_steps must be a positive integer");
    schedule_check(end_factor >= 0 && end_factor <= 1, name_, "end_factor must be in [0, 1]");
    schedule_check(power > 0, name_, "power must be > 0");
    attach();
    initial_step();
  }

  std::optional<ScheduleHorizon> horizon() const override {
    if (cycle_) return std::nullopt;  // it starts over at every multiple of decay_steps
    return ScheduleHorizon{decay_steps_, true, "decay_steps", "", 0, "holds end_factor"};
  }

 protected:
  double value(double base, int64_t t) const override {
    const double D = static_cast<double>(decay_steps_), s = static_cast<double>(t);
    double p = 0;
    if (cycle_) {
      const double horizon = t == 0 ? D : D * std::ceil(s / D);
      p = s / horizon;
    } else {
      p = std::min(s, D) / D;
    }
    return base * ((1 - end_) * std::pow(1 - p, power_) + end_);
  }

 private:
  int64_t decay_steps_;
  double end_, power_;
  bool cycle_;
};

}  // namespace descent
