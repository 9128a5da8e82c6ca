#pragma once
// cosine (PyTorch CosineAnnealingLR):
//   v_t = eta_min + (v_0 - eta_min) (1 + cos(pi t / t_max)) / 2
// computed, as PyTorch does, recursively:
//   v_t = eta_min + (v_{t-1} - eta_min) (1 + cos(pi t / t_max)) / (1 + cos(pi (t-1) / t_max)),
// and at t = t_max + 1 (mod 2 t_max) v_t = v_{t-1} + (v_0 - eta_min)(1 - cos(pi / t_max)) / 2.
// Quirk kept: past t_max the value does not stay at eta_min but climbs back (a cosine of period
// 2 t_max). Defaults: eta_min 0; t_max is required.
#include <cmath>
#include <numbers>

#include "descent/schedule/schedule_args.h"
#include "descent/schedule/scheduler.h"

namespace descent {

class CosineScheduler : public Scheduler {
 public:
  static std::vector<ScheduleArgDef> spec_args() {
    return {arg::integer("t_max").required().within(">= 1"), arg::real("eta_min", 0)};
  }
  static std::unique_ptr<Scheduler> from_args(const ScheduleArgs& a, Optimizer& opt,
                                              const std::string& key, InitialValues initial) {
    return std::make_unique<CosineScheduler>(opt, a.integer("t_max"), a.real("eta_min"), key,
                                             std::move(initial));
  }

  CosineScheduler(Optimizer& opt, int64_t t_max, double eta_min, std::string key = "lr",
                  InitialValues initial = nullptr)
      : Scheduler("cosine", opt, std::move(key), std::move(initial)),
        t_max_(t_max),
        eta_min_(eta_min) {
    schedule_check(t_max > 0, name_, "t_max must be a positive integer");
    attach();
    initial_step();
  }

  std::optional<ScheduleHorizon> horizon() const override {
    return ScheduleHorizon{t_max_, true, "t_max",
                           "",     0,    "climbs back up (a cosine of period 2 t_max)"};
  }

 protected:
  std::vector<double> compute() override {
    const double pi = std::numbers::pi, T = static_cast<double>(t_max_);
    const double t = static_cast<double>(last_epoch_);
    std::vector<double> v(num_groups());
    // Python's % is a floor modulo.
    const int64_t period = 2 * t_max_;
    const int64_t r = ((last_epoch_ - 1 - t_max_) % period + period) % period;
    for (size_t i = 0; i < v.size(); ++i) {
      if (last_epoch_ == 0)
        v[i] = group_value(i);
      else if (step_count_ == 1 && last_epoch_ > 0)
        v[i] = eta_min_ + (base_[i] - eta_min_) * (1 + std::cos(t * pi / T)) / 2;
      else if (r == 0)
        v[i] = group_value(i) + (base_[i] - eta_min_) * (1 - std::cos(pi / T)) / 2;
      else
        v[i] = (1 + std::cos(pi * t / T)) / (1 + std::cos(pi * (t - 1) / T)) *
                   (group_value(i) - eta_min_) +
               eta_min_;
    }
    return v;
  }
  std::optional<std::vector<double>> closed_form() override {
    const double pi = std::numbers::pi, T = static_cast<double>(t_max_);
    std::vector<double> v(num_groups());
    for (size_t i = 0; i < v.size(); ++i)
      v[i] = eta_min_ +
             (base_[i] - eta_min_) * (1 + std::cos(pi * static_cast<double>(last_epoch_) / T)) / 2;
    return v;
  }

 private:
  int64_t t_max_;
  double eta_min_;
};

}  // namespace descent
