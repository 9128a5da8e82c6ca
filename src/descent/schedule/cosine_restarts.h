#pragma once
// cosine_restarts (PyTorch CosineAnnealingWarmRestarts, SGDR):
//   v_t = eta_min + (v_0 - eta_min) m_mul^k (1 + cos(pi T_cur / T_i)) / 2,
// T_cur counts steps since the last restart and k the restarts so far; the first period is t_0
// steps and each later one t_mult times the previous. m_mul (Keras CosineDecayRestarts, optax
// sgdr's decaying peaks) lowers each period's peak; 1 is PyTorch's schedule. Defaults: t_mult 1,
// eta_min 0, m_mul 1; t_0 is required.
// State: T_i, T_cur and k besides last_epoch (PyTorch keeps the first two).
#include <cmath>
#include <numbers>

#include "descent/schedule/schedule_args.h"
#include "descent/schedule/scheduler.h"

namespace descent {

class CosineRestartsScheduler : public Scheduler {
 public:
  static std::vector<ScheduleArgDef> spec_args() {
    return {arg::integer("t_0").required().within(">= 1"), arg::integer("t_mult", 1).within(">= 1"),
            arg::real("eta_min", 0), arg::real("m_mul", 1).within("in (0, 1]")};
  }
  static std::unique_ptr<Scheduler> from_args(const ScheduleArgs& a, Optimizer& opt,
                                              const std::string& key, InitialValues initial) {
    return std::make_unique<CosineRestartsScheduler>(opt, a.integer("t_0"), a.integer("t_mult"),
                                                     a.real("eta_min"), key, std::move(initial),
                                                     a.real("m_mul"));
  }

  CosineRestartsScheduler(Optimizer& opt, int64_t t_0, int64_t t_mult, double eta_min,
                          std::string key = "lr", InitialValues initial = nullptr, double m_mul = 1)
      : Scheduler("cosine_restarts", opt, std::move(key), std::move(initial)),
        t_0_(t_0),
        t_mult_(t_mult),
        eta_min_(eta_min),
        m_mul_(m_mul),
        t_i_(t_0) {
    schedule_check(m_mul > 0 && m_mul <= 1, name_, "m_mul must be in (0, 1]");
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
      ++restarts_;
    }
    apply(compute());
  }

  void step_at(int64_t epoch) override {
    ++step_count_;
    if (epoch >= t_0_) {
      if (t_mult_ == 1) {
        t_cur_ = static_cast<double>(epoch % t_0_);
        restarts_ = epoch / t_0_;
      } else {
        const double tm = static_cast<double>(t_mult_);
        const int64_t n = static_cast<int64_t>(
            std::log(static_cast<double>(epoch) / static_cast<double>(t_0_) * (tm - 1) + 1) /
            std::log(tm));
        const double tmn = std::pow(tm, static_cast<double>(n));
        t_cur_ = static_cast<double>(epoch) - static_cast<double>(t_0_) * (tmn - 1) / (tm - 1);
        t_i_ = t_0_ * static_cast<int64_t>(tmn);
        restarts_ = n;
      }
    } else {
      t_i_ = t_0_;
      t_cur_ = static_cast<double>(epoch);
      restarts_ = 0;
    }
    last_epoch_ = epoch;
    apply(compute());
  }

 protected:
  std::vector<double> compute() override {
    std::vector<double> v(num_groups());
    const double peak = m_mul_ == 1 ? 1 : std::pow(m_mul_, static_cast<double>(restarts_));
    for (size_t i = 0; i < v.size(); ++i)
      v[i] = eta_min_ + (base_[i] - eta_min_) * peak *
                            (1 + std::cos(std::numbers::pi * t_cur_ / static_cast<double>(t_i_))) /
                            2;
    return v;
  }
  void save_extra(nlohmann::json& s) const override {
    s["t_i"] = t_i_;
    s["t_cur"] = t_cur_;
    s["restarts"] = restarts_;
  }
  void load_extra(const nlohmann::json& s) override {
    t_i_ = s.at("t_i").get<int64_t>();
    t_cur_ = s.at("t_cur").get<double>();
    restarts_ = s.value("restarts", int64_t{0});  // states saved before m_mul have none
  }

 private:
  int64_t t_0_, t_mult_;
  double eta_min_, m_mul_;
  int64_t t_i_;
  int64_t restarts_ = 0;
  double t_cur_ = -1;  // PyTorch starts T_cur at last_epoch (-1)
};

}  // namespace descent
