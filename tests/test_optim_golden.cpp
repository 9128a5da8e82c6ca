// Golden tests: descent's SGD and Adam against PyTorch 1.13 trajectories, recorded by
// scripts/golden/optimizers.py in tests/golden/optimizers.json. Each case rebuilds the problem
// from the stored weights and data, runs the same optimizer configuration step by step and
// compares the loss before every step and every parameter after it.
//
// Tolerance: a value a (descent) matches b (PyTorch) when |a - b| <= 1e-5 * max(|b|, 0.1): relative
// 1e-5, and absolute 1e-6 for values below 0.1. Bit equality is out of reach: PyTorch's kernels
// (vectorized FMAs, its matmul summation order) round differently from descent's, and the
// trajectories amplify rounding (Adam normalizes tiny, cancellation-prone gradients; momentum
// carries old errors). The floor is needed because the parameters start at magnitude 0.3-1.5, so
// a value that has passed near zero still carries float32 rounding of its earlier, larger self:
// PyTorch's own float32 trajectories differ from float64 ones by up to 3e-6 under this rule, and
// by up to 2e-4 under relative 1e-5 with a 1e-3 floor. The rule still catches a 1.3e-5 error in
// Adam's 1 - beta2 (taken in float from float(beta2)), which descent once had.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iomanip>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "descent/nn/loss.h"
#include "descent/nn/network_spec.h"
#include "descent/ops/ops.h"
#include "descent/optim/registry.h"
#include "descent/util/random.h"

namespace descent {
namespace test_optim_golden {

using nlohmann::json;

constexpr double kRelTol = 1e-5;
constexpr double kFloor = 0.1;

// Every tests/golden/optimizers*.json file; each holds its own problems and cases.
struct GoldenFile {
  std::string path;
  json doc;
};

struct Golden {
  std::vector<GoldenFile> files;
  std::string error;  // non-empty when a file is unreadable
};

const Golden& golden() {
  static const Golden g = [] {
    Golden out;
    const std::filesystem::path dir = DESCENT_SOURCE_DIR "/tests/golden";
    std::vector<std::string> paths;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
      const std::string name = entry.path().filename().string();
      if (name.rfind("optimizers", 0) == 0 && entry.path().extension() == ".json")
        paths.push_back(entry.path().string());
    }
    std::sort(paths.begin(), paths.end());
    for (const auto& path : paths) {
      std::ifstream in(path);
      try {
        out.files.push_back({path, json::parse(in)});
      } catch (const std::exception& e) {
        out.error = path + ": " + e.what();
      }
    }
    if (paths.empty()) out.error = "no golden files in " + dir.string();
    return out;
  }();
  return g;
}

// Case names for the parameterized test; one placeholder when a file is unusable, so the
// failure shows up as a test rather than as a silently empty suite.
std::vector<std::string> case_names() {
  std::vector<std::string> names;
  if (golden().error.empty())
    for (const auto& f : golden().files)
      for (const auto& c : f.doc.at("cases")) names.push_back(c.at("name").get<std::string>());
  if (names.empty()) names.push_back("golden_file_unusable");
  return names;
}

std::vector<float> floats(const json& values) {
  std::vector<float> out;
  out.reserve(values.size());
  // Parsed as double, rounded once to float: the script checked this gives back its float32.
  for (const auto& v : values) out.push_back(static_cast<float>(v.get<double>()));
  return out;
}

Tensor tensor_from(const json& j) {
  const std::vector<float> v = floats(j.at("values"));
  return Tensor::from(j.at("shape").get<Shape>(), v);
}

bool close(double a, double b) {
  return std::abs(a - b) <= kRelTol * std::max(std::abs(b), kFloor);
}
double rel_error(double a, double b) { return std::abs(a - b) / std::max(std::abs(b), kFloor); }

// x, y of a [2] parameter through differentiable ops (descent has no indexing op): a one-hot
// product summed, which is exact forward and backward.
Tensor component(const Tensor& p, int i) {
  return sum(p * Tensor::from({2}, {i == 0 ? 1.0f : 0.0f, i == 0 ? 0.0f : 1.0f}));
}

// A problem from the file: its parameters (in the file's flattening order) and its loss.
struct Problem {
  std::unique_ptr<Sequential> net;  // the MLP only
  std::vector<Tensor> params;
  std::function<Tensor()> loss;
};

Problem make_problem(const std::string& name, const json& spec) {
  Problem pr;
  const json& initial = spec.at("initial");
  if (name == "mlp") {
    Generator gen(0);  // its draws are overwritten by the stored weights
    pr.net = build_network(spec.at("layers").get<std::vector<std::string>>(),
                           spec.at("in_features").get<int64_t>(), gen);
    const auto named = pr.net->named_parameters();
    if (named.size() != initial.size())
      throw std::runtime_error("mlp: " + std::to_string(named.size()) + " parameters, file has " +
                               std::to_string(initial.size()));
    for (size_t i = 0; i < named.size(); ++i) {
      if (named[i].name != initial[i].at("name"))
        throw std::runtime_error("mlp: parameter " + std::to_string(i) + " is '" + named[i].name +
                                 "', file has " + initial[i].at("name").dump());
      Tensor p = named[i].tensor;
      Tensor stored = tensor_from(initial[i]);
      if (stored.shape() != p.shape())
        throw std::runtime_error("mlp: " + named[i].name + " has shape " + to_string(p.shape()) +
                                 ", file has " + to_string(stored.shape()));
      p.copy_from(stored);
      pr.params.push_back(p);
    }
    const Tensor x = tensor_from(spec.at("inputs"));
    std::vector<float> labels;
    for (const auto& k : spec.at("labels")) labels.push_back(static_cast<float>(k.get<int>()));
    const Tensor target = Tensor::from({static_cast<int64_t>(labels.size())}, labels);
    Sequential* net = pr.net.get();
    pr.loss = [net, x, target] { return cross_entropy((*net)(x), target); };
    return pr;
  }
  Tensor p = tensor_from(initial.at(0));
  p.requires_grad_();
  pr.params = {p};
  // Written in the script's operation order.
  if (name == "rosenbrock") {
    pr.loss = [p] {
      const Tensor x = component(p, 0), y = component(p, 1);
      return pow(1.0f - x, 2) + 100.0f * pow(y - pow(x, 2), 2);
    };
  } else if (name == "quadratic") {
    pr.loss = [p] {
      const Tensor x = component(p, 0), y = component(p, 1);
      return 0.5f * (pow(x, 2) + 10.0f * pow(y, 2));
    };
  } else if (name == "beale") {
    pr.loss = [p] {
      const Tensor x = component(p, 0), y = component(p, 1);
      return pow(1.5f - x + x * y, 2) + pow(2.25f - x + x * pow(y, 2), 2) +
             pow(2.625f - x + x * pow(y, 3), 2);
    };
  } else {
    throw std::runtime_error("unknown problem '" + name + "'");
  }
  return pr;
}

// The optimizer's defaults, overridden by the case's hyper-parameters (booleans become 0/1).
Hyperparams hyperparams_for(const std::string& optimizer, const json& given) {
  Hyperparams h;
  for (const auto& def : optimizer_info(optimizer).hyperparams) h[def.name] = def.value;
  for (const auto& [key, value] : given.items()) {
    if (!h.count(key))
      throw std::runtime_error("optimizer '" + optimizer + "' has no hyper-parameter '" + key +
                               "'");
    h[key] = value.is_boolean() ? (value.get<bool>() ? 1.0 : 0.0) : value.get<double>();
  }
  return h;
}

class OptimGoldenTest : public ::testing::TestWithParam<std::string> {};

TEST_P(OptimGoldenTest, MatchesPyTorch) {
  ASSERT_TRUE(golden().error.empty()) << golden().error;
  const json* found = nullptr;
  const json* doc = nullptr;
  for (const auto& f : golden().files)
    for (const auto& c : f.doc.at("cases"))
      if (c.at("name") == GetParam()) {
        found = &c;
        doc = &f.doc;
      }
  ASSERT_NE(found, nullptr) << "no case " << GetParam();
  const json& c = *found;
  const std::string problem_name = c.at("problem");
  const std::string optimizer_name = c.at("optimizer");

  Problem problem = make_problem(problem_name, doc->at("problems").at(problem_name));
  auto opt = make_optimizer(optimizer_name, problem.params,
                            hyperparams_for(optimizer_name, c.at("hyperparams")));

  const int steps = c.at("steps");
  const json& losses = c.at("losses");
  const json& trajectory = c.at("params");
  ASSERT_EQ(losses.size(), static_cast<size_t>(steps));
  ASSERT_EQ(trajectory.size(), static_cast<size_t>(steps));
  // L-BFGS runs up to max_iter inner iterations per step, so 20 steps already go far.
  ASSERT_GE(steps, optimizer_name == "lbfgs" ? 20 : 50);

  double worst = 0;
  for (int step = 0; step < steps; ++step) {
    // The closure form, as the script steps PyTorch: for one-evaluation optimizers the same as
    // zero_grad/forward/backward/step, and what L-BFGS needs. It returns the loss before the step.
    const std::optional<float> loss = opt->step([&] {
      opt->zero_grad();
      Tensor l = problem.loss();
      l.backward();
      return l.item();
    });
    ASSERT_TRUE(loss.has_value());

    const double want_loss = static_cast<float>(losses[step].get<double>());
    const double got_loss = *loss;
    worst = std::max(worst, rel_error(got_loss, want_loss));
    ASSERT_TRUE(close(got_loss, want_loss))
        << std::setprecision(9) << GetParam() << ": loss before step " << step << " is " << got_loss
        << ", PyTorch " << want_loss;

    const std::vector<float> want = floats(trajectory[step]);
    size_t index = 0;
    for (const Tensor& p : problem.params)
      for (float got : p.values()) {
        ASSERT_LT(index, want.size()) << GetParam() << ": more parameters than the file has";
        worst = std::max(worst, rel_error(got, want[index]));
        ASSERT_TRUE(close(got, want[index]))
            << std::setprecision(9) << GetParam() << ": after step " << step << ", parameter "
            << index << " is " << got << ", PyTorch " << want[index] << " (relative error "
            << rel_error(got, want[index]) << ")";
        ++index;
      }
    ASSERT_EQ(index, want.size()) << GetParam() << ": fewer parameters than the file has";
  }
  std::ostringstream worst_text;
  worst_text << std::setprecision(3) << worst;
  RecordProperty("worst_relative_error", worst_text.str());  // in the XML report
}

INSTANTIATE_TEST_SUITE_P(OptimGolden, OptimGoldenTest, ::testing::ValuesIn(case_names()),
                         [](const auto& info) { return info.param; });

}  // namespace test_optim_golden
}  // namespace descent
