// End-to-end tests of the `descent` executable (train, evaluate) on a tiny fake Fashion-MNIST:
// the happy path, determinism, --set overrides, and every kind of bad input.
#include <gtest/gtest.h>
#include <toml++/toml.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "cli_fixtures.h"

namespace test_cli {

namespace fs = std::filesystem;
using cli_test::CommandResult;
using cli_test::read_text;
using cli_test::TempDir;
using cli_test::write_text;
using nlohmann::json;

const std::vector<std::string> kMetricKeys = {"epoch",    "train_loss",        "train_accuracy",
                                              "val_loss", "val_accuracy",      "lr",
                                              "seconds",  "samples_per_second"};
const std::vector<std::string> kSummaryKeys = {"test_loss", "test_accuracy", "epochs", "best_epoch",
                                               "seconds"};

using cli_test::read_jsonl;

std::vector<double> column(const std::vector<json>& rows, const std::string& key) {
  std::vector<double> v;
  for (const auto& r : rows) v.push_back(r.at(key).get<double>());
  return v;
}

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    data_ = tmp_ / "data";
    cwd_ = tmp_ / "cwd";
    logs_ = tmp_ / "logs";
    cli_test::write_fake_fashion_mnist(data_);
    fs::create_directories(cwd_);
    fs::create_directories(logs_);
  }

  CommandResult descent(const std::vector<std::string>& args) {
    return cli_test::run_command(DESCENT_BINARY, args, cwd_, logs_);
  }

  // `descent train` on the fake data, small and quick; `extra` comes last, so its --set
  // overrides win over these.
  CommandResult train(const fs::path& out, const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {"train",
                                     "--out",
                                     out.string(),
                                     "--set",
                                     "data.dir=" + data_.string(),
                                     "--set",
                                     "data.validation_size=100",
                                     "--set",
                                     "train.epochs=2",
                                     "--set",
                                     "train.batch_size=32",
                                     "--set",
                                     R"(model.layers=["linear:out=32","relu","linear:out=10"])"};
    args.insert(args.end(), extra.begin(), extra.end());
    return descent(args);
  }

  // A command that must be refused: non-zero exit, every one of `expected` in stderr, no
  // summary.json anywhere, and (for errors found before training) no run directory at all.
  void expect_refused(const CommandResult& r, const std::vector<std::string>& expected,
                      const fs::path& out, bool out_may_exist = false) {
    if (r.exit_code == 0) {
      // One message, not one per missing file check, when the input was simply accepted.
      ADD_FAILURE() << "accepted (exit code 0) instead of refused; stdout:\n" << r.out;
      return;
    }
    for (const auto& s : expected) {
      EXPECT_NE(r.err.find(s), std::string::npos) << "stderr lacks \"" << s << "\"; stderr:\n"
                                                  << r.err;
    }
    EXPECT_TRUE(cli_test::find_named(tmp_.path(), "summary.json").empty());
    EXPECT_TRUE(cli_test::find_named(tmp_.path(), "model.safetensors").empty());
    if (!out_may_exist) {
      EXPECT_FALSE(fs::exists(out)) << out << " was created";
    }
    // Nothing may land in the working directory either (e.g. a default runs/ directory).
    EXPECT_TRUE(fs::is_empty(cwd_)) << "the command wrote into its working directory";
  }

  static void expect_success(const CommandResult& r) {
    ASSERT_EQ(r.exit_code, 0) << "stdout:\n" << r.out << "\nstderr:\n" << r.err;
  }

  TempDir tmp_{"descent-cli"};
  fs::path data_, cwd_, logs_;
};

// ---------------------------------------------------------------------------------------------
// Happy path

TEST_F(CliTest, TrainEvaluateAndReloadConfig) {
  const fs::path out = tmp_ / "run";
  const CommandResult r = train(out);
  expect_success(r);
  EXPECT_NE(r.out.find("test_accuracy"), std::string::npos) << r.out;
  for (const char* f : {"config.toml", "metrics.jsonl", "model.safetensors", "summary.json"})
    EXPECT_TRUE(fs::is_regular_file(out / f)) << f;

  const std::vector<json> metrics = read_jsonl(out / "metrics.jsonl");
  ASSERT_EQ(metrics.size(), 2u);
  for (size_t i = 0; i < metrics.size(); ++i) {
    for (const auto& k : kMetricKeys) EXPECT_TRUE(metrics[i].contains(k)) << "epoch " << i << k;
    EXPECT_TRUE(metrics[i].at("train_loss").is_number());
    EXPECT_TRUE(metrics[i].at("val_accuracy").is_number());
  }
  EXPECT_LT(metrics[1].at("train_loss").get<double>(), metrics[0].at("train_loss").get<double>());

  const json summary = json::parse(read_text(out / "summary.json"));
  for (const auto& k : kSummaryKeys) EXPECT_TRUE(summary.contains(k)) << k;
  EXPECT_EQ(summary.at("epochs").get<int64_t>(), 2);
  // Chance is 0.1; the fake classes are easy to tell apart.
  EXPECT_GT(summary.at("test_accuracy").get<double>(), 0.6);

  // evaluate rebuilds the model from config.toml + model.safetensors: same numbers.
  const CommandResult e = descent({"evaluate", out.string()});
  expect_success(e);
  json eval;
  ASSERT_NO_THROW(eval = json::parse(e.out)) << "evaluate stdout is not JSON:\n" << e.out;
  EXPECT_EQ(eval.at("test_accuracy").get<double>(), summary.at("test_accuracy").get<double>());
  const double loss = summary.at("test_loss").get<double>();
  EXPECT_NEAR(eval.at("test_loss").get<double>(), loss, 1e-6 * std::fabs(loss));

  // The written config is complete: training from it reproduces the run exactly.
  const fs::path again = tmp_ / "again";
  const CommandResult r2 =
      descent({"train", "--config", (out / "config.toml").string(), "--out", again.string()});
  expect_success(r2);
  const std::vector<json> metrics2 = read_jsonl(again / "metrics.jsonl");
  ASSERT_EQ(metrics2.size(), metrics.size());
  for (const char* k : {"train_loss", "train_accuracy", "val_loss", "val_accuracy", "lr"})
    EXPECT_EQ(column(metrics2, k), column(metrics, k)) << k;
  EXPECT_EQ(read_text(again / "config.toml"), read_text(out / "config.toml"));
  const json summary2 = json::parse(read_text(again / "summary.json"));
  EXPECT_EQ(summary2.at("test_loss"), summary.at("test_loss"));
  EXPECT_EQ(summary2.at("test_accuracy"), summary.at("test_accuracy"));
  EXPECT_TRUE(fs::is_empty(cwd_));
}

TEST_F(CliTest, SameSeedSameRunDifferentSeedDifferentRun) {
  const fs::path a = tmp_ / "a", b = tmp_ / "b", c = tmp_ / "c";
  expect_success(train(a, {"--seed", "3"}));
  expect_success(train(b, {"--seed", "3"}));
  expect_success(train(c, {"--seed", "4"}));
  const auto loss_a = column(read_jsonl(a / "metrics.jsonl"), "train_loss");
  const auto loss_b = column(read_jsonl(b / "metrics.jsonl"), "train_loss");
  const auto loss_c = column(read_jsonl(c / "metrics.jsonl"), "train_loss");
  ASSERT_EQ(loss_a.size(), 2u);
  EXPECT_EQ(loss_a, loss_b);
  EXPECT_EQ(read_text(a / "model.safetensors"), read_text(b / "model.safetensors"));
  EXPECT_NE(loss_a, loss_c);
  EXPECT_NE(read_text(a / "model.safetensors"), read_text(c / "model.safetensors"));
}

TEST_F(CliTest, SetOverridesReachConfigToml) {
  const fs::path out = tmp_ / "run";
  expect_success(
      train(out, {"--set", "train.epochs=1", "--set", "train.batch_size=50", "--set",
                  "optimizer.name=sgd", "--set", "optimizer.lr=0.05", "--set", "seed=7"}));
  const toml::table config = toml::parse_file((out / "config.toml").string());
  EXPECT_EQ(config["train"]["epochs"].value<int64_t>(), 1);
  EXPECT_EQ(config["train"]["batch_size"].value<int64_t>(), 50);
  EXPECT_EQ(config["data"]["dir"].value<std::string>(), data_.string());
  EXPECT_EQ(config["data"]["validation_size"].value<int64_t>(), 100);
  EXPECT_EQ(config["optimizer"]["name"].value<std::string>(), "sgd");
  EXPECT_EQ(config["optimizer"]["lr"].value<double>(), 0.05);
  EXPECT_EQ(config["seed"].value<int64_t>(), 7);
  // They took effect, not only got recorded.
  const std::vector<json> metrics = read_jsonl(out / "metrics.jsonl");
  ASSERT_EQ(metrics.size(), 1u);
  EXPECT_DOUBLE_EQ(metrics[0].at("lr").get<double>(), 0.05);

  // --seed N is the same as --set seed=N.
  const fs::path out2 = tmp_ / "run2";
  expect_success(train(out2, {"--seed", "9", "--set", "train.epochs=1"}));
  EXPECT_EQ(toml::parse_file((out2 / "config.toml").string())["seed"].value<int64_t>(), 9);
}

TEST_F(CliTest, ScheduleFromConfigDrivesTheLearningRate) {
  const fs::path out = tmp_ / "run";
  expect_success(train(
      out, {"--set", "train.epochs=4", "--set", "optimizer.lr=0.1", "--set", "schedule.name=step",
            "--set", "schedule.step_size=2", "--set", "schedule.gamma=0.5"}));
  // metrics.jsonl's lr is the rate the epoch ran with: 0.1, 0.1, then halved every 2 epochs.
  const auto lr = read_jsonl(out / "metrics.jsonl");
  ASSERT_EQ(lr.size(), 4u);
  const double want[] = {0.1, 0.1, 0.05, 0.05};
  for (size_t i = 0; i < 4; ++i) EXPECT_DOUBLE_EQ(lr[i].at("lr").get<double>(), want[i]) << i;
  const toml::table config = toml::parse_file((out / "config.toml").string());
  EXPECT_EQ(config["schedule"]["name"].value<std::string>(), "step");
  EXPECT_EQ(config["schedule"]["step_size"].value<int64_t>(), 2);

  // A sequential composition given as a TOML array of SPECs, per step.
  const fs::path seq = tmp_ / "seq";
  expect_success(train(
      seq,
      {"--set", "train.epochs=2", "--set", "schedule.name=sequential", "--set",
       "schedule.interval=step", "--set",
       R"(schedule.schedulers=["linear:start_factor=0.5,total_iters=2", "exponential:gamma=0.9"])",
       "--set", "schedule.milestones=[2]"}));
}

TEST_F(CliTest, BadScheduleIsRefusedBeforeWork) {
  const fs::path bad = tmp_ / "bad";
  expect_refused(train(bad, {"--set", "schedule.name=cosine", "--set", "schedule.tmax=3"}),
                 {"schedule", "t_max"}, bad);
  expect_refused(train(bad, {"--set", "schedule.name=cosine", "--set", "schedule.t_max=3", "--set",
                             "schedule.interval=batch"}),
                 {"schedule.interval", "batch", "epoch or step"}, bad);
}

TEST_F(CliTest, OutDirDefaultAndExistingEmptyDir) {
  // Without --out the run goes to runs/<date-time> under the working directory.
  const CommandResult r =
      descent({"train", "--set", "data.dir=" + data_.string(), "--set", "data.validation_size=100",
               "--set", "train.epochs=1", "--set", R"(model.layers=["linear:out=10"])"});
  expect_success(r);
  ASSERT_TRUE(fs::is_directory(cwd_ / "runs"));
  EXPECT_EQ(cli_test::find_named(cwd_ / "runs", "summary.json").size(), 1u);
  fs::remove_all(cwd_ / "runs");

  // An existing empty directory is as good as a missing one.
  const fs::path empty = tmp_ / "empty";
  fs::create_directories(empty);
  expect_success(train(empty, {"--set", "train.epochs=1"}));
  EXPECT_TRUE(fs::is_regular_file(empty / "summary.json"));
}

// ---------------------------------------------------------------------------------------------
// Bad input

TEST_F(CliTest, MissingDataDir) {
  const fs::path out = tmp_ / "run", missing = tmp_ / "no-such-data";
  const CommandResult r = train(out, {"--set", "data.dir=" + missing.string()});
  expect_refused(r, {missing.string(), "apt-get install dataset-fashion-mnist", "data.dir"}, out);
}

TEST_F(CliTest, TruncatedGzipFile) {
  const fs::path file = data_ / "train-images-idx3-ubyte.gz";
  fs::resize_file(file, fs::file_size(file) / 2);
  const fs::path out = tmp_ / "run";
  expect_refused(train(out), {file.string()}, out);
}

TEST_F(CliTest, BadIdxMagic) {
  const fs::path file = data_ / "t10k-labels-idx1-ubyte.gz";
  std::vector<uint8_t> bytes = cli_test::idx_ubyte({200}, std::vector<uint8_t>(200, 1));
  bytes[0] = 0x12;
  bytes[1] = 0x34;
  cli_test::write_gzip(file, bytes);
  const fs::path out = tmp_ / "run";
  expect_refused(train(out), {file.string(), "magic"}, out);
}

TEST_F(CliTest, UnknownKeyInSet) {
  const fs::path out = tmp_ / "run";
  expect_refused(train(out, {"--set", "train.epoch=3"}), {"train.epoch", "epochs", "batch_size"},
                 out);
}

TEST_F(CliTest, BadValues) {
  const fs::path out = tmp_ / "run";
  struct Case {
    std::string set;
    std::vector<std::string> expected;
  };
  const std::vector<Case> cases = {
      {"train.epochs=-1", {"train.epochs", "-1"}},
      {"train.epochs=abc", {"train.epochs", "abc"}},
      // The optimizer's hyper-parameters are reported as "[optimizer] ... lr=fast".
      {"optimizer.lr=fast", {"optimizer", "lr", "fast"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE("--set " + c.set);
    expect_refused(train(out, {"--set", c.set}), c.expected, out);
  }
}

// PyTorch refuses these (lr < 0, eps < 0, weight_decay < 0, betas outside [0, 1),
// momentum < 0); a run with them is wasted at best and NaN at worst (beta2=1).
TEST_F(CliTest, OutOfRangeOptimizerHyperparameters) {
  const fs::path out = tmp_ / "run";
  struct Case {
    std::vector<std::string> sets;
    std::vector<std::string> expected;
  };
  const std::vector<Case> cases = {
      {{"optimizer.lr=-1"}, {"lr", "-1"}},
      {{"optimizer.eps=-1"}, {"eps", "-1"}},
      {{"optimizer.weight_decay=-1"}, {"weight_decay", "-1"}},
      {{"optimizer.beta1=2"}, {"beta1", "2"}},
      {{"optimizer.beta2=1"}, {"beta2", "1"}},
      {{"optimizer.name=sgd", "optimizer.momentum=-1"}, {"momentum", "-1"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE("--set " + c.sets.back());
    std::vector<std::string> args;
    for (const auto& set : c.sets) args.insert(args.end(), {"--set", set});
    expect_refused(train(out, args), c.expected, out);
    fs::remove_all(out);  // so that one failure does not cascade into the next case
  }
}

TEST_F(CliTest, ValidationSizeTooLarge) {
  const fs::path out = tmp_ / "run";
  expect_refused(train(out, {"--set", "data.validation_size=600"}), {"data.validation_size", "600"},
                 out);
}

// A loss that can't take class-index targets must be refused before the run directory is
// made (not halfway through the first batch); a loss that can must run to the end.
TEST_F(CliTest, LossIncompatibleWithClassLabels) {
  for (const std::string loss : {"mse", "binary_cross_entropy"}) {
    SCOPED_TRACE("train.loss=" + loss);
    const fs::path out = tmp_ / ("run-" + loss);
    const CommandResult r = train(out, {"--set", "train.loss=" + loss, "--set", "train.epochs=1"});
    if (r.exit_code == 0) {
      EXPECT_TRUE(fs::is_regular_file(out / "summary.json"));
    } else {
      expect_refused(r, {"train.loss", loss}, out);
    }
    fs::remove_all(out);
  }
}

// train.loss takes options as a SPEC (docs/losses.md): such runs train, and their config.toml
// keeps the SPEC. A misspelt option or a bad value is refused before the run directory is made,
// naming train.loss and the option.
TEST_F(CliTest, LossWithOptions) {
  // --list losses prints the table: each loss, its options with their defaults.
  const CommandResult list = descent({"train", "--list", "losses"});
  expect_success(list);
  for (const char* part : {"label_smoothing=0", "a number in [0, 1]", "torch.nn.KLDivLoss",
                           "reduction=batchmean", "multi_margin", "p=1"})
    EXPECT_NE(list.out.find(part), std::string::npos) << part << " in\n" << list.out;
  for (const std::string loss : {"cross_entropy:label_smoothing=0.1",
                                 "multi_margin:p=2,weight=[1,1,1,1,1,2,1,1,1,1]", "kl_div"}) {
    SCOPED_TRACE("train.loss=" + loss);
    const fs::path out = tmp_ / "run";
    const CommandResult r = train(out, {"--set", "train.loss=" + loss, "--set", "train.epochs=1"});
    expect_success(r);
    EXPECT_NE(read_text(out / "config.toml").find("loss = '" + loss + "'"), std::string::npos);
    const std::vector<json> metrics = read_jsonl(out / "metrics.jsonl");
    ASSERT_EQ(metrics.size(), 1u);
    EXPECT_TRUE(std::isfinite(metrics[0].at("train_loss").get<double>()));
    EXPECT_TRUE(metrics[0].at("val_accuracy").is_number());
    fs::remove_all(out);
  }
  struct Case {
    std::vector<std::string> sets;
    std::vector<std::string> expected;
  };
  const std::vector<Case> cases = {
      {{"train.loss=cross_entropy:smothing=0.1"},
       {"train.loss", "cross_entropy has no option 'smothing'", "label_smoothing, weight"}},
      {{"train.loss=cross_entropy:label_smoothing=1.5"},
       {"train.loss", "label_smoothing=1.5", "[0, 1]"}},
      {{"train.loss=cross_entropy:weight=[1,2,1]"},
       {"train.loss", "weight=[1,2,1]", "3 values", "10 outputs"}},
      {{"train.loss=binary_cross_entropy:pos_weight=-1"}, {"train.loss", "pos_weight=-1", "> 0"}},
      {{"train.loss=hinge_embedding"}, {"train.loss", "hinge_embedding", "class labels"}},
      {{"data.name=sine", R"(model.layers=["linear:out=8","tanh","linear"])",
        "train.loss=hinge_embedding"},
       {"train.loss", "hinge_embedding", "1 or -1", "sine's target"}},
      {{"train.loss=cross_entropy:label_smoothing=0.1", "curvature.every=1",
        "curvature.method=exact"},
       {"curvature.method", "label_smoothing=0.1", "difference"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE("--set " + c.sets.back());
    const fs::path out = tmp_ / "bad";
    std::vector<std::string> args;
    for (const auto& set : c.sets) args.insert(args.end(), {"--set", set});
    expect_refused(train(out, args), c.expected, out);
  }
}

TEST_F(CliTest, UnknownOptimizer) {
  const fs::path out = tmp_ / "run";
  expect_refused(train(out, {"--set", "optimizer.name=rmsprops"}), {"rmsprops", "adam", "sgd"},
                 out);
}

TEST_F(CliTest, UnknownOptimizerHyperparameter) {
  const fs::path out = tmp_ / "run";
  expect_refused(train(out, {"--set", "optimizer.beta3=1"}), {"beta3", "beta1", "beta2", "lr"},
                 out);
  // betas is PyTorch's spelling of beta1 and beta2, so it takes their pair only.
  expect_refused(train(out, {"--set", "optimizer.betas=1"}), {"betas=1", "two numbers"}, out);
}

TEST_F(CliTest, UnknownKeyInConfigFile) {
  const fs::path file = tmp_ / "bad-key.toml", out = tmp_ / "run";
  write_text(file, "seed = 1\n\n[train]\nepoch = 3\n");
  expect_refused(train(out, {"--config", file.string()}), {file.string(), "train.epoch", "epochs"},
                 out);
}

TEST_F(CliTest, UnknownOptimizerKeyInConfigFile) {
  // The optimizer's hyper-parameters are checked apart from the other keys; the file must still
  // be named.
  const fs::path file = tmp_ / "bad-optimizer.toml", out = tmp_ / "run";
  write_text(file, "[optimizer]\nname = \"sgd\"\nbetas = 3\n");
  expect_refused(train(out, {"--config", file.string()}), {file.string(), "betas", "momentum"},
                 out);
}

TEST_F(CliTest, TomlSyntaxError) {
  const fs::path file = tmp_ / "syntax.toml", out = tmp_ / "run";
  write_text(file, "seed = 1\n[train]\nepochs = = 2\n");
  expect_refused(train(out, {"--config", file.string()}), {file.string() + ":3"}, out);
}

TEST_F(CliTest, MissingConfigFile) {
  const fs::path file = tmp_ / "nope.toml", out = tmp_ / "run";
  expect_refused(train(out, {"--config", file.string()}), {file.string()}, out);
}

TEST_F(CliTest, MalformedSetSyntax) {
  const fs::path out = tmp_ / "run";
  expect_refused(train(out, {"--set", "train.epochs"}), {"train.epochs", "key=value"}, out);
}

TEST_F(CliTest, MalformedLayerSpec) {
  const fs::path out = tmp_ / "run";
  // Only the last linear layer may leave out its size (the data gives it).
  expect_refused(train(out, {"--set", R"(model.layers=["linear","relu","linear"])"}),
                 {"model.layers", "'linear'", "out"}, out);
  expect_refused(train(out, {"--set", R"(model.layers=["linear:out=10","conv"])"}),
                 {"'conv'", "relu"}, out);
}

TEST_F(CliTest, LastLayerSizeMismatch) {
  const fs::path out = tmp_ / "run";
  expect_refused(train(out, {"--set", R"(model.layers=["linear:out=32","relu","linear:out=7"])"}),
                 {"model.layers", "7", "10 classes"}, out);
}

TEST_F(CliTest, OutDirExistsAndNotEmpty) {
  const fs::path out = tmp_ / "taken";
  fs::create_directories(out);
  write_text(out / "keep.txt", "precious\n");
  const CommandResult r = train(out);
  expect_refused(r, {out.string()}, out, /*out_may_exist=*/true);
  EXPECT_EQ(read_text(out / "keep.txt"), "precious\n");
  std::vector<fs::path> entries(fs::directory_iterator(out), fs::directory_iterator{});
  ASSERT_EQ(entries.size(), 1u) << "the run wrote into an existing directory";
  EXPECT_EQ(entries[0].filename(), "keep.txt");
}

TEST_F(CliTest, EvaluateWithoutConfig) {
  const fs::path dir = tmp_ / "not-a-run";
  fs::create_directories(dir);
  write_text(dir / "notes.txt", "hello\n");
  CommandResult r = descent({"evaluate", dir.string()});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find(dir.string()), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("config.toml"), std::string::npos) << r.err;

  const fs::path missing = tmp_ / "no-such-run";
  r = descent({"evaluate", missing.string()});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find(missing.string()), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(missing));
}

TEST_F(CliTest, EvaluateWithoutWeights) {
  // A run that died before writing its weights: evaluate says so instead of crashing.
  const fs::path out = tmp_ / "run";
  expect_success(train(out, {"--set", "train.epochs=1"}));
  fs::remove(out / "model.safetensors");
  const CommandResult r = descent({"evaluate", out.string()});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("model.safetensors"), std::string::npos) << r.err;
}

}  // namespace test_cli
