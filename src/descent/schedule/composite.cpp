// SequentialScheduler and ChainedScheduler, which share their children's bookkeeping.
#include <algorithm>
#include <stdexcept>

#include "descent/schedule/chained.h"
#include "descent/schedule/sequential.h"

namespace descent {

using nlohmann::json;

namespace {

void check_children(const std::string& name, const Optimizer& opt, const std::string& key,
                    const std::vector<std::unique_ptr<Scheduler>>& children) {
  schedule_check(!children.empty(), name, "needs at least one schedule");
  for (const auto& c : children) {
    schedule_check(c != nullptr, name, "a child schedule is null");
    schedule_check(&c->optimizer() == &opt, name, "all schedules must share the optimizer");
    schedule_check(c->key() == key, name,
                   "all schedules must follow '" + key + "' (one follows '" + c->key() + "')");
    schedule_check(!c->needs_metric(), name,
                   "reduce_on_plateau cannot be composed (it needs a metric)");
  }
}

std::string first_momentum_key(const std::vector<std::unique_ptr<Scheduler>>& children) {
  for (const auto& c : children)
    if (!c->momentum_key().empty()) return c->momentum_key();
  return "";
}

json children_state(const std::vector<std::unique_ptr<Scheduler>>& children) {
  json out = json::array();
  for (const auto& c : children) out.push_back(c->state_dict());
  return out;
}

void load_children(const std::string& name, const json& s,
                   std::vector<std::unique_ptr<Scheduler>>& children) {
  const json& list = s.at("schedulers");
  if (list.size() != children.size())
    throw std::invalid_argument("schedule '" + name + "' state: saved " +
                                std::to_string(list.size()) + " schedules, this one has " +
                                std::to_string(children.size()));
  for (size_t i = 0; i < children.size(); ++i) children[i]->load_state_dict(list[i]);
}

}  // namespace

SequentialScheduler::SequentialScheduler(Optimizer& opt,
                                         std::vector<std::unique_ptr<Scheduler>> children,
                                         std::vector<int64_t> milestones, std::string key,
                                         InitialValues initial)
    : Scheduler("sequential", opt, std::move(key), std::move(initial)),
      children_(std::move(children)),
      milestones_(std::move(milestones)) {
  check_children(name_, opt_, key_, children_);
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
  attach();
  last_epoch_ = 0;  // PyTorch: last_epoch + 1
  // Back to the initial values, undo the children's initial steps, restart the first child.
  for (size_t i = 0; i < num_groups(); ++i) opt_.param_groups()[i].options[key_] = base_[i];
  for (auto& c : children_) c->last_epoch_ -= 1;
  children_[0]->initial_step();
  last_ = children_[0]->last_values();
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

std::string SequentialScheduler::momentum_key() const { return first_momentum_key(children_); }

json SequentialScheduler::state_dict() const {
  json s = Scheduler::state_dict();
  s["milestones"] = milestones_;
  s["schedulers"] = children_state(children_);
  return s;
}

void SequentialScheduler::load_state_dict(const json& s) {
  try {
    load_children(name_, s, children_);
  } catch (const json::exception& e) {
    throw std::invalid_argument("schedule 'sequential' state: " + std::string(e.what()));
  }
  Scheduler::load_state_dict(s);
}

ChainedScheduler::ChainedScheduler(Optimizer& opt, std::vector<std::unique_ptr<Scheduler>> children,
                                   std::string key, InitialValues initial)
    : Scheduler("chained", opt, std::move(key), std::move(initial)),
      children_(std::move(children)) {
  check_children(name_, opt_, key_, children_);
  attach();
  last_epoch_ = 0;  // counts steps; PyTorch's chain keeps none
  last_ = group_values(opt_, key_);
}

void ChainedScheduler::step() {
  ++last_epoch_;
  ++step_count_;
  for (auto& c : children_) c->step();
  last_ = group_values(opt_, key_);
}

std::string ChainedScheduler::momentum_key() const { return first_momentum_key(children_); }

json ChainedScheduler::state_dict() const {
  json s = Scheduler::state_dict();
  s["schedulers"] = children_state(children_);
  return s;
}

void ChainedScheduler::load_state_dict(const json& s) {
  try {
    load_children(name_, s, children_);
  } catch (const json::exception& e) {
    throw std::invalid_argument("schedule 'chained' state: " + std::string(e.what()));
  }
  Scheduler::load_state_dict(s);
}

}  // namespace descent
