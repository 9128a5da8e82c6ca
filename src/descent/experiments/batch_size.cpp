// batch-size: the minibatch size trades gradient noise against speed. On a multicore machine a
// step's work (GEMMs of B rows) only spreads over the cores once B is large enough, so below
// some batch size the extra cores gain nothing; and with a fixed budget of epochs a larger batch
// takes fewer steps, which the linear scaling rule (lr = lr_0 B / B_0, Goyal et al. 2017) with a
// linear warmup of the learning rate makes up for, up to a point.
//
// Part 1 times training of the default MLP at every batch size, on one thread and on all of
// them: samples/s and the time of an epoch (of the whole training set, from the rate). The
// minimum useful batch is the smallest B at which all threads train at least 1.2 times as fast
// as one. Part 2 trains the same model with SGD (momentum 0.9) for a fixed number of epochs at
// each batch size, at lr_0 throughout and with lr_0 B / B_0 reached by a linear warmup over the
// first warmup_epochs epochs, and compares test accuracy.
#include <algorithm>
#include <cmath>

#include "descent/app/run.h"
#include "descent/experiments/experiment.h"
#include "descent/experiments/training_runs.h"
#include "descent/plot/palette.h"
#include "descent/util/number_text.h"
#include "descent/util/threads.h"

namespace descent::experiments {
namespace {

// No two series of a chart share a colour (plot/palette.h).
void distinct_colors(plot::LineChart& chart) {
  std::vector<std::string> keys;
  for (const plot::Series& s : chart.series) keys.push_back(s.color_key);
  keys = plot::distinct_color_keys(keys);
  for (size_t k = 0; k < keys.size(); ++k) chart.series[k].color_key = keys[k];
}

plot::Series named_series(std::string name, std::string key) {
  plot::Series s;
  s.name = std::move(name);
  s.color_key = std::move(key);
  return s;
}

struct ThreadsGuard {
  int before = num_threads();
  ~ThreadsGuard() { set_num_threads(before); }
};

Outcome run(Context& context) {
  const Params& p = context.params();
  const std::string dataset = p.text("dataset");
  const std::vector<int64_t> timed = p.integers("timing_batches"), trained = p.integers("batches");
  const int64_t base_batch = p.integer("base_batch"), epochs = p.integer("epochs");
  const double base_lr = p.number("base_lr"), warmup_epochs = p.number("warmup_epochs");
  for (int64_t b : timed)
    if (b < 1) throw std::invalid_argument("timing_batches: every batch size must be at least 1");
  for (int64_t b : trained)
    if (b < 1) throw std::invalid_argument("batches: every batch size must be at least 1");
  if (base_batch < 1 || epochs < 1 || !(base_lr > 0) || warmup_epochs < 0)
    throw std::invalid_argument(
        "base_batch and epochs must be at least 1, base_lr > 0, warmup_epochs >= 0");
  const std::vector<std::string> data = {"data.name=" + dataset,
                                         "seed=" + std::to_string(context.seed()),
                                         "checkpoint.every=0", "train.divergence=off"};
  auto sized = [&](int64_t examples) {
    std::vector<std::string> sets = data;
    sets.push_back((dataset == "fashion-mnist" ? "data.train_size=" : "data.size=") +
                   std::to_string(examples));
    return sets;
  };

  // Part 1: speed.
  ThreadsGuard restore;
  const int all_threads = num_threads();
  const int64_t timing_examples = p.integer("timing_examples");
  const int64_t epoch_examples = p.integer("epoch_examples");
  std::vector<std::vector<double>> speed_rows;
  plot::Series one = named_series("1 thread", "one"),
               many = named_series(std::to_string(all_threads) + " threads", "all");
  plot::Series epoch_one = one, epoch_many = many;
  int64_t min_useful = -1;
  double best_rate = 0;
  int64_t best_batch = 0;
  for (int64_t b : timed) {
    double rate[2] = {0, 0};
    // On one thread there is nothing to compare: both columns are the one measurement.
    for (int k = 0; k < (all_threads > 1 ? 2 : 1); ++k) {
      set_num_threads(k == 0 ? 1 : all_threads);
      std::vector<std::string> sets = sized(timing_examples);
      sets.insert(sets.end(),
                  {"train.epochs=1", "train.batch_size=" + std::to_string(b),
                   "data.validation_size=" + std::to_string(p.integer("timing_validation"))});
      const RunOutcome r = train_quietly(context.dir() / "timing", sets);
      rate[k] = r.train.history.front().samples_per_second;
    }
    if (all_threads == 1) rate[1] = rate[0];
    context.progress("B=" + std::to_string(b) + ": " + shortest_text(rate[0]) + " and " +
                     shortest_text(rate[1]) + " samples/s");
    speed_rows.push_back({static_cast<double>(b), rate[0], rate[1],
                          static_cast<double>(epoch_examples) / rate[0],
                          static_cast<double>(epoch_examples) / rate[1]});
    for (auto* s : {&one, &many, &epoch_one, &epoch_many}) s->x.push_back(static_cast<double>(b));
    one.y.push_back(rate[0]);
    many.y.push_back(rate[1]);
    epoch_one.y.push_back(static_cast<double>(epoch_examples) / rate[0]);
    epoch_many.y.push_back(static_cast<double>(epoch_examples) / rate[1]);
    if (min_useful < 0 && all_threads > 1 && rate[1] >= 1.2 * rate[0]) min_useful = b;
    if (rate[1] > best_rate) best_rate = rate[1], best_batch = b;
  }
  std::filesystem::remove_all(context.dir() / "timing");
  context.write_csv("speed.csv",
                    {"batch", "samples_per_s_1_thread", "samples_per_s_all_threads",
                     "epoch_s_1_thread", "epoch_s_all_threads"},
                    speed_rows);

  // Part 2: accuracy after a fixed budget of epochs.
  const int64_t train_examples = p.integer("train_examples");
  std::vector<std::vector<double>> accuracy_rows;
  plot::Series fixed = named_series("lr_0 at every batch size", "fixed"),
               scaled = named_series("lr_0 B / B_0 with warmup", "scaled");
  for (int64_t b : trained) {
    double accuracy[2] = {0, 0};
    for (int k = 0; k < 2; ++k) {
      const double lr = k == 0 ? base_lr : base_lr * static_cast<double>(b) / base_batch;
      std::vector<std::string> sets = sized(train_examples);
      sets.insert(sets.end(), {"train.epochs=" + std::to_string(epochs),
                               "train.batch_size=" + std::to_string(b), "optimizer.name=sgd",
                               "optimizer.lr=" + shortest_text(lr), "optimizer.momentum=0.9"});
      const int64_t validation = p.integer("validation_size");
      sets.push_back("data.validation_size=" + std::to_string(validation));
      const int64_t steps_per_epoch = (train_examples + b - 1) / b;
      const auto warmup = static_cast<int64_t>(std::ceil(warmup_epochs * steps_per_epoch));
      // Goyal et al.'s gradual warmup: from lr_0 up to lr_0 B / B_0, then constant.
      if (k == 1 && b > base_batch && warmup > 0)
        sets.insert(sets.end(), {"schedule.name=linear_warmup", "schedule.interval=step",
                                 "schedule.warmup_steps=" + std::to_string(warmup),
                                 "schedule.start_factor=" +
                                     shortest_text(static_cast<double>(base_batch) / b)});
      const RunOutcome r = train_quietly(context.dir() / "accuracy", sets);
      accuracy[k] = r.test.accuracy;
    }
    context.progress("B=" + std::to_string(b) + ": test accuracy " + shortest_text(accuracy[0]) +
                     " and " + shortest_text(accuracy[1]) + " scaled");
    accuracy_rows.push_back({static_cast<double>(b), accuracy[0], accuracy[1]});
    fixed.x.push_back(static_cast<double>(b));
    scaled.x.push_back(static_cast<double>(b));
    fixed.y.push_back(accuracy[0]);
    scaled.y.push_back(accuracy[1]);
  }
  std::filesystem::remove_all(context.dir() / "accuracy");
  context.write_csv("accuracy.csv", {"batch", "test_accuracy_fixed_lr", "test_accuracy_scaled_lr"},
                    accuracy_rows);

  if (all_threads == 1) {  // one line, not two the same
    one.name = "1 thread (the only one)";
    epoch_one.name = one.name;
  }
  plot::LineChart speed;
  speed.id = "speed";
  speed.title = "training speed against batch size";
  speed.x_title = "batch size B";
  speed.y_title = "training samples / s";
  speed.log_x = speed.log_y = true;
  speed.series = {one};
  if (all_threads > 1) speed.series.push_back(many);
  if (min_useful > 0) speed.rules = {{static_cast<double>(min_useful), "all threads pay off"}};
  plot::LineChart epoch = speed;
  epoch.id = "epoch_time";
  epoch.title = "time of an epoch of " + std::to_string(epoch_examples) + " examples";
  epoch.y_title = "seconds per epoch";
  epoch.series = {epoch_one};
  if (all_threads > 1) epoch.series.push_back(epoch_many);
  plot::LineChart accuracy;
  accuracy.id = "accuracy";
  accuracy.title = "test accuracy after " + std::to_string(epochs) + " epochs";
  accuracy.x_title = "batch size B";
  accuracy.y_title = "test accuracy";
  accuracy.log_x = true;
  accuracy.series = {fixed, scaled};
  accuracy.rules = {{static_cast<double>(base_batch), "B_0"}};
  context.add_text("Speed", "The default MLP trained on " + std::to_string(timing_examples) +
                                " examples at each batch size, on one thread and on " +
                                std::to_string(all_threads) +
                                "; the epoch time is the whole training "
                                "set's " +
                                std::to_string(epoch_examples) + " examples at that rate.");
  distinct_colors(speed);
  context.add_figure(speed);
  distinct_colors(epoch);
  context.add_figure(epoch);
  context.add_text(
      "Accuracy for a fixed budget",
      "SGD (momentum 0.9) for " + std::to_string(epochs) + " epochs on " +
          std::to_string(train_examples) + " examples: lr_0 = " + shortest_text(base_lr) +
          " at every B, and lr_0 B / " + std::to_string(base_batch) +
          " reached by a linear warmup over " + shortest_text(warmup_epochs) + " epoch(s).");
  distinct_colors(accuracy);
  context.add_figure(accuracy);

  const double fixed_largest = fixed.y.back(), scaled_largest = scaled.y.back();
  Outcome outcome;
  outcome.headline = {{"min_useful_batch", min_useful},
                      {"samples_per_s_batch_1", many.y.front()},
                      {"samples_per_s_best", best_rate},
                      {"best_batch", best_batch},
                      {"speedup_all_threads_largest_batch", many.y.back() / one.y.back()},
                      {"accuracy_fixed_lr_smallest_batch", fixed.y.front()},
                      {"accuracy_fixed_lr_largest_batch", fixed_largest},
                      {"accuracy_scaled_lr_largest_batch", scaled_largest}};
  const std::string threads_text =
      all_threads == 1 ? "on one thread (no multicore comparison)"
      : min_useful > 0
          ? std::to_string(all_threads) + " threads train at least 1.2x faster than one from B = " +
                std::to_string(min_useful) + " on"
          : std::to_string(all_threads) +
                " threads are never 1.2x faster than one at these batch sizes";
  char text[480];
  std::snprintf(text, sizeof text,
                "%s; samples/s "
                "grow from %.4g at B = %lld to %.4g at B = %lld; after %lld epochs test "
                "accuracy at B = %lld is %.3f with a fixed lr and %.3f with the scaled lr and "
                "warmup (B = %lld: %.3f)",
                threads_text.c_str(), many.y.front(), static_cast<long long>(timed.front()),
                best_rate, static_cast<long long>(best_batch), static_cast<long long>(epochs),
                static_cast<long long>(trained.back()), fixed_largest, scaled_largest,
                static_cast<long long>(trained.front()), fixed.y.front());
  outcome.measured = text;
  // Bigger batches train faster per sample, and at a fixed budget the scaled learning rate
  // recovers accuracy that the fixed one loses at the largest batch.
  outcome.agrees = best_rate > 2 * many.y.front() && scaled_largest > fixed_largest &&
                   fixed_largest < fixed.y.front();
  return outcome;
}

}  // namespace

Experiment batch_size_experiment() {
  using K = Param::Kind;
  return {
      "batch-size",
      "samples/s and epoch time against batch size on this machine; accuracy for a fixed budget "
      "with and without the linear scaling rule",
      "a larger batch B makes each sample cheaper until the machine is busy (a multicore machine "
      "gains nothing below some B), but at a fixed budget of epochs it takes fewer steps; the "
      "linear scaling rule lr = lr_0 B / B_0 with a warmup (Goyal et al. 2017) recovers the "
      "accuracy",
      {{"dataset", K::Text, "fashion-mnist", "spirals", "fashion-mnist or a synthetic set"},
       {"timing_batches", K::Integers, "1,2,4,8,16,32,64,128,256,512,1024,2048,4096", "1,8,64,256",
        "batch sizes timed"},
       {"timing_examples", K::Integer, "8192", "500", "training examples per timing"},
       {"timing_validation", K::Integer, "1000", "200", "validation examples held out (unused)"},
       {"epoch_examples", K::Integer, "55000", "2000", "the epoch an epoch time is given for"},
       {"batches", K::Integers, "16,64,256,1024,4096", "8,32,128", "batch sizes trained"},
       {"train_examples", K::Integer, "10000", "1000", "training examples for accuracy"},
       {"validation_size", K::Integer, "1000", "200", "validation examples held out"},
       {"epochs", K::Integer, "5", "10", "the budget of epochs"},
       {"base_batch", K::Integer, "64", "8", "B_0, where the scaled and fixed lr agree"},
       {"base_lr", K::Number, "0.02", "0.02", "lr_0, SGD's learning rate at B_0"},
       {"warmup_epochs", K::Number, "1", "2", "epochs of linear warmup to the scaled lr"}},
      run};
}

}  // namespace descent::experiments
