#include "descent/sweep/sweep.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <numeric>
#include <optional>
#include <thread>

#include <fmt/format.h>

#include "descent/app/run_dir.h"
#include "descent/app/run_lock.h"
#include "descent/io/atomic_file.h"
#include "descent/io/json_input.h"
#include "descent/sweep/launcher_rank.h"
#include "descent/sweep/sweep_report.h"
#include "descent/sweep/trial_processes.h"
#include "descent/train/interrupt.h"
#include "descent/util/threads.h"

namespace descent::sweep {
namespace {

enum class TrialState { Fresh, Resume, Done };

// What a trial directory needs to reach `epochs` (0: its own train.epochs).
TrialState trial_state(const std::filesystem::path& dir, int64_t epochs) {
  if (!std::filesystem::exists(dir) || run_dir_is_empty(dir)) return TrialState::Fresh;
  const auto summary_file = dir / kSummaryFile;
  if (std::filesystem::exists(summary_file)) {
    const nlohmann::json summary =
        parse_json(read_file(summary_file), summary_file.string(), "the summary");
    const bool completed = summary.value("stop_reason", std::string()) == "completed";
    if (completed && epochs > 0 && summary.value("epochs", int64_t{0}) < epochs)
      return TrialState::Resume;
    return TrialState::Done;
  }
  // Cut short: from its checkpoint, or (killed in its first epoch) from the start.
  return std::filesystem::exists(dir / kCheckpointFile) ? TrialState::Resume : TrialState::Fresh;
}

// Another process (a trial of a sweep killed a moment ago, still writing its checkpoint) may
// hold the directory; it lets go within seconds.
void wait_until_free(const std::filesystem::path& dir,
                     const std::function<void(const std::string&)>& progress) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  bool said = false;
  while (pid_t holder = run_dir_holder(dir)) {
    if (!said && progress)
      progress(fmt::format("waiting for process {} to let go of {}", holder, dir.string()));
    said = true;
    if (std::chrono::steady_clock::now() > deadline)
      throw std::runtime_error(fmt::format(
          "{} is still held by process {} after 2 minutes; is another sweep running there?",
          dir.string(), holder));
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

std::string log_tail(const std::filesystem::path& log, size_t lines) {
  std::ifstream in(log);
  std::vector<std::string> all;
  for (std::string line; std::getline(in, line);) all.push_back(line);
  std::string out;
  for (size_t i = all.size() > lines ? all.size() - lines : 0; i < all.size(); ++i)
    out += all[i] + "\n";
  return out;
}

}  // namespace

std::pair<int, int> parallel_and_threads(int parallel, int threads) {
  const int cores = core_count();
  if (parallel <= 0 && threads <= 0) return {cores, 1};
  if (parallel <= 0) return {std::max(1, cores / threads), threads};
  if (threads <= 0) return {parallel, std::max(1, cores / parallel)};
  return {parallel, threads};
}

SweepOutcome run_sweep(const SweepOptions& options) {
  SweepOutcome outcome;
  outcome.plan = make_plan(options.plan);
  const SweepPlan& plan = outcome.plan;
  const LauncherRank me = launcher_rank();
  const auto [parallel, threads] = parallel_and_threads(options.parallel, options.threads);
  const std::filesystem::path program =
      options.program.empty() ? descent_program() : options.program;
  auto say = [&](const std::string& line) {
    if (options.progress) options.progress(line);
  };

  // Rank 0 writes the plan; the others wait for it and check that it is theirs.
  if (me.rank == 0) {
    write_or_check_plan(plan);
  } else {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (!std::filesystem::exists(plan.dir / kPlanFile)) {
      if (std::chrono::steady_clock::now() > deadline)
        throw std::runtime_error("rank " + std::to_string(me.rank) + ": no " + kPlanFile +
                                 " from rank 0 in " + plan.dir.string() + " after 2 minutes");
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    write_or_check_plan(plan);
  }
  std::filesystem::create_directories(plan.dir / kLogDir);
  // One sweep at a time in a directory (ranks of one launch share it).
  std::optional<RunLock> lock;
  if (me.size == 1) lock.emplace(plan.dir);
  const InterruptGuard interrupts;

  std::vector<int64_t> alive(plan.configurations.size());
  std::iota(alive.begin(), alive.end(), 0);
  std::vector<int64_t> rungs = plan.halving.epochs;
  rungs.push_back(plan.halving.on() ? plan.epochs : 0);
  size_t finished = 0;
  for (size_t rung = 0; rung < rungs.size(); ++rung) {
    const int64_t epochs = rungs[rung];
    const bool last = rung + 1 == rungs.size();
    if (plan.halving.on())
      say(fmt::format("rung {} of {}: {} configurations to epoch {}", rung + 1, rungs.size(),
                      alive.size(), epochs));
    std::vector<TrialJob> jobs;
    std::vector<const Trial*> in_race;
    for (size_t i = 0; i < plan.trials.size(); ++i) {
      const Trial& t = plan.trials[i];
      if (std::find(alive.begin(), alive.end(), t.config) == alive.end()) continue;
      in_race.push_back(&t);
      if (static_cast<int>(i % static_cast<size_t>(me.size)) != me.rank) continue;
      const auto dir = plan.trial_dir(t);
      std::filesystem::remove(plan.dir / kLogDir / (t.name + ".failed"));
      wait_until_free(dir, say);
      const TrialState state = trial_state(dir, epochs);
      if (state == TrialState::Done) continue;
      TrialJob job{t.name, {"train"}, plan.dir / kLogDir / (t.name + ".log")};
      const std::string thread_text = std::to_string(threads);
      if (state == TrialState::Resume) {
        job.args.insert(job.args.end(), {"--resume", dir.string()});
      } else {
        std::filesystem::remove_all(dir);
        if (!plan.base_config.empty())
          job.args.insert(job.args.end(), {"--config", (plan.dir / kBaseConfigFile).string()});
        job.args.insert(job.args.end(), {"--out", dir.string(), "--no-report"});
        for (const std::string& set : plan.overrides(t))
          job.args.insert(job.args.end(), {"--set", set});
      }
      job.args.insert(job.args.end(), {"--threads", thread_text, "-q"});
      if (epochs > 0)
        job.args.insert(job.args.end(), {"--set", "train.epochs=" + std::to_string(epochs)});
      jobs.push_back(std::move(job));
    }
    if (!jobs.empty())
      say(fmt::format("{} trials to train, {} at a time with {} thread{} each", jobs.size(),
                      parallel, threads, threads == 1 ? "" : "s"));
    const bool completed = run_trial_processes(program, jobs, parallel, [&](const TrialExit& exit) {
      const auto log = plan.dir / kLogDir / (exit.name + ".log");
      // 0: trained; 3 and 4: stopped by a non-finite loss or divergence, a result like any other.
      if (exit.status == 0 || exit.status == 3 || exit.status == 4) {
        if (last) ++finished;
        say(fmt::format(
            "[{}] {} done",
            last ? fmt::format("{}/{}", finished, jobs.size()) : fmt::format("epoch {}", epochs),
            exit.name));
      } else if (exit.status != 130 && exit.status != 143) {
        ++outcome.failed;
        const std::string why = fmt::format("exit status {}\n{}", exit.status, log_tail(log, 5));
        write_file_atomically(plan.dir / kLogDir / (exit.name + ".failed"), why);
        say(fmt::format("{} failed ({}), see {}", exit.name,
                        exit.status == 127 ? "the descent program did not start"
                                           : "exit status " + std::to_string(exit.status),
                        log.string()));
      }
    });
    if (!completed) {
      outcome.interrupted = true;
      return outcome;
    }
    // Every rank waits for the whole rung: the next rung's race is decided on all of it.
    if (me.size > 1) {
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::hours(24 * 7);
      for (const Trial* t : in_race) {
        while (!std::filesystem::exists(plan.dir / kLogDir / (t->name + ".failed")) &&
               trial_state(plan.trial_dir(*t), epochs) != TrialState::Done) {
          if (interrupt_requested()) {
            outcome.interrupted = true;
            return outcome;
          }
          if (std::chrono::steady_clock::now() > deadline)
            throw std::runtime_error("gave up waiting for trial " + t->name);
          std::this_thread::sleep_for(std::chrono::milliseconds(250));
        }
      }
    }
    if (!last) alive = halving_survivors(plan, alive, epochs);
  }

  outcome.results = read_results(plan);
  if (me.rank != 0) return outcome;
  write_results(plan, outcome.results);
  outcome.wrote_results = true;
  if (options.report) {
    try {
      write_sweep_report(plan, outcome.results, options.command);
    } catch (const std::exception& e) {
      outcome.report_error = e.what();
    }
  }
  return outcome;
}

}  // namespace descent::sweep
