#pragma once
// chained (PyTorch ChainedScheduler): every step steps each child in order, so chainable children
// multiply their factors (constant then exponential gives factor_t * gamma^t). No initial step of
// its own: the children took theirs when they were built, in order.
// Children: schedules built on the same optimizer, key and InitialValues (make_scheduler does
// this); reduce_on_plateau is rejected (PyTorch's chain cannot pass it a metric either).
#include <memory>

#include "descent/schedule/scheduler.h"

namespace descent {

class ChainedScheduler : public Scheduler {
 public:
  ChainedScheduler(Optimizer& opt, std::vector<std::unique_ptr<Scheduler>> children,
                   std::string key = "lr", InitialValues initial = nullptr);

  void step() override;
  bool restartable() const override { return false; }
  std::string momentum_key() const override;
  const std::vector<std::unique_ptr<Scheduler>>& children() const { return children_; }

  nlohmann::json state_dict() const override;
  void load_state_dict(const nlohmann::json& state) override;

 protected:
  std::vector<double> compute() override { return group_values(opt_, key_); }

 private:
  std::vector<std::unique_ptr<Scheduler>> children_;
};

}  // namespace descent
