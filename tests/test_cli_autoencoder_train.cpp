// `descent train` with model.kind = autoencoder and vae, end to end: training lowers the
// reconstruction loss, summary.json holds the test terms and PSNR, a resumed run continues its
// noise and sampling streams exactly (bit-identical to a run never stopped), and a bad
// configuration is refused before anything is written.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli_fixtures.h"
#include "descent/io/safetensors.h"
#include "descent/train/checkpoint.h"

namespace test_cli_autoencoder_train {

namespace fs = std::filesystem;
using cli_test::CommandResult;
using cli_test::read_jsonl;
using cli_test::read_text;
using nlohmann::json;

class CliAutoencoderTrain : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(cwd_);
    fs::create_directories(logs_);
    cli_test::write_fake_fashion_mnist(data_, 300, 100);
  }
  CommandResult descent(const std::vector<std::string>& args) {
    return cli_test::run_command(DESCENT_BINARY, args, cwd_, logs_);
  }
  std::vector<std::string> train(const std::string& out, int epochs,
                                 const std::vector<std::string>& sets) {
    std::vector<std::string> args = {"train", "--out",
                                     out,     "--threads",
                                     "1",     "--no-report",
                                     "--set", "data.dir=" + data_.string(),
                                     "--set", "data.validation_size=50",
                                     "--set", "train.batch_size=32",
                                     "--set", "train.epochs=" + std::to_string(epochs)};
    for (const auto& s : sets) args.insert(args.end(), {"--set", s});
    return args;
  }
  cli_test::TempDir tmp_{"descent-cli-ae"};
  fs::path cwd_ = tmp_ / "cwd", logs_ = tmp_ / "logs", data_ = tmp_ / "fmnist";
};

void expect_success(const CommandResult& r) {
  ASSERT_EQ(r.exit_code, 0) << "stdout:\n" << r.out << "\nstderr:\n" << r.err;
}

// A denoising autoencoder with dropout, and a VAE whose KL weight warms up across the resume.
const std::vector<std::string> kDenoising = {
    "model.kind=autoencoder",
    "model.code=16",
    R"(model.encoder=["linear:out=32", "relu", "dropout:p=0.2", "linear"])",
    R"(model.decoder=["linear:out=32", "relu", "linear"])",
    "autoencoder.noise=salt_and_pepper",
    "autoencoder.noise_level=0.2",
    "autoencoder.reconstruction=binary_cross_entropy"};
const std::vector<std::string> kVae = {"model.kind=vae",
                                       "model.code=2",
                                       R"(model.encoder=["linear:out=32", "tanh"])",
                                       R"(model.decoder=["linear:out=32", "tanh", "linear"])",
                                       "autoencoder.reconstruction=binary_cross_entropy",
                                       "autoencoder.beta=0.5",
                                       "autoencoder.kl_warmup_epochs=3"};

TEST_F(CliAutoencoderTrain, TrainingLowersTheLossAndTheSummaryHoldsTheTerms) {
  expect_success(descent(train("dae", 4, kDenoising)));
  const auto epochs = read_jsonl(cwd_ / "dae" / "metrics.jsonl");
  ASSERT_EQ(epochs.size(), 4u);
  EXPECT_LT(epochs.back()["val_reconstruction"].get<double>(),
            epochs.front()["val_reconstruction"].get<double>());
  EXPECT_TRUE(epochs.back()["train_accuracy"].is_null());
  EXPECT_TRUE(epochs.back().contains("val_noisy_mse"));
  const json s = json::parse(read_text(cwd_ / "dae" / "summary.json"));
  for (const char* key : {"test_reconstruction", "test_mse", "test_psnr_db", "test_noisy_psnr_db",
                          "test_denoised_psnr_db"})
    EXPECT_TRUE(s.contains(key)) << key << " missing from " << s.dump();
  EXPECT_NEAR(s["test_psnr_db"].get<double>(), 10 * std::log10(1 / s["test_mse"].get<double>()),
              1e-9);
  // Internals stay out of the summary users read.
  EXPECT_FALSE(s.contains("buffers"));
  const json diagnostics = json::parse(read_text(cwd_ / "dae" / "diagnostics.json"));
  EXPECT_GT(diagnostics["buffers"]["cache_hits"].get<int64_t>(), 0);
  // The weights carry PyTorch's names for a module with encoder and decoder Sequentials.
  const descent::SafetensorsFile saved =
      descent::load_safetensors(cwd_ / "dae" / "model.safetensors");
  std::vector<std::string> names;
  for (const auto& t : saved.tensors) names.push_back(t.name);
  EXPECT_NE(std::find(names.begin(), names.end(), "encoder.3.weight"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "decoder.2.bias"), names.end());

  // descent evaluate rebuilds the run and measures the same numbers.
  const CommandResult evaluated = descent({"evaluate", "dae"});
  expect_success(evaluated);
  const json e = json::parse(evaluated.out);
  // (to rounding: evaluate runs on every core, the training run on one)
  EXPECT_NEAR(e["test_loss"].get<double>(), s["test_loss"].get<double>(), 1e-6);
  EXPECT_NEAR(e["test_corrupted_mse"].get<double>(), s["test_corrupted_mse"].get<double>(), 1e-6);
  EXPECT_TRUE(e["test_accuracy"].is_null());

  expect_success(descent(train("vae", 3, kVae)));
  const auto vae = read_jsonl(cwd_ / "vae" / "metrics.jsonl");
  EXPECT_DOUBLE_EQ(vae[0]["train_kl_weight"].get<double>(), 0.5 / 3);
  EXPECT_DOUBLE_EQ(vae[2]["train_kl_weight"].get<double>(), 0.5);
  EXPECT_LT(vae.back()["val_loss"].get<double>(), vae.front()["val_loss"].get<double>());
  const json vs = json::parse(read_text(cwd_ / "vae" / "summary.json"));
  EXPECT_NEAR(vs["test_elbo"].get<double>(),
              -(vs["test_reconstruction"].get<double>() + vs["test_kl"].get<double>()), 1e-6);
}

TEST_F(CliAutoencoderTrain, ResumedRunsContinueTheirNoiseAndSamplesExactly) {
  for (const auto* sets : {&kDenoising, &kVae}) {
    const std::string name = sets == &kVae ? "vae" : "dae";
    expect_success(descent(train(name + "-straight", 4, *sets)));
    expect_success(descent(train(name + "-resumed", 2, *sets)));
    const descent::Checkpoint cp =
        descent::load_checkpoint(cwd_ / (name + "-resumed") / "checkpoint.safetensors");
    EXPECT_EQ(cp.meta.at("rng").at("objective").size(), 1u) << "the noise or sampling stream";
    expect_success(descent({"train", "--resume", name + "-resumed", "--set", "train.epochs=4"}));
    EXPECT_TRUE(read_text(cwd_ / (name + "-resumed") / "model.safetensors") ==
                read_text(cwd_ / (name + "-straight") / "model.safetensors"))
        << name << ": the resumed run's weights differ from the uninterrupted run's";
  }
}

TEST_F(CliAutoencoderTrain, BadConfigurationsAreRefusedWithNothingWritten) {
  std::vector<std::string> sets = kDenoising;
  sets.push_back(R"(model.decoder=["linear:out=32", "relu", "linear:out=100"])");
  const CommandResult r = descent(train("bad", 1, sets));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("model.decoder"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("the input size is 784"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(cwd_ / "bad"));
  const CommandResult kl = descent(
      train("bad", 1, {"model.kind=autoencoder", "model.code=8", "autoencoder.sparsity=kl"}));
  EXPECT_NE(kl.exit_code, 0);
  EXPECT_NE(kl.err.find("sigmoid"), std::string::npos) << kl.err;
  EXPECT_FALSE(fs::exists(cwd_ / "bad"));
}

}  // namespace test_cli_autoencoder_train

namespace test_cli_autoencoder_train {

// Every autoencoder example config loads and trains (one epoch on a fake Fashion-MNIST).
TEST(CliAutoencoderExamples, EveryExampleConfigRuns) {
  cli_test::TempDir tmp("descent-ae-examples");
  cli_test::write_fake_fashion_mnist(tmp / "fmnist", 300, 100);
  for (const char* name : {"autoencoder", "denoising_autoencoder", "sparse_autoencoder",
                           "contractive_autoencoder", "vae"}) {
    const fs::path config =
        fs::path(DESCENT_SOURCE_DIR) / "examples" / (std::string(name) + ".toml");
    const fs::path out = tmp / name;
    const CommandResult r = cli_test::run_command(
        DESCENT_BINARY,
        {"train", "--config", config.string(), "--out", out.string(), "--no-report", "--set",
         "train.epochs=1", "--set", "data.dir=" + (tmp / "fmnist").string(), "--set",
         "data.validation_size=50"},
        tmp.path(), tmp.path());
    ASSERT_EQ(r.exit_code, 0) << name << "\n" << r.out << r.err;
    const json summary = json::parse(read_text(out / "summary.json"));
    EXPECT_TRUE(summary.at("test_psnr_db").is_number()) << name;
  }
}

}  // namespace test_cli_autoencoder_train
