// descent optimize --function NAME[:key=value] --optimizer SPEC [--optimizer SPEC]...
//                  [--start X,Y] [--steps N] [--out FILE.csv]
//
// Runs optimizers on a 2-D test function (src/descent/functions/test_functions.h) and writes the
// path as CSV:  step,x,y,loss,grad_norm,lr  (with a leading `optimizer` column, holding the SPEC,
// when more than one --optimizer is given; all runs share the start). Row 0 is the start; row s is
// the point after s steps with its loss and gradient norm there, and lr is the group's lr used for
// step s (row 0: the lr the first step will use). Every step goes through step(closure), so
// optimizers that re-evaluate the loss (L-BFGS, look-ahead schemes) work unchanged.
#include <cmath>
#include <cstdio>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "cli/commands.h"
#include "descent/functions/test_functions.h"
#include "descent/io/atomic_file.h"
#include "descent/ops/ops.h"
#include "descent/optim/registry.h"
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

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

}  // namespace

void add_optimize_command(CLI::App& app) {
  struct Options {
    std::string function, start, out;
    std::vector<std::string> optimizers;
    int64_t steps = 100;
  };
  auto opts = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "optimize", "Run optimizers on a 2-D test function and print the path as CSV");
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
  cmd->callback([opts] {
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
    const bool multi = optimizers.size() > 1;
    std::ostringstream csv;
    csv << (multi ? "optimizer," : "") << "step,x,y,loss,grad_norm,lr\n";
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
      const std::string prefix = multi ? csv_field(opts->optimizers[k]) + "," : "";
      auto row = [&](int64_t step, float loss, double lr) {
        const auto g = p.grad().to_vector();
        csv << prefix << step << ',' << number(p.data()[0]) << ',' << number(p.data()[1]) << ','
            << number(loss) << ',' << number(std::hypot(double(g[0]), double(g[1]))) << ','
            << number(lr) << '\n';
      };
      row(0, closure(), opt.param_groups()[0].get("lr"));
      for (int64_t s = 1; s <= opts->steps; ++s) {
        const double lr = opt.param_groups()[0].get("lr");
        opt.step(closure);
        row(s, closure(), lr);  // loss and gradient at the new point
      }
    }
    if (opts->out.empty()) {
      std::fputs(csv.str().c_str(), stdout);
    } else {
      descent::write_file_atomically(opts->out, csv.str());
    }
  });
}

}  // namespace cli
