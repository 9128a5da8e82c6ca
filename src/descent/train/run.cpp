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
#include "descent/train/callbacks/metrics_log.h"
#include "descent/train/callbacks/progress_bar.h"
#include "descent/train/callbacks/schedule_step.h"
#include "descent/train/evaluate.h"
#include "descent/train/trainer.h"

namespace descent {
namespace {

std::unique_ptr<Sequential> build_model(const Config& config, int64_t in_features) {
  Generator init_gen(config.seed);
  std::unique_ptr<Sequential> model;
  try {
    model = build_network(config.model.layers, in_features, init_gen);
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
  const OptimizerInfo& info = optimizer_info(config.optimizer.name);
  e.optimizer = make_optimizer(
      info.name,
      weight_decay_groups(e.model->named_parameters(), config.optimizer.no_weight_decay_1d),
      read_hyperparams(info, args));
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

RunOutcome train_run(Experiment& e, const std::filesystem::path& out_dir) {
  check_run_dir_is_free(out_dir);
  std::filesystem::create_directories(out_dir);
  write_file_atomically(out_dir / "config.toml", to_toml(e.config));

  TrainOptions options;
  options.epochs = e.config.train.epochs;
  options.batch_size = e.config.train.batch_size;
  options.shuffle = e.config.train.shuffle;
  options.drop_last = e.config.train.drop_last;
  const LossFunction loss = task_loss(e.config.train.loss, e.train.num_classes);
  Trainer trainer(*e.model, *e.optimizer, loss, options);
  std::unique_ptr<ScheduleStep> schedule_step;
  if (e.schedule) {
    schedule_step = std::make_unique<ScheduleStep>(
        e.schedule, parse_schedule_interval(e.config.schedule.interval));
    trainer.add_callback(*schedule_step);
  }
  ProgressBar progress(stdout);
  MetricsLog metrics(out_dir / "metrics.jsonl");
  trainer.add_callback(progress);
  trainer.add_callback(metrics);
  Generator shuffle_gen(e.config.seed + 2);
  RunOutcome outcome;
  outcome.dir = out_dir;
  outcome.train = trainer.fit(e.train, &e.validation, shuffle_gen);
  save_weights(*e.model, out_dir / "model.safetensors");
  outcome.test = evaluate(*e.model, loss, e.test);

  nlohmann::json summary = {
      {"test_loss", outcome.test.loss},
      {"test_accuracy", outcome.test.accuracy},
      {"epochs", static_cast<int64_t>(outcome.train.history.size())},
      {"best_epoch", outcome.train.best_epoch},
      {"seconds", outcome.train.seconds},
      {"stop_reason", outcome.train.stop_reason},
  };
  if (!outcome.train.history.empty())
    summary["final_epoch"] = to_json(outcome.train.history.back());
  // Shows that the loop reuses its buffers: system allocations stay at the first steps' count.
  const AllocatorStats alloc = allocator_stats();
  summary["buffers"] = {{"system_allocations", alloc.system_allocations},
                        {"cache_hits", alloc.cache_hits}};
  write_file_atomically(out_dir / "summary.json", summary.dump(2) + "\n");
  return outcome;
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
