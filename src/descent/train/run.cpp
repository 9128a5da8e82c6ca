#include "descent/train/run.h"

#include <chrono>
#include <ctime>
#include <fstream>

#include "descent/autograd/grad_mode.h"

#include "descent/io/atomic_file.h"
#include "descent/io/model_weights.h"
#include "descent/nn/network_spec.h"
#include "descent/optim/param_groups.h"
#include "descent/optim/registry.h"
#include "descent/schedule/factory.h"
#include "descent/tensor/storage.h"
#include "descent/train/callbacks/curvature_monitor.h"
#include "descent/train/callbacks/early_stopping.h"
#include "descent/train/callbacks/metrics_log.h"
#include "descent/train/callbacks/progress_bar.h"
#include "descent/train/callbacks/schedule_step.h"
#include "descent/train/evaluate.h"
#include "descent/train/interrupt.h"
#include "descent/train/trainer.h"

namespace descent {
namespace {

std::unique_ptr<Sequential> build_model(const Config& config, int64_t in_features) {
  Generator init_gen(config.seed);
  std::unique_ptr<Sequential> model;
  try {
    model = build_network(config.model.layers, in_features, init_gen, config.seed + 7);
  } catch (const SpecError& e) {
    throw ConfigError(std::string("config: model.layers: ") + e.what());
  }
  if (!config.model.weights.empty()) load_weights(*model, config.model.weights);
  return model;
}

// The model's outputs must fit the data and the loss: one score per class, and log-probabilities
// for nll.
void check_model_fits_task(Sequential& model, const Dataset& data, const Config& config) {
  Tensor probe = Tensor::zeros({1, data.features()});
  NoGradGuard no_grad;
  Tensor out = model.forward(probe);
  if (data.num_classes > 0 && out.size(-1) != data.num_classes)
    throw ConfigError("config: model.layers ends with " + std::to_string(out.size(-1)) +
                      " outputs, but " + data.name + " has " + std::to_string(data.num_classes) +
                      " classes");
  const int64_t target_width = data.targets.dim() == 2 ? data.targets.size(1) : 1;
  if (data.num_classes == 0 && out.size(-1) != target_width)
    throw ConfigError("config: model.layers ends with " + std::to_string(out.size(-1)) +
                      " outputs, but " + data.name + "'s regression targets have " +
                      std::to_string(target_width));
  if (data.num_classes == 0 && loss_is_classification(config.train.loss))
    throw ConfigError("config: train.loss = \"" + config.train.loss +
                      "\" needs class labels, but " + data.name +
                      " is a regression task (use train.loss = \"mse\")");
  if (config.train.loss == "nll" && config.model.layers.back() != "log_softmax")
    throw ConfigError(
        "config: train.loss = \"nll\" expects log-probabilities: end model.layers with "
        "\"log_softmax\", or use train.loss = \"cross_entropy\" on raw scores");
}

}  // namespace

LossFunction task_loss(const std::string& name, int64_t num_classes) {
  LossFunction loss = loss_by_name(name);
  if (num_classes == 0 || loss_is_classification(name)) return loss;
  // mse and binary cross-entropy on class labels compare the outputs with one-hot targets.
  return [loss, num_classes](const Tensor& out, const Tensor& target) {
    return loss(out, one_hot(target, num_classes));
  };
}

Experiment build_experiment(const Config& config) {
  Experiment e;
  e.config = config;
  ExperimentData data = load_experiment_data(e.config);
  e.train = std::move(data.train);
  e.validation = std::move(data.validation);
  e.test = std::move(data.test);
  e.model = build_model(e.config, e.train.features());
  check_model_fits_task(*e.model, e.train, e.config);
  SpecArgs args("config [optimizer] (" + config.optimizer.name + ")", config.optimizer.args);
  e.optimizer = make_optimizer(
      config.optimizer.name,
      weight_decay_groups(e.model->named_parameters(), config.optimizer.no_weight_decay_1d), args);
  if (!config.schedule.name.empty())
    e.schedule = make_scheduler(config.schedule_spec(), *e.optimizer, config.schedule.key);
  return e;
}

void check_run_dir_is_free(const std::filesystem::path& dir) {
  if (!std::filesystem::exists(dir)) return;
  if (!std::filesystem::is_directory(dir))
    throw std::runtime_error("--out " + dir.string() + " exists and is not a directory");
  if (!std::filesystem::is_empty(dir))
    throw std::runtime_error("run directory " + dir.string() +
                             " already exists and is not empty; choose another --out");
}

std::filesystem::path default_run_dir() {
  const std::time_t now = std::time(nullptr);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", std::localtime(&now));
  std::filesystem::path base = std::filesystem::path("runs") / stamp;
  std::filesystem::path dir = base;
  for (int i = 2; std::filesystem::exists(dir); ++i) dir = base.string() + "-" + std::to_string(i);
  return dir;
}

namespace {

TrainOptions train_options(const Config& c, const std::filesystem::path& dir) {
  TrainOptions o;
  o.epochs = c.train.epochs;
  o.batch_size = c.train.batch_size;
  o.shuffle = c.train.shuffle;
  o.drop_last = c.train.drop_last;
  o.accumulate = c.train.accumulate;
  o.skip_non_finite = c.train.on_non_finite == "skip";
  o.clip_norm = c.clip.max_norm;
  o.clip_per_layer = c.clip.per_layer;
  o.clip_value = c.clip.max_value;
  o.l1 = c.regularization.l1;
  o.l2 = c.regularization.l2;
  o.penalize_1d = !c.regularization.exclude_1d;
  o.checkpoint_path = dir / kCheckpointFile;
  o.checkpoint_every = c.checkpoint.every;
  return o;
}

// Trains (or continues, from `resume`) into `dir`, whose config.toml is written already.
RunOutcome run_training(Experiment& e, const std::filesystem::path& dir,
                        std::optional<Checkpoint> resume) {
  const Config& c = e.config;
  const LossFunction loss = task_loss(c.train.loss, e.train.num_classes);
  Trainer trainer(*e.model, *e.optimizer, loss, train_options(c, dir));
  std::unique_ptr<WeightAverage> average;
  if (c.ema.decay > 0) {
    average = std::make_unique<WeightAverage>(e.model->named_parameters(), c.ema.decay);
    trainer.set_weight_average(*average, c.ema.evaluate);
  }
  std::unique_ptr<ScheduleStep> schedule_step;
  if (e.schedule) {
    schedule_step =
        std::make_unique<ScheduleStep>(e.schedule, parse_schedule_interval(c.schedule.interval));
    trainer.add_callback(*schedule_step);
  }
  std::unique_ptr<CurvatureMonitor> curvature;
  if (c.curvature.every > 0) {
    curvature = std::make_unique<CurvatureMonitor>(
        *e.model, c.train.loss, e.train.num_classes, c.curvature.every,
        parse_hessian_method(c.curvature.method), dir / "curvature.jsonl");
    trainer.add_callback(*curvature);
  }
  std::unique_ptr<EarlyStopping> early_stopping;
  if (c.early_stopping.enabled) {
    const auto& es = c.early_stopping;
    // The weights validation measured: the average's when evaluation uses it.
    std::vector<NamedTensor> watched =
        average && c.ema.evaluate ? average->averaged() : e.model->named_parameters();
    early_stopping = std::make_unique<EarlyStopping>(
        EarlyStoppingOptions{es.monitor, es.mode, es.patience, es.min_delta, es.restore_best},
        std::move(watched));
    trainer.add_callback(*early_stopping);
  }
  ProgressBar progress(stdout);
  trainer.add_callback(progress);
  if (resume) {
    // metrics.jsonl is rewritten from the checkpoint's history: epochs logged after the
    // checkpoint by a run that then died are dropped, as they will be trained again.
    std::string lines;
    for (const auto& m : resume->meta.at("history")) lines += m.dump() + "\n";
    write_file_atomically(dir / "metrics.jsonl", lines);
    trainer.resume_from(std::move(*resume));
  }
  MetricsLog metrics(dir / "metrics.jsonl");
  trainer.add_callback(metrics);

  Generator shuffle_gen(c.seed + 2);
  RunOutcome outcome;
  outcome.dir = dir;
  {
    InterruptGuard ctrl_c;
    outcome.train = trainer.fit(e.train, &e.validation, shuffle_gen);
  }
  const std::string& reason = outcome.train.stop_reason;
  if (reason == "interrupted") return outcome;
  if (early_stopping) outcome.train.best_epoch = early_stopping->best_epoch();

  nlohmann::json summary = {
      {"epochs", static_cast<int64_t>(outcome.train.history.size())},
      {"best_epoch", outcome.train.best_epoch},
      {"seconds", outcome.train.seconds},
      {"stop_reason", reason},
  };
  if (!outcome.train.stop_message.empty()) summary["stop_message"] = outcome.train.stop_message;
  if (early_stopping)
    summary["early_stopping"] = {{"monitor", c.early_stopping.monitor},
                                 {"best_value", early_stopping->best_value()},
                                 {"best_epoch", early_stopping->best_epoch()},
                                 {"restored_best", c.early_stopping.restore_best}};
  if (average) summary["ema"] = {{"decay", c.ema.decay}, {"evaluated", c.ema.evaluate}};
  if (reason != "non_finite") {
    // The weights are finite here even after a non-finite gradient (the step was not taken), but
    // such a run did not finish: only its last good checkpoint is kept.
    save_weights(*e.model, dir / "model.safetensors");
    outcome.test = evaluate(*e.model, loss, e.test);
    summary["test_loss"] = outcome.test.loss;
    summary["test_accuracy"] = outcome.test.accuracy;
  }
  if (!outcome.train.history.empty())
    summary["final_epoch"] = to_json(outcome.train.history.back());
  // Shows that the loop reuses its buffers: system allocations stay at the first steps' count.
  const AllocatorStats alloc = allocator_stats();
  summary["buffers"] = {{"system_allocations", alloc.system_allocations},
                        {"cache_hits", alloc.cache_hits}};
  write_file_atomically(dir / "summary.json", summary.dump(2) + "\n");
  return outcome;
}

// The keys a resumed run may change: how long it goes on and how it is watched, nothing that
// changes what one step computes.
const std::vector<std::string> kResumableKeys = {"train.epochs", "checkpoint.every", "threads",
                                                 "early_stopping.patience",
                                                 "early_stopping.min_delta"};

}  // namespace

RunOutcome train_run(Experiment& e, const std::filesystem::path& out_dir) {
  check_run_dir_is_free(out_dir);
  std::filesystem::create_directories(out_dir);
  write_file_atomically(out_dir / "config.toml", to_toml(e.config));
  return run_training(e, out_dir, std::nullopt);
}

Experiment load_resumable_run(const std::filesystem::path& run_dir,
                              const std::vector<std::string>& overrides) {
  for (const auto& o : overrides) {
    const std::string key = o.substr(0, o.find('='));
    if (std::find(kResumableKeys.begin(), kResumableKeys.end(), key) == kResumableKeys.end()) {
      std::string allowed;
      for (const auto& k : kResumableKeys) allowed += (allowed.empty() ? "" : ", ") + k;
      throw ConfigError(
          "--set " + o + ": a resumed run keeps its configuration; only " + allowed +
          " may change (to change anything else, start a new run from " +
          "its weights: --set model.weights=" + (run_dir / "model.safetensors").string() + ")");
    }
  }
  const auto config_path = run_dir / "config.toml";
  if (!std::filesystem::exists(config_path))
    throw std::runtime_error(run_dir.string() + " is not a run directory (no config.toml)");
  if (!std::filesystem::exists(run_dir / kCheckpointFile))
    throw std::runtime_error(run_dir.string() + " has no " + kCheckpointFile +
                             " to resume from (was it written with checkpoints?)");
  return build_experiment(load_config(config_path, overrides));
}

RunOutcome resume_run(Experiment& e, const std::filesystem::path& run_dir) {
  Checkpoint checkpoint = load_checkpoint(run_dir / kCheckpointFile);
  const int64_t next_epoch = checkpoint.meta.at("loop").at("epoch").get<int64_t>();
  const int64_t batch = checkpoint.meta.at("loop").at("batch").get<int64_t>();
  if (next_epoch > e.config.train.epochs && batch == 0)
    throw ConfigError(run_dir.string() + " has trained " + std::to_string(next_epoch - 1) +
                      " epochs already; to train more, resume with --set train.epochs=N, N > " +
                      std::to_string(next_epoch - 1));
  if (next_epoch > e.config.train.epochs)
    throw ConfigError(run_dir.string() + " stopped within epoch " + std::to_string(next_epoch) +
                      "; train.epochs must be at least " + std::to_string(next_epoch));
  write_file_atomically(run_dir / "config.toml", to_toml(e.config));
  std::filesystem::remove(run_dir / "summary.json");  // the run is in progress again
  remove_stale_temporaries(run_dir);
  return run_training(e, run_dir, std::move(checkpoint));
}

EvalResult evaluate_run(const std::filesystem::path& run_dir) {
  const auto config_path = run_dir / "config.toml";
  const auto weights_path = run_dir / "model.safetensors";
  if (!std::filesystem::exists(config_path))
    throw std::runtime_error(run_dir.string() + " is not a run directory (no config.toml)");
  if (!std::filesystem::exists(weights_path))
    throw std::runtime_error(run_dir.string() + " has no model.safetensors (did the run finish?)");
  Config config = load_config(config_path, {});
  const ExperimentData data = load_experiment_data(config);
  Generator unused(0);
  auto model = build_network(config.model.layers, data.test.features(), unused);
  load_weights(*model, weights_path);
  return evaluate(*model, task_loss(config.train.loss, data.test.num_classes), data.test);
}

}  // namespace descent
