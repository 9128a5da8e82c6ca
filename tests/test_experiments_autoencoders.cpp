// The autoencoder experiments (autoencoder-codes, denoising): their quick versions on a
// Fashion-MNIST subset through `descent experiment`, asserting the shape of what they measured;
// and the class-separation measures of the code planes against hand-computed cases.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include <nlohmann/json.hpp>

#include "cli_fixtures.h"
#include "descent/app/class_separation.h"

namespace test_experiments_autoencoders {

using cli_test::CommandTest;
using nlohmann::json;
namespace fs = std::filesystem;

const fs::path kFashionMnist = "/usr/share/datasets/fashion-mnist";

// 1-D points: dims = 1.
TEST(ClassSeparation, KnnAccuracyLeavesEachPointOut) {
  const std::vector<double> x = {0, 1, 3, 10, 11, 13};
  const std::vector<int> y = {0, 0, 1, 1, 1, 0};
  // k = 1: 3 takes 1's label and 13 takes 11's; the other four are right.
  EXPECT_DOUBLE_EQ(descent::knn_accuracy(x, 1, y, 1), 4.0 / 6.0);
  // Two classes far apart: every point's neighbours are of its class.
  EXPECT_DOUBLE_EQ(descent::knn_accuracy({0, 1, 2, 10, 11, 12}, 1, {0, 0, 0, 1, 1, 1}, 2), 1.0);
}

TEST(ClassSeparation, KnnTiesGoToTheClassWithTheNearestMember) {
  // k = 2 and one vote each: 0 sides with 1 (class 1), 1 with 0 (class 0 wins 2-0), 3 with 1.
  // A tie broken towards the lower class index would get 0 right.
  EXPECT_DOUBLE_EQ(descent::knn_accuracy({0, 1, 3}, 1, {0, 1, 0}, 2), 0.0);
  // In two dimensions: the same points on the diagonal.
  EXPECT_DOUBLE_EQ(descent::knn_accuracy({0, 0, 1, 1, 3, 3}, 2, {0, 1, 0}, 2), 0.0);
}

TEST(ClassSeparation, BetweenWithinRatioByHand) {
  // Class means 1 and 11, overall 6: between 2 * 25 + 2 * 25 = 100, within 4 * 1 = 4.
  EXPECT_DOUBLE_EQ(descent::between_within_ratio({0, 2, 10, 12}, 1, {0, 0, 1, 1}), 25.0);
  // Scaling every point leaves it unchanged; one class gives 0.
  EXPECT_DOUBLE_EQ(descent::between_within_ratio({0, 0, 20, 0, 100, 0, 120, 0}, 2, {0, 0, 1, 1}),
                   25.0);
  EXPECT_DOUBLE_EQ(descent::between_within_ratio({0, 2, 10, 12}, 1, {0, 0, 0, 0}), 0.0);
}

TEST(ClassSeparation, RefusesWhatHasNoAnswer) {
  EXPECT_THROW(descent::knn_accuracy({0, 1, 2}, 2, {0, 1}, 1), std::invalid_argument);
  EXPECT_THROW(descent::knn_accuracy({0, 1, 2}, 1, {0, 1, 1}, 3), std::invalid_argument);
  EXPECT_THROW(descent::knn_accuracy({0, 1, 2}, 1, {0, -1, 1}, 1), std::invalid_argument);
  EXPECT_THROW(descent::between_within_ratio({1, 1, 5}, 1, {0, 0, 1}), std::invalid_argument);
}

class AutoencoderExperiment : public CommandTest {
 protected:
  AutoencoderExperiment() : CommandTest("descent-experiment-autoencoders") {}
  json quick(const std::string& name) {
    const auto r =
        descent({"experiment", name, "--quick", "--out", "out", "--threads", "1", "--no-figures"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::ifstream in(cwd_ / "out" / "result.json");
    return json::parse(in);
  }
};

TEST_F(AutoencoderExperiment, CodesSeparateClassesAndTheVaesArePulledTowardsItsPrior) {
  if (!fs::exists(kFashionMnist)) GTEST_SKIP() << kFashionMnist << " not present";
  const json r = quick("autoencoder-codes");
  const json& h = r["headline"];
  // Both 2-unit planes tell the classes apart far better than chance.
  const double chance = h["chance_accuracy"];
  EXPECT_DOUBLE_EQ(chance, 0.1);
  EXPECT_GT(h["ae_knn_accuracy"].get<double>(), 5 * chance) << h.dump(1);
  EXPECT_GT(h["vae_knn_accuracy"].get<double>(), 5 * chance);
  EXPECT_GT(h["ae_between_within"].get<double>(), 1.0);
  EXPECT_GT(h["vae_between_within"].get<double>(), 1.0);
  // The KL term pulls the VAE's codes towards N(0, I): after its first epoch they move closer
  // every epoch, and end far closer than the unconstrained autoencoder's. Five epochs on 2,000
  // images do not reach the full version's end point (within N(0, 2I)'s distance), so the quick
  // verdict is not asserted.
  EXPECT_DOUBLE_EQ(h["doubled_variance_kl"].get<double>(), 1 - std::log(2.0));
  EXPECT_LT(h["vae_code_prior_kl"].get<double>(), h["vae_prior_kl_epoch_1"].get<double>());
  EXPECT_LT(h["vae_code_prior_kl"].get<double>(), h["ae_code_prior_kl"].get<double>() / 3);
  EXPECT_LT(h["vae_code_mean_norm"].get<double>(), h["ae_code_mean_norm"].get<double>());
  // Reconstructions through two numbers are rough, but far better than the mean image.
  EXPECT_LT(h["ae_test_mse"].get<double>(), 0.5 * h["mean_image_mse"].get<double>());
  EXPECT_LT(h["vae_test_mse"].get<double>(), 0.5 * h["mean_image_mse"].get<double>());
  // One row per measured test image and one per epoch (and the start); the per-epoch weights
  // were removed once measured.
  auto lines = [&](const char* file) {
    std::ifstream in(cwd_ / "out" / file);
    int count = 0;
    for (std::string line; std::getline(in, line);) ++count;
    return count;
  };
  EXPECT_EQ(lines("codes.csv"), 1 + 2000);
  EXPECT_EQ(lines("moments.csv"), 1 + 6);
  for (const char* run : {"autoencoder", "vae"}) {
    EXPECT_TRUE(fs::exists(cwd_ / "out" / run / "model.safetensors")) << run;
    EXPECT_FALSE(fs::exists(cwd_ / "out" / run / "weights")) << run;
  }
}

TEST_F(AutoencoderExperiment, DenoisingAutoencoderUndoesTheNoiseAPlainOneDoesLess) {
  if (!fs::exists(kFashionMnist)) GTEST_SKIP() << kFashionMnist << " not present";
  const json r = quick("denoising");
  const json& h = r["headline"];
  EXPECT_TRUE(r["agrees"]) << r.dump(1);
  ASSERT_EQ(h["levels"], json::array({0.3}));
  // Gaussian noise of standard deviation 0.3, not clipped: E[(0.3 n)^2] = 0.09, measured over
  // 2,000 x 784 values (a relative standard error of 0.1%).
  const double noisy = h["noisy_mse"][0], denoised = h["denoising_ae_mse"][0],
               plain = h["plain_ae_mse"][0];
  EXPECT_NEAR(noisy, 0.09, 0.09 * 0.005);
  // The denoising autoencoder's reconstruction is less than half as far from the clean image as
  // the noisy image, and closer than the plain autoencoder's.
  EXPECT_LT(denoised, noisy / 2) << h.dump(1);
  EXPECT_LT(denoised, plain);
  // On a clean image the plain autoencoder does better: it was trained on clean ones.
  EXPECT_LT(h["plain_ae_clean_mse"].get<double>(), plain);
  EXPECT_TRUE(fs::exists(cwd_ / "out" / "denoising.csv"));
  for (const char* run : {"autoencoder", "denoising-0.3"})
    EXPECT_TRUE(fs::exists(cwd_ / "out" / run / "model.safetensors")) << run;
}

TEST_F(AutoencoderExperiment, SettingsWithoutAnAnswerAreRefusedBeforeTraining) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"denoising", "--set", "levels=0.3,0"}, "levels: every noise level must be positive"},
      {{"denoising", "--set", "levels=0.3,0.3"}, "levels: a noise level appears twice"},
      {{"denoising", "--set", "noise=none"}, "noise: a denoising run needs a noise"},
      {{"autoencoder-codes", "--set", "neighbours=2000"},
       "neighbours must be at least 1 and below test_points"}};
  for (const auto& [args, message] : cases) {
    std::vector<std::string> all = {"experiment"};
    all.insert(all.end(), args.begin(), args.end());
    all.insert(all.end(), {"--quick", "--out", "refused", "--no-figures"});
    const auto r = descent(all);
    EXPECT_NE(r.exit_code, 0) << message;
    EXPECT_NE(r.err.find(message), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(cwd_ / "refused" / "autoencoder")) << "nothing trained";
    fs::remove_all(cwd_ / "refused");
  }
}

}  // namespace test_experiments_autoencoders
