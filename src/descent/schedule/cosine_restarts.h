#pragma once
// cosine_restarts (PyTorch CosineAnnealingWarmRestarts, SGDR):
//   v_t = eta_min + (v_0 - eta_min) (1 + cos(pi T_cur / T_i)) / 2,
// T_cur counts steps since the last restart; the first period is t_0 steps and each later one
// t_mult times the previous. Defaults: t_mult 1, eta_min 0; t_0 is required.
// State: T_i and T_cur besides last_epoch (PyTorch keeps the same).
#include <cmath>
#include <numbers>

#include "descent/schedule/schedule_args.h"
#include "descent/schedule/scheduler.h"

namespace descent {

class CosineRestartsScheduler : public Scheduler {
 public:
  static std::vector<ScheduleArgDef> spec_args() {
    return {arg::integer("t_0").required().within(">= 1"), arg::integer("t_mult", 1).within(">= 1"),
            arg::real("eta_min", 0)};
  }
  static std::unique_ptr<Scheduler> from_args(const ScheduleArgs& a, Optimizer& opt,
                                              const std::string& key, InitialValues initial) {
    return std::make_unique<CosineRestartsScheduler>(opt, a.integer("t_0"), a.integer("t_mult"),
                                                     a.real("eta_min"), key, std::move(initial));
  }

  CosineRestartsScheduler(Optimizer& opt, int64_t t_0, int64_t t_mult, double eta_min,
                          std::string key = "lr", InitialValues initial = nullptr)
      : Scheduler("cosine_restarts", opt, std::move(key), std::move(initial)),
        t_0_(t_0),
        t_mult_(t_mult),
        eta_min_(eta_min),
        t_i_(t_0) {
    schedule_check(t_0 > 0, name_, "t_0 must be a positive integer");
    schedule_check(t_mult >= 1, name_, "t_mult must be an integer >= 1");
    attach();
    initial_step();
  }

  void step() override {
    if (last_epoch_ < 0) return step_at(0);
    ++step_count_;
    ++last_epoch_;
    t_cur_ += 1;
    if (t_cur_ >= static_cast<double>(t_i_)) {
      t_cur_ -= static_cast<double>(t_i_);
      t_i_ *= t_mult_;
    }
    apply(compute());
  }

  void step_at(int64_t epoch) override {
    ++step_count_;
    if (epoch >= t_0_) {
      if (t_mult_ == 1) {
        t_cur_ = static_cast<double>(epoch % t_0_);
      } else {
        const double tm = static_cast<double>(t_mult_);
        const int64_t n = static_cast<int64_t>(
            std::log(static_cast<double>(epoch) / static_cast<double>(t_0_) * (tm - 1) + 1) /
            std::log(tm));
        const double tmn = std::pow(tm, static_cast<double>(n));
        t_cur_ = static_cast<double>(epoch) - static_cast<double>(t_0_) * (tmn - 1) / (tm - 1);
        t_i_ = t_0_ * static_cast<int64_t>(tmn);
      }
    } else {
      t_i_ = t_0_;
      t_cur_ = static_cast<double>(epoch);
    }
    last_epoch_ = epoch;
    apply(compute());
  }

 protected:
  std::vector<double> compute() override {
    std::vector<double> v(num_groups());
    for (size_t i = 0; i < v.size(); ++i)
      v[i] = eta_min_ + (base_[i] - eta_min_) *
                            (1 + std::cos(std::numbers::pi * t_cur_ / static_cast<double>(t_i_))) /
                            2;
    return v;
  }
  void save_extra(nlohmann::json& s) const override {
    s["t_i"] = t_i_;
    s["t_cur"] = t_cur_;
  }
  void load_extra(const nlohmann::json& s) override {
    t_i_ = s.at("t_i").get<int64_t>();
    t_cur_ = s.at("t_cur").get<double>();
  }

 private:
  int64_t t_0_, t_mult_;
  double eta_min_;
  int64_t t_i_;
  double t_cur_ = -1;  // PyTorch starts T_cur at last_epoch (-1)
};

}  // namespace descent
