// The console as a person sees it: the progress bar in a real pseudo-terminal at 60 and 120
// columns, epoch lines on a pipe (at most ~25 for a long run), -q and -v, and --list.
#include <gtest/gtest.h>
#include <poll.h>
#include <pty.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <regex>
#include <string>
#include <vector>

#include "cli_fixtures.h"

namespace test_cli_console {

namespace fs = std::filesystem;

// What a terminal of `columns` x 24 receives from `descent args...`, and the exit status.
struct TerminalRun {
  std::string screen;
  int exit_code = -1;
};

TerminalRun run_in_terminal(const std::vector<std::string>& args, int columns,
                            const fs::path& cwd) {
  std::vector<std::string> argv_text = {DESCENT_BINARY};
  argv_text.insert(argv_text.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_text) argv.push_back(a.data());
  argv.push_back(nullptr);
  const std::string cwd_text = cwd.string();
  winsize size{};
  size.ws_row = 24;
  size.ws_col = static_cast<unsigned short>(columns);
  int master = -1;
  const pid_t pid = ::forkpty(&master, nullptr, nullptr, &size);
  if (pid < 0) throw std::runtime_error("forkpty failed");
  if (pid == 0) {
    if (::chdir(cwd_text.c_str()) != 0) ::_exit(126);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  TerminalRun run;
  const auto start = std::chrono::steady_clock::now();
  char buf[4096];
  for (;;) {
    pollfd p{master, POLLIN, 0};
    if (::poll(&p, 1, 100) > 0) {
      const ssize_t n = ::read(master, buf, sizeof buf);
      if (n <= 0) break;  // EIO once the child has gone and the output is drained
      run.screen.append(buf, static_cast<size_t>(n));
    }
    if (std::chrono::steady_clock::now() - start > std::chrono::seconds(120)) ::kill(pid, SIGKILL);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  ::close(master);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return run;
}

// The pieces a terminal shows on one row: split at '\n' and at '\r' (each redraw starts with
// "\r\033[K"), the erase sequence removed.
std::vector<std::string> rows_drawn(std::string screen) {
  screen = std::regex_replace(screen, std::regex("\033\\[K"), "");
  std::vector<std::string> rows;
  std::string row;
  for (char c : screen) {
    if (c == '\n' || c == '\r') {
      if (!row.empty()) rows.push_back(row);
      row.clear();
    } else {
      row += c;
    }
  }
  if (!row.empty()) rows.push_back(row);
  return rows;
}

class ConsoleTest : public cli_test::CommandTest {
 protected:
  ConsoleTest() : CommandTest("descent-console") {}

  // Spirals with many small batches, so the bar is drawn several times an epoch.
  std::vector<std::string> spirals_run(const std::string& out, int epochs, int size = 4000) {
    return with_sets({"train", "--no-report", "--out", out},
                     {"data.name=spirals", "data.size=" + std::to_string(size),
                      "train.batch_size=8", "train.epochs=" + std::to_string(epochs),
                      R"(model.layers=["linear:out=16","relu","linear:out=3"])"});
  }
};

TEST_F(ConsoleTest, ProgressBarFitsA60And120ColumnTerminal) {
  for (const int columns : {60, 120}) {
    SCOPED_TRACE("columns " + std::to_string(columns));
    const TerminalRun t =
        run_in_terminal(spirals_run("run" + std::to_string(columns), 2), columns, cwd_);
    ASSERT_EQ(t.exit_code, 0) << t.screen;
    const auto rows = rows_drawn(t.screen);
    const std::regex bar("\\[[#.]{10,30}\\]");
    int bars = 0;
    for (const std::string& row : rows) {
      // Nothing the terminal would wrap.
      EXPECT_LE(static_cast<int>(row.size()), columns) << "'" << row << "'";
      if (row.rfind("epoch ", 0) == 0 && row.find(" loss ") != std::string::npos) {
        ++bars;
        EXPECT_LT(static_cast<int>(row.size()), columns) << row;  // the cursor stays on the row
        EXPECT_TRUE(std::regex_search(row, bar)) << row;          // the bar itself survives at 60
        // The lowest-priority field goes first as the width shrinks.
        EXPECT_EQ(row.find("samples/s") != std::string::npos, columns == 120) << row;
      }
    }
    EXPECT_GE(bars, 4) << t.screen;  // at least the first and last batch of each epoch
    // Each redraw returns to the row's start: no newline ends a bar.
    EXPECT_EQ(t.screen.find(" left\n"), std::string::npos) << t.screen;
    EXPECT_EQ(t.screen.find(" left\r\n"), std::string::npos) << t.screen;
    // The start-up line wrapped between words: its rows, joined, are the line a log gets.
    std::string start;
    for (const std::string& row : rows) {
      if (row.rfind("name ", 0) == 0) break;
      start += (start.empty() ? "" : " ") + row.substr(row.find_first_not_of(' '));
    }
    EXPECT_EQ(start,
              "descent: training the classifier on spirals (3200 train, 800 validation, "
              "500 test) with adam, run directory run" +
                  std::to_string(columns));
    // The epoch lines keep every field, wrapped between fields on the narrow terminal.
    EXPECT_NE(t.screen.find("val_acc "), std::string::npos);
  }
}

TEST_F(ConsoleTest, LongRunOnAPipePrintsAboutTwentyFiveEpochLines) {
  const auto r = descent(spirals_run("long", 183, 200));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<int> epochs;
  const std::regex line("^epoch (\\d+)/183 ");
  std::istringstream in(r.out);
  for (std::string l; std::getline(in, l);) {
    std::smatch m;
    if (std::regex_search(l, m, line)) epochs.push_back(std::stoi(m[1]));
  }
  // Every 10th epoch (183 / 10 <= 25), plus the first and the last.
  ASSERT_FALSE(epochs.empty()) << r.out;
  EXPECT_EQ(epochs.front(), 1);
  EXPECT_EQ(epochs.back(), 183);
  EXPECT_EQ(epochs.size(), 20u) << r.out;
  EXPECT_EQ(r.out.find('\r'), std::string::npos);  // no bar on a pipe

  const auto verbose = descent([&] {
    auto a = spirals_run("verbose", 30, 200);
    a.push_back("-v");
    return a;
  }());
  ASSERT_EQ(verbose.exit_code, 0) << verbose.err;
  for (int e = 1; e <= 30; ++e)
    EXPECT_NE(verbose.out.find("epoch " + std::to_string(e) + "/30 "), std::string::npos) << e;
  EXPECT_NE(verbose.out.find("seed 0,"), std::string::npos) << verbose.out;
}

TEST_F(ConsoleTest, QuietPrintsOnlyTheFinalLine) {
  auto args = spirals_run("quiet", 3, 200);
  args.push_back("-q");
  const auto r = descent(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;
  EXPECT_EQ(r.out.rfind("test_loss ", 0), 0u) << r.out;
  EXPECT_TRUE(r.err.empty()) << r.err;
  // -q and -v together are a usage error.
  args.push_back("-v");
  EXPECT_EQ(descent(args).exit_code, 2);
}

TEST_F(ConsoleTest, ListsComeFromTheRegistries) {
  const auto optimizers = descent({"train", "--list", "optimizers"});
  ASSERT_EQ(optimizers.exit_code, 0) << optimizers.err;
  EXPECT_NE(optimizers.out.find("adam "), std::string::npos);
  EXPECT_NE(optimizers.out.find("beta2=0.999"), std::string::npos);
  EXPECT_NE(optimizers.out.find("lion "), std::string::npos);
  const auto schedules = descent({"schedule", "--list"});  // its default kind
  EXPECT_NE(schedules.out.find("onecycle "), std::string::npos) << schedules.out;
  // --list runs before the required options are checked.
  const auto functions = descent({"optimize", "--list", "functions"});
  ASSERT_EQ(functions.exit_code, 0) << functions.err;
  EXPECT_NE(functions.out.find("rosenbrock "), std::string::npos);
  const auto keys = descent({"train", "--list", "keys"});
  EXPECT_NE(keys.out.find("train.epochs\n"), std::string::npos);
  const auto datasets = descent({"train", "--list", "datasets"});
  EXPECT_NE(datasets.out.find("csv "), std::string::npos);
  EXPECT_NE(datasets.out.find("data.path"), std::string::npos);
  const auto bad = descent({"train", "--list", "optimisers"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("optimizers"), std::string::npos) << bad.err;
}

TEST_F(ConsoleTest, HelpShowsExamplesTypesAndWhatIsRequired) {
  const auto train = descent({"train", "--help"});
  ASSERT_EQ(train.exit_code, 0);
  EXPECT_NE(train.out.find("Examples:"), std::string::npos);
  EXPECT_NE(train.out.find("--seed N"), std::string::npos) << train.out;
  EXPECT_NE(train.out.find("--threads N"), std::string::npos);
  EXPECT_EQ(train.out.find("--seed TEXT"), std::string::npos);
  EXPECT_NE(train.out.find("--list KIND"), std::string::npos);
  for (const char* sub : {"train", "evaluate", "predict", "schedule", "optimize", "report",
                          "encode", "generate", "summary"}) {
    const auto help = descent({sub, "--help"});
    EXPECT_EQ(help.exit_code, 0) << sub;
    EXPECT_NE(help.out.find("Examples:\n  descent " + std::string(sub)), std::string::npos)
        << sub << ":\n"
        << help.out;
  }
  const auto bench = descent({"bench", "optimizer", "--help"});
  EXPECT_NE(bench.out.find("REQUIRED (unless --list)"), std::string::npos) << bench.out;
  const auto seed = descent({"train", "--seed", "minus-one"});
  EXPECT_EQ(seed.exit_code, 2);
  EXPECT_NE(seed.err.find("--seed"), std::string::npos) << seed.err;
}

}  // namespace test_cli_console
