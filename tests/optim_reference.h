#pragma once
// The reference harness of the optimizer tests that have no framework to compare with: each
// optimizer against its paper's update written out in double precision (a RefOptimizer per
// parameter tensor), on two small problems, with a tolerance that float32 rounding stays within
// and any formula error exceeds; plus small accessors of an optimizer's saved state.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "descent/ops/ops.h"
#include "descent/optim/registry.h"

namespace descent::testutil {

using Vec = std::vector<double>;

inline double sgn(double x) { return static_cast<double>((x > 0) - (x < 0)); }

inline double norm(const Vec& x) {
  double s = 0;
  for (double v : x) s += v * v;
  return std::sqrt(s);
}

// ---------------------------------------------------------------------------------------------
// Reference updates in double, one instance per parameter tensor (LAMB and LARS norms are per
// tensor). Written from the papers' algorithms, independently of the float code.

struct RefOptimizer {
  virtual ~RefOptimizer() = default;
  virtual void step(Vec& p, const Vec& g) = 0;
};
using RefFactory = std::function<std::unique_ptr<RefOptimizer>(size_t n)>;

// ---------------------------------------------------------------------------------------------
// Test problems: the loss in descent ops (autograd gives the float gradient) and its gradient
// by hand in double for the reference.

struct Problem {
  std::vector<Shape> shapes;
  std::vector<Vec> init;
  std::function<Tensor(const std::vector<Tensor>&)> loss;
  std::function<std::vector<Vec>(const std::vector<Vec>&)> grad;
};

// 0.5 sum(A (P - C)^2) over a [3, 4] matrix; every target is at least 0.6 from the start, so
// 40 steps do not reach the minimum (where sign-based updates would hinge on rounding).
inline Problem quadratic() {
  Vec p0(12), a(12), c(12);
  for (int i = 0; i < 12; ++i) {
    p0[i] = 0.1 * (i - 5.5);
    a[i] = 0.5 + 0.3 * (i % 5);
    c[i] = p0[i] + (i % 2 ? 1.0 : -1.0) * (0.8 + 0.1 * (i % 3));
  }
  auto to_float = [](const Vec& x) {
    std::vector<float> f(x.begin(), x.end());
    return Tensor::from({3, 4}, f);
  };
  const Tensor at = to_float(a), ct = to_float(c);
  Problem pr;
  pr.shapes = {{3, 4}};
  pr.init = {p0};
  pr.loss = [at, ct](const std::vector<Tensor>& p) {
    Tensor d = p[0] - ct;
    return 0.5f * sum(at * d * d);
  };
  pr.grad = [a, c](const std::vector<Vec>& p) {
    Vec g(12);
    for (int i = 0; i < 12; ++i) g[i] = a[i] * (p[0][i] - c[i]);
    return std::vector<Vec>{g};
  };
  return pr;
}

// A Rosenbrock-like valley f(x, y) = (1 - x)^2 + 5 (y - x^2)^2 from (-1, 1.5), with x and y two
// [1, 1] parameters (two tensors, so the layer-wise norms are exercised separately).
inline Problem valley() {
  Problem pr;
  pr.shapes = {{1, 1}, {1, 1}};
  pr.init = {{-1.0}, {1.5}};
  pr.loss = [](const std::vector<Tensor>& p) {
    Tensor a = 1.0f - p[0];
    Tensor b = p[1] - p[0] * p[0];
    return sum(a * a + 5.0f * b * b);
  };
  pr.grad = [](const std::vector<Vec>& p) {
    const double x = p[0][0], y = p[1][0];
    return std::vector<Vec>{{-2 * (1 - x) - 20 * x * (y - x * x)}, {10 * (y - x * x)}};
  };
  return pr;
}

struct Comparison {
  double max_error = 0;  // max over steps and entries of |p_float - p_double| / (1 + |p_double|)
  double moved = 0;      // max |p_final - p_initial|: the run did something
};

// The problem's starting parameters as float tensors that require gradients.
inline std::vector<Tensor> params_of(const Problem& pr) {
  std::vector<Tensor> params;
  for (size_t k = 0; k < pr.shapes.size(); ++k)
    params.push_back(
        Tensor::from(pr.shapes[k], std::vector<float>(pr.init[k].begin(), pr.init[k].end()))
            .requires_grad_());
  return params;
}

// zero_grad, the problem's loss at params, backward; returns the loss.
inline Closure loss_closure(Optimizer& opt, const Problem& pr, const std::vector<Tensor>& params) {
  return [&opt, &pr, &params] {
    opt.zero_grad();
    Tensor loss = pr.loss(params);
    loss.backward();
    return loss.item();
  };
}

inline Comparison compare_with_reference(const std::string& spec, const RefFactory& make_ref,
                                         const Problem& pr, int steps = 40) {
  std::vector<Tensor> params = params_of(pr);
  std::vector<Vec> ref = pr.init;
  std::vector<std::unique_ptr<RefOptimizer>> refs;
  for (const Vec& v : pr.init) refs.push_back(make_ref(v.size()));
  auto opt = make_optimizer(spec, params);
  Comparison out;
  for (int s = 0; s < steps; ++s) {
    const Closure closure = loss_closure(*opt, pr, params);
    closure();
    opt->step(closure);  // sam re-evaluates at its perturbed point; the others at the same one
    const std::vector<Vec> g = pr.grad(ref);
    for (size_t k = 0; k < refs.size(); ++k) refs[k]->step(ref[k], g[k]);
    for (size_t k = 0; k < params.size(); ++k)
      for (size_t i = 0; i < ref[k].size(); ++i)
        out.max_error = std::max(
            out.max_error, std::abs(params[k].data()[i] - ref[k][i]) / (1 + std::abs(ref[k][i])));
  }
  for (size_t k = 0; k < params.size(); ++k)
    for (size_t i = 0; i < ref[k].size(); ++i)
      out.moved = std::max(out.moved, std::abs(params[k].data()[i] - pr.init[k][i]));
  return out;
}

// float32 against double: each step rounds a few tens of float operations (relative 6e-8 each)
// and the float gradient comes from autograd in float; over 40 steps on these well-conditioned
// problems that stays within about 1e-6 (observed at most a few 1e-7), so 1e-5 leaves room for
// other compilers' contractions while any formula error (a missing bias correction, eps in the
// wrong place, a wrong beta) shows up at 1e-3 or more.
inline constexpr double kTol = 1e-5;

inline void expect_matches_reference(const std::string& spec, const RefFactory& make_ref) {
  for (const auto& [name, pr] : {std::pair{"quadratic", quadratic()}, {"valley", valley()}}) {
    const Comparison c = compare_with_reference(spec, make_ref, pr);
    EXPECT_LT(c.max_error, kTol) << spec << " on " << name;
    EXPECT_GT(c.moved, 1e-2) << spec << " on " << name << ": the parameters hardly moved";
  }
}

// ---------------------------------------------------------------------------------------------
// State helpers.

inline std::vector<float> buffer_of(const Optimizer& opt, size_t index, const std::string& name) {
  const std::string key = "state." + std::to_string(index) + "." + name;
  for (const auto& t : opt.state_dict().tensors)
    if (t.name == key) return t.tensor.to_vector();
  ADD_FAILURE() << "no state tensor " << key;
  return {};
}

inline double scalar_of(const Optimizer& opt, size_t index, const std::string& name) {
  return opt.state_dict().meta["state"][std::to_string(index)][name].get<double>();
}

inline void set_grad(Tensor& p, const std::vector<float>& g) {
  ASSERT_EQ(static_cast<int64_t>(g.size()), p.numel());
  std::memcpy(p.grad_data(), g.data(), sizeof(float) * g.size());
}

// maximize on -L negates the negated gradient exactly, so 10 steps of `spec` with maximize = true
// on minus the quadratic equal 10 steps minimizing it, bit for bit (and they move).
inline void expect_maximize_equals_minimizing_the_negation(const std::string& spec) {
  const Problem pr = quadratic();
  std::vector<float> init(pr.init[0].begin(), pr.init[0].end());
  Tensor a = Tensor::from({3, 4}, init).requires_grad_();
  Tensor b = Tensor::from({3, 4}, init).requires_grad_();
  auto min_opt = make_optimizer(spec, {a});
  auto max_opt = make_optimizer(spec + ",maximize=true", {b});
  for (int s = 0; s < 10; ++s) {
    min_opt->zero_grad();
    pr.loss({a}).backward();
    min_opt->step();
    max_opt->zero_grad();
    (-pr.loss({b})).backward();
    max_opt->step();
  }
  EXPECT_EQ(0, std::memcmp(a.data(), b.data(), sizeof(float) * 12)) << spec;
  EXPECT_NE(a.to_vector(), init) << spec;
}

}  // namespace descent::testutil
