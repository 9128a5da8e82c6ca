// Draws the pictures of the heatmap, image grid and scatter sections of docs/figures.md from
// real numbers, and times the 10,000-point scatter:
//
//   figure_kinds_docs OUT_DIR [FASHION_MNIST_DIR (/usr/share/datasets/fashion-mnist)]
//
// writes OUT_DIR/figures-heatmap.png (SGD on Rosenbrock: loss after 200 steps over learning rate
// x momentum, diverged runs missing), figures-image-grid.png (Fashion-MNIST test images, noisy
// copies and their class means) and figures-scatter.png (400 test images on the first two
// principal components of all 10,000, by class), each with its .json; prints the sizes and times
// of the scatter of all 10,000.
#include <chrono>
#include <cmath>
#include <iostream>
#include <random>

#include "descent/data/fashion_mnist.h"
#include "descent/functions/test_functions.h"
#include "descent/optim/registry.h"
#include "descent/plot/export.h"
#include "descent/plot/numbers.h"
#include "descent/plot/page.h"

namespace {

namespace plot = descent::plot;
using Clock = std::chrono::steady_clock;

const std::vector<std::string> kClasses = {"T-shirt/top", "Trouser",   "Pullover", "Dress",
                                           "Coat",        "Sandal",    "Shirt",    "Sneaker",
                                           "Bag",         "Ankle boot"};

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// The loss after `steps` steps of the optimizer SPEC from Rosenbrock's classic start; NaN when
// the run diverged.
double final_loss(const std::string& spec, int steps) {
  const descent::TestFunction fn = descent::make_test_function("rosenbrock");
  descent::Tensor p =
      descent::Tensor::from({2}, {static_cast<float>(fn.start_x), static_cast<float>(fn.start_y)});
  p.requires_grad_();
  auto opt = descent::make_optimizer(spec, {p});
  const descent::Closure closure = [&] {
    opt->zero_grad();
    descent::Tensor loss = fn.at(p);
    loss.backward();
    return loss.item();
  };
  for (int s = 0; s < steps; ++s) opt->step(closure);
  const double loss = fn.at(p).item();
  return std::isfinite(loss) && loss < 1e6 ? loss : std::nan("");
}

plot::Heatmap sweep_heatmap() {
  plot::Heatmap m;
  m.id = "sweep";
  m.title = "SGD on Rosenbrock: loss after 200 steps";
  m.x.title = "learning rate";
  m.x.values = {1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3};
  m.y.title = "momentum";
  m.y.values = {0, 0.5, 0.9, 0.95, 0.99};
  m.value_title = "loss";
  m.log_color = true;
  m.cell_text = true;
  m.missing_label = "diverged";
  m.width = 420;
  m.height = 260;
  for (double momentum : m.y.values)
    for (double lr : m.x.values)
      m.values.push_back(final_loss(
          "sgd:lr=" + std::to_string(lr) + ",momentum=" + std::to_string(momentum), 200));
  return m;
}

plot::Image image_of(const float* pixels, const std::string& caption = "") {
  plot::Image im;
  im.width = 28;
  im.height = 28;
  im.values.assign(pixels, pixels + 784);
  im.caption = caption;
  return im;
}

plot::ImageGrid image_grid(const descent::Dataset& test) {
  const int64_t n = test.size();
  const descent::Tensor inputs = test.dense_inputs();
  const float* x = inputs.data();
  const float* y = test.targets.data();
  // The mean image of each class, and the first test image of classes 0..7.
  std::vector<std::vector<float>> means(10, std::vector<float>(784, 0));
  std::vector<int64_t> counts(10, 0), first(10, -1);
  for (int64_t i = 0; i < n; ++i) {
    const int c = static_cast<int>(y[i]);
    ++counts[c];
    if (first[c] < 0) first[c] = i;
    for (int k = 0; k < 784; ++k) means[c][k] += x[i * 784 + k];
  }
  plot::ImageGrid g;
  g.id = "fashion";
  g.title = "Fashion-MNIST test images";
  g.columns = 8;
  g.row_titles = {"image", "noisy (sigma 0.3)", "class mean"};
  std::mt19937 gen(0);
  std::normal_distribution<float> noise(0, 0.3f);
  for (int c = 0; c < 8; ++c) g.images.push_back(image_of(x + first[c] * 784, kClasses[c]));
  for (int c = 0; c < 8; ++c) {
    plot::Image im = image_of(x + first[c] * 784);
    for (float& v : im.values) v += noise(gen);  // drawn clamped to [0, 1]
    g.images.push_back(im);
  }
  for (int c = 0; c < 8; ++c) {
    for (float& v : means[c]) v /= static_cast<float>(counts[c]);
    g.images.push_back(image_of(means[c].data()));
  }
  return g;
}

// The first two principal components of the rows of x (n x d), by power iteration on the
// covariance (applied as X^T (X v), never formed), the second kept orthogonal to the first.
std::vector<std::vector<double>> principal_components(const std::vector<double>& x, int64_t n,
                                                      int64_t d) {
  std::vector<std::vector<double>> out;
  std::mt19937 gen(1);
  std::normal_distribution<double> start(0, 1);
  for (int k = 0; k < 2; ++k) {
    std::vector<double> v(d), xv(n);
    for (double& e : v) e = start(gen);
    for (int it = 0; it < 60; ++it) {
      for (const auto& u : out) {  // deflate
        double dot = 0;
        for (int64_t j = 0; j < d; ++j) dot += u[j] * v[j];
        for (int64_t j = 0; j < d; ++j) v[j] -= dot * u[j];
      }
      double norm = 0;
      for (double e : v) norm += e * e;
      for (double& e : v) e /= std::sqrt(norm);
      for (int64_t i = 0; i < n; ++i) {
        double s = 0;
        for (int64_t j = 0; j < d; ++j) s += x[i * d + j] * v[j];
        xv[i] = s;
      }
      std::fill(v.begin(), v.end(), 0.0);
      for (int64_t i = 0; i < n; ++i)
        for (int64_t j = 0; j < d; ++j) v[j] += x[i * d + j] * xv[i];
    }
    double norm = 0;
    for (double e : v) norm += e * e;
    for (double& e : v) e /= std::sqrt(norm);
    out.push_back(v);
  }
  return out;
}

plot::Scatter pca_scatter(const descent::Dataset& test) {
  const int64_t n = test.size(), d = 784;
  const descent::Tensor inputs = test.dense_inputs();
  const float* x = inputs.data();
  std::vector<double> centred(x, x + n * d), mean(d, 0);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < d; ++j) mean[j] += centred[i * d + j] / static_cast<double>(n);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < d; ++j) centred[i * d + j] -= mean[j];
  const auto pcs = principal_components(centred, n, d);
  plot::Scatter s;
  s.id = "pca";
  s.title = "Fashion-MNIST test set on its first two principal components";
  s.x_title = "component 1";
  s.y_title = "component 2";
  s.category_names = kClasses;
  for (int64_t i = 0; i < n; ++i) {
    double a = 0, b = 0;
    for (int64_t j = 0; j < d; ++j) {
      a += centred[i * d + j] * pcs[0][j];
      b += centred[i * d + j] * pcs[1][j];
    }
    s.x.push_back(descent::plot::float_decimal(static_cast<float>(a)));
    s.y.push_back(descent::plot::float_decimal(static_cast<float>(b)));
    s.category.push_back(static_cast<int>(test.targets.data()[i]));
    s.labels.push_back("test image " + std::to_string(i));
  }
  s.width = 460;
  s.height = 400;
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: figure_kinds_docs OUT_DIR [FASHION_MNIST_DIR]\n";
    return 2;
  }
  const std::filesystem::path out = argv[1];
  const std::string data_dir = argc > 2 ? argv[2] : "/usr/share/datasets/fashion-mnist";
  const nlohmann::json provenance = {{"command", "figure_kinds_docs"}};
  try {
    plot::write_figure(sweep_heatmap(), out / "figures-heatmap.png", provenance);
    const descent::ImageClassificationData data = descent::load_fashion_mnist(data_dir);
    plot::write_figure(image_grid(data.test), out / "figures-image-grid.png", provenance);

    const plot::Scatter s = pca_scatter(data.test);
    Clock::time_point t = Clock::now();
    plot::SpecOptions static_options;
    static_options.interactive = false;
    const nlohmann::json spec = plot::vega_spec(s, static_options);
    const double spec_s = seconds_since(t);
    const size_t spec_bytes = spec.dump().size();
    const size_t page_spec_bytes = plot::vega_spec(s).dump().size();
    t = Clock::now();
    const std::string svg = plot::render_svg(spec);
    const double svg_s = seconds_since(t);
    t = Clock::now();
    plot::write_figure(s, out / "scatter-10000.png", provenance);
    const double png_s = seconds_since(t);
    std::filesystem::remove(out / "scatter-10000.png");
    std::filesystem::remove(out / "scatter-10000.json");
    // The picture in the docs: the first 400 points (all 10,000 make a PNG of 600 KB).
    plot::Scatter picture = s;
    for (auto* v : {&picture.x, &picture.y}) v->resize(400);
    picture.category.resize(400);
    picture.labels.resize(400);
    picture.title = "400 test images on the first two principal components";
    picture.width = 380;
    picture.height = 320;
    plot::write_figure(picture, out / "figures-scatter.png", provenance);
    t = Clock::now();
    plot::Page page;
    page.blocks = {plot::Figure(s)};
    const size_t html_bytes = plot::html(page).size();
    const double html_s = seconds_since(t);
    std::cout << "scatter of " << s.x.size() << " points:\n"
              << "  spec (static) " << spec_bytes << " bytes in " << spec_s << " s; with hover "
              << page_spec_bytes << " bytes\n"
              << "  page " << html_bytes << " bytes in " << html_s << " s\n"
              << "  SVG through Node " << svg.size() << " bytes in " << svg_s << " s\n"
              << "  PNG (spec, Node, rsvg-convert, files) in " << png_s << " s\n";
  } catch (const std::exception& e) {
    std::cerr << "figure_kinds_docs: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
