#include "descent/schedule/sequential.h"

#include <algorithm>

namespace descent {

SequentialScheduler::SequentialScheduler(Optimizer& opt,
                                         std::vector<std::unique_ptr<Scheduler>> children,
                                         std::vector<int64_t> milestones, std::string key,
                                         InitialValues initial)
    : CompositeScheduler("sequential", opt, std::move(children), std::move(key),
                         std::move(initial)),
      milestones_(std::move(milestones)) {
  for (const auto& c : children_)
    schedule_check(c->restartable(), name_,
                   "'" + c->name() +
                       "' cannot be restarted at a milestone; only leaf schedules "
                       "(not sequential, chained or reduce_on_plateau) can be parts of a sequence");
  schedule_check(milestones_.size() + 1 == children_.size(), name_,
                 "expects one milestone fewer than schedules (" + std::to_string(children_.size()) +
                     " schedules, " + std::to_string(milestones_.size()) + " milestones)");
  schedule_check(std::is_sorted(milestones_.begin(), milestones_.end()), name_,
                 "milestones must be in increasing order");
  // PyTorch's last_epoch + 1 is 0 here. Back to the initial values, undo the children's initial
  // steps, restart the first child.
  for (size_t i = 0; i < num_groups(); ++i) opt_.param_groups()[i].options[key_] = base_[i];
  for (auto& c : children_) c->last_epoch_ -= 1;
  children_[0]->initial_step();
  last_ = children_[0]->last_values();
}

std::vector<ScheduleArgDef> SequentialScheduler::spec_args() {
  return {arg::schedules("schedulers").required(), arg::integers("milestones").required()};
}

std::unique_ptr<Scheduler> SequentialScheduler::from_args(const ScheduleArgs& a, Optimizer& opt,
                                                          const std::string& key,
                                                          InitialValues initial) {
  auto children = children_from_args(a, opt, key, initial);
  return std::make_unique<SequentialScheduler>(opt, std::move(children), a.integers("milestones"),
                                               key, std::move(initial));
}

void SequentialScheduler::step() {
  ++last_epoch_;
  const size_t idx =
      std::upper_bound(milestones_.begin(), milestones_.end(), last_epoch_) - milestones_.begin();
  Scheduler& s = *children_[idx];
  if (idx > 0 && milestones_[idx - 1] == last_epoch_)
    s.step_at(0);
  else
    s.step();
  last_ = s.last_values();
}

std::optional<ScheduleHorizon> SequentialScheduler::horizon() const {
  const int64_t start = milestones_.empty() ? 0 : milestones_.back();
  std::optional<ScheduleHorizon> last = children_.back()->horizon();
  if (!last) {
    if (milestones_.empty()) return std::nullopt;
    return ScheduleHorizon{start, false, "milestones", "", 0, "stays in the last part"};
  }
  last->length += start;
  last->offset += start;
  if (last->part.empty())
    last->part = "part " + std::to_string(children_.size()) + " (" + children_.back()->name() + ")";
  return last;
}

void SequentialScheduler::save_extra(nlohmann::json& state) const {
  CompositeScheduler::save_extra(state);
  state["milestones"] = milestones_;
}

}  // namespace descent
