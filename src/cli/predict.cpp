// descent predict RUN_DIR --input FILE [--out FILE]: a finished run's predictions on new inputs,
// as CSV (app/predict.h): class probabilities and the predicted class, regression values, or an
// autoencoder's reconstructions. Without --out the CSV goes to stdout.
#include <cstdio>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "descent/app/predict.h"
#include "descent/io/atomic_file.h"

namespace cli {

void add_predict_command(CLI::App& app) {
  struct Options {
    std::string run_dir, input, out;
  };
  auto opts = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "predict", "Predict on new inputs with a finished run (CSV rows, or IDX images)");
  cmd->footer(R"text(
Examples:
  descent predict runs/a --input new.csv --out predictions.csv
  descent predict runs/fashion --input t10k-images-idx3-ubyte.gz | head
The run's preprocessing is applied (docs/data.md); classifiers write one probability column per
class and `predicted`, regressors their outputs, autoencoders the reconstruction.)text");
  cmd->add_option("run_dir", opts->run_dir, "Run directory written by descent train")->required();
  cmd->add_option("--input", opts->input,
                  "The inputs: a CSV file with the training file's input columns (a target "
                  "column is ignored), or for an image run an IDX images file (gzipped or raw)")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--out", opts->out, "The CSV file to write (default: stdout)");
  cmd->callback([opts] {
    const descent::Predictions p = descent::predict(opts->run_dir, opts->input);
    if (opts->out.empty()) {
      std::fputs(p.csv.c_str(), stdout);
      return;
    }
    descent::write_file_atomically(opts->out, p.csv);
    std::printf("wrote %s (%lld rows: %s)\n", opts->out.c_str(), static_cast<long long>(p.rows),
                p.columns.c_str());
  });
}

}  // namespace cli
