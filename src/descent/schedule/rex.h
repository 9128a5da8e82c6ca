#pragma once
// rex (Chen, Wolfe and Kyrillidis 2022, "REX: Revisiting Budgeted Training with an Improved
// Schedule"): with z = t / T, T = total_steps,
//   v = v_0 (m + (1 - m) (1 - z) / (1 - z / 2))   for t < T,   v_0 m after,
// a decay that stays high longer than linear and drops at the end (the paper's profile is m = 0).
// Defaults: min_factor 0; total_steps is required.
#include "descent/schedule/factor_schedule.h"
#include "descent/schedule/schedule_args.h"

namespace descent {

class RexScheduler : public FactorScheduler {
 public:
  static std::vector<ScheduleArgDef> spec_args() {
    return {arg::integer("total_steps").required().within(">= 1"),
            arg::real("min_factor", 0).within("in [0, 1]")};
  }
  static std::unique_ptr<Scheduler> from_args(const ScheduleArgs& a, Optimizer& opt,
                                              const std::string& key, InitialValues initial) {
    return std::make_unique<RexScheduler>(opt, a.integer("total_steps"), a.real("min_factor"), key,
                                          std::move(initial));
  }

  RexScheduler(Optimizer& opt, int64_t total_steps, double min_factor, std::string key = "lr",
               InitialValues initial = nullptr)
      : FactorScheduler("rex", opt, std::move(key), std::move(initial)),
        total_(total_steps),
        min_(min_factor) {
    schedule_check(total_steps > 0, name_, "total_steps must be a positive integer");
    schedule_check(min_factor >= 0 && min_factor <= 1, name_, "min_factor must be in [0, 1]");
    attach();
    initial_step();
  }

  std::optional<ScheduleHorizon> horizon() const override {
    return ScheduleHorizon{total_, true, "total_steps", "", 0, "holds min_factor"};
  }

 protected:
  double value(double base, int64_t t) const override {
    if (t >= total_) return base * min_;
    const double z = static_cast<double>(t) / static_cast<double>(total_);
    return base * (min_ + (1 - min_) * (1 - z) / (1 - z / 2));
  }

 private:
  int64_t total_;
  double min_;
};

}  // namespace descent
