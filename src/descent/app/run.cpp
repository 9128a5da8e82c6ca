#include "descent/app/run.h"

#include "descent/app/datasets.h"
#include "descent/app/report.h"
#include "descent/app/run_lock.h"
#include "descent/app/stacked_run.h"
#include "descent/distributed/communicator.h"

#include <cmath>
#include <optional>
#include "descent/io/atomic_file.h"
#include "descent/io/model_weights.h"
#include "descent/nn/network_spec.h"
#include "descent/schedule/horizon.h"
#include "descent/tensor/storage.h"
#include "descent/train/callbacks/curvature_monitor.h"
#include "descent/train/callbacks/divergence.h"
#include "descent/train/callbacks/early_stopping.h"
#include "descent/train/callbacks/epoch_weights.h"
#include "descent/train/callbacks/metrics_log.h"
#include "descent/train/callbacks/progress_bar.h"
#include "descent/train/callbacks/schedule_step.h"
#include "descent/train/callbacks/steps_log.h"
#include "descent/train/checkpoint_fields.h"
#include "descent/train/interrupt.h"
#include "descent/train/objective.h"
#include "descent/util/console.h"

namespace descent {
namespace {

void refuse_stacked_under_mpi() {
  if (world().size() > 1)
    throw ConfigError(
        "model.kind = \"stacked_autoencoder\" trains phase by phase in one process; it is not "
        "data-parallel (run it without mpirun)");
}

TrainOptions train_options(const Config& c, const std::filesystem::path& dir) {
  TrainOptions o;
  o.epochs = c.train.epochs;
  o.batch_size = c.train.batch_size;
  o.shuffle = c.train.shuffle;
  o.drop_last = c.train.drop_last;
  o.accumulate = c.train.accumulate;
  o.skip_non_finite = c.train.on_non_finite == "skip";
  o.flush_denormals = c.train.flush_denormals;
  o.profile = c.train.profile;
  o.clip_norm = c.clip.max_norm;
  o.clip_per_layer = c.clip.per_layer;
  o.clip_value = c.clip.max_value;
  o.l1 = c.regularization.l1;
  o.l2 = c.regularization.l2;
  o.penalize_1d = !c.regularization.exclude_1d;
  o.checkpoint_path = dir / kCheckpointFile;
  o.checkpoint_every = c.checkpoint.every;
  o.comm = &world();
  o.deterministic_reduction = c.train.deterministic_reduction;
  o.micro_shards = c.train.micro_shards;
  o.overlap_reduction = c.train.overlap_reduction;
  return o;
}

// report.html, last: a failure (no Vega installed, say) is noted, not fatal, as the run is done.
void write_report(const Config& c, RunOutcome& outcome) {
  if (!c.report.write || !writes_run_dir()) return;
  try {
    write_run_report(outcome.dir);
  } catch (const std::exception& e) {
    outcome.report_error = e.what();
  }
}

// A resumed run is in progress again: config.toml takes the settings it goes on with, and
// summary.json and model.safetensors go, so that a resume cut short leaves no final model older
// than its checkpoint (run_dir.h).
void reopen_run(const Config& c, const std::filesystem::path& dir) {
  if (!writes_run_dir()) return;
  write_file_atomically(dir / kConfigFile, to_toml(c));
  std::filesystem::remove(dir / kSummaryFile);
  std::filesystem::remove(dir / kModelFile);
  remove_stale_temporaries(dir);
}

// Trains (or continues, from `resume`) into `dir`, whose config.toml is written already.
RunOutcome run_training(Experiment& e, const std::filesystem::path& dir,
                        std::optional<Checkpoint> resume) {
  const Config& c = e.config;
  // Under mpirun every rank trains (the same callbacks that steer training); rank 0 alone
  // watches, prints and writes.
  const bool writer = writes_run_dir();
  if (!c.model.encoder_from.empty() && verbosity() != Verbosity::Quiet)
    std::printf("descent: encoder from %s%s\n", c.model.encoder_from.c_str(),
                c.model.freeze_encoder ? ", frozen (not trained)" : ", trained with the rest");
  Trainer trainer(*e.objective, *e.optimizer, train_options(c, dir));
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
  if (c.curvature.every > 0 && writer) {
    // Classifiers only (config.cpp refuses [curvature] for other kinds).
    curvature = std::make_unique<CurvatureMonitor>(
        dynamic_cast<Sequential&>(*e.model), c.train.loss, e.train.num_classes, c.curvature.every,
        parse_hessian_method(c.curvature.method), dir / kCurvatureFile);
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
  // -q: none; -v: every epoch's line; otherwise about 25 lines however long the run.
  std::optional<ProgressBar> progress;
  if (verbosity() != Verbosity::Quiet && writer) {
    const int64_t every = verbosity() == Verbosity::Verbose ? 1 : epoch_line_every(c.train.epochs);
    progress.emplace(stdout, ProgressOptions{terminal_columns(stdout) > 0, every});
    trainer.add_callback(*progress);
  }
  // After the progress bar: a warning comes after the epoch's line, not inside it.
  std::unique_ptr<DivergenceMonitor> divergence;
  if (c.train.divergence != "off") {
    divergence = std::make_unique<DivergenceMonitor>(
        DivergenceOptions{c.train.divergence == "stop", c.train.divergence_factor, 3, 100,
                          e.train.num_classes},
        writer ? stderr : nullptr);
    trainer.add_callback(*divergence);
  }
  // Before the metrics log, so that an epoch's steps are on disk when its metrics line is.
  // On resume it cuts steps.jsonl back to the checkpoint (StepsLog::load_state).
  std::optional<StepsLog> steps;
  if (writer) {
    steps.emplace(dir / kStepsFile, c.metrics.every_steps);
    trainer.add_callback(*steps);
  }
  if (resume) {
    const nlohmann::json history = resume->meta.value("history", nlohmann::json::array());
    trainer.resume_from(std::move(*resume));
    // Every field checked before anything on disk changes.
    trainer.check_resume(e.train);
    reopen_run(c, dir);
    // metrics.jsonl is rewritten from the checkpoint's history: epochs logged after the
    // checkpoint by a run that then died are dropped, as they will be trained again.
    std::string lines;
    for (const auto& m : history) lines += m.dump() + "\n";
    if (writer) write_file_atomically(dir / kMetricsFile, lines);
  }
  std::optional<MetricsLog> metrics;
  if (writer) {
    metrics.emplace(dir / kMetricsFile);
    trainer.add_callback(*metrics);
  }
  std::optional<EpochWeights> epoch_weights;
  if (c.checkpoint.keep_epoch_weights && writer) {
    epoch_weights.emplace(*e.model, dir / kEpochWeightsDir);
    trainer.add_callback(*epoch_weights);
  }

  Generator shuffle_gen(c.seed + 2);
  RunOutcome outcome;
  outcome.dir = dir;
  outcome.checkpoint = dir / kCheckpointFile;
  {
    InterruptGuard ctrl_c;
    outcome.train = trainer.fit(e.train, &e.validation, shuffle_gen);
  }
  const StopReason reason = outcome.train.stop_reason;
  if (reason == StopReason::Interrupted) {
    write_report(c, outcome);
    return outcome;
  }
  if (early_stopping) outcome.train.best_epoch = early_stopping->best_epoch();
  if (divergence) outcome.train.divergence = divergence->message();
  const bool validated =
      !outcome.train.history.empty() && std::isfinite(outcome.train.history.front().val_loss);
  outcome.best_by = early_stopping ? c.early_stopping.monitor
                    : validated    ? "val_loss"
                                   : "train_loss";

  nlohmann::json summary = {
      {"epochs", static_cast<int64_t>(outcome.train.history.size())},
      {"best_epoch", outcome.train.best_epoch},
      {"seconds", outcome.train.seconds},
      {"stop_reason", to_string(reason)},
      {"best_by", outcome.best_by},
  };
  if (divergence) {
    summary["diverged"] = !outcome.train.divergence.empty();
    if (!outcome.train.divergence.empty()) summary["divergence"] = outcome.train.divergence;
  }
  if (!outcome.train.stop_message.empty()) summary["stop_message"] = outcome.train.stop_message;
  if (early_stopping)
    summary["early_stopping"] = {{"monitor", c.early_stopping.monitor},
                                 {"best_value", early_stopping->best_value()},
                                 {"best_epoch", early_stopping->best_epoch()},
                                 {"restored_best", c.early_stopping.restore_best}};
  if (average) summary["ema"] = {{"decay", c.ema.decay}, {"evaluated", c.ema.evaluate}};
  if (!c.model.encoder_from.empty())
    summary["encoder_from"] = {{"run", c.model.encoder_from}, {"frozen", c.model.freeze_encoder}};
  if (reason != StopReason::NonFinite) {
    // The weights are finite here even after a non-finite gradient (the step was not taken), but
    // such a run did not finish: only its last good checkpoint is kept.
    if (writer) save_weights(*e.model, dir / kModelFile);
    outcome.weights_best = early_stopping && early_stopping->restored();
    outcome.weights_epoch = outcome.weights_best            ? early_stopping->best_epoch()
                            : outcome.train.history.empty() ? 0
                                                            : outcome.train.history.back().epoch;
    summary["weights_epoch"] = outcome.weights_epoch;
    summary["weights"] = outcome.weights_best ? "best" : "last";
    outcome.test = evaluate(*e.objective, e.test, 1000, world());
    add_test_results(summary, outcome.test, c, e.test);
  }
  if (!outcome.train.history.empty())
    summary["final_epoch"] = to_json(outcome.train.history.back());
  // Diagnostics apart from what users read: the loop reuses its buffers (system allocations
  // stay at the first steps' count), for bench/mlp_epoch.py.
  if (!writer) return outcome;
  const AllocatorStats alloc = allocator_stats();
  nlohmann::json diagnostics = {
      {"buffers",
       {{"system_allocations", alloc.system_allocations}, {"cache_hits", alloc.cache_hits}}}};
  if (c.train.profile) diagnostics["step_seconds"] = trainer.step_seconds().to_json();
  // Data-parallel runs: rank 0's time waiting for gradient sums, for bench/distributed.py.
  if (world().size() > 1)
    diagnostics["distributed"] = {{"ranks", world().size()},
                                  {"reduction_wait_seconds", trainer.reduction_wait_seconds()}};
  write_file_atomically(dir / kDiagnosticsFile, diagnostics.dump(2) + "\n");
  write_file_atomically(dir / kSummaryFile, summary.dump(2) + "\n");
  write_report(c, outcome);
  return outcome;
}

// The keys a resumed run may change: how long it goes on and how it is watched, nothing that
// changes what one step computes.
const std::vector<std::string> kResumableKeys = {"train.epochs",
                                                 "checkpoint.every",
                                                 "threads",
                                                 "early_stopping.patience",
                                                 "early_stopping.min_delta",
                                                 "train.divergence",
                                                 "train.divergence_factor",
                                                 "train.profile",
                                                 "report.write"};

}  // namespace

void add_test_results(nlohmann::json& summary, const EvalResult& test, const Config& config,
                      const Dataset& test_set) {
  if (test.examples == 0) return;  // no test set (data.test_size = 0): no test numbers
  summary["test_loss"] = test.loss;
  summary["test_accuracy"] = test.accuracy;
  for (const auto& [name, value] : test.terms) summary["test_" + name] = value;
  // PSNR, 10 log10(1 / MSE) in dB, applies to images with pixels in [0, 1] (not to the codes a
  // stacked autoencoder's deeper layers reconstruct): the test reconstructions and, with input
  // noise, the noisy inputs and their reconstructions.
  const DatasetInfo* data = find_dataset(config.data.name);
  if (!data || data->image_rows == 0 || test_set.features() != data->image_rows * data->image_cols)
    return;
  const auto psnr = [](double mse) { return 10.0 * std::log10(1.0 / mse); };
  for (const auto& [term, key] :
       {std::pair{"mse", "test_psnr_db"}, std::pair{"noisy_mse", "test_noisy_psnr_db"},
        std::pair{"corrupted_mse", "test_denoised_psnr_db"}})
    if (test.terms.count(term) && test.terms.at(term) > 0) summary[key] = psnr(test.terms.at(term));
}

int64_t optimizer_steps_per_epoch(const Config& c, int64_t train_size) {
  const int64_t batch = c.train.batch_size;
  const int64_t batches = c.train.drop_last ? train_size / batch : (train_size + batch - 1) / batch;
  return (batches + c.train.accumulate - 1) / c.train.accumulate;
}

std::string schedule_horizon_warning(const Experiment& e) {
  const Config& c = e.config;
  if (!e.schedule || c.model.kind == "stacked_autoencoder") return "";
  if (parse_schedule_interval(c.schedule.interval) == ScheduleInterval::Epoch)
    return horizon_mismatch(*e.schedule, c.train.epochs, "epoch", "schedule");
  const int64_t steps = optimizer_steps_per_epoch(c, e.train.size()) * c.train.epochs;
  return horizon_mismatch(*e.schedule, steps, "optimizer step", "schedule");
}

bool writes_run_dir() { return world().rank() == 0; }

RunOutcome train_run(Experiment& e, const std::filesystem::path& out_dir) {
  if (e.config.model.kind == "stacked_autoencoder") {
    refuse_stacked_under_mpi();
    return train_stacked_run(e, out_dir, false);
  }
  std::optional<RunLock> lock;
  if (writes_run_dir()) {
    lock.emplace(claim_new_run_dir(out_dir));
    write_file_atomically(out_dir / kConfigFile, to_toml(e.config));
    write_file_atomically(out_dir / kDataFile, to_json(e.signature).dump(2) + "\n");
  }
  return run_training(e, out_dir, std::nullopt);
}

Experiment load_resumable_run(const std::filesystem::path& run_dir,
                              const std::vector<std::string>& overrides) {
  for (const auto& o : overrides) {
    const std::string key = o.substr(0, o.find('='));
    if (std::find(kResumableKeys.begin(), kResumableKeys.end(), key) == kResumableKeys.end()) {
      std::string allowed;
      for (const auto& k : kResumableKeys) allowed += (allowed.empty() ? "" : ", ") + k;
      throw ConfigError("--set " + o + ": a resumed run keeps its configuration; only " + allowed +
                        " may change (to change anything else, start a new run from " +
                        "its weights: --set model.weights=" + (run_dir / kModelFile).string() +
                        ")");
    }
  }
  check_is_run_dir(run_dir);
  if (load_config(run_dir / kConfigFile, {}).model.kind == "stacked_autoencoder") {
    check_stacked_run_resumable(run_dir);
    return build_experiment(load_config(run_dir / kConfigFile, overrides));
  }
  // Without a checkpoint, an unfinished run starts again (resume_run); a finished one has
  // nothing to continue from.
  if (!std::filesystem::exists(run_dir / kCheckpointFile) &&
      std::filesystem::exists(run_dir / kSummaryFile))
    throw std::runtime_error(run_dir.string() + " has no " + kCheckpointFile +
                             " to resume from (it ended before its first checkpoint)");
  return build_experiment(load_config(run_dir / kConfigFile, overrides));
}

RunOutcome resume_run(Experiment& e, const std::filesystem::path& run_dir) {
  if (e.config.model.kind == "stacked_autoencoder") {
    refuse_stacked_under_mpi();
    return train_stacked_run(e, run_dir, true);
  }
  std::optional<RunLock> lock;
  if (writes_run_dir()) lock.emplace(run_dir);
  if (!std::filesystem::exists(run_dir / kCheckpointFile)) {
    // Stopped (killed) before its first checkpoint: from the start, with the same seed, so the
    // same run. Whatever it had written goes.
    if (verbosity() != Verbosity::Quiet)
      std::printf(
          "descent: %s has no %s (it stopped before writing one): training from the "
          "start\n",
          run_dir.string().c_str(), kCheckpointFile);
    if (writes_run_dir()) {
      for (const char* file : {kMetricsFile, kStepsFile, kCurvatureFile, kModelFile, kSummaryFile,
                               kDiagnosticsFile, kReportFile})
        std::filesystem::remove(run_dir / file);
      remove_stale_temporaries(run_dir);
      write_file_atomically(run_dir / kConfigFile, to_toml(e.config));
      write_file_atomically(run_dir / kDataFile, to_json(e.signature).dump(2) + "\n");
    }
    return run_training(e, run_dir, std::nullopt);
  }
  Checkpoint checkpoint = load_checkpoint(run_dir / kCheckpointFile);
  const CheckpointFields f(checkpoint);
  f.object("loop");
  const int64_t next_epoch = f.integer("loop.epoch", 1, INT64_MAX);
  const int64_t batch = f.integer("loop.batch", 0, INT64_MAX);
  const int64_t epochs = e.config.train.epochs;
  // A checkpoint at the start of the epoch after the last, but no summary.json: the run was
  // stopped after its last epoch, before it had written its results; resuming writes them.
  const bool finishing =
      next_epoch == epochs + 1 && batch == 0 && !std::filesystem::exists(run_dir / kSummaryFile);
  if (next_epoch > epochs && batch == 0 && !finishing)
    throw ConfigError(run_dir.string() + " has trained " + std::to_string(next_epoch - 1) +
                      " epochs already; to train more, resume with --set train.epochs=N, N > " +
                      std::to_string(next_epoch - 1));
  if (next_epoch > epochs && batch > 0)
    throw ConfigError(run_dir.string() + " stopped within epoch " + std::to_string(next_epoch) +
                      "; train.epochs must be at least " + std::to_string(next_epoch));
  return run_training(e, run_dir, std::move(checkpoint));
}

TrainedModel load_trained_model(const std::filesystem::path& run_dir) {
  const auto weights_path = finished_model_file(run_dir);
  TrainedModel run;
  run.dir = run_dir;
  run.config = load_config(run_dir / kConfigFile, {});
  run.config.model.weights.clear();  // the run's own weights replace whatever it started from
  run.data = read_data_signature(run_dir, run.config);
  run.model = build_model(run.config, run.data);
  load_weights(*run.model, weights_path);
  run.model->set_training(false);
  return run;
}

EvalResult evaluate_model(TrainedModel& run, const Dataset& data) {
  auto objective =
      build_objective(run.config, *run.model, static_cast<int64_t>(run.data.classes.size()));
  return evaluate(*objective, data);
}

EvalResult evaluate_run(const std::filesystem::path& run_dir) {
  TrainedModel run = load_trained_model(run_dir);
  Config config = run.config;
  return evaluate_model(run, load_test_data(config));
}

}  // namespace descent
