// The figures of `descent landscape` and the loss-landscape experiment: (a) the loss and
// accuracy along straight lines in weight space (initial -> trained weights; one run's trained
// weights -> another's), (b) the plane of two filter-normalized random directions around the
// trained weights (Li et al. 2018) as contours and heatmaps of loss and accuracy, and (c) the
// training path (per-epoch weights) projected onto its top two principal directions, over the
// loss in that plane. The measurements are app/landscape.h's; this file chooses the points and
// draws them.
#include "descent/experiments/landscape_of_runs.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <numeric>
#include <optional>
#include <stdexcept>

#include "descent/app/datasets.h"
#include "descent/app/landscape.h"
#include "descent/app/run.h"
#include "descent/app/weight_path.h"
#include "descent/io/model_weights.h"
#include "descent/nn/loss.h"
#include "descent/plot/palette.h"
#include "descent/train/callbacks/epoch_weights.h"
#include "descent/util/number_text.h"

namespace descent::experiments {
namespace {

// No two series of a chart share a colour (plot/palette.h).
void distinct_colors(plot::LineChart& chart) {
  std::vector<std::string> keys;
  for (const plot::Series& s : chart.series) keys.push_back(s.color_key);
  keys = plot::distinct_color_keys(keys);
  for (size_t k = 0; k < keys.size(); ++k) chart.series[k].color_key = keys[k];
}

namespace fs = std::filesystem;

Sequential& classifier_of(TrainedModel& run) {
  auto* model = dynamic_cast<Sequential*>(run.model.get());
  if (!model || run.config.model.kind != "classifier" || !run.data.classification() ||
      !loss_is_classification(run.config.train.loss))
    throw std::invalid_argument(run.dir.string() + ": a " + run.config.model.kind +
                                " run with loss " + run.config.train.loss +
                                "; the landscape is drawn for classifiers");
  return *model;
}

// The run's training set as it trained on it, then `count` of its examples chosen by a seeded
// permutation (kept in their order).
Dataset measured_examples(const TrainedModel& run, int64_t count, uint64_t seed) {
  Config config = run.config;
  Dataset train = load_experiment_data(config).train;
  std::vector<int64_t> order(static_cast<size_t>(train.size()));
  std::iota(order.begin(), order.end(), 0);
  Generator gen(seed + 1);
  gen.shuffle(order);
  order.resize(static_cast<size_t>(std::min(count, train.size())));
  std::sort(order.begin(), order.end());
  return train.subset(order);
}

// The weights of every epoch a run kept, in order (empty without checkpoint.keep_epoch_weights).
std::vector<Weights> epoch_weights_of(const fs::path& run_dir, Module& scratch) {
  std::vector<Weights> out;
  for (const auto& [epoch, file] : list_epoch_weights(run_dir / kEpochWeightsDir)) {
    load_weights(scratch, file);
    out.push_back(copy_weights(scratch));
  }
  return out;
}

// The grid cell (column, row) of the lowest finite value in a rows x cols grid.
std::pair<int64_t, int64_t> lowest_cell(const std::vector<double>& z, int64_t cols) {
  size_t best = 0;
  for (size_t k = 1; k < z.size(); ++k)
    if (std::isfinite(z[k]) && (!std::isfinite(z[best]) || z[k] < z[best])) best = k;
  return {static_cast<int64_t>(best) % cols, static_cast<int64_t>(best) / cols};
}

std::string percent(double share) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f%%", 100 * share);
  return text;
}

plot::Series series(const std::string& name, const std::vector<double>& x,
                    const std::vector<LandscapePoint>& points, bool accuracy) {
  plot::Series s;
  s.name = s.color_key = name;
  s.x = x;
  for (const LandscapePoint& p : points) s.y.push_back(accuracy ? p.accuracy : p.loss);
  return s;
}

}  // namespace

Outcome measure_landscape(Context& context, const LandscapeRequest& r) {
  if (r.grid < 3 || r.grid % 2 == 0)
    throw std::invalid_argument("grid = " + std::to_string(r.grid) +
                                ": expected an odd count of at least 3 (the trained point is the "
                                "centre)");
  if (r.subset < 1) throw std::invalid_argument("subset: expected at least 1 example");
  if (!(r.range > 0)) throw std::invalid_argument("range: expected a number > 0");
  if (r.line_points < 2 || r.path_grid < 3)
    throw std::invalid_argument("line_points must be at least 2 and path_grid at least 3");
  TrainedModel run = load_trained_model(r.run);
  Sequential& model = classifier_of(run);
  std::optional<TrainedModel> other;
  if (!r.run2.empty()) {
    other.emplace(load_trained_model(r.run2));
    classifier_of(*other);
  }
  const Dataset examples = measured_examples(run, r.subset, context.seed());
  const LossFunction loss =
      task_loss(run.config.train.loss, static_cast<int64_t>(run.data.classes.size()));
  LandscapeEvaluator evaluator(model, examples, loss);
  const Weights trained = copy_weights(model);
  // Another run's weights must fit this model: names and shapes.
  const Weights trained2 = other ? copy_weights(*other->model) : Weights{};
  if (other) {
    try {
      add_scaled(trained, 0, trained2);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(r.run2.string() + ": not the same model as " + r.run.string() +
                                  " (" + e.what() + ")");
    }
  }
  std::unique_ptr<Module> scratch = build_model(run.config, run.data);
  const std::vector<Weights> path = epoch_weights_of(r.run, *scratch);
  const std::vector<Weights> path2 =
      other ? epoch_weights_of(r.run2, *scratch) : std::vector<Weights>{};
  // The initial weights: epoch 0's when kept, else the model as the run's seed initializes it.
  const Weights initial =
      path.empty() ? copy_weights(*build_model(run.config, run.data)) : path.front();

  // (a) Lines.
  const std::vector<double> ts = evenly_spaced(-0.25, 1.25, r.line_points);
  context.progress("interpolating initial -> trained weights");
  const std::vector<LandscapePoint> from_init = evaluator.line(initial, trained, ts);
  std::vector<LandscapePoint> between;
  if (other) {
    context.progress("interpolating between the two runs");
    between = evaluator.line(trained, trained2, ts);
  }
  std::vector<std::vector<double>> line_rows;
  for (size_t k = 0; k < ts.size(); ++k) {
    std::vector<double> row = {ts[k], from_init[k].loss, from_init[k].accuracy};
    if (other) row.insert(row.end(), {between[k].loss, between[k].accuracy});
    line_rows.push_back(row);
  }
  std::vector<std::string> line_header = {"t", "init_to_trained_loss", "init_to_trained_accuracy"};
  if (other) line_header.insert(line_header.end(), {"between_runs_loss", "between_runs_accuracy"});
  context.write_csv("line.csv", line_header, line_rows);

  // (b) The plane of two filter-normalized directions.
  Generator directions(context.seed());
  const Weights d1 = filter_normalized_direction(trained, directions, r.include_biases);
  const Weights d2 = filter_normalized_direction(trained, directions, r.include_biases);
  const std::vector<double> as = evenly_spaced(-r.range, r.range, r.grid);
  context.progress("the " + std::to_string(r.grid) + " x " + std::to_string(r.grid) + " plane on " +
                   std::to_string(examples.size()) + " examples");
  const double flops_before = evaluator.work().flops, seconds_before = evaluator.work().seconds;
  const std::vector<LandscapePoint> plane = evaluator.plane(trained, d1, d2, as, as);
  const double plane_seconds = evaluator.work().seconds - seconds_before;
  const double plane_flops = evaluator.work().flops - flops_before;
  std::vector<std::vector<double>> plane_rows;
  std::vector<double> plane_loss, plane_accuracy;
  for (size_t j = 0; j < as.size(); ++j)
    for (size_t i = 0; i < as.size(); ++i) {
      const LandscapePoint& p = plane[j * as.size() + i];
      plane_rows.push_back({as[i], as[j], p.loss, p.accuracy});
      plane_loss.push_back(p.loss);
      plane_accuracy.push_back(p.accuracy);
    }
  context.write_csv("plane.csv", {"a", "b", "loss", "accuracy"}, plane_rows);
  const auto [min_i, min_j] = lowest_cell(plane_loss, r.grid);
  const int64_t centre = r.grid / 2;
  const int64_t min_offset = std::max(std::abs(min_i - centre), std::abs(min_j - centre));
  const double centre_loss = plane_loss[static_cast<size_t>(centre * r.grid + centre)];
  double edge_loss = 0;  // the mean loss on the plane's border: how steep the basin is
  int64_t edge_count = 0;
  for (int64_t j = 0; j < r.grid; ++j)
    for (int64_t i = 0; i < r.grid; ++i)
      if (i == 0 || j == 0 || i == r.grid - 1 || j == r.grid - 1) {
        edge_loss += plane_loss[static_cast<size_t>(j * r.grid + i)];
        ++edge_count;
      }
  edge_loss /= static_cast<double>(edge_count);

  // (c) The training path in the plane of its principal directions (both runs' epochs share it).
  std::optional<PathProjection> projection;
  std::vector<LandscapePoint> path_plane;
  std::vector<double> path_as, path_bs;
  std::vector<std::vector<LandscapePoint>> path_losses;
  if (path.size() >= 3) {
    std::vector<std::vector<float>> points;
    for (const Weights& w : path) points.push_back(flatten(w));
    for (const Weights& w : path2) points.push_back(flatten(w));
    projection = project_path(points, flatten(path.back()), 2);
    const Weights p1 = unflatten(std::vector<float>(projection->components[0].begin(),
                                                    projection->components[0].end()),
                                 trained),
                  p2 = unflatten(std::vector<float>(projection->components[1].begin(),
                                                    projection->components[1].end()),
                                 trained);
    double lo_x = 0, hi_x = 0, lo_y = 0, hi_y = 0;
    for (const auto& c : projection->coordinates) {
      lo_x = std::min(lo_x, c[0]);
      hi_x = std::max(hi_x, c[0]);
      lo_y = std::min(lo_y, c[1]);
      hi_y = std::max(hi_y, c[1]);
    }
    const double margin_x = 0.15 * std::max(hi_x - lo_x, 1e-6),
                 margin_y = 0.15 * std::max(hi_y - lo_y, 1e-6);
    path_as = evenly_spaced(lo_x - margin_x, hi_x + margin_x, r.path_grid);
    path_bs = evenly_spaced(lo_y - margin_y, hi_y + margin_y, r.path_grid);
    context.progress("the plane of the training path");
    path_plane = evaluator.plane(path.back(), p1, p2, path_as, path_bs);
    for (const auto* weights : {&path, &path2}) {
      std::vector<LandscapePoint> values;
      for (const Weights& w : *weights) values.push_back(evaluator.at(w));
      path_losses.push_back(values);
    }
    std::vector<std::vector<double>> rows;
    for (size_t k = 0; k < projection->coordinates.size(); ++k) {
      const bool second = k >= path.size();
      const size_t e = second ? k - path.size() : k;
      const LandscapePoint& v = path_losses[second ? 1 : 0][e];
      rows.push_back({second ? 2.0 : 1.0, static_cast<double>(e), projection->coordinates[k][0],
                      projection->coordinates[k][1], v.loss, v.accuracy});
    }
    context.write_csv("path.csv", {"run", "epoch", "pc1", "pc2", "loss", "accuracy"}, rows);
  }

  // Figures.
  const std::string measured_on = std::to_string(examples.size()) + " training examples";
  plot::LineChart line_loss;
  line_loss.id = "line_loss";
  line_loss.title = "loss along straight lines in weight space";
  line_loss.x_title = "t: (1 - t) start + t end";
  line_loss.y_title = "training loss";
  line_loss.log_y = true;
  line_loss.series = {series("initial -> " + r.run_label, ts, from_init, false)};
  if (other)
    line_loss.series.push_back(series(r.run_label + " -> " + r.run2_label, ts, between, false));
  line_loss.rules = {{0, "start"}, {1, "end"}};
  plot::LineChart line_accuracy = line_loss;
  line_accuracy.id = "line_accuracy";
  line_accuracy.title = "accuracy along the same lines";
  line_accuracy.y_title = "training accuracy";
  line_accuracy.log_y = false;
  line_accuracy.series = {series("initial -> " + r.run_label, ts, from_init, true)};
  if (other)
    line_accuracy.series.push_back(series(r.run_label + " -> " + r.run2_label, ts, between, true));
  context.add_text(
      "Straight lines",
      "The loss and accuracy on " + measured_on +
          " at (1 - t) start + t end, t from -0.25 to 1.25: from the initial to the "
          "trained weights" +
          (other ? ", and from " + r.run_label + "'s trained weights to " + r.run2_label + "'s"
                 : std::string()) +
          ".");
  distinct_colors(line_loss);
  context.add_figure(line_loss);
  distinct_colors(line_accuracy);
  context.add_figure(line_accuracy);

  plot::ContourPlot contour;
  contour.id = "plane_contour";
  contour.title = "loss around the trained weights (filter-normalized directions)";
  contour.x_title = "a (direction 1)";
  contour.y_title = "b (direction 2)";
  contour.x_min = contour.y_min = -r.range;
  contour.x_max = contour.y_max = r.range;
  contour.nx = contour.ny = r.grid;
  contour.z = plane_loss;
  contour.log_levels = true;
  contour.points = {{0, 0, "trained"},
                    {as[static_cast<size_t>(min_i)], as[static_cast<size_t>(min_j)], "lowest"}};
  plot::Heatmap loss_map;
  loss_map.id = "plane_loss";
  loss_map.title = "training loss on the plane";
  loss_map.x = {"a (direction 1)", as, {}};
  loss_map.y = {"b (direction 2)", as, {}};
  loss_map.values = plane_loss;
  loss_map.value_title = "loss";
  loss_map.log_color = true;
  plot::Heatmap accuracy_map = loss_map;
  accuracy_map.id = "plane_accuracy";
  accuracy_map.title = "training accuracy on the plane";
  accuracy_map.values = plane_accuracy;
  accuracy_map.value_title = "accuracy";
  accuracy_map.log_color = false;
  context.add_text("The plane of two random directions",
                   "w + a d1 + b d2 around " + r.run_label +
                       "'s trained weights w, for a and b in [-" + shortest_text(r.range) + ", " +
                       shortest_text(r.range) + "] on a " + std::to_string(r.grid) + " x " +
                       std::to_string(r.grid) +
                       " grid; d1 and d2 are Gaussian, each output neuron's row scaled to the "
                       "norm of that neuron's weight row (Li et al. 2018), biases " +
                       (r.include_biases ? "included" : "left out") + ", drawn with seed " +
                       std::to_string(context.seed()) + ". Measured on " + measured_on + ".");
  context.add_figure(contour);
  context.add_figure(loss_map);
  context.add_figure(accuracy_map);

  if (projection) {
    plot::ContourPlot trail;
    trail.id = "path";
    trail.title = "the training path in its principal plane";
    trail.x_title = "PC1 (" + percent(projection->explained[0]) + " of the variance)";
    trail.y_title = "PC2 (" + percent(projection->explained[1]) + " of the variance)";
    trail.x_min = path_as.front();
    trail.x_max = path_as.back();
    trail.y_min = path_bs.front();
    trail.y_max = path_bs.back();
    trail.nx = trail.ny = r.path_grid;
    for (const LandscapePoint& p : path_plane) trail.z.push_back(p.loss);
    trail.log_levels = true;
    size_t k = 0;
    for (size_t run_index = 0; run_index < path_losses.size(); ++run_index) {
      if (path_losses[run_index].empty()) continue;
      plot::Path line{run_index == 0 ? r.run_label : r.run2_label, {}, {}, {}, {}, {}};
      for (const LandscapePoint& v : path_losses[run_index]) {
        line.x.push_back(projection->coordinates[k][0]);
        line.y.push_back(projection->coordinates[k][1]);
        line.loss.push_back(v.loss);
        ++k;
      }
      trail.paths.push_back(line);
    }
    context.add_text("The training path",
                     "The weights after every epoch (epoch 0: the initial weights) minus the last "
                     "epoch's, projected onto their top two principal directions" +
                         std::string(path2.empty() ? "" : " (both runs' epochs in one plane)") +
                         "; the contours are the loss in that plane around the last epoch's "
                         "weights.");
    context.add_figure(trail);
  }

  // The end points exactly (the line's t grid need not hold 0 and 1).
  const LandscapePoint initial_point = evaluator.at(initial), trained_point = evaluator.at(trained);
  Outcome outcome;
  outcome.headline = {
      {"plane_min_offset_cells", min_offset},
      {"plane_centre_loss", centre_loss},
      {"plane_lowest_loss", plane_loss[static_cast<size_t>(min_j * r.grid + min_i)]},
      {"plane_edge_mean_loss", edge_loss},
      {"plane_centre_accuracy", plane_accuracy[static_cast<size_t>(centre * r.grid + centre)]},
      {"plane_seconds", plane_seconds},
      {"plane_gflop", plane_flops / 1e9},
      {"initial_loss", initial_point.loss},
      {"trained_loss", trained_point.loss},
      {"examples", examples.size()},
      {"directions_seed", context.seed()}};
  if (other) {
    double barrier = 0;  // the highest loss between the two minima above the higher end
    const double run2_loss = evaluator.at(trained2).loss;
    const double ends = std::max(trained_point.loss, run2_loss);
    for (size_t k = 0; k < ts.size(); ++k)
      if (ts[k] >= 0 && ts[k] <= 1) barrier = std::max(barrier, between[k].loss - ends);
    outcome.headline["between_runs_barrier"] = barrier;
    outcome.headline["run2_trained_loss"] = run2_loss;
  }
  if (projection) {
    outcome.headline["path_pc1_explained"] = projection->explained[0];
    outcome.headline["path_pc2_explained"] = projection->explained[1];
  }
  char text[400];
  std::snprintf(text, sizeof text,
                "on %lld training examples the %lldx%lld plane's lowest loss is %lld cell(s) from "
                "the trained point (loss %.4g there, %.4g on average along the border); "
                "interpolating from the initial weights the loss falls from %.4g to %.4g",
                static_cast<long long>(examples.size()), static_cast<long long>(r.grid),
                static_cast<long long>(r.grid), static_cast<long long>(min_offset), centre_loss,
                edge_loss, initial_point.loss, trained_point.loss);
  outcome.measured = text;
  // Trained weights sit in a basin of the random plane: its lowest point at (or next to) the
  // centre, the border higher.
  outcome.agrees = min_offset <= 1 && edge_loss > centre_loss;
  return outcome;
}

namespace {

Outcome run_landscape_command(Context& context) {
  const Params& p = context.params();
  LandscapeRequest r;
  r.run = p.text("run");
  if (p.text("run2") != "none") r.run2 = p.text("run2");
  r.grid = p.integer("grid");
  r.subset = p.integer("subset");
  r.range = p.number("range");
  r.line_points = p.integer("line_points");
  r.path_grid = p.integer("path_grid");
  const std::string& biases = p.text("biases");
  if (biases != "true" && biases != "false")
    throw std::invalid_argument("biases = '" + biases + "': expected true or false");
  r.include_biases = biases == "true";
  r.run_label = r.run.filename().empty() ? r.run.parent_path().filename().string()
                                         : r.run.filename().string();
  if (!r.run2.empty())
    r.run2_label = r.run2.filename().empty() ? r.run2.parent_path().filename().string()
                                             : r.run2.filename().string();
  if (r.run2_label == r.run_label) r.run2_label += " (2)";
  return measure_landscape(context, r);
}

}  // namespace

const Experiment& landscape_command() {
  using K = Param::Kind;
  static const Experiment e{
      "landscape",
      "the loss landscape of trained runs",
      "a trained network sits in a basin of its loss: the plane of two filter-normalized random "
      "directions around its weights (Li et al. 2018) has its lowest point at the trained weights",
      {{"run", K::Text, "", "", "the run directory"},
       {"run2", K::Text, "none", "none", "a second run of the same model, or none"},
       {"grid", K::Integer, "51", "51", "plane points per side (odd)"},
       {"subset", K::Integer, "10000", "10000", "training examples measured on"},
       {"range", K::Number, "1", "1", "the plane spans [-range, range] along each direction"},
       {"line_points", K::Integer, "41", "41", "points of each straight line"},
       {"path_grid", K::Integer, "25", "25", "points per side of the training path's plane"},
       {"biases", K::Text, "false", "false", "true: the directions move the biases too"}},
      run_landscape_command};
  return e;
}

}  // namespace descent::experiments
