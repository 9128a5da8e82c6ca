// One process at a time in a run directory, and what a killed run leaves: a second `train --out`
// or `--resume` of a run still training is refused naming the holder's pid and touches nothing;
// the lock goes with the process however it dies; cleanup removes only temporaries whose writer
// is gone; a directory holding only a killed run's configuration temporary is reused; a resume
// killed part-way leaves no stale model.safetensors for evaluate or predict; a run killed before
// its first checkpoint, or after its last, resumes to completion.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "cli_fixtures.h"
#include "descent/app/run_dir.h"
#include "descent/app/run_lock.h"
#include "descent/io/atomic_file.h"
#include "descent/train/checkpoint.h"

namespace test_cli_run_dir_lock {

namespace fs = std::filesystem;
using cli_test::CommandResult;
using cli_test::read_text;

// A process id no process has: a child's, once it has exited and been waited for.
pid_t dead_pid() {
  const pid_t pid = ::fork();
  if (pid == 0) ::_exit(0);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return pid;
}

// Every file in `dir` with its contents.
std::map<std::string, std::string> snapshot(const fs::path& dir) {
  std::map<std::string, std::string> files;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_regular_file()) files[e.path().filename().string()] = read_text(e.path());
  return files;
}

size_t lines_in(const fs::path& file) {
  const std::string text = read_text(file);
  return static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
}

class RunDirLock : public ::testing::Test {
 protected:
  void SetUp() override { fs::create_directories(logs_); }

  // `interrupt_when` runs every 5 ms while descent runs; `signal` goes to it when it says so.
  CommandResult descent(const std::vector<std::string>& args,
                        const std::function<bool()>& interrupt_when = {}, int signal = SIGINT) {
    return cli_test::run_command(DESCENT_BINARY, args, tmp_.path(), logs_,
                                 std::chrono::seconds(120), interrupt_when, signal);
  }

  std::vector<std::string> train_args(const fs::path& out, int epochs,
                                      const std::vector<std::string>& more = {}) {
    std::vector<std::string> args = {"train",
                                     "--out",
                                     out.string(),
                                     "--threads",
                                     "1",
                                     "--no-report",
                                     "-q",
                                     "--set",
                                     "data.name=spirals",
                                     "--set",
                                     "data.size=300",
                                     "--set",
                                     "train.batch_size=32",
                                     "--set",
                                     R"(model.layers=["linear:out=8","tanh","linear:out=3"])",
                                     "--set",
                                     "train.epochs=" + std::to_string(epochs)};
    args.insert(args.end(), more.begin(), more.end());
    return args;
  }

  // Whether `dir`'s training has logged `epochs` epochs (and so holds its lock).
  static bool logged(const fs::path& dir, size_t epochs) {
    std::error_code ec;
    return fs::exists(dir / "metrics.jsonl", ec) && lines_in(dir / "metrics.jsonl") >= epochs;
  }

  cli_test::TempDir tmp_{"descent-run-lock"};
  fs::path logs_ = tmp_ / "logs";
};

TEST_F(RunDirLock, SecondTrainIntoTheSameOutIsRefusedNamingTheHolder) {
  const fs::path run = tmp_ / "run";
  CommandResult second;
  std::map<std::string, std::string> before, after;
  std::string holder;
  const CommandResult first = descent(train_args(run, 100000), [&] {
    if (!logged(run, 2)) return false;
    holder = read_text(run / descent::kLockFile);
    before = snapshot(run);
    second = descent(train_args(run, 3));
    // The first one may have written since: compare what the second could have touched.
    after = snapshot(run);
    return true;
  });
  EXPECT_EQ(first.exit_code, 130) << first.err;
  ASSERT_FALSE(holder.empty());
  holder.pop_back();  // "<pid>\n"
  EXPECT_EQ(second.exit_code, 1);
  EXPECT_NE(second.err.find("run directory " + run.string() + " is in use: process " + holder +
                            " is training in it"),
            std::string::npos)
      << second.err;
  EXPECT_EQ(before.at("config.toml"), after.at("config.toml"));
  EXPECT_EQ(before.at("data.json"), after.at("data.json"));
  // One run's epochs, in order: nothing interleaved.
  const auto metrics = cli_test::read_jsonl(run / "metrics.jsonl");
  for (size_t i = 0; i < metrics.size(); ++i)
    EXPECT_EQ(metrics[i].at("epoch"), static_cast<int64_t>(i + 1));
}

// Two runs started together into one --out: whichever claims the directory first trains, the
// other is refused (in use, or no longer empty), and the metrics are one run's.
TEST_F(RunDirLock, SimultaneousStartsIntoOneOutLetExactlyOneTrain) {
  for (int attempt = 0; attempt < 3; ++attempt) {
    const fs::path run = tmp_ / ("run-" + std::to_string(attempt));
    CommandResult second;
    bool started = false;
    const CommandResult first = descent(train_args(run, 3), [&] {
      if (!started) second = descent(train_args(run, 3));
      started = true;
      return false;
    });
    ASSERT_TRUE(started);
    const bool first_won = first.exit_code == 0;
    const CommandResult& loser = first_won ? second : first;
    EXPECT_EQ((first_won ? second : first).exit_code, 1) << loser.err;
    EXPECT_EQ((first_won ? first : second).exit_code, 0);
    EXPECT_TRUE(loser.err.find("is in use: process ") != std::string::npos ||
                loser.err.find("already exists and is not empty") != std::string::npos)
        << loser.err;
    const auto metrics = cli_test::read_jsonl(run / "metrics.jsonl");
    ASSERT_EQ(metrics.size(), 3u);
    for (size_t i = 0; i < metrics.size(); ++i)
      EXPECT_EQ(metrics[i].at("epoch"), static_cast<int64_t>(i + 1));
  }
}

TEST_F(RunDirLock, ResumeOrEvaluateOfARunStillTrainingIsRefused) {
  const fs::path run = tmp_ / "run";
  ASSERT_EQ(descent(train_args(run, 2)).exit_code, 0);
  CommandResult resume, evaluate;
  std::string holder;
  // A resume to many more epochs holds the run; a second resume and evaluate come meanwhile.
  const CommandResult first =
      descent({"train", "--resume", run.string(), "-q", "--set", "train.epochs=100000"}, [&] {
        if (!logged(run, 4)) return false;
        holder = read_text(run / descent::kLockFile);
        resume = descent({"train", "--resume", run.string(), "--set", "train.epochs=200000"});
        evaluate = descent({"evaluate", run.string()});
        return true;
      });
  EXPECT_EQ(first.exit_code, 130) << first.err;
  ASSERT_FALSE(holder.empty());
  holder.pop_back();
  EXPECT_EQ(resume.exit_code, 1);
  EXPECT_NE(resume.err.find("is in use: process " + holder), std::string::npos) << resume.err;
  EXPECT_EQ(evaluate.exit_code, 1);
  EXPECT_NE(evaluate.err.find("is still training (process " + holder + ")"), std::string::npos)
      << evaluate.err;
  // The refused resume did not change the settings the first one trains with.
  EXPECT_NE(read_text(run / "config.toml").find("epochs = 100000"), std::string::npos);
}

TEST_F(RunDirLock, KilledHolderReleasesTheLock) {
  const fs::path run = tmp_ / "run";
  fs::create_directories(run);
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  const pid_t child = ::fork();
  if (child == 0) {
    const descent::RunLock lock(run);
    const char byte = 1;
    if (::write(ready[1], &byte, 1) != 1) ::_exit(1);
    ::pause();
    ::_exit(0);
  }
  char byte = 0;
  ASSERT_EQ(::read(ready[0], &byte, 1), 1);
  EXPECT_EQ(descent::run_dir_holder(run), child);
  try {
    const descent::RunLock second(run);
    ADD_FAILURE() << "a second lock while the child holds it";
  } catch (const descent::RunDirBusy& e) {
    EXPECT_EQ(e.holder(), child);
  }
  ::kill(child, SIGKILL);
  int status = 0;
  ::waitpid(child, &status, 0);
  EXPECT_EQ(descent::run_dir_holder(run), 0);
  EXPECT_NO_THROW(descent::RunLock again(run));
}

TEST_F(RunDirLock, CleanupRemovesOnlyTemporariesWhoseWriterIsGone) {
  const fs::path dir = tmp_ / "dir";
  fs::create_directories(dir);
  const std::string live = ".checkpoint.safetensors.tmp-" + std::to_string(::getpid()) + "-0";
  const std::string dead = ".checkpoint.safetensors.tmp-" + std::to_string(dead_pid()) + "-3";
  for (const auto& name : {live, dead, std::string(".notes.tmp-x"), std::string("kept.txt")})
    cli_test::write_text(dir / name, "x");
  descent::remove_stale_temporaries(dir);
  EXPECT_TRUE(fs::exists(dir / live)) << "a live writer's temporary was removed";
  EXPECT_FALSE(fs::exists(dir / dead));
  EXPECT_TRUE(fs::exists(dir / ".notes.tmp-x"));
  EXPECT_TRUE(fs::exists(dir / "kept.txt"));
}

TEST_F(RunDirLock, DirectoryHoldingOnlyAConfigTemporaryIsReused) {
  const fs::path run = tmp_ / "run";
  fs::create_directories(run);
  const std::string leftover = ".config.toml.tmp-" + std::to_string(dead_pid()) + "-0";
  cli_test::write_text(run / leftover, "seed = ");
  cli_test::write_text(run / descent::kLockFile, "");
  EXPECT_TRUE(descent::run_dir_is_empty(run));
  const CommandResult r = descent(train_args(run, 1));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(fs::exists(run / leftover));
  EXPECT_TRUE(fs::exists(run / "summary.json"));

  // A directory with anything else in it is still refused.
  const fs::path used = tmp_ / "used";
  fs::create_directories(used);
  cli_test::write_text(used / "notes.txt", "mine");
  const CommandResult refused = descent(train_args(used, 1));
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("already exists and is not empty"), std::string::npos) << refused.err;
  EXPECT_FALSE(fs::exists(used / descent::kLockFile)) << "the refused run touched the directory";
}

TEST_F(RunDirLock, KilledResumeOfAFinishedRunLeavesNoStaleModel) {
  const fs::path run = tmp_ / "run", input = tmp_ / "points.csv";
  ASSERT_EQ(descent(train_args(run, 2)).exit_code, 0);
  cli_test::write_text(input, "x0,x1\n0.1,0.2\n");
  ASSERT_EQ(descent({"predict", run.string(), "--input", input.string()}).exit_code, 0);
  const CommandResult killed = descent(
      {"train", "--resume", run.string(), "-q", "--set", "train.epochs=100000"},
      [&] { return logged(run, 5); }, SIGKILL);
  ASSERT_EQ(killed.exit_code, 128 + SIGKILL);
  EXPECT_FALSE(fs::exists(run / "summary.json"));
  EXPECT_FALSE(fs::exists(run / "model.safetensors")) << "the weights of epoch 2 stayed behind";
  for (const CommandResult& r : {descent({"evaluate", run.string()}),
                                 descent({"predict", run.string(), "--input", input.string()})}) {
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find(run.string() + " has not finished"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("descent train --resume " + run.string()), std::string::npos) << r.err;
  }
  // Finished with a shorter length than the killed resume was given: it goes on from its
  // checkpoint to the end.
  const int64_t next = descent::load_checkpoint(run / "checkpoint.safetensors")
                           .meta.at("loop")
                           .at("epoch")
                           .get<int64_t>();
  const CommandResult resumed = descent({"train", "--resume", run.string(), "-q", "--set",
                                         "train.epochs=" + std::to_string(next + 1)});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(descent({"evaluate", run.string()}).exit_code, 0);
}

TEST_F(RunDirLock, RunKilledBeforeItsFirstCheckpointStartsAgain) {
  const fs::path straight = tmp_ / "straight", run = tmp_ / "run";
  const std::vector<std::string> no_checkpoints = {"--set", "checkpoint.every=0"};
  ASSERT_EQ(descent(train_args(straight, 30, no_checkpoints)).exit_code, 0);
  // Long enough never to end before the kill; resumed with the reference's length (the
  // length changes nothing else: no schedule).
  const CommandResult killed = descent(
      train_args(run, 100000, no_checkpoints), [&] { return logged(run, 3); }, SIGKILL);
  ASSERT_EQ(killed.exit_code, 128 + SIGKILL);
  ASSERT_FALSE(fs::exists(run / "checkpoint.safetensors"));
  const CommandResult resumed =
      descent({"train", "--resume", run.string(), "--set", "train.epochs=30"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_NE(resumed.out.find("has no checkpoint.safetensors (it stopped before writing one): "
                             "training from the start"),
            std::string::npos)
      << resumed.out;
  EXPECT_EQ(read_text(run / "model.safetensors"), read_text(straight / "model.safetensors"));
  EXPECT_EQ(cli_test::read_jsonl(run / "metrics.jsonl").size(), 30u);
}

TEST_F(RunDirLock, RunKilledAfterItsLastCheckpointWritesItsResultsOnResume) {
  const fs::path run = tmp_ / "run";
  ASSERT_EQ(descent(train_args(run, 3)).exit_code, 0);
  const std::string model = read_text(run / "model.safetensors");
  const auto summary = nlohmann::json::parse(read_text(run / "summary.json"));
  // As a kill after the last checkpoint leaves it: no results yet.
  fs::remove(run / "summary.json");
  fs::remove(run / "model.safetensors");
  const CommandResult resumed = descent({"train", "--resume", run.string()});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(read_text(run / "model.safetensors"), model);
  const auto again = nlohmann::json::parse(read_text(run / "summary.json"));
  EXPECT_EQ(again.at("test_loss"), summary.at("test_loss"));
  EXPECT_EQ(again.at("epochs"), 3);
  // Finished now: a second resume has nothing to do.
  const CommandResult twice = descent({"train", "--resume", run.string()});
  EXPECT_EQ(twice.exit_code, 1);
  EXPECT_NE(twice.err.find("has trained 3 epochs already"), std::string::npos) << twice.err;
}

}  // namespace test_cli_run_dir_lock
