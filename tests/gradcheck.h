#pragma once
// Numerical gradient check for anything built from descent ops (single ops, losses, models).
//
//   using descent::testutil::gradcheck;
//   EXPECT_TRUE(gradcheck([](const std::vector<Tensor>& in) { return tanh(in[0]); }, {x}));
//
// The analytic side is the tape: backward() of L = sum(f(inputs) * R), where R is a fixed random
// weighting of f's output, so every component of a non-scalar output is checked at once (a plain
// sum would miss errors that cancel across components). The numeric side is the central
// difference (L(x + eps) - L(x - eps)) / (2 eps) per input element.
//
// Only inputs that require grad are checked; the others must come out of backward() with no
// gradient. Checked inputs' gradients are cleared first and hold the analytic gradient afterwards.
// Inputs must be leaves (no grad_fn). Header-only: only tests/test_*.cpp join the test binary.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <functional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "descent/autograd/grad_mode.h"
#include "descent/autograd/node.h"
#include "descent/ops/ops.h"
#include "descent/util/random.h"

namespace descent::testutil {

// A leaf that requires grad, uniform in [low, high) from `seed`: a gradient check's input.
inline Tensor uniform_leaf(const Shape& shape, uint64_t seed, float low = -2.0f,
                           float high = 2.0f) {
  Generator gen(seed);
  return Tensor::uniform(shape, low, high, gen).requires_grad_();
}

struct GradcheckOptions {
  double eps = 1e-3;   // finite-difference step
  double atol = 1e-3;  // pass when |analytic - numeric| <= atol + rtol * |numeric|
  double rtol = 1e-2;
  uint64_t seed = 0x5eed;  // for the output weighting R
  int max_reported = 8;    // mismatches listed in the failure message
};

namespace detail {

// "[1, 0, 2]": the multi-index of flat element i of a row-major shape.
inline std::string index_string(const Shape& shape, int64_t i) {
  Shape idx(shape.size());
  for (size_t d = shape.size(); d-- > 0;) {
    idx[d] = shape[d] == 0 ? 0 : i % shape[d];
    i = shape[d] == 0 ? 0 : i / shape[d];
  }
  return to_string(idx);
}

// sum_k R_k (a_k - b_k) in double. Differencing first makes output components that do not depend
// on the perturbed element cancel exactly instead of adding float rounding noise.
inline double weighted_difference(const std::vector<float>& a, const std::vector<float>& b,
                                  const std::vector<float>& r) {
  double acc = 0;
  for (size_t k = 0; k < r.size(); ++k)
    acc += static_cast<double>(r[k]) * (static_cast<double>(a[k]) - static_cast<double>(b[k]));
  return acc;
}

}  // namespace detail

using GradcheckFn = std::function<Tensor(const std::vector<Tensor>&)>;

inline ::testing::AssertionResult gradcheck(const GradcheckFn& f, std::vector<Tensor> inputs,
                                            const GradcheckOptions& opt) {
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!inputs[i].defined()) continue;  // e.g. an absent bias
    if (inputs[i].impl()->grad_fn)
      return ::testing::AssertionFailure() << "gradcheck: input " << i << " is not a leaf";
  }
  std::vector<bool> checked(inputs.size()), had_grad(inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!inputs[i].defined()) continue;
    checked[i] = inputs[i].requires_grad();
    had_grad[i] = inputs[i].has_grad();
    if (checked[i]) inputs[i].clear_grad();
  }

  // Analytic gradient of L = sum(f(x) * R).
  Tensor y = f(inputs);
  if (!y.defined()) return ::testing::AssertionFailure() << "gradcheck: f returned no tensor";
  const Shape out_shape = y.shape();
  const std::string op = y.impl()->grad_fn ? y.impl()->grad_fn->op : "(leaf)";
  // |R| in [0.5, 1.5] with a random sign: no component is weighted near zero.
  Generator gen(opt.seed);
  Tensor r = Tensor::empty(out_shape);
  for (float& v : r.values()) {
    const double m = 0.5 + gen.uniform();
    v = static_cast<float>(gen.uniform() < 0.5 ? -m : m);
  }
  const std::vector<float> rv = r.to_vector();
  bool any_checked = false;
  for (bool c : checked) any_checked = any_checked || c;
  if (any_checked) {
    if (!y.requires_grad())
      return ::testing::AssertionFailure()
             << "gradcheck(" << op << "): output does not require grad, no input reached it";
    sum(mul(y, r)).backward();
  }

  std::ostringstream report;
  int failures = 0;
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!inputs[i].defined() || checked[i]) continue;
    if (!had_grad[i] && inputs[i].has_grad()) {
      ++failures;
      report << "\n  input " << i << " does not require grad but received a gradient";
    }
  }

  auto evaluate = [&]() {
    NoGradGuard no_grad;  // finite differences need values only
    Tensor out = f(inputs);
    if (out.shape() != out_shape)
      throw std::logic_error("gradcheck: f's output shape changed between calls");
    return out.to_vector();
  };
  int64_t compared = 0;
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!checked[i]) continue;
    Tensor x = inputs[i];
    const std::vector<float> analytic =
        x.has_grad() ? x.grad().to_vector() : std::vector<float>(x.numel(), 0.0f);
    float* xp = x.data();
    for (int64_t j = 0; j < x.numel(); ++j) {
      const float saved = xp[j];
      // Divide by the step actually taken: x +- eps is rounded to float.
      const float hi = static_cast<float>(saved + opt.eps);
      const float lo = static_cast<float>(saved - opt.eps);
      xp[j] = hi;
      const std::vector<float> y_hi = evaluate();
      xp[j] = lo;
      const std::vector<float> y_lo = evaluate();
      xp[j] = saved;
      const double numeric = detail::weighted_difference(y_hi, y_lo, rv) /
                             (static_cast<double>(hi) - static_cast<double>(lo));
      const double a = analytic[j];
      ++compared;
      const bool ok = std::isfinite(a) && std::isfinite(numeric) &&
                      std::fabs(a - numeric) <= opt.atol + opt.rtol * std::fabs(numeric);
      if (ok) continue;
      if (failures++ < opt.max_reported)
        report << "\n  input " << i << " " << to_string(x.shape()) << " element " << j << " "
               << detail::index_string(x.shape(), j) << ": analytic " << a << ", numeric "
               << numeric << ", diff " << a - numeric;
    }
  }
  if (failures == 0)
    return ::testing::AssertionSuccess()
           << "gradcheck(" << op << "): " << compared << " elements match";
  return ::testing::AssertionFailure()
         << "gradcheck(" << op << ", output " << to_string(out_shape) << ", eps " << opt.eps
         << ", atol " << opt.atol << ", rtol " << opt.rtol << "): " << failures << " mismatch"
         << (failures == 1 ? "" : "es") << report.str()
         << (failures > opt.max_reported ? "\n  ..." : "");
}

inline ::testing::AssertionResult gradcheck(const GradcheckFn& f, std::vector<Tensor> inputs,
                                            double eps = 1e-3, double atol = 1e-3,
                                            double rtol = 1e-2) {
  GradcheckOptions opt;
  opt.eps = eps;
  opt.atol = atol;
  opt.rtol = rtol;
  return gradcheck(f, std::move(inputs), opt);
}

}  // namespace descent::testutil
