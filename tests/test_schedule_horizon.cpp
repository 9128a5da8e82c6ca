// Schedule horizons (ScheduleHorizon, schedule/horizon.h): every family in the registry declares
// one or none; where it says a schedule has done what it plans, the value indeed stops changing
// (or, for a decay, has reached its end); compositions take their parts'; horizon_mismatch says
// what does not fit a run and which setting fits it.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "descent/optim/sgd.h"
#include "descent/schedule/factory.h"
#include "descent/schedule/horizon.h"
#include "descent/schedule/registry.h"

namespace descent {
namespace test_schedule_horizon {

std::unique_ptr<Optimizer> sgd() {
  ParamGroup g;
  g.params.push_back(Tensor::zeros({1}).requires_grad_());
  g.options["lr"] = 0.1;
  Hyperparams h = SGD::default_hyperparams();
  h["momentum"] = 0.9;
  return std::make_unique<SGD>(std::vector<ParamGroup>{g}, h);
}

// The first group's value at rows 0..n.
std::vector<double> values(const std::string& spec, int64_t n) {
  auto opt = sgd();
  auto s = make_scheduler(spec, *opt);
  std::vector<double> v = {s->values()[0]};
  for (int64_t t = 1; t <= n; ++t) {
    s->needs_metric() ? s->step(1.0) : s->step();
    v.push_back(s->values()[0]);
  }
  return v;
}

std::optional<ScheduleHorizon> horizon_of(const std::string& spec) {
  auto opt = sgd();
  return make_scheduler(spec, *opt)->horizon();
}

struct Expected {
  std::string spec;
  int64_t length;  // 0: no horizon
  bool ends_with_run = false;
  std::string setting;
};

// One spec per family: a family added to the registry must be given its expectation here.
const std::map<std::string, Expected>& expectations() {
  static const std::map<std::string, Expected> table = {
      {"step", {"step:step_size=3", 0, false, ""}},
      {"multistep", {"multistep:milestones=[2,7]", 7, false, "milestones"}},
      {"exponential", {"exponential:gamma=0.9", 0, false, ""}},
      {"cosine", {"cosine:t_max=8,eta_min=0.01", 8, true, "t_max"}},
      {"cosine_restarts", {"cosine_restarts:t_0=4", 0, false, ""}},
      {"cyclic", {"cyclic:max_lr=1,step_size_up=3", 0, false, ""}},
      {"onecycle", {"onecycle:max_lr=1,epochs=3,steps_per_epoch=4", 12, true, "total_steps"}},
      {"linear", {"linear:start_factor=1,end_factor=0.1,total_iters=6", 6, true, "total_iters"}},
      {"constant", {"constant:factor=0.5,total_iters=4", 4, false, "total_iters"}},
      {"polynomial", {"polynomial:total_iters=5,power=2", 5, true, "total_iters"}},
      {"multiplicative", {"multiplicative:factor=0.9", 0, false, ""}},
      {"sequential",
       {"sequential:schedulers=[linear_warmup:warmup_steps=3;cosine:t_max=6],milestones=[3]", 9,
        true, "t_max"}},
      {"chained",
       {"chained:schedulers=[constant:factor=0.5,total_iters=2;polynomial:total_iters=7]", 7, true,
        "total_iters"}},
      {"reduce_on_plateau", {"reduce_on_plateau", 0, false, ""}},
      {"inverse_time", {"inverse_time:decay=0.5", 0, false, ""}},
      {"inverse_time_decay", {"inverse_time_decay:decay_rate=0.5,decay_steps=2", 0, false, ""}},
      {"inverse_sqrt", {"inverse_sqrt:warmup_steps=4", 4, false, "warmup_steps"}},
      {"exponential_epoch", {"exponential_epoch:gamma=0.9", 0, false, ""}},
      {"piecewise_constant",
       {"piecewise_constant:boundaries=[2,5],factors=[1,0.5,0.1]", 6, false, "boundaries"}},
      {"linear_then_constant", {"linear_then_constant:tau=5", 5, false, "tau"}},
      {"linear_warmup", {"linear_warmup:warmup_steps=4", 4, false, "warmup_steps"}},
      {"wsd", {"wsd:total_steps=10,decay_steps=4,warmup_steps=2", 10, true, "total_steps"}},
      {"warmup_cosine",
       {"warmup_cosine:warmup_steps=2,decay_steps=8,end_factor=0.1", 8, true, "decay_steps"}},
      {"rex", {"rex:total_steps=6,min_factor=0.1", 6, true, "total_steps"}},
      {"polynomial_decay",
       {"polynomial_decay:decay_steps=5,end_factor=0.2", 5, true, "decay_steps"}},
      {"piecewise_linear", {"piecewise_linear:steps=[0,3,7],factors=[0,1,0.2]", 7, false, "steps"}},
  };
  return table;
}

TEST(ScheduleHorizon, EveryFamilyDeclaresOneOrNone) {
  for (const std::string& name : scheduler_names()) {
    ASSERT_TRUE(expectations().count(name)) << name << ": add its expected horizon here";
    const Expected& e = expectations().at(name);
    const std::optional<ScheduleHorizon> h = horizon_of(e.spec);
    if (e.length == 0) {
      EXPECT_FALSE(h.has_value()) << e.spec;
      continue;
    }
    ASSERT_TRUE(h.has_value()) << e.spec;
    EXPECT_EQ(h->length, e.length) << e.spec;
    EXPECT_EQ(h->ends_with_run, e.ends_with_run) << e.spec;
    EXPECT_EQ(h->setting, e.setting) << e.spec;
    EXPECT_FALSE(h->past.empty()) << e.spec;
  }
}

// What a horizon claims about the values: a phase holds its value from row `length` on; a decay
// reaches its last value there and changes after it (or, onecycle, cannot be stepped).
TEST(ScheduleHorizon, ValuesSettleAtTheHorizon) {
  for (const auto& [name, e] : expectations()) {
    if (e.length == 0) continue;
    if (name == "onecycle") {
      EXPECT_NO_THROW(values(e.spec, e.length));
      EXPECT_THROW(values(e.spec, e.length + 1), std::out_of_range);
      continue;
    }
    const std::vector<double> v = values(e.spec, e.length + 4);
    const double at = v[static_cast<size_t>(e.length)];
    EXPECT_NE(v[static_cast<size_t>(e.length - 1)], at) << e.spec << ": still moving before";
    // inverse_sqrt's horizon is its warmup's end; the 1/sqrt(t) decay after it has none.
    if (!e.ends_with_run && name != "inverse_sqrt") {
      for (size_t t = static_cast<size_t>(e.length); t < v.size(); ++t)
        EXPECT_DOUBLE_EQ(v[t], at) << e.spec << " row " << t;
    }
  }
  // The decays' ends: eta_min, 0, end_factor.
  EXPECT_NEAR(values("cosine:t_max=8,eta_min=0.01", 8).back(), 0.01, 1e-12);
  EXPECT_NEAR(values("polynomial:total_iters=5,power=2", 5).back(), 0.0, 1e-12);
  EXPECT_NEAR(values("linear:start_factor=1,end_factor=0.1,total_iters=6", 6).back(), 0.01, 1e-12);
  // And past it, the cosine climbs back up (what the warning says).
  const std::vector<double> cosine = values("cosine:t_max=8,eta_min=0.01", 10);
  EXPECT_GT(cosine[10], cosine[9]);
  EXPECT_GT(cosine[9], cosine[8]);
}

TEST(ScheduleHorizon, LinearIsADecayOnlyWhenItGoesDown) {
  const auto warmup = horizon_of("linear:start_factor=0.1,end_factor=1,total_iters=5");
  ASSERT_TRUE(warmup.has_value());
  EXPECT_FALSE(warmup->ends_with_run);
  const auto decay = horizon_of("linear:start_factor=1,end_factor=0.5,total_iters=5");
  ASSERT_TRUE(decay.has_value());
  EXPECT_TRUE(decay->ends_with_run);
}

TEST(ScheduleHorizon, SequenceCountsItsLastPartFromTheLastMilestone) {
  const auto h = horizon_of(
      "sequential:schedulers=[linear_warmup:warmup_steps=50;cosine:t_max=250],"
      "milestones=[50]");
  ASSERT_TRUE(h.has_value());
  EXPECT_EQ(h->length, 300);
  EXPECT_EQ(h->offset, 50);
  EXPECT_EQ(h->part, "part 2 (cosine)");
  // A last part without an end: the sequence is planned up to its last milestone.
  const auto open = horizon_of(
      "sequential:schedulers=[linear_warmup:warmup_steps=5;exponential:gamma=0.9],"
      "milestones=[5]");
  ASSERT_TRUE(open.has_value());
  EXPECT_EQ(open->length, 5);
  EXPECT_FALSE(open->ends_with_run);
  EXPECT_EQ(open->setting, "milestones");
  EXPECT_FALSE(horizon_of("chained:schedulers=[exponential:gamma=0.9;step:step_size=2]"));
}

std::string mismatch(const std::string& spec, int64_t run, const std::string& unit) {
  auto opt = sgd();
  return horizon_mismatch(*make_scheduler(spec, *opt), run, unit, "schedule");
}

TEST(ScheduleHorizon, MismatchNamesTheSettingThatFits) {
  EXPECT_EQ(mismatch("cosine:t_max=10", 10, "epoch"), "");
  EXPECT_EQ(mismatch("exponential:gamma=0.9", 10, "epoch"), "") << "no horizon, nothing to check";
  EXPECT_EQ(mismatch("linear_warmup:warmup_steps=5", 10, "optimizer step"), "")
      << "a warmup only has to fit";
  EXPECT_EQ(mismatch("cosine:t_max=6", 10, "epoch"),
            "schedule cosine: t_max ends at epoch 6, the run takes 10 epochs: past epoch 6 the "
            "lr climbs back up (a cosine of period 2 t_max); set schedule.t_max=10");
  EXPECT_EQ(mismatch("cosine:t_max=60", 40, "epoch"),
            "schedule cosine: t_max ends at epoch 60, the run takes 40 epochs: the run stops "
            "before then; set schedule.t_max=40");
  EXPECT_EQ(mismatch("sequential:schedulers=[linear_warmup:warmup_steps=50;cosine:t_max=250],"
                     "milestones=[50]",
                     316, "optimizer step"),
            "schedule sequential: t_max of part 2 (cosine) ends at optimizer step 300, the run "
            "takes 316 optimizer steps: past optimizer step 300 the lr climbs back up (a cosine "
            "of period 2 t_max); set t_max=266 in part 2 (cosine) of schedule.schedulers");
  EXPECT_EQ(mismatch("linear_warmup:warmup_steps=500", 316, "optimizer step"),
            "schedule linear_warmup: warmup_steps ends at optimizer step 500, the run takes 316 "
            "optimizer steps: the run stops before then; set schedule.warmup_steps to at most "
            "316, or train longer");
  EXPECT_NE(mismatch("sequential:schedulers=[linear_warmup:warmup_steps=50;cosine:t_max=250],"
                     "milestones=[50]",
                     30, "optimizer step")
                .find("the run stops before part 2 (cosine) starts at optimizer step 50; lower "
                      "schedule.milestones"),
            std::string::npos);
  EXPECT_NE(mismatch("onecycle:max_lr=1,total_steps=20", 30, "optimizer step")
                .find("training fails with an error; set schedule.total_steps=30"),
            std::string::npos);
}

}  // namespace test_schedule_horizon
}  // namespace descent
