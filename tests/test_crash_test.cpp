// The short crash test: scripts/crash_test SIGKILLs `descent train` at 5 random moments (in the
// first second, in checkpoint writes, during a resume) and checks that every directory resumes
// to the uninterrupted run's weights or is reusable, and that no checkpoint is unreadable
// (docs/training.md, "Crash test"; the long run takes N = 100).
#include <gtest/gtest.h>

#include "cli_fixtures.h"

namespace test_crash_test {

TEST(CrashTest, RandomKillsEachResumeOrAreReused) {
  cli_test::TempDir tmp("descent-crash");
  const cli_test::CommandResult r =
      cli_test::run_command("/usr/bin/python3",
                            {std::string(DESCENT_SOURCE_DIR) + "/scripts/crash_test", "5",
                             "--descent", DESCENT_BINARY, "--keep", (tmp / "runs").string()},
                            tmp.path(), tmp.path(), std::chrono::seconds(110));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("crash test: passed"), std::string::npos) << r.out << r.err;
}

}  // namespace test_crash_test
