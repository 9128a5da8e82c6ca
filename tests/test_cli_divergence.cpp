// End-to-end: diverging runs are told apart from learning ones. `descent train` with an exploding
// loss or a classifier stuck at chance says so with a hint, records it in summary.json and exits
// with status 4 (train.divergence: "stop" after that epoch, "warn" trains on, "off" does not
// check); `descent optimize` stops a path that runs away (exit 4) or reaches a NaN or Inf (exit 3)
// and keeps the others.
#include <gtest/gtest.h>

#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli_fixtures.h"

namespace test_cli_divergence {

namespace fs = std::filesystem;
using cli_test::CommandResult;
using cli_test::read_jsonl;
using cli_test::read_text;
using nlohmann::json;

class CliDivergence : public cli_test::CommandTest {
 protected:
  CliDivergence() : CommandTest("descent-cli-divergence") {}

  // Spirals, a small ReLU network and plain SGD at `lr`: 7 steps an epoch. At lr 100 the loss
  // goes from 1.07 to 2e4 by the third step and stays finite.
  CommandResult train_spirals(const fs::path& out, const std::string& lr,
                              const std::vector<std::string>& extra = {}) {
    const auto args =
        with_sets({"train", "--out", out.string(), "--no-report"},
                  {"data.name=spirals", R"(model.layers=["linear:out=32", "relu", "linear:out=3"])",
                   "optimizer.name=sgd", "optimizer.lr=" + lr, "train.epochs=3"});
    return descent(with_sets(args, extra));
  }
};

TEST_F(CliDivergence, ExplodingLossStopsAfterItsEpochWithStatusFour) {
  const fs::path run = tmp_ / "run";
  const CommandResult r = train_spirals(run, "100");
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;
  EXPECT_NE(r.err.find("descent: error: training diverged: the loss exploded: "), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("times the first step's"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("; stopped after epoch 1\n"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("try a smaller learning rate (--set optimizer.lr=10) or gradient clipping "
                       "(--set clip.max_norm=1)"),
            std::string::npos)
      << r.err;
  const json summary = json::parse(read_text(run / "summary.json"));
  EXPECT_EQ(summary.at("stop_reason"), "diverged");
  EXPECT_EQ(summary.at("diverged"), true);
  const std::string divergence = summary.at("divergence");
  EXPECT_EQ(divergence.rfind("the loss exploded: ", 0), 0u) << divergence;
  EXPECT_NE(r.err.find(divergence), std::string::npos);
  EXPECT_EQ(summary.at("epochs"), 1) << "stopped after the epoch it was found in";
  EXPECT_EQ(read_jsonl(run / "metrics.jsonl").size(), 1u);
  // The weights are finite: written, evaluated and named.
  EXPECT_TRUE(fs::exists(run / "model.safetensors"));
  EXPECT_EQ(summary.at("weights_epoch"), 1);
  EXPECT_TRUE(summary.at("test_loss").is_number());
  EXPECT_NE(r.out.find("(weights of epoch 1, the last"), std::string::npos) << r.out;
}

TEST_F(CliDivergence, WarnTrainsOnToTheEndAndStillExitsFour) {
  const fs::path run = tmp_ / "run";
  const CommandResult r = train_spirals(run, "100", {"train.divergence=warn"});
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;
  EXPECT_NE(r.err.find("descent: warning: training is diverging: the loss exploded: "),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("it trained on to the end (train.divergence = \"warn\")"), std::string::npos)
      << r.err;
  const json summary = json::parse(read_text(run / "summary.json"));
  EXPECT_EQ(summary.at("stop_reason"), "completed");
  EXPECT_EQ(summary.at("epochs"), 3);
  EXPECT_EQ(summary.at("diverged"), true);
  EXPECT_EQ(summary.at("weights_epoch"), 3);
  EXPECT_NE(read_text(run / "config.toml").find("divergence = 'warn'"), std::string::npos);
}

TEST_F(CliDivergence, OffDoesNotCheckAndALearningRunIsNotFlagged) {
  const fs::path off = tmp_ / "off", healthy = tmp_ / "healthy";
  const CommandResult r = train_spirals(off, "100", {"train.divergence=off"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err.find("diverg"), std::string::npos) << r.err;
  EXPECT_FALSE(json::parse(read_text(off / "summary.json")).contains("diverged"));

  const CommandResult ok = train_spirals(healthy, "0.1");
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  const json summary = json::parse(read_text(healthy / "summary.json"));
  EXPECT_EQ(summary.at("diverged"), false);
  EXPECT_FALSE(summary.contains("divergence"));
  EXPECT_EQ(read_text(healthy / "config.toml").find("divergence"), std::string::npos)
      << "left out at its default";
}

TEST_F(CliDivergence, FactorSetsWhatCountsAsExploding) {
  // At lr 5 the loss peaks at about 3.6 times its start: not 10 times, but 2 times.
  const fs::path calm = tmp_ / "calm", strict = tmp_ / "strict";
  const CommandResult a = train_spirals(calm, "5");
  ASSERT_EQ(a.exit_code, 0) << a.err;
  const CommandResult b = train_spirals(strict, "5", {"train.divergence_factor=2"});
  EXPECT_EQ(b.exit_code, 4) << b.err;
  EXPECT_EQ(json::parse(read_text(strict / "summary.json")).at("stop_reason"), "diverged");
}

// No signal in the inputs (every feature 0), balanced labels: the network can learn nothing but
// the class shares, so it stays at exactly 0.5 with the loss at its start.
TEST_F(CliDivergence, ClassifierAtChanceIsCaught) {
  std::ostringstream train, test;
  train << "a,b,label\n";
  test << "a,b,label\n";
  for (int i = 0; i < 400; ++i) train << "0,0," << i % 2 << "\n";
  for (int i = 0; i < 40; ++i) test << "0,0," << i % 2 << "\n";
  cli_test::write_text(tmp_ / "train.csv", train.str());
  cli_test::write_text(tmp_ / "test.csv", test.str());
  const fs::path run = tmp_ / "run";
  const CommandResult r =
      descent({"train", "--out", run.string(), "--no-report", "--set", "data.name=csv", "--set",
               "data.path=" + (tmp_ / "train.csv").string(), "--set",
               "data.test_path=" + (tmp_ / "test.csv").string(), "--set", "data.validation_size=0",
               "--set", R"(model.layers=["linear:out=8", "relu", "linear:out=2"])", "--set",
               "train.batch_size=8", "--set", "train.epochs=4"});
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;
  EXPECT_NE(r.err.find("descent: error: training diverged: a classifier at chance: "
                       "train_accuracy 0.5000 after 3 epochs and 150 steps (chance is 1/2)"),
            std::string::npos)
      << r.err;
  const json summary = json::parse(read_text(run / "summary.json"));
  EXPECT_EQ(summary.at("epochs"), 3);
  EXPECT_EQ(summary.at("stop_reason"), "diverged");
}

TEST_F(CliDivergence, NonFiniteStopSaysTheLossHadExplodedFirst) {
  const fs::path run = tmp_ / "run";
  const CommandResult r =
      descent({"train", "--out", run.string(), "--set", "data.name=sine", "--set", "train.loss=mse",
               "--set", R"(model.layers=["linear:out=16", "tanh", "linear:out=1"])", "--set",
               "optimizer.name=sgd", "--set", "optimizer.lr=1e12", "--set", "train.epochs=3"});
  EXPECT_EQ(r.exit_code, 3) << r.err << "\na NaN or Inf keeps its own status";
  EXPECT_NE(r.err.find("descent: error: non-finite "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("\nbefore that, the loss exploded: "), std::string::npos) << r.err;
  const json summary = json::parse(read_text(run / "summary.json"));
  EXPECT_EQ(summary.at("stop_reason"), "non_finite");
  EXPECT_EQ(summary.at("diverged"), true);
  EXPECT_FALSE(summary.contains("weights_epoch")) << "no weights are written";
}

TEST_F(CliDivergence, KeysAreCheckedAndMayChangeOnResume) {
  const fs::path run = tmp_ / "run";
  const CommandResult bad = train_spirals(run, "0.1", {"train.divergence=maybe"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("expected stop, warn, off"), std::string::npos) << bad.err;
  const CommandResult low = train_spirals(run, "0.1", {"train.divergence_factor=0.5"});
  EXPECT_EQ(low.exit_code, 1);
  EXPECT_NE(low.err.find("train.divergence_factor = 0.5"), std::string::npos) << low.err;
  EXPECT_FALSE(fs::exists(run));

  // A run stopped for diverging can go on, watched differently.
  ASSERT_EQ(train_spirals(run, "100").exit_code, 4);
  const CommandResult resumed =
      descent({"train", "--resume", run.string(), "--set", "train.divergence=warn"});
  EXPECT_EQ(resumed.exit_code, 4) << resumed.err << "\nthe run diverged, in its first epoch";
  const json summary = json::parse(read_text(run / "summary.json"));
  EXPECT_EQ(summary.at("epochs"), 3);
  EXPECT_EQ(summary.at("stop_reason"), "completed");
  EXPECT_EQ(summary.at("diverged"), true);
}

// --- descent optimize --------------------------------------------------------------------------

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(line);
  return out;
}

// x and y of a CSV row step,x,y,...
std::pair<double, double> point(const std::string& row) {
  std::istringstream in(row);
  std::string step, x, y;
  std::getline(in, step, ',');
  std::getline(in, x, ',');
  std::getline(in, y, ',');
  return {std::stod(x), std::stod(y)};
}

TEST_F(CliDivergence, OptimizeStopsARunawayPathWithStatusFour) {
  const CommandResult r = descent(
      {"optimize", "--function", "rosenbrock", "--optimizer", "sgd:lr=0.01", "--steps", "20"});
  EXPECT_EQ(r.exit_code, 4) << r.err;
  const std::vector<std::string> rows = lines(r.out);
  ASSERT_EQ(rows.size(), 6u) << r.out << "header, the start and steps 1..4";
  // The start (-1.2, 1) sets the scale: 1e3 (|start| + 1).
  const double limit = 1e3 * (std::hypot(-1.2, 1.0) + 1);
  for (size_t i = 1; i + 1 < rows.size(); ++i) {
    const auto [x, y] = point(rows[i]);
    EXPECT_LE(std::hypot(x, y), limit) << rows[i];
  }
  const auto [x, y] = point(rows.back());
  EXPECT_GT(std::hypot(x, y), limit);
  EXPECT_NE(r.err.find("descent: error: sgd:lr=0.01 diverged: at step 4 the point ("),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("(try a smaller lr, e.g. a tenth: lr=0.001)"), std::string::npos) << r.err;
}

TEST_F(CliDivergence, OptimizeStopsAtANonFiniteValueWithStatusThree) {
  const fs::path out = tmp_ / "path.csv";
  const CommandResult r = descent({"optimize", "--function", "quadratic", "--optimizer",
                                   "sgd:lr=1e30", "--steps", "5", "--out", out.string()});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  const std::vector<std::string> rows = lines(read_text(out));
  ASSERT_EQ(rows.size(), 2u) << "header and the start: the non-finite point is not written";
  EXPECT_EQ(read_text(out).find("nan"), std::string::npos);
  EXPECT_NE(r.err.find("at step 1 a value is not finite"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("the path stops at step 0"), std::string::npos) << r.err;
}

TEST_F(CliDivergence, OptimizeKeepsTheOtherRunsAndNamesAnUnboundedFunction) {
  const CommandResult r =
      descent({"optimize", "--function", "saddle", "--optimizer", "sgd:lr=0.1,momentum=0.9",
               "--optimizer", "adam:lr=0.01", "--steps", "100"});
  EXPECT_EQ(r.exit_code, 4) << r.err;
  int64_t momentum_rows = 0, adam_rows = 0;
  for (const std::string& row : lines(r.out)) {
    if (row.rfind("\"sgd:lr=0.1,momentum=0.9\",", 0) == 0) ++momentum_rows;
    if (row.rfind("adam:lr=0.01,", 0) == 0) ++adam_rows;
  }
  EXPECT_EQ(adam_rows, 101) << "the start and every step";
  EXPECT_GT(momentum_rows, 1);
  EXPECT_LT(momentum_rows, 101);
  EXPECT_NE(r.err.find("saddle has no minimum"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("adam:lr=0.01 diverged"), std::string::npos) << r.err;
}

}  // namespace test_cli_divergence
