// What `descent optimize` and `descent schedule` compute, as numpy arrays: optimizer paths over a
// 2-D test function and a schedule's values step by step.
#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <pybind11/numpy.h>
#include <pybind11/stl.h>
#include <nlohmann/json.hpp>

#include "descent/functions/optimizer_path.h"
#include "descent/functions/test_functions.h"
#include "descent/plot/export.h"
#include "descent/plot/optimizer_race.h"
#include "descent/schedule/trace.h"
#include "python/bindings.h"

namespace descent_python {
namespace {

py::array_t<double> to_array(const std::vector<double>& values) {
  return py::array_t<double>(static_cast<py::ssize_t>(values.size()), values.data());
}

// spec -> {"xy": [steps + 1, 2], "loss", "grad_norm", "lr": [steps + 1], "diverged": bool}.
py::dict optimize(const std::string& function, const std::vector<std::string>& optimizers,
                  int64_t steps, const std::optional<std::pair<double, double>>& start,
                  double gradient_noise, double clip_norm, uint64_t seed) {
  if (steps < 1) throw std::invalid_argument("steps=" + std::to_string(steps) + ": expected >= 1");
  const descent::TestFunction fn = descent::make_test_function(function);
  const auto [x0, y0] = start.value_or(std::make_pair(fn.start_x, fn.start_y));
  descent::PathOptions options;
  options.steps = steps;
  options.gradient_noise = gradient_noise;
  options.clip_norm = clip_norm;
  std::vector<std::pair<std::string, descent::OptimizerPath>> paths;
  {
    py::gil_scoped_release release;
    for (const std::string& spec : optimizers) {
      descent::Generator rng(seed);
      paths.emplace_back(spec, descent::optimizer_path(fn, spec, x0, y0, options, rng));
    }
  }
  py::dict out;
  for (const auto& [spec, path] : paths) {
    py::array_t<double> xy({static_cast<py::ssize_t>(path.x.size()), py::ssize_t{2}});
    auto view = xy.mutable_unchecked<2>();
    for (size_t s = 0; s < path.x.size(); ++s) {
      view(s, 0) = path.x[s];
      view(s, 1) = path.y[s];
    }
    py::dict d;
    d["xy"] = xy;
    d["loss"] = to_array(path.loss);
    d["grad_norm"] = to_array(path.grad_norm);
    d["lr"] = to_array(path.lr);
    d["diverged"] = path.diverged;
    out[py::str(spec)] = d;
  }
  return out;
}

py::tuple schedule(const std::string& spec, double lr, int64_t steps,
                   const std::vector<double>& metrics) {
  if (steps < 1) throw std::invalid_argument("steps=" + std::to_string(steps) + ": expected >= 1");
  const descent::ScheduleTrace trace = descent::trace_schedule(spec, lr, steps, metrics);
  return py::make_tuple(to_array(trace.lr), trace.momentum_key, to_array(trace.momentum));
}

py::list function_listing() {
  py::list out;
  for (const std::string& name : descent::test_function_names()) {
    const descent::TestFunction fn = descent::make_test_function(name);
    py::dict d;
    d["name"] = fn.name;
    d["formula"] = fn.formula;
    d["start"] = py::make_tuple(fn.start_x, fn.start_y);
    d["window"] =
        py::make_tuple(fn.domain.x_min, fn.domain.x_max, fn.domain.y_min, fn.domain.y_max);
    py::list minima;
    for (const auto& p : fn.known_points)
      if (p.kind == "global minimum") minima.append(py::make_tuple(p.x, p.y, p.value));
    d["minima"] = minima;
    out.append(d);
  }
  return out;
}

// The function's values at points (x[i], y[i]), for contour plots: arrays of one shape.
py::array_t<float> evaluate(const std::string& function, const py::array_t<float>& x,
                            const py::array_t<float>& y) {
  if (x.size() != y.size())
    throw std::invalid_argument("evaluate(): x and y must have the same number of points");
  const descent::TestFunction fn = descent::make_test_function(function);
  const auto n = static_cast<int64_t>(x.size());
  const auto cx = py::array_t<float, py::array::c_style | py::array::forcecast>::ensure(x);
  const auto cy = py::array_t<float, py::array::c_style | py::array::forcecast>::ensure(y);
  const descent::Tensor tx = descent::Tensor::from({n}, {cx.data(), static_cast<size_t>(n)});
  const descent::Tensor ty = descent::Tensor::from({n}, {cy.data(), static_cast<size_t>(n)});
  const descent::Tensor f = fn(tx, ty);
  py::array_t<float> out(std::vector<py::ssize_t>(x.shape(), x.shape() + x.ndim()));
  std::copy(f.data(), f.data() + n, out.mutable_data());
  return out;
}

// Draws paths as `descent optimize --plot` does. paths: (spec, xy [n, 2], loss, grad_norm, lr).
void plot_paths(const std::string& function, const py::list& paths, double x0, double y0,
                int64_t grid, const std::string& file, const std::string& call) {
  descent::plot::check_figure_tools(file);
  const descent::TestFunction fn = descent::make_test_function(function);
  std::vector<descent::plot::RacePath> race;
  nlohmann::json specs = nlohmann::json::array();
  for (const auto& item : paths) {
    const auto t = item.cast<py::tuple>();
    descent::plot::RacePath p;
    p.spec = t[0].cast<std::string>();
    const auto xy = t[1].cast<py::array_t<double, py::array::c_style | py::array::forcecast>>();
    if (xy.ndim() != 2 || xy.shape(1) != 2)
      throw std::invalid_argument("plot_paths: " + p.spec + ": xy must have shape [n, 2]");
    for (py::ssize_t s = 0; s < xy.shape(0); ++s) {
      p.x.push_back(static_cast<float>(xy.at(s, 0)));
      p.y.push_back(static_cast<float>(xy.at(s, 1)));
    }
    for (double v : t[2].cast<std::vector<double>>()) p.loss.push_back(static_cast<float>(v));
    p.grad_norm = t[3].cast<std::vector<double>>();
    p.lr = t[4].cast<std::vector<double>>();
    const size_t n = p.x.size();
    if (p.loss.size() != n || p.grad_norm.size() != n || p.lr.size() != n)
      throw std::invalid_argument("plot_paths: " + p.spec +
                                  ": xy, loss, grad_norm and lr must have one row per step");
    specs.push_back(p.spec);
    race.push_back(std::move(p));
  }
  const nlohmann::json provenance = {
      {"command", call},
      {"seed", nullptr},
      {"config",
       {{"function", fn.name}, {"optimizers", specs}, {"start", {x0, y0}}, {"grid", grid}}},
      {"note", "drawn by the Python module descent (descent.plot_paths)"}};
  py::gil_scoped_release release;
  descent::plot::write_optimizer_race(fn, race, x0, y0, grid, file, provenance,
                                      "descent.plot_paths: " + fn.name);
}

}  // namespace

void bind_paths(py::module_& m) {
  m.def("optimize", &optimize, py::arg("function"), py::arg("optimizers"), py::arg("steps"),
        py::arg("start"), py::arg("gradient_noise"), py::arg("clip_norm"), py::arg("seed"));
  m.def("schedule", &schedule, py::arg("spec"), py::arg("lr"), py::arg("steps"),
        py::arg("metrics"));
  m.def("functions", &function_listing);
  m.def("evaluate", &evaluate, py::arg("function"), py::arg("x"), py::arg("y"));
  m.def("plot_paths", &plot_paths, py::arg("function"), py::arg("paths"), py::arg("x0"),
        py::arg("y0"), py::arg("grid"), py::arg("file"), py::arg("call"));
}

}  // namespace descent_python
