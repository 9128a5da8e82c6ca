#pragma once
// Helpers for the figure tests: small figures of every kind, and lookups by name in a Vega spec.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "descent/plot/figure.h"
#include "descent/plot/page.h"

namespace plot_test {

using nlohmann::json;
namespace plot = descent::plot;

// The element of spec[key] (data, signals, scales, marks...) named `name`, searching group marks
// too; null when there is none.
inline const json* find_named(const json& spec, const std::string& key, const std::string& name) {
  if (spec.contains(key))
    for (const json& item : spec[key])
      if (item.value("name", "") == name) return &item;
  if (spec.contains("marks"))
    for (const json& mark : spec["marks"])
      if (mark.value("type", "") == "group")
        if (const json* found = find_named(mark, key, name)) return found;
  return nullptr;
}

inline const json& named(const json& spec, const std::string& key, const std::string& name) {
  const json* found = find_named(spec, key, name);
  if (!found) throw std::runtime_error("no " + key + " named " + name);
  return *found;
}

// Whether scripts/setup installed Vega: figures render with its module build, pages inline its
// minified one.
inline bool have_vega(const char* build_file = "vega.module.js") {
  return std::filesystem::exists(plot::node_modules_dir() / "vega" / "build" / build_file);
}

// The names of the files in `dir`, sorted.
inline std::vector<std::string> files_in(const std::filesystem::path& dir) {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

inline std::vector<double> range_values(double start, double step, size_t n) {
  std::vector<double> v;
  for (size_t i = 0; i < n; ++i) v.push_back(start + step * static_cast<double>(i));
  return v;
}

// Two series (one smoothed with a band, one plain), a faint per-seed line, a rule and a span.
inline plot::LineChart sample_line_chart(const std::string& id = "loss") {
  plot::LineChart c;
  c.id = id;
  c.title = "training loss";
  c.x_title = "epoch";
  c.y_title = "loss";
  plot::Series adam;
  adam.name = "adam";
  adam.color_key = "adam";
  adam.smooth = true;
  adam.x = range_values(1, 1, 12);
  for (double x : adam.x) adam.y.push_back(2.0 / x + 0.05 * std::sin(3 * x));
  for (double y : adam.y) {
    adam.lo.push_back(y * 0.9);
    adam.hi.push_back(y * 1.1);
  }
  plot::Series sgd;
  sgd.name = "sgd";
  sgd.color_key = "sgd";
  sgd.x = range_values(1, 1, 8);
  for (double x : sgd.x) sgd.y.push_back(3.0 / x);
  plot::Series seed;
  seed.name = "adam (seed 2)";
  seed.color_key = "adam";
  seed.faint = true;
  seed.x = range_values(1, 1, 12);
  for (double x : seed.x) seed.y.push_back(2.2 / x);
  c.series = {adam, sgd, seed};
  c.rules = {{6, "best epoch"}};
  c.spans = {{6, 9, "patience"}};
  return c;
}

// z = x on a grid over [0, 1] x [0, 2], linear levels, two paths and one known point.
inline plot::ContourPlot sample_contour(int64_t nx = 11, int64_t ny = 5) {
  plot::ContourPlot p;
  p.id = "surface";
  p.title = "z = x";
  p.x_min = 0;
  p.x_max = 1;
  p.y_min = 0;
  p.y_max = 2;
  p.nx = nx;
  p.ny = ny;
  for (int64_t j = 0; j < ny; ++j)
    for (int64_t i = 0; i < nx; ++i)
      p.z.push_back(static_cast<double>(i) / static_cast<double>(nx - 1) + 0.001 * j);
  p.levels = 4;
  plot::Path a;
  a.name = "sgd:lr=0.1";
  a.color_key = "sgd";
  a.x = {0.9, 0.7, 0.5, 0.3};
  a.y = {1.0, 1.1, 1.2, 1.3};
  a.loss = {0.9, 0.7, 0.5, 0.3};
  a.lr = {0.1, 0.1, 0.1, 0.1};
  plot::Path b;
  b.name = "adam";
  b.x = {0.9, 0.8};
  b.y = {1.0, 0.5};
  b.loss = {0.9, 0.8};
  b.lr = {0.01, 0.01};
  p.paths = {a, b};
  p.points = {{0, 1, "edge"}};
  return p;
}

// Final loss over learning rate (numbers, log-spaced) x batch size (names): 4 x 3 cells, log
// colours, values in the cells, and one diverged run (NaN) at lr 1, batch size 32.
inline plot::Heatmap sample_heatmap() {
  plot::Heatmap m;
  m.id = "sweep";
  m.title = "final loss";
  m.x.title = "learning rate";
  m.x.values = {1e-3, 1e-2, 0.1, 1};
  m.y.title = "batch size";
  m.y.categories = {"32", "128", "512"};
  m.value_title = "loss";
  m.values = {0.9, 0.4, 0.2,  std::nan(""),  // batch size 32
              1.2, 0.5, 0.25, 0.6,           // 128
              1.8, 0.8, 0.3,  0.35};         // 512
  m.log_color = true;
  m.cell_text = true;
  m.missing_label = "diverged";
  m.width = 320;
  return m;
}

// A w x h grey image whose pixel (x, y) is (x + y) / (w + h - 2), in [0, 1].
inline plot::Image ramp_image(int64_t w, int64_t h, const std::string& caption = "") {
  plot::Image im;
  im.width = w;
  im.height = h;
  for (int64_t y = 0; y < h; ++y)
    for (int64_t x = 0; x < w; ++x)
      im.values.push_back(static_cast<float>(x + y) / static_cast<float>(w + h - 2));
  im.caption = caption;
  return im;
}

// Two rows of three 6 x 4 images ("input" above "reconstruction"), captioned.
inline plot::ImageGrid sample_image_grid() {
  plot::ImageGrid g;
  g.id = "recon";
  g.title = "reconstructions";
  g.columns = 3;
  for (int k = 0; k < 6; ++k)
    g.images.push_back(ramp_image(6, 4, "class " + std::to_string(k % 3)));
  g.row_titles = {"input", "reconstruction"};
  g.scale = 4;
  return g;
}

// n points on ten spirals (categories 0..9, named), each with a label.
inline plot::Scatter sample_scatter(size_t n = 40) {
  plot::Scatter s;
  s.id = "codes";
  s.title = "2-D codes";
  s.x_title = "z1";
  s.y_title = "z2";
  for (int c = 0; c < 10; ++c) s.category_names.push_back("class " + std::to_string(c));
  for (size_t k = 0; k < n; ++k) {
    const int c = static_cast<int>(k % 10);
    const double r = 0.2 + static_cast<double>(k) / static_cast<double>(n);
    const double a = 0.628 * c + 3 * r;
    s.x.push_back(r * std::cos(a));
    s.y.push_back(r * std::sin(a));
    s.category.push_back(c);
    s.labels.push_back("test image " + std::to_string(k));
  }
  return s;
}

}  // namespace plot_test
