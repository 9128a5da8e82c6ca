#pragma once
// chained (PyTorch ChainedScheduler): every step steps each child in order, so chainable children
// multiply their factors (constant then exponential gives factor_t * gamma^t). No initial step of
// its own: the children took theirs when they were built, in order.
// Children: schedules built on the same optimizer, key and InitialValues (make_scheduler does
// this); reduce_on_plateau is rejected (PyTorch's chain cannot pass it a metric either).
#include <memory>

#include "descent/schedule/composite.h"

namespace descent {

class ChainedScheduler : public CompositeScheduler {
 public:
  ChainedScheduler(Optimizer& opt, std::vector<std::unique_ptr<Scheduler>> children,
                   std::string key = "lr", InitialValues initial = nullptr)
      : CompositeScheduler("chained", opt, std::move(children), std::move(key),
                           std::move(initial)) {
    last_ = group_values(opt_, key_);
  }

  static std::vector<ScheduleArgDef> spec_args() {
    return {arg::schedules("schedulers").required()};
  }
  static std::unique_ptr<Scheduler> from_args(const ScheduleArgs& a, Optimizer& opt,
                                              const std::string& key, InitialValues initial) {
    auto children = children_from_args(a, opt, key, initial);
    return std::make_unique<ChainedScheduler>(opt, std::move(children), key, std::move(initial));
  }

  // Every part steps together: the first part's that ends with the run, else the longest phase.
  std::optional<ScheduleHorizon> horizon() const override {
    std::optional<ScheduleHorizon> found;
    for (size_t i = 0; i < children_.size(); ++i) {
      std::optional<ScheduleHorizon> h = children_[i]->horizon();
      if (!h) continue;
      if (h->part.empty())
        h->part = "part " + std::to_string(i + 1) + " (" + children_[i]->name() + ")";
      if (h->ends_with_run) return h;
      if (!found || h->length > found->length) found = h;
    }
    return found;
  }

  void step() override {
    ++last_epoch_;
    ++step_count_;
    for (auto& c : children_) c->step();
    last_ = group_values(opt_, key_);
  }
};

}  // namespace descent
