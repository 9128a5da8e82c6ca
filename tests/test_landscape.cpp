// The loss landscape: filter-normalized directions, the plane and line evaluator (its first-layer
// shortcut against whole forward passes), the training path's principal directions, the per-epoch
// weight files, and `descent landscape` on a trained run.
#include <gtest/gtest.h>

#include <cmath>

#include <nlohmann/json.hpp>

#include "cli_fixtures.h"
#include "descent/app/landscape.h"
#include "descent/app/landscape_directions.h"
#include "descent/app/pca.h"
#include "descent/app/weight_path.h"
#include "descent/nn/activations.h"
#include "descent/nn/linear.h"
#include "descent/nn/loss.h"
#include "descent/train/callbacks/epoch_weights.h"

namespace test_landscape {

using namespace descent;
namespace fs = std::filesystem;
using cli_test::CommandTest;
using nlohmann::json;

double row_norm(const Tensor& t, int64_t row) {
  const int64_t cols = t.size(1);
  double s = 0;
  for (int64_t j = 0; j < cols; ++j) s += std::pow(t.data()[row * cols + j], 2);
  return std::sqrt(s);
}

TEST(FilterNormalization, EachRowTakesItsNeuronsNormAndBiasesStayOutUnlessAsked) {
  const Weights w = {{"0.weight", Tensor::from({3, 2}, {3, 4, 0, 0, 6, 8})},
                     {"0.bias", Tensor::from({3}, {1, 2, 2})}};
  Generator gen(5);
  const Weights d = filter_normalized_direction(w, gen, false);
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0].name, "0.weight");
  EXPECT_NEAR(row_norm(d[0].tensor, 0), 5, 1e-5);   // |(3, 4)|
  EXPECT_NEAR(row_norm(d[0].tensor, 1), 0, 1e-12);  // a dead neuron stays put
  EXPECT_NEAR(row_norm(d[0].tensor, 2), 10, 1e-5);  // |(6, 8)|
  for (float v : d[1].tensor.values()) EXPECT_EQ(v, 0.0f);
  Generator again(5);
  const Weights with_biases = filter_normalized_direction(w, again, true);
  // The same draws: the weight rows agree, and the bias vector has the bias's norm, 3.
  for (int64_t i = 0; i < 6; ++i)
    EXPECT_FLOAT_EQ(with_biases[0].tensor.data()[i], d[0].tensor.data()[i]);
  double b = 0;
  for (float v : with_biases[1].tensor.values()) b += v * v;
  EXPECT_NEAR(std::sqrt(b), 3, 1e-5);
}

TEST(LandscapeWeights, ArithmeticFlattensAndChecksNames) {
  const Weights a = {{"w", Tensor::from({2}, {1, 2})}, {"b", Tensor::from({1}, {3})}};
  const Weights b = {{"w", Tensor::from({2}, {10, 20})}, {"b", Tensor::from({1}, {30})}};
  EXPECT_EQ(flatten(add_scaled(a, 0.5, b)), (std::vector<float>{6, 12, 18}));
  EXPECT_EQ(flatten(unflatten({7, 8, 9}, a)), (std::vector<float>{7, 8, 9}));
  EXPECT_THROW(unflatten({7, 8}, a), std::invalid_argument);
  const Weights other = {{"w", Tensor::from({2}, {1, 2})}, {"c", Tensor::from({1}, {3})}};
  EXPECT_THROW(add_scaled(a, 1, other), std::invalid_argument);
}

// A 2-input classifier 2 -> 3 -> 2 with fixed weights.
Sequential tiny_classifier() {
  Generator gen(1);
  Sequential model;
  model.add(std::make_unique<Linear>(2, 3, true, gen));
  model.add(std::make_unique<Activation>("relu"));
  model.add(std::make_unique<Linear>(3, 2, true, gen));
  model.set_training(false);
  return model;
}

Dataset tiny_data(int64_t n) {
  Generator gen(2);
  Dataset d;
  d.inputs = Tensor::normal({n, 2}, 0, 1, gen);
  d.targets = Tensor::empty({n});
  for (int64_t i = 0; i < n; ++i)
    d.targets.data()[i] = d.inputs.data()[2 * i] + d.inputs.data()[2 * i + 1] > 0 ? 1.0f : 0.0f;
  d.num_classes = 2;
  return d;
}

TEST(LandscapeEvaluator, HandComputedLossAndAccuracy) {
  // One linear layer 1 -> 2 with W = (1, -1): x = 1 scores (1, -1), x = -1 scores (-1, 1).
  Generator gen(0);
  Sequential model;
  model.add(std::make_unique<Linear>(1, 2, false, gen));
  Dataset d;
  d.inputs = Tensor::from({2, 1}, {1, -1});
  d.targets = Tensor::from({2}, {0, 1});
  d.num_classes = 2;
  LandscapeEvaluator evaluator(model, d, cross_entropy, 1);
  const Weights w = {{"0.weight", Tensor::from({2, 1}, {1, -1})}};
  const LandscapePoint right = evaluator.at(w);
  EXPECT_NEAR(right.loss, std::log1p(std::exp(-2.0)), 1e-6);
  EXPECT_EQ(right.accuracy, 1.0);
  // The line to -W: t = 1 is wrong on both, t = 0.5 is all zeros (log 2, ties go to class 0).
  const Weights flipped = {{"0.weight", Tensor::from({2, 1}, {-1, 1})}};
  const auto line = evaluator.line(w, flipped, {0, 0.5, 1});
  ASSERT_EQ(line.size(), 3u);
  EXPECT_NEAR(line[0].loss, right.loss, 1e-6);
  EXPECT_NEAR(line[1].loss, std::log(2.0), 1e-6);
  EXPECT_EQ(line[1].accuracy, 0.5);
  EXPECT_NEAR(line[2].loss, std::log1p(std::exp(2.0)), 1e-5);
  EXPECT_EQ(line[2].accuracy, 0.0);
}

TEST(LandscapeEvaluator, FirstLayerShortcutMatchesWholeForwardPasses) {
  Sequential model = tiny_classifier();
  const Dataset data = tiny_data(37);
  LandscapeEvaluator evaluator(model, data, cross_entropy, 10);  // batches of 10, 10, 10, 7
  const Weights centre = copy_weights(model);
  Generator gen(3);
  const Weights d1 = filter_normalized_direction(centre, gen, true);
  const Weights d2 = filter_normalized_direction(centre, gen, false);
  const std::vector<double> as = {-1, 0, 0.5}, bs = {-0.25, 0.75};
  const auto plane = evaluator.plane(centre, d1, d2, as, bs);
  ASSERT_EQ(plane.size(), 6u);
  for (size_t j = 0; j < bs.size(); ++j)
    for (size_t i = 0; i < as.size(); ++i) {
      const Weights w = add_scaled(add_scaled(centre, as[i], d1), bs[j], d2);
      set_weights(model, w);
      const Tensor scores = model.forward(data.inputs);
      const double loss = cross_entropy(scores, data.targets).item();
      const LandscapePoint direct = evaluator.at(w);
      EXPECT_NEAR(plane[j * as.size() + i].loss, loss, 1e-5) << i << "," << j;
      EXPECT_NEAR(direct.loss, loss, 1e-5);
      EXPECT_EQ(plane[j * as.size() + i].accuracy, direct.accuracy);
    }
  EXPECT_GT(evaluator.work().flops, 0);
}

TEST(LandscapeEvaluator, RefusesUnlabelledOrEmptyData) {
  Sequential model = tiny_classifier();
  Dataset d = tiny_data(4);
  d.num_classes = 0;
  EXPECT_THROW(LandscapeEvaluator(model, d, cross_entropy), std::invalid_argument);
  EXPECT_EQ(evenly_spaced(-1, 1, 5), (std::vector<double>{-1, -0.5, 0, 0.5, 1}));
}

TEST(WeightPath, PointsOnALineHaveOneDirection) {
  // (2, 2, 0), (1, 1, 0), (0, 0, 0) relative to the origin (0, 0, 0).
  const auto p = project_path({{2, 2, 0}, {1, 1, 0}, {0, 0, 0}}, {0, 0, 0}, 2);
  const double r = 1 / std::sqrt(2.0);
  EXPECT_NEAR(p.components[0][0], r, 1e-9);
  EXPECT_NEAR(p.components[0][1], r, 1e-9);
  EXPECT_NEAR(p.components[0][2], 0, 1e-9);
  EXPECT_NEAR(p.explained[0], 1, 1e-9);
  EXPECT_NEAR(p.explained[1], 0, 1e-9);
  EXPECT_NEAR(p.coordinates[0][0], 2 * std::sqrt(2.0), 1e-9);
  EXPECT_NEAR(p.coordinates[1][0], std::sqrt(2.0), 1e-9);
  EXPECT_NEAR(p.coordinates[2][0], 0, 1e-9);
}

TEST(WeightPath, ARectangleSplitsItsVarianceAndAgreesWithPca) {
  // Corners of a 2 x 1 rectangle, origin at (1, 1): x varies 4 (sum of squares about the mean),
  // y 1, so 80% and 20%.
  const std::vector<std::vector<float>> pts = {{0, 0}, {2, 0}, {0, 1}, {2, 1}};
  const auto p = project_path(pts, {1, 1}, 2);
  EXPECT_NEAR(p.explained[0], 0.8, 1e-9);
  EXPECT_NEAR(p.explained[1], 0.2, 1e-9);
  EXPECT_NEAR(std::fabs(p.components[0][0]), 1, 1e-9);
  EXPECT_NEAR(std::fabs(p.components[1][1]), 1, 1e-9);
  EXPECT_NEAR(p.coordinates[3][0], 1, 1e-9);  // (2, 1) - (1, 1) along x
  EXPECT_NEAR(p.coordinates[3][1], 0, 1e-9);
  // The same components as app/pca.h's covariance route.
  std::vector<double> flat;
  for (const auto& q : pts) flat.insert(flat.end(), q.begin(), q.end());
  const Pca pca = fit_pca(flat, 2, 2);
  for (int c = 0; c < 2; ++c) {
    EXPECT_NEAR(p.explained[c], pca.variances[c] / pca.total_variance, 1e-9);
    for (int j = 0; j < 2; ++j)
      EXPECT_NEAR(p.components[c][j], pca.components[c][j], 1e-9) << c << "," << j;
  }
  EXPECT_THROW(project_path({{1, 2}}, {0, 0}), std::invalid_argument);
  EXPECT_THROW(project_path({{1, 2}, {3}}, {0, 0}), std::invalid_argument);
}

TEST(EpochWeights, FilesAreListedByEpochAndTemporariesIgnored) {
  cli_test::TempDir tmp("descent-epochs");
  Sequential model = tiny_classifier();
  EpochWeights keeper(model, tmp.path() / "weights");
  TrainState state;
  keeper.on_train_begin(state);
  EpochMetrics m;
  for (int64_t e : {1, 2, 10}) {
    state.epoch = e;
    keeper.on_epoch_end(state, m);
  }
  cli_test::write_text(tmp.path() / "weights" / "epoch-0003.safetensors.tmp", "x");
  cli_test::write_text(tmp.path() / "weights" / "epoch-x.safetensors", "x");
  const auto files = list_epoch_weights(tmp.path() / "weights");
  ASSERT_EQ(files.size(), 4u);
  EXPECT_EQ(files[0].first, 0);
  EXPECT_EQ(files[3].first, 10);
  EXPECT_EQ(files[3].second.filename(), "epoch-0010.safetensors");
  EXPECT_TRUE(list_epoch_weights(tmp.path() / "missing").empty());
}

class LandscapeCommand : public CommandTest {
 protected:
  LandscapeCommand() : CommandTest("descent-landscape") {}
  void train(const std::string& dir, const std::vector<std::string>& extra = {}) {
    std::vector<std::string> sets = {"data.name=spirals",
                                     "data.size=300",
                                     "train.epochs=4",
                                     "train.batch_size=32",
                                     "report.write=false",
                                     "checkpoint.keep_epoch_weights=true",
                                     "model.layers=[\"linear:out=16\",\"relu\",\"linear\"]"};
    sets.insert(sets.end(), extra.begin(), extra.end());
    const auto r = descent(with_sets({"train", "-q", "--out", dir}, sets));
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
};

TEST_F(LandscapeCommand, DrawsARunAndTheLineToAnother) {
  train("a");
  train("b", {"seed=1"});
  EXPECT_EQ(list_epoch_weights(cwd_ / "a" / "weights").size(), 5u);  // epochs 0..4
  const auto r = descent(
      {"landscape", "a", "b", "--grid", "7", "--subset", "100", "--out", "land", "--no-figures"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json result = json::parse(cli_test::read_text(cwd_ / "land" / "result.json"));
  EXPECT_EQ(result["experiment"], "landscape");
  const json& h = result["headline"];
  EXPECT_EQ(h["examples"], 100);
  EXPECT_LT(h["trained_loss"].get<double>(), h["initial_loss"].get<double>());
  EXPECT_GE(h["between_runs_barrier"].get<double>(), 0);
  EXPECT_GT(h["path_pc1_explained"].get<double>(), h["path_pc2_explained"].get<double>());
  for (const char* file : {"line.csv", "plane.csv", "path.csv"})
    EXPECT_TRUE(fs::exists(cwd_ / "land" / file)) << file;
  // 7 x 7 points and a header.
  const std::string plane = cli_test::read_text(cwd_ / "land" / "plane.csv");
  EXPECT_EQ(std::count(plane.begin(), plane.end(), '\n'), 50);
}

TEST_F(LandscapeCommand, BadInputIsRefusedBeforeAnythingIsWritten) {
  train("a");
  const auto even = descent({"landscape", "a", "--grid", "8", "--out", "x", "--no-figures"});
  EXPECT_EQ(even.exit_code, 1);
  EXPECT_NE(even.err.find("--grid 8: expected an odd count"), std::string::npos) << even.err;
  const auto missing = descent({"landscape", "nowhere", "--out", "y", "--no-figures"});
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.err.find("nowhere"), std::string::npos) << missing.err;
}

}  // namespace test_landscape
