#include "descent/functions/test_functions.h"

#include <cmath>
#include <cstdio>
#include <numbers>
#include <stdexcept>

#include "descent/ops/ops.h"
#include "descent/util/spec.h"

namespace descent {
namespace {

constexpr float kTwoPi = 2.0f * std::numbers::pi_v<float>;

Tensor sq(const Tensor& t) { return pow(t, 2.0f); }

using Maker = TestFunction (*)(SpecArgs&);

TestFunction rosenbrock(SpecArgs&) {
  return {"rosenbrock",
          "(1-x)^2 + 100(y-x^2)^2",
          [](const Tensor& x, const Tensor& y) { return sq(1.0f - x) + 100.0f * sq(y - x * x); },
          {-2, 2, -1, 3},
          {{1, 1, 0, "global minimum"}},
          -1.2,
          1.0};
}

TestFunction beale(SpecArgs&) {
  return {"beale",
          "(1.5-x+xy)^2 + (2.25-x+xy^2)^2 + (2.625-x+xy^3)^2",
          [](const Tensor& x, const Tensor& y) {
            return sq(1.5f - x + x * y) + sq(2.25f - x + x * sq(y)) +
                   sq(2.625f - x + x * pow(y, 3.0f));
          },
          {-4.5, 4.5, -4.5, 4.5},
          {{3, 0.5, 0, "global minimum"}},
          1.0,
          1.0};
}

TestFunction himmelblau(SpecArgs&) {
  return {
      "himmelblau",
      "(x^2+y-11)^2 + (x+y^2-7)^2",
      [](const Tensor& x, const Tensor& y) { return sq(x * x + y - 11.0f) + sq(x + y * y - 7.0f); },
      {-5, 5, -5, 5},
      {{3, 2, 0, "global minimum"},
       {-2.805118086952745, 3.131312518250573, 0, "global minimum"},
       {-3.779310253377747, -3.283185991286170, 0, "global minimum"},
       {3.584428340330492, -1.848126526964404, 0, "global minimum"}},
      0.0,
      0.0};
}

TestFunction booth(SpecArgs&) {
  return {"booth",
          "(x+2y-7)^2 + (2x+y-5)^2",
          [](const Tensor& x, const Tensor& y) {
            return sq(x + 2.0f * y - 7.0f) + sq(2.0f * x + y - 5.0f);
          },
          {-10, 10, -10, 10},
          {{1, 3, 0, "global minimum"}},
          -8.0,
          -6.0};
}

TestFunction matyas(SpecArgs&) {
  return {
      "matyas",
      "0.26(x^2+y^2) - 0.48xy",
      [](const Tensor& x, const Tensor& y) { return 0.26f * (x * x + y * y) - 0.48f * (x * y); },
      {-10, 10, -10, 10},
      {{0, 0, 0, "global minimum"}},
      -8.0,
      6.0};
}

TestFunction rastrigin(SpecArgs&) {
  return {"rastrigin",
          "20 + x^2 - 10cos(2 pi x) + y^2 - 10cos(2 pi y)",
          [](const Tensor& x, const Tensor& y) {
            return 20.0f + (x * x - 10.0f * cos(kTwoPi * x)) + (y * y - 10.0f * cos(kTwoPi * y));
          },
          {-5.12, 5.12, -5.12, 5.12},
          {{0, 0, 0, "global minimum"}},
          2.2,
          2.4};
}

TestFunction ackley(SpecArgs&) {
  // The cone at the origin makes the gradient singular there (sqrt of 0): the minimum is not a
  // stationary point, so tests and starts keep away from it.
  return {"ackley",
          "-20 exp(-0.2 sqrt(0.5(x^2+y^2))) - exp(0.5(cos 2 pi x + cos 2 pi y)) + e + 20",
          [](const Tensor& x, const Tensor& y) {
            const Tensor r = sqrt(0.5f * (x * x + y * y));
            return -20.0f * exp(-0.2f * r) - exp(0.5f * (cos(kTwoPi * x) + cos(kTwoPi * y))) +
                   (std::numbers::e_v<float> + 20.0f);
          },
          {-5, 5, -5, 5},
          {{0, 0, 0, "global minimum"}},
          2.5,
          -2.0};
}

TestFunction styblinski_tang(SpecArgs&) {
  // Per coordinate, 2x^3 - 16x + 2.5 = 0 has roots -2.9035 (global) and 2.7468 (local).
  constexpr double a = -2.9035340277711783, b = 2.7468027709908376;
  auto g = [](double t) { return 0.5 * (t * t * t * t - 16 * t * t + 5 * t); };
  return {"styblinski_tang",
          "0.5(x^4 - 16x^2 + 5x + y^4 - 16y^2 + 5y)",
          [](const Tensor& x, const Tensor& y) {
            return 0.5f * (pow(x, 4.0f) - 16.0f * (x * x) + 5.0f * x + pow(y, 4.0f) -
                           16.0f * (y * y) + 5.0f * y);
          },
          {-5, 5, -5, 5},
          {{a, a, 2 * g(a), "global minimum"},
           {a, b, g(a) + g(b), "local minimum"},
           {b, a, g(a) + g(b), "local minimum"},
           {b, b, 2 * g(b), "local minimum"}},
          1.0,
          -1.0};
}

TestFunction goldstein_price(SpecArgs&) {
  return {"goldstein_price",
          "[1+(x+y+1)^2(19-14x+3x^2-14y+6xy+3y^2)][30+(2x-3y)^2(18-32x+12x^2+48y-36xy+27y^2)]",
          [](const Tensor& x, const Tensor& y) {
            const Tensor xy = x * y, xx = x * x, yy = y * y;
            const Tensor a = 1.0f + sq(x + y + 1.0f) * (19.0f - 14.0f * x + 3.0f * xx - 14.0f * y +
                                                        6.0f * xy + 3.0f * yy);
            const Tensor b =
                30.0f + sq(2.0f * x - 3.0f * y) *
                            (18.0f - 32.0f * x + 12.0f * xx + 48.0f * y - 36.0f * xy + 27.0f * yy);
            return a * b;
          },
          {-2, 2, -2, 2},
          {{0, -1, 3, "global minimum"}},
          -1.0,
          1.0};
}

TestFunction mccormick(SpecArgs&) {
  // Stationary: cos(x+y) = -1/2 and x - y = 1, so x + y = -2 pi/3.
  const double x0 = 0.5 - std::numbers::pi / 3, y0 = -0.5 - std::numbers::pi / 3;
  const double f0 = std::sin(x0 + y0) + 1 - 1.5 * x0 + 2.5 * y0 + 1;
  return {"mccormick",
          "sin(x+y) + (x-y)^2 - 1.5x + 2.5y + 1",
          [](const Tensor& x, const Tensor& y) {
            return sin(x + y) + sq(x - y) - 1.5f * x + 2.5f * y + 1.0f;
          },
          {-1.5, 4, -3, 4},
          {{x0, y0, f0, "global minimum"}},
          2.5,
          3.0};
}

TestFunction saddle(SpecArgs&) {
  // A start just off the x axis: the escape along y shows how fast an optimizer leaves a saddle.
  return {"saddle",
          "x^2 - y^2",
          [](const Tensor& x, const Tensor& y) { return x * x - y * y; },
          {-2, 2, -2, 2},
          {{0, 0, 0, "saddle"}},
          1.5,
          0.01};
}

TestFunction monkey_saddle(SpecArgs&) {
  return {"monkey_saddle",
          "x^3 - 3xy^2",
          [](const Tensor& x, const Tensor& y) { return pow(x, 3.0f) - 3.0f * x * (y * y); },
          {-2, 2, -2, 2},
          {{0, 0, 0, "saddle"}},
          1.5,
          0.5};
}

TestFunction quadratic(SpecArgs& args) {
  const double kappa = args.get_double("kappa", 10.0);
  if (!(kappa > 0) || !std::isfinite(kappa))
    throw SpecError(args.context() + ": kappa=" + std::to_string(kappa) +
                    " is not valid (expected a finite number > 0)");
  char name[64];
  std::snprintf(name, sizeof name, "quadratic:kappa=%g", kappa);
  const float k = static_cast<float>(kappa);
  return {name,
          "0.5(x^2 + kappa y^2)",
          [k](const Tensor& x, const Tensor& y) { return 0.5f * (x * x + k * (y * y)); },
          {-2, 2, -2, 2},
          {{0, 0, 0, "global minimum"}},
          1.5,
          1.0};
}

TestFunction cliff(SpecArgs& args) {
  const double height = args.get_double("height", 10.0), width = args.get_double("width", 0.05);
  if (!(height > 0) || !std::isfinite(height) || !(width > 0) || !std::isfinite(width))
    throw SpecError(args.context() + ": height and width must be finite numbers > 0");
  char name[80];
  std::snprintf(name, sizeof name, "cliff:height=%g,width=%g", height, width);
  const float h = static_cast<float>(height), w = static_cast<float>(width);
  // A gentle bowl around (2, 0) and, across the way there, a straight wall of the given height
  // and width along the line u = x + y/2 = 0 (a ramp: 0 for u >= 0, height for u <= -width).
  // On the wall the gradient is height / width * |grad u|, and nowhere else does the wall pull
  // (no tail to warn a path): a cliff between two flat regions (Goodfellow et al. 2016, 8.2.4).
  return {name,
          "0.05((x-2)^2 + y^2) + height clamp(-(x + y/2) / width, 0, 1)",
          [h, w](const Tensor& x, const Tensor& y) {
            const Tensor a = -(x + 0.5f * y) / w;
            return 0.05f * (sq(x - 2.0f) + y * y) + h * (relu(a) - relu(a - 1.0f));
          },
          {-3, 7, -3, 4},
          {{2, 0, 0, "global minimum"}},
          -2,
          1};
}

struct FunctionEntry {
  const char* name;
  Maker make;
};

constexpr FunctionEntry kFunctions[] = {
    {"rosenbrock", rosenbrock},
    {"beale", beale},
    {"himmelblau", himmelblau},
    {"booth", booth},
    {"matyas", matyas},
    {"rastrigin", rastrigin},
    {"ackley", ackley},
    {"styblinski_tang", styblinski_tang},
    {"goldstein_price", goldstein_price},
    {"mccormick", mccormick},
    {"saddle", saddle},
    {"monkey_saddle", monkey_saddle},
    {"quadratic", quadratic},
    {"cliff", cliff},
};

}  // namespace

Tensor TestFunction::at(const Tensor& point) const {
  return f(point_component(point, 0), point_component(point, 1));
}

Tensor point_component(const Tensor& point, int64_t i) {
  if (point.shape() != Shape{2})
    throw std::invalid_argument("a 2-D point must have shape [2], not " + to_string(point.shape()));
  return sum(mul(point, Tensor::from({2}, {i == 0 ? 1.0f : 0.0f, i == 0 ? 0.0f : 1.0f})));
}

std::vector<std::string> test_function_names() {
  std::vector<std::string> names;
  for (const auto& e : kFunctions) names.push_back(e.name);
  return names;
}

TestFunction make_test_function(const std::string& spec_text) {
  const Spec spec = parse_spec(spec_text);
  for (const auto& e : kFunctions) {
    if (spec.name != e.name) continue;
    SpecArgs args("function '" + spec_text + "'", spec.args);
    TestFunction fn = e.make(args);
    args.finish();
    return fn;
  }
  std::string valid;
  for (const auto& e : kFunctions) valid += (valid.empty() ? "" : ", ") + std::string(e.name);
  throw UnknownNameError("unknown function '" + spec.name + "' (valid: " + valid + ")");
}

}  // namespace descent
