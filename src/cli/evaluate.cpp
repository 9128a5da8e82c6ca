// descent evaluate RUN_DIR: the test loss and accuracy of a finished run (and an autoencoder's
// terms), as JSON.
#include <cstdio>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "descent/app/run.h"

namespace cli {

void add_evaluate_command(CLI::App& app) {
  auto run_dir = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand("evaluate", "Evaluate a finished run on the test set");
  cmd->add_option("run_dir", *run_dir, "Run directory written by descent train")->required();
  cmd->callback([run_dir] {
    descent::EvalResult r = descent::evaluate_run(*run_dir);
    nlohmann::json out = {
        {"test_loss", r.loss}, {"test_accuracy", r.accuracy}, {"examples", r.examples}};
    // The objective's other numbers (autoencoders: reconstruction, kl, elbo, ...).
    for (const auto& [name, value] : r.terms) out["test_" + name] = value;
    std::printf("%s\n", out.dump().c_str());
  });
}

}  // namespace cli
