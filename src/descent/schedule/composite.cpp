#include "descent/schedule/composite.h"

#include <stdexcept>

#include "descent/schedule/factory.h"

namespace descent {

using nlohmann::json;

CompositeScheduler::CompositeScheduler(std::string name, Optimizer& opt,
                                       std::vector<std::unique_ptr<Scheduler>> children,
                                       std::string key, InitialValues initial)
    : Scheduler(std::move(name), opt, std::move(key), std::move(initial)),
      children_(std::move(children)) {
  schedule_check(!children_.empty(), name_, "needs at least one schedule");
  for (const auto& c : children_) {
    schedule_check(c != nullptr, name_, "a child schedule is null");
    schedule_check(&c->optimizer() == &opt_, name_, "all schedules must share the optimizer");
    schedule_check(c->key() == key_, name_,
                   "all schedules must follow '" + key_ + "' (one follows '" + c->key() + "')");
    schedule_check(!c->needs_metric(), name_,
                   "reduce_on_plateau cannot be composed (it needs a metric)");
  }
  attach();
  last_epoch_ = 0;  // counts steps; the children took their initial steps when they were built
}

std::vector<std::unique_ptr<Scheduler>> CompositeScheduler::children_from_args(
    const ScheduleArgs& a, Optimizer& opt, const std::string& key, const InitialValues& initial) {
  std::vector<std::unique_ptr<Scheduler>> out;
  for (const std::string& spec : a.schedules("schedulers"))
    out.push_back(make_scheduler(spec, opt, key, initial));
  return out;
}

std::string CompositeScheduler::momentum_key() const {
  for (const auto& c : children_)
    if (!c->momentum_key().empty()) return c->momentum_key();
  return "";
}

void CompositeScheduler::save_extra(json& state) const {
  json list = json::array();
  for (const auto& c : children_) list.push_back(c->state_dict());
  state["schedulers"] = list;
}

void CompositeScheduler::load_extra(const json& state) {
  const json& list = state.at("schedulers");
  if (list.size() != children_.size())
    throw std::invalid_argument("schedule '" + name_ + "' state: saved " +
                                std::to_string(list.size()) + " schedules, this one has " +
                                std::to_string(children_.size()));
  for (size_t i = 0; i < children_.size(); ++i) children_[i]->load_state_dict(list[i]);
}

}  // namespace descent
