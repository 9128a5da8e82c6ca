// End-to-end tests of `descent schedule`: --list (every registered schedule with its arguments)
// and the CSV that --spec prints.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "cli_fixtures.h"
#include "descent/schedule/registry.h"

namespace test_cli_schedule {

namespace fs = std::filesystem;
using cli_test::CommandResult;
using cli_test::TempDir;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

class ScheduleCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(tmp_ / "cwd");
    fs::create_directories(tmp_ / "logs");
  }
  CommandResult descent(const std::vector<std::string>& args) {
    return cli_test::run_command(DESCENT_BINARY, args, tmp_ / "cwd", tmp_ / "logs");
  }
  TempDir tmp_{"descent-schedule"};
};

TEST_F(ScheduleCliTest, ListShowsEveryScheduleWithItsArguments) {
  const CommandResult r = descent({"schedule", "--list"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  const auto lines = lines_of(r.out);
  const auto& registry = descent::schedule_registry();
  ASSERT_EQ(lines.size(), registry.size()) << r.out;
  for (size_t i = 0; i < registry.size(); ++i) {
    const auto& info = registry[i];
    SCOPED_TRACE(info.name);
    EXPECT_EQ(lines[i].rfind(info.name + " ", 0), 0u) << lines[i];
    for (const auto& def : info.args)
      EXPECT_NE(lines[i].find(def.usage()), std::string::npos) << lines[i];
    EXPECT_NE(lines[i].find(info.description), std::string::npos) << lines[i];
  }
  // Defaults and requirements as the declarations give them.
  EXPECT_NE(r.out.find("t_max=INT (required, >= 1), eta_min=0"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("gamma=0.1"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("mode=triangular|triangular2|exp_range"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("schedulers=[SPEC;...] (required)"), std::string::npos) << r.out;
}

TEST_F(ScheduleCliTest, SpecPrintsTheValuesAsCsv) {
  // The examples of docs/schedules.md, digit for digit.
  CommandResult r = descent({"schedule", "--spec",
                             "sequential:schedulers=[linear:start_factor=0.1,total_iters=3;"
                             "cosine:t_max=5],milestones=[3]",
                             "--lr", "0.1", "--steps", "6"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "step,lr\n"
            "0,0.010000000000000002\n"
            "1,0.04\n"
            "2,0.07\n"
            "3,0.1\n"
            "4,0.09045084971874738\n"
            "5,0.06545084971874737\n");
  r = descent({"schedule", "--spec", "onecycle:max_lr=1,total_steps=4", "--steps", "4"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "step,lr,momentum\n"
            "0,0.040000000000000036,0.95\n"
            "1,0.811745653949763,0.8688255099070633\n"
            "2,0.2830609982086992,0.9216941869558779\n"
            "3,4e-06,0.95\n");
}

TEST_F(ScheduleCliTest, RefusesAMissingOrUnknownSpec) {
  CommandResult r = descent({"schedule", "--steps", "3"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("--spec"), std::string::npos) << r.err;
  EXPECT_EQ(r.out, "");
  r = descent({"schedule", "--spec", "cosinus:t_max=3"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("valid names: step, multistep"), std::string::npos) << r.err;
  EXPECT_EQ(r.out, "");
}

}  // namespace test_cli_schedule
