#include "descent/schedule/scheduler.h"

#include <stdexcept>

#include "descent/util/spec.h"

namespace descent {

using nlohmann::json;

std::vector<double> group_values(const Optimizer& opt, const std::string& key) {
  std::vector<double> out;
  for (const auto& g : opt.param_groups()) out.push_back(g.get(key));
  return out;
}

std::string momentum_key_of(const Optimizer& opt) {
  for (const char* k : {"momentum", "beta1"}) {
    bool all = true;
    for (const auto& g : opt.param_groups()) all = all && g.options.count(k) > 0;
    if (all) return k;
  }
  return "";
}

void schedule_check(bool ok, const std::string& name, const std::string& message) {
  if (!ok) throw SpecError("schedule '" + name + "': " + message);
}

Scheduler::Scheduler(std::string name, Optimizer& opt, std::string key, InitialValues initial)
    : name_(std::move(name)),
      opt_(opt),
      key_(std::move(key)),
      initial_(initial ? std::move(initial) : make_initial_values()) {
  schedule_check(!opt_.param_groups().empty(), name_, "the optimizer has no parameter groups");
  for (const auto& g : opt_.param_groups())
    schedule_check(g.options.count(key_) > 0, name_,
                   "optimizer '" + opt_.name() + "' has no hyper-parameter '" + key_ + "'");
}

void Scheduler::attach() {
  if (initial_->empty()) *initial_ = group_values(opt_, key_);
  schedule_check(initial_->size() == num_groups(), name_,
                 "initial values do not match the optimizer's groups");
  base_ = *initial_;
}

void Scheduler::initial_step() {
  step_count_ = 0;
  step();
}

void Scheduler::apply(const std::vector<double>& values) {
  for (size_t i = 0; i < num_groups(); ++i) opt_.param_groups()[i].options[key_] = values[i];
  last_ = group_values(opt_, key_);
}

std::string Scheduler::start_momentum_cycle(double start) {
  const std::string mkey = momentum_key_of(opt_);
  schedule_check(!mkey.empty(), name_,
                 "cycle_momentum needs an optimizer with momentum or beta1 (or "
                 "cycle_momentum=false)");
  schedule_check(mkey != key_, name_, "cannot cycle " + mkey + " twice");
  for (auto& g : opt_.param_groups()) g.options[mkey] = start;
  return mkey;
}

void Scheduler::step() {
  ++step_count_;
  ++last_epoch_;
  apply(compute());
}

void Scheduler::step_at(int64_t epoch) {
  ++step_count_;
  last_epoch_ = epoch;
  std::optional<std::vector<double>> closed = closed_form();
  apply(closed ? *closed : compute());
}

json Scheduler::state_dict() const {
  json s;
  s["name"] = name_;
  s["key"] = key_;
  s["last_epoch"] = last_epoch_;
  s["step_count"] = step_count_;
  s["base_values"] = base_;
  s["last_values"] = last_;
  json groups;
  groups[key_] = group_values(opt_, key_);
  if (!momentum_key().empty()) groups[momentum_key()] = group_values(opt_, momentum_key());
  s["group_values"] = groups;
  save_extra(s);
  return s;
}

void Scheduler::load_state_dict(const json& s) {
  const std::string what = "schedule '" + name_ + "' state";
  try {
    if (s.at("name").get<std::string>() != name_)
      throw std::invalid_argument(what + ": saved by schedule '" + s.at("name").get<std::string>() +
                                  "'");
    if (s.at("key").get<std::string>() != key_)
      throw std::invalid_argument(what + ": saved for '" + s.at("key").get<std::string>() +
                                  "', not '" + key_ + "'");
    const auto base = s.at("base_values").get<std::vector<double>>();
    if (base.size() != num_groups())
      throw std::invalid_argument(what + ": saved for " + std::to_string(base.size()) +
                                  " parameter groups, the optimizer has " +
                                  std::to_string(num_groups()));
    last_epoch_ = s.at("last_epoch").get<int64_t>();
    step_count_ = s.at("step_count").get<int64_t>();
    base_ = base;
    last_ = s.at("last_values").get<std::vector<double>>();
    load_extra(s);
    // The values the interrupted run had in effect, whatever construction left in the groups.
    for (const auto& [k, vals] : s.at("group_values").items()) {
      const auto v = vals.get<std::vector<double>>();
      if (v.size() != num_groups()) throw std::invalid_argument(what + ": group count mismatch");
      for (size_t i = 0; i < num_groups(); ++i) {
        auto& options = opt_.param_groups()[i].options;
        if (!options.count(k)) throw std::invalid_argument(what + ": optimizer lacks '" + k + "'");
        options[k] = v[i];
      }
    }
  } catch (const json::exception& e) {
    throw std::invalid_argument(what + ": " + e.what());
  }
}

}  // namespace descent
