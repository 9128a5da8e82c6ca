// Crafted and damaged checkpoints on --resume: every field of the description is checked against
// the run's configuration (loop position, totals, history, generators, optimizer state, tensors),
// and each bad one is refused with exit 1 and a message naming the checkpoint file, the field,
// the value and what was expected; never in the JSON library's words, and with the run
// directory left as it was.
#include <gtest/gtest.h>

#include <functional>
#include <map>

#include <nlohmann/json.hpp>

#include "cli_fixtures.h"
#include "descent/train/checkpoint.h"

namespace test_cli_checkpoint_validation {

namespace fs = std::filesystem;
using cli_test::CommandResult;
using nlohmann::json;

struct Damage {
  std::string name;
  std::function<void(descent::Checkpoint&)> apply;
  std::vector<std::string> said;  // fragments of the message, after the file's name
};

void erase_tensor(descent::Checkpoint& cp, const std::string& name) {
  for (auto it = cp.tensors.begin(); it != cp.tensors.end(); ++it)
    if (it->name == name) {
      cp.tensors.erase(it);
      return;
    }
  throw std::runtime_error("no tensor " + name);
}

// Every file of the run but the lock (whose content is its last holder's pid).
std::map<std::string, std::string> snapshot(const fs::path& dir) {
  std::map<std::string, std::string> files;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().filename() != ".descent.lock")
      files[e.path().filename().string()] = cli_test::read_text(e.path());
  return files;
}

class CheckpointValidation : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    tmp_ = new cli_test::TempDir("descent-checkpoint-validation");
    fs::create_directories(*tmp_ / "logs");
    const CommandResult r =
        run({"train", "--out", (*tmp_ / "finished").string(), "--threads", "1", "--no-report", "-q",
             "--set", "data.name=spirals", "--set", "data.size=300", "--set", "train.batch_size=32",
             "--set", R"(model.layers=["linear:out=8","tanh","linear:out=3"])", "--set",
             "train.epochs=2"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  static void TearDownTestSuite() {
    delete tmp_;
    tmp_ = nullptr;
  }
  static CommandResult run(const std::vector<std::string>& args) {
    return cli_test::run_command(DESCENT_BINARY, args, tmp_->path(), *tmp_ / "logs");
  }

  static cli_test::TempDir* tmp_;
};
cli_test::TempDir* CheckpointValidation::tmp_ = nullptr;

TEST_F(CheckpointValidation, EveryDamagedFieldIsRefusedNamingFileFieldAndValue) {
  const std::vector<Damage> damages = {
      {"negative epoch",
       [](auto& cp) { cp.meta["loop"]["epoch"] = -5; },
       {"loop.epoch is -5; expected an integer of at least 1"}},
      {"epoch as text",
       [](auto& cp) { cp.meta["loop"]["epoch"] = "3"; },
       {"loop.epoch is \"3\"; expected an integer"}},
      {"huge batch",
       [](auto& cp) { cp.meta["loop"]["batch"] = int64_t{1000000000000000}; },
       {"loop.batch is 1000000000000000; expected an integer from 0 to ",
        "(the batches in an epoch)"}},
      {"fractional batch",
       [](auto& cp) { cp.meta["loop"]["batch"] = 1e15; },
       {"loop.batch is 1e+15; expected an integer of at least 0"}},
      {"no loop", [](auto& cp) { cp.meta.erase("loop"); }, {"loop is missing; expected an object"}},
      {"no loop.step",
       [](auto& cp) { cp.meta["loop"].erase("step"); },
       {"loop.step is missing; expected an integer from 0 to "}},
      {"step past the loop",
       [](auto& cp) { cp.meta["loop"]["step"] = 1000000; },
       {"loop.step is 1000000; expected an integer from 0 to ",
        "the optimizer steps up to loop.epoch and loop.batch"}},
      {"negative sample count",
       [](auto& cp) { cp.meta["loop"]["totals"]["samples"] = -1; },
       {"loop.totals.samples is -1"}},
      {"ratio sums of another model",
       [](auto& cp) { cp.meta["loop"]["totals"]["ratio_sum"] = json::array({0.0}); },
       {"loop.totals.ratio_sum is [0.0]; expected a list of 4 numbers, one per parameter"}},
      {"no history",
       [](auto& cp) { cp.meta.erase("history"); },
       {"history is missing; expected a list"}},
      {"an epoch lost from the history",
       [](auto& cp) { cp.meta["history"].erase(1); },
       {"expected a list of 2 epochs' metrics (the epochs before loop.epoch), not 1"}},
      {"history out of order",
       [](auto& cp) { cp.meta["history"][1]["epoch"] = 7; },
       {"history.1.epoch is 7; expected an integer from 2 to 2"}},
      {"history value as text",
       [](auto& cp) { cp.meta["history"][0]["train_loss"] = "low"; },
       {"history.0.train_loss is \"low\"; expected a number or null"}},
      {"zero generator",
       [](auto& cp) {
         cp.meta["rng"]["epoch_start"] = json::array({0, 0, 0, 0, 0});
       },
       {"rng.epoch_start is [0,0,0,0,0]; expected a random generator's state"}},
      {"no generators",
       [](auto& cp) { cp.meta.erase("rng"); },
       {"rng.epoch_start is missing; expected a random generator's state"}},
      {"a generator for a layer that has none",
       [](auto& cp) {
         cp.meta["rng"]["model"] = json::array({json::array({1, 2, 3, 4, 5})});
       },
       {"rng.model is [[1,2,3,4,5]]; expected 0 generator states"}},
      {"another format",
       [](auto& cp) { cp.meta["format"] = "descent-checkpoint-9"; },
       {"format is \"descent-checkpoint-9\"; expected \"descent-checkpoint-1\""}},
      {"no optimizer",
       [](auto& cp) { cp.meta.erase("optimizer"); },
       {"optimizer is missing; expected an object"}},
      {"a missing optimizer tensor",
       [](auto& cp) { erase_tensor(cp, "optimizer.state.2.exp_avg_sq"); },
       {"checkpoint.safetensors: optimizer state: parameter 2 (shape [3, 8]) has no tensor "
        "state.2.exp_avg_sq ('adam' keeps exp_avg, exp_avg_sq)"}},
      {"an optimizer tensor of another shape",
       [](auto& cp) {
         for (auto& t : cp.tensors)
           if (t.name == "optimizer.state.0.exp_avg") t.tensor = descent::Tensor::zeros({3});
       },
       {"tensor state.0.exp_avg has shape [3], expected [8, 2]"}},
      {"a missing step count",
       [](auto& cp) { cp.meta["optimizer"]["state"]["1"].erase("step"); },
       {"parameter 1 (shape [8]) has no state.1.step"}},
      {"a missing weight",
       [](auto& cp) { erase_tensor(cp, "model.2.bias"); },
       {"model weights: ", "2.bias"}},
      {"a weight average with [ema] off",
       [](auto& cp) {
         cp.meta["ema"] = {{"decay", 0.9}, {"num_updates", 1}};
       },
       {"ema is {\"decay\":0.9,\"num_updates\":1}; expected none, as [ema] is off"}},
  };
  const fs::path original = *tmp_ / "finished";
  for (size_t i = 0; i < damages.size(); ++i) {
    const Damage& d = damages[i];
    SCOPED_TRACE(d.name);
    const fs::path dir = *tmp_ / ("case-" + std::to_string(i));
    fs::copy(original, dir, fs::copy_options::recursive);
    const fs::path file = dir / "checkpoint.safetensors";
    descent::Checkpoint cp = descent::load_checkpoint(file);
    d.apply(cp);
    descent::save_checkpoint(file, cp);
    const auto before = snapshot(dir);
    const CommandResult r = run({"train", "--resume", dir.string(), "--set", "train.epochs=4"});
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_NE(r.err.find("descent: error: " + file.string() + ": "), std::string::npos) << r.err;
    for (const auto& fragment : d.said)
      EXPECT_NE(r.err.find(fragment), std::string::npos) << fragment << "\n" << r.err;
    EXPECT_EQ(r.err.find("json.exception"), std::string::npos) << r.err;
    EXPECT_LT(r.err.size(), 600u) << r.err;
    EXPECT_EQ(snapshot(dir), before) << "the refused resume changed the run directory";
    fs::remove_all(dir);
  }
}

}  // namespace test_cli_checkpoint_validation
