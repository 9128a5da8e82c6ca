// descent optimize --function NAME[:key=value] --optimizer SPEC [--optimizer SPEC]...
//                  [--start X,Y] [--steps N] [--out FILE.csv] [--plot FILE [--grid N]]
//
// Runs optimizers on a 2-D test function (src/descent/functions/test_functions.h) and writes the
// path as CSV:  step,x,y,loss,grad_norm,lr  (with a leading `optimizer` column, holding the SPEC,
// when more than one --optimizer is given; all runs share the start). Row 0 is the start; row s is
// the point after s steps with its loss and gradient norm there, and lr is the group's lr used for
// step s (row 0: the lr the first step will use). Every step goes through step(closure), so
// optimizers that re-evaluate the loss (L-BFGS, SAM, look-ahead schemes) work unchanged. For
// schedule-free optimizers the point is x, the average they return, not y, where they take
// gradients.
//
// A run that diverges stops there: at the first point, loss or gradient that is not finite (not
// written; exit status 3), or at the first point farther than 1e3 (|start| + 1) from the origin
// (written; exit status 4, as `descent train` for a diverging run), with a message naming the
// step. The other runs go on, and the CSV or figure holds every path as far as it went.
//
// --plot FILE (.html, .svg or .png) draws the runs instead of printing them: the function's
// contour plot over its usual window (widened to hold the start) with every path, and beside it
// loss and gradient norm against step (log scale). --out still writes the CSV.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/listing.h"
#include "descent/functions/test_functions.h"
#include "descent/io/atomic_file.h"
#include "descent/ops/ops.h"
#include "descent/optim/registry.h"
#include "descent/plot/export.h"
#include "descent/plot/optimizer_race.h"
#include "descent/plot/provenance.h"
#include "descent/util/number_text.h"
#include "descent/util/spec.h"

namespace cli {
namespace {

// "X,Y" -> two finite numbers; anything else is refused with the text.
std::pair<double, double> parse_start(const std::string& text) {
  const size_t comma = text.find(',');
  auto number = [&](const std::string& s) {
    size_t used = 0;
    double v = 0;
    try {
      v = std::stod(s, &used);
    } catch (const std::exception&) {
      used = std::string::npos;
    }
    while (used != std::string::npos && used < s.size() && s[used] == ' ') ++used;
    if (s.empty() || used != s.size() || !std::isfinite(v))
      throw std::invalid_argument("--start '" + text + "': expected two finite numbers X,Y");
    return v;
  };
  if (comma == std::string::npos || text.find(',', comma + 1) != std::string::npos)
    throw std::invalid_argument("--start '" + text + "': expected two finite numbers X,Y");
  return {number(text.substr(0, comma)), number(text.substr(comma + 1))};
}

// A CSV field: quoted when it holds a comma or quote (SPECs such as "adam:lr=0.1,beta1=0.8").
std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

// Shortest text: a float's when the value is one (positions and losses), else the double's.
std::string number(double v) {
  const float f = static_cast<float>(v);
  return static_cast<double>(f) == v ? descent::shortest_text(f) : descent::shortest_text(v);
}

// One optimizer's run: row s is the point after s steps (row 0: the start).
struct Run {
  std::string spec;
  std::vector<float> x, y, loss;
  std::vector<double> grad_norm, lr;
  // Why the run stopped before its last step (diverged), in words; empty when it did not.
  std::string stopped;
  bool non_finite = false;  // stopped at a NaN or Inf (exit status 3; else 4)
};

// A path this far from the origin has left the function's scale: the optimizer is diverging (or
// running down an unbounded valley, as on the saddle).
double runaway_distance(double x0, double y0) { return 1e3 * (std::hypot(x0, y0) + 1); }

// Says why each diverged run stopped, with a hint; returns the exit status: 3 when a run met a
// NaN or Inf (as train's non-finite stop), else 4 when one ran away (as train's divergence), else
// 0.
int report_divergence(const std::vector<Run>& runs, const descent::TestFunction& fn) {
  const bool has_minimum = std::any_of(
      fn.known_points.begin(), fn.known_points.end(),
      [](const descent::KnownPoint& p) { return p.kind.find("minimum") != std::string::npos; });
  bool non_finite = false, ran_away = false;
  for (const Run& run : runs) {
    if (run.stopped.empty()) continue;
    const std::string hint =
        has_minimum ? fmt::format("try a smaller lr, e.g. a tenth: lr={:g}", run.lr.front() / 10)
                    : fn.name +
                          " has no minimum: a path that leaves the start's scale goes on "
                          "descending without end";
    std::fprintf(stderr, "descent: error: %s diverged: %s (%s)\n", run.spec.c_str(),
                 run.stopped.c_str(), hint.c_str());
    (run.non_finite ? non_finite : ran_away) = true;
  }
  return non_finite ? 3 : ran_away ? 4 : 0;
}

std::string runs_csv(const std::vector<Run>& runs) {
  const bool multi = runs.size() > 1;
  std::ostringstream csv;
  csv << (multi ? "optimizer," : "") << "step,x,y,loss,grad_norm,lr\n";
  for (const Run& run : runs) {
    const std::string prefix = multi ? csv_field(run.spec) + "," : "";
    for (size_t s = 0; s < run.x.size(); ++s)
      csv << prefix << s << ',' << number(run.x[s]) << ',' << number(run.y[s]) << ','
          << number(run.loss[s]) << ',' << number(run.grad_norm[s]) << ',' << number(run.lr[s])
          << '\n';
  }
  return csv.str();
}

// The paths and the run's settings as `descent optimize --plot` draws them (plot/optimizer_race.h).
void plot_runs(const descent::TestFunction& fn, const std::vector<Run>& runs, double x0, double y0,
               int64_t steps, int64_t grid, const std::string& file) {
  std::vector<descent::plot::RacePath> paths;
  nlohmann::json specs = nlohmann::json::array();
  for (const Run& run : runs) {
    paths.push_back({run.spec, run.x, run.y, run.loss, run.grad_norm, run.lr});
    specs.push_back(run.spec);
  }
  const nlohmann::json provenance = {
      {"command", descent::plot::command_line()},
      {"seed", nullptr},
      {"config",
       {{"function", fn.name},
        {"optimizers", specs},
        {"start", {x0, y0}},
        {"steps", steps},
        {"grid", grid}}},
      {"note", "descent optimize draws no random numbers: the command alone reproduces it"}};
  descent::plot::write_optimizer_race(fn, paths, x0, y0, grid, file, provenance,
                                      "descent optimize: " + fn.name);
}

}  // namespace

void add_optimize_command(CLI::App& app) {
  struct Options {
    std::string function, start, out, plot;
    std::vector<std::string> optimizers;
    int64_t steps = 100, grid = 200;
  };
  auto opts = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "optimize", "Run optimizers on a 2-D test function and print the path as CSV (or plot it)");
  cmd->add_option("--function", opts->function,
                  "Test function NAME[:key=value] (e.g. rosenbrock, quadratic:kappa=100)")
      ->required();
  cmd->add_option("--optimizer", opts->optimizers,
                  "Optimizer SPEC, e.g. adam:lr=0.01 (repeatable: one run each)")
      ->required()
      ->allow_extra_args(false);
  cmd->add_option("--start", opts->start, "Start point X,Y (default: the function's classic start)")
      ->allow_extra_args(false);
  cmd->add_option("--steps", opts->steps, "Number of steps (default 100)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--out", opts->out, "Write the CSV to this file instead of stdout");
  CLI::Option* plot_opt = cmd->add_option(
      "--plot", opts->plot,
      "Draw the paths over the function's contours, with loss and gradient norm: FILE.html "
      "(interactive), .svg or .png");
  cmd->add_option("--grid", opts->grid, "With --plot: the contour grid is N x N (default 200)")
      ->check(CLI::Range(int64_t{2}, int64_t{2000}))
      ->needs(plot_opt);
  add_list_option(cmd, {"functions", "optimizers"});
  cmd->footer(R"(
Examples:
  descent optimize --function rosenbrock --optimizer adam:lr=0.05 --steps 500
  descent optimize --function quadratic:kappa=100 --optimizer sgd:lr=0.01 \
      --optimizer "sgd:lr=0.01,momentum=0.9" --optimizer adam:lr=0.1 --plot paths.html
  descent optimize --function saddle --optimizer sgd:lr=0.1 --start 1,0.01 --out path.csv
Functions: --list functions; optimizers and their hyper-parameters: --list optimizers.)");
  cmd->callback([opts] {
    // A bad figure name, or a missing tool to draw it, is refused before any work.
    if (!opts->plot.empty()) descent::plot::check_figure_tools(opts->plot);
    const descent::TestFunction fn = descent::make_test_function(opts->function);
    double x0 = fn.start_x, y0 = fn.start_y;
    if (!opts->start.empty()) std::tie(x0, y0) = parse_start(opts->start);
    // Every optimizer is built before any runs, so a bad SPEC fails before output starts.
    std::vector<std::unique_ptr<descent::Optimizer>> optimizers;
    std::vector<descent::Tensor> points;
    for (const auto& spec : opts->optimizers) {
      descent::Tensor p =
          descent::Tensor::from({2}, {static_cast<float>(x0), static_cast<float>(y0)});
      p.requires_grad_();
      optimizers.push_back(descent::make_optimizer(spec, {p}));
      points.push_back(p);
    }
    std::vector<Run> runs;
    for (size_t k = 0; k < optimizers.size(); ++k) {
      descent::Optimizer& opt = *optimizers[k];
      descent::Tensor& p = points[k];
      // The closure leaves p.grad holding the gradient at the current point.
      const descent::Closure closure = [&] {
        opt.zero_grad();
        descent::Tensor loss = fn.at(p);
        loss.backward();
        return loss.item();
      };
      Run run;
      run.spec = opts->optimizers[k];
      // The point the parameter holds now, its loss, and the gradient there.
      auto record = [&](float loss, double lr) {
        const auto g = p.grad().to_vector();
        run.x.push_back(p.data()[0]);
        run.y.push_back(p.data()[1]);
        run.loss.push_back(loss);
        run.grad_norm.push_back(std::hypot(double(g[0]), double(g[1])));
        run.lr.push_back(lr);
      };
      record(closure(), opt.param_groups()[0].get("lr"));
      const double limit = runaway_distance(x0, y0);
      for (int64_t s = 1; s <= opts->steps; ++s) {
        const double lr = opt.param_groups()[0].get("lr");
        opt.step(closure);
        // Loss and gradient at the new point: for schedule-free optimizers the averaged x, the
        // point they return (gradients are taken at y, which the next step(closure) goes back to).
        opt.eval_params();
        const float loss = closure();
        const float x = p.data()[0], y = p.data()[1];
        const auto g = p.grad().to_vector();
        if (!std::isfinite(x) || !std::isfinite(y) || !std::isfinite(loss) ||
            !std::isfinite(g[0]) || !std::isfinite(g[1])) {
          run.stopped = fmt::format(
              "at step {} a value is not finite (point ({}, {}), loss {}); the path stops at step "
              "{}",
              s, number(x), number(y), number(loss), s - 1);
          run.non_finite = true;
          break;
        }
        record(loss, lr);
        opt.train_params();
        if (std::hypot(double(x), double(y)) > limit) {
          run.stopped = fmt::format(
              "at step {} the point ({}, {}) is farther than 1e3 (|start| + 1) = {:.4g} from the "
              "origin; the path stops there",
              s, number(x), number(y), limit);
          break;
        }
      }
      runs.push_back(std::move(run));
    }
    if (!opts->plot.empty()) {
      plot_runs(fn, runs, x0, y0, opts->steps, opts->grid, opts->plot);
      if (!opts->out.empty()) descent::write_file_atomically(opts->out, runs_csv(runs));
    } else if (opts->out.empty()) {
      std::fputs(runs_csv(runs).c_str(), stdout);
      std::fflush(stdout);
    } else {
      descent::write_file_atomically(opts->out, runs_csv(runs));
    }
    if (const int status = report_divergence(runs, fn)) throw ExitStatus{status};
  });
}

}  // namespace cli
