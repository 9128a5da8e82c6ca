#pragma once
// lambda (PyTorch LambdaLR): v_t = v_0 * f(t) for a C++ callable f (no SPEC form: a SPEC cannot
// hold code). The callable is not part of state_dict(); a resumed run must pass the same one.
#include <functional>

#include "descent/schedule/factor_schedule.h"

namespace descent {

class LambdaScheduler : public FactorScheduler {
 public:
  using Fn = std::function<double(int64_t)>;
  LambdaScheduler(Optimizer& opt, Fn fn, std::string key = "lr", InitialValues initial = nullptr)
      : FactorScheduler("lambda", opt, std::move(key), std::move(initial)), fn_(std::move(fn)) {
    schedule_check(static_cast<bool>(fn_), name_, "needs a function");
    attach();
    initial_step();
  }

 protected:
  double value(double base, int64_t t) const override { return base * fn_(t); }

 private:
  Fn fn_;
};

}  // namespace descent
