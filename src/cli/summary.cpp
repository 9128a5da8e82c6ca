// descent summary [RUN_DIR] [--config FILE.toml] [--set key=value]...: the model's layers, output
// shapes and parameter counts, of a run or of a configuration before training it.
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "descent/app/experiment.h"
#include "descent/app/run_dir.h"
#include "descent/nn/model_summary.h"

namespace cli {

void add_summary_command(CLI::App& app) {
  struct Options {
    std::string run_dir, config;
    std::vector<std::string> sets;
  };
  auto opts = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "summary",
      "Print a model's layers, output shapes and parameter counts (of a run, or of a "
      "configuration before training)");
  cmd->footer(R"text(
Examples:
  descent summary runs/a                                   a trained run's model
  descent summary --config examples/vae.toml               a configuration, before training)text");
  cmd->add_option("run_dir", opts->run_dir, "Run directory written by descent train");
  cmd->add_option("--config", opts->config, "TOML configuration file")->check(CLI::ExistingFile);
  cmd->add_option("--set", opts->sets, "Override a setting, e.g. --set model.kind=vae");
  cmd->callback([opts] {
    if (!opts->run_dir.empty() && !opts->config.empty())
      throw std::runtime_error("give a run directory or --config, not both");
    std::filesystem::path config_file = opts->config;
    if (!opts->run_dir.empty()) {
      descent::check_is_run_dir(opts->run_dir);
      config_file = std::filesystem::path(opts->run_dir) / descent::kConfigFile;
    }
    const descent::Experiment e =
        descent::build_experiment(descent::load_config(config_file, opts->sets));
    std::printf("%s", descent::summarize(*e.model, e.train.features()).text().c_str());
  });
}

}  // namespace cli
