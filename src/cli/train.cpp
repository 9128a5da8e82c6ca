// descent train [--config FILE.toml] [--set key=value]... [--out DIR] [--seed N] [--threads N]
#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "descent/train/run.h"
#include "descent/util/threads.h"

namespace cli {

void add_train_command(CLI::App& app) {
  struct Options {
    std::string config, out;
    std::vector<std::string> sets;
    std::string seed, threads;
  };
  auto opts = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "train", "Train a network (default: Fashion-MNIST MLP 784-256-256-10, Adam, 10 epochs)");
  cmd->add_option("--config", opts->config, "TOML configuration file (see docs/configuration.md)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--set", opts->sets, "Override a setting, e.g. --set train.epochs=3 (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--out", opts->out, "Run directory (default: runs/<date-time>)");
  cmd->add_option("--seed", opts->seed, "Random seed (same as --set seed=N)");
  cmd->add_option("--threads", opts->threads, "Threads for every parallel part (0: all cores)");
  cmd->callback([opts] {
    std::vector<std::string> overrides = opts->sets;
    if (!opts->seed.empty()) overrides.push_back("seed=" + opts->seed);
    if (!opts->threads.empty()) overrides.push_back("threads=" + opts->threads);
    descent::Config config = descent::load_config(opts->config, overrides);
    descent::set_num_threads(config.threads);
    descent::Experiment experiment = descent::build_experiment(config);
    const auto dir =
        opts->out.empty() ? descent::default_run_dir() : std::filesystem::path(opts->out);
    std::printf(
        "descent: %s on %s (%lld train, %lld validation, %lld test), %s, run directory %s\n",
        experiment.model->describe().c_str(), config.data.name.c_str(),
        static_cast<long long>(experiment.train.size()),
        static_cast<long long>(experiment.validation.size()),
        static_cast<long long>(experiment.test.size()), config.optimizer.name.c_str(),
        dir.string().c_str());
    std::fflush(stdout);
    descent::RunOutcome outcome = descent::train_run(experiment, dir);
    std::printf("test_loss %.4f", outcome.test.loss);
    if (std::isfinite(outcome.test.accuracy)) std::printf("  test_accuracy %.4f", outcome.test.accuracy);
    std::printf("  (best epoch %lld, %.1fs)\n", static_cast<long long>(outcome.train.best_epoch),
                outcome.train.seconds);
  });
}

}  // namespace cli
