// early-stopping: on a small training set the validation loss falls, turns and rises while the
// training loss keeps falling (the network starts to fit the training set's noise); early
// stopping watches the validation loss, stops `patience` epochs after its lowest point and puts
// that epoch's weights back.
//
// Two runs of the default MLP from one seed: one trains every epoch (the whole curve, past the
// turn), the other with [early_stopping] (monitor val_loss, restore_best). Until it stops the
// second run takes the same steps as the first, so the epoch it restores must be the first run's
// lowest validation loss, and its test loss must be below the first run's (overfitted) last
// epoch's.
#include <algorithm>
#include <cmath>

#include "descent/experiments/experiment.h"
#include "descent/experiments/training_runs.h"

namespace descent::experiments {
namespace {

plot::Series named_series(std::string name, std::string key) {
  plot::Series s;
  s.name = std::move(name);
  s.color_key = std::move(key);
  return s;
}

Outcome run(Context& context) {
  const Params& p = context.params();
  const int64_t epochs = p.integer("epochs"), patience = p.integer("patience");
  if (epochs < 2 || patience < 0)
    throw std::invalid_argument("epochs must be at least 2 and patience at least 0");
  std::vector<std::string> common = {
      "data.name=" + p.text("dataset"),
      "seed=" + std::to_string(context.seed()),
      "train.epochs=" + std::to_string(epochs),
      "train.batch_size=" + std::to_string(p.integer("batch_size")),
      "data.validation_size=" + std::to_string(p.integer("validation_size")),
      "checkpoint.every=0",
      "train.divergence=off",
  };
  if (p.text("dataset") == "fashion-mnist")
    common.push_back("data.train_size=" + std::to_string(p.integer("train_size")));
  else
    common.insert(common.end(), {"data.size=" + std::to_string(p.integer("train_size") +
                                                               p.integer("validation_size")),
                                 "data.noise=" + std::to_string(p.number("noise"))});
  context.progress("training every epoch");
  const RunOutcome full = train_quietly(context.dir() / "all-epochs", common);
  std::vector<std::string> stopping = common;
  stopping.insert(stopping.end(), {"early_stopping.monitor=val_loss",
                                   "early_stopping.patience=" + std::to_string(patience),
                                   "early_stopping.restore_best=true"});
  context.progress("training with early stopping");
  const RunOutcome stopped = train_quietly(context.dir() / "early-stopping", stopping);

  const auto& h = full.train.history;
  std::vector<std::vector<double>> rows;
  plot::Series train = named_series("training loss", "train"),
               val = named_series("validation loss", "validation");
  size_t lowest = 0;
  for (size_t k = 0; k < h.size(); ++k) {
    rows.push_back(
        {static_cast<double>(h[k].epoch), h[k].train_loss, h[k].val_loss, h[k].val_accuracy});
    train.x.push_back(static_cast<double>(h[k].epoch));
    train.y.push_back(h[k].train_loss);
    val.x.push_back(static_cast<double>(h[k].epoch));
    val.y.push_back(h[k].val_loss);
    if (h[k].val_loss < h[lowest].val_loss) lowest = k;
  }
  context.write_csv("curves.csv", {"epoch", "train_loss", "val_loss", "val_accuracy"}, rows);
  const int64_t turn = h[lowest].epoch;
  const int64_t stopped_at = static_cast<int64_t>(stopped.train.history.size());
  const int64_t restored = stopped.weights_epoch;
  const double last_val = h.back().val_loss, lowest_val = h[lowest].val_loss;

  plot::LineChart chart;
  chart.id = "curves";
  chart.title = "training and validation loss on a small training set";
  chart.x_title = "epoch";
  chart.y_title = "loss";
  chart.log_y = true;
  chart.series = {train, val};
  chart.rules = {{static_cast<double>(turn), "lowest validation loss (restored)"}};
  if (stopped_at > turn)
    chart.spans = {{static_cast<double>(turn), static_cast<double>(stopped_at),
                    "patience: stopped at epoch " + std::to_string(stopped_at)}};
  context.add_text("The turn of the validation curve",
                   "The run that trains every epoch; early stopping (patience " +
                       std::to_string(patience) +
                       ") stopped the other run at the end of the "
                       "shaded span and restored the weights of the marked epoch.");
  context.add_figure(chart);

  Outcome outcome;
  outcome.headline = {{"turn_epoch", turn},
                      {"stopped_epoch", stopped_at},
                      {"restored_epoch", restored},
                      {"lowest_val_loss", lowest_val},
                      {"last_val_loss", last_val},
                      {"last_train_loss", h.back().train_loss},
                      {"test_loss_restored", stopped.test.loss},
                      {"test_loss_last_epoch", full.test.loss},
                      {"test_accuracy_restored", stopped.test.accuracy},
                      {"test_accuracy_last_epoch", full.test.accuracy}};
  char text[400];
  std::snprintf(text, sizeof text,
                "the validation loss is lowest at epoch %lld of %lld (%.4g) and ends at %.4g "
                "while the training loss falls to %.4g; early stopping stopped at epoch %lld and "
                "restored epoch %lld: test loss %.4g against %.4g after every epoch",
                static_cast<long long>(turn), static_cast<long long>(h.size()), lowest_val,
                last_val, h.back().train_loss, static_cast<long long>(stopped_at),
                static_cast<long long>(restored), stopped.test.loss, full.test.loss);
  outcome.measured = text;
  // The curve turns (its end clearly above its lowest point, the lowest not at the end), the
  // restored epoch is that lowest point, and the restored model tests better.
  outcome.agrees = last_val > 1.05 * lowest_val && turn < h.back().epoch && restored == turn &&
                   stopped.test.loss < full.test.loss;
  return outcome;
}

}  // namespace

Experiment early_stopping_experiment() {
  using K = Param::Kind;
  return {"early-stopping",
          "train and validation loss on a small training set; the turn; the best epoch restored",
          "on a small training set the validation loss turns upward while the training loss "
          "keeps falling; early stopping stops patience epochs after the lowest validation loss "
          "and restores that epoch's weights, which test better than the last epoch's",
          {{"dataset", K::Text, "fashion-mnist", "spirals",
            "fashion-mnist, or a synthetic set (data.name)"},
           {"train_size", K::Integer, "1000", "100", "training examples"},
           {"validation_size", K::Integer, "5000", "400", "validation examples"},
           {"noise", K::Number, "0.6", "0.6", "a synthetic set's noise (data.noise)"},
           {"epochs", K::Integer, "60", "100", "epochs of the run that trains them all"},
           {"batch_size", K::Integer, "32", "20", "minibatch size"},
           {"patience", K::Integer, "10", "10", "early stopping's patience"}},
          run};
}

}  // namespace descent::experiments
