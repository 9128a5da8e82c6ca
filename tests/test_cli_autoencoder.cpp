// `descent encode` and `descent generate` end to end: outputs, shapes, labels and the errors.
#include <gtest/gtest.h>

#include <sstream>

#include "cli_fixtures.h"

namespace test_cli_autoencoder {

namespace fs = std::filesystem;
using cli_test::CommandResult;
using cli_test::read_text;

// Rows of a CSV file, split at commas (the files here hold no quoted commas).
std::vector<std::vector<std::string>> read_csv(const fs::path& file) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(read_text(file));
  for (std::string line; std::getline(in, line);) {
    std::vector<std::string> cells;
    std::istringstream cells_in(line);
    for (std::string cell; std::getline(cells_in, cell, ',');) cells.push_back(cell);
    rows.push_back(cells);
  }
  return rows;
}

class CliAutoencoderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cli_test::write_fake_fashion_mnist(tmp_ / "data", 400, 120);
    fs::create_directories(cwd_);
    fs::create_directories(logs_);
  }

  CommandResult descent(const std::vector<std::string>& args) {
    return cli_test::run_command(DESCENT_BINARY, args, cwd_, logs_);
  }

  // One epoch of a tiny autoencoder or VAE (code of 3 units) on the fake data.
  fs::path train(const std::string& name, const std::string& kind,
                 const std::vector<std::string>& extra = {}) {
    const fs::path out = tmp_ / name;
    std::vector<std::string> args = {"train",
                                     "--out",
                                     out.string(),
                                     "--no-report",
                                     "--set",
                                     "data.dir=" + (tmp_ / "data").string(),
                                     "--set",
                                     "data.validation_size=100",
                                     "--set",
                                     "train.epochs=1",
                                     "--set",
                                     "model.kind=" + kind,
                                     "--set",
                                     "model.code=3",
                                     "--set",
                                     kind == "vae"
                                         ? R"(model.encoder=["linear:out=16","relu"])"
                                         : R"(model.encoder=["linear:out=16","relu","linear"])",
                                     "--set",
                                     R"(model.decoder=["linear:out=16","relu","linear"])",
                                     "--set",
                                     "autoencoder.reconstruction=binary_cross_entropy"};
    args.insert(args.end(), extra.begin(), extra.end());
    const CommandResult r = descent(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return out;
  }

  // Refused: non-zero exit, each of `expected` in stderr, `out` not written.
  static void expect_refused(const CommandResult& r, const std::vector<std::string>& expected,
                             const fs::path& out) {
    EXPECT_NE(r.exit_code, 0) << r.out;
    for (const auto& s : expected)
      EXPECT_NE(r.err.find(s), std::string::npos) << "stderr lacks \"" << s << "\":\n" << r.err;
    EXPECT_FALSE(fs::exists(out)) << out << " was written";
  }

  cli_test::TempDir tmp_{"descent-cli-ae"};
  fs::path cwd_ = tmp_ / "cwd", logs_ = tmp_ / "logs";
};

TEST_F(CliAutoencoderTest, EncodeWritesCodesLabelsAndClassNamesPerSplit) {
  const fs::path run = train("ae", "autoencoder");
  const fs::path out = tmp_ / "codes.csv";
  const CommandResult r = descent({"encode", run.string(), "--out", out.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto rows = read_csv(out);
  ASSERT_EQ(rows.size(), 121u) << "header + the 120 test examples";
  EXPECT_EQ(rows[0], (std::vector<std::string>{"code_0", "code_1", "code_2", "label", "class"}));
  const std::vector<std::string> names = {"T-shirt/top", "Trouser",   "Pullover", "Dress",
                                          "Coat",        "Sandal",    "Shirt",    "Sneaker",
                                          "Bag",         "Ankle boot"};
  for (size_t i = 1; i < rows.size(); ++i) {
    ASSERT_EQ(rows[i].size(), 5u);
    const int label = std::stoi(rows[i][3]);
    ASSERT_TRUE(label >= 0 && label < 10);
    EXPECT_EQ(rows[i][4], names[static_cast<size_t>(label)]);
    for (int j = 0; j < 3; ++j)
      EXPECT_TRUE(std::isfinite(std::stod(rows[i][static_cast<size_t>(j)])));
  }
  // The codes are not all alike: the encoder tells examples apart.
  EXPECT_NE(rows[1][0], rows[2][0]);

  // Other splits: the 100 held out for validation, the 300 left for training.
  const fs::path val = tmp_ / "val.csv";
  ASSERT_EQ(
      descent({"encode", run.string(), "--split", "validation", "--out", val.string()}).exit_code,
      0);
  EXPECT_EQ(read_csv(val).size(), 101u);
  const fs::path train_codes = tmp_ / "train.csv";
  ASSERT_EQ(descent({"encode", run.string(), "--split", "train", "--out", train_codes.string()})
                .exit_code,
            0);
  EXPECT_EQ(read_csv(train_codes).size(), 301u);

  // Without --out: codes.csv in the working directory.
  ASSERT_EQ(descent({"encode", run.string()}).exit_code, 0);
  EXPECT_EQ(read_text(cwd_ / "codes.csv"), read_text(out));
}

TEST_F(CliAutoencoderTest, EncodeOfAVaeGivesMuThenLogvar) {
  const fs::path run = train("vae", "vae");
  const fs::path out = tmp_ / "codes.csv";
  const CommandResult r = descent({"encode", run.string(), "--out", out.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("mu, then logvar"), std::string::npos) << r.out;
  const auto rows = read_csv(out);
  ASSERT_EQ(rows.size(), 121u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"code_0", "code_1", "code_2", "logvar_0", "logvar_1",
                                               "logvar_2", "label", "class"}));
  EXPECT_EQ(rows[1].size(), 8u);
}

TEST_F(CliAutoencoderTest, EncodeRefusesWhatItCannotEncode) {
  const fs::path out = tmp_ / "codes.csv";
  expect_refused(descent({"encode", (tmp_ / "nowhere").string(), "--out", out.string()}),
                 {"nowhere", "not a run directory"}, out);

  const fs::path run = train("ae", "autoencoder");
  expect_refused(descent({"encode", run.string(), "--split", "holdout", "--out", out.string()}),
                 {"unknown split 'holdout'", "train, validation or test"}, out);

  const fs::path clf = tmp_ / "clf";
  ASSERT_EQ(descent({"train", "--out", clf.string(), "--no-report", "--set",
                     "data.dir=" + (tmp_ / "data").string(), "--set", "data.validation_size=100",
                     "--set", "train.epochs=1", "--set", R"(model.layers=["linear:out=10"])"})
                .exit_code,
            0);
  expect_refused(descent({"encode", clf.string(), "--out", out.string()}),
                 {"model.kind = \"classifier\"", "not of an autoencoder"}, out);

  fs::remove(run / "model.safetensors");
  expect_refused(descent({"encode", run.string(), "--out", out.string()}),
                 {"has no model.safetensors", "did the run finish?"}, out);
}

TEST_F(CliAutoencoderTest, GenerateWritesSeededSamplesInZeroOneAndAnImageGrid) {
  const fs::path run = train("vae", "vae");
  const fs::path out = tmp_ / "samples.csv", plot = tmp_ / "samples.html";
  const CommandResult r = descent({"generate", run.string(), "--count", "7", "--seed", "4", "--out",
                                   out.string(), "--plot", plot.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto rows = read_csv(out);
  ASSERT_EQ(rows.size(), 8u);
  ASSERT_EQ(rows[0].size(), 3u + 784u);
  EXPECT_EQ(rows[0][0], "z_0");
  EXPECT_EQ(rows[0][3], "x_0");
  EXPECT_EQ(rows[0].back(), "x_783");
  for (size_t i = 1; i < rows.size(); ++i) {
    ASSERT_EQ(rows[i].size(), 787u);
    for (size_t j = 3; j < rows[i].size(); ++j) {
      const double v = std::stod(rows[i][j]);
      ASSERT_TRUE(v >= 0 && v <= 1) << "sigmoid of the logits: " << v;
    }
  }
  EXPECT_NE(rows[1], rows[2]);
  const std::string page = read_text(plot);
  EXPECT_NE(page.find("7 samples from the prior"), std::string::npos);

  // The same seed gives the same samples; another seed others.
  const fs::path again = tmp_ / "again.csv", other = tmp_ / "other.csv";
  ASSERT_EQ(
      descent({"generate", run.string(), "--count", "7", "--seed", "4", "--out", again.string()})
          .exit_code,
      0);
  EXPECT_EQ(read_text(again), read_text(out));
  ASSERT_EQ(
      descent({"generate", run.string(), "--count", "7", "--seed", "5", "--out", other.string()})
          .exit_code,
      0);
  EXPECT_NE(read_text(other), read_text(out));
}

TEST_F(CliAutoencoderTest, GenerateRefusesNonVaeRunsAndBadArguments) {
  const fs::path out = tmp_ / "samples.csv";
  const fs::path ae = train("ae", "autoencoder");
  expect_refused(descent({"generate", ae.string(), "--count", "3", "--out", out.string()}),
                 {"not a VAE", "model.kind = \"vae\""}, out);
  const fs::path vae = train("vae", "vae");
  expect_refused(descent({"generate", vae.string(), "--count", "0", "--out", out.string()}),
                 {"--count 0", "at least 1"}, out);
  expect_refused(descent({"generate", vae.string(), "--count", "2", "--out", out.string(), "--plot",
                          (tmp_ / "samples.gif").string()}),
                 {"samples.gif"}, out);
  expect_refused(descent({"generate", vae.string(), "--out", out.string()}), {"--count"}, out);
}

TEST_F(CliAutoencoderTest, GenerateOnTabularDataWritesCsvButRefusesAPlot) {
  const fs::path run = tmp_ / "moons";
  ASSERT_EQ(descent({"train", "--out", run.string(), "--no-report", "--set", "data.name=moons",
                     "--set", "data.size=200", "--set", "train.epochs=1", "--set", "model.kind=vae",
                     "--set", "model.code=1", "--set", R"(model.encoder=["linear:out=8","tanh"])",
                     "--set", R"(model.decoder=["linear:out=8","tanh","linear"])"})
                .exit_code,
            0);
  const fs::path out = tmp_ / "samples.csv";
  expect_refused(descent({"generate", run.string(), "--count", "5", "--out", out.string(), "--plot",
                          (tmp_ / "s.png").string()}),
                 {"moons is not image data"}, out);
  ASSERT_EQ(descent({"generate", run.string(), "--count", "5", "--out", out.string()}).exit_code,
            0);
  const auto rows = read_csv(out);
  ASSERT_EQ(rows.size(), 6u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"z_0", "x_0", "x_1"}));
}

}  // namespace test_cli_autoencoder
