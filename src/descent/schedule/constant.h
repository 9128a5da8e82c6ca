#pragma once
// constant (PyTorch ConstantLR): v_t = v_0 * factor for t < total_iters, v_0 after.
// Chainable: multiplies by factor at t = 0 and by 1/factor at t = total_iters.
// Defaults: factor 1/3, total_iters 5; factor in (0, 1] (PyTorch allows 0, then divides by it).
#include "descent/schedule/schedule_args.h"
#include "descent/schedule/scheduler.h"

namespace descent {

class ConstantScheduler : public Scheduler {
 public:
  static std::vector<ScheduleArgDef> spec_args() {
    return {arg::real("factor", 1.0 / 3).within("in (0, 1]"),
            arg::integer("total_iters", 5).within(">= 0")};
  }
  static std::unique_ptr<Scheduler> from_args(const ScheduleArgs& a, Optimizer& opt,
                                              const std::string& key, InitialValues initial) {
    return std::make_unique<ConstantScheduler>(opt, a.real("factor"), a.integer("total_iters"), key,
                                               std::move(initial));
  }

  ConstantScheduler(Optimizer& opt, double factor, int64_t total_iters, std::string key = "lr",
                    InitialValues initial = nullptr)
      : Scheduler("constant", opt, std::move(key), std::move(initial)),
        factor_(factor),
        total_(total_iters) {
    schedule_check(factor > 0 && factor <= 1, name_, "factor must be in (0, 1]");
    schedule_check(total_iters >= 0, name_, "total_iters must be >= 0");
    attach();
    initial_step();
  }

  std::optional<ScheduleHorizon> horizon() const override {
    if (total_ == 0) return std::nullopt;
    return ScheduleHorizon{total_, false, "total_iters", "", 0, "stays at v_0"};
  }

 protected:
  std::vector<double> compute() override {
    std::vector<double> v(num_groups());
    for (size_t i = 0; i < v.size(); ++i) {
      if (last_epoch_ == 0)
        v[i] = group_value(i) * factor_;
      else if (last_epoch_ != total_)
        v[i] = group_value(i);
      else
        v[i] = group_value(i) * (1.0 / factor_);
    }
    return v;
  }
  std::optional<std::vector<double>> closed_form() override {
    std::vector<double> v(num_groups());
    for (size_t i = 0; i < v.size(); ++i)
      v[i] = base_[i] * (factor_ + (last_epoch_ >= total_ ? 1.0 : 0.0) * (1 - factor_));
    return v;
  }

 private:
  double factor_;
  int64_t total_;
};

}  // namespace descent
