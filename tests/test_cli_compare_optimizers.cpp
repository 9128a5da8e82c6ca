// `descent compare-optimizers`: the performance profile against a hand count, the protocol on two
// small problems (a learning rate from the grid, more seeds at it, ranks, the target reached by
// the best), a second run that finds everything done, and bad input refused before training.
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include <nlohmann/json.hpp>

#include "cli_fixtures.h"
#include "descent/sweep/compare_optimizers.h"

namespace test_cli_compare_optimizers {

namespace fs = std::filesystem;
using cli_test::CommandResult;
using cli_test::read_text;
using nlohmann::json;

TEST(PerformanceProfile, FractionOfProblemsWithinTauOfTheBest) {
  // Three optimizers (rows) on three problems (columns); NaN: diverged, never within any tau.
  const std::vector<std::vector<double>> values = {{1, 2, NAN}, {2, 1, 3}, {1.5, 1.5, 6}};
  const auto p = descent::sweep::performance_profile(values, {1, 1.5, 2, 4});
  const double third = 1.0 / 3;
  const std::vector<std::vector<double>> expected = {
      {third, third, 2 * third, 2 * third}, {2 * third, 2 * third, 1, 1}, {0, 2 * third, 1, 1}};
  ASSERT_EQ(p.size(), 3u);
  for (size_t i = 0; i < 3; ++i)
    for (size_t t = 0; t < 4; ++t) EXPECT_NEAR(p[i][t], expected[i][t], 1e-12) << i << " " << t;
}

class CompareCommand : public cli_test::CommandTest {};

TEST_F(CompareCommand, TunesEachOptimizerThenSeedsItsBestRateAndRanksThem) {
  const std::vector<std::string> args = {"compare-optimizers",
                                         "--quick",
                                         "--problems",
                                         "spirals,sine",
                                         "--optimizers",
                                         "sgd",
                                         "adam",
                                         "--lrs",
                                         "0.01,0.1,1",
                                         "--seeds",
                                         "2",
                                         "--budget",
                                         "3",
                                         "--out",
                                         "c",
                                         "--no-report"};
  const CommandResult r = descent(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = json::parse(read_text(cwd_ / "c" / "results.json"));
  ASSERT_EQ(j["problems"].size(), 4u);
  for (const std::string problem : {"spirals", "sine"}) {
    const json tuning = json::parse(read_text(cwd_ / "c" / problem / "tuning" / "results.json"));
    ASSERT_EQ(tuning["trials"].size(), 6u);  // 2 optimizers x 3 rates, one seed
    std::set<int> ranks;
    double best = INFINITY;
    for (const json& row : j["problems"]) {
      if (row["problem"] != problem) continue;
      ranks.insert(row["rank"].get<int>());
      EXPECT_EQ(row["seeds"], 2);
      const std::string lr = row["best_lr"];
      EXPECT_TRUE(lr == "0.01" || lr == "0.1" || lr == "1") << lr;
      // The best rate is the tuning sweep's best for this optimizer.
      double best_tuned = INFINITY;
      std::string best_tuned_lr;
      for (const json& t : tuning["trials"]) {
        if (t["values"]["optimizer"] != row["optimizer"] || t["val_loss_final"].is_null()) continue;
        if (t["val_loss_final"].get<double>() < best_tuned) {
          best_tuned = t["val_loss_final"];
          best_tuned_lr = t["values"]["optimizer.lr"];
        }
      }
      EXPECT_EQ(lr, best_tuned_lr);
      // Its runs: the tuning run (seed 0) and one more seed (1), whose mean is reported.
      EXPECT_LE(row["val_loss_min"].get<double>(), best_tuned);
      EXPECT_GE(row["val_loss_max"].get<double>(), best_tuned);
      best = std::min(best, row["val_loss_mean"].get<double>());
      if (row["rank"] == 1) {
        EXPECT_GT(row["epochs_to_target"].get<int>(), 0);  // the best reaches its own target
        EXPECT_NEAR(row["target"].get<double>(), 1.1 * row["val_loss_mean"].get<double>(), 1e-9);
      }
    }
    EXPECT_EQ(ranks, (std::set<int>{1, 2}));
    const std::string seeded =
        read_text(cwd_ / "c" / problem / "seeds" / "cfg000-seed0" / "config.toml");
    EXPECT_NE(seeded.find("seed = 1"), std::string::npos);
  }
  // The profile starts at tau = 1, where the fractions of problems won add up to at least 1.
  const json& profile = j["profile"];
  EXPECT_EQ(profile["tau"][0], 1.0);
  double won = 0;
  for (const json& f : profile["fraction"]) won += f[0].get<double>();
  EXPECT_GE(won, 1.0 - 1e-12);
  // The same command again trains nothing and gives the same ranking.
  const CommandResult again = descent(args);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.out.find("trials to train"), std::string::npos) << again.out;
  EXPECT_EQ(json::parse(read_text(cwd_ / "c" / "results.json"))["ranking"], j["ranking"]);
}

TEST_F(CompareCommand, BadInputIsRefusedBeforeTraining) {
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"--problems", "spiral"}, "no benchmark problem 'spiral'"},
      {{"--problems", "sine", "--optimizers", "adam:lr=0.1"}, "give the optimizer without lr"},
      {{"--problems", "sine", "--optimizers", "adamm"}, "adamm"},
      {{"--problems", "sine", "--optimizers", "adam:momentum=0.9"}, "momentum"},
      {{"--problems", "sine", "--lrs", "0.1,0"}, "learning rates must be > 0"},
      {{"--problems", "sine", "--lrs", "0.1,fast"}, "'fast' is not a number"},
  };
  for (const Case& c : cases) {
    std::vector<std::string> args = {"compare-optimizers", "--quick", "--out", "bad"};
    args.insert(args.end(), c.args.begin(), c.args.end());
    const CommandResult r = descent(args);
    EXPECT_EQ(r.exit_code, 1) << c.message;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(cwd_ / "bad")) << c.message;
  }
}

}  // namespace test_cli_compare_optimizers
