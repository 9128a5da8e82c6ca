#pragma once
// onecycle (PyTorch OneCycleLR), per batch. initial = max_lr / div_factor,
// min = initial / final_div_factor. Two phases (default): initial -> max_lr over the first
// pct_start * total_steps - 1 steps, then max_lr -> min until step total_steps - 1; three_phase:
// initial -> max_lr -> initial (symmetric), then initial -> min. Each phase anneals with
//   cos: end + (start - end) (1 + cos(pi p)) / 2      linear: start + (end - start) p,
// p the fraction of the phase done. Momentum runs the other way (max_momentum -> base_momentum
// -> max_momentum). Defaults: pct_start 0.3, anneal_strategy cos, cycle_momentum true,
// base_momentum 0.85, max_momentum 0.95, div_factor 25, final_div_factor 1e4, three_phase false.
// max_lr and total_steps are required. Stepping past total_steps throws, as in PyTorch.
// Momentum: "momentum", or "beta1" for Adam-like optimizers (PyTorch's betas[0]).
// Like PyTorch it replaces the shared initial value (group['initial_lr']) with max_lr/div_factor.
#include <cmath>
#include <numbers>
#include <stdexcept>

#include "descent/schedule/schedule_args.h"
#include "descent/schedule/scheduler.h"

namespace descent {

class OneCycleScheduler : public Scheduler {
 public:
  struct Options {
    double max_lr = 0;
    int64_t total_steps = 0;
    double pct_start = 0.3;
    bool linear = false;  // anneal_strategy: cos (false) or linear
    bool cycle_momentum = true;
    double base_momentum = 0.85, max_momentum = 0.95;
    double div_factor = 25., final_div_factor = 1e4;
    bool three_phase = false;
  };

  static std::vector<ScheduleArgDef> spec_args();
  static std::unique_ptr<Scheduler> from_args(const ScheduleArgs& a, Optimizer& opt,
                                              const std::string& key, InitialValues initial);

  static int64_t total_steps_of(const ScheduleArgs& a);

  OneCycleScheduler(Optimizer& opt, const Options& o, std::string key = "lr",
                    InitialValues initial = nullptr)
      : Scheduler("onecycle", opt, std::move(key), std::move(initial)), o_(o) {
    schedule_check(o.total_steps > 0, name_, "total_steps must be a positive integer");
    schedule_check(o.pct_start >= 0 && o.pct_start <= 1, name_, "pct_start must be in [0, 1]");
    const double T = static_cast<double>(o.total_steps);
    if (o.three_phase)
      phases_ = {{o.pct_start * T - 1, kInitial, kMax, true, false},
                 {2 * o.pct_start * T - 2, kMax, kInitial, false, true},
                 {T - 1, kInitial, kMin, true, true}};
    else
      phases_ = {{o.pct_start * T - 1, kInitial, kMax, true, false},
                 {T - 1, kMax, kMin, false, true}};
    initial_lr_ = o.max_lr / o.div_factor;
    min_lr_ = initial_lr_ / o.final_div_factor;
    *initial_ = std::vector<double>(num_groups(), initial_lr_);
    if (o.cycle_momentum) mkey_ = start_momentum_cycle(o.max_momentum);
    attach();
    initial_step();
  }

  std::string momentum_key() const override { return mkey_; }

  std::optional<ScheduleHorizon> horizon() const override {
    return ScheduleHorizon{o_.total_steps,
                           true,
                           "total_steps",
                           "",
                           0,
                           "cannot be stepped: training fails with an error"};
  }

 protected:
  std::vector<double> compute() override {
    const int64_t step_num = last_epoch_;
    if (step_num > o_.total_steps)
      throw std::out_of_range("schedule 'onecycle': tried to step " + std::to_string(step_num + 1) +
                              " times; total_steps is " + std::to_string(o_.total_steps));
    double lr = 0, mom = 0, start_step = 0;
    for (size_t i = 0; i < phases_.size(); ++i) {
      const Phase& ph = phases_[i];
      if (static_cast<double>(step_num) <= ph.end_step || i == phases_.size() - 1) {
        const double pct =
            (static_cast<double>(step_num) - start_step) / (ph.end_step - start_step);
        lr = anneal(lr_of(ph.start), lr_of(ph.end), pct);
        mom = anneal(ph.start_mom_max ? o_.max_momentum : o_.base_momentum,
                     ph.end_mom_max ? o_.max_momentum : o_.base_momentum, pct);
        break;
      }
      start_step = ph.end_step;
    }
    if (!mkey_.empty())
      for (auto& g : opt_.param_groups()) g.options[mkey_] = mom;
    return std::vector<double>(num_groups(), lr);
  }

 private:
  enum Level { kInitial, kMax, kMin };
  struct Phase {
    double end_step;
    Level start, end;
    bool start_mom_max, end_mom_max;
  };
  double lr_of(Level l) const {
    return l == kInitial ? initial_lr_ : l == kMax ? o_.max_lr : min_lr_;
  }
  double anneal(double start, double end, double pct) const {
    if (o_.linear) return (end - start) * pct + start;
    const double cos_out = std::cos(std::numbers::pi * pct) + 1;
    return end + (start - end) / 2.0 * cos_out;
  }

  Options o_;
  std::vector<Phase> phases_;
  double initial_lr_ = 0, min_lr_ = 0;
  std::string mkey_;
};

inline std::vector<ScheduleArgDef> OneCycleScheduler::spec_args() {
  const Options d;
  return {arg::real("max_lr").required(),
          arg::integer("total_steps").optional("or epochs and steps_per_epoch").within(">= 1"),
          arg::integer("epochs")
              .optional("with steps_per_epoch, instead of total_steps")
              .within(">= 1"),
          arg::integer("steps_per_epoch")
              .optional("with epochs, instead of total_steps")
              .within(">= 1"),
          arg::real("pct_start", d.pct_start).within("in [0, 1]"),
          arg::choice("anneal_strategy", {"cos", "linear"}),
          arg::flag("cycle_momentum", d.cycle_momentum),
          arg::real("base_momentum", d.base_momentum),
          arg::real("max_momentum", d.max_momentum),
          arg::real("div_factor", d.div_factor),
          arg::real("final_div_factor", d.final_div_factor),
          arg::flag("three_phase", d.three_phase)};
}

// epochs * steps_per_epoch, both positive and their product within int64.
inline int64_t OneCycleScheduler::total_steps_of(const ScheduleArgs& a) {
  const int64_t epochs = a.integer("epochs"), per_epoch = a.integer("steps_per_epoch");
  if (epochs < 1 || per_epoch < 1)
    a.fail("epochs = " + std::to_string(epochs) + " and steps_per_epoch = " +
           std::to_string(per_epoch) + " must both be positive integers");
  int64_t total = 0;
  if (__builtin_mul_overflow(epochs, per_epoch, &total))
    a.fail("epochs * steps_per_epoch = " + std::to_string(epochs) + " * " +
           std::to_string(per_epoch) + " is more steps than a 64-bit count holds");
  return total;
}

inline std::unique_ptr<Scheduler> OneCycleScheduler::from_args(const ScheduleArgs& a,
                                                               Optimizer& opt,
                                                               const std::string& key,
                                                               InitialValues initial) {
  Options o;
  o.max_lr = a.real("max_lr");
  if (a.given("total_steps"))
    o.total_steps = a.integer("total_steps");
  else if (a.given("epochs") && a.given("steps_per_epoch"))
    o.total_steps = total_steps_of(a);
  else
    a.fail("needs total_steps, or epochs and steps_per_epoch");
  o.pct_start = a.real("pct_start");
  o.linear = a.choice("anneal_strategy") == "linear";
  o.cycle_momentum = a.flag("cycle_momentum");
  o.base_momentum = a.real("base_momentum");
  o.max_momentum = a.real("max_momentum");
  o.div_factor = a.real("div_factor");
  o.final_div_factor = a.real("final_div_factor");
  o.three_phase = a.flag("three_phase");
  return std::make_unique<OneCycleScheduler>(opt, o, key, std::move(initial));
}

}  // namespace descent
