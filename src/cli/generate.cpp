// descent generate RUN_DIR --count N [--seed S] [--out samples.csv] [--plot samples.png|svg|html]:
// samples from a VAE's prior. z ~ N(0, I) from Generator(S), decoded (sigmoid of the logits
// under binary_cross_entropy). The CSV has one row per sample: z_0..z_{k-1}, then the decoded
// values x_0..x_{d-1}; for image datasets --plot draws them as an image grid.
#include <cstdio>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "descent/app/autoencoder_figures.h"
#include "descent/io/atomic_file.h"
#include "descent/plot/export.h"
#include "descent/util/number_text.h"

namespace cli {
namespace {

std::string samples_csv(const descent::Tensor& z, const descent::Tensor& x) {
  const int64_t n = z.size(0), k = z.size(1), d = x.size(1);
  std::string out;
  for (int64_t j = 0; j < k; ++j) out.append(j ? ",z_" : "z_").append(std::to_string(j));
  for (int64_t j = 0; j < d; ++j) out.append(",x_").append(std::to_string(j));
  out += "\n";
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t j = 0; j < k; ++j)
      out.append(j ? "," : "").append(descent::shortest_text(z.data()[i * k + j]));
    for (int64_t j = 0; j < d; ++j)
      out.append(",").append(descent::shortest_text(x.data()[i * d + j]));
    out += "\n";
  }
  return out;
}

}  // namespace

void add_generate_command(CLI::App& app) {
  struct Options {
    std::string run_dir, out = "samples.csv", plot;
    int64_t count = 0;
    uint64_t seed = 0;
  };
  auto opts = std::make_shared<Options>();
  CLI::App* cmd =
      app.add_subcommand("generate", "Sample a VAE run's prior and decode: CSV and image grid");
  cmd->footer(R"text(
Examples:
  descent generate runs/vae --count 64 --out samples.csv --plot samples.png)text");
  cmd->add_option("run_dir", opts->run_dir, "Run directory of a finished vae run")->required();
  cmd->add_option("--count", opts->count, "How many samples")->required();
  cmd->add_option("--seed", opts->seed, "Seed of the z draws (default 0)");
  cmd->add_option("--out", opts->out, "The CSV file to write (default samples.csv)");
  cmd->add_option("--plot", opts->plot, "Also draw the samples: .png, .svg or .html (image data)");
  cmd->callback([opts] {
    if (opts->count < 1)
      throw std::invalid_argument("--count " + std::to_string(opts->count) +
                                  ": expected at least 1 sample");
    if (!opts->plot.empty()) descent::plot::check_figure_path(opts->plot);
    descent::AutoencoderRun run = descent::load_autoencoder_run(opts->run_dir);
    if (!run.variational)
      throw std::runtime_error(opts->run_dir + " is an autoencoder run, not a VAE: only a VAE " +
                               "(model.kind = \"vae\") has a prior to sample; `descent encode` " +
                               "gives any autoencoder's codes");
    if (!opts->plot.empty()) {
      if (!run.is_image_data())
        throw std::invalid_argument("--plot " + opts->plot + ": " + run.config.data.name +
                                    " is not image data (the samples are in the CSV)");
      descent::plot::check_figure_tools(opts->plot);
    }
    const descent::Tensor z = descent::prior_samples(run, opts->count, opts->seed);
    const descent::Tensor x = descent::decode_values(run, z);
    if (!opts->plot.empty()) {
      const auto grid =
          descent::sample_grid(run, x, std::min<int64_t>(opts->count, 10), "samples",
                               std::to_string(opts->count) + " samples from the prior of " +
                                   opts->run_dir + " (seed " + std::to_string(opts->seed) + ")");
      descent::plot::write_figure(
          grid, opts->plot,
          {{"command", "descent generate " + opts->run_dir + " --count " +
                           std::to_string(opts->count) + " --seed " + std::to_string(opts->seed)},
           {"run", opts->run_dir}});
    }
    descent::write_file_atomically(opts->out, samples_csv(z, x));
    std::printf("wrote %s (%lld samples of %lld values)%s%s\n", opts->out.c_str(),
                static_cast<long long>(opts->count), static_cast<long long>(x.size(1)),
                opts->plot.empty() ? "" : " and ", opts->plot.c_str());
  });
}

}  // namespace cli
