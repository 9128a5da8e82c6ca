#include "descent/app/autoencoder_figures.h"

#include <chrono>
#include <cmath>
#include <filesystem>
#include <stdexcept>

#include "descent/app/pca.h"
#include "descent/app/report.h"
#include "descent/app/run_dir.h"
#include "descent/train/objectives/input_noise.h"

namespace descent {
namespace {

// Row `i` of a 2-D tensor as one picture of the dataset's image size.
plot::Image image_of(const AutoencoderRun& run, const Tensor& values, int64_t i,
                     const std::string& caption = "") {
  plot::Image image;
  image.height = run.data->image_rows;
  image.width = run.data->image_cols;
  const int64_t width = values.size(1);
  const auto row =
      values.values().subspan(static_cast<size_t>(i * width), static_cast<size_t>(width));
  image.values.assign(row.begin(), row.end());
  image.caption = caption;
  return image;
}

void require_images(const AutoencoderRun& run, const char* figure) {
  if (!run.is_image_data())
    throw std::invalid_argument(std::string(figure) + ": " + run.config.data.name +
                                " is not image data");
}

std::string class_name(const AutoencoderRun& run, const Dataset& data, int64_t i) {
  if (data.num_classes == 0) return "";
  const auto label = static_cast<size_t>(data.targets.data()[i]);
  const auto& names = data.class_names.empty() ? run.data->class_names : data.class_names;
  return label < names.size() ? names[label] : std::to_string(label);
}

std::string percent(double fraction) {
  return std::to_string(static_cast<int>(std::lround(100 * fraction))) + "%";
}

// PSNR numbers of the summary, in a sentence (empty when the run has none).
std::string psnr_sentence(const RunRecord& record) {
  if (!record.summary) return "";
  const auto number = [&](const char* key) {
    const auto it = record.summary->find(key);
    return it != record.summary->end() && it->is_number() ? it->get<double>() : NAN;
  };
  const double clean = number("test_psnr_db"), noisy = number("test_noisy_psnr_db"),
               denoised = number("test_denoised_psnr_db");
  std::string text;
  if (std::isfinite(clean)) text = "Test reconstructions: PSNR " + format_number(clean) + " dB.";
  if (std::isfinite(noisy) && std::isfinite(denoised))
    text += " Noisy test inputs: " + format_number(noisy) +
            " dB; their reconstructions: " + format_number(denoised) + " dB.";
  return text;
}

}  // namespace

double normal_quantile(double p) {
  if (!(p > 0 && p < 1)) throw std::invalid_argument("normal_quantile: p must lie in (0, 1)");
  // Newton's method on Phi(x) - p, Phi(x) = erfc(-x / sqrt 2) / 2, from x = 0; Phi is monotone
  // and the steps are bounded, so a few dozen iterations reach double precision.
  double x = 0;
  for (int i = 0; i < 100; ++i) {
    const double cdf = 0.5 * std::erfc(-x / std::sqrt(2.0));
    const double density = std::exp(-0.5 * x * x) / std::sqrt(2 * M_PI);
    const double step = std::clamp((cdf - p) / std::max(density, 1e-300), -1.0, 1.0);
    x -= step;
    if (std::fabs(step) < 1e-14) break;
  }
  return x;
}

Tensor evaluation_noise(const AutoencoderRun& run, const Tensor& inputs) {
  const auto& ae = run.config.autoencoder;
  // experiment.cpp seeds the objective's noise with seed + 11; evaluation restarts its stream at
  // that seed + 1 (AutoencoderObjective::begin_evaluation) and corrupts the test set in order.
  Generator eval_noise(run.config.seed + 11 + 1);
  return corrupt(inputs, parse_input_noise(ae.noise), static_cast<float>(ae.noise_level),
                 eval_noise);
}

plot::ImageGrid reconstruction_grid(AutoencoderRun& run, const Dataset& test, int64_t count,
                                    const std::string& id_prefix) {
  require_images(run, "reconstruction grid");
  const Tensor inputs = first_rows(test, count);
  const Tensor rebuilt = reconstruct_values(run, inputs);
  plot::ImageGrid grid;
  grid.id = id_prefix + "reconstructions";
  grid.title = "Test images (top) and their reconstructions (bottom)";
  grid.columns = inputs.size(0);
  grid.row_titles = {"input", "reconstruction"};
  for (int64_t i = 0; i < inputs.size(0); ++i)
    grid.images.push_back(image_of(run, inputs, i, class_name(run, test, i)));
  for (int64_t i = 0; i < inputs.size(0); ++i) grid.images.push_back(image_of(run, rebuilt, i));
  return grid;
}

plot::ImageGrid denoising_grid(AutoencoderRun& run, const Dataset& test, int64_t count,
                               const std::string& id_prefix) {
  require_images(run, "denoising grid");
  if (run.config.autoencoder.noise == "none")
    throw std::invalid_argument("denoising grid: the run has no input noise");
  const Tensor clean = first_rows(test, count);
  const Tensor noisy = evaluation_noise(run, clean);
  const Tensor rebuilt = reconstruct_values(run, noisy);
  const auto& ae = run.config.autoencoder;
  plot::ImageGrid grid;
  grid.id = id_prefix + "denoising";
  grid.title = "Denoising: " + ae.noise + " noise " + format_number(ae.noise_level) +
               " (as in evaluation), the clean image, the reconstruction of the noisy one";
  grid.columns = clean.size(0);
  grid.row_titles = {"noisy", "clean", "reconstructed"};
  for (const Tensor* t : {&noisy, &clean, &rebuilt})
    for (int64_t i = 0; i < clean.size(0); ++i) grid.images.push_back(image_of(run, *t, i));
  return grid;
}

plot::Scatter code_plane(AutoencoderRun& run, const Dataset& test, int64_t max_points,
                         const std::string& id_prefix) {
  const Tensor inputs = first_rows(test, max_points);
  const Tensor codes = encode_all(run, inputs).code;
  const int64_t n = codes.size(0), k = codes.size(1);
  plot::Scatter s;
  s.id = id_prefix + "code_plane";
  // Titles stay short: a static image is as wide as its title.
  const std::string what = run.variational ? "code means (mu)" : "codes";
  const std::string points = std::to_string(n) + " test examples";
  if (k <= 2) {
    for (int64_t i = 0; i < n; ++i) {
      s.x.push_back(codes.data()[i * k]);
      s.y.push_back(k == 2 ? codes.data()[i * k + 1] : 0.0);
    }
    s.title = std::to_string(k) + "-unit " + what + " of the first " + points;
    s.x_title = "code 0";
    s.y_title = k == 2 ? "code 1" : "(one code unit)";
  } else {
    const std::vector<double> points_k(codes.values().begin(), codes.values().end());
    const Pca pca = fit_pca(points_k, k, 2);
    const std::vector<double> xy = project(pca, points_k);
    for (int64_t i = 0; i < n; ++i) {
      s.x.push_back(xy[static_cast<size_t>(2 * i)]);
      s.y.push_back(xy[static_cast<size_t>(2 * i + 1)]);
    }
    const double shown =
        pca.total_variance > 0 ? (pca.variances[0] + pca.variances[1]) / pca.total_variance : 0.0;
    s.title = std::to_string(k) + "-unit " + what + ", PCA to 2-D (" + percent(shown) +
              " of the variance), " + points;
    s.x_title = "principal component 1";
    s.y_title = "principal component 2";
  }
  if (test.num_classes > 0) {
    const auto& names = test.class_names.empty() ? run.data->class_names : test.class_names;
    for (int64_t c = 0; c < test.num_classes; ++c)
      s.category_names.push_back(static_cast<size_t>(c) < names.size()
                                     ? names[static_cast<size_t>(c)]
                                     : std::to_string(c));
    for (int64_t i = 0; i < n; ++i) {
      s.category.push_back(static_cast<int>(test.targets.data()[i]));
      s.labels.push_back("test example " + std::to_string(i));
    }
  }
  return s;
}

plot::ImageGrid manifold_grid(AutoencoderRun& run, int64_t side, const std::string& id_prefix) {
  require_images(run, "manifold grid");
  if (!run.variational || run.code_size != 2)
    throw std::invalid_argument("manifold grid: needs a VAE with code = 2");
  std::vector<double> q;
  for (int64_t i = 0; i < side; ++i)
    q.push_back(normal_quantile((static_cast<double>(i) + 0.5) / static_cast<double>(side)));
  std::vector<float> z;
  for (int64_t row = 0; row < side; ++row)
    for (int64_t col = 0; col < side; ++col) {
      z.push_back(static_cast<float>(q[static_cast<size_t>(col)]));
      z.push_back(static_cast<float>(q[static_cast<size_t>(side - 1 - row)]));  // top: largest
    }
  const Tensor decoded = decode_values(run, Tensor::from({side * side, 2}, z));
  plot::ImageGrid grid =
      sample_grid(run, decoded, side, id_prefix + "manifold",
                  "Decoded z over a " + std::to_string(side) + " x " + std::to_string(side) +
                      " grid at Gaussian quantiles (z_0 from " + format_number(q.front()) + " to " +
                      format_number(q.back()) + " left to right, z_1 likewise bottom to top)");
  grid.scale = 2;
  return grid;
}

plot::ImageGrid sample_grid(const AutoencoderRun& run, const Tensor& values, int64_t columns,
                            const std::string& id, const std::string& title) {
  require_images(run, "sample grid");
  plot::ImageGrid grid;
  grid.id = id;
  grid.title = title;
  grid.columns = columns;
  for (int64_t i = 0; i < values.size(0); ++i) grid.images.push_back(image_of(run, values, i));
  return grid;
}

std::vector<plot::Block> autoencoder_blocks(const RunRecord& record, size_t index,
                                            const AutoencoderFigureOptions& options) {
  std::vector<plot::Block> blocks;
  blocks.push_back(plot::Heading{"What " + record.name + " learned"});
  const std::string psnr = psnr_sentence(record);
  if (!psnr.empty()) blocks.push_back(plot::Paragraph{psnr});
  if (!std::filesystem::exists(record.dir / kModelFile)) {
    blocks.push_back(plot::Paragraph{
        "No " + std::string(kModelFile) +
        " (the run has not finished): the reconstructions, the code plane and the samples need "
        "the trained model and are left out."});
    return blocks;
  }
  const std::string prefix = "ae" + std::to_string(index) + "_";
  try {
    AutoencoderRun run = load_autoencoder_run(record.dir);
    const Dataset test = load_split(run, "test");
    if (run.is_image_data()) {
      blocks.push_back(reconstruction_grid(run, test, options.images, prefix));
      if (run.config.autoencoder.noise != "none")
        blocks.push_back(denoising_grid(run, test, options.images, prefix));
    }
    blocks.push_back(code_plane(run, test, options.code_points, prefix));
    if (run.variational && run.is_image_data()) {
      if (run.code_size == 2) blocks.push_back(manifold_grid(run, options.manifold_side, prefix));
      // Seeded by the run's seed: the same run always shows the same samples.
      const Tensor z = prior_samples(run, options.prior_samples, run.config.seed);
      blocks.push_back(sample_grid(run, decode_values(run, z), 10, prefix + "prior_samples",
                                   "Samples from the prior: decoded z ~ N(0, I)"));
    }
  } catch (const std::exception& e) {
    blocks.push_back(
        plot::Paragraph{"The figures that need the model are left out: " + std::string(e.what())});
  }
  return blocks;
}

}  // namespace descent
