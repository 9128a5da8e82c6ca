#pragma once
// warmup_cosine (optax warmup_cosine_decay_schedule): a linear warmup from start_factor over
// W = warmup_steps, then a cosine from v_0 down to end_factor that ends at T = decay_steps
// (counted from the start, warmup included), and holds there:
//   t < W:       v_0 (s + (1 - s) t / W)
//   W <= t < T:  v_0 (e + (1 - e) (1 + cos(pi (t - W) / (T - W))) / 2)
//   t >= T:      v_0 e
// Unlike cosine (PyTorch's), it never climbs back. Defaults: warmup_steps 0, start_factor 0,
// end_factor 0; decay_steps is required (> warmup_steps).
#include <cmath>
#include <numbers>

#include "descent/schedule/factor_schedule.h"
#include "descent/schedule/schedule_args.h"

namespace descent {

class WarmupCosineScheduler : public FactorScheduler {
 public:
  static std::vector<ScheduleArgDef> spec_args() {
    return {arg::integer("decay_steps").required().within(">= 1"),
            arg::integer("warmup_steps", 0).within(">= 0"),
            arg::real("start_factor", 0).within("in [0, 1]"),
            arg::real("end_factor", 0).within("in [0, 1]")};
  }
  static std::unique_ptr<Scheduler> from_args(const ScheduleArgs& a, Optimizer& opt,
                                              const std::string& key, InitialValues initial) {
    return std::make_unique<WarmupCosineScheduler>(
        opt, a.integer("decay_steps"), a.integer("warmup_steps"), a.real("start_factor"),
        a.real("end_factor"), key, std::move(initial));
  }

  WarmupCosineScheduler(Optimizer& opt, int64_t decay_steps, int64_t warmup_steps,
                        double start_factor, double end_factor, std::string key = "lr",
                        InitialValues initial = nullptr)
      : FactorScheduler("warmup_cosine", opt, std::move(key), std::move(initial)),
        decay_steps_(decay_steps),
        warmup_(warmup_steps),
        start_(start_factor),
        end_(end_factor) {
    schedule_check(warmup_steps >= 0, name_, "warmup_steps must be >= 0");
    schedule_check(decay_steps > warmup_steps, name_,
                   "decay_steps (counted from the start) must be more than warmup_steps");
    schedule_check(start_factor >= 0 && start_factor <= 1, name_, "start_factor must be in [0, 1]");
    schedule_check(end_factor >= 0 && end_factor <= 1, name_, "end_factor must be in [0, 1]");
    attach();
    initial_step();
  }

  std::optional<ScheduleHorizon> horizon() const override {
    return ScheduleHorizon{decay_steps_, true, "decay_steps", "", 0, "holds end_factor"};
  }

 protected:
  double value(double base, int64_t t) const override {
    if (t < warmup_) return base * warmup_factor(start_, t, warmup_);
    if (t >= decay_steps_) return base * end_;
    const double p = static_cast<double>(t - warmup_) / static_cast<double>(decay_steps_ - warmup_);
    return base * (end_ + (1 - end_) * (1 + std::cos(std::numbers::pi * p)) / 2);
  }

 private:
  int64_t decay_steps_, warmup_;
  double start_, end_;
};

}  // namespace descent
