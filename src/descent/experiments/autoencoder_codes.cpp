// autoencoder-codes: the 2-D code plane of an undercomplete autoencoder and of a variational
// autoencoder trained on Fashion-MNIST, coloured by class.
//
// The notes' claim: an undercomplete code (2 units for 784 pixels) has to keep the main factors
// of variation of the data, so images of one class land near each other in the code plane. A
// VAE's encoder gives each image a Gaussian q(z|x) = N(mu, diag(sigma^2)) that the KL term pulls
// towards the prior N(0, I), so its codes are regular: they fill the prior's region (mean about
// 0, covariance about I) and nearby codes decode to similar images; nothing constrains where a
// plain autoencoder puts its codes, or how widely.
//
// Why about I: scaling code unit j by c (and the decoder's weights on it by 1/c) leaves the
// reconstruction unchanged and changes the KL term by (c^2 E[z_j^2] - 1 - 2 ln c) / 2, smallest
// at c^2 E[z_j^2] = 1; shifting it (and the decoder's bias) likewise pulls E[z_j] to 0. So at a
// stationary point of the ELBO every unit of the aggregate posterior has mean 0 and E[z_j^2] = 1.
//
// Measured on held-out test images: each model's reconstruction MSE (the VAE's decoded from mu);
// how well the classes separate in each plane (leave-one-out k-NN accuracy against chance
// 1 / classes, and the between- to within-class variance ratio: app/class_separation.h); and the
// mean, E[z_j^2] and covariance of the autoencoder's codes and of the VAE's aggregate posterior,
// with the KL divergence from N(0, I) of a Gaussian fitted to each, after every epoch. Agrees
// when both planes' k-NN accuracy is at least 5 times chance and the VAE's fitted Gaussian is
// closer to N(0, I) than N(0, 2I) is.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "descent/app/autoencoder_figures.h"
#include "descent/app/class_separation.h"
#include "descent/app/config.h"
#include "descent/app/pca.h"
#include "descent/app/run_dir.h"
#include "descent/experiments/autoencoder_training.h"
#include "descent/experiments/experiment.h"
#include "descent/io/model_weights.h"
#include "descent/train/callbacks/epoch_weights.h"

namespace descent::experiments {
namespace {

std::vector<double> doubles(const Tensor& t) { return {t.values().begin(), t.values().end()}; }

// The distribution of a model's codes over a set of images, as the decoder sees them: the
// autoencoder's codes h, or the VAE's aggregate posterior, the mixture of its q(z|x) =
// N(mu, diag(sigma^2)) over the images, whose mean is E[mu] and covariance Cov(mu) +
// diag(E[sigma^2]) (exactly, no sampling). The prior N(0, I) has mean 0, covariance I.
struct CodeMoments {
  std::vector<double> mean, covariance;  // k and k x k values
  double mean_norm = 0;
  std::vector<double> second_moments;  // E[z_j^2] per unit: 1 at a stationary point of the ELBO
  std::vector<double> eigenvalues;     // of the covariance, largest first
  // KL(N(mean, covariance) || N(0, I)) in nats: how far a Gaussian fitted to the codes is from
  // the prior, 0 when it is the prior.
  double prior_kl = 0;
};

// KL(N(0, 2I) || N(0, I)) in k dimensions: what doubling the prior's variance in every unit costs.
double doubled_variance_kl(int64_t k) { return 0.5 * static_cast<double>(k) * (1 - std::log(2.0)); }

CodeMoments code_moments(const Codes& codes) {
  const int64_t n = codes.code.size(0), k = codes.code.size(1);
  const size_t kk = static_cast<size_t>(k);
  CodeMoments m;
  m.mean.assign(kk, 0.0);
  m.covariance.assign(kk * kk, 0.0);
  std::vector<double> variance(kk, 0.0);  // E[sigma_j^2]: 0 for a plain autoencoder
  const float* h = codes.code.data();
  for (int64_t i = 0; i < n; ++i)
    for (size_t a = 0; a < kk; ++a) {
      m.mean[a] += h[static_cast<size_t>(i) * kk + a] / static_cast<double>(n);
      if (codes.logvar.defined())
        variance[a] +=
            std::exp(static_cast<double>(codes.logvar.data()[static_cast<size_t>(i) * kk + a])) /
            static_cast<double>(n);
    }
  for (int64_t i = 0; i < n; ++i)
    for (size_t a = 0; a < kk; ++a)
      for (size_t b = 0; b < kk; ++b)
        m.covariance[a * kk + b] += (h[static_cast<size_t>(i) * kk + a] - m.mean[a]) *
                                    (h[static_cast<size_t>(i) * kk + b] - m.mean[b]) /
                                    static_cast<double>(n);
  double norm2 = 0;
  for (size_t a = 0; a < kk; ++a) {
    m.covariance[a * kk + a] += variance[a];
    m.second_moments.push_back(m.covariance[a * kk + a] + m.mean[a] * m.mean[a]);
    norm2 += m.mean[a] * m.mean[a];
  }
  m.mean_norm = std::sqrt(norm2);
  m.eigenvalues = jacobi_eigen(m.covariance, k).values;
  std::sort(m.eigenvalues.rbegin(), m.eigenvalues.rend());
  // 0.5 (tr C + |m|^2 - k - ln det C), with C's trace and determinant from its eigenvalues.
  m.prior_kl = 0.5 * (norm2 - static_cast<double>(k));
  for (double v : m.eigenvalues) m.prior_kl += 0.5 * (v - std::log(v));
  return m;
}

struct Separation {
  double knn = 0, ratio = 0;
};

Separation separation_of(const std::vector<double>& points, const std::vector<int>& labels,
                         int64_t k) {
  return {knn_accuracy(points, 2, labels, k), between_within_ratio(points, 2, labels)};
}

// The plain autoencoder has no prior to take quantiles of: its decoded plane is drawn over the
// quantiles (i + 0.5) / side of its own test codes, coordinate by coordinate, so the grid spans
// where its codes are as the VAE's spans where its prior is.
Tensor quantile_grid(const std::vector<double>& codes, int64_t side) {
  const size_t n = codes.size() / 2;
  std::vector<double> axis[2];
  for (size_t i = 0; i < n; ++i)
    for (size_t a = 0; a < 2; ++a) axis[a].push_back(codes[2 * i + a]);
  for (auto& values : axis) std::sort(values.begin(), values.end());
  auto quantile = [&](size_t a, int64_t i) {
    const double q = (static_cast<double>(i) + 0.5) / static_cast<double>(side);
    return static_cast<float>(axis[a][std::min(n - 1, static_cast<size_t>(q * n))]);
  };
  std::vector<float> z;
  for (int64_t row = 0; row < side; ++row)
    for (int64_t col = 0; col < side; ++col) {
      z.push_back(quantile(0, col));
      z.push_back(quantile(1, side - 1 - row));  // top row: the largest code 1, as manifold_grid
    }
  return Tensor::from({side * side, 2}, z);
}

// The reconstruction error of a code of no units: every image rebuilt as the mean image (the
// pixels' variance, averaged over the pixels).
double mean_image_mse(const Tensor& images) {
  const int64_t n = images.size(0), d = images.size(1);
  std::vector<double> mean(static_cast<size_t>(d), 0.0);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < d; ++j) mean[static_cast<size_t>(j)] += images.data()[i * d + j];
  for (double& m : mean) m /= static_cast<double>(n);
  double sum = 0;
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < d; ++j) {
      const double diff = images.data()[i * d + j] - mean[static_cast<size_t>(j)];
      sum += diff * diff;
    }
  return sum / static_cast<double>(n * d);
}

nlohmann::json array_of(const std::vector<double>& values) {
  nlohmann::json out = nlohmann::json::array();
  for (double v : values) out.push_back(v);
  return out;
}

// The code moments of `inputs` after every epoch (epoch 0: the initial weights), from the run's
// per-epoch weights. Those are removed afterwards (megabytes an epoch, and nothing else reads
// them); the model is left with its final weights.
std::vector<CodeMoments> moments_per_epoch(AutoencoderRun& run, const Tensor& inputs) {
  const std::filesystem::path dir = run.dir / kEpochWeightsDir;
  std::vector<CodeMoments> out;
  for (const auto& [epoch, file] : list_epoch_weights(dir)) {
    load_weights(*run.model, file);
    out.push_back(code_moments(encode_all(run, inputs)));
  }
  load_weights(*run.model, run.dir / kModelFile);
  std::filesystem::remove_all(dir);
  return out;
}

Outcome run(Context& context) {
  const Params& p = context.params();
  AutoencoderTraining settings;
  settings.data_dir = p.text("data_dir");
  settings.train_size = p.integer("train_size");
  settings.epochs = p.integer("epochs");
  settings.batch_size = p.integer("batch_size");
  settings.hidden = p.integer("hidden");
  settings.code = 2;
  settings.lr = p.number("lr");
  settings.seed = context.seed();
  const int64_t test_points = p.integer("test_points"), plot_points = p.integer("plot_points"),
                track_points = p.integer("track_points"), k = p.integer("neighbours"),
                side = p.integer("grid"), images = p.integer("images");
  if (k < 1 || test_points <= k)
    throw std::invalid_argument("neighbours must be at least 1 and below test_points");
  if (plot_points < 1 || track_points < 1 || images < 1 || side < 2)
    throw std::invalid_argument(
        "plot_points, track_points and images must be at least 1, grid at least 2");

  const std::vector<std::string> keep = {"checkpoint.keep_epoch_weights=true"};
  context.progress("training the autoencoder");
  TrainedAutoencoder ae =
      train_autoencoder(context.dir() / "autoencoder", settings, "autoencoder", keep);
  context.progress("training the VAE");
  std::vector<std::string> vae_sets = keep;
  vae_sets.push_back("autoencoder.beta=" + number_text(p.number("beta")));
  TrainedAutoencoder vae = train_autoencoder(context.dir() / "vae", settings, "vae", vae_sets);

  const Dataset test = load_split(ae.run, "test");
  const Tensor inputs = first_rows(test, test_points);
  const int64_t n = inputs.size(0);
  if (n <= k) throw std::invalid_argument("the test set has too few images for neighbours");
  std::vector<int> labels;
  for (int64_t i = 0; i < n; ++i) labels.push_back(static_cast<int>(test.targets.data()[i]));

  context.progress("measuring the codes of every epoch");
  const Tensor tracked = first_rows(test, track_points);
  const std::vector<CodeMoments> ae_epochs = moments_per_epoch(ae.run, tracked),
                                 vae_epochs = moments_per_epoch(vae.run, tracked);

  context.progress("measuring the code planes");
  const Codes ae_codes = encode_all(ae.run, inputs), vae_codes = encode_all(vae.run, inputs);
  const std::vector<double> ae_code = doubles(ae_codes.code), mu = doubles(vae_codes.code),
                            logvar = doubles(vae_codes.logvar);
  const Separation ae_sep = separation_of(ae_code, labels, k),
                   vae_sep = separation_of(mu, labels, k);
  const CodeMoments ae_m = code_moments(ae_codes), vae_m = code_moments(vae_codes);

  std::vector<std::vector<double>> rows;
  for (int64_t i = 0; i < n; ++i) {
    const size_t a = static_cast<size_t>(2 * i), b = a + 1;
    rows.push_back({static_cast<double>(labels[static_cast<size_t>(i)]), ae_code[a], ae_code[b],
                    mu[a], mu[b], logvar[a], logvar[b]});
  }
  context.write_csv(
      "codes.csv",
      {"label", "ae_code_0", "ae_code_1", "vae_mu_0", "vae_mu_1", "vae_logvar_0", "vae_logvar_1"},
      rows);
  rows.clear();
  // Series 0-1: the autoencoder's units, 2-3: the VAE's, 4: the prior's value.
  std::vector<plot::Series> units =
      lines({"autoencoder, code 0", "autoencoder, code 1", "VAE, code 0", "VAE, code 1",
             "the prior's (and a stationary VAE's): 1"});
  for (size_t e = 0; e < std::min(ae_epochs.size(), vae_epochs.size()); ++e) {
    const CodeMoments &a = ae_epochs[e], &v = vae_epochs[e];
    rows.push_back({static_cast<double>(e), a.mean_norm, a.second_moments[0], a.second_moments[1],
                    a.prior_kl, v.mean_norm, v.second_moments[0], v.second_moments[1], v.prior_kl});
    for (size_t j = 0; j < 2; ++j) {
      units[j].x.push_back(static_cast<double>(e));
      units[j].y.push_back(a.second_moments[j]);
      units[2 + j].x.push_back(static_cast<double>(e));
      units[2 + j].y.push_back(v.second_moments[j]);
    }
  }
  context.write_csv(
      "moments.csv",
      {"epoch", "ae_mean_norm", "ae_second_moment_0", "ae_second_moment_1", "ae_prior_kl",
       "vae_mean_norm", "vae_second_moment_0", "vae_second_moment_1", "vae_prior_kl"},
      rows);
  units[4].x = {0, static_cast<double>(rows.size() - 1)};
  units[4].y = {1, 1};

  const double ae_mse = ae.outcome.test.terms.at("mse"), vae_mse = vae.outcome.test.terms.at("mse");
  const double baseline_mse = mean_image_mse(test.dense_inputs());
  const double chance = 1.0 / static_cast<double>(std::max<int64_t>(test.num_classes, 1));

  plot::Scatter ae_plane = code_plane(ae.run, test, plot_points, "autoencoder_");
  ae_plane.title =
      "autoencoder: the codes of " + std::to_string(ae_plane.x.size()) + " test images";
  plot::Scatter vae_plane = code_plane(vae.run, test, plot_points, "vae_");
  vae_plane.title =
      "VAE: the code means mu of " + std::to_string(vae_plane.x.size()) + " test images";
  char text[600];
  std::snprintf(text, sizeof text,
                "Each test image's 2-unit code, coloured by its class. %lld-NN accuracy of the "
                "codes of %lld test images (each classified by its nearest other codes; chance "
                "%.2g): autoencoder %.3f, VAE %.3f.",
                static_cast<long long>(k), static_cast<long long>(n), chance, ae_sep.knn,
                vae_sep.knn);
  context.add_text("The code planes", text);
  context.add_figure(ae_plane);
  context.add_figure(vae_plane);

  plot::LineChart moments;
  moments.id = "second_moments";
  moments.title = "E[z_j^2] of each code unit over the test images, per epoch";
  moments.x_title = "epoch";
  moments.y_title = "E[z_j^2]";
  moments.log_y = true;
  moments.series = units;
  std::snprintf(text, sizeof text,
                "The second moment of each code unit over the first %lld test images (the VAE's "
                "z ~ q(z|x): E[mu_j^2] + E[sigma_j^2]). Scaling a VAE's code unit by c and its "
                "decoder's input weights by 1/c leaves the reconstruction as it is and changes "
                "the KL term by (c^2 E[z_j^2] - 1 - 2 ln c) / 2, which is smallest at "
                "c^2 E[z_j^2] = 1: training pulls every unit's E[z_j^2] towards 1. Nothing "
                "pulls the autoencoder's.",
                static_cast<long long>(tracked.size(0)));
  context.add_text("How the codes spread", text);
  context.add_figure(moments);

  plot::ImageGrid rebuilt = reconstruction_grid(ae.run, test, images, "");
  const Tensor shown = first_rows(test, images);
  const plot::ImageGrid vae_rebuilt =
      sample_grid(vae.run, reconstruct_values(vae.run, shown), images, "vae_reconstructions", "");
  rebuilt.images.insert(rebuilt.images.end(), vae_rebuilt.images.begin(), vae_rebuilt.images.end());
  rebuilt.title = "Test images and their reconstructions through a 2-unit code";
  rebuilt.row_titles = {"test image", "autoencoder", "VAE (from mu)"};
  std::snprintf(text, sizeof text,
                "Two numbers per image keep the shape and the brightness, not the details. Test "
                "reconstruction MSE: autoencoder %.4f, VAE %.4f (the mean image: %.4f).",
                ae_mse, vae_mse, baseline_mse);
  context.add_text("Reconstructions", text);
  context.add_figure(rebuilt);

  plot::ImageGrid manifold = manifold_grid(vae.run, side, "vae_");
  plot::ImageGrid ae_grid = sample_grid(
      ae.run, decode_values(ae.run, quantile_grid(ae_code, side)), side, "autoencoder_grid",
      "autoencoder: decoded codes over a " + std::to_string(side) + " x " + std::to_string(side) +
          " grid at its test codes' quantiles");
  ae_grid.scale = manifold.scale;
  context.add_text("The decoded planes",
                   "The VAE's decoder over a grid at the prior's quantiles, and the "
                   "autoencoder's over a grid at the quantiles of its own test codes (each "
                   "coordinate's (i + 0.5) / side quantile).");
  context.add_figure(manifold);
  context.add_figure(ae_grid);

  Outcome outcome;
  outcome.headline = {{"ae_test_mse", ae_mse},
                      {"vae_test_mse", vae_mse},
                      {"mean_image_mse", baseline_mse},
                      {"vae_test_elbo", vae.outcome.test.terms.at("elbo")},
                      {"chance_accuracy", chance},
                      {"ae_knn_accuracy", ae_sep.knn},
                      {"vae_knn_accuracy", vae_sep.knn},
                      {"ae_between_within", ae_sep.ratio},
                      {"vae_between_within", vae_sep.ratio},
                      {"ae_code_mean_norm", ae_m.mean_norm},
                      {"ae_code_second_moments", array_of(ae_m.second_moments)},
                      {"ae_code_cov_eigenvalues", array_of(ae_m.eigenvalues)},
                      {"vae_code_mean_norm", vae_m.mean_norm},
                      {"vae_code_second_moments", array_of(vae_m.second_moments)},
                      {"vae_code_cov_eigenvalues", array_of(vae_m.eigenvalues)},
                      {"ae_code_prior_kl", ae_m.prior_kl},
                      {"vae_code_prior_kl", vae_m.prior_kl},
                      {"vae_prior_kl_epoch_1", vae_epochs.at(1).prior_kl},
                      {"doubled_variance_kl", doubled_variance_kl(2)}};
  std::snprintf(
      text, sizeof text,
      "%lld-NN accuracy of the test codes %.3f (autoencoder) and %.3f (VAE), chance %.2g; the "
      "VAE's codes (its aggregate posterior) have mean norm %.3f and E[z_j^2] %.3g, %.3g "
      "(covariance eigenvalues %.3g, %.3g): a Gaussian fitted to them is %.3g nats from "
      "N(0, I) (N(0, 2I) is %.3g); the autoencoder's codes, unconstrained, mean norm %.3g, "
      "E[z_j^2] %.3g, %.3g, %.3g nats; test reconstruction MSE %.4f and %.4f (the mean image's "
      "%.4f)",
      static_cast<long long>(k), ae_sep.knn, vae_sep.knn, chance, vae_m.mean_norm,
      vae_m.second_moments[0], vae_m.second_moments[1], vae_m.eigenvalues[0], vae_m.eigenvalues[1],
      vae_m.prior_kl, doubled_variance_kl(2), ae_m.mean_norm, ae_m.second_moments[0],
      ae_m.second_moments[1], ae_m.prior_kl, ae_mse, vae_mse, baseline_mse);
  outcome.measured = text;
  // Both planes keep the classes apart (k-NN at least 5 times chance), and the VAE's codes are
  // close to its prior: closer, in KL, than N(0, 2I) is.
  const bool separate = std::min(ae_sep.knn, vae_sep.knn) >= 5 * chance;
  outcome.agrees = separate && vae_m.prior_kl <= doubled_variance_kl(2);
  return outcome;
}

}  // namespace

Experiment autoencoder_codes_experiment() {
  using K = Param::Kind;
  return {
      "autoencoder-codes",
      "the 2-D code planes of an autoencoder and of a VAE on Fashion-MNIST, by class",
      "an undercomplete code keeps the data's main factors of variation, so classes "
      "gather in a 2-unit code plane; a VAE's codes z ~ N(mu, sigma^2) are pulled towards "
      "the prior N(0, I) (mean about 0, covariance about I), so nearby codes decode to "
      "similar images, while a plain autoencoder's codes are not constrained",
      {{"data_dir", K::Text, Config{}.data.dir, Config{}.data.dir, "the Fashion-MNIST directory"},
       {"train_size", K::Integer, "20000", "2000", "training images (a seeded subset)"},
       {"epochs", K::Integer, "20", "5", "epochs of each model"},
       {"batch_size", K::Integer, "128", "64", "minibatch size"},
       {"hidden", K::Integer, "256", "128", "hidden ReLU units either side of the code"},
       {"lr", K::Number, "0.003", "0.003", "Adam's learning rate"},
       {"beta", K::Number, "1", "1", "the VAE's KL weight"},
       {"test_points", K::Integer, "10000", "2000", "test images measured (the first ones)"},
       {"plot_points", K::Integer, "2000", "1000", "test images drawn on each code plane"},
       {"track_points", K::Integer, "2000", "500",
        "test images whose codes are measured after every epoch"},
       {"neighbours", K::Integer, "5", "5", "k of the k-NN accuracy"},
       {"grid", K::Integer, "15", "8", "side of the decoded grids"},
       {"images", K::Integer, "10", "8", "test images reconstructed"}},
      run};
}

}  // namespace descent::experiments
