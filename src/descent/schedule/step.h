#pragma once
// step (PyTorch StepLR): v_t = v_0 * gamma^floor(t / step_size).
// Chainable form: every step_size steps the current value is multiplied by gamma.
// Defaults: gamma 0.1; step_size is required.
#include <cmath>

#include "descent/schedule/schedule_args.h"
#include "descent/schedule/scheduler.h"

namespace descent {

class StepScheduler : public Scheduler {
 public:
  static std::vector<ScheduleArgDef> spec_args() {
    return {arg::integer("step_size").required().within(">= 1"), arg::real("gamma", 0.1)};
  }
  static std::unique_ptr<Scheduler> from_args(const ScheduleArgs& a, Optimizer& opt,
                                              const std::string& key, InitialValues initial) {
    return std::make_unique<StepScheduler>(opt, a.integer("step_size"), a.real("gamma"), key,
                                           std::move(initial));
  }

  StepScheduler(Optimizer& opt, int64_t step_size, double gamma, std::string key = "lr",
                InitialValues initial = nullptr)
      : Scheduler("step", opt, std::move(key), std::move(initial)),
        step_size_(step_size),
        gamma_(gamma) {
    schedule_check(step_size > 0, name_, "step_size must be a positive integer");
    attach();
    initial_step();
  }

 protected:
  std::vector<double> compute() override {
    std::vector<double> v(num_groups());
    const bool decay = last_epoch_ != 0 && last_epoch_ % step_size_ == 0;
    for (size_t i = 0; i < v.size(); ++i) v[i] = decay ? group_value(i) * gamma_ : group_value(i);
    return v;
  }
  std::optional<std::vector<double>> closed_form() override {
    std::vector<double> v(num_groups());
    for (size_t i = 0; i < v.size(); ++i)
      v[i] = base_[i] * std::pow(gamma_, static_cast<double>(last_epoch_ / step_size_));
    return v;
  }

 private:
  int64_t step_size_;
  double gamma_;
};

}  // namespace descent
