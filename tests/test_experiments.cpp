// descent experiment: the command, its settings and directories (experiments/run.h), and each
// experiment's quick version asserting the shape of what it measured.
#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include <nlohmann/json.hpp>

#include "cli_fixtures.h"
#include "descent/experiments/experiment.h"
#include "descent/experiments/registry.h"

namespace test_experiments {

using cli_test::CommandTest;
using nlohmann::json;
namespace fs = std::filesystem;
namespace ex = descent::experiments;

json read_json(const fs::path& file) {
  std::ifstream in(file);
  return json::parse(in);
}

class ExperimentCommand : public CommandTest {
 protected:
  ExperimentCommand() : CommandTest("descent-experiment") {}
  // Runs `name --quick` into cwd/<dir> and returns its result.json.
  json quick(const std::string& name, const std::vector<std::string>& extra = {},
             const std::string& dir = "out") {
    std::vector<std::string> args = {"experiment", name, "--quick", "--out", dir};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto r = descent(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return read_json(cwd_ / dir / "result.json");
  }
};

TEST(ExperimentParams, DefaultsFollowQuickAndOverridesAreChecked) {
  using K = ex::Param::Kind;
  const std::vector<ex::Param> declared = {{"n", K::Integer, "100", "10", ""},
                                           {"rates", K::Numbers, "0.1,1", "0.5", ""}};
  EXPECT_EQ(ex::Params(declared, false, {}).integer("n"), 100);
  EXPECT_EQ(ex::Params(declared, true, {}).integer("n"), 10);
  EXPECT_EQ(ex::Params(declared, true, {"rates=[0.25, 2]"}).numbers("rates"),
            (std::vector<double>{0.25, 2}));
  auto refusal = [&](const std::string& set) {
    try {
      ex::Params(declared, false, {set});
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_EQ(refusal("m=3"),
            "--set m: not a setting of this experiment (did you mean 'n'?); its settings: n, "
            "rates");
  EXPECT_EQ(refusal("n=2.5"), "n = '2.5': expected an integer");
  EXPECT_EQ(refusal("rates=1,x"), "rates = '1,x': expected a list of numbers, e.g. 0.01,0.1,1");
  EXPECT_EQ(refusal("n"), "--set 'n': expected KEY=VALUE");
}

TEST(ExperimentRegistry, NamesAreUniqueAndUnknownOnesAreRefusedWithAGuess) {
  std::set<std::string> names;
  for (const ex::Experiment& e : ex::all_experiments()) {
    EXPECT_TRUE(names.insert(e.name).second) << e.name;
    EXPECT_FALSE(e.shows.empty() || e.claim.empty()) << e.name;
    for (bool quick : {false, true})  // both versions' defaults are valid
      EXPECT_NO_THROW(ex::Params(e.params, quick, {})) << e.name;
  }
  try {
    ex::find_experiment("curse-of-dimension");
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(),
                 "no experiment 'curse-of-dimension' (did you mean 'curse-of-dimensionality'?); "
                 "descent experiment --list shows them");
  }
}

TEST_F(ExperimentCommand, ListNamesEveryExperimentAndOneExperimentsSettings) {
  const auto all = descent({"experiment", "--list"});
  ASSERT_EQ(all.exit_code, 0) << all.err;
  for (const ex::Experiment& e : ex::all_experiments())
    EXPECT_NE(all.out.find(e.name), std::string::npos) << e.name;
  const auto one = descent({"experiment", "--list", "curse-of-dimensionality"});
  ASSERT_EQ(one.exit_code, 0) << one.err;
  EXPECT_NE(one.out.find("samples (integer): 1000000  [quick: 20000]"), std::string::npos)
      << one.out;
}

TEST_F(ExperimentCommand, BadSettingIsRefusedBeforeTheDirectoryIsMade) {
  const auto r = descent(
      {"experiment", "curse-of-dimensionality", "--quick", "--out", "x", "--set", "dims=1,two"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("dims = '1,two': expected a list of integers"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(cwd_ / "x"));
}

TEST_F(ExperimentCommand, RerunReplacesItsOwnResultsButNotAnotherDirectorysFiles) {
  quick("curse-of-dimensionality", {"--no-figures"});
  ASSERT_TRUE(fs::exists(cwd_ / "out" / "volume.csv"));
  const json again = quick("curse-of-dimensionality", {"--no-figures", "--seed", "3"});
  EXPECT_EQ(again["seed"], 3);
  fs::create_directories(cwd_ / "busy");
  std::ofstream(cwd_ / "busy" / "notes.txt") << "mine";
  const auto r = descent({"experiment", "curse-of-dimensionality", "--quick", "--out", "busy"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("busy"), std::string::npos) << r.err;
  EXPECT_TRUE(fs::exists(cwd_ / "busy" / "notes.txt"));
}

TEST_F(ExperimentCommand, CurseOfDimensionalityBallVanishesAndDistancesConcentrate) {
  const json r = quick("curse-of-dimensionality");
  EXPECT_TRUE(r["agrees"]) << r.dump(1);
  const json& h = r["headline"];
  EXPECT_NEAR(h["ball_to_cube_d10"].get<double>(), 0.0024902, 1e-6);  // pi^5 / 120 / 1024
  EXPECT_LT(h["monte_carlo_worst_z"].get<double>(), 4);
  EXPECT_LT(h["contrast_highest_d"].get<double>(), h["contrast_lowest_d"].get<double>() / 100);
  for (const char* f : {"curse-of-dimensionality.html", "curse-of-dimensionality-volume.png",
                        "curse-of-dimensionality-contrast.png", "volume.csv", "distances.csv"})
    EXPECT_TRUE(fs::exists(cwd_ / "out" / f)) << f;
}

}  // namespace test_experiments

namespace test_experiments {

TEST_F(ExperimentCommand, UniversalApproximationSquareStopsAtTheQuadraticWhileTanhKeepsFalling) {
  const json r = quick("universal-approximation", {"--no-figures"});
  EXPECT_TRUE(r["agrees"]) << r.dump(1);
  const json& h = r["headline"];
  const double floor = h["best_quadratic_rmse"];
  // No width takes the square network below the best parabola, and it does not improve.
  EXPECT_GE(h["square_rmse_best_over_floor"].get<double>(), 0.999);
  EXPECT_NEAR(h["square_rmse_widest"].get<double>(), h["square_rmse_narrowest"].get<double>(),
              0.01 * floor);
  EXPECT_LT(h["tanh_rmse_widest"].get<double>(), h["tanh_rmse_narrowest"].get<double>() / 2);
  EXPECT_LT(h["tanh_rmse_widest"].get<double>(), floor / 2);
  EXPECT_LT(h["tanh_spirals_misclassified_widest"].get<double>(),
            h["square_spirals_misclassified_widest"].get<double>());
}

}  // namespace test_experiments

namespace test_experiments {

TEST_F(ExperimentCommand, BiasVarianceTracesAU) {
  const json r = quick("bias-variance", {"--no-figures"});
  EXPECT_TRUE(r["agrees"]) << r.dump(1);
  const json& h = r["headline"];
  const int best = h["best_degree"];
  EXPECT_GT(best, 0);
  EXPECT_LT(best, r["params"]["max_degree"].get<int>());
  EXPECT_LT(h["test_error_best"].get<double>(), h["test_error_degree_0"].get<double>());
  EXPECT_LT(h["test_error_best"].get<double>(), h["test_error_max_degree"].get<double>());
  EXPECT_LT(h["bias2_max_degree"].get<double>(), h["bias2_degree_0"].get<double>() / 10);
  EXPECT_GT(h["variance_max_degree"].get<double>(), h["variance_degree_0"].get<double>() * 10);
}

}  // namespace test_experiments

namespace test_experiments {

TEST_F(ExperimentCommand, DoubleDescentPeaksAtTheInterpolationThreshold) {
  const json r = quick("double-descent", {"--no-figures"});
  EXPECT_TRUE(r["agrees"]) << r.dump(1);
  const json& h = r["headline"];
  const double n = h["threshold_features"];
  EXPECT_GE(h["peak_features"].get<double>(), 0.7 * n);
  EXPECT_LE(h["peak_features"].get<double>(), 1.4 * n);
  EXPECT_GT(h["peak_test_error"].get<double>(), h["best_test_error_below_threshold"].get<double>());
  EXPECT_LT(h["widest_test_error"].get<double>(), h["peak_test_error"].get<double>());
  EXPECT_LT(h["widest_test_mse"].get<double>(), h["peak_test_mse"].get<double>() / 10);
}

}  // namespace test_experiments
