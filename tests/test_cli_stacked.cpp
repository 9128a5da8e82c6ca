// `descent train` with model.kind = "stacked_autoencoder" and classifiers on a trained encoder
// (model.encoder_from), end to end: the phases' run directories, the assembled stack, a stacked
// run cut short and resumed (bit-identical to one never stopped), a frozen encoder that stays
// bit-identical while the head trains, and the errors.
#include <gtest/gtest.h>

#include <signal.h>

#include <map>
#include <nlohmann/json.hpp>

#include "cli_fixtures.h"
#include "descent/io/safetensors.h"

namespace test_cli_stacked {

namespace fs = std::filesystem;
using cli_test::CommandResult;
using cli_test::read_jsonl;
using cli_test::read_text;
using nlohmann::json;

// A safetensors file's tensors by name, as raw values.
std::map<std::string, std::vector<float>> tensors_of(const fs::path& file) {
  std::map<std::string, std::vector<float>> out;
  for (const auto& t : descent::load_safetensors(file).tensors)
    out[t.name] = std::vector<float>(t.tensor.data(), t.tensor.data() + t.tensor.numel());
  return out;
}

json without_timings(json epoch) {
  for (const char* key : {"seconds", "train_seconds", "eval_seconds", "samples_per_second"})
    epoch.erase(key);
  return epoch;
}

class CliStacked : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(cwd_);
    fs::create_directories(logs_);
    cli_test::write_fake_fashion_mnist(data_, 300, 100);
  }
  CommandResult descent(const std::vector<std::string>& args,
                        const std::function<bool()>& interrupt_when = {}) {
    return cli_test::run_command(DESCENT_BINARY, args, cwd_, logs_, std::chrono::seconds(120),
                                 interrupt_when);
  }
  std::vector<std::string> train(const std::string& out, const std::vector<std::string>& sets,
                                 const fs::path& data = {}) {
    std::vector<std::string> args = {"train", "--out",
                                     out,     "--threads",
                                     "1",     "--no-report",
                                     "--set", "data.dir=" + (data.empty() ? data_ : data).string(),
                                     "--set", "data.validation_size=50",
                                     "--set", "train.batch_size=32"};
    for (const auto& s : sets) args.insert(args.end(), {"--set", s});
    return args;
  }
  cli_test::TempDir tmp_{"descent-cli-stacked"};
  fs::path cwd_ = tmp_ / "cwd", logs_ = tmp_ / "logs", data_ = tmp_ / "fmnist";
};

void expect_success(const CommandResult& r) {
  ASSERT_EQ(r.exit_code, 0) << "stdout:\n" << r.out << "\nstderr:\n" << r.err;
}

const std::vector<std::string> kStacked = {"model.kind=stacked_autoencoder",
                                           "model.stack=[32, 16, 8]",
                                           "autoencoder.reconstruction=binary_cross_entropy",
                                           "autoencoder.epochs_per_layer=2", "optimizer.lr=0.01"};

std::vector<std::string> with(std::vector<std::string> sets,
                              std::initializer_list<std::string> more) {
  sets.insert(sets.end(), more);
  return sets;
}

TEST_F(CliStacked, EachLayerIsARunAndTheStackIsAssembledFromThem) {
  expect_success(descent(train("stack", kStacked)));
  const fs::path run = cwd_ / "stack";
  for (const char* phase : {"layer-1", "layer-2", "layer-3"})
    for (const char* file : {"config.toml", "metrics.jsonl", "model.safetensors", "summary.json"})
      EXPECT_TRUE(fs::exists(run / phase / file)) << phase << "/" << file;
  EXPECT_FALSE(fs::exists(run / "fine-tune"));
  // Deeper layers reconstruct the sigmoid codes of the layer before, by cross-entropy.
  EXPECT_NE(read_text(run / "layer-2" / "config.toml").find("binary_cross_entropy"),
            std::string::npos);

  // The stack's weights are the layers' trained weights under an autoencoder's names.
  const auto stack = tensors_of(run / "model.safetensors");
  const std::vector<std::pair<std::string, std::string>> placed = {
      {"layer-1", "encoder.0"}, {"layer-2", "encoder.2"}, {"layer-3", "encoder.4"}};
  for (size_t k = 0; k < 3; ++k) {
    const auto layer = tensors_of(run / ("layer-" + std::to_string(k + 1)) / "model.safetensors");
    for (const char* p : {"weight", "bias"}) {
      EXPECT_EQ(stack.at("encoder." + std::to_string(2 * k) + "." + p),
                layer.at(std::string("encoder.0.") + p))
          << "layer " << k + 1;
      EXPECT_EQ(stack.at("decoder." + std::to_string(2 * (2 - k)) + "." + p),
                layer.at(std::string("decoder.0.") + p))
          << "layer " << k + 1;
    }
  }
  EXPECT_EQ(stack.size(), 12u);

  // metrics.jsonl: every phase's epochs in order; summary.json: the stack on the test set.
  const auto epochs = read_jsonl(run / "metrics.jsonl");
  ASSERT_EQ(epochs.size(), 6u);
  EXPECT_EQ(epochs[0]["phase"], "layer-1");
  EXPECT_EQ(epochs[3]["phase"], "layer-2");
  EXPECT_EQ(epochs[5]["phase"], "layer-3");
  EXPECT_EQ(epochs[5]["epoch"], 2);
  const json s = json::parse(read_text(run / "summary.json"));
  EXPECT_EQ(s["kind"], "stacked_autoencoder");
  ASSERT_EQ(s["phases"].size(), 3u);
  EXPECT_EQ(s["phases"][1]["phase"], "layer-2");
  EXPECT_EQ(s["epochs"], 6);
  for (const char* key : {"test_loss", "test_reconstruction", "test_mse", "test_psnr_db"})
    EXPECT_TRUE(s.contains(key)) << key << " missing from " << s.dump();
  // PSNR is for images, not for the codes deeper layers reconstruct.
  EXPECT_FALSE(json::parse(read_text(run / "layer-2" / "summary.json")).contains("test_psnr_db"));

  // Fine-tuning starts from the same layers (they do not depend on it) and trains the whole.
  expect_success(descent(train("tuned", with(kStacked, {"autoencoder.fine_tune_epochs=2"}))));
  const fs::path tuned = cwd_ / "tuned";
  EXPECT_EQ(read_text(tuned / "layer-3" / "model.safetensors"),
            read_text(run / "layer-3" / "model.safetensors"));
  EXPECT_EQ(read_text(tuned / "model.safetensors"),
            read_text(tuned / "fine-tune" / "model.safetensors"));
  EXPECT_NE(tensors_of(tuned / "model.safetensors"), stack);
  EXPECT_EQ(read_jsonl(tuned / "metrics.jsonl").back()["phase"], "fine-tune");

  // The stack evaluates like any run (evaluate rebuilds it from config.toml).
  const CommandResult ev = descent({"evaluate", "stack"});
  expect_success(ev);
}

TEST_F(CliStacked, AStackedRunCutShortResumesBitIdentical) {
  // A long fine-tuning, so that the run is still going when the signal comes.
  const auto sets = with(kStacked, {"autoencoder.fine_tune_epochs=20"});
  expect_success(descent(train("straight", sets)));
  const fs::path straight = cwd_ / "straight", run = cwd_ / "run";

  // Ctrl-C once the second layer has logged an epoch: it lands in layer 2, 3 or the fine-tuning.
  const CommandResult stopped = descent(train("run", sets), [&] {
    std::error_code ec;
    const fs::path m = run / "layer-2" / "metrics.jsonl";
    return fs::exists(m, ec) && fs::file_size(m, ec) > 0;
  });
  ASSERT_EQ(stopped.exit_code, 130) << stopped.out << stopped.err;
  EXPECT_FALSE(fs::exists(run / "summary.json"));
  EXPECT_FALSE(fs::exists(run / "model.safetensors"));
  EXPECT_TRUE(fs::exists(run / "layer-1" / "summary.json"));
  const CommandResult resumed = descent({"train", "--resume", "run"});
  expect_success(resumed);

  // A crash between phases: the later phases and the top files gone.
  fs::copy(straight, cwd_ / "crashed", fs::copy_options::recursive);
  for (const char* gone :
       {"layer-3", "fine-tune", "model.safetensors", "summary.json", "metrics.jsonl"})
    fs::remove_all(cwd_ / "crashed" / gone);
  expect_success(descent({"train", "--resume", "crashed"}));

  for (const fs::path& other : {run, cwd_ / "crashed"}) {
    for (const char* file : {"model.safetensors", "layer-2/model.safetensors",
                             "layer-3/model.safetensors", "fine-tune/model.safetensors"})
      EXPECT_EQ(read_text(other / file), read_text(straight / file))
          << other << ": " << file << " differs from the uninterrupted run's";
    const auto a = read_jsonl(straight / "metrics.jsonl"), b = read_jsonl(other / "metrics.jsonl");
    ASSERT_EQ(a.size(), b.size());
    for (size_t i = 0; i < a.size(); ++i)
      EXPECT_EQ(without_timings(a[i]), without_timings(b[i])) << "line " << i + 1;
    EXPECT_EQ(json::parse(read_text(other / "summary.json"))["test_loss"],
              json::parse(read_text(straight / "summary.json"))["test_loss"]);
  }
  // Finished: nothing left to resume, and train.epochs is not how a stack trains.
  const CommandResult again = descent({"train", "--resume", "run"});
  EXPECT_NE(again.exit_code, 0);
  EXPECT_NE(again.err.find("has finished"), std::string::npos) << again.err;
}

TEST_F(CliStacked, AClassifierOnAFrozenEncoderTrainsOnlyItsHead) {
  expect_success(descent(
      train("ae", {"model.kind=autoencoder", "model.code=8",
                   R"(model.encoder=["linear:out=32", "relu", "linear"])", "train.epochs=2"})));
  const auto ae = tensors_of(cwd_ / "ae" / "model.safetensors");
  const std::vector<std::string> head = {"model.encoder_from=ae",
                                         R"(model.layers=["linear:out=10"])", "train.epochs=3",
                                         "optimizer.lr=0.1"};

  const CommandResult frozen = descent(train("frozen", with(head, {"model.freeze_encoder=true"})));
  expect_success(frozen);
  EXPECT_NE(frozen.out.find("encoder from ae, frozen"), std::string::npos) << frozen.out;
  const auto f = tensors_of(cwd_ / "frozen" / "model.safetensors");
  EXPECT_EQ(f.at("0.weight"), ae.at("encoder.0.weight"));
  EXPECT_EQ(f.at("0.bias"), ae.at("encoder.0.bias"));
  EXPECT_EQ(f.at("2.weight"), ae.at("encoder.2.weight"));
  EXPECT_EQ(f.at("3.weight").size(), 10u * 8u);  // the head, on the 8-unit code
  EXPECT_EQ(f.size(), 6u);
  const json fs_summary = json::parse(read_text(cwd_ / "frozen" / "summary.json"));
  EXPECT_EQ(fs_summary["encoder_from"]["frozen"], true);
  const auto epochs = read_jsonl(cwd_ / "frozen" / "metrics.jsonl");
  EXPECT_LT(epochs.back()["train_loss"].get<double>(), epochs.front()["train_loss"].get<double>());
  EXPECT_GT(fs_summary["test_accuracy"].get<double>(), 0.4);  // 10 classes: chance is 0.1

  expect_success(descent(train("tuned", head)));
  const auto t = tensors_of(cwd_ / "tuned" / "model.safetensors");
  EXPECT_NE(t.at("0.weight"), ae.at("encoder.0.weight"));
  EXPECT_EQ(t.at("0.weight").size(), ae.at("encoder.0.weight").size());

  // A stacked run's encoder and a VAE's (with its mu head) seed classifiers too.
  expect_success(descent(train("stack", {"model.kind=stacked_autoencoder", "model.stack=[16, 8]",
                                         "autoencoder.epochs_per_layer=1"})));
  expect_success(descent(
      train("on-stack", with(head, {"model.encoder_from=stack", "model.freeze_encoder=true"}))));
  const auto stack = tensors_of(cwd_ / "stack" / "model.safetensors");
  const auto on_stack = tensors_of(cwd_ / "on-stack" / "model.safetensors");
  EXPECT_EQ(on_stack.at("2.weight"), stack.at("encoder.2.weight"));
  EXPECT_EQ(on_stack.at("4.weight").size(), 10u * 8u);
  expect_success(
      descent(train("vae", {"model.kind=vae", "model.code=4",
                            R"(model.encoder=["linear:out=16", "tanh"])", "train.epochs=1"})));
  expect_success(descent(train("on-vae", with(head, {"model.encoder_from=vae"}))));
  const auto vae = tensors_of(cwd_ / "vae" / "model.safetensors");
  const auto on_vae = tensors_of(cwd_ / "on-vae" / "model.safetensors");
  EXPECT_EQ(on_vae.at("2.weight").size(), vae.at("mu.weight").size());
  EXPECT_EQ(on_vae.at("3.weight").size(), 10u * 4u);
}

TEST_F(CliStacked, EncoderFromErrorsNameThePathWithNothingWritten) {
  expect_success(descent(train("classifier", {"train.epochs=1"})));
  expect_success(
      descent(train("ae", {"model.kind=autoencoder", "model.code=4", "train.epochs=1"})));
  fs::copy(cwd_ / "ae", cwd_ / "unfinished", fs::copy_options::recursive);
  fs::remove(cwd_ / "unfinished" / "model.safetensors");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"nowhere", "not a run directory"},
      {"classifier", "not an autoencoder run"},
      {"unfinished", "has no model.safetensors"}};
  for (const auto& [source, why] : cases) {
    const CommandResult r = descent(train("bad", {"model.encoder_from=" + source}));
    EXPECT_NE(r.exit_code, 0) << source;
    EXPECT_NE(r.err.find("model.encoder_from = \"" + source + "\""), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(why), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(cwd_ / "bad")) << source;
  }
  // An encoder trained on other inputs (spirals: 2 features) does not fit 784 pixels.
  expect_success(
      descent({"train", "--out", "spirals", "--no-report", "--set", "data.name=spirals", "--set",
               "model.kind=autoencoder", "--set", "model.code=2", "--set", "train.epochs=1"}));
  const CommandResult misfit = descent(train("bad", {"model.encoder_from=spirals"}));
  EXPECT_NE(misfit.exit_code, 0);
  EXPECT_NE(misfit.err.find("encoder.0.weight"), std::string::npos) << misfit.err;
  EXPECT_NE(misfit.err.find("784 inputs"), std::string::npos) << misfit.err;
  // The head must end at the classes.
  const CommandResult classes =
      descent(train("bad", {"model.encoder_from=ae", R"(model.layers=["linear:out=3"])"}));
  EXPECT_NE(classes.exit_code, 0);
  EXPECT_NE(classes.err.find("10 classes"), std::string::npos) << classes.err;
  EXPECT_FALSE(fs::exists(cwd_ / "bad"));
}

}  // namespace test_cli_stacked

namespace test_cli_stacked {

// The two example configs load and train (one epoch a phase, on a fake Fashion-MNIST), the
// classifier on the stacked run's encoder.
TEST(CliStackedExamples, BothExampleConfigsRun) {
  cli_test::TempDir tmp("descent-stacked-examples");
  cli_test::write_fake_fashion_mnist(tmp / "fmnist", 300, 100);
  const auto run = [&](const std::string& name, std::vector<std::string> sets) {
    std::vector<std::string> args = {
        "train",
        "--config",
        (fs::path(DESCENT_SOURCE_DIR) / "examples" / (name + ".toml")).string(),
        "--out",
        (tmp / name).string(),
        "--no-report",
        "--set",
        "data.dir=" + (tmp / "fmnist").string(),
        "--set",
        "data.validation_size=50"};
    for (const auto& s : sets) args.insert(args.end(), {"--set", s});
    const CommandResult r = cli_test::run_command(DESCENT_BINARY, args, tmp.path(), tmp.path());
    EXPECT_EQ(r.exit_code, 0) << name << "\n" << r.out << r.err;
  };
  run("stacked_autoencoder", {"autoencoder.epochs_per_layer=1", "autoencoder.fine_tune_epochs=1"});
  EXPECT_TRUE(json::parse(read_text(tmp / "stacked_autoencoder" / "summary.json"))
                  .at("test_psnr_db")
                  .is_number());
  run("classifier_from_encoder", {"train.epochs=1", "data.train_size=100",
                                  "model.encoder_from=" + (tmp / "stacked_autoencoder").string()});
  EXPECT_TRUE(json::parse(read_text(tmp / "classifier_from_encoder" / "summary.json"))
                  .at("test_accuracy")
                  .is_number());
}

}  // namespace test_cli_stacked
