#pragma once
// inverse_sqrt: without warmup (the notes) v = v_0 / sqrt(e), e = 1 + floor(t / steps_per_epoch);
// with warmup_steps W > 0 (Transformer / fairseq style, counted in steps t):
//   v = v_0 (start_factor + (1 - start_factor) t / W)   for t < W,
//   v = v_0 sqrt(W) / sqrt(t)                            for t >= W (continuous at t = W).
// Defaults: warmup_steps 0, start_factor 0 (fairseq's warmup from 0), steps_per_epoch 1.
#include <cmath>

#include "descent/schedule/factor_schedule.h"
#include "descent/schedule/schedule_args.h"

namespace descent {

class InverseSqrtScheduler : public FactorScheduler {
 public:
  static std::vector<ScheduleArgDef> spec_args() {
    return {arg::integer("warmup_steps", 0).within(">= 0"),
            arg::real("start_factor", 0).within("in [0, 1]"),
            arg::integer("steps_per_epoch", 1).within(">= 1")};
  }
  static std::unique_ptr<Scheduler> from_args(const ScheduleArgs& a, Optimizer& opt,
                                              const std::string& key, InitialValues initial) {
    return std::make_unique<InverseSqrtScheduler>(
        opt, a.integer("warmup_steps"), a.real("start_factor"), a.integer("steps_per_epoch"), key,
        std::move(initial));
  }

  InverseSqrtScheduler(Optimizer& opt, int64_t warmup_steps, double start_factor,
                       int64_t steps_per_epoch, std::string key = "lr",
                       InitialValues initial = nullptr)
      : FactorScheduler("inverse_sqrt", opt, std::move(key), std::move(initial)),
        warmup_(warmup_steps),
        start_(start_factor),
        spe_(steps_per_epoch) {
    schedule_check(warmup_steps >= 0, name_, "warmup_steps must be >= 0");
    schedule_check(start_factor >= 0 && start_factor <= 1, name_, "start_factor must be in [0, 1]");
    schedule_check(steps_per_epoch > 0, name_, "steps_per_epoch must be a positive integer");
    attach();
    initial_step();
  }

  // Only the warmup has an end; the decay after it has none.
  std::optional<ScheduleHorizon> horizon() const override {
    if (warmup_ == 0) return std::nullopt;
    return ScheduleHorizon{warmup_, false, "warmup_steps", "", 0, "decays as 1/sqrt(t)"};
  }

 protected:
  double value(double base, int64_t t) const override {
    if (warmup_ == 0) return base / std::sqrt(static_cast<double>(1 + t / spe_));
    const double W = static_cast<double>(warmup_), s = static_cast<double>(t);
    if (t < warmup_) return base * warmup_factor(start_, t, warmup_);
    return base * std::sqrt(W) / std::sqrt(s);
  }

 private:
  int64_t warmup_;
  double start_;
  int64_t spe_;
};

}  // namespace descent
