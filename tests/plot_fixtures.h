#pragma once
// Helpers for the figure tests: small figures of every kind, and lookups by name in a Vega spec.
#include <cmath>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "descent/plot/figure.h"

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

}  // namespace plot_test
