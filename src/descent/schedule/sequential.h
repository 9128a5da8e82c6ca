#pragma once
// sequential (PyTorch SequentialLR): children[i] runs from milestone i-1 to milestone i. At a
// milestone the next child restarts at its step 0 (PyTorch's step(0): the closed form where the
// family has one), so e.g. linear warmup then cosine starts the cosine from the base value.
// Construction follows PyTorch: the groups go back to the shared initial value, every child's
// last_epoch goes back by one, and the first child takes its initial step again.
// Children: leaf schedules built on the same optimizer, key and InitialValues (make_scheduler
// does this); composites and reduce_on_plateau cannot be restarted and are rejected.
#include <memory>

#include "descent/schedule/composite.h"

namespace descent {

class SequentialScheduler : public CompositeScheduler {
 public:
  SequentialScheduler(Optimizer& opt, std::vector<std::unique_ptr<Scheduler>> children,
                      std::vector<int64_t> milestones, std::string key = "lr",
                      InitialValues initial = nullptr);

  static std::vector<ScheduleArgDef> spec_args();
  static std::unique_ptr<Scheduler> from_args(const ScheduleArgs& a, Optimizer& opt,
                                              const std::string& key, InitialValues initial);

  void step() override;
  // The last part's horizon after the last milestone; the last milestone when that part has none.
  std::optional<ScheduleHorizon> horizon() const override;

 protected:
  void save_extra(nlohmann::json& state) const override;  // the children's and the milestones

 private:
  std::vector<int64_t> milestones_;
};

}  // namespace descent
