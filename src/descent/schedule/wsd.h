#pragma once
// wsd, warmup-stable-decay (Hu et al. 2024, MiniCPM; Hagele et al. 2024 for the 1-sqrt decay):
// a linear warmup over W = warmup_steps from start_factor, a constant stretch, and a decay over
// the last D = decay_steps of T = total_steps to min_factor, held after T. With p = (t - (T - D)) /
// D:
//   t < W:           v_0 (s + (1 - s) t / W)
//   W <= t < T - D:  v_0
//   T - D <= t < T:  v_0 (m + (1 - m) d(p)),  d(p) = 1 - p (linear), (1 + cos(pi p)) / 2 (cosine),
//                                             1 - sqrt(p) (sqrt)
//   t >= T:          v_0 m
// Defaults: warmup_steps 0, start_factor 0, decay linear, min_factor 0; decay_steps and
// total_steps are required (W + D <= T).
#include <cmath>
#include <numbers>

#include "descent/schedule/factor_schedule.h"
#include "descent/schedule/schedule_args.h"

namespace descent {

class WsdScheduler : public FactorScheduler {
 public:
  static std::vector<ScheduleArgDef> spec_args() {
    return {arg::integer("total_steps").required().within(">= 1"),
            arg::integer("decay_steps").required().within(">= 1"),
            arg::integer("warmup_steps", 0).within(">= 0"),
            arg::real("start_factor", 0).within("in [0, 1]"),
            arg::real("min_factor", 0).within("in [0, 1]"),
            arg::choice("decay", {"linear", "cosine", "sqrt"})};
  }
  static std::unique_ptr<Scheduler> from_args(const ScheduleArgs& a, Optimizer& opt,
                                              const std::string& key, InitialValues initial) {
    return std::make_unique<WsdScheduler>(
        opt, a.integer("total_steps"), a.integer("decay_steps"), a.integer("warmup_steps"),
        a.real("start_factor"), a.real("min_factor"), a.choice("decay"), key, std::move(initial));
  }

  WsdScheduler(Optimizer& opt, int64_t total_steps, int64_t decay_steps, int64_t warmup_steps,
               double start_factor, double min_factor, std::string decay, std::string key = "lr",
               InitialValues initial = nullptr)
      : FactorScheduler("wsd", opt, std::move(key), std::move(initial)),
        total_(total_steps),
        decay_steps_(decay_steps),
        warmup_(warmup_steps),
        start_(start_factor),
        min_(min_factor),
        decay_(std::move(decay)) {
    schedule_check(decay_steps > 0, name_, "decay_steps must be a positive integer");
    schedule_check(warmup_steps >= 0, name_, "warmup_steps must be >= 0");
    schedule_check(warmup_steps + decay_steps <= total_steps, name_,
                   "warmup_steps + decay_steps must be at most total_steps");
    schedule_check(start_factor >= 0 && start_factor <= 1, name_, "start_factor must be in [0, 1]");
    schedule_check(min_factor >= 0 && min_factor <= 1, name_, "min_factor must be in [0, 1]");
    schedule_check(decay_ == "linear" || decay_ == "cosine" || decay_ == "sqrt", name_,
                   "decay must be linear, cosine or sqrt");
    attach();
    initial_step();
  }

  std::optional<ScheduleHorizon> horizon() const override {
    return ScheduleHorizon{total_, true, "total_steps", "", 0, "holds min_factor"};
  }

 protected:
  double value(double base, int64_t t) const override {
    if (t < warmup_) return base * warmup_factor(start_, t, warmup_);
    const int64_t decay_start = total_ - decay_steps_;
    if (t < decay_start) return base;
    if (t >= total_) return base * min_;
    const double p = static_cast<double>(t - decay_start) / static_cast<double>(decay_steps_);
    const double d = decay_ == "linear"   ? 1 - p
                     : decay_ == "cosine" ? (1 + std::cos(std::numbers::pi * p)) / 2
                                          : 1 - std::sqrt(p);
    return base * (min_ + (1 - min_) * d);
  }

 private:
  int64_t total_, decay_steps_, warmup_;
  double start_, min_;
  std::string decay_;
};

}  // namespace descent
