// Model summaries: each layer's output shape and parameter count, the totals, frozen parameters,
// autoencoders layer by layer, and `descent summary` of a run and of a configuration.
#include <gtest/gtest.h>

#include "cli_fixtures.h"
#include "descent/nn/autoencoder_spec.h"
#include "descent/nn/model_summary.h"
#include "descent/nn/network_spec.h"

namespace descent {
namespace test_model_summary {

TEST(ModelSummary, LayersShapesAndParameterCounts) {
  Generator gen(0);
  auto net = build_network({"linear:out=16", "relu", "linear:out=3,bias=false"}, 8, gen);
  const ModelSummary s = summarize(*net, 8);
  ASSERT_EQ(s.layers.size(), 3u);
  EXPECT_EQ(s.layers[0].params, 8 * 16 + 16);
  EXPECT_EQ(s.layers[1].params, 0);
  EXPECT_EQ(s.layers[2].params, 16 * 3);
  EXPECT_EQ(s.layers[2].output, (Shape{3}));
  EXPECT_EQ(s.total, 8 * 16 + 16 + 48);
  EXPECT_EQ(s.trainable, s.total);
  EXPECT_NE(s.text().find("parameters: 192\n"), std::string::npos) << s.text();
  // A frozen parameter is counted apart.
  net->named_parameters()[0].tensor.requires_grad_(false);
  const ModelSummary frozen = summarize(*net, 8);
  EXPECT_EQ(frozen.trainable, 64);
  EXPECT_NE(frozen.text().find("(64 trainable, 128 frozen)"), std::string::npos) << frozen.text();
}

TEST(ModelSummary, AutoencodersLayerByLayer) {
  Generator gen(0);
  auto vae = build_variational_autoencoder(
      {{"linear:out=10", "tanh"}, {"linear:out=10", "relu", "linear"}, 2, false}, 20, gen);
  const ModelSummary s = summarize(*vae, 20);
  std::vector<std::string> names;
  for (const auto& l : s.layers) names.push_back(l.name);
  EXPECT_EQ(names, (std::vector<std::string>{"encoder.0", "encoder.1", "mu, logvar", "decoder.0",
                                             "decoder.1", "decoder.2"}));
  EXPECT_EQ(s.layers[2].params, 2 * (10 * 2 + 2));
  EXPECT_EQ(s.layers.back().output, (Shape{20}));
  int64_t sum = 0;
  for (const auto& l : s.layers) sum += l.params;
  EXPECT_EQ(sum, s.total);
}

TEST(ModelSummary, PrintedWhenTrainingStartsAndByTheSummaryCommand) {
  cli_test::TempDir tmp("descent-summary");
  auto run = [&](const std::vector<std::string>& args) {
    return cli_test::run_command(DESCENT_BINARY, args, tmp.path(), tmp.path());
  };
  const std::vector<std::string> sets = {
      "--set", "data.name=moons",
      "--set", "data.size=100",
      "--set", R"(model.layers=["linear:out=4", "tanh", "linear:out=2"])"};
  std::vector<std::string> train = {"train",       "--out", "r",
                                    "--no-report", "--set", "train.epochs=1"};
  train.insert(train.end(), sets.begin(), sets.end());
  const auto trained = run(train);
  ASSERT_EQ(trained.exit_code, 0) << trained.err;
  const auto of_run = run({"summary", "r"});
  ASSERT_EQ(of_run.exit_code, 0) << of_run.err;
  EXPECT_NE(of_run.out.find("parameters: 22\n"), std::string::npos) << of_run.out;  // 12 + 10
  EXPECT_NE(trained.out.find(of_run.out), std::string::npos) << trained.out;
  // 80 training examples (20 of the 100 held out) in batches of 128: one step per epoch.
  EXPECT_NE(trained.out.find("1 optimizer steps per epoch, 1 in 1 epochs"), std::string::npos)
      << trained.out;
  std::vector<std::string> before = {"summary"};
  before.insert(before.end(), sets.begin(), sets.end());
  EXPECT_EQ(run(before).out, of_run.out);
  const auto not_a_run = run({"summary", "nowhere"});
  EXPECT_NE(not_a_run.exit_code, 0);
  EXPECT_NE(not_a_run.err.find("nowhere"), std::string::npos) << not_a_run.err;
}

}  // namespace test_model_summary
}  // namespace descent
