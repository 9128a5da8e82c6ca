// The experiments that train networks (loss-landscape, early-stopping, batch-size,
// deep-double-descent): each quick version run through `descent experiment`, asserting the shape
// of what it measured. One thread: their small GEMMs gain nothing from more, and a busy machine
// makes threads wait for each other.
#include <gtest/gtest.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "cli_fixtures.h"

namespace test_experiments_training {

using cli_test::CommandTest;
using nlohmann::json;
namespace fs = std::filesystem;

class TrainingExperiment : public CommandTest {
 protected:
  TrainingExperiment() : CommandTest("descent-experiment-training") {}
  json quick(const std::string& name, const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {"experiment", name,        "--quick", "--out",
                                     "out",        "--threads", "1",       "--no-figures"};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto r = descent(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::ifstream in(cwd_ / "out" / "result.json");
    return json::parse(in);
  }
};

TEST_F(TrainingExperiment, LossLandscapeHasItsLowestPointAtTheTrainedWeights) {
  const json r = quick("loss-landscape");
  const json& h = r["headline"];
  EXPECT_LE(h["plane_min_offset_cells"].get<int>(), 1) << h.dump(1);
  EXPECT_GT(h["plane_edge_mean_loss"].get<double>(), h["plane_centre_loss"].get<double>());
  EXPECT_LT(h["trained_loss"].get<double>(), h["initial_loss"].get<double>());
  EXPECT_GT(h["path_pc1_explained"].get<double>(), 0.5);
  EXPECT_TRUE(r["agrees"]) << r.dump(1);
  // Both runs kept their epochs' weights; the files are listed for a rerun to replace.
  EXPECT_TRUE(fs::exists(cwd_ / "out" / "small-batch" / "weights" / "epoch-0000.safetensors"));
  EXPECT_TRUE(fs::exists(cwd_ / "out" / "large-batch" / "model.safetensors"));
  for (const char* file : {"line.csv", "plane.csv", "path.csv"})
    EXPECT_TRUE(fs::exists(cwd_ / "out" / file)) << file;
}

TEST_F(TrainingExperiment, EarlyStoppingCatchesTheTurnAndRestoresIt) {
  const json r = quick("early-stopping");
  const json& h = r["headline"];
  EXPECT_TRUE(r["agrees"]) << r.dump(1);
  const int turn = h["turn_epoch"].get<int>();
  EXPECT_EQ(h["restored_epoch"].get<int>(), turn);
  EXPECT_GT(h["stopped_epoch"].get<int>(), turn);
  EXPECT_GT(h["last_val_loss"].get<double>(), h["lowest_val_loss"].get<double>());
  EXPECT_LT(h["test_loss_restored"].get<double>(), h["test_loss_last_epoch"].get<double>());
}

TEST_F(TrainingExperiment, BatchSizeLargerBatchesAreFasterAndScalingRecoversAccuracy) {
  const json r = quick("batch-size");
  const json& h = r["headline"];
  EXPECT_GT(h["samples_per_s_best"].get<double>(), 2 * h["samples_per_s_batch_1"].get<double>());
  EXPECT_GT(h["accuracy_scaled_lr_largest_batch"].get<double>(),
            h["accuracy_fixed_lr_largest_batch"].get<double>())
      << h.dump(1);
  EXPECT_TRUE(fs::exists(cwd_ / "out" / "speed.csv"));
  EXPECT_TRUE(fs::exists(cwd_ / "out" / "accuracy.csv"));
}

TEST_F(TrainingExperiment, DeepDoubleDescentPeaksWhereTrainingFirstFitsTheNoise) {
  const json r = quick("deep-double-descent");
  const json& h = r["headline"];
  EXPECT_TRUE(r["agrees"]) << r.dump(1);
  const double nk = h["threshold_parameters"], peak = h["peak_parameters"];
  EXPECT_GE(peak, nk / 4);
  EXPECT_LE(peak, nk * 4);
  // The peak is the last network that cannot quite fit the noisy labels, or the first that can.
  EXPECT_LE(peak, 2 * h["interpolation_parameters"].get<double>());
  EXPECT_GT(h["peak_test_error"].get<double>(),
            h["best_test_error_before_peak"].get<double>() + 0.01);
  EXPECT_LT(h["widest_test_error"].get<double>(), h["peak_test_error"].get<double>() - 0.01);
  EXPECT_EQ(h["widest_training_error"].get<double>(), 0);
  // Every width is a run of its own on the 49 averaged inputs, with a fifth of its labels noisy.
  std::ifstream data(cwd_ / "out" / "width-64" / "data.json");
  EXPECT_EQ(json::parse(data)["features"], 49);
  std::ifstream config(cwd_ / "out" / "width-64" / "config.toml");
  const std::string text((std::istreambuf_iterator<char>(config)), {});
  EXPECT_NE(text.find("label_noise = 0.2"), std::string::npos) << text;
}

TEST_F(TrainingExperiment, DeepDoubleDescentRefusesAPoolThatDoesNotDivideTheImage) {
  const auto r =
      descent({"experiment", "deep-double-descent", "--quick", "--out", "bad", "--set", "pool=5"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("pool = 5 does not divide"), std::string::npos) << r.err;
}

}  // namespace test_experiments_training
