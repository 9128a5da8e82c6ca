#pragma once
// linear_then_constant (the notes, Goodfellow et al. 8.3.1): with a = t / tau,
//   v = (1 - a) v_0 + a v_tau  for t < tau,   v = v_tau  for t >= tau,
// v_tau = eps_tau (absolute) or final_factor * v_0. Defaults: final_factor 0.01 (the notes'
// "about 1% of eps_0"); tau is required.
#include <optional>

#include "descent/schedule/factor_schedule.h"
#include "descent/schedule/schedule_args.h"

namespace descent {

class LinearThenConstantScheduler : public FactorScheduler {
 public:
  static std::vector<ScheduleArgDef> spec_args() {
    return {arg::integer("tau").required().within(">= 1"),
            arg::real("eps_tau").optional("or final_factor: v_tau itself"),
            arg::real("final_factor", 0.01)};
  }
  static std::unique_ptr<Scheduler> from_args(const ScheduleArgs& a, Optimizer& opt,
                                              const std::string& key, InitialValues initial) {
    if (a.given("eps_tau") && a.given("final_factor"))
      a.fail("give eps_tau or final_factor, not both");
    std::optional<double> eps_tau;
    if (a.given("eps_tau")) eps_tau = a.real("eps_tau");
    return std::make_unique<LinearThenConstantScheduler>(
        opt, a.integer("tau"), eps_tau, a.real("final_factor"), key, std::move(initial));
  }

  LinearThenConstantScheduler(Optimizer& opt, int64_t tau, std::optional<double> eps_tau,
                              double final_factor, std::string key = "lr",
                              InitialValues initial = nullptr)
      : FactorScheduler("linear_then_constant", opt, std::move(key), std::move(initial)),
        tau_(tau),
        eps_tau_(eps_tau),
        final_factor_(final_factor) {
    schedule_check(tau > 0, name_, "tau must be a positive integer");
    attach();
    initial_step();
  }

  std::optional<ScheduleHorizon> horizon() const override {
    return ScheduleHorizon{tau_, false, "tau", "", 0, "stays at v_tau"};
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
