#pragma once
// reduce_on_plateau (PyTorch ReduceLROnPlateau): after each step(metric), if the metric has not
// improved on the best one for more than `patience` steps, v <- max(v * factor, min_lr), skipped
// when the change is not larger than eps; then `cooldown` steps during which bad steps are not
// counted. Improvement: mode min/rel: m < best (1 - threshold); min/abs: m < best - threshold;
// max/rel: m > best (1 + threshold); max/abs: m > best + threshold.
// Defaults: mode min, factor 0.1, patience 10, threshold 1e-4, threshold_mode rel, cooldown 0,
// min_lr 0 (one value or one per group), eps 1e-8. No initial step: construction changes nothing.
// step() without a metric throws. State: best, num_bad_epochs, cooldown_counter, last_epoch.
#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "descent/schedule/schedule_args.h"
#include "descent/schedule/scheduler.h"

namespace descent {

class ReduceOnPlateauScheduler : public Scheduler {
 public:
  struct Options {
    bool max_mode = false;  // mode: min (false) or max
    double factor = 0.1;
    int64_t patience = 10;
    double threshold = 1e-4;
    bool abs_threshold = false;  // threshold_mode: rel (false) or abs
    int64_t cooldown = 0;
    std::vector<double> min_lr = {0.0};  // one value for every group, or one per group
    double eps = 1e-8;
  };

  ReduceOnPlateauScheduler(Optimizer& opt, const Options& o, std::string key = "lr",
                           InitialValues initial = nullptr)
      : Scheduler("reduce_on_plateau", opt, std::move(key), std::move(initial)), o_(o) {
    schedule_check(o.factor < 1.0, name_, "factor must be < 1");
    schedule_check(o.patience >= 0 && o.cooldown >= 0, name_, "patience and cooldown must be >= 0");
    schedule_check(o.min_lr.size() == 1 || o.min_lr.size() == num_groups(), name_,
                   "expected 1 or " + std::to_string(num_groups()) + " min_lr values");
    if (o_.min_lr.size() == 1) o_.min_lr.assign(num_groups(), o.min_lr[0]);
    best_ = worse();
    last_epoch_ = 0;
    base_ = last_ = group_values(opt_, key_);
  }

  static std::vector<ScheduleArgDef> spec_args();
  static std::unique_ptr<Scheduler> from_args(const ScheduleArgs& a, Optimizer& opt,
                                              const std::string& key, InitialValues initial);

  bool needs_metric() const override { return true; }
  bool restartable() const override { return false; }
  void step() override {
    throw std::logic_error("schedule 'reduce_on_plateau': step() needs a metric, step(metric)");
  }
  void step_at(int64_t) override { step(); }

  void step(double current) override {
    ++last_epoch_;
    if (is_better(current)) {
      best_ = current;
      num_bad_ = 0;
    } else {
      ++num_bad_;
    }
    if (cooldown_counter_ > 0) {
      --cooldown_counter_;
      num_bad_ = 0;  // bad steps during cooldown do not count
    }
    if (num_bad_ > o_.patience) {
      for (size_t i = 0; i < num_groups(); ++i) {
        double& v = opt_.param_groups()[i].options[key_];
        const double new_v = std::max(v * o_.factor, o_.min_lr[i]);
        if (v - new_v > o_.eps) v = new_v;
      }
      cooldown_counter_ = o_.cooldown;
      num_bad_ = 0;
    }
    last_ = group_values(opt_, key_);
  }

  double best() const { return best_; }

 protected:
  std::vector<double> compute() override { return group_values(opt_, key_); }
  void save_extra(nlohmann::json& s) const override {
    // JSON has no infinity: null stands for "nothing seen yet" (PyTorch's mode_worse).
    s["best"] = std::isfinite(best_) ? nlohmann::json(best_) : nlohmann::json(nullptr);
    s["num_bad_epochs"] = num_bad_;
    s["cooldown_counter"] = cooldown_counter_;
  }
  void load_extra(const nlohmann::json& s) override {
    best_ = s.at("best").is_null() ? worse() : s.at("best").get<double>();
    num_bad_ = s.at("num_bad_epochs").get<int64_t>();
    cooldown_counter_ = s.at("cooldown_counter").get<int64_t>();
  }

 private:
  double worse() const {
    return o_.max_mode ? -std::numeric_limits<double>::infinity()
                       : std::numeric_limits<double>::infinity();
  }
  bool is_better(double a) const {
    if (!o_.max_mode && !o_.abs_threshold) return a < best_ * (1. - o_.threshold);
    if (!o_.max_mode) return a < best_ - o_.threshold;
    if (!o_.abs_threshold) return a > best_ * (o_.threshold + 1.);
    return a > best_ + o_.threshold;
  }

  Options o_;
  double best_;
  int64_t num_bad_ = 0, cooldown_counter_ = 0;
};

inline std::vector<ScheduleArgDef> ReduceOnPlateauScheduler::spec_args() {
  const Options d;
  return {arg::choice("mode", {"min", "max"}),
          arg::real("factor", d.factor).within("< 1"),
          arg::integer("patience", d.patience).within(">= 0"),
          arg::real("threshold", d.threshold),
          arg::choice("threshold_mode", {"rel", "abs"}),
          arg::integer("cooldown", d.cooldown).within(">= 0"),
          arg::real_or_reals("min_lr", d.min_lr[0]).within("one value, or one per group"),
          arg::real("eps", d.eps)};
}

inline std::unique_ptr<Scheduler> ReduceOnPlateauScheduler::from_args(const ScheduleArgs& a,
                                                                      Optimizer& opt,
                                                                      const std::string& key,
                                                                      InitialValues initial) {
  Options o;
  o.max_mode = a.choice("mode") == "max";
  o.factor = a.real("factor");
  o.patience = a.integer("patience");
  o.threshold = a.real("threshold");
  o.abs_threshold = a.choice("threshold_mode") == "abs";
  o.cooldown = a.integer("cooldown");
  o.min_lr = a.reals("min_lr");
  o.eps = a.real("eps");
  return std::make_unique<ReduceOnPlateauScheduler>(opt, o, key, std::move(initial));
}

}  // namespace descent
