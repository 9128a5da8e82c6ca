#pragma once
// cyclic (PyTorch CyclicLR), per batch: with c = floor(1 + t / (up + down)),
// x = 1 + t / (up + down) - c and s = x / r if x <= r else (x - 1) / (r - 1), r = up / (up + down):
//   v_t = base_lr + (max_lr - base_lr) * s * scale,  m_t = max_m - (max_m - base_m) * s * scale,
// scale = 1 (triangular), 1 / 2^(c-1) (triangular2), gamma^t (exp_range).
// Defaults (PyTorch): step_size_up 2000, step_size_down = step_size_up, mode triangular, gamma 1,
// cycle_momentum true, base_momentum 0.8, max_momentum 0.9. base_lr defaults to the group's value
// (PyTorch requires it); max_lr is required. Construction sets the group to base_lr (and the
// momentum to base_momentum), as PyTorch does.
// Momentum: the groups' "momentum", or "beta1" for Adam-like optimizers. PyTorch 1.13 rejects
// optimizers without 'momentum' here; later PyTorch releases cycle betas[0], as descent does.
// Quirk kept: the initial step computes from the shared initial value (group['initial_lr']),
// base_lr takes over from the next step on; they differ only inside a composition.
#include <cmath>

#include "descent/schedule/schedule_args.h"
#include "descent/schedule/scheduler.h"

namespace descent {

class CyclicScheduler : public Scheduler {
 public:
  enum class Mode { Triangular, Triangular2, ExpRange };
  struct Options {
    std::optional<double> base_lr;  // default: the group's value
    double max_lr = 0;
    double step_size_up = 2000;
    std::optional<double> step_size_down;  // default: step_size_up
    Mode mode = Mode::Triangular;
    double gamma = 1.0;
    bool cycle_momentum = true;
    double base_momentum = 0.8, max_momentum = 0.9;
  };

  static std::vector<ScheduleArgDef> spec_args();
  static std::unique_ptr<Scheduler> from_args(const ScheduleArgs& a, Optimizer& opt,
                                              const std::string& key, InitialValues initial);

  CyclicScheduler(Optimizer& opt, const Options& o, std::string key = "lr",
                  InitialValues initial = nullptr)
      : Scheduler("cyclic", opt, std::move(key), std::move(initial)), o_(o) {
    schedule_check(o.step_size_up > 0, name_, "step_size_up must be > 0");
    std::vector<double> base = group_values(opt_, key_);
    if (o.base_lr)
      for (double& b : base) b = *o.base_lr;
    for (size_t i = 0; i < num_groups(); ++i) opt_.param_groups()[i].options[key_] = base[i];
    const double down = o.step_size_down ? *o.step_size_down : o.step_size_up;
    total_size_ = o.step_size_up + down;
    step_ratio_ = o.step_size_up / total_size_;
    if (o.cycle_momentum) mkey_ = start_momentum_cycle(o.base_momentum);
    attach();
    initial_step();
    base_ = base;
  }

  std::string momentum_key() const override { return mkey_; }

 protected:
  std::vector<double> compute() override {
    const double t = static_cast<double>(last_epoch_);
    const double cycle = std::floor(1 + t / total_size_);
    const double x = 1. + t / total_size_ - cycle;
    const double s = x <= step_ratio_ ? x / step_ratio_ : (x - 1) / (step_ratio_ - 1);
    double scale = 1.0;
    if (o_.mode == Mode::Triangular2) scale = 1 / std::pow(2., cycle - 1);
    if (o_.mode == Mode::ExpRange) scale = std::pow(o_.gamma, t);
    std::vector<double> v(num_groups());
    for (size_t i = 0; i < v.size(); ++i) {
      const double base_height = (o_.max_lr - base_[i]) * s;
      v[i] = base_[i] + base_height * scale;
    }
    if (!mkey_.empty()) {
      const double base_height = (o_.max_momentum - o_.base_momentum) * s;
      for (auto& g : opt_.param_groups()) g.options[mkey_] = o_.max_momentum - base_height * scale;
    }
    return v;
  }

 private:
  Options o_;
  double total_size_ = 0, step_ratio_ = 0;
  std::string mkey_;
};

inline std::vector<ScheduleArgDef> CyclicScheduler::spec_args() {
  const Options d;
  return {arg::real("base_lr").optional("default: the group's value"),
          arg::real("max_lr").required(),
          arg::real("step_size_up", d.step_size_up).within("> 0"),
          arg::real("step_size_down").optional("default: step_size_up"),
          arg::choice("mode", {"triangular", "triangular2", "exp_range"}),
          arg::real("gamma", d.gamma),
          arg::flag("cycle_momentum", d.cycle_momentum),
          arg::real("base_momentum", d.base_momentum),
          arg::real("max_momentum", d.max_momentum)};
}

inline std::unique_ptr<Scheduler> CyclicScheduler::from_args(const ScheduleArgs& a, Optimizer& opt,
                                                             const std::string& key,
                                                             InitialValues initial) {
  Options o;
  if (a.given("base_lr")) o.base_lr = a.real("base_lr");
  o.max_lr = a.real("max_lr");
  o.step_size_up = a.real("step_size_up");
  if (a.given("step_size_down")) o.step_size_down = a.real("step_size_down");
  const std::string& mode = a.choice("mode");
  o.mode = mode == "triangular"    ? Mode::Triangular
           : mode == "triangular2" ? Mode::Triangular2
                                   : Mode::ExpRange;
  o.gamma = a.real("gamma");
  o.cycle_momentum = a.flag("cycle_momentum");
  o.base_momentum = a.real("base_momentum");
  o.max_momentum = a.real("max_momentum");
  return std::make_unique<CyclicScheduler>(opt, o, key, std::move(initial));
}

}  // namespace descent
