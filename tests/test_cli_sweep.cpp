// `descent sweep` end to end: every trial trained and ranked; a sweep killed part-way (SIGKILL,
// or Ctrl-C) continues with the same command without retraining finished trials and ends with
// the results of an uninterrupted one; successive halving stops the worst half; two launcher
// ranks share the trials; bad input is refused before anything is written.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "cli_fixtures.h"

namespace test_cli_sweep {

namespace fs = std::filesystem;
using cli_test::CommandResult;
using cli_test::read_text;
using nlohmann::json;

class SweepCommand : public cli_test::CommandTest {
 protected:
  // A small problem: each trial trains in a fraction of a second.
  std::vector<std::string> sweep(const std::string& out, std::vector<std::string> args) const {
    std::vector<std::string> all = {"sweep",
                                    "--out",
                                    out,
                                    "--set",
                                    "data.name=moons",
                                    "--set",
                                    "data.size=400",
                                    "--set",
                                    "model.layers=[\"linear:out=16\", \"tanh\", \"linear\"]"};
    all.insert(all.end(), args.begin(), args.end());
    return all;
  }
  json results(const std::string& dir) const {
    return json::parse(read_text(cwd_ / dir / "results.json"));
  }
  // results.csv without the seconds column (time is the one thing that differs between runs).
  std::string results_without_time(const std::string& dir) const {
    std::istringstream in(read_text(cwd_ / dir / "results.csv"));
    std::string out, line;
    int seconds = -1;
    while (std::getline(in, line)) {
      std::vector<std::string> cells;
      std::stringstream ss(line);
      for (std::string c; std::getline(ss, c, ',');) cells.push_back(c);
      if (seconds < 0)
        for (size_t i = 0; i < cells.size(); ++i)
          if (cells[i] == "seconds") seconds = static_cast<int>(i);
      for (size_t i = 0; i < cells.size(); ++i)
        if (static_cast<int>(i) != seconds) out += cells[i] + ",";
      out += "\n";
    }
    return out;
  }
};

TEST_F(SweepCommand, GridTimesSeedsTrainsEveryTrialAndRanksTheConfigurations) {
  const CommandResult r =
      descent(sweep("s", {"--grid", "optimizer.lr=0.3,0.003", "--grid", "optimizer.name=sgd,adam",
                          "--seeds", "2", "--set", "train.epochs=3", "--no-report"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = results("s");
  ASSERT_EQ(j["trials"].size(), 8u);
  ASSERT_EQ(j["configurations"].size(), 4u);
  for (const json& t : j["trials"]) {
    EXPECT_EQ(t["status"], "completed");
    EXPECT_EQ(t["epochs"], 3);
    // Each trial is a normal run directory with its configuration's values and its seed.
    const std::string toml = read_text(cwd_ / "s" / t["trial"].get<std::string>() / "config.toml");
    EXPECT_NE(toml.find("lr = " + t["values"]["optimizer.lr"].get<std::string>()),
              std::string::npos)
        << toml;
    EXPECT_NE(toml.find("seed = " + std::to_string(t["seed"].get<int>())), std::string::npos);
  }
  // Ranked best first, each configuration's mean over its two seeds.
  double previous = 0;
  for (size_t i = 0; i < 4; ++i) {
    const json& c = j["configurations"][i];
    EXPECT_EQ(c["rank"], i + 1);
    const double mean = c["val_loss_mean"];
    EXPECT_GE(mean, previous);
    previous = mean;
    double sum = 0;
    for (const json& t : j["trials"])
      if (t["configuration"] == c["configuration"]) sum += t["val_loss_final"].get<double>();
    EXPECT_NEAR(mean, sum / 2, 1e-9);
  }
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n') > 3, true);
  EXPECT_NE(r.out.find("best 4 of 4 configurations by val_loss"), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(cwd_ / "s" / "report.html"));
}

TEST_F(SweepCommand, KilledSweepContinuesWithoutRetrainingFinishedTrials) {
  const std::vector<std::string> args = {"--grid",     "optimizer.lr=0.1,0.03,0.01",
                                         "--seeds",    "2",
                                         "--parallel", "1",
                                         "--threads",  "1",
                                         "--set",      "train.epochs=6",
                                         "--set",      "data.size=1500",
                                         "--no-report"};
  const CommandResult whole = descent(sweep("whole", args));
  ASSERT_EQ(whole.exit_code, 0) << whole.err;

  // Killed (SIGKILL: no chance to clean up) while the third trial trains.
  const fs::path cut = cwd_ / "cut";
  const CommandResult killed = descent(
      sweep("cut", args),
      [&] {
        std::error_code ec;
        return fs::exists(cut / "cfg001-seed0" / "metrics.jsonl", ec);
      },
      SIGKILL);
  ASSERT_EQ(killed.exit_code, 128 + SIGKILL);
  ASSERT_TRUE(fs::exists(cut / "cfg000-seed1" / "summary.json"));
  ASSERT_FALSE(fs::exists(cut / "results.csv"));
  ASSERT_FALSE(fs::exists(cut / "cfg002-seed1"));  // never started
  const std::string first_summary = read_text(cut / "cfg000-seed0" / "summary.json");
  const std::string first_log = read_text(cut / "logs" / "cfg000-seed0.log");
  struct stat before {};
  ::stat((cut / "cfg000-seed0" / "summary.json").c_str(), &before);

  const CommandResult again = descent(sweep("cut", args));
  ASSERT_EQ(again.exit_code, 0) << again.err;
  // Finished trials were kept as they were, not trained again.
  struct stat after {};
  ::stat((cut / "cfg000-seed0" / "summary.json").c_str(), &after);
  EXPECT_EQ(before.st_mtim.tv_nsec, after.st_mtim.tv_nsec);
  EXPECT_EQ(before.st_ino, after.st_ino);
  EXPECT_EQ(read_text(cut / "cfg000-seed0" / "summary.json"), first_summary);
  EXPECT_EQ(read_text(cut / "logs" / "cfg000-seed0.log"), first_log);
  EXPECT_NE(again.out.find("trials to train"), std::string::npos);
  // The same results as the sweep that was never stopped (resumed trials are bit-identical).
  EXPECT_EQ(results_without_time("cut"), results_without_time("whole"));
}

TEST_F(SweepCommand, CtrlCStopsTheTrialsWithCheckpointsAndTheSameCommandFinishes) {
  // Long enough (300 epochs) that Ctrl-C after the first checkpoint lands mid-training even on a
  // loaded machine.
  const std::vector<std::string> args = {"--grid",     "optimizer.lr=0.1,0.01",
                                         "--parallel", "2",
                                         "--threads",  "1",
                                         "--set",      "train.epochs=300",
                                         "--set",      "checkpoint.every=5",
                                         "--set",      "data.size=300",
                                         "--no-report"};
  const fs::path dir = cwd_ / "s";
  const CommandResult stopped = descent(sweep("s", args), [&] {
    std::error_code ec;
    return fs::exists(dir / "cfg000-seed0" / "checkpoint.safetensors", ec);
  });
  ASSERT_EQ(stopped.exit_code, 130) << stopped.err;
  EXPECT_NE(stopped.err.find("continue it with the same command"), std::string::npos)
      << stopped.err;
  EXPECT_FALSE(fs::exists(dir / "cfg000-seed0" / "summary.json"));
  EXPECT_TRUE(fs::exists(dir / "cfg000-seed0" / "checkpoint.safetensors"));
  const CommandResult again = descent(sweep("s", args));
  ASSERT_EQ(again.exit_code, 0) << again.err;
  for (const json& t : results("s")["trials"]) EXPECT_EQ(t["epochs"], 300);
}

TEST_F(SweepCommand, SuccessiveHalvingStopsTheWorseHalfAtTheRung) {
  const CommandResult r =
      descent(sweep("h", {"--grid", "optimizer.lr=1e-4,0.003,0.03,0.3", "--set", "train.epochs=4",
                          "--halving", "2", "--halving-keep", "0.5", "--no-report"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = results("h");
  int halted = 0, finished = 0;
  for (const json& t : j["trials"]) {
    if (t["status"] == "halted") {
      ++halted;
      EXPECT_EQ(t["epochs"], 2);
      EXPECT_EQ(t["halted_at"], 2);
    } else {
      ++finished;
      EXPECT_EQ(t["status"], "completed");
      EXPECT_EQ(t["epochs"], 4);
    }
  }
  EXPECT_EQ(halted, 2);
  EXPECT_EQ(finished, 2);
  // The finished configurations rank first, and the smallest learning rate was among the halted.
  EXPECT_EQ(j["configurations"][0]["halted_at"], 0);
  EXPECT_EQ(j["configurations"][1]["halted_at"], 0);
  EXPECT_EQ(j["configurations"][3]["halted_at"], 2);
  for (const json& t : j["trials"])
    if (t["values"]["optimizer.lr"] == "1e-4") {
      EXPECT_EQ(t["status"], "halted");
    }
}

TEST_F(SweepCommand, LauncherRanksShareTheTrialsAndRankZeroWritesTheResults) {
  const std::vector<std::string> args =
      sweep("r", {"--grid", "optimizer.lr=0.3,0.1,0.03", "--seeds", "2", "--set", "train.epochs=2",
                  "--threads", "1", "--no-report"});
  auto rank = [&](int r) {
    std::vector<std::string> env = {"OMPI_COMM_WORLD_RANK=" + std::to_string(r),
                                    "OMPI_COMM_WORLD_SIZE=2", DESCENT_BINARY};
    env.insert(env.end(), args.begin(), args.end());
    return cli_test::run_command("/usr/bin/env", env, cwd_, logs_);
  };
  CommandResult one;
  std::thread second([&] { one = rank(1); });
  const CommandResult zero = rank(0);
  second.join();
  ASSERT_EQ(zero.exit_code, 0) << zero.err;
  ASSERT_EQ(one.exit_code, 0) << one.err;
  EXPECT_NE(zero.out.find("best 3 of 3"), std::string::npos);
  EXPECT_EQ(one.out.find("best"), std::string::npos) << one.out;
  const json j = results("r");
  ASSERT_EQ(j["trials"].size(), 6u);
  for (const json& t : j["trials"]) {
    EXPECT_EQ(t["status"], "completed");
    // Trained once, by one rank: one run's output in its log.
    const std::string log =
        read_text(cwd_ / "r" / "logs" / (t["trial"].get<std::string>() + ".log"));
    EXPECT_EQ(std::count(log.begin(), log.end(), '\n'), 1) << log;
  }
}

TEST_F(SweepCommand, BadInputIsRefusedBeforeAnyTrialStarts) {
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"--grid", "optimizer.lrr=0.1,0.2"}, "optimizer.lrr"},
      {{"--grid", "optimizer.lr=0.1,-2"}, "sweep configuration 1 (optimizer.lr=-2)"},
      {{"--random", "optimizer.lr=loguniform(1e-5)"}, "loguniform() takes two numbers"},
      {{"--random", "optimizer.lr=gauss(0,1)"}, "unknown distribution 'gauss'"},
      {{"--grid", "optimizer.lr=0.1", "--trials", "4"}, "--trials counts the draws of --random"},
      {{"--grid", "optimizer.lr=0.1", "--metric", "accuracy"}, "expected one of val_loss"},
      {{"--grid", "optimizer.lr=0.1", "--halving", "two"}, "--halving 'two'"},
  };
  for (const Case& c : cases) {
    const CommandResult r = descent(sweep("bad", c.args));
    EXPECT_EQ(r.exit_code, 1) << c.message;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(cwd_ / "bad")) << c.message;
  }
  // A directory holding another sweep is refused and left as it was.
  ASSERT_EQ(
      descent(sweep("s", {"--grid", "optimizer.lr=0.1", "--set", "train.epochs=1", "--no-report"}))
          .exit_code,
      0);
  const std::string plan = read_text(cwd_ / "s" / "sweep.json");
  const CommandResult other =
      descent(sweep("s", {"--grid", "optimizer.lr=0.2", "--set", "train.epochs=1"}));
  EXPECT_EQ(other.exit_code, 1);
  EXPECT_NE(other.err.find("holds another sweep"), std::string::npos) << other.err;
  EXPECT_EQ(read_text(cwd_ / "s" / "sweep.json"), plan);
}

TEST_F(SweepCommand, FailedTrialIsReportedAndRetriedByTheSameCommand) {
  // A CSV file that is not there yet: every trial fails when it loads its data.
  const std::vector<std::string> args = {
      "--grid",     "optimizer.lr=0.1,0.01", "--set", "data.name=csv",
      "--set",      "data.path=later.csv",   "--set", "train.epochs=1",
      "--no-report"};
  const CommandResult failed = descent(sweep("f", args));
  EXPECT_EQ(failed.exit_code, 1);
  EXPECT_NE(failed.err.find("2 trials failed"), std::string::npos) << failed.err;
  EXPECT_NE(read_text(cwd_ / "f" / "logs" / "cfg000-seed0.failed").find("later.csv"),
            std::string::npos);
  EXPECT_EQ(results("f")["trials"][0]["status"], "failed");
  std::string csv = "x1,x2,label\n";
  for (int i = 0; i < 60; ++i)
    csv += std::to_string(i % 7) + "," + std::to_string(i % 5) + "," + std::to_string(i % 2) + "\n";
  cli_test::write_text(cwd_ / "later.csv", csv);
  const CommandResult again = descent(sweep("f", args));
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_FALSE(fs::exists(cwd_ / "f" / "logs" / "cfg000-seed0.failed"));
  for (const json& t : results("f")["trials"]) EXPECT_EQ(t["status"], "completed");
}

}  // namespace test_cli_sweep
