// descent train [--config FILE.toml] [--set key=value]... [--unset key]... [--out DIR] [--seed N]
//               [--threads N] [--report | --no-report] [-q | -v] [--list KIND]
// descent train --resume RUN_DIR [--set train.epochs=M]...
// Exit status: 0 when training ended (completed or stopped early), 130 after Ctrl-C and 143 after
// SIGTERM (with a checkpoint to resume from), 3 when a non-finite loss or gradient stopped it, 4
// when it diverged (the loss exploded or a classifier stayed at chance; train.divergence: stopped
// after that epoch, or "warn": trained to the end; model.safetensors and summary.json are written
// either way).
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/listing.h"
#include "descent/app/run.h"
#include "descent/app/run_lock.h"
#include "descent/distributed/communicator.h"
#include "descent/nn/model_summary.h"
#include "descent/train/interrupt.h"
#include "descent/util/console.h"
#include "descent/util/threads.h"
#include "descent/util/work_context.h"

namespace cli {
namespace {

// A line fitted to a terminal at word boundaries; a log gets it whole.
void print_fitted(const std::string& line) {
  const int columns = descent::terminal_columns(stdout);
  std::printf("%s",
              columns > 0 ? descent::wrap_words(line, columns - 1).c_str() : (line + "\n").c_str());
}

void print_start(const descent::Experiment& e, const std::filesystem::path& dir, bool resuming) {
  if (descent::verbosity() == descent::Verbosity::Quiet) return;
  char line[1024];
  std::snprintf(line, sizeof line,
                "descent: %s the %s on %s (%lld train, %lld validation, %lld test) with %s, run "
                "directory %s",
                resuming ? "resuming" : "training", e.config.model.kind.c_str(),
                e.config.data.name.c_str(), static_cast<long long>(e.train.size()),
                static_cast<long long>(e.validation.size()), static_cast<long long>(e.test.size()),
                e.config.optimizer.name.c_str(), dir.string().c_str());
  print_fitted(line);
  // The model's layers.
  std::printf("%s", descent::summarize(*e.model, e.train.features()).text().c_str());
  // Optimizer steps, and the schedule's horizon (t_max, total_steps) checked against them.
  // (A stacked autoencoder trains in phases, each with its own epochs.)
  if (e.config.model.kind == "stacked_autoencoder") {
    std::fflush(stdout);
    return;
  }
  const int64_t steps = descent::optimizer_steps_per_epoch(e.config, e.train.size());
  const int64_t epochs = e.config.train.epochs;
  std::printf("%lld optimizer steps per epoch, %lld in %lld epochs\n",
              static_cast<long long>(steps), static_cast<long long>(steps * epochs),
              static_cast<long long>(epochs));
  const std::string horizon = descent::schedule_horizon_warning(e);
  if (!horizon.empty()) {
    std::fflush(stdout);
    std::fprintf(stderr, "descent: warning: %s\n", horizon.c_str());
  }
  if (descent::verbosity() == descent::Verbosity::Verbose)
    std::printf("seed %llu, %d threads, batch size %lld\n",
                static_cast<unsigned long long>(e.config.seed), descent::num_threads(),
                static_cast<long long>(e.config.train.batch_size));
  std::fflush(stdout);
}

void say_report(const descent::RunOutcome& outcome) {
  const auto file = outcome.dir / descent::kReportFile;
  if (!outcome.report_error.empty())
    std::fprintf(stderr, "descent: warning: %s not written: %s\n", file.string().c_str(),
                 outcome.report_error.c_str());
  else if (std::filesystem::exists(file) && descent::verbosity() != descent::Verbosity::Quiet)
    std::printf("report: %s\n", file.string().c_str());
}

// What model.safetensors holds, beside the best epoch: "weights of epoch 60, the last; best
// val_loss at epoch 25".
std::string which_weights(const descent::RunOutcome& outcome, const descent::Config& c) {
  const auto& t = outcome.train;
  const std::string epoch = std::to_string(outcome.weights_epoch);
  const std::string weights = c.ema.decay > 0 && c.ema.evaluate ? "averaged weights" : "weights";
  if (outcome.weights_best)
    return weights + " of epoch " + epoch + ", the best by " + outcome.best_by + ", restored";
  if (t.best_epoch == outcome.weights_epoch)
    return weights + " of epoch " + epoch + ", the last and the best by " + outcome.best_by;
  return weights + " of epoch " + epoch + ", the last; best " + outcome.best_by + " at epoch " +
         std::to_string(t.best_epoch);
}

// What to try for a diverging run: a tenth of the learning rate, gradient clipping.
std::string divergence_hint(const descent::Config& c) {
  std::string lr = "a smaller learning rate";
  const auto it = c.optimizer.args.find("lr");
  if (it != c.optimizer.args.end()) {
    char* end = nullptr;
    const double value = std::strtod(it->second.text.c_str(), &end);
    if (end && *end == '\0' && value > 0)
      lr += fmt::format(" (--set optimizer.lr={:g})", value / 10);
  }
  const std::string clip =
      c.clip.max_norm > 0 ? "a smaller clip.max_norm" : "gradient clipping (--set clip.max_norm=1)";
  return "try " + lr + " or " + clip;
}

void report(const descent::RunOutcome& outcome, const descent::Config& config) {
  const auto& t = outcome.train;
  if (!descent::writes_run_dir()) {
    // A worker rank: rank 0 says all this; the worker exits with the same status.
    if (t.stop_reason == descent::StopReason::Interrupted)
      throw ExitStatus{128 + (descent::interrupt_signal() ? descent::interrupt_signal() : SIGINT)};
    if (t.stop_reason == descent::StopReason::NonFinite) throw ExitStatus{3};
    if (!t.divergence.empty()) throw ExitStatus{4};
    return;
  }
  if (t.stop_reason == descent::StopReason::Interrupted ||
      t.stop_reason == descent::StopReason::NonFinite)
    say_report(outcome);
  const std::string dir = outcome.dir.string();
  if (t.stop_reason == descent::StopReason::Interrupted) {
    std::printf("descent: %s; checkpoint written to %s\nresume with: descent train --resume %s\n",
                t.stop_message.c_str(), outcome.checkpoint.string().c_str(), dir.c_str());
    // 128 + the signal, as a shell reports it: 130 for Ctrl-C, 143 for SIGTERM.
    throw ExitStatus{128 + (descent::interrupt_signal() ? descent::interrupt_signal() : SIGINT)};
  }
  if (t.stop_reason == descent::StopReason::NonFinite) {
    const auto checkpoint = outcome.dir / descent::kCheckpointFile;
    const std::string kept = std::filesystem::exists(checkpoint)
                                 ? "the last good checkpoint is " + checkpoint.string()
                                 : std::string("no checkpoint was written (no epoch finished)");
    std::fflush(stdout);
    const std::string before = t.divergence.empty() ? "" : "before that, " + t.divergence + "\n";
    std::fprintf(stderr,
                 "descent: error: %s\n%s%s; try a smaller lr, [clip] max_norm, or "
                 "train.on_non_finite = \"skip\"\n",
                 t.stop_message.c_str(), before.c_str(), kept.c_str());
    throw ExitStatus{3};
  }
  if (t.stop_reason == descent::StopReason::EarlyStopping)
    std::printf("early stopping: %s\n", t.stop_message.c_str());
  const bool tested = std::isfinite(outcome.test.loss);
  if (tested || outcome.test.examples == 0) {
    std::string line = tested ? fmt::format("test_loss {:.4f}", outcome.test.loss)
                              : std::string("no test set (data.test_size = 0), no test numbers");
    if (std::isfinite(outcome.test.accuracy))
      line += fmt::format("  test_accuracy {:.4f}", outcome.test.accuracy);
    if (outcome.weights_epoch > 0)
      line += fmt::format("  ({}; {:.1f}s)", which_weights(outcome, config), t.seconds);
    else  // a stacked autoencoder: its phases' weights, each phase's last
      line += fmt::format("  (best epoch {}, {:.1f}s)", t.best_epoch, t.seconds);
    print_fitted(line);
  }
  say_report(outcome);
  if (!t.divergence.empty()) {
    // After everything else, so that it is the last thing said.
    std::fflush(stdout);
    const std::string hint = divergence_hint(config);
    if (t.stop_reason == descent::StopReason::Diverged)
      std::fprintf(stderr,
                   "descent: error: %s; stopped after epoch %lld\n%s; train.divergence = "
                   "\"warn\" trains on regardless, \"off\" does not check\n",
                   t.stop_message.c_str(),
                   static_cast<long long>(t.history.empty() ? 0 : t.history.back().epoch),
                   hint.c_str());
    else
      std::fprintf(stderr,
                   "descent: warning: training diverged: %s; it trained on to the end "
                   "(train.divergence = \"warn\")\n%s\n",
                   t.divergence.c_str(), hint.c_str());
    throw ExitStatus{4};
  }
}

// Threads for this process: as set, or, when 0 under mpirun, the machine's cores shared among the
// ranks on it (0, every core, for a single process).
int threads_per_rank(int threads) {
  const descent::Communicator& world = descent::world();
  if (threads > 0 || world.size() == 1) return threads;
  return std::max(1, descent::core_count() / world.local_size());
}

// The run, with what it is doing noted for a message if memory runs out (util/work_context.h).
template <class Run>
descent::RunOutcome in_context(const std::string& what, Run run) {
  const descent::WorkContext step(what);
  return run();
}

constexpr const char* kTrainExamples = R"text(
Examples:
  descent train                         the built-in job: Fashion-MNIST, MLP 784-256-256-10, Adam
  descent train --config examples/sgd.toml --set optimizer.lr=0.05
  descent train --set optimizer.name=sgd --set optimizer.momentum=0.9 --set train.epochs=5
  descent train --set optimizer.name=adam --set "optimizer.betas=(0.9,0.99)"
  descent train --config examples/classification.toml -q
  descent train --config runs/a/config.toml --set optimizer.name=sgd --unset schedule
  descent train --resume runs/a --set train.epochs=20

Every key, with its default: docs/configuration.md, or --list keys. Optimizers and their
hyper-parameters: --list optimizers; schedules: --list schedules; data: --list datasets.
Exit status: 0 done (completed or stopped early), 1 error, 2 bad command line, 3 non-finite
loss, 4 diverged (train.divergence), 130 interrupted by Ctrl-C, 143 by SIGTERM (resume with
--resume).)text";

}  // namespace

void add_train_command(CLI::App& app) {
  struct Options {
    std::string config, out, resume;
    std::vector<std::string> sets, unsets;
    std::string seed, threads;
    bool report = false, no_report = false, quiet = false, verbose = false;
  };
  auto opts = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "train", "Train a network (default: Fashion-MNIST MLP 784-256-256-10, Adam, 10 epochs)");
  cmd->footer(kTrainExamples);
  cmd->add_option("--config", opts->config, "TOML configuration file (see docs/configuration.md)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--set", opts->sets,
                  "Override a setting, e.g. --set train.epochs=3 (repeatable; keys: --list keys)")
      ->allow_extra_args(false)
      ->type_name("KEY=VALUE");
  cmd->add_option("--unset", opts->unsets,
                  "Remove a key or a whole table the --config file sets, so its default applies "
                  "(repeatable), e.g. --unset schedule")
      ->allow_extra_args(false)
      ->type_name("KEY");
  cmd->add_option("--out", opts->out, "Run directory (default: runs/<date-time>)")
      ->type_name("DIR");
  cmd->add_option("--seed", opts->seed, "Random seed (same as --set seed=N)")
      ->type_name("N")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--threads", opts->threads, "Threads for every parallel part (0: all cores)")
      ->type_name("N")
      ->check(CLI::NonNegativeNumber);
  auto* quiet =
      cmd->add_flag("-q,--quiet", opts->quiet, "Print only the final result, warnings and errors");
  cmd->add_flag("-v,--verbose", opts->verbose, "Print every epoch's line, and the settings used")
      ->excludes(quiet);
  auto* with_report = cmd->add_flag(
      "--report", opts->report,
      "Write report.html into the run directory when it ends (report.write, on by default)");
  cmd->add_flag("--no-report", opts->no_report, "Do not write report.html (report.write=false)")
      ->excludes(with_report);
  cmd->add_option("--resume", opts->resume,
                  "Continue the run in this directory from its checkpoint (--set train.epochs=N "
                  "to train longer)")
      ->type_name("RUN_DIR");
  add_list_option(cmd, {"optimizers", "schedules", "datasets", "layers", "losses", "keys"});
  cmd->callback([opts] {
    descent::set_verbosity(opts->quiet     ? descent::Verbosity::Quiet
                           : opts->verbose ? descent::Verbosity::Verbose
                                           : descent::Verbosity::Normal);
    // Under mpirun (docs/distributed.md) rank 0 speaks for the run; the other ranks say only
    // their errors.
    if (!descent::writes_run_dir()) {
      descent::set_verbosity(descent::Verbosity::Quiet);
      if (!std::freopen("/dev/null", "w", stdout))
        throw std::runtime_error("cannot send a worker rank's output to /dev/null");
    }
    // Open MPI hands every rank a pseudo-terminal, whatever mpirun's own output is: rank 0 writes
    // a log (whole lines, no progress line drawn over), which a file or a terminal both show.
    if (descent::world().size() > 1) descent::set_output_is_log(true);
    std::vector<std::string> overrides = opts->sets;
    if (!opts->seed.empty()) overrides.push_back("seed=" + opts->seed);
    if (!opts->threads.empty()) overrides.push_back("threads=" + opts->threads);
    if (opts->report) overrides.push_back("report.write=true");
    if (opts->no_report) overrides.push_back("report.write=false");
    if (!opts->resume.empty()) {
      std::string given;
      if (!opts->config.empty()) given += " --config";
      if (!opts->out.empty()) given += " --out";
      if (!opts->unsets.empty()) given += " --unset";
      if (!given.empty())
        throw std::runtime_error(
            "--resume continues a run with its own config.toml and directory: drop" + given);
      const std::filesystem::path dir = opts->resume;
      // Held from here to the end: a run another process is training is refused at once.
      descent::check_is_run_dir(dir);
      std::optional<descent::RunLock> lock;
      if (descent::writes_run_dir()) lock.emplace(dir);
      descent::Experiment experiment = descent::load_resumable_run(dir, overrides);
      descent::set_num_threads(threads_per_rank(experiment.config.threads));
      print_start(experiment, dir, true);
      report(in_context("training " + dir.string(),
                        [&] { return descent::resume_run(experiment, dir); }),
             experiment.config);
      return;
    }
    descent::Config config = descent::load_config(opts->config, overrides, opts->unsets);
    descent::set_num_threads(threads_per_rank(config.threads));
    descent::Experiment experiment = descent::build_experiment(config);
    // The configuration's notes, then the data's (how labels became classes).
    if (descent::verbosity() != descent::Verbosity::Quiet)
      for (const std::string& note : experiment.config.notes)
        std::fprintf(stderr, "descent: note: %s\n", note.c_str());
    const auto dir =
        opts->out.empty() ? descent::default_run_dir() : std::filesystem::path(opts->out);
    print_start(experiment, dir, false);
    report(
        in_context("training " + dir.string(), [&] { return descent::train_run(experiment, dir); }),
        experiment.config);
  });
}

}  // namespace cli
