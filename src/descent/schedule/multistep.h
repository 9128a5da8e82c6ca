#pragma once
// multistep (PyTorch MultiStepLR): v_t = v_0 * gamma^(number of milestones <= t).
// A milestone listed twice decays twice (PyTorch keeps a Counter). Defaults: gamma 0.1.
#include <algorithm>
#include <cmath>
#include <map>

#include "descent/schedule/schedule_args.h"
#include "descent/schedule/scheduler.h"

namespace descent {

class MultiStepScheduler : public Scheduler {
 public:
  static std::vector<ScheduleArgDef> spec_args() {
    return {arg::integers("milestones").required(), arg::real("gamma", 0.1)};
  }
  static std::unique_ptr<Scheduler> from_args(const ScheduleArgs& a, Optimizer& opt,
                                              const std::string& key, InitialValues initial) {
    return std::make_unique<MultiStepScheduler>(opt, a.integers("milestones"), a.real("gamma"), key,
                                                std::move(initial));
  }

  MultiStepScheduler(Optimizer& opt, std::vector<int64_t> milestones, double gamma,
                     std::string key = "lr", InitialValues initial = nullptr)
      : Scheduler("multistep", opt, std::move(key), std::move(initial)),
        milestones_(std::move(milestones)),
        gamma_(gamma) {
    std::sort(milestones_.begin(), milestones_.end());
    for (int64_t m : milestones_) ++count_[m];
    attach();
    initial_step();
  }

  std::optional<ScheduleHorizon> horizon() const override {
    if (milestones_.empty()) return std::nullopt;
    return ScheduleHorizon{milestones_.back(), false, "milestones", "", 0, "stays put"};
  }

 protected:
  std::vector<double> compute() override {
    std::vector<double> v(num_groups());
    auto it = count_.find(last_epoch_);
    for (size_t i = 0; i < v.size(); ++i)
      v[i] = it == count_.end()
                 ? group_value(i)
                 : group_value(i) * std::pow(gamma_, static_cast<double>(it->second));
    return v;
  }
  std::optional<std::vector<double>> closed_form() override {
    const auto n =
        std::upper_bound(milestones_.begin(), milestones_.end(), last_epoch_) - milestones_.begin();
    std::vector<double> v(num_groups());
    for (size_t i = 0; i < v.size(); ++i)
      v[i] = base_[i] * std::pow(gamma_, static_cast<double>(n));
    return v;
  }

 private:
  std::vector<int64_t> milestones_;
  std::map<int64_t, int> count_;
  double gamma_;
};

}  // namespace descent
