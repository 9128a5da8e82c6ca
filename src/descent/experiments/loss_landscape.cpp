// loss-landscape: the loss surface of a trained network can be drawn (Li et al. 2018), and a
// trained network sits in a basin of it.
//
// Trains the default MLP twice, with a small and a large batch (the runs keep their per-epoch
// weights), then draws what `descent landscape` draws (landscape_of_runs.h): the loss from the
// initial to the trained weights and between the two runs' minima, f(w + a d1 + b d2) on the
// plane of two filter-normalized random directions d1, d2 around the small-batch run's weights
// (each output neuron's direction row scaled to the norm of its weight row), and the training
// paths in their principal plane. The claim checked: the plane's lowest point is at (or next to)
// the trained weights, the loss rising away from it.
#include <filesystem>

#include "descent/experiments/landscape_of_runs.h"
#include "descent/experiments/training_runs.h"
#include "descent/util/number_text.h"

namespace descent::experiments {
namespace {

namespace fs = std::filesystem;

Outcome run(Context& context) {
  const Params& p = context.params();
  const std::string dataset = p.text("dataset");
  const int64_t small = p.integer("small_batch"), large = p.integer("large_batch");
  if (small < 1 || large < 1) throw std::invalid_argument("batch sizes must be at least 1");
  std::vector<std::string> common = {
      "data.name=" + dataset,
      "seed=" + std::to_string(context.seed()),
      "train.epochs=" + std::to_string(p.integer("epochs")),
      "checkpoint.keep_epoch_weights=true",
      "checkpoint.every=0",
      "train.divergence=off",
  };
  if (p.integer("train_size") > 0)
    common.push_back("data.train_size=" + std::to_string(p.integer("train_size")));
  // A synthetic set noisy enough that the network cannot fit it exactly: on separable data the
  // loss keeps falling as the weights grow, and the plane's lowest point drifts off the centre.
  if (dataset != "fashion-mnist")
    common.push_back("data.noise=" + shortest_text(p.number("noise")));
  const fs::path small_dir = context.dir() / "small-batch",
                 large_dir = context.dir() / "large-batch";
  for (const auto& [dir, batch] : {std::pair{small_dir, small}, std::pair{large_dir, large}}) {
    context.progress("training with batch " + std::to_string(batch));
    std::vector<std::string> overrides = common;
    overrides.push_back("train.batch_size=" + std::to_string(batch));
    train_quietly(dir, overrides);
  }
  LandscapeRequest r;
  r.run = small_dir;
  r.run2 = large_dir;
  r.grid = p.integer("grid");
  r.subset = p.integer("subset");
  r.range = p.number("range");
  r.path_grid = p.integer("path_grid");
  r.run_label = "batch " + std::to_string(small);
  r.run2_label = "batch " + std::to_string(large);
  Outcome outcome = measure_landscape(context, r);
  outcome.measured = "two runs of the default MLP on " + dataset + " (batch " +
                     std::to_string(small) + " and " + std::to_string(large) +
                     "): " + outcome.measured;
  return outcome;
}

}  // namespace

Experiment loss_landscape_experiment() {
  using K = Param::Kind;
  return {"loss-landscape",
          "the loss around trained weights: lines, a filter-normalized random plane, the "
          "training path",
          "a trained network's loss can be drawn on the plane w + a d1 + b d2 of two random "
          "directions scaled filter by filter to the weights (Li et al. 2018); the trained "
          "weights w sit at the bottom of a basin of it",
          {{"dataset", K::Text, "fashion-mnist", "spirals", "the training set (data.name)"},
           {"train_size", K::Integer, "10000", "0", "training examples (0: the whole set)"},
           {"noise", K::Number, "0.5", "0.5", "a synthetic set's noise (data.noise)"},
           {"epochs", K::Integer, "10", "30", "epochs of each run"},
           {"small_batch", K::Integer, "32", "16", "the first run's batch size"},
           {"large_batch", K::Integer, "1024", "256", "the second run's batch size"},
           {"grid", K::Integer, "51", "13", "plane points per side (odd)"},
           {"subset", K::Integer, "10000", "300", "training examples the landscape is measured on"},
           {"range", K::Number, "1", "1", "the plane spans [-range, range] per direction"},
           {"path_grid", K::Integer, "25", "9", "points per side of the training path's plane"}},
          run};
}

}  // namespace descent::experiments
