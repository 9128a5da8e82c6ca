// "Did you mean": edit distances, the nearest candidate, and what the command line, the
// configuration and the registries say about a misspelt name; the command line's exit codes.
#include <gtest/gtest.h>

#include "cli_fixtures.h"
#include "descent/app/config.h"
#include "descent/optim/registry.h"
#include "descent/util/suggest.h"
#include "throws_with.h"

namespace descent {
namespace test_suggest {

using testutil::throws_with;

TEST(Suggest, EditDistanceCountsSwapsAsOneAndIgnoresCase) {
  EXPECT_EQ(edit_distance("train", "train"), 0u);
  EXPECT_EQ(edit_distance("trian", "train"), 1u);  // a swap of neighbours
  EXPECT_EQ(edit_distance("Adam", "adam"), 0u);
  EXPECT_EQ(edit_distance("sgd", "sgdw"), 1u);
  EXPECT_EQ(edit_distance("", "abc"), 3u);
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
}

TEST(Suggest, ClosestOnlyWhenNearEnough) {
  const std::vector<std::string> subcommands = {"train", "evaluate", "schedule", "optimize"};
  EXPECT_EQ(closest("trian", subcommands), "train");
  EXPECT_EQ(closest("evalute", subcommands), "evaluate");
  EXPECT_EQ(closest("xyz", subcommands), "");
  EXPECT_EQ(did_you_mean("sheduel", subcommands), " (did you mean 'schedule'?)");
  EXPECT_EQ(did_you_mean("fit", subcommands), "");
}

TEST(Suggest, ConfigKeysAndOptimizerNames) {
  EXPECT_TRUE(throws_with<ConfigError>([] { load_config("", {"train.epoch=3"}); },
                                       {"unknown key 'train.epoch'", "did you mean 'epochs'?"}));
  EXPECT_TRUE(throws_with<SpecError>([] { optimizer_info("adamm"); },
                                     {"unknown optimizer 'adamm'", "did you mean 'adam'?"}));
}

TEST(Suggest, CommandLineTyposExitWithUsageStatusAndASuggestion) {
  cli_test::TempDir tmp("descent-suggest");
  auto run = [&](const std::vector<std::string>& args) {
    return cli_test::run_command(DESCENT_BINARY, args, tmp.path(), tmp.path());
  };
  const auto subcommand = run({"trian"});
  EXPECT_EQ(subcommand.exit_code, 2);
  EXPECT_NE(subcommand.err.find("did you mean 'train'?"), std::string::npos) << subcommand.err;
  const auto option = run({"train", "--sett", "train.epochs=1"});
  EXPECT_EQ(option.exit_code, 2);
  EXPECT_NE(option.err.find("unknown option '--sett': did you mean '--set'?"), std::string::npos)
      << option.err;
  const auto missing = run({"train", "--config", "missing.toml"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("missing.toml"), std::string::npos) << missing.err;
  EXPECT_EQ(run({"--help"}).exit_code, 0);
  EXPECT_EQ(run({"--version"}).exit_code, 0);
}

}  // namespace test_suggest
}  // namespace descent
