// descent schedule --spec SPEC --lr LR0 --steps N [--metrics FILE]
// descent schedule --list
// Prints the schedule as CSV: row s is the value optimizer step s uses (row 0: the initial one),
// plus the momentum column where the schedule cycles momentum. The optimizer is a one-parameter
// SGD with momentum 0.9; reduce_on_plateau reads one metric per line from FILE, the metric after
// step s driving row s + 1. --list prints one line per schedule: its name, its arguments with
// their defaults, and what it is.
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "descent/optim/sgd.h"
#include "descent/schedule/factory.h"

namespace cli {
namespace {

// "name  arg=default, ...  description", the names in one column.
void print_schedule_list() {
  size_t width = 0;
  for (const auto& info : descent::schedule_registry()) width = std::max(width, info.name.size());
  for (const auto& info : descent::schedule_registry()) {
    std::string args;
    for (const auto& def : info.args) args += (args.empty() ? "" : ", ") + def.usage();
    std::printf("%-*s  %s  -- %s\n", static_cast<int>(width), info.name.c_str(), args.c_str(),
                info.description.c_str());
  }
}

}  // namespace

void add_schedule_command(CLI::App& app) {
  struct Options {
    std::string spec, metrics;
    double lr = 0.1;
    int64_t steps = 100;
    bool list = false;
  };
  auto opts = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "schedule", "Print a learning-rate schedule as CSV (see docs/schedules.md)");
  cmd->add_option("--spec", opts->spec, "Schedule SPEC, e.g. cosine:t_max=100 (see --list)");
  cmd->add_option("--lr", opts->lr, "Initial learning rate (default 0.1)");
  cmd->add_option("--steps", opts->steps, "Rows to print (default 100)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--metrics", opts->metrics, "reduce_on_plateau: one metric per line")
      ->check(CLI::ExistingFile);
  cmd->add_flag("--list", opts->list, "Print every schedule with its arguments, and exit");
  cmd->callback([opts] {
    if (opts->list) return print_schedule_list();
    if (opts->spec.empty())
      throw std::invalid_argument("schedule: --spec SPEC is required (see --list)");
    descent::ParamGroup group;
    group.params.push_back(descent::Tensor::zeros({1}).requires_grad_());
    group.options["lr"] = opts->lr;
    descent::Hyperparams h = descent::SGD::default_hyperparams();
    h["momentum"] = 0.9;
    descent::SGD opt({group}, h);
    auto sched = descent::make_scheduler(opts->spec, opt);
    std::vector<double> metrics;
    if (!opts->metrics.empty()) {
      std::ifstream in(opts->metrics);
      std::string line;
      while (std::getline(in, line))
        if (line.find_first_not_of(" \t\r") != std::string::npos)
          metrics.push_back(std::stod(line));
    }
    if (sched->needs_metric() && static_cast<int64_t>(metrics.size()) < opts->steps - 1)
      throw std::invalid_argument("schedule '" + opts->spec + "' needs --metrics with at least " +
                                  std::to_string(opts->steps - 1) + " values (one per step)");
    const std::string mkey = sched->momentum_key();
    std::printf("step,lr%s\n", mkey.empty() ? "" : ("," + mkey).c_str());
    for (int64_t s = 0; s < opts->steps; ++s) {
      if (s > 0) {
        if (sched->needs_metric())
          sched->step(metrics[s - 1]);
        else
          sched->step();
      }
      std::printf("%lld,%.17g", static_cast<long long>(s), sched->values()[0]);
      if (!mkey.empty()) std::printf(",%.17g", opt.param_groups()[0].get(mkey));
      std::printf("\n");
    }
  });
}

}  // namespace cli
