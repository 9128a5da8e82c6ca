#pragma once
// linear_warmup (Goyal et al. 2017; the notes): v = v_0 (s + (1 - s) min(t, W) / W), from
// s = start_factor up to v_0 over W = warmup_steps steps, then constant. Defaults: start_factor
// 0.1, warmup_steps 5. Compose it with a decay:
// sequential:schedulers=[linear_warmup:...;cosine:...].
#include <algorithm>

#include "descent/schedule/factor_schedule.h"
#include "descent/schedule/schedule_args.h"

namespace descent {

class LinearWarmupScheduler : public FactorScheduler {
 public:
  static std::vector<ScheduleArgDef> spec_args() {
    return {arg::integer("warmup_steps", 5).within(">= 1"),
            arg::real("start_factor", 0.1).within("in [0, 1]")};
  }
  static std::unique_ptr<Scheduler> from_args(const ScheduleArgs& a, Optimizer& opt,
                                              const std::string& key, InitialValues initial) {
    return std::make_unique<LinearWarmupScheduler>(opt, a.integer("warmup_steps"),
                                                   a.real("start_factor"), key, std::move(initial));
  }

  LinearWarmupScheduler(Optimizer& opt, int64_t warmup_steps, double start_factor,
                        std::string key = "lr", InitialValues initial = nullptr)
      : FactorScheduler("linear_warmup", opt, std::move(key), std::move(initial)),
        warmup_(warmup_steps),
        start_(start_factor) {
    schedule_check(warmup_steps > 0, name_, "warmup_steps must be a positive integer");
    schedule_check(start_factor >= 0 && start_factor <= 1, name_, "start_factor must be in [0, 1]");
    attach();
    initial_step();
  }

  std::optional<ScheduleHorizon> horizon() const override {
    return ScheduleHorizon{warmup_, false, "warmup_steps", "", 0, "stays at v_0"};
  }

 protected:
  double value(double base, int64_t t) const override {
    const double a = static_cast<double>(std::min(t, warmup_)) / static_cast<double>(warmup_);
    return base * (start_ + (1 - start_) * a);
  }

 private:
  int64_t warmup_;
  double start_;
};

}  // namespace descent
