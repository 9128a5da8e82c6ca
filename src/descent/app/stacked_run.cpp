#include "descent/app/stacked_run.h"

#include <cstdio>
#include <cstring>
#include <map>
#include <optional>
#include <sstream>

#include "descent/app/report.h"
#include "descent/app/run_lock.h"
#include "descent/app/stacked_config.h"
#include "descent/autograd/grad_mode.h"
#include "descent/io/atomic_file.h"
#include "descent/io/json_input.h"
#include "descent/io/model_weights.h"
#include "descent/nn/autoencoder.h"
#include "descent/train/checkpoint.h"
#include "descent/train/checkpoint_fields.h"
#include "descent/train/interrupt.h"
#include "descent/util/console.h"

namespace descent {
namespace {

namespace fs = std::filesystem;

nlohmann::json read_json(const fs::path& path) {
  return parse_json(read_file(path), path.string(), "the file");
}

// The codes of `data` through the encoder, in evaluation mode, as a dataset with the same
// labels: what the next layer trains on.
Dataset encode(Autoencoder& model, const Dataset& data, const std::string& name) {
  Dataset codes = data;
  codes.name = name;
  if (data.size() == 0) return codes;
  NoGradGuard no_grad;
  model.set_training(false);
  constexpr int64_t kBatch = 4096;
  Tensor out;
  for (int64_t start = 0; start < data.size(); start += kBatch) {
    const Tensor h = model.encode(data.input_rows(start, std::min(data.size(), start + kBatch)));
    if (!out.defined()) out = Tensor::empty({data.size(), h.size(1)});
    std::memcpy(out.data() + start * h.size(1), h.data(), sizeof(float) * h.numel());
  }
  model.set_training(true);
  codes.set_inputs(out);
  return codes;
}

// Copies every parameter of `from` into `to` under the name `rename` gives it.
template <class Rename>
void copy_parameters(const Module& from, Module& to, Rename rename) {
  std::map<std::string, Tensor> target;
  for (const auto& p : to.named_parameters()) target[p.name] = p.tensor;
  for (const auto& p : from.named_parameters()) target.at(rename(p.name)).copy_from(p.tensor);
}

bool checkpoint_is_final(const fs::path& path, int64_t epochs) {
  const Checkpoint checkpoint = load_checkpoint(path);
  const CheckpointFields f(checkpoint);
  f.object("loop");
  return f.integer("loop.epoch", 1, INT64_MAX) > epochs &&
         f.integer("loop.batch", 0, INT64_MAX) == 0;
}

// One phase in its sub-directory: kept when done (its weights loaded into the phase's model),
// continued from its checkpoint, or trained from the start. `before_training` prepares a fresh
// start (the fine-tuning phase starts from the assembled stack).
template <class Prepare>
RunOutcome run_phase(Experiment& phase, const fs::path& dir, Prepare before_training) {
  RunOutcome outcome;
  outcome.dir = dir;
  if (fs::exists(dir / kSummaryFile)) {
    if (!fs::exists(dir / kModelFile))
      throw std::runtime_error(dir.string() + " ended without " + kModelFile + " (" +
                               read_json(dir / kSummaryFile).value("stop_reason", "") +
                               "): start the stacked run again");
    load_weights(*phase.model, dir / kModelFile);
    return outcome;
  }
  const fs::path checkpoint = dir / kCheckpointFile;
  if (fs::exists(checkpoint) && !checkpoint_is_final(checkpoint, phase.config.train.epochs))
    return resume_run(phase, dir);
  // Never started, or stopped before its first checkpoint or after its last: from the start
  // (the same seed, so the same run).
  fs::remove_all(dir);
  before_training(phase);
  return train_run(phase, dir);
}

void say_phase(const std::string& name, const Experiment& phase) {
  if (verbosity() == Verbosity::Quiet) return;
  std::printf("descent: phase %s: %s on %s (%lld features), %lld epochs\n", name.c_str(),
              phase.model->describe().c_str(), phase.train.name.c_str(),
              static_cast<long long>(phase.train.features()),
              static_cast<long long>(phase.config.train.epochs));
  std::fflush(stdout);
}

// A phase that diverged (train.divergence = "stop") ends the stack too: the next phase would
// train on its codes.
bool finished(const RunOutcome& o) {
  return o.train.stop_reason != StopReason::Interrupted &&
         o.train.stop_reason != StopReason::NonFinite &&
         o.train.stop_reason != StopReason::Diverged;
}

// The top run's metrics.jsonl: every phase's epochs, in order, each marked with its phase.
void write_metrics(const fs::path& dir, const std::vector<std::string>& phases) {
  std::string lines;
  for (const auto& phase : phases)
    for (std::istringstream in(read_file(dir / phase / kMetricsFile)); !in.eof();) {
      std::string line;
      std::getline(in, line);
      if (line.empty()) continue;
      nlohmann::json epoch = parse_json(line, (dir / phase / kMetricsFile).string(), "a line");
      epoch["phase"] = phase;
      lines += epoch.dump() + "\n";
    }
  write_file_atomically(dir / kMetricsFile, lines);
}

}  // namespace

void check_stacked_run_resumable(const fs::path& dir) {
  if (fs::exists(dir / kSummaryFile))
    throw ConfigError(dir.string() +
                      " has finished: every phase of the stacked autoencoder is trained (to "
                      "train more, start a new run)");
}

RunOutcome train_stacked_run(Experiment& e, const fs::path& dir, bool resuming) {
  const Config& c = e.config;
  std::optional<RunLock> lock;
  if (resuming) {
    lock.emplace(dir);
    fs::remove(dir / kSummaryFile);
    fs::remove(dir / kModelFile);  // the stack's weights are written again when it ends
    remove_stale_temporaries(dir);
  } else {
    lock.emplace(claim_new_run_dir(dir));
  }
  write_file_atomically(dir / kConfigFile, to_toml(c));
  const std::vector<std::string> phases = stacked_phase_names(c);
  auto& stack = dynamic_cast<Autoencoder&>(*e.model);

  ExperimentData codes{e.train, e.validation, e.test};
  nlohmann::json phase_summaries = nlohmann::json::array();
  RunOutcome outcome;
  outcome.dir = dir;
  const auto stopped = [&](RunOutcome phase_outcome, const std::string& phase) {
    phase_outcome.train.stop_message += " (phase " + phase + ")";
    phase_outcome.dir = dir;
    return phase_outcome;
  };
  // A Ctrl-C that came as a phase finished (after its last step): stop before the next phase.
  const auto interrupted_after = [&](const std::string& phase) {
    RunOutcome o;
    o.dir = dir;
    o.checkpoint = dir / phase / kModelFile;
    o.train.stop_reason = StopReason::Interrupted;
    o.train.stop_message = "interrupted after phase " + phase;
    return o;
  };
  const auto done = [&](const std::string& phase) {
    nlohmann::json s = read_json(dir / phase / kSummaryFile);
    outcome.train.seconds += s.value("seconds", 0.0);
    // With train.divergence = "warn": the first phase that diverged is the run's divergence.
    if (s.value("diverged", false) && outcome.train.divergence.empty())
      outcome.train.divergence = "phase " + phase + ": " + s.value("divergence", std::string());
    phase_summaries.push_back({{"phase", phase}, {"summary", s}});
  };
  for (size_t k = 1; k <= c.model.stack.size(); ++k) {
    const std::string& name = phases[k - 1];
    Experiment phase = build_experiment_on(stacked_layer_config(c, k), codes);
    say_phase(name, phase);
    RunOutcome r = run_phase(phase, dir / name, [](Experiment&) {});
    if (!finished(r)) return stopped(std::move(r), name);
    if (interrupt_requested()) return interrupted_after(name);
    done(name);
    copy_parameters(*phase.model, stack,
                    [&](const std::string& n) { return stacked_parameter_name(c, k, n); });
    if (k == c.model.stack.size()) break;
    auto& layer = dynamic_cast<Autoencoder&>(*phase.model);
    const std::string of = " codes of layer " + std::to_string(k);
    codes = {encode(layer, codes.train, e.train.name + of),
             encode(layer, codes.validation, e.validation.name + of),
             encode(layer, codes.test, e.test.name + of)};
  }
  if (c.autoencoder.fine_tune_epochs > 0) {
    Experiment whole =
        build_experiment_on(stacked_model_config(c), {e.train, e.validation, e.test});
    say_phase("fine-tune", whole);
    RunOutcome r = run_phase(whole, dir / "fine-tune", [&](Experiment& fresh) {
      copy_parameters(stack, *fresh.model, [](const std::string& n) { return n; });
    });
    if (!finished(r)) return stopped(std::move(r), "fine-tune");
    done("fine-tune");
    copy_parameters(*whole.model, stack, [](const std::string& n) { return n; });
  }

  save_weights(stack, dir / kModelFile);
  write_metrics(dir, phases);
  outcome.test = evaluate(*e.objective, e.test);
  nlohmann::json summary = read_json(dir / phases.back() / kSummaryFile);
  for (auto it = summary.begin(); it != summary.end();)
    it = it.key().rfind("test_", 0) == 0 ? summary.erase(it) : ++it;
  // Which epoch's weights is a phase's own matter (in "phases"): the stack holds every phase's.
  summary.erase("weights_epoch");
  summary.erase("weights");
  if (summary.contains("diverged")) {
    summary["diverged"] = !outcome.train.divergence.empty();
    summary.erase("divergence");
    if (!outcome.train.divergence.empty()) summary["divergence"] = outcome.train.divergence;
  }
  summary["kind"] = "stacked_autoencoder";
  summary["phases"] = phase_summaries;
  summary["seconds"] = outcome.train.seconds;
  int64_t epochs = 0;
  for (const auto& p : phase_summaries) epochs += p["summary"].value("epochs", int64_t{0});
  summary["epochs"] = epochs;
  add_test_results(summary, outcome.test, c, e.test);
  write_file_atomically(dir / kSummaryFile, summary.dump(2) + "\n");
  outcome.train.best_epoch = summary.value("best_epoch", int64_t{0});
  if (c.report.write) {
    try {
      write_run_report(dir);
    } catch (const std::exception& ex) {
      outcome.report_error = ex.what();
    }
  }
  return outcome;
}

}  // namespace descent
