// steps.jsonl, the per-step log: one line per optimizer step agreeing with the epoch metrics and
// the schedule, thinning, buffered writes, cutting back to the checkpoint after a crash, a log
// changed by hand, and its configuration key.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <memory>
#include <set>

#include "cli_fixtures.h"
#include "descent/app/config.h"
#include "descent/data/synthetic.h"
#include "descent/io/atomic_file.h"
#include "descent/nn/network_spec.h"
#include "descent/optim/registry.h"
#include "descent/schedule/factory.h"
#include "descent/train/callbacks/schedule_step.h"
#include "descent/train/callbacks/steps_log.h"
#include "descent/train/trainer.h"
#include "throws_with.h"

namespace descent {
namespace test_steps_log {

namespace fs = std::filesystem;
using cli_test::read_jsonl;
using nlohmann::json;

// 400 spirals in minibatches of 40, two to a step: 5 steps an epoch, all of the same size.
// SGD with a per-step StepLR (lr 0.1, halved every 3 steps).
struct Rig {
  Rig(const fs::path& log, int64_t every = 1, int64_t epochs = 3, fs::path checkpoint = {}) {
    Generator data_gen(5);
    const Dataset all = make_synthetic_dataset("spirals", {.size = 500}, data_gen);
    Generator split_gen(6);
    auto split = hold_out(all, 100, split_gen);
    train = split.train;
    validation = split.validation;
    Generator init(1);
    model = build_network({"linear:out=16", "tanh", "linear:out=3"}, 2, init);
    optimizer = make_optimizer("sgd:lr=0.1", model->parameters());
    TrainOptions t;
    t.epochs = epochs;
    t.batch_size = 40;
    t.accumulate = 2;
    t.checkpoint_path = checkpoint;
    trainer = std::make_unique<Trainer>(*model, *optimizer, cross_entropy, t);
    schedule = std::make_unique<ScheduleStep>(
        make_scheduler("step:step_size=3,gamma=0.5", *optimizer), ScheduleInterval::Step);
    trainer->add_callback(*schedule);
    steps = std::make_unique<StepsLog>(log, every);
    trainer->add_callback(*steps);
  }

  TrainResult fit() {
    Generator shuffle(3);
    return trainer->fit(train, &validation, shuffle);
  }

  Dataset train, validation;
  std::unique_ptr<Sequential> model;
  std::unique_ptr<Optimizer> optimizer;
  std::unique_ptr<Trainer> trainer;
  std::unique_ptr<ScheduleStep> schedule;
  std::unique_ptr<StepsLog> steps;
};

json without_seconds(json row) {
  row.erase("seconds");
  return row;
}

class StepsLogTest : public ::testing::Test {
 protected:
  cli_test::TempDir tmp_{"descent-steps"};
};

TEST_F(StepsLogTest, OneLinePerStepAgreeingWithTheEpochMetricsAndTheSchedule) {
  Rig rig(tmp_ / "steps.jsonl");
  const TrainResult r = rig.fit();
  const auto rows = read_jsonl(tmp_ / "steps.jsonl");
  ASSERT_EQ(rows.size(), 15u);
  const std::set<std::string> fields = {"step", "epoch",     "batch",  "loss",
                                        "lr",   "grad_norm", "seconds"};
  double previous_seconds = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    SCOPED_TRACE("line " + std::to_string(i + 1));
    const json& row = rows[i];
    std::set<std::string> keys;
    for (const auto& [k, v] : row.items()) keys.insert(k);
    EXPECT_EQ(keys, fields);
    EXPECT_EQ(row.at("step"), static_cast<int64_t>(i + 1));
    EXPECT_EQ(row.at("epoch"), static_cast<int64_t>(i / 5 + 1));
    EXPECT_EQ(row.at("batch"), static_cast<int64_t>(2 * (i % 5 + 1))) << "the step's last";
    // StepLR per step: step k (1-based) uses 0.1 * 0.5^floor((k - 1) / 3).
    EXPECT_NEAR(row.at("lr").get<double>(), 0.1 * std::pow(0.5, static_cast<double>(i / 3)), 1e-15);
    EXPECT_TRUE(std::isfinite(row.at("loss").get<double>()));
    EXPECT_GT(row.at("grad_norm").get<double>(), 0);
    EXPECT_GE(row.at("seconds").get<double>(), previous_seconds);
    previous_seconds = row.at("seconds").get<double>();
  }
  // Equal minibatches: the epoch's loss is the mean of its steps' losses, and its gradient norm
  // statistics are those of its steps' norms.
  ASSERT_EQ(r.history.size(), 3u);
  for (size_t e = 0; e < 3; ++e) {
    SCOPED_TRACE("epoch " + std::to_string(e + 1));
    double loss = 0, norm = 0, norm_max = 0;
    for (size_t i = 5 * e; i < 5 * e + 5; ++i) {
      loss += rows[i].at("loss").get<double>() / 5;
      norm += rows[i].at("grad_norm").get<double>() / 5;
      norm_max = std::max(norm_max, rows[i].at("grad_norm").get<double>());
    }
    EXPECT_NEAR(loss, r.history[e].train_loss, 1e-12);
    EXPECT_NEAR(norm, r.history[e].grad_norm_mean, 1e-12);
    EXPECT_EQ(norm_max, r.history[e].grad_norm_max);
  }
}

TEST_F(StepsLogTest, EveryNthStepThinsTheSameLines) {
  Rig all(tmp_ / "all.jsonl");
  all.fit();
  Rig thinned(tmp_ / "thinned.jsonl", 4);
  thinned.fit();
  const auto a = read_jsonl(tmp_ / "all.jsonl"), t = read_jsonl(tmp_ / "thinned.jsonl");
  ASSERT_EQ(t.size(), 3u);
  for (size_t i = 0; i < t.size(); ++i) {
    EXPECT_EQ(t[i].at("step"), static_cast<int64_t>(4 * (i + 1)));
    EXPECT_EQ(without_seconds(t[i]), without_seconds(a[4 * i + 3]));
  }
  EXPECT_THROW(StepsLog(tmp_ / "x.jsonl", 0), std::invalid_argument);
}

// Watches the file's size as training goes.
class SizeProbe : public Callback {
 public:
  explicit SizeProbe(fs::path path) : path_(std::move(path)) {}
  void on_step_end(TrainState& s) override {
    if (s.epoch == 1) max_size_in_epoch_1 = std::max(max_size_in_epoch_1, fs::file_size(path_));
  }
  void on_epoch_begin(TrainState& s) override {
    if (s.epoch == 2) lines_at_epoch_2 = read_jsonl(path_).size();
  }
  uintmax_t max_size_in_epoch_1 = 0;
  size_t lines_at_epoch_2 = 0;

 private:
  fs::path path_;
};

TEST_F(StepsLogTest, WritesAtEpochEndsNotPerStep) {
  Rig rig(tmp_ / "steps.jsonl");
  SizeProbe probe(tmp_ / "steps.jsonl");
  rig.trainer->add_callback(probe);
  rig.fit();
  EXPECT_EQ(probe.max_size_in_epoch_1, 0u) << "lines are buffered within the epoch";
  EXPECT_EQ(probe.lines_at_epoch_2, 5u) << "and written when it ends";
}

// Stands for a crash: throws out of the loop at a given step.
class CrashAt : public Callback {
 public:
  explicit CrashAt(int64_t step) : step_(step) {}
  void on_step_end(TrainState& s) override {
    if (s.step == step_) throw std::runtime_error("crash");
  }

 private:
  int64_t step_;
};

TEST_F(StepsLogTest, ResumingCutsTheLogBackToTheCheckpoint) {
  Rig straight(tmp_ / "straight.jsonl");
  straight.fit();
  const fs::path log = tmp_ / "steps.jsonl", ckpt = tmp_ / "run.ckpt";
  {
    // Checkpoints after epochs 1 and 2; the crash is in epoch 3, and the lines of steps 11 and 12
    // reach the file after the last checkpoint (written as the log is destroyed).
    Rig crashed(log, 1, 3, ckpt);
    CrashAt crash(12);
    crashed.trainer->add_callback(crash);
    EXPECT_THROW(crashed.fit(), std::runtime_error);
  }
  ASSERT_EQ(read_jsonl(log).size(), 12u);
  Rig resumed(log, 1, 3, ckpt);
  resumed.trainer->resume_from(load_checkpoint(ckpt));
  resumed.fit();
  const auto a = read_jsonl(tmp_ / "straight.jsonl"), b = read_jsonl(log);
  ASSERT_EQ(b.size(), a.size()) << "no step twice, none missing";
  for (size_t i = 0; i < a.size(); ++i)
    EXPECT_EQ(without_seconds(a[i]), without_seconds(b[i])) << "step " << i + 1;
}

TEST_F(StepsLogTest, ALogCutShortIsRefusedAndADeletedOneRestarts) {
  const fs::path log = tmp_ / "steps.jsonl", ckpt = tmp_ / "run.ckpt";
  {
    Rig two(log, 1, 2, ckpt);
    two.fit();
  }
  const std::string whole = read_file(log);
  cli_test::write_text(log, whole.substr(0, whole.size() / 2));
  {
    Rig resumed(log, 1, 3, ckpt);
    resumed.trainer->resume_from(load_checkpoint(ckpt));
    EXPECT_TRUE(testutil::throws_with<std::runtime_error>(
        [&] { resumed.fit(); },
        {log.string(), "holds " + std::to_string(whole.size() / 2) + " bytes",
         "expects " + std::to_string(whole.size()), "delete it"}));
  }
  fs::remove(log);
  Rig resumed(log, 1, 3, ckpt);
  resumed.trainer->resume_from(load_checkpoint(ckpt));
  resumed.fit();
  const auto rows = read_jsonl(log);
  ASSERT_EQ(rows.size(), 5u) << "epoch 3 only";
  EXPECT_EQ(rows.front().at("step"), 11);
}

TEST(StepsLogConfig, EveryStepsIsCheckedAndWrittenOnlyWhenNotOne) {
  EXPECT_EQ(load_config("", {}).metrics.every_steps, 1);
  EXPECT_EQ(to_toml(load_config("", {})).find("[metrics]"), std::string::npos)
      << "config.toml of a run at the default is as before the key";
  const std::string toml = to_toml(load_config("", {"metrics.every_steps=10"}));
  EXPECT_NE(toml.find("[metrics]\nevery_steps = 10"), std::string::npos) << toml;
  EXPECT_TRUE(
      testutil::throws_with<ConfigError>([] { load_config("", {"metrics.every_steps=0"}); },
                                         {"metrics.every_steps = 0", "expected an integer >= 1"}));
}

}  // namespace test_steps_log
}  // namespace descent
