// The 2-D test functions (src/descent/functions/test_functions.h): autodiff gradients against
// central differences at random points of each domain, the value and a vanishing gradient at every
// known stationary point, and a value computed by hand (in double, see below) at (0.5, -0.25).
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <string>

#include "descent/functions/test_functions.h"
#include "descent/ops/ops.h"
#include "descent/util/random.h"
#include "descent/util/spec.h"
#include "gradcheck.h"

namespace test_functions {

using descent::Generator;
using descent::Tensor;
using descent::TestFunction;
using descent::testutil::gradcheck;

// f(0.5, -0.25) in double, term by term; e.g. rosenbrock: (1-0.5)^2 + 100(-0.25-0.25)^2 = 25.25,
// booth: (0.5-0.5-7)^2 + (1-0.25-5)^2 = 49 + 18.0625, saddle: 0.25 - 0.0625.
const std::map<std::string, double> kAtHalfQuarter = {
    {"rosenbrock", 25.25},
    {"beale", 8.42095947265625},
    {"himmelblau", 162.44140625},
    {"booth", 67.0625},
    {"matyas", 0.14125},
    {"rastrigin", 30.3125},
    {"ackley", 3.6320049743497265},
    {"styblinski_tang", -1.841796875},
    {"goldstein_price", 701.8712310791016},
    {"mccormick", 0.43490395925452296},
    {"saddle", 0.1875},
    {"monkey_saddle", 0.03125},
    {"quadratic", 0.4375},
    {"cliff", 0.115625},  // 0.05 (2.25 + 0.0625); the wall lies at x + y/2 <= 0
};

// Float evaluation of terms that cancel: the tolerance grows with the size of the terms.
double value_tolerance(const std::string& name) {
  if (name == "goldstein_price") return 1e-3;
  if (name == "styblinski_tang" || name == "himmelblau") return 1e-4;
  return 1e-5;
}

// The gradient at a stationary point given to ~16 digits but evaluated in float: coordinates are
// rounded by ~1e-7 relative, times the Hessian (up to ~1e3 for goldstein_price).
double gradient_tolerance(const std::string& name) {
  if (name == "goldstein_price" || name == "himmelblau" || name == "styblinski_tang") return 1e-3;
  return 1e-4;
}

float value_at(const TestFunction& fn, double x, double y) {
  return fn.at(Tensor::from({2}, {static_cast<float>(x), static_cast<float>(y)})).item();
}

class TestFunctions : public ::testing::TestWithParam<std::string> {};

TEST_P(TestFunctions, GradientMatchesFiniteDifferences) {
  const TestFunction fn = descent::make_test_function(GetParam());
  Generator gen(0x2d + GetParam().size());
  const auto& d = fn.domain;
  // Five random points at once: f is elementwise, so each output checks one point.
  Tensor x = Tensor::empty({5}), y = Tensor::empty({5});
  for (int i = 0; i < 5; ++i) {
    double px, py;
    do {
      px = d.x_min + (d.x_max - d.x_min) * gen.uniform();
      py = d.y_min + (d.y_max - d.y_min) * gen.uniform();
    } while (std::hypot(px, py) < 0.2);  // ackley's gradient is singular at the origin
    x.data()[i] = static_cast<float>(px);
    y.data()[i] = static_cast<float>(py);
  }
  x.requires_grad_();
  y.requires_grad_();
  descent::testutil::GradcheckOptions opt;
  // goldstein_price reaches ~1e6 on its domain: float rounding of f over 2 eps is ~1e2 there.
  if (GetParam() == "goldstein_price") opt.atol = 50;
  EXPECT_TRUE(
      gradcheck([&](const std::vector<Tensor>& in) { return fn(in[0], in[1]); }, {x, y}, opt));

  // Through the [2]-shaped point an optimizer sees.
  Tensor p = Tensor::from({2}, {x.data()[0], y.data()[0]}).requires_grad_();
  EXPECT_TRUE(gradcheck([&](const std::vector<Tensor>& in) { return fn.at(in[0]); }, {p}, opt));
}

TEST_P(TestFunctions, KnownPointsHaveTheirValueAndAreStationary) {
  const TestFunction fn = descent::make_test_function(GetParam());
  ASSERT_FALSE(fn.known_points.empty());
  for (const auto& kp : fn.known_points) {
    SCOPED_TRACE(kp.kind + " at (" + std::to_string(kp.x) + ", " + std::to_string(kp.y) + ")");
    Tensor p = Tensor::from({2}, {static_cast<float>(kp.x), static_cast<float>(kp.y)});
    p.requires_grad_();
    Tensor f = fn.at(p);
    EXPECT_NEAR(f.item(), kp.value, value_tolerance(GetParam()));
    if (GetParam() == "ackley") continue;  // a cone: no gradient at the minimum
    f.backward();
    const auto g = p.grad().to_vector();
    EXPECT_LT(std::hypot(g[0], g[1]), gradient_tolerance(GetParam()))
        << "gradient (" << g[0] << ", " << g[1] << ")";
  }
}

TEST_P(TestFunctions, ValueAtOnePointMatchesHandComputation) {
  const TestFunction fn = descent::make_test_function(GetParam());
  const double expected = kAtHalfQuarter.at(GetParam());
  EXPECT_NEAR(value_at(fn, 0.5, -0.25), expected, 2e-6 * std::max(1.0, std::fabs(expected)));
}

TEST_P(TestFunctions, StartAndMinimaLieInTheDomain) {
  const TestFunction fn = descent::make_test_function(GetParam());
  const auto& d = fn.domain;
  EXPECT_LT(d.x_min, d.x_max);
  EXPECT_LT(d.y_min, d.y_max);
  for (const auto& kp : fn.known_points) {
    EXPECT_TRUE(kp.x >= d.x_min && kp.x <= d.x_max && kp.y >= d.y_min && kp.y <= d.y_max);
  }
  EXPECT_TRUE(fn.start_x >= d.x_min && fn.start_x <= d.x_max);
  EXPECT_TRUE(fn.start_y >= d.y_min && fn.start_y <= d.y_max);
}

INSTANTIATE_TEST_SUITE_P(All, TestFunctions, ::testing::ValuesIn(descent::test_function_names()),
                         [](const auto& info) { return info.param; });

TEST(TestFunctionSpec, QuadraticTakesKappa) {
  const TestFunction q = descent::make_test_function("quadratic:kappa=100");
  EXPECT_EQ(q.name, "quadratic:kappa=100");
  EXPECT_FLOAT_EQ(value_at(q, 1.0, 0.5), 0.5f * (1.0f + 100.0f * 0.25f));
  EXPECT_EQ(descent::make_test_function("quadratic").name, "quadratic:kappa=10");
  EXPECT_THROW(descent::make_test_function("quadratic:kappa=-1"), descent::SpecError);
}

TEST(TestFunctionSpec, ErrorsNameWhatIsValid) {
  try {
    descent::make_test_function("rosenbrok");
    FAIL() << "accepted an unknown name";
  } catch (const descent::SpecError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("rosenbrok"), std::string::npos) << m;
    EXPECT_NE(m.find("rosenbrock, beale"), std::string::npos) << m;
  }
  try {
    descent::make_test_function("quadratic:kapa=3");
    FAIL() << "accepted an unknown key";
  } catch (const descent::SpecError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("kapa"), std::string::npos) << m;
    EXPECT_NE(m.find("kappa"), std::string::npos) << m;
  }
  EXPECT_THROW(descent::make_test_function("booth:a=1"), descent::SpecError);
}

}  // namespace test_functions
