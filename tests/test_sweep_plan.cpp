// What a sweep varies and its plan, without training: grid and random counts, seeded draws
// that repeat and stay in their ranges, and bad input refused before anything is written.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "cli_fixtures.h"
#include "descent/sweep/search_space.h"
#include "descent/sweep/sweep_plan.h"
#include "throws_with.h"

namespace test_sweep_plan {

namespace fs = std::filesystem;
using namespace descent::sweep;

SearchSpace space(const std::vector<std::string>& grid, const std::vector<std::string>& random,
                  int64_t trials = 1) {
  SearchSpace s;
  for (const auto& g : grid) s.axes.push_back(parse_grid_axis(g));
  for (const auto& r : random) s.axes.push_back(parse_random_axis(r));
  s.trials = trials;
  return s;
}

double value(const Assignment& a, const std::string& key) {
  for (const auto& [k, v] : a)
    if (k == key) return std::stod(v);
  ADD_FAILURE() << "no " << key;
  return NAN;
}

TEST(SweepSpace, GridIsEveryCombinationFirstAxisSlowest) {
  const auto configs =
      configurations(space({"optimizer.lr=0.1,0.01", "train.batch_size=32,64,128"}, {}), 0);
  ASSERT_EQ(configs.size(), 6u);
  EXPECT_EQ(configs[0], (Assignment{{"optimizer.lr", "0.1"}, {"train.batch_size", "32"}}));
  EXPECT_EQ(configs[1], (Assignment{{"optimizer.lr", "0.1"}, {"train.batch_size", "64"}}));
  EXPECT_EQ(configs[5], (Assignment{{"optimizer.lr", "0.01"}, {"train.batch_size", "128"}}));
  // Commas inside brackets belong to one value.
  const Axis betas = parse_grid_axis("optimizer.betas=(0.9,0.999),(0.5,0.9)");
  EXPECT_EQ(betas.values, (std::vector<std::string>{"(0.9,0.999)", "(0.5,0.9)"}));
}

TEST(SweepSpace, RandomDrawsAreSeededInRangeAndSharedAcrossTheGrid) {
  const SearchSpace s = space({"optimizer.name=sgd,adam"},
                              {"optimizer.lr=loguniform(1e-5,1e-1)", "train.batch_size=int(8,12)",
                               "optimizer.weight_decay=uniform(0,0.5)", "model.init=choice(a,b)"},
                              50);
  const auto configs = configurations(s, 7);
  ASSERT_EQ(configs.size(), 100u);
  EXPECT_EQ(configurations(s, 7), configs);  // the same seed samples the same configurations
  EXPECT_NE(configurations(s, 8), configs);
  std::set<double> lrs;
  std::set<int> batches;
  std::set<std::string> inits;
  bool below_1e3 = false, above_1e3 = false;
  for (size_t i = 0; i < 50; ++i) {
    const double lr = value(configs[i], "optimizer.lr");
    EXPECT_GE(lr, 1e-5 * 0.9999);
    EXPECT_LE(lr, 1e-1);
    (lr < 1e-3 ? below_1e3 : above_1e3) = true;
    lrs.insert(lr);
    const double b = value(configs[i], "train.batch_size");
    EXPECT_EQ(b, std::floor(b));
    batches.insert(static_cast<int>(b));
    const double wd = value(configs[i], "optimizer.weight_decay");
    EXPECT_GE(wd, 0);
    EXPECT_LT(wd, 0.5);
    inits.insert(configs[i].back().second);
    // sgd's i-th draw is adam's i-th draw
    Assignment sgd(configs[i].begin() + 1, configs[i].end());
    Assignment adam(configs[50 + i].begin() + 1, configs[50 + i].end());
    EXPECT_EQ(sgd, adam);
    EXPECT_EQ(configs[i][0].second, "sgd");
    EXPECT_EQ(configs[50 + i][0].second, "adam");
  }
  EXPECT_EQ(lrs.size(), 50u);                             // every draw a new value
  EXPECT_TRUE(below_1e3 && above_1e3);                    // log-uniform: both halves of the decades
  EXPECT_EQ(batches, (std::set<int>{8, 9, 10, 11, 12}));  // both ends included
  EXPECT_EQ(inits, (std::set<std::string>{"a", "b"}));
}

TEST(SweepSpace, MalformedAxesAreNamed) {
  using descent::testutil::throws_with;
  using E = std::invalid_argument;
  EXPECT_TRUE(throws_with<E>([] { parse_random_axis("optimizer.lr=normal(0,1)"); },
                             {"unknown distribution 'normal'"}));
  EXPECT_TRUE(throws_with<E>([] { parse_random_axis("optimizer.lr=loguniform(0,1)"); },
                             {"loguniform needs 0 < LO < HI"}));
  EXPECT_TRUE(throws_with<E>([] { parse_random_axis("optimizer.lr=uniform(1,0.5)"); },
                             {"LO must be below HI"}));
  EXPECT_TRUE(throws_with<E>([] { parse_random_axis("optimizer.lr=uniform(1)"); },
                             {"uniform() takes two numbers"}));
  EXPECT_TRUE(throws_with<E>([] { parse_random_axis("optimizer.lr=loguniform(1e-5,1e-1"); },
                             {"expected KEY=uniform(LO,HI)"}));
  EXPECT_TRUE(throws_with<E>([] { parse_random_axis("train.batch_size=int(1.5,4)"); },
                             {"int() takes whole numbers"}));
  EXPECT_TRUE(throws_with<E>([] { parse_grid_axis("optimizer.lr"); },
                             {"--grid 'optimizer.lr': expected KEY=V1,V2"}));
  EXPECT_TRUE(throws_with<E>([] { parse_grid_axis("optimizer.lr=0.1,,0.2"); }, {"an empty value"}));
  EXPECT_TRUE(
      throws_with<E>([] { parse_grid_axis("optimizer.lr=0.1,0.1"); }, {"'0.1' is listed twice"}));
  const SearchSpace twice = space({"optimizer.lr=0.1"}, {"optimizer.lr=uniform(0,1)"});
  EXPECT_TRUE(throws_with<E>([&] { configurations(twice, 0); }, {"'optimizer.lr' is swept twice"}));
}

class SweepPlanTest : public ::testing::Test {
 protected:
  PlanRequest request(const std::vector<std::string>& grid,
                      const std::vector<std::string>& random = {}) {
    PlanRequest r;
    r.dir = tmp_ / "sweep";
    r.sets = {"data.name=moons", "train.epochs=4"};
    r.space = space(grid, random, 3);
    r.seeds = 2;
    return r;
  }
  cli_test::TempDir tmp_{"descent-sweep-plan"};
};

TEST_F(SweepPlanTest, TrialsAreConfigurationsTimesSeeds) {
  PlanRequest r = request({"optimizer.name=sgd,adam"}, {"optimizer.lr=loguniform(1e-3,1)"});
  r.sets.push_back("seed=40");
  const SweepPlan plan = make_plan(r);
  ASSERT_EQ(plan.configurations.size(), 6u);
  ASSERT_EQ(plan.trials.size(), 12u);
  EXPECT_EQ(plan.trials[0].name, "cfg000-seed0");
  EXPECT_EQ(plan.trials[11].name, "cfg005-seed1");
  EXPECT_EQ(plan.seeds, (std::vector<uint64_t>{40, 41}));
  const auto o = plan.overrides(plan.trials[3]);
  EXPECT_EQ(o[0], "data.name=moons");
  EXPECT_EQ(o[3], "optimizer.name=sgd");
  EXPECT_EQ(o.back(), "seed=41");
  EXPECT_FALSE(fs::exists(r.dir));  // planning writes nothing
  // The plan round-trips through sweep.json.
  write_or_check_plan(plan);
  const SweepPlan back = read_plan(r.dir);
  EXPECT_EQ(to_json(back), to_json(plan));
  // The same request again is the same sweep; another one is refused, naming the directory.
  EXPECT_NO_THROW(write_or_check_plan(make_plan(r)));
  PlanRequest other = r;
  other.seeds = 3;
  EXPECT_TRUE(descent::testutil::throws_with<std::runtime_error>(
      [&] { write_or_check_plan(make_plan(other)); }, {"holds another sweep"}));
}

TEST_F(SweepPlanTest, BadConfigurationsAreRefusedBeforeAnythingIsWritten) {
  PlanRequest r = request({"optimizer.lr=0.1,-1"});
  EXPECT_TRUE(descent::testutil::throws_with<std::invalid_argument>(
      [&] { make_plan(r); }, {"sweep configuration 1 (optimizer.lr=-1)"}));
  r = request({"optimizer.lrr=0.1,0.2"});
  EXPECT_TRUE(descent::testutil::throws_with<std::invalid_argument>([&] { make_plan(r); },
                                                                    {"optimizer.lrr"}));
  r = request({"train.batch_size=32,big"});
  EXPECT_TRUE(
      descent::testutil::throws_with<std::invalid_argument>([&] { make_plan(r); }, {"big"}));
  r = request({"optimizer.lr=0.1,0.2"});
  r.sets.push_back("optimizer.lr=0.5");
  EXPECT_TRUE(descent::testutil::throws_with<std::invalid_argument>(
      [&] { make_plan(r); }, {"a key is either set or swept"}));
  r = request({"seed=1,2"});
  EXPECT_TRUE(descent::testutil::throws_with<std::invalid_argument>([&] { make_plan(r); },
                                                                    {"use --seeds K"}));
  r = request({"optimizer.lr=0.1,0.2"});
  r.halving.epochs = {2, 6};
  EXPECT_TRUE(descent::testutil::throws_with<std::invalid_argument>(
      [&] { make_plan(r); }, {"between 1 and train.epochs - 1 (3)"}));
  r.halving.epochs = {2};
  r.metric = parse_metric("test_loss");
  EXPECT_TRUE(descent::testutil::throws_with<std::invalid_argument>(
      [&] { make_plan(r); }, {"ranks trials by an epoch metric"}));
  EXPECT_TRUE(descent::testutil::throws_with<std::invalid_argument>([&] { parse_metric("loss"); },
                                                                    {"expected one of val_loss"}));
  EXPECT_FALSE(fs::exists(r.dir));
}

TEST_F(SweepPlanTest, TheOptimizerKeyTakesSpecsWithSettingsOfTheirOwn) {
  const SweepPlan plan =
      make_plan(request({"optimizer=sgd,[sgd:momentum=0.9,nesterov=true],adam:betas=(0.8,0.9)"},
                        {"optimizer.lr=loguniform(1e-3,1)"}));
  ASSERT_EQ(plan.configurations.size(), 9u);
  const auto o = plan.overrides(plan.trials[2 * 3]);  // the second optimizer's first draw
  EXPECT_NE(std::find(o.begin(), o.end(), "optimizer.name=sgd"), o.end());
  EXPECT_NE(std::find(o.begin(), o.end(), "optimizer.momentum=0.9"), o.end());
  EXPECT_NE(std::find(o.begin(), o.end(), "optimizer.nesterov=true"), o.end());
  EXPECT_EQ(o[o.size() - 2].rfind("optimizer.lr=", 0), 0u);
  // An argument the optimizer does not have is refused before anything runs.
  EXPECT_TRUE(descent::testutil::throws_with<std::invalid_argument>(
      [&] { make_plan(request({"optimizer=sgd,[adam:momentum=0.9]"})); },
      {"sweep configuration 1 (optimizer=[adam:momentum=0.9])", "momentum"}));
}

TEST(SweepMetric, NaNIsWorseAndAccuraciesAreBetterHigher) {
  const Metric loss = parse_metric("val_loss"), acc = parse_metric("val_accuracy");
  EXPECT_TRUE(loss.better(0.1, 0.2));
  EXPECT_TRUE(acc.better(0.9, 0.8));
  EXPECT_TRUE(loss.better(5, NAN));
  EXPECT_FALSE(loss.better(NAN, 5));
  EXPECT_FALSE(acc.better(NAN, 0));
}

}  // namespace test_sweep_plan
