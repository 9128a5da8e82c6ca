#pragma once
// polynomial (PyTorch PolynomialLR): v_t = v_0 (1 - min(t, total_iters) / total_iters)^power,
// computed recursively: v_t = v_{t-1} ((1 - t/T) / (1 - (t-1)/T))^power for 0 < t <= T.
// Defaults: total_iters 5, power 1.
#include <algorithm>
#include <cmath>

#include "descent/schedule/schedule_args.h"
#include "descent/schedule/scheduler.h"

namespace descent {

class PolynomialScheduler : public Scheduler {
 public:
  static std::vector<ScheduleArgDef> spec_args() {
    return {arg::integer("total_iters", 5).within(">= 1"), arg::real("power", 1)};
  }
  static std::unique_ptr<Scheduler> from_args(const ScheduleArgs& a, Optimizer& opt,
                                              const std::string& key, InitialValues initial) {
    return std::make_unique<PolynomialScheduler>(opt, a.integer("total_iters"), a.real("power"),
                                                 key, std::move(initial));
  }

  PolynomialScheduler(Optimizer& opt, int64_t total_iters, double power, std::string key = "lr",
                      InitialValues initial = nullptr)
      : Scheduler("polynomial", opt, std::move(key), std::move(initial)),
        total_(total_iters),
        power_(power) {
    schedule_check(total_iters > 0, name_, "total_iters must be a positive integer");
    attach();
    initial_step();
  }

  std::optional<ScheduleHorizon> horizon() const override {
    return ScheduleHorizon{total_, true, "total_iters", "", 0, "stays at 0"};
  }

 protected:
  std::vector<double> compute() override {
    std::vector<double> v(num_groups());
    const double t = static_cast<double>(last_epoch_), T = static_cast<double>(total_);
    for (size_t i = 0; i < v.size(); ++i) {
      if (last_epoch_ == 0 || last_epoch_ > total_)
        v[i] = group_value(i);
      else
        v[i] = group_value(i) * std::pow((1.0 - t / T) / (1.0 - (t - 1) / T), power_);
    }
    return v;
  }
  std::optional<std::vector<double>> closed_form() override {
    std::vector<double> v(num_groups());
    const double T = static_cast<double>(total_);
    for (size_t i = 0; i < v.size(); ++i)
      v[i] =
          base_[i] * std::pow(1.0 - static_cast<double>(std::min(total_, last_epoch_)) / T, power_);
    return v;
  }

 private:
  int64_t total_;
  double power_;
};

}  // namespace descent
