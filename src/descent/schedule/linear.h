#pragma once
// linear (PyTorch LinearLR): v_t = v_0 (s + (e - s) min(t, total_iters) / total_iters),
// s = start_factor, e = end_factor, computed recursively as PyTorch does:
//   v_0 = s v_base;  v_t = v_{t-1} (1 + (e - s) / (total_iters s + (t - 1)(e - s))), t <=
//   total_iters.
// Defaults: start_factor 1/3, end_factor 1, total_iters 5. Factors in [0, 1] (PyTorch's check;
// start_factor 0 is rejected too, as the recursion would divide by zero).
#include <algorithm>

#include "descent/schedule/schedule_args.h"
#include "descent/schedule/scheduler.h"

namespace descent {

class LinearScheduler : public Scheduler {
 public:
  static std::vector<ScheduleArgDef> spec_args() {
    return {arg::real("start_factor", 1.0 / 3).within("in (0, 1]"),
            arg::real("end_factor", 1).within("in [0, 1]"),
            arg::integer("total_iters", 5).within(">= 1")};
  }
  static std::unique_ptr<Scheduler> from_args(const ScheduleArgs& a, Optimizer& opt,
                                              const std::string& key, InitialValues initial) {
    return std::make_unique<LinearScheduler>(opt, a.real("start_factor"), a.real("end_factor"),
                                             a.integer("total_iters"), key, std::move(initial));
  }

  LinearScheduler(Optimizer& opt, double start_factor, double end_factor, int64_t total_iters,
                  std::string key = "lr", InitialValues initial = nullptr)
      : Scheduler("linear", opt, std::move(key), std::move(initial)),
        start_(start_factor),
        end_(end_factor),
        total_(total_iters) {
    schedule_check(start_factor > 0 && start_factor <= 1, name_, "start_factor must be in (0, 1]");
    schedule_check(end_factor >= 0 && end_factor <= 1, name_, "end_factor must be in [0, 1]");
    schedule_check(total_iters > 0, name_, "total_iters must be a positive integer");
    attach();
    initial_step();
  }

  // A decay (end below start) is planned to end with the run; a ramp up is a warmup.
  std::optional<ScheduleHorizon> horizon() const override {
    return ScheduleHorizon{total_, end_ < start_, "total_iters", "", 0, "stays at end_factor"};
  }

 protected:
  std::vector<double> compute() override {
    std::vector<double> v(num_groups());
    for (size_t i = 0; i < v.size(); ++i) {
      if (last_epoch_ == 0)
        v[i] = group_value(i) * start_;
      else if (last_epoch_ > total_)
        v[i] = group_value(i);
      else
        v[i] = group_value(i) *
               (1. + (end_ - start_) / (static_cast<double>(total_) * start_ +
                                        static_cast<double>(last_epoch_ - 1) * (end_ - start_)));
    }
    return v;
  }
  std::optional<std::vector<double>> closed_form() override {
    std::vector<double> v(num_groups());
    for (size_t i = 0; i < v.size(); ++i)
      v[i] = base_[i] *
             (start_ + (end_ - start_) * static_cast<double>(std::min(total_, last_epoch_)) /
                           static_cast<double>(total_));
    return v;
  }

 private:
  double start_, end_;
  int64_t total_;
};

}  // namespace descent
