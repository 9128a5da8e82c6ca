// denoising: a denoising autoencoder learns to undo the corruption of its input.
//
// The notes' claim: a denoising autoencoder minimizes L(x, g(f(x~))), x~ = x + noise, so it
// cannot copy its input and has to undo the corruption: its reconstruction of a noisy image is
// closer to the clean image than the noisy image is, E||g(f(x~)) - x||^2 < E||x~ - x||^2, and
// closer than the reconstruction by an autoencoder of the same shape trained on clean images
// and given the same noisy input.
//
// Measured on held-out test images, for each noise level: the MSE against the clean image of the
// noisy image, of the denoising autoencoder's reconstruction of it, and of the plain
// autoencoder's; and of both models' reconstructions of the clean image (what the code loses
// without any noise). The noise is the evaluation noise of the denoising run
// (app/autoencoder_figures.h: evaluation_noise), so its summary's corrupted_mse is the same
// measurement on the whole test set.
//
// Agrees when the denoising autoencoder beats the plain one at every level, and the noisy image
// at every level whose noise is above the floor of what its code loses on clean images: below
// that floor no reconstruction through the code can come closer than the noisy image itself,
// whatever it has learnt (those levels are listed in the headline).
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "descent/app/autoencoder_figures.h"
#include "descent/app/config.h"
#include "descent/experiments/autoencoder_training.h"
#include "descent/experiments/experiment.h"
#include "descent/train/objectives/autoencoder.h"

namespace descent::experiments {
namespace {

struct LevelResult {
  double level = 0, noisy = 0, denoised = 0, plain = 0, denoiser_on_clean = 0;
};

Outcome run(Context& context) {
  const Params& p = context.params();
  const AutoencoderTraining settings{
      p.text("data_dir"),  p.integer("train_size"), p.integer("epochs"), p.integer("batch_size"),
      p.integer("hidden"), p.integer("code"),       p.number("lr"),      context.seed()};
  const std::string noise = p.text("noise");
  // In increasing order: the lines of the figure join them so.
  std::vector<double> levels = p.numbers("levels");
  std::sort(levels.begin(), levels.end());
  const int64_t test_points = p.integer("test_points"), images = p.integer("images");
  if (levels.empty()) throw std::invalid_argument("levels: give at least one noise level");
  for (double level : levels)
    if (!(level > 0)) throw std::invalid_argument("levels: every noise level must be positive");
  if (std::adjacent_find(levels.begin(), levels.end()) != levels.end())
    throw std::invalid_argument("levels: a noise level appears twice");
  if (noise == "none") throw std::invalid_argument("noise: a denoising run needs a noise");
  if (test_points < 1 || images < 1)
    throw std::invalid_argument("test_points and images must be at least 1");

  context.progress("training the plain autoencoder");
  TrainedAutoencoder plain =
      train_autoencoder(context.dir() / "autoencoder", settings, "autoencoder");
  const Dataset test = load_split(plain.run, "test");
  const Tensor clean = first_rows(test, test_points);
  const double plain_on_clean = mean_squared_error(reconstruct_values(plain.run, clean), clean);

  // The figure shows the middle level.
  const size_t shown = levels.size() / 2;
  plot::ImageGrid grid;
  std::vector<LevelResult> results;
  for (size_t l = 0; l < levels.size(); ++l) {
    const std::string level = number_text(levels[l]);
    context.progress("training the denoising autoencoder at " + noise + " noise " + level);
    TrainedAutoencoder denoiser =
        train_autoencoder(context.dir() / ("denoising-" + level), settings, "autoencoder",
                          {"autoencoder.noise=" + noise, "autoencoder.noise_level=" + level});
    const Tensor noisy = evaluation_noise(denoiser.run, clean);
    results.push_back({levels[l], mean_squared_error(noisy, clean),
                       mean_squared_error(reconstruct_values(denoiser.run, noisy), clean),
                       mean_squared_error(reconstruct_values(plain.run, noisy), clean),
                       mean_squared_error(reconstruct_values(denoiser.run, clean), clean)});
    if (l == shown) {
      grid = denoising_grid(denoiser.run, test, images, "");
      // The grid's noisy row is the start of `noisy`: the evaluation stream, restarted.
      const Tensor noisy_shown = evaluation_noise(denoiser.run, first_rows(clean, images));
      const plot::ImageGrid by_plain =
          sample_grid(plain.run, reconstruct_values(plain.run, noisy_shown), images, "plain", "");
      grid.images.insert(grid.images.end(), by_plain.images.begin(), by_plain.images.end());
      grid.row_titles = {"noisy", "clean", "denoising AE", "plain AE"};
      grid.title = noise + " noise " + level + ": noisy, clean, both reconstructions of the noisy";
    }
  }

  std::vector<std::vector<double>> rows;
  std::vector<plot::Series> series =
      lines({"noisy input", "plain AE (noisy input)", "denoising AE (noisy input)",
             "denoising AE (clean input)", "plain AE (clean input)"});
  // The denoising autoencoder must beat the plain one at every level, and the noisy image at
  // every level whose noise is larger than what the code loses on a clean image anyway (below
  // that floor no reconstruction through this code can be closer than the noisy image).
  bool beats_noise = true;
  size_t beats_plain = 0;  // levels
  nlohmann::json below_floor = nlohmann::json::array();
  nlohmann::json level_list = nlohmann::json::array(), noisy_list = level_list,
                 denoised_list = level_list, plain_list = level_list, clean_list = level_list;
  for (const LevelResult& r : results) {
    rows.push_back({r.level, r.noisy, r.denoised, r.plain, r.denoiser_on_clean, plain_on_clean});
    const double values[] = {r.noisy, r.plain, r.denoised, r.denoiser_on_clean, plain_on_clean};
    for (size_t k = 0; k < series.size(); ++k) {
      series[k].x.push_back(r.level);
      series[k].y.push_back(values[k]);
    }
    level_list.push_back(r.level);
    noisy_list.push_back(r.noisy);
    denoised_list.push_back(r.denoised);
    plain_list.push_back(r.plain);
    clean_list.push_back(r.denoiser_on_clean);
    beats_plain += r.denoised < r.plain;
    if (r.noisy > r.denoiser_on_clean)
      beats_noise = beats_noise && r.denoised < r.noisy;
    else
      below_floor.push_back(r.level);
  }
  context.write_csv("denoising.csv",
                    {"noise_level", "noisy_mse", "denoising_ae_mse", "plain_ae_mse",
                     "denoising_ae_clean_mse", "plain_ae_clean_mse"},
                    rows);

  plot::LineChart chart;
  chart.id = "mse";
  chart.title = "distance to the clean test image";
  chart.x_title = noise + " noise level";
  chart.y_title = "mean squared error";
  chart.log_y = true;
  chart.series = series;
  char text[480];
  std::snprintf(text, sizeof text,
                "Mean squared error against the clean image over %lld test images: of the noisy "
                "image, and of each model's reconstruction of it; the reconstructions of the "
                "clean image for comparison (the plain autoencoder's does not depend on the "
                "level).",
                static_cast<long long>(clean.size(0)));
  context.add_text("Against the noise level", text);
  context.add_figure(chart);
  context.add_text("What the models make of a noisy image", "");
  context.add_figure(grid);

  const LevelResult& mid = results[shown];
  Outcome outcome;
  outcome.headline = {{"noise", noise},
                      {"levels", level_list},
                      {"noisy_mse", noisy_list},
                      {"denoising_ae_mse", denoised_list},
                      {"plain_ae_mse", plain_list},
                      {"denoising_ae_clean_mse", clean_list},
                      {"plain_ae_clean_mse", plain_on_clean},
                      {"levels_below_floor", below_floor}};
  // Where the check of the noisy image was left out, and why.
  std::string floor_note;
  for (const LevelResult& r : results)
    if (r.noisy <= r.denoiser_on_clean)
      floor_note += (floor_note.empty() ? "; the noisy image is the closer at level " : ", ") +
                    number_text(r.level) + " (its noise " + number_text(r.noisy) +
                    " is below the " + number_text(r.denoiser_on_clean) +
                    " the code loses on clean images)";
  std::snprintf(text, sizeof text,
                "at %s noise %.3g the noisy test images are %.4g from the clean ones (MSE), the "
                "denoising autoencoder's reconstructions of them %.4g and the plain "
                "autoencoder's %.4g; the denoising autoencoder is closer than the plain one at "
                "%zu of %zu levels",
                noise.c_str(), mid.level, mid.noisy, mid.denoised, mid.plain, beats_plain,
                results.size());
  outcome.measured = text + floor_note;
  outcome.agrees = beats_plain == results.size() && beats_noise;
  return outcome;
}

}  // namespace

Experiment denoising_experiment() {
  using K = Param::Kind;
  return {
      "denoising",
      "a denoising autoencoder on Fashion-MNIST: noisy / clean / reconstructed, against a "
      "plain one",
      "a denoising autoencoder minimizes L(x, g(f(x~))) with x~ = x + noise, so it has to "
      "undo the corruption: its reconstruction of a noisy image is closer to the clean one "
      "than the noisy image is, and closer than a plain autoencoder's reconstruction of it",
      {{"data_dir", K::Text, Config{}.data.dir, Config{}.data.dir, "the Fashion-MNIST directory"},
       {"train_size", K::Integer, "20000", "2000", "training images (a seeded subset)"},
       {"epochs", K::Integer, "15", "5", "epochs of each model"},
       {"batch_size", K::Integer, "128", "64", "minibatch size"},
       {"hidden", K::Integer, "256", "128", "hidden ReLU units either side of the code"},
       {"code", K::Integer, "32", "32", "code units"},
       {"lr", K::Number, "0.001", "0.001", "Adam's learning rate"},
       {"noise", K::Text, "gaussian", "gaussian",
        "gaussian, mask or salt_and_pepper (autoencoder.noise)"},
       {"levels", K::Numbers, "0.1,0.2,0.3,0.5", "0.3",
        "noise levels: a standard deviation, or a probability for mask and salt_and_pepper"},
       {"test_points", K::Integer, "10000", "2000", "test images measured (the first ones)"},
       {"images", K::Integer, "10", "8", "test images in the figure"}},
      run};
}

}  // namespace descent::experiments
