#pragma once
// piecewise_constant (the notes; Keras PiecewiseConstantDecay): with boundaries b_0 < b_1 < ...,
//   v = values[0] for t <= b_0, values[i] for b_{i-1} < t <= b_i, values[n] for t > b_{n-1};
// values are absolute (as in Keras); `factors` instead multiplies the base value. One more value
// (or factor) than boundaries.
#include <algorithm>

#include "descent/schedule/factor_schedule.h"
#include "descent/schedule/schedule_args.h"

namespace descent {

class PiecewiseConstantScheduler : public FactorScheduler {
 public:
  static std::vector<ScheduleArgDef> spec_args() {
    return {arg::integers("boundaries").required(), arg::reals("values").optional("or factors"),
            arg::reals("factors").optional("or values: factors of v_0")};
  }
  static std::unique_ptr<Scheduler> from_args(const ScheduleArgs& a, Optimizer& opt,
                                              const std::string& key, InitialValues initial) {
    if (a.given("values") == a.given("factors"))
      a.fail("give either values or factors (one more than boundaries)");
    const bool relative = a.given("factors");
    return std::make_unique<PiecewiseConstantScheduler>(opt, a.integers("boundaries"),
                                                        a.reals(relative ? "factors" : "values"),
                                                        relative, key, std::move(initial));
  }

  // relative: values are factors of the base value.
  PiecewiseConstantScheduler(Optimizer& opt, std::vector<int64_t> boundaries,
                             std::vector<double> values, bool relative, std::string key = "lr",
                             InitialValues initial = nullptr)
      : FactorScheduler("piecewise_constant", opt, std::move(key), std::move(initial)),
        boundaries_(std::move(boundaries)),
        values_(std::move(values)),
        relative_(relative) {
    schedule_check(values_.size() == boundaries_.size() + 1, name_,
                   "needs one more value than boundaries (" + std::to_string(boundaries_.size()) +
                       " boundaries, " + std::to_string(values_.size()) + " values)");
    schedule_check(std::is_sorted(boundaries_.begin(), boundaries_.end()), name_,
                   "boundaries must be in increasing order");
    attach();
    initial_step();
  }

  // The last value starts after the last boundary.
  std::optional<ScheduleHorizon> horizon() const override {
    if (boundaries_.empty()) return std::nullopt;
    return ScheduleHorizon{boundaries_.back() + 1, false, "boundaries", "", 0, "stays put"};
  }

 protected:
  double value(double base, int64_t t) const override {
    // Index = number of boundaries strictly below t.
    const size_t i =
        std::lower_bound(boundaries_.begin(), boundaries_.end(), t) - boundaries_.begin();
    return relative_ ? base * values_[i] : values_[i];
  }

 private:
  std::vector<int64_t> boundaries_;
  std::vector<double> values_;
  bool relative_;
};

}  // namespace descent
