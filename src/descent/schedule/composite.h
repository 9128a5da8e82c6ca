#pragma once
// CompositeScheduler: what sequential and chained share. They own their children (schedules built
// on the same optimizer, key and InitialValues; reduce_on_plateau is rejected, as a composite
// cannot pass it a metric), write the first cycled momentum key a child has, save the children's
// states under "schedulers" (recursively) and cannot themselves be restarted at a milestone.
// The group values they write are their children's: compute() just reads them back.
#include <memory>
#include <string>
#include <vector>

#include "descent/schedule/schedule_args.h"
#include "descent/schedule/scheduler.h"

namespace descent {

class CompositeScheduler : public Scheduler {
 public:
  bool restartable() const override { return false; }
  std::string momentum_key() const override;
  const std::vector<std::unique_ptr<Scheduler>>& children() const { return children_; }

 protected:
  // Checks the children, then attaches (base values from the shared initial values), last_epoch 0.
  CompositeScheduler(std::string name, Optimizer& opt,
                     std::vector<std::unique_ptr<Scheduler>> children, std::string key,
                     InitialValues initial);

  // The children of a SPEC's schedulers=[a;b;...], each built from its SPEC on opt, key, initial.
  static std::vector<std::unique_ptr<Scheduler>> children_from_args(const ScheduleArgs& a,
                                                                    Optimizer& opt,
                                                                    const std::string& key,
                                                                    const InitialValues& initial);

  std::vector<double> compute() override { return group_values(opt_, key_); }
  void save_extra(nlohmann::json& state) const override;  // "schedulers": the children's states
  void load_extra(const nlohmann::json& state) override;

  std::vector<std::unique_ptr<Scheduler>> children_;
};

}  // namespace descent
