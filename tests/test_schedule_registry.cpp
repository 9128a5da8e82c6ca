// The schedule registry: building from a name and parsed arguments (as the configuration does)
// gives the same schedule as the SPEC string; defaults, required keys and valid keys come from the
// declarations.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "descent/optim/sgd.h"
#include "descent/schedule/factory.h"
#include "descent/schedule/linear.h"
#include "descent/schedule/registry.h"
#include "descent/util/spec.h"
#include "throws_with.h"

namespace descent {
namespace test_schedule_registry {

using testutil::throws_with;

std::unique_ptr<Optimizer> sgd(std::vector<double> lrs) {
  std::vector<ParamGroup> groups;
  for (double lr : lrs) {
    ParamGroup g;
    g.params.push_back(Tensor::zeros({1}).requires_grad_());
    g.options["lr"] = lr;
    groups.push_back(g);
  }
  Hyperparams h = SGD::default_hyperparams();
  h["momentum"] = 0.9;
  return std::make_unique<SGD>(groups, h);
}

// Every group's value for rows 0..n-1; a metric that stalls drives reduce_on_plateau.
std::vector<std::vector<double>> rows(Scheduler& s, int n) {
  std::vector<std::vector<double>> out;
  for (int t = 0; t < n; ++t) {
    if (t > 0) s.needs_metric() ? s.step(1.0) : s.step();
    out.push_back(s.values());
  }
  return out;
}

std::vector<std::vector<double>> from_spec(const std::string& spec, int n) {
  auto opt = sgd({0.1, 0.05});
  return rows(*make_scheduler(spec, *opt), n);
}

std::vector<std::vector<double>> from_args(const std::string& name,
                                           std::map<std::string, SpecValue> values, int n) {
  auto opt = sgd({0.1, 0.05});
  SpecArgs args("schedule '" + name + "'", std::move(values));
  return rows(*make_scheduler(name, args, *opt), n);
}

TEST(ScheduleRegistry, NamesComeFromTheRegistry) {
  const auto& names = scheduler_names();
  ASSERT_EQ(names.size(), schedule_registry().size());
  for (size_t i = 0; i < names.size(); ++i) {
    EXPECT_EQ(names[i], schedule_registry()[i].name);
    EXPECT_EQ(&schedule_info(names[i]), &schedule_registry()[i]);
    EXPECT_FALSE(schedule_registry()[i].description.empty()) << names[i];
  }
  EXPECT_TRUE(throws_with<SpecError>(
      [] { schedule_info("cosinus"); },
      {"schedule 'cosinus': unknown (did you mean 'cosine'?) (valid names: step, multistep"}));
}

TEST(ScheduleRegistry, ArraysItemByItemEqualTheSpecText) {
  EXPECT_EQ(from_args("sequential",
                      {{"schedulers", SpecValue::list({"linear:start_factor=0.5,total_iters=2",
                                                       "exponential:gamma=0.9"})},
                       {"milestones", SpecValue::list({"2"})}},
                      12),
            from_spec("sequential:schedulers=[linear:start_factor=0.5,total_iters=2;"
                      "exponential:gamma=0.9],milestones=[2]",
                      12));
  EXPECT_EQ(
      from_args("chained",
                {{"schedulers", SpecValue("[constant:factor=0.5,total_iters=3;"
                                          "exponential:gamma=0.9]")}},
                8),
      from_spec("chained:schedulers=[constant:factor=0.5,total_iters=3;exponential:gamma=0.9]", 8));
  EXPECT_EQ(from_args("multistep", {{"milestones", SpecValue::list({"2", "5"})}}, 8),
            from_spec("multistep:milestones=[2,5]", 8));
}

TEST(ScheduleRegistry, PlateauMinLrIsOneValueOrOnePerGroup) {
  const auto per_group = from_spec("reduce_on_plateau:patience=0,min_lr=[0.02,0.04]", 6);
  EXPECT_EQ(per_group.back(), (std::vector<double>{0.02, 0.04}));
  EXPECT_EQ(
      from_args("reduce_on_plateau",
                {{"patience", SpecValue("0")}, {"min_lr", SpecValue::list({"0.02", "0.04"})}}, 6),
      per_group);
  const auto one = from_spec("reduce_on_plateau:patience=0,min_lr=0.03", 6);
  EXPECT_EQ(one.back(), (std::vector<double>{0.03, 0.03}));
  EXPECT_EQ(from_args("reduce_on_plateau",
                      {{"patience", SpecValue("0")}, {"min_lr", SpecValue("0.03")}}, 6),
            one);
}

TEST(ScheduleRegistry, DefaultsComeFromTheDeclarations) {
  // linear without arguments is LinearScheduler with the declared defaults (PyTorch's).
  auto opt = sgd({0.1, 0.05});
  LinearScheduler direct(*opt, 1.0 / 3, 1.0, 5);
  EXPECT_EQ(from_spec("linear", 8), rows(direct, 8));
  const auto& defs = schedule_info("linear").args;
  ASSERT_EQ(defs.size(), 3u);
  EXPECT_EQ(defs[0].usage(), "start_factor=0.3333333333333333 (in (0, 1])");
  EXPECT_EQ(defs[2].usage(), "total_iters=5 (>= 1)");
}

TEST(ScheduleRegistry, ArgumentErrorsNameTheContext) {
  auto opt = sgd({0.1});
  SpecArgs missing("config [schedule]", std::map<std::string, SpecValue>{});
  EXPECT_TRUE(throws_with<SpecError>([&] { make_scheduler("cosine", missing, *opt); },
                                     {"config [schedule]: missing required key 't_max'"}));
  // Every declared key is valid, including those without a default.
  SpecArgs typo(
      "config [schedule]",
      std::map<std::string, SpecValue>{{"max_lr", SpecValue("1")}, {"base_lrr", SpecValue("0.1")}});
  EXPECT_TRUE(throws_with<SpecError>(
      [&] { make_scheduler("cyclic", typo, *opt); },
      {"unknown key 'base_lrr' (valid keys: base_lr, base_momentum, cycle_momentum, gamma, max_lr, "
       "max_momentum, mode, step_size_down, step_size_up)"}));
  SpecArgs array("config [schedule]",
                 std::map<std::string, SpecValue>{{"t_max", SpecValue::list({"3", "4"})}});
  EXPECT_TRUE(throws_with<SpecError>([&] { make_scheduler("cosine", array, *opt); },
                                     {"t_max=[3, 4] is not valid (expected an integer)"}));
}

}  // namespace test_schedule_registry
}  // namespace descent
