// The activation table (ops/activation.h): every entry's f' against a central difference of its f
// and its f'' against a central difference of its f', in double, with the default arguments and
// with others; the float op against the double formulas; and the entries as the SPEC parser and
// the modules see them. A wrong formula in any entry fails here.
#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "descent/nn/activations.h"
#include "descent/nn/network_spec.h"
#include "descent/ops/activation.h"
#include "descent/ops/ops.h"
#include "descent/util/random.h"

namespace descent {
namespace test_activation_table {

// Points at least 0.15 from 0, where the piecewise activations have their kink.
const std::vector<double> kPoints = {-3.1, -1.3, -0.45, -0.15, 0.2, 0.7, 1.6, 2.9};

// The defaults, and every argument moved off its default (threshold 20 -> 34.3: still no kink
// near the points).
std::vector<ActivationArgs> argument_sets(const ActivationEntry& e) {
  const ActivationArgs defaults = activation_args(e, {});
  ActivationArgs moved = defaults;
  for (size_t i = 0; i < e.params.size(); ++i) moved[i] = 1.7f * moved[i] + 0.3f;
  return {defaults, moved};
}

double relative(double a, double b) { return std::fabs(a - b) / std::max(std::fabs(b), 1e-6); }

TEST(ActivationTable, FirstDerivativeIsTheDerivativeOfF) {
  const double h = 1e-5;
  for (const ActivationEntry& e : activation_table())
    for (const ActivationArgs& a : argument_sets(e))
      for (double x : kPoints) {
        SCOPED_TRACE(std::string(e.name) + " a0=" + std::to_string(a[0]) +
                     " x=" + std::to_string(x));
        const double numeric = (e.f(x + h, a) - e.f(x - h, a)) / (2 * h);
        EXPECT_LT(relative(e.df(x, e.f(x, a), a), numeric), 1e-7) << numeric;
      }
}

TEST(ActivationTable, SecondDerivativeIsTheDerivativeOfFirst) {
  const double h = 1e-5;
  for (const ActivationEntry& e : activation_table())
    for (const ActivationArgs& a : argument_sets(e))
      for (double x : kPoints) {
        SCOPED_TRACE(std::string(e.name) + " a0=" + std::to_string(a[0]) +
                     " x=" + std::to_string(x));
        auto df = [&](double v) { return e.df(v, e.f(v, a), a); };
        const double numeric = (df(x + h) - df(x - h)) / (2 * h);
        const double y = e.f(x, a);
        EXPECT_NEAR(e.d2f(x, y, df(x), a), numeric, 1e-7 + 1e-6 * std::fabs(numeric));
      }
}

TEST(ActivationTable, FloatOpFollowsTheDoubleFormulas) {
  std::vector<float> xs;
  for (double x : kPoints) xs.push_back(static_cast<float>(x));
  for (const ActivationEntry& e : activation_table())
    for (const ActivationArgs& a : argument_sets(e)) {
      SCOPED_TRACE(e.name);
      Tensor x = Tensor::from({static_cast<int64_t>(xs.size())}, xs).requires_grad_();
      Tensor y = e.forward(x, a);
      sum(y).backward();
      for (size_t i = 0; i < xs.size(); ++i) {
        const double fx = e.f(xs[i], a);
        EXPECT_NEAR(y.data()[i], fx, 1e-6 * std::max(1.0, std::fabs(fx))) << xs[i];
        EXPECT_NEAR(x.grad().data()[i], e.df(xs[i], fx, a), 1e-6) << xs[i];
      }
    }
}

// NaN in, NaN out, as in PyTorch (relu once mapped NaN to 0, hiding NaN weights).
TEST(ActivationTable, NaNPropagatesThroughEveryActivation) {
  for (const ActivationEntry& e : activation_table()) {
    SCOPED_TRACE(e.name);
    const ActivationArgs a = activation_args(e, {});
    EXPECT_TRUE(std::isnan(e.f(NAN, a)));
    const Tensor y = e.forward(Tensor::from({2}, {NAN, 1.0f}), a);
    EXPECT_TRUE(std::isnan(y.data()[0]));
    EXPECT_FALSE(std::isnan(y.data()[1]));
  }
}

TEST(ActivationTable, EntriesAreNamedOnceAndBuildAsLayers) {
  std::set<std::string> names;
  for (const ActivationEntry& e : activation_table()) {
    SCOPED_TRACE(e.name);
    EXPECT_TRUE(names.insert(e.name).second);
    EXPECT_EQ(find_activation(e.name), &e);
    EXPECT_LE(e.params.size(), kMaxActivationParams);
    Generator gen(0);
    auto net = build_network({e.name}, 3, gen);
    const auto& layer = dynamic_cast<const Activation&>((*net)[0]);
    EXPECT_EQ(&layer.entry(), &e);
    EXPECT_EQ(layer.args(), activation_args(e, {}));
    EXPECT_EQ(layer.describe().rfind(e.module_name, 0), 0u) << layer.describe();
  }
  EXPECT_EQ(find_activation("gelu"), nullptr);
  EXPECT_THROW(Activation("gelu"), std::invalid_argument);
  EXPECT_THROW(Activation("relu", {1.0f}), std::invalid_argument);
}

}  // namespace test_activation_table
}  // namespace descent
