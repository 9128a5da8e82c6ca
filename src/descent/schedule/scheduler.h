#pragma once
// Scheduler: the shape of PyTorch 1.13's LRScheduler, for any hyper-parameter of a parameter group
// (key "lr" by default; "momentum", "beta1", "weight_decay", ... as well).
//
//   construction   records the base value of every group and takes the initial step
//                  (last_epoch = 0, the value the first optimizer step uses);
//   step()         last_epoch += 1, writes the new values into the groups (call it after
//                  optimizer.step(), once per epoch or per batch);
//   step(metric)   the same; reduce_on_plateau reads the metric, other families ignore it;
//   state_dict()   everything a resumed run needs to continue exactly, composites recursively.
//
// Families follow PyTorch's chainable (recursive) get_lr where PyTorch has one, so that
// chained/sequential compositions match PyTorch value for value.
//
// Base values come from a shared InitialValues, PyTorch's group['initial_lr']: the first
// scheduler built on a group records the group's value there and later ones (the children of a
// composite) reuse it, as setdefault('initial_lr', ...) does. make_scheduler shares one per call.
//
// Resume (deliberate fix of a PyTorch pitfall): load_state_dict() also writes the saved group
// values back, so it does not matter what the fresh optimizer's groups held or what the fresh
// scheduler's own initial step did to them; PyTorch leaves those values as the constructor left
// them unless the optimizer state is loaded afterwards.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "descent/optim/optimizer.h"

namespace descent {

// PyTorch's group['initial_lr'] for one key: empty until the first scheduler records it.
using InitialValues = std::shared_ptr<std::vector<double>>;
inline InitialValues make_initial_values() { return std::make_shared<std::vector<double>>(); }

// The key's value in every group of opt (throws naming the key when a group lacks it).
std::vector<double> group_values(const Optimizer& opt, const std::string& key);

// The key cyclic/onecycle cycle: "momentum" where the groups have it, else "beta1" (Adam-like,
// PyTorch's betas[0]), else "".
std::string momentum_key_of(const Optimizer& opt);

// How far a schedule plans, in its own steps (optimizer steps or epochs, as it is stepped): row
// `length` is the first at which it has done all it planned (cosine: eta_min at t_max; a warmup:
// the full value). The training command checks it against the run's length (horizon.h).
struct ScheduleHorizon {
  int64_t length = 0;
  // A decay planned to end as the run ends (cosine's t_max, onecycle's total_steps): any other
  // length is a mismatch. Otherwise a phase that only has to fit in the run (a warmup, milestones).
  bool ends_with_run = false;
  std::string setting;  // the argument that sets it ("t_max")
  std::string part;  // in a composition, the part holding `setting` ("part 2 (cosine)"); "" at top
  int64_t offset = 0;  // rows before `setting` starts counting (a sequence's last milestone)
  std::string past;    // what the value does past `length`, in words ("climbs back up")
};

class Scheduler {
 public:
  virtual ~Scheduler() = default;
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  const std::string& name() const { return name_; }
  const std::string& key() const { return key_; }
  Optimizer& optimizer() const { return opt_; }

  virtual void step();
  virtual void step(double metric) { step(); }  // the metric matters only to reduce_on_plateau
  // PyTorch's deprecated step(epoch), which SequentialLR uses to restart a child at a milestone:
  // jumps to epoch with the closed form where the family has one, else with get_lr.
  virtual void step_at(int64_t epoch);
  virtual bool needs_metric() const { return false; }
  // Whether step_at is supported (not by composites or plateau; PyTorch cannot either).
  virtual bool restartable() const { return true; }
  // The horizon, or none for families without an end (step, exponential, cyclic, plateau, ...).
  virtual std::optional<ScheduleHorizon> horizon() const { return std::nullopt; }
  // The second key a family writes (cyclic/onecycle momentum or beta1), "" when none.
  virtual std::string momentum_key() const { return ""; }

  std::vector<double> values() const { return group_values(opt_, key_); }  // in effect now
  const std::vector<double>& last_values() const { return last_; }  // PyTorch's get_last_lr()
  const std::vector<double>& base_values() const { return base_; }
  int64_t last_epoch() const { return last_epoch_; }

  virtual nlohmann::json state_dict() const;
  virtual void load_state_dict(const nlohmann::json& state);  // throws on a mismatch, naming it

 protected:
  friend class SequentialScheduler;  // moves its children's last_epoch, as SequentialLR does

  Scheduler(std::string name, Optimizer& opt, std::string key, InitialValues initial);

  // PyTorch's __init__ tail: setdefault the initial values, base = initial.
  void attach();
  // PyTorch's _initial_step(): step count 0, then step().
  void initial_step();
  // PyTorch's get_lr(): the new values after last_epoch moved (may have side effects).
  virtual std::vector<double> compute() = 0;
  // PyTorch's _get_closed_form_lr() for families that have it.
  virtual std::optional<std::vector<double>> closed_form() { return std::nullopt; }
  virtual void save_extra(nlohmann::json&) const {}
  virtual void load_extra(const nlohmann::json&) {}

  size_t num_groups() const { return opt_.param_groups().size(); }
  double group_value(size_t i) const { return opt_.param_groups()[i].get(key_); }
  void apply(const std::vector<double>& values);  // writes values, updates last_values
  // For cyclic/onecycle's cycle_momentum: finds the momentum key (momentum_key_of), checks it is
  // there and not key(), sets every group's to `start`; returns the key.
  std::string start_momentum_cycle(double start);

  std::string name_;
  Optimizer& opt_;
  std::string key_;
  InitialValues initial_;
  int64_t last_epoch_ = -1;
  int64_t step_count_ = 0;
  std::vector<double> base_, last_;
};

// Scheduling errors in arguments are SpecErrors (see spec.h); this throws one when !ok.
void schedule_check(bool ok, const std::string& name, const std::string& message);

}  // namespace descent
