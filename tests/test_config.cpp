// The configuration: every key declared once (docs, reading and config.toml follow the table),
// values reach the registries as given, and config.toml reads back to itself.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "descent/app/config.h"
#include "descent/optim/registry.h"
#include "throws_with.h"

namespace descent {
namespace test_config {

using testutil::throws_with;
namespace fs = std::filesystem;

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(ConfigKeys, EveryKeyIsDocumented) {
  const std::string doc = read_text(fs::path(DESCENT_SOURCE_DIR) / "docs/configuration.md");
  const auto keys = config_keys();
  ASSERT_GT(keys.size(), 40u);
  for (const std::string& key : keys)
    EXPECT_NE(doc.find("| `" + key + "` |"), std::string::npos)
        << key << " has no row in docs/configuration.md";
}

// config.toml is the resolved configuration: loading it gives the same configuration again.
TEST(ConfigToml, ReadsBackToItself) {
  const std::vector<std::vector<std::string>> cases = {
      {},
      {"data.name=spirals", "clip.max_norm=1", "ema.decay=0.9", "early_stopping.patience=2",
       "curvature.every=5", "regularization.l2=0.01", "optimizer.name=sgd",
       "optimizer.momentum=0.9", "optimizer.no_weight_decay_1d=true", "data.noise=0.3"},
      {"data.name=csv", "data.path=x.csv", "data.target=2", "schedule.name=multistep",
       "schedule.milestones=[2, 4]", "data.train_size=10"},
      {"optimizer.name=lookahead", "optimizer.base=sgd", "optimizer.lr=0.1", "optimizer.k=3",
       "schedule.name=sequential", "schedule.interval=step",
       R"(schedule.schedulers=["linear:start_factor=0.5,total_iters=2", "exponential:gamma=0.9"])",
       "schedule.milestones=[2]"},
      {"data.name=csv", "data.path=x.csv", "data.test_size=0.25"},
      {"data.name=blobs", "data.test_size=200"},
      {"train.loss=cross_entropy:label_smoothing=0.1,weight=[1,2,1]"},
  };
  const fs::path file = fs::temp_directory_path() / ("descent_config_" + std::to_string(getpid()));
  for (const auto& sets : cases) {
    const std::string first = to_toml(load_config("", sets));
    std::ofstream(file) << first;
    EXPECT_EQ(to_toml(load_config(file, {})), first);
  }
  fs::remove(file);
}

TEST(ConfigToml, WritesOnlyTheKeysInUse) {
  const std::string toml = to_toml(load_config("", {"data.name=moons"}));
  EXPECT_NE(toml.find("size = 1000"), std::string::npos);
  EXPECT_EQ(toml.find("dir ="), std::string::npos) << "fashion-mnist's key on a synthetic set";
  EXPECT_EQ(toml.find("[clip]"), std::string::npos) << "clipping is off";
  EXPECT_EQ(toml.find("[schedule]"), std::string::npos);
}

// data.test_size: a fraction of the rows (a float) or a count (an integer), written as given.
TEST(ConfigToml, TestSizeIsAFractionOrACount) {
  const std::vector<std::string> csv = {"data.name=csv", "data.path=x.csv"};
  auto with = [&](const std::string& set) {
    std::vector<std::string> sets = csv;
    sets.push_back(set);
    return load_config("", sets);
  };
  EXPECT_DOUBLE_EQ(with("data.test_size=0.3").data.test_size, 0.3);
  EXPECT_NE(to_toml(with("data.test_size=0.3")).find("test_size = 0.3\n"), std::string::npos);
  EXPECT_NE(to_toml(with("data.test_size=40")).find("test_size = 40\n"), std::string::npos);
  for (const char* bad :
       {"data.test_size=1.5", "data.test_size=-2", "data.test_size=2.0", "data.test_size=\"half\""})
    EXPECT_TRUE(
        throws_with<ConfigError>([&] { with(bad); }, {"data.test_size", "a fraction in (0, 1)"}))
        << bad;
}

TEST(ConfigErrors, UnknownKeysListTheTablesKeysInOrder) {
  EXPECT_TRUE(throws_with<ConfigError>([] { load_config("", {"train.epoch=3"}); },
                                       {"unknown key 'train.epoch'", "--set train.epoch=3",
                                        "valid keys in [train]: epochs, batch_size, shuffle"}));
  EXPECT_TRUE(throws_with<ConfigError>([] { load_config("", {"trian.epochs=3"}); },
                                       {"unknown key 'trian'", "seed, threads, data, model"}));
}

// A value is never spliced into a SPEC: "2,gamma=0.5" is one bad step_size, not a gamma.
TEST(ConfigErrors, ScheduleValuesAreNotSplicedIntoASpec) {
  EXPECT_TRUE(throws_with<ConfigError>(
      [] {
        load_config("", {"schedule.name=step", R"(schedule.step_size="2,gamma=0.5")"});
      },
      {"step_size=2,gamma=0.5", "integer"}));
}

// A run's config.toml reused with another optimizer or schedule: the replaced component's keys
// are dropped with a note, while a key the user gives for the wrong component is still an error.
TEST(ConfigReuse, SwitchingTheOptimizerOrScheduleDropsTheirOldKeys) {
  const fs::path file = fs::temp_directory_path() / "descent_config_reuse.toml";
  {
    std::ofstream out(file);
    out << to_toml(load_config("", {"schedule.name=cosine", "schedule.t_max=20"}));
  }
  const Config c = load_config(file, {"optimizer.name=sgd", "schedule.name=step",
                                      "schedule.step_size=5", "optimizer.momentum=0.9"});
  EXPECT_EQ(c.optimizer.name, "sgd");
  EXPECT_EQ(c.optimizer.args.count("amsgrad"), 0u);
  EXPECT_EQ(c.optimizer.args.at("momentum").text, "0.9");
  EXPECT_EQ(c.schedule.args.count("t_max"), 0u);
  ASSERT_EQ(c.notes.size(), 2u);
  EXPECT_NE(c.notes[0].find("amsgrad"), std::string::npos) << c.notes[0];
  EXPECT_NE(c.notes[1].find("t_max dropped"), std::string::npos) << c.notes[1];
  // Without switching nothing is dropped: the file's keys must fit as before.
  EXPECT_TRUE(load_config(file, {}).notes.empty());
  EXPECT_TRUE(testutil::throws_with<ConfigError>(
      [&] {
        load_config(file, {"optimizer.name=sgd", "optimizer.amsgrad=true"});
      },
      {"unknown key 'amsgrad'"}));
  fs::remove(file);
}

TEST(ConfigNames, AnyCaseAndKerasLearningRateResolveToTheCanonicalNames) {
  const Config c = load_config("", {"optimizer.name=AdamW", "optimizer.learning_rate=0.01",
                                    "schedule.name=Cosine", "schedule.t_max=3"});
  EXPECT_EQ(c.optimizer.name, "adamw");
  EXPECT_EQ(c.optimizer.args.at("lr").text, "0.01");
  EXPECT_EQ(c.optimizer.args.count("learning_rate"), 0u);
  EXPECT_EQ(c.schedule.name, "cosine");
  const std::string toml = to_toml(c);
  EXPECT_NE(toml.find("name = 'adamw'"), std::string::npos) << toml;
  EXPECT_EQ(toml.find("learning_rate"), std::string::npos) << toml;
  EXPECT_TRUE(testutil::throws_with<ConfigError>(
      [] {
        load_config("", {"optimizer.learning_rate=0.01", "optimizer.lr=0.1"});
      },
      {"the same setting"}));
}

// PyTorch's betas tuple and Keras' keyword names, in --set, in a file and in SPECs.
TEST(ConfigNames, PyTorchBetasAndKerasKeywordsResolveToTheCanonicalNames) {
  Config c = load_config("", {"optimizer.betas=(0.8,0.95)", "optimizer.epsilon=1e-7"});
  EXPECT_EQ(c.optimizer.args.at("beta1").text, "0.8");
  EXPECT_EQ(c.optimizer.args.at("beta2").text, "0.95");
  EXPECT_EQ(c.optimizer.args.at("eps").text, "1e-07");
  EXPECT_EQ(c.optimizer.args.count("betas"), 0u);
  c = load_config("", {"optimizer.betas=[0.5, 0.6]"});  // a TOML array
  EXPECT_EQ(c.optimizer.args.at("beta2").text, "0.6");
  EXPECT_TRUE(throws_with<ConfigError>(
      [] {
        load_config("", {"optimizer.betas=(0.5,0.6)", "optimizer.beta_1=0.1"});
      },
      {"betas and beta1 set the same parameter"}));
  c = load_config("", {"optimizer.name=rmsprop", "optimizer.rho=0.9"});  // Keras' RMSprop
  EXPECT_EQ(c.optimizer.args.at("alpha").text, "0.9");
  // rho is adadelta's own name, not an alias there.
  c = load_config("", {"optimizer.name=adadelta", "optimizer.rho=0.8"});
  EXPECT_EQ(c.optimizer.args.at("rho").text, "0.8");
  EXPECT_TRUE(throws_with<ConfigError>([] { load_config("", {"optimizer.betas=(0.9)"}); },
                                       {"betas=(0.9)", "expected two numbers"}));
  EXPECT_TRUE(throws_with<ConfigError>(
      [] {
        load_config("", {"optimizer.name=sgd", "optimizer.betas=(0.9,0.9)"});
      },
      {"unknown key 'betas'"}));
}

// A wrapper's base takes its own spellings too: lookahead's base adam reads betas, sam's default
// base sgd reads learning_rate; the base's canonical names come out either way.
TEST(ConfigNames, AWrappersBaseTakesItsAliases) {
  Config c = load_config(
      "", {"optimizer.name=lookahead", "optimizer.base=adam", "optimizer.betas=(0.8,0.95)"});
  EXPECT_EQ(c.optimizer.args.at("beta1").text, "0.8");
  EXPECT_EQ(c.optimizer.args.at("beta2").text, "0.95");
  c = load_config("", {"optimizer.name=sam", "optimizer.learning_rate=0.05"});
  EXPECT_EQ(c.optimizer.args.at("lr").text, "0.05");
  auto p = Tensor::zeros({2}).requires_grad_();
  const auto opt = make_optimizer("lookahead:base=adam,betas=(0.7,0.9)", {p});
  EXPECT_EQ(opt->param_groups()[0].get("beta1"), 0.7);
  EXPECT_TRUE(throws_with<SpecError>(
      [&] { make_optimizer("lookahead:base=sgd,betas=(0.7,0.9)", {p}); }, {"unknown key 'betas'"}));
}

// A reused config.toml holds lr, beta1 and beta2: an alias from --set overrides them.
TEST(ConfigNames, AnAliasFromSetOverridesTheFilesCanonicalKey) {
  const fs::path file = fs::temp_directory_path() / "descent_config_alias.toml";
  {
    std::ofstream out(file);
    out << to_toml(load_config("", {}));
  }
  const Config c = load_config(file, {"optimizer.betas=(0.5,0.6)", "optimizer.learning_rate=0.02"});
  EXPECT_EQ(c.optimizer.args.at("beta1").text, "0.5");
  EXPECT_EQ(c.optimizer.args.at("lr").text, "0.02");
  fs::remove(file);
}

TEST(ConfigUnset, RemovesAKeyOrATableFromTheFile) {
  const fs::path file = fs::temp_directory_path() / "descent_config_unset.toml";
  {
    std::ofstream out(file);
    out << to_toml(load_config(
        "", {"schedule.name=cosine", "schedule.t_max=20", "train.epochs=7", "optimizer.lr=0.5"}));
  }
  Config c = load_config(file, {}, {"schedule", "train.epochs"});
  EXPECT_TRUE(c.schedule.name.empty());
  EXPECT_EQ(c.train.epochs, Config{}.train.epochs);
  EXPECT_EQ(c.optimizer.args.at("lr").text, "0.5");
  // Then --set applies: a table unset and set anew holds only the new keys.
  c = load_config(file, {"schedule.name=step", "schedule.step_size=2"}, {"schedule"});
  EXPECT_EQ(c.schedule.name, "step");
  EXPECT_TRUE(c.notes.empty());
  EXPECT_TRUE(throws_with<ConfigError>([&] { load_config(file, {}, {"train.epoch"}); },
                                       {"--unset train.epoch", "does not set", "train.epochs"}));
  fs::remove(file);
}

}  // namespace test_config
}  // namespace descent
