// descent experiment grid-vs-random: the grids try k values per axis, random search's best only
// improves with trials, a seed repeats its numbers, and at the largest grid's budget random
// search's median is at least as good as the grid.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli_fixtures.h"

namespace test_experiment_grid_vs_random {

using cli_test::CommandTest;
using nlohmann::json;
namespace fs = std::filesystem;

// A CSV file the experiment wrote: its header and its rows of numbers ("inf" read as infinity).
struct Csv {
  std::vector<std::string> header;
  std::vector<std::vector<double>> rows;
  size_t column(const std::string& name) const {
    for (size_t c = 0; c < header.size(); ++c)
      if (header[c] == name) return c;
    ADD_FAILURE() << "no column " << name;
    return 0;
  }
};

Csv read_csv(const fs::path& file) {
  Csv csv;
  std::istringstream in(cli_test::read_text(file));
  std::string line;
  std::getline(in, line);
  std::stringstream head(line);
  for (std::string cell; std::getline(head, cell, ',');) csv.header.push_back(cell);
  while (std::getline(in, line)) {
    std::vector<double> row;
    std::stringstream cells(line);
    for (std::string cell; std::getline(cells, cell, ',');)
      row.push_back(cell == "inf" ? INFINITY : std::stod(cell));
    csv.rows.push_back(row);
  }
  return csv;
}

class GridVsRandom : public CommandTest {
 protected:
  GridVsRandom() : CommandTest("descent-grid-vs-random") {}
  // Runs the quick version into cwd/<dir> without figures, with `sets`, and returns result.json.
  json quick(const std::string& dir, const std::vector<std::string>& sets = {}) {
    const auto r = descent(
        with_sets({"experiment", "grid-vs-random", "--quick", "--out", dir, "--no-figures"}, sets));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::ifstream in(cwd_ / dir / "result.json");
    return json::parse(in);
  }
  std::string refusal(const std::vector<std::string>& sets) {
    const auto r = descent(with_sets(
        {"experiment", "grid-vs-random", "--quick", "--out", "bad", "--no-figures"}, sets));
    EXPECT_NE(r.exit_code, 0);
    EXPECT_FALSE(fs::exists(cwd_ / "bad" / "result.json"));
    return r.err;
  }
};

TEST_F(GridVsRandom, GridsTryKValuesPerAxisAndRandomSearchBeatsTheLargest) {
  const json r = quick("out");
  const json& h = r["headline"];
  const int64_t d = h["hyperparameters"], k = h["grid_k"], budget = h["budget"];
  EXPECT_EQ(d, 4);  // the quick version: 2 important, 2 unimportant
  EXPECT_EQ(budget, static_cast<int64_t>(std::pow(k, d)));
  // The largest grid tries k values of each important hyper-parameter; random search, budget.
  EXPECT_EQ(h["grid_distinct_lr"], k);
  EXPECT_EQ(h["grid_distinct_init_gain"], k);
  EXPECT_EQ(h["random_distinct_lr"], budget);
  EXPECT_EQ(h["random_distinct_init_gain"], budget);

  // Every grid: k^d rows with k distinct values on every axis.
  const Csv grid = read_csv(cwd_ / "out" / "grid.csv");
  ASSERT_EQ(grid.header.size(), static_cast<size_t>(d + 3));  // k, the axes, the two losses
  std::map<int64_t, std::vector<std::set<double>>> values;
  std::map<int64_t, int64_t> rows;
  for (const auto& row : grid.rows) {
    const auto kk = static_cast<int64_t>(row[0]);
    values[kk].resize(static_cast<size_t>(d));
    for (int64_t a = 0; a < d; ++a) values[kk][static_cast<size_t>(a)].insert(row[a + 1]);
    ++rows[kk];
  }
  for (const int64_t kk : {1, 2, 3}) {
    EXPECT_EQ(rows[kk], static_cast<int64_t>(std::pow(kk, d))) << "k = " << kk;
    for (const auto& axis : values[kk]) EXPECT_EQ(axis.size(), static_cast<size_t>(kk));
  }

  // Random search: one row per trial count up to the budget, the best only improving, inside
  // its band.
  const Csv random = read_csv(cwd_ / "out" / "random.csv");
  ASSERT_EQ(random.rows.size(), static_cast<size_t>(budget));
  const size_t lo = random.column("best_q10"), med = random.column("best_median"),
               hi = random.column("best_q90");
  for (size_t n = 0; n < random.rows.size(); ++n) {
    EXPECT_EQ(random.rows[n][0], static_cast<double>(n + 1));
    EXPECT_LE(random.rows[n][lo], random.rows[n][med]);
    EXPECT_LE(random.rows[n][med], random.rows[n][hi]);
    if (n > 0) {
      EXPECT_LE(random.rows[n][lo], random.rows[n - 1][lo]) << "after " << n + 1 << " trials";
      EXPECT_LE(random.rows[n][med], random.rows[n - 1][med]) << "after " << n + 1 << " trials";
      EXPECT_LE(random.rows[n][hi], random.rows[n - 1][hi]) << "after " << n + 1 << " trials";
    }
  }
  EXPECT_EQ(random.rows.back()[med], h["random_best_median"].get<double>());

  // The claim's sign: random search's median at least as good as the grid, and the hyper-
  // parameters called unimportant measured as such.
  EXPECT_LE(h["random_best_median"].get<double>(), h["grid_best"].get<double>()) << h.dump(1);
  EXPECT_TRUE(r["agrees"]) << r.dump(1);
  EXPECT_LT(h["unimportant_largest_sweep_spread"].get<double>(),
            h["important_smallest_sweep_spread"].get<double>())
      << h.dump(1);
  EXPECT_LT(h["unimportant_largest_main_effect"].get<double>(),
            h["important_smallest_main_effect"].get<double>())
      << h.dump(1);
  const json importance = json::parse(cli_test::read_text(cwd_ / "out" / "importance.json"));
  ASSERT_EQ(importance.size(), static_cast<size_t>(d));
  EXPECT_EQ(importance[0]["name"], "lr");
  EXPECT_TRUE(importance[0]["important"]);
  EXPECT_FALSE(importance[3]["important"]);
}

TEST_F(GridVsRandom, TheSameSeedRepeatsItsNumbers) {
  // A small version: two grids, a short pool, two epochs.
  const std::vector<std::string> sets = {"grid_k=1,2", "pool=20",        "repeats=10",
                                         "map_side=2", "sweep_points=2", "epochs=2"};
  const json a = quick("a", sets), b = quick("b", sets);
  EXPECT_EQ(a["headline"], b["headline"]);
  for (const char* file : {"grid.csv", "pool.csv", "random.csv", "budgets.csv", "response.csv"})
    EXPECT_EQ(cli_test::read_text(cwd_ / "a" / file), cli_test::read_text(cwd_ / "b" / file))
        << file;
  EXPECT_EQ(a["headline"]["budget"], 16);
}

TEST_F(GridVsRandom, BadSettingsAreRefusedBeforeAnythingIsWritten) {
  EXPECT_NE(refusal({"important=lr"}).find("important: expected two hyper-parameters"),
            std::string::npos);
  EXPECT_NE(refusal({"unimportant=eps,beta3"})
                .find("unimportant: no hyper-parameter 'beta3' (did you mean 'beta2'?)"),
            std::string::npos);
  EXPECT_NE(refusal({"unimportant=lr,eps"}).find("'lr' is searched twice"), std::string::npos);
  EXPECT_NE(refusal({"pool=50"}).find("pool: 50 points cannot serve a random search"),
            std::string::npos);
}

}  // namespace test_experiment_grid_vs_random
