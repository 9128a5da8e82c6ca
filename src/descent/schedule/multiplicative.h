#pragma once
// multiplicative (PyTorch MultiplicativeLR): v_t = v_{t-1} * f(t) for t > 0, v_0 unchanged.
// SPEC form: a constant factor (multiplicative:factor=0.95); C++ form: any callable of t. The
// callable is not part of state_dict(); a resumed run must pass the same one.
#include <functional>

#include "descent/schedule/schedule_args.h"
#include "descent/schedule/scheduler.h"

namespace descent {

class MultiplicativeScheduler : public Scheduler {
 public:
  static std::vector<ScheduleArgDef> spec_args() { return {arg::real("factor").required()}; }
  static std::unique_ptr<Scheduler> from_args(const ScheduleArgs& a, Optimizer& opt,
                                              const std::string& key, InitialValues initial) {
    return std::make_unique<MultiplicativeScheduler>(opt, a.real("factor"), key,
                                                     std::move(initial));
  }

  using Fn = std::function<double(int64_t)>;
  MultiplicativeScheduler(Optimizer& opt, Fn fn, std::string key = "lr",
                          InitialValues initial = nullptr)
      : Scheduler("multiplicative", opt, std::move(key), std::move(initial)), fn_(std::move(fn)) {
    schedule_check(static_cast<bool>(fn_), name_, "needs a function");
    attach();
    initial_step();
  }
  MultiplicativeScheduler(Optimizer& opt, double factor, std::string key = "lr",
                          InitialValues initial = nullptr)
      : MultiplicativeScheduler(
            opt, [factor](int64_t) { return factor; }, std::move(key), std::move(initial)) {}

 protected:
  std::vector<double> compute() override {
    std::vector<double> v(num_groups());
    for (size_t i = 0; i < v.size(); ++i)
      v[i] = last_epoch_ > 0 ? group_value(i) * fn_(last_epoch_) : group_value(i);
    return v;
  }

 private:
  Fn fn_;
};

}  // namespace descent
