// activations: every activation of the table (ops/activation_table.cpp) and its derivative, drawn,
// with the derivative checked against a central difference and against the autodiff tape.
//
// The facts the notes draw from these curves: sigmoid' = s (1 - s) is at most 1/4 (at 0) and
// tanh' = 1 - tanh^2 at most 1 (at 0), both vanishing for large |x| (saturation, the vanishing
// gradient of deep sigmoid networks); ReLU's derivative is 0 or 1 and never saturates for x > 0;
// ELU, leaky ReLU and softplus keep a non-zero slope (or a smooth one) on the left.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "descent/experiments/experiment.h"
#include "descent/ops/activation.h"
#include "descent/ops/ops.h"
#include "descent/plot/palette.h"

namespace descent::experiments {
namespace {

Outcome run(Context& context) {
  const Params& p = context.params();
  const double range = p.number("range"), h = p.number("h"), saturated = p.number("saturated");
  const int64_t points = p.integer("points");
  if (!(range > 0) || !(h > 0) || !(saturated > 0) || points < 2 || points % 2 != 0)
    throw std::invalid_argument("range, h and saturated must be > 0, points an even number >= 2");
  // Cell centres: an even count keeps every point at least range / points away from 0, where
  // ReLU and leaky ReLU have their kink, so the central difference never straddles it when
  // h < range / points.
  if (h >= range / static_cast<double>(points))
    throw std::invalid_argument("h: expected less than range / points = " +
                                number_text(range / static_cast<double>(points)));
  std::vector<double> xs;
  for (int64_t i = 0; i < points; ++i)
    xs.push_back(-range + 2 * range * (static_cast<double>(i) + 0.5) / static_cast<double>(points));

  plot::LineChart f_chart, df_chart;
  f_chart.id = "f";
  f_chart.title = "activations f(x) (default arguments)";
  f_chart.x_title = "x";
  f_chart.y_title = "f(x)";
  df_chart.id = "df";
  df_chart.title = "their derivatives f'(x)";
  df_chart.x_title = "x";
  df_chart.y_title = "f'(x)";
  f_chart.height = df_chart.height = 300;

  std::vector<std::string> header = {"x"};
  std::vector<std::vector<double>> rows(xs.size());
  for (size_t i = 0; i < xs.size(); ++i) rows[i].push_back(xs[i]);
  nlohmann::json per = nlohmann::json::object();
  bool derivatives_agree = true;
  double worst_difference = 0, worst_tape = 0;
  std::vector<std::string> names;
  for (const ActivationEntry& entry : activation_table()) names.push_back(entry.name);
  const std::vector<std::string> colors = plot::distinct_color_keys(names);
  size_t index = 0;
  for (const ActivationEntry& entry : activation_table()) {
    const std::string& color = colors[index++];
    const ActivationArgs args = activation_args(entry, {});
    // The tape's derivative: f on the whole grid in float, backward of the sum.
    std::vector<float> xf(xs.begin(), xs.end());
    Tensor x = Tensor::from({static_cast<int64_t>(xs.size())}, xf);
    x.requires_grad_();
    sum(entry.forward(x, args)).backward();
    const std::vector<float> tape = x.grad().to_vector();
    plot::Series fs{entry.name, color, xs, {}}, dfs{entry.name, color, xs, {}};
    double max_difference = 0, max_tape = 0, max_df = -INFINITY, argmax = 0, share = 0;
    for (size_t i = 0; i < xs.size(); ++i) {
      const double y = entry.f(xs[i], args), dy = entry.df(xs[i], y, args);
      const double fd = (entry.f(xs[i] + h, args) - entry.f(xs[i] - h, args)) / (2 * h);
      max_difference = std::max(max_difference, std::fabs(dy - fd));
      max_tape = std::max(max_tape, std::fabs(dy - tape[i]) / std::max(1.0, std::fabs(dy)));
      if (dy > max_df) max_df = dy, argmax = xs[i];
      share += std::fabs(dy) < saturated;
      fs.y.push_back(y);
      dfs.y.push_back(dy);
      rows[i].push_back(y);
      rows[i].push_back(dy);
      rows[i].push_back(fd);
    }
    // The grid's centre cells straddle 0; the maximum of a smooth bump sits there exactly.
    const double at_zero = entry.df(0, entry.f(0, args), args);
    if (at_zero >= max_df) max_df = at_zero, argmax = 0;
    header.push_back(std::string(entry.name) + "_f");
    header.push_back(std::string(entry.name) + "_df");
    header.push_back(std::string(entry.name) + "_df_central_difference");
    share /= static_cast<double>(xs.size());
    per[entry.name] = {{"max_abs_df_minus_central_difference", max_difference},
                       {"max_rel_df_minus_autodiff", max_tape},
                       {"max_df", max_df},
                       {"argmax_df", argmax},
                       {"saturated_share", share}};
    worst_difference = std::max(worst_difference, max_difference);
    worst_tape = std::max(worst_tape, max_tape);
    // Central differences of f in double: error ~ h^2 f''' plus rounding ~ 1e-16 / h.
    derivatives_agree = derivatives_agree && max_difference < 1e-6 && max_tape < 1e-5;
    f_chart.series.push_back(fs);
    df_chart.series.push_back(dfs);
  }
  context.write_csv("activations.csv", header, rows);

  const nlohmann::json& sig = per["sigmoid"];
  const nlohmann::json& tanh_ = per["tanh"];
  const bool facts =
      std::fabs(sig["max_df"].get<double>() - 0.25) < 1e-12 && sig["argmax_df"] == 0.0 &&
      std::fabs(tanh_["max_df"].get<double>() - 1) < 1e-12 && tanh_["argmax_df"] == 0.0;
  context.add_text("Activations and derivatives",
                   "Each entry of the activation table with its default arguments over [-" +
                       number_text(range) + ", " + number_text(range) +
                       "]; f' from the table, checked against (f(x + h) - f(x - h)) / 2h with h "
                       "= " +
                       number_text(h) + " and against the autodiff tape.");
  context.add_figure(f_chart);
  context.add_figure(df_chart);

  Outcome outcome;
  outcome.headline = {{"activations", per},
                      {"worst_abs_df_minus_central_difference", worst_difference},
                      {"worst_rel_df_minus_autodiff", worst_tape},
                      {"sigmoid_max_df", sig["max_df"]},
                      {"tanh_max_df", tanh_["max_df"]}};
  char text[400];
  std::snprintf(text, sizeof text,
                "%zu activations: f' within %.2g of the central difference and %.2g (relative) "
                "of the tape; sigmoid' peaks at %g and tanh' at %g, both at x = 0; |sigmoid'| < "
                "%g on %.0f%% of [-%g, %g], |tanh'| on %.0f%%",
                activation_table().size(), worst_difference, worst_tape,
                sig["max_df"].get<double>(), tanh_["max_df"].get<double>(), saturated,
                100 * sig["saturated_share"].get<double>(), range, range,
                100 * tanh_["saturated_share"].get<double>());
  outcome.measured = text;
  outcome.agrees = derivatives_agree && facts;
  return outcome;
}

}  // namespace

Experiment activations_experiment() {
  using K = Param::Kind;
  return {"activations",
          "every activation and its derivative, checked against finite differences",
          "sigmoid' = s (1 - s) <= 1/4 and tanh' = 1 - tanh^2 <= 1, both largest at 0 and "
          "vanishing for large |x| (saturation); ReLU' is 0 or 1; ELU, leaky ReLU and softplus "
          "keep a slope on the left",
          {{"range", K::Number, "6", "6", "x runs over [-range, range]"},
           {"points", K::Integer, "600", "200", "grid points (even: none at the kink 0)"},
           {"h", K::Number, "1e-5", "1e-5", "the central difference's step"},
           {"saturated", K::Number, "0.005", "0.005",
            "|f'| below this counts as saturated (half leaky ReLU's slope)"}},
          run};
}

}  // namespace descent::experiments
