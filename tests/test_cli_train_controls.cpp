// End-to-end tests of the training controls through the `descent` executable: Ctrl-C and
// --resume (bit-identical to an uninterrupted run), training longer from a finished run, what
// --resume refuses, a diverging run's exit and message, early stopping in summary.json, and the
// new configuration keys' errors; steps.jsonl after Ctrl-C or SIGKILL and --resume.
#include <gtest/gtest.h>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "cli_fixtures.h"
#include "descent/train/checkpoint.h"

namespace test_cli_train_controls {

namespace fs = std::filesystem;
using cli_test::CommandResult;
using cli_test::read_text;
using nlohmann::json;

using cli_test::read_jsonl;

// The metrics a resumed run must reproduce exactly (timings aside).
json without_timings(json row) {
  row.erase("seconds");
  row.erase("samples_per_second");
  return row;
}

class CliTrainControls : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(cwd_);
    fs::create_directories(logs_);
  }

  CommandResult descent(const std::vector<std::string>& args,
                        const std::function<bool()>& interrupt_when = {}, int signal = SIGINT) {
    return cli_test::run_command(DESCENT_BINARY, args, cwd_, logs_, std::chrono::seconds(120),
                                 interrupt_when, signal);
  }

  // Spirals with dropout, a per-step cosine schedule, accumulation, clipping and a weight
  // average: every piece of state a resume must restore.
  std::vector<std::string> train_args(const fs::path& out, int epochs, int size = 4000) {
    return {"train",
            "--out",
            out.string(),
            "--threads",
            "1",
            "--set",
            "data.name=spirals",
            "--set",
            "data.size=" + std::to_string(size),
            "--set",
            R"(model.layers=["linear:out=32", "tanh", "dropout:p=0.1", "linear:out=3"])",
            "--set",
            "train.epochs=" + std::to_string(epochs),
            "--set",
            "train.batch_size=16",
            "--set",
            "train.accumulate=2",
            "--set",
            "clip.max_norm=1.0",
            "--set",
            "ema.decay=0.99",
            "--set",
            "schedule.name=cosine",
            "--set",
            "schedule.interval=step",
            "--set",
            "schedule.t_max=3000",
            "--set",
            "optimizer.lr=0.01"};
  }

  cli_test::TempDir tmp_{"descent-cli-controls"};
  fs::path cwd_ = tmp_ / "cwd", logs_ = tmp_ / "logs";
};

void expect_success(const CommandResult& r) {
  ASSERT_EQ(r.exit_code, 0) << "stdout:\n" << r.out << "\nstderr:\n" << r.err;
}

// The same steps, in order, with the same numbers (wall time aside).
void expect_same_steps(const fs::path& expected, const fs::path& actual) {
  const auto a = read_jsonl(expected), b = read_jsonl(actual);
  ASSERT_FALSE(a.empty());
  ASSERT_EQ(a.size(), b.size()) << actual;
  for (size_t i = 0; i < a.size(); ++i) {
    ASSERT_EQ(b[i].at("step"), static_cast<int64_t>(i + 1)) << actual;
    json x = a[i], y = b[i];
    x.erase("seconds");
    y.erase("seconds");
    EXPECT_EQ(x, y) << "step " << i + 1;
  }
}

TEST_F(CliTrainControls, CtrlCThenResumeIsBitIdentical) {
  const fs::path straight = tmp_ / "straight", run = tmp_ / "run";
  expect_success(descent(train_args(straight, 40)));

  // SIGINT once the first epoch is logged: wherever it lands (mid-epoch or between epochs), the
  // run must stop with a checkpoint and resume exactly.
  const CommandResult stopped = descent(train_args(run, 40), [&] {
    std::error_code ec;
    return fs::exists(run / "metrics.jsonl", ec) && fs::file_size(run / "metrics.jsonl", ec) > 0;
  });
  ASSERT_EQ(stopped.exit_code, 130) << stopped.out << stopped.err;
  EXPECT_NE(stopped.out.find("interrupted by Ctrl-C after step "), std::string::npos)
      << stopped.out;
  EXPECT_NE(stopped.out.find("resume with: descent train --resume " + run.string()),
            std::string::npos)
      << stopped.out;
  EXPECT_TRUE(fs::exists(run / "checkpoint.safetensors"));
  EXPECT_FALSE(fs::exists(run / "summary.json"));
  EXPECT_FALSE(fs::exists(run / "model.safetensors"));

  const CommandResult resumed = descent({"train", "--resume", run.string()});
  expect_success(resumed);
  EXPECT_NE(resumed.out.find("descent: resuming"), std::string::npos) << resumed.out;
  EXPECT_EQ(read_text(run / "model.safetensors"), read_text(straight / "model.safetensors"))
      << "the resumed run's weights differ from the uninterrupted run's";
  const auto a = read_jsonl(straight / "metrics.jsonl"), b = read_jsonl(run / "metrics.jsonl");
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i)
    EXPECT_EQ(without_timings(a[i]), without_timings(b[i])) << "epoch " << i + 1;
  const json sa = json::parse(read_text(straight / "summary.json"));
  const json sb = json::parse(read_text(run / "summary.json"));
  EXPECT_EQ(sa.at("test_loss"), sb.at("test_loss"));
  expect_same_steps(straight / "steps.jsonl", run / "steps.jsonl");
}

// SIGTERM (kill, timeout, a job scheduler) stops like Ctrl-C, with the shell's status for it.
TEST_F(CliTrainControls, SigtermCheckpointsAndExits143) {
  const fs::path run = tmp_ / "term";
  const CommandResult stopped = descent(
      train_args(run, 40),
      [&] {
        std::error_code ec;
        return fs::exists(run / "metrics.jsonl", ec) &&
               fs::file_size(run / "metrics.jsonl", ec) > 0;
      },
      SIGTERM);
  ASSERT_EQ(stopped.exit_code, 143) << stopped.out << stopped.err;
  EXPECT_NE(stopped.out.find("interrupted by SIGTERM after step "), std::string::npos)
      << stopped.out;
  EXPECT_TRUE(fs::exists(run / "checkpoint.safetensors"));
  expect_success(descent({"train", "--resume", run.string()}));
  EXPECT_TRUE(fs::exists(run / "summary.json"));
}

// A crash: SIGKILL, so nothing is flushed or checkpointed on the way out. With checkpoints every
// 2 epochs and the kill after an odd epoch, steps.jsonl holds an epoch of steps past the
// checkpoint (maybe a torn line too), which the resumed run must take again without logging them
// twice.
TEST_F(CliTrainControls, KilledAfterACheckpointResumesWithoutDuplicateSteps) {
  const fs::path straight = tmp_ / "straight", run = tmp_ / "run", pid_file = tmp_ / "pid";
  auto with_checkpoints = [&](const fs::path& out) {
    auto args = train_args(out, 40);
    args.insert(args.end(), {"--set", "checkpoint.every=2"});
    return args;
  };
  expect_success(descent(with_checkpoints(straight)));

  // The shell writes its pid and then becomes descent (exec), so the pid is descent's.
  std::string script = "echo $$ > " + pid_file.string() + "; exec " + DESCENT_BINARY;
  for (const auto& a : with_checkpoints(run)) script += " '" + a + "'";
  bool killed = false;
  const CommandResult r =
      cli_test::run_command("/bin/sh", {"-c", script}, cwd_, logs_, std::chrono::seconds(120), [&] {
        const std::string metrics = read_text(run / "metrics.jsonl");
        const auto epochs = std::count(metrics.begin(), metrics.end(), '\n');
        if (killed || epochs < 3 || epochs % 2 == 0) return false;
        ::kill(std::stoi(read_text(pid_file)), SIGKILL);
        killed = true;
        return false;
      });
  ASSERT_EQ(r.exit_code, 128 + SIGKILL) << r.out << r.err;
  const json loop = descent::load_checkpoint(run / "checkpoint.safetensors").meta.at("loop");
  std::string logged = read_text(run / "steps.jsonl");
  logged.resize(logged.rfind('\n'));
  const json last = json::parse(logged.substr(logged.rfind('\n') + 1));
  ASSERT_GT(last.at("step").get<int64_t>(), loop.at("step").get<int64_t>())
      << "steps past the checkpoint are in the file";

  expect_success(descent({"train", "--resume", run.string()}));
  EXPECT_EQ(read_text(run / "model.safetensors"), read_text(straight / "model.safetensors"));
  expect_same_steps(straight / "steps.jsonl", run / "steps.jsonl");
}

TEST_F(CliTrainControls, ResumeAFinishedRunToTrainLonger) {
  const fs::path straight = tmp_ / "straight", run = tmp_ / "run";
  expect_success(descent(train_args(straight, 4, 800)));
  expect_success(descent(train_args(run, 2, 800)));
  // Same length: nothing left to do, and the message says how to go on.
  const CommandResult same = descent({"train", "--resume", run.string()});
  EXPECT_EQ(same.exit_code, 1);
  EXPECT_NE(same.err.find("has trained 2 epochs already; to train more, resume with --set "
                          "train.epochs=N, N > 2"),
            std::string::npos)
      << same.err;
  expect_success(descent({"train", "--resume", run.string(), "--set", "train.epochs=4"}));
  EXPECT_EQ(read_text(run / "model.safetensors"), read_text(straight / "model.safetensors"));
  EXPECT_EQ(read_jsonl(run / "metrics.jsonl").size(), 4u);
  EXPECT_NE(read_text(run / "config.toml").find("epochs = 4"), std::string::npos);
}

// train.profile times the phases of every step into diagnostics.json and changes no number; a
// resumed run may switch it.
TEST_F(CliTrainControls, ProfileWritesStepSecondsAndChangesNothing) {
  const fs::path plain = tmp_ / "plain", profiled = tmp_ / "profiled";
  expect_success(descent(train_args(plain, 2, 800)));
  std::vector<std::string> args = train_args(profiled, 1, 800);
  args.insert(args.end(), {"--set", "train.profile=true"});
  expect_success(descent(args));
  const json one = json::parse(read_text(profiled / "diagnostics.json")).at("step_seconds");
  EXPECT_GT(one.at("steps").get<int64_t>(), 0);
  for (const char* key : {"total", "zero_grad", "gather", "forward_backward", "gemm",
                          "gradient_norm", "optimizer", "callbacks"})
    EXPECT_GT(one.at(key).get<double>(), 0) << key;
  EXPECT_FALSE(json::parse(read_text(plain / "diagnostics.json")).contains("step_seconds"));
  // Switched off on resume: the second epoch is not timed, and the weights are the plain run's.
  expect_success(descent({"train", "--resume", profiled.string(), "--set", "train.epochs=2",
                          "--set", "train.profile=false"}));
  EXPECT_FALSE(json::parse(read_text(profiled / "diagnostics.json")).contains("step_seconds"));
  EXPECT_EQ(read_text(profiled / "model.safetensors"), read_text(plain / "model.safetensors"));
}

TEST_F(CliTrainControls, ResumeRefusesChangesAndMissingCheckpoints) {
  const fs::path run = tmp_ / "run";
  expect_success(descent(train_args(run, 1, 400)));
  const CommandResult changed =
      descent({"train", "--resume", run.string(), "--set", "optimizer.lr=0.5"});
  EXPECT_EQ(changed.exit_code, 1);
  EXPECT_NE(changed.err.find("--set optimizer.lr=0.5: a resumed run keeps its configuration; "
                             "only train.epochs, checkpoint.every, threads"),
            std::string::npos)
      << changed.err;
  const CommandResult with_out = descent({"train", "--resume", run.string(), "--out", "x"});
  EXPECT_EQ(with_out.exit_code, 1);
  EXPECT_NE(with_out.err.find("directory: drop --out"), std::string::npos) << with_out.err;

  fs::remove(run / "checkpoint.safetensors");
  const CommandResult none = descent({"train", "--resume", run.string()});
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_NE(none.err.find("has no checkpoint.safetensors to resume from"), std::string::npos)
      << none.err;
  const CommandResult not_a_run = descent({"train", "--resume", (tmp_ / "nowhere").string()});
  EXPECT_EQ(not_a_run.exit_code, 1);
  EXPECT_NE(not_a_run.err.find("is not a run directory (no config.toml)"), std::string::npos);
}

TEST_F(CliTrainControls, DivergingRunStopsWithExitThreeAndKeepsItsCheckpoint) {
  const fs::path run = tmp_ / "run";
  // Plain SGD on a regression with a huge learning rate overflows within a few steps.
  const CommandResult r =
      descent({"train", "--out", run.string(), "--set", "data.name=sine", "--set", "train.loss=mse",
               "--set", R"(model.layers=["linear:out=16", "tanh", "linear:out=1"])", "--set",
               "optimizer.name=sgd", "--set", "optimizer.lr=1e12", "--set", "train.epochs=3"});
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_NE(r.err.find("descent: error: non-finite "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("at epoch 1, step "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("no checkpoint was written (no epoch finished)"), std::string::npos)
      << r.err;
  const json summary = json::parse(read_text(run / "summary.json"));
  EXPECT_EQ(summary.at("stop_reason"), "non_finite");
  EXPECT_NE(r.err.find(summary.at("stop_message").get<std::string>()), std::string::npos);
  EXPECT_EQ(summary.at("epochs"), 0);
  EXPECT_FALSE(fs::exists(run / "model.safetensors"));
  EXPECT_FALSE(fs::exists(run / "checkpoint.safetensors")) << "no good epoch to keep";
}

TEST_F(CliTrainControls, EarlyStoppingIsReportedInTheSummary) {
  const fs::path run = tmp_ / "run";
  // lr = 0: the validation loss never improves after epoch 1, so patience 2 stops at epoch 3.
  const CommandResult r =
      descent({"train", "--out", run.string(), "--set", "data.name=moons", "--set",
               R"(model.layers=["linear:out=8", "relu", "linear:out=2"])", "--set",
               "optimizer.name=sgd", "--set", "optimizer.lr=0", "--set", "train.epochs=20", "--set",
               "early_stopping.patience=2"});
  expect_success(r);
  EXPECT_NE(r.out.find("early stopping: val_loss did not improve for 2 epochs"), std::string::npos)
      << r.out;
  const json summary = json::parse(read_text(run / "summary.json"));
  EXPECT_EQ(summary.at("stop_reason"), "early_stopping");
  EXPECT_EQ(summary.at("epochs"), 3);
  EXPECT_EQ(summary.at("best_epoch"), 1);
  EXPECT_EQ(summary.at("early_stopping").at("monitor"), "val_loss");
  EXPECT_EQ(summary.at("early_stopping").at("best_epoch"), 1);
  const auto metrics = read_jsonl(run / "metrics.jsonl");
  ASSERT_EQ(metrics.size(), 3u);
  for (const char* key : {"grad_norm_mean", "grad_norm_max", "update_ratio", "lr"})
    EXPECT_TRUE(metrics[0].contains(key)) << key;
  EXPECT_EQ(metrics[0].at("update_ratio").at("0.weight"), 0.0) << "lr = 0 moves nothing";
}

TEST_F(CliTrainControls, NewKeysAreChecked) {
  const fs::path run = tmp_ / "run";
  struct Case {
    std::string set, expected;
  };
  const std::vector<Case> cases = {
      {"clip.max_norm=-1",
       "config: clip.max_norm = -1 (from --set clip.max_norm=-1) is not "
       "valid (expected a number >= 0)"},
      {"ema.decay=1",
       "config: ema.decay = 1 (from --set ema.decay=1) is not valid (expected a "
       "number >= 0 and < 1)"},
      {"early_stopping.monitor=val_acc",
       "expected val_loss, val_accuracy, train_loss, "
       "train_accuracy"},
      {"train.on_non_finite=ignore", "expected stop, skip"},
      {"train.accumulate=0", "expected an integer >= 1"},
      {"metrics.every_steps=0",
       "config: metrics.every_steps = 0 (from --set "
       "metrics.every_steps=0) is not valid (expected an integer >= 1)"},
      {"curvature.method=newton", "expected difference, exact"},
      {"clip.norm=1", "unknown key 'clip.norm'"},
      {"regularization.l3=1", "valid keys in [regularization]: l1, l2, exclude_1d"},
  };
  for (const auto& c : cases) {
    const CommandResult r =
        descent({"train", "--out", run.string(), "--set", "data.name=moons", "--set", c.set});
    EXPECT_EQ(r.exit_code, 1) << c.set;
    EXPECT_NE(r.err.find(c.expected), std::string::npos) << c.set << "\n" << r.err;
    EXPECT_FALSE(fs::exists(run)) << "nothing is written for a bad configuration";
  }
}

}  // namespace test_cli_train_controls

namespace test_cli_train_controls {

TEST(CliExamples, RegressionAndClassificationConfigsRun) {
  cli_test::TempDir tmp("descent-examples");
  for (const char* name : {"regression", "classification"}) {
    const fs::path config =
        fs::path(DESCENT_SOURCE_DIR) / "examples" / (std::string(name) + ".toml");
    const fs::path out = tmp / name;
    const CommandResult r = cli_test::run_command(
        DESCENT_BINARY,
        {"train", "--config", config.string(), "--out", out.string(), "--set", "train.epochs=3"},
        tmp.path(), tmp.path());
    ASSERT_EQ(r.exit_code, 0) << name << "\n" << r.out << r.err;
    const json summary = json::parse(read_text(out / "summary.json"));
    EXPECT_TRUE(summary.at("test_loss").is_number()) << name;
  }
}

}  // namespace test_cli_train_controls

namespace test_cli_train_controls {

// A wrapper optimizer configured in TOML: lookahead's own keys and its base optimizer's, written
// back to config.toml so that --config repeats the run exactly.
TEST(CliWrapperOptimizer, LookaheadWithItsBaseFromTheConfig) {
  cli_test::TempDir tmp("descent-lookahead");
  auto train = [&](const std::vector<std::string>& extra) {
    std::vector<std::string> args = {"train"};
    args.insert(args.end(), extra.begin(), extra.end());
    return cli_test::run_command(DESCENT_BINARY, args, tmp.path(), tmp.path());
  };
  const fs::path a = tmp / "a", b = tmp / "b", c = tmp / "c";
  const CommandResult first =
      train({"--out", a.string(), "--set", "data.name=moons", "--set",
             R"(model.layers=["linear:out=16", "relu", "linear:out=2"])", "--set", "train.epochs=2",
             "--set", "optimizer.name=lookahead", "--set", "optimizer.base=sgd", "--set",
             "optimizer.lr=0.1", "--set", "optimizer.momentum=0.9", "--set", "optimizer.k=3"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  const std::string config = read_text(a / "config.toml");
  EXPECT_NE(config.find("base = 'sgd'"), std::string::npos) << config;
  EXPECT_NE(config.find("k = 3"), std::string::npos) << config;
  const CommandResult again =
      train({"--config", (a / "config.toml").string(), "--out", b.string()});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(read_text(a / "model.safetensors"), read_text(b / "model.safetensors"));
  // A plain SGD run differs: the slow weights are really in play.
  const CommandResult plain =
      train({"--out", c.string(), "--set", "data.name=moons", "--set",
             R"(model.layers=["linear:out=16", "relu", "linear:out=2"])", "--set", "train.epochs=2",
             "--set", "optimizer.name=sgd", "--set", "optimizer.lr=0.1", "--set",
             "optimizer.momentum=0.9"});
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_NE(read_text(a / "model.safetensors"), read_text(c / "model.safetensors"));

  const CommandResult bad_key = train({"--out", (tmp / "d").string(), "--set", "data.name=moons",
                                       "--set", "optimizer.name=lookahead", "--set",
                                       "optimizer.base=sgd", "--set", "optimizer.beta1=0.9"});
  EXPECT_EQ(bad_key.exit_code, 1);
  EXPECT_NE(bad_key.err.find("unknown key 'beta1'"), std::string::npos) << bad_key.err;
  EXPECT_NE(bad_key.err.find("--set optimizer.beta1=0.9"), std::string::npos) << bad_key.err;
}

}  // namespace test_cli_train_controls
