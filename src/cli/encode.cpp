// descent encode RUN_DIR [--split train|validation|test] [--out codes.csv]: the codes of an
// autoencoder run's examples as CSV, one row per example: code_0..code_{k-1} (a VAE's mean mu),
// for a VAE also logvar_0..logvar_{k-1}, then the label and, when the dataset names its classes,
// the class.
#include <cstdio>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "descent/app/autoencoder_run.h"
#include "descent/data/csv.h"
#include "descent/io/atomic_file.h"
#include "descent/util/number_text.h"

namespace cli {
namespace {

std::string number(float value) { return descent::shortest_text(value); }

std::string codes_csv(const descent::AutoencoderRun& run, const descent::Dataset& data,
                      const descent::Codes& codes) {
  const int64_t n = codes.code.size(0), k = codes.code.size(1);
  const bool labels = data.num_classes > 0;
  // The data's own class names (a CSV file's labels), else the dataset table's.
  const std::vector<std::string>& class_names =
      !data.class_names.empty() || !run.data ? data.class_names : run.data->class_names;
  const bool names = labels && !class_names.empty();
  std::string out;
  for (int64_t j = 0; j < k; ++j) out.append(j ? ",code_" : "code_").append(std::to_string(j));
  if (codes.logvar.defined())
    for (int64_t j = 0; j < k; ++j) out += ",logvar_" + std::to_string(j);
  if (labels) out += ",label";
  if (names) out += ",class";
  out += "\n";
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t j = 0; j < k; ++j)
      out.append(j ? "," : "").append(number(codes.code.data()[i * k + j]));
    if (codes.logvar.defined())
      for (int64_t j = 0; j < k; ++j) out += "," + number(codes.logvar.data()[i * k + j]);
    const auto label = static_cast<int64_t>(labels ? data.targets.data()[i] : 0);
    if (labels) out += "," + std::to_string(label);
    if (names)
      out += "," + descent::csv_field(static_cast<size_t>(label) < class_names.size()
                                          ? class_names[static_cast<size_t>(label)]
                                          : std::to_string(label));
    out += "\n";
  }
  return out;
}

}  // namespace

void add_encode_command(CLI::App& app) {
  struct Options {
    std::string run_dir, split = "test", out = "codes.csv";
  };
  auto opts = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "encode", "Write the codes of an autoencoder run's examples as CSV (VAE: mu and logvar)");
  cmd->footer(R"text(
Examples:
  descent encode runs/ae --out codes.csv
  descent encode runs/vae --split train --out train-codes.csv)text");
  cmd->add_option("run_dir", opts->run_dir, "Run directory of a finished autoencoder or vae run")
      ->required();
  cmd->add_option("--split", opts->split, "train, validation or test (default test)");
  cmd->add_option("--out", opts->out, "The CSV file to write (default codes.csv)");
  cmd->callback([opts] {
    descent::AutoencoderRun run = descent::load_autoencoder_run(opts->run_dir);
    const descent::Dataset data = descent::load_split(run, opts->split);
    const descent::Codes codes = descent::encode_all(run, data.dense_inputs());
    descent::write_file_atomically(opts->out, codes_csv(run, data, codes));
    std::printf("wrote %s (%lld %s examples, %lld code units%s)\n", opts->out.c_str(),
                static_cast<long long>(codes.code.size(0)), opts->split.c_str(),
                static_cast<long long>(codes.code.size(1)),
                codes.logvar.defined() ? ": mu, then logvar" : "");
  });
}

}  // namespace cli
