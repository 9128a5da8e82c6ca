#pragma once
// exponential (PyTorch ExponentialLR): v_t = v_0 * gamma^t; chainable form v_t = v_{t-1} * gamma.
// gamma is required.
#include <cmath>

#include "descent/schedule/schedule_args.h"
#include "descent/schedule/scheduler.h"

namespace descent {

class ExponentialScheduler : public Scheduler {
 public:
  static std::vector<ScheduleArgDef> spec_args() { return {arg::real("gamma").required()}; }
  static std::unique_ptr<Scheduler> from_args(const ScheduleArgs& a, Optimizer& opt,
                                              const std::string& key, InitialValues initial) {
    return std::make_unique<ExponentialScheduler>(opt, a.real("gamma"), key, std::move(initial));
  }

  ExponentialScheduler(Optimizer& opt, double gamma, std::string key = "lr",
                       InitialValues initial = nullptr)
      : Scheduler("exponential", opt, std::move(key), std::move(initial)), gamma_(gamma) {
    attach();
    initial_step();
  }

 protected:
  std::vector<double> compute() override {
    std::vector<double> v(num_groups());
    for (size_t i = 0; i < v.size(); ++i)
      v[i] = last_epoch_ == 0 ? group_value(i) : group_value(i) * gamma_;
    return v;
  }
  std::optional<std::vector<double>> closed_form() override {
    std::vector<double> v(num_groups());
    for (size_t i = 0; i < v.size(); ++i)
      v[i] = base_[i] * std::pow(gamma_, static_cast<double>(last_epoch_));
    return v;
  }

 private:
  double gamma_;
};

}  // namespace descent
