#pragma once
// linear_then_constant (the notes, Goodfellow et al. 8.3.1): with a = t / tau,
//   v = (1 - a) v_0 + a v_tau  for t < tau,   v = v_tau  for t >= tau,
// v_tau = eps_tau (absolute) or final_factor * v_0. Defaults: final_factor 0.01 (the notes'
// "about 1% of eps_0"); tau is required.
#include <optional>

#include "descent/schedule/factor_schedule.h"

namespace descent {

class LinearThenConstantScheduler : public FactorScheduler {
 public:
  LinearThenConstantScheduler(Optimizer& opt, int64_t tau, std::optional<double> eps_tau,
                              double final_factor = 0.01, std::string key = "lr",
                              InitialValues initial = nullptr)
      : FactorScheduler("linear_then_constant", opt, std::move(key), std::move(initial)),
        tau_(tau),
        eps_tau_(eps_tau),
        final_factor_(final_factor) {
    schedule_check(tau > 0, name_, "tau must be a positive integer");
    attach();
    initial_step();
  }

 protected:
  double value(double base, int64_t t) const override {
    const double end = eps_tau_ ? *eps_tau_ : final_factor_ * base;
    if (t >= tau_) return end;
    const double a = static_cast<double>(t) / static_cast<double>(tau_);
    return (1 - a) * base + a * end;
  }

 private:
  int64_t tau_;
  std::optional<double> eps_tau_;
  double final_factor_;
};

}  // namespace descent
