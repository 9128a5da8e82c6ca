// descent evaluate RUN_DIR [--data FILE [--labels FILE]]: the test loss and accuracy of a
// finished run (and an autoencoder's terms), as JSON; with --data, on another labelled set read
// as the run's data (a CSV file with the target column, or IDX images and their labels).
#include <cstdio>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "descent/app/run.h"
#include "descent/app/run_inputs.h"

namespace cli {
namespace {

descent::EvalResult evaluate_on(const std::string& run_dir, const std::string& data,
                                const std::string& labels) {
  descent::TrainedModel run = descent::load_trained_model(run_dir);
  if (run.data.images() && labels.empty())
    throw CLI::ValidationError("--labels", "the run's model takes images (" + run.data.dataset +
                                               "): give their IDX labels file too");
  if (!run.data.images() && !labels.empty())
    throw CLI::ValidationError("--labels", "applies to image runs; " + run.data.dataset +
                                               " examples are CSV rows with their target column");
  return descent::evaluate_model(run,
                                 descent::read_run_examples(run.data, run.config, data, labels));
}

}  // namespace

void add_evaluate_command(CLI::App& app) {
  struct Options {
    std::string run_dir, data, labels;
  };
  auto opts = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("evaluate", "Evaluate a finished run on the test set");
  cmd->footer(R"text(
Examples:
  descent evaluate runs/a                                  the run's own test set, as JSON
  descent evaluate runs/a --data other.csv                 another labelled CSV set
  descent evaluate runs/fashion --data images.gz --labels labels.gz)text");
  cmd->add_option("run_dir", opts->run_dir, "Run directory written by descent train")->required();
  auto* data = cmd->add_option("--data", opts->data,
                               "Evaluate on this labelled set instead: a CSV file with the "
                               "target column, or for an image run an IDX images file")
                   ->check(CLI::ExistingFile);
  cmd->add_option("--labels", opts->labels, "The IDX labels file of --data's images")
      ->check(CLI::ExistingFile)
      ->needs(data);
  cmd->callback([opts] {
    const descent::EvalResult r = opts->data.empty()
                                      ? descent::evaluate_run(opts->run_dir)
                                      : evaluate_on(opts->run_dir, opts->data, opts->labels);
    nlohmann::json out = {
        {"test_loss", r.loss}, {"test_accuracy", r.accuracy}, {"examples", r.examples}};
    // The objective's other numbers (autoencoders: reconstruction, kl, elbo, ...).
    for (const auto& [name, value] : r.terms) out["test_" + name] = value;
    std::printf("%s\n", out.dump().c_str());
  });
}

}  // namespace cli
