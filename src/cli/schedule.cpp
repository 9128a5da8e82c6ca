// descent schedule --spec SPEC --lr LR0 --steps N [--metrics FILE] [--plot FILE]
// descent schedule --list   (every schedule: its name, its arguments with defaults, what it is)
// Prints the schedule as CSV: row s is the value optimizer step s uses (row 0: the initial one),
// plus the momentum column where the schedule cycles momentum. The optimizer is a one-parameter
// SGD with momentum 0.9; reduce_on_plateau reads one metric per line from FILE, the metric after
// step s driving row s + 1.
//
// --plot FILE (.html, .svg or .png) draws the curve instead; --spec may then repeat to overlay
// several schedules (each its own optimizer, the same --lr, --steps and metrics), with a second
// chart for momentum when any of them cycles it.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/listing.h"
#include "descent/plot/export.h"
#include "descent/plot/palette.h"
#include "descent/plot/provenance.h"
#include "descent/schedule/factory.h"
#include "descent/schedule/trace.h"
#include "descent/util/excerpt.h"
#include "descent/util/memory.h"
#include "descent/util/number_text.h"
#include "descent/util/spec.h"

namespace cli {
namespace {

// Rows past the end a decay plans (a cosine's t_max) show what it does beyond it: said once.
void note_past_horizon(const descent::ScheduleTrace& trace, int64_t steps) {
  const std::optional<descent::ScheduleHorizon>& h = trace.horizon;
  if (!h || !h->ends_with_run || steps - 1 <= h->length) return;
  std::fprintf(stderr, "descent: note: '%s' ends at step %lld (%s); past it the lr %s\n",
               trace.spec.c_str(), static_cast<long long>(h->length), h->setting.c_str(),
               h->past.c_str());
}

// One finite number per non-blank line; anything else names the file, line and text.
std::vector<double> read_metrics(const std::string& file) {
  std::ifstream in(file);
  if (!in) throw std::runtime_error("--metrics " + file + ": cannot open the file");
  std::vector<double> metrics;
  std::string line;
  for (int64_t number = 1; std::getline(in, line); ++number) {
    const size_t begin = line.find_first_not_of(" \t\r");
    if (begin == std::string::npos) continue;
    const std::string text = line.substr(begin, line.find_last_not_of(" \t\r") + 1 - begin);
    double value = 0;
    const char* first = text.data() + (text[0] == '+' && text.size() > 1 && text[1] != '-');
    const auto [end, ec] = std::from_chars(first, text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value))
      throw std::invalid_argument("--metrics " + file + ":" + std::to_string(number) + ": '" +
                                  descent::excerpt(text) +
                                  "' is not a finite number (expected one metric per line)");
    metrics.push_back(value);
  }
  return metrics;
}

void print_csv(const descent::ScheduleTrace& trace) {
  const std::string& mkey = trace.momentum_key;
  std::printf("step,lr%s\n", mkey.empty() ? "" : ("," + mkey).c_str());
  for (size_t s = 0; s < trace.lr.size(); ++s) {
    std::printf("%lld,%s", static_cast<long long>(s), descent::shortest_text(trace.lr[s]).c_str());
    if (!mkey.empty()) std::printf(",%s", descent::shortest_text(trace.momentum[s]).c_str());
    std::printf("\n");
  }
}

// The learning rate of every schedule against step (one line each, coloured by family), and
// momentum likewise when any schedule cycles it.
void plot_traces(const std::vector<descent::ScheduleTrace>& traces, double lr, int64_t steps,
                 const std::string& metrics, const std::string& file) {
  namespace plot = descent::plot;
  auto chart = [](const std::string& id, const std::string& y_title) {
    plot::LineChart c;
    c.id = id;
    c.title = c.y_title = y_title;
    c.x_title = "step";
    c.width = 560;
    c.height = 260;
    return c;
  };
  plot::LineChart lr_chart = chart("lr", "learning rate"), momentum = chart("momentum", "momentum");
  std::vector<std::string> families;
  for (const descent::ScheduleTrace& t : traces)
    families.push_back(descent::parse_spec(t.spec).name);
  const std::vector<std::string> keys = plot::distinct_color_keys(families);
  for (size_t k = 0; k < traces.size(); ++k) {
    plot::Series series;
    series.name = traces[k].spec;
    series.color_key = keys[k];
    for (size_t s = 0; s < traces[k].lr.size(); ++s) series.x.push_back(static_cast<double>(s));
    series.y = traces[k].lr;
    lr_chart.series.push_back(series);
    if (!traces[k].momentum_key.empty()) {
      series.y = traces[k].momentum;
      momentum.series.push_back(std::move(series));
    }
  }
  std::vector<plot::Figure> figures = {lr_chart};
  if (!momentum.series.empty()) figures.push_back(momentum);
  nlohmann::json specs = nlohmann::json::array();
  for (const descent::ScheduleTrace& t : traces) specs.push_back(t.spec);
  nlohmann::json config = {{"specs", specs}, {"lr", lr}, {"steps", steps}};
  if (!metrics.empty()) config["metrics"] = metrics;
  const nlohmann::json provenance = {
      {"command", plot::command_line()},
      {"seed", nullptr},
      {"config", config},
      {"note", "descent schedule draws no random numbers: the command alone reproduces it"}};
  plot::write_figures(figures, file, provenance, "descent schedule");
}

}  // namespace

void add_schedule_command(CLI::App& app) {
  struct Options {
    std::vector<std::string> specs;
    std::string metrics, plot;
    double lr = 0.1;
    int64_t steps = 100;
  };
  auto opts = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "schedule", "Print a learning-rate schedule as CSV, or plot it (see docs/schedules.md)");
  cmd->add_option("--spec", opts->specs,
                  "Schedule SPEC, e.g. cosine:t_max=100 (see --list); repeatable with --plot")
      ->allow_extra_args(false);
  cmd->add_option("--lr", opts->lr, "Initial learning rate (default 0.1)");
  cmd->add_option("--steps", opts->steps, "Rows to print (default 100)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--metrics", opts->metrics, "reduce_on_plateau: one metric per line")
      ->check(CLI::ExistingFile);
  cmd->add_option(
      "--plot", opts->plot,
      "Draw the schedule(s) instead of printing: FILE.html (interactive), .svg or .png");
  add_list_option(cmd, {"schedules"});
  cmd->footer(R"(
Examples:
  descent schedule --spec cosine:t_max=100 --lr 0.1 --steps 100
  descent schedule --spec onecycle:max_lr=0.1,total_steps=1000 --steps 1000 --plot onecycle.png
  descent schedule --spec step:step_size=30 --spec cosine:t_max=90 --steps 90 --plot lr.html
Every schedule with its arguments: --list.)");
  cmd->callback([opts] {
    if (opts->specs.empty())
      throw std::invalid_argument("schedule: --spec SPEC is required (see --list)");
    if (!opts->plot.empty()) descent::plot::check_figure_tools(opts->plot);
    if (opts->specs.size() > 1 && opts->plot.empty())
      throw std::invalid_argument(
          "schedule: several --spec overlay in a figure only: add --plot FILE (.html, .svg or "
          ".png), or give one --spec for CSV");
    const std::vector<double> metrics =
        opts->metrics.empty() ? std::vector<double>{} : read_metrics(opts->metrics);
    // Every schedule is built and run before anything is written: its rows are held in memory.
    descent::check_fits_in_memory(
        16.0 * static_cast<double>(opts->steps) * static_cast<double>(opts->specs.size()),
        "--steps " + std::to_string(opts->steps) + " rows");
    std::vector<descent::ScheduleTrace> traces;
    for (const std::string& spec : opts->specs) {
      traces.push_back(descent::trace_schedule(spec, opts->lr, opts->steps, metrics));
      note_past_horizon(traces.back(), opts->steps);
    }
    if (opts->plot.empty())
      print_csv(traces[0]);
    else
      plot_traces(traces, opts->lr, opts->steps, opts->metrics, opts->plot);
  });
}

}  // namespace cli
