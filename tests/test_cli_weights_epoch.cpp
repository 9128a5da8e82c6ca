// End-to-end: what `descent train` prints at the end and what summary.json records say which
// epoch's weights model.safetensors holds (the last, or the best put back by early stopping), and
// which epoch was best by what.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli_fixtures.h"

namespace test_cli_weights_epoch {

namespace fs = std::filesystem;
using cli_test::CommandResult;
using cli_test::read_jsonl;
using cli_test::read_text;
using nlohmann::json;

class CliWeightsEpoch : public cli_test::CommandTest {
 protected:
  CliWeightsEpoch() : CommandTest("descent-cli-weights") {}

  CommandResult train(const fs::path& out, const std::vector<std::string>& sets) {
    return descent(with_sets({"train", "--out", out.string(), "--no-report"}, sets));
  }
};

// The epoch with the lowest val_loss in metrics.jsonl.
int64_t lowest_val_loss_epoch(const fs::path& run) {
  int64_t best = 0;
  double lowest = 1e300;
  for (const json& m : read_jsonl(run / "metrics.jsonl"))
    if (m.at("val_loss").get<double>() < lowest) {
      lowest = m.at("val_loss");
      best = m.at("epoch");
    }
  return best;
}

TEST_F(CliWeightsEpoch, TheLastEpochsWeightsAreNamedBesideTheBestEpoch) {
  // The regression example, shortened: a noisy sine, so the best validation epoch is often not
  // the last.
  const fs::path run = tmp_ / "run";
  const CommandResult r =
      train(run, {"data.name=sine", "data.size=400", "train.loss=mse", "train.epochs=6",
                  R"(model.layers=["linear:out=16", "tanh", "linear:out=1"])", "optimizer.lr=0.05",
                  "ema.decay=0.9"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json summary = json::parse(read_text(run / "summary.json"));
  EXPECT_EQ(summary.at("weights_epoch"), 6);
  EXPECT_EQ(summary.at("weights"), "last");
  EXPECT_EQ(summary.at("best_by"), "val_loss");
  const int64_t best = lowest_val_loss_epoch(run);
  EXPECT_EQ(summary.at("best_epoch"), best);
  const std::string said = best == 6
                               ? "(averaged weights of epoch 6, the last and the best by val_loss; "
                               : "(averaged weights of epoch 6, the last; best val_loss at epoch " +
                                     std::to_string(best) + "; ";
  EXPECT_NE(r.out.find(said), std::string::npos) << r.out;
}

TEST_F(CliWeightsEpoch, RestoredBestWeightsAreNamedAsSuch) {
  // lr 0: val_loss never improves after epoch 1, so patience 2 stops at epoch 3 and puts
  // epoch 1's weights back.
  const std::vector<std::string> sets = {
      "data.name=moons",    R"(model.layers=["linear:out=8", "relu", "linear:out=2"])",
      "optimizer.name=sgd", "optimizer.lr=0",
      "train.epochs=20",    "early_stopping.patience=2"};
  const fs::path restored = tmp_ / "restored";
  const CommandResult r = train(restored, sets);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json summary = json::parse(read_text(restored / "summary.json"));
  EXPECT_EQ(summary.at("epochs"), 3);
  EXPECT_EQ(summary.at("weights_epoch"), 1);
  EXPECT_EQ(summary.at("weights"), "best");
  EXPECT_NE(r.out.find("(weights of epoch 1, the best by val_loss, restored; "), std::string::npos)
      << r.out;

  std::vector<std::string> kept = sets;
  kept.push_back("early_stopping.restore_best=false");
  const fs::path last = tmp_ / "last";
  const CommandResult k = train(last, kept);
  ASSERT_EQ(k.exit_code, 0) << k.err;
  const json s = json::parse(read_text(last / "summary.json"));
  EXPECT_EQ(s.at("weights_epoch"), 3);
  EXPECT_EQ(s.at("weights"), "last");
  EXPECT_NE(k.out.find("(weights of epoch 3, the last; best val_loss at epoch 1; "),
            std::string::npos)
      << k.out;
}

}  // namespace test_cli_weights_epoch
