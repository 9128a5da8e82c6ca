// End-to-end: `descent train` warns before training when the schedule's horizon (cosine's t_max,
// a warmup's length, a sequence's milestones and last part) does not fit the run's optimizer steps
// or epochs, names the setting that fits, and that setting silences the warning; `descent
// schedule` notes rows past a decay's end.
#include <gtest/gtest.h>

#include <regex>
#include <string>
#include <vector>

#include "cli_fixtures.h"

namespace test_cli_schedule_horizon {

namespace fs = std::filesystem;
using cli_test::CommandResult;

class CliScheduleHorizon : public cli_test::CommandTest {
 protected:
  CliScheduleHorizon() : CommandTest("descent-cli-horizon") {}

  CommandResult train(const std::string& out, const std::vector<std::string>& sets) {
    const auto args =
        with_sets({"train", "--out", (tmp_ / out).string(), "--no-report"},
                  {"data.name=moons", "data.size=300",
                   R"(model.layers=["linear:out=8", "relu", "linear:out=2"])", "train.epochs=3"});
    return descent(with_sets(args, sets));
  }
};

// "N optimizer steps per epoch, M in E epochs" -> M.
long long total_steps(const std::string& out) {
  std::smatch m;
  const std::regex line("optimizer steps per epoch, ([0-9]+) in ");
  if (!std::regex_search(out, m, line)) return -1;
  return std::stoll(m[1]);
}

TEST_F(CliScheduleHorizon, WarmupAndCosineShorterThanTheRunAreToldTheTMaxThatFits) {
  const std::vector<std::string> sequence = {
      "schedule.name=sequential", "schedule.interval=step", "schedule.milestones=[2]",
      R"(schedule.schedulers=["linear_warmup:warmup_steps=2", "cosine:t_max=3"])"};
  const CommandResult r = train("short", sequence);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err << "\na warning does not stop the run";
  const long long steps = total_steps(r.out);
  ASSERT_GT(steps, 5) << r.out;
  const std::string fits = std::to_string(steps - 2);
  EXPECT_NE(r.err.find("descent: warning: schedule sequential: t_max of part 2 (cosine) ends at "
                       "optimizer step 5, the run takes " +
                       std::to_string(steps) +
                       " optimizer steps: past optimizer step 5 the lr climbs back up"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("; set t_max=" + fits + " in part 2 (cosine) of schedule.schedulers"),
            std::string::npos)
      << r.err;

  // The setting it names fits: no warning.
  std::vector<std::string> fixed = sequence;
  fixed.back() =
      R"(schedule.schedulers=["linear_warmup:warmup_steps=2", "cosine:t_max=)" + fits + R"("])";
  const CommandResult ok = train("fits", fixed);
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_EQ(ok.err.find("warning"), std::string::npos) << ok.err;
}

TEST_F(CliScheduleHorizon, PerEpochSchedulesCountEpochs) {
  const CommandResult longer = train("long", {"schedule.name=cosine", "schedule.t_max=5"});
  ASSERT_EQ(longer.exit_code, 0) << longer.err;
  EXPECT_NE(longer.err.find("descent: warning: schedule cosine: t_max ends at epoch 5, the run "
                            "takes 3 epochs: the run stops before then; set schedule.t_max=3"),
            std::string::npos)
      << longer.err;
  const CommandResult warmup =
      train("warmup", {"schedule.name=linear_warmup", "schedule.warmup_steps=4", "train.epochs=3"});
  EXPECT_NE(warmup.err.find("set schedule.warmup_steps to at most 3, or train longer"),
            std::string::npos)
      << warmup.err;
  const CommandResult fits = train("fit", {"schedule.name=cosine", "schedule.t_max=3"});
  ASSERT_EQ(fits.exit_code, 0) << fits.err;
  EXPECT_EQ(fits.err.find("warning"), std::string::npos) << fits.err;
  const CommandResult open = train("open", {"schedule.name=exponential", "schedule.gamma=0.9"});
  EXPECT_EQ(open.err.find("warning"), std::string::npos) << "no horizon: " << open.err;
}

TEST_F(CliScheduleHorizon, ScheduleCommandNotesRowsPastTheEnd) {
  const CommandResult past = cli_test::run_command(
      DESCENT_BINARY, {"schedule", "--spec", "cosine:t_max=4", "--steps", "8"}, cwd_, logs_);
  ASSERT_EQ(past.exit_code, 0) << past.err;
  EXPECT_NE(past.err.find("descent: note: 'cosine:t_max=4' ends at step 4 (t_max); past it the lr "
                          "climbs back up"),
            std::string::npos)
      << past.err;
  const CommandResult within = cli_test::run_command(
      DESCENT_BINARY, {"schedule", "--spec", "cosine:t_max=4", "--steps", "5"}, cwd_, logs_);
  ASSERT_EQ(within.exit_code, 0) << within.err;
  EXPECT_EQ(within.err, "") << "rows 0..4 end at t_max";
}

}  // namespace test_cli_schedule_horizon
