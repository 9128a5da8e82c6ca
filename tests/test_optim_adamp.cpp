// AdamP and SGDP: neither is in PyTorch, so each is held to the authors' update (clovaai/AdamP)
// written out here in double precision, on a problem whose weights are scale-invariant (there the
// projection acts) and on the common ones (there it must not), to the property that defines them
// (the weight norm stops growing), and to resuming through safetensors bit for bit.
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "descent/optim/registry.h"
#include "optim_reference.h"
#include "optim_resume.h"

namespace descent {
namespace test_optim_adamp {

using namespace testutil;

// -sum_r <w_r, t_r> / ||w_r|| over the rows of a [2, 3] weight: only each row's direction
// matters, so the gradient is orthogonal to the weight, row by row.
Problem scale_invariant() {
  const Vec t = {1.0, -0.5, 0.3, -0.2, 0.8, 0.6};
  Problem pr;
  pr.shapes = {{2, 3}};
  pr.init = {{0.5, 0.4, -0.9, 0.7, -0.3, 0.2}};
  const Tensor tt = Tensor::from({2, 3}, std::vector<float>(t.begin(), t.end()));
  pr.loss = [tt](const std::vector<Tensor>& p) {
    return -sum(sum(p[0] * tt, 1) / sqrt(sum(p[0] * p[0], 1)));
  };
  pr.grad = [t](const std::vector<Vec>& p) {
    Vec g(6);
    for (int r = 0; r < 2; ++r) {
      double wt = 0, ww = 0;
      for (int i = 3 * r; i < 3 * r + 3; ++i) wt += p[0][i] * t[i], ww += p[0][i] * p[0][i];
      const double norm = std::sqrt(ww);
      for (int i = 3 * r; i < 3 * r + 3; ++i)
        g[i] = -(t[i] / norm - wt * p[0][i] / (norm * norm * norm));
    }
    return std::vector<Vec>{g};
  };
  return pr;
}

// The rows of each problem's parameters: the quadratic's [3, 4], the scale-invariant [2, 3],
// the valley's [1, 1] pair.
size_t rows_of(size_t n) { return n == 12 ? 3 : n == 6 ? 2 : 1; }

// The authors' _projection in double: channels, then the layer.
double project(const Vec& p, const Vec& g, Vec& d, size_t rows, double delta, double wd_ratio,
               double eps) {
  for (size_t view_rows : {rows, size_t{1}}) {
    const size_t cols = p.size() / view_rows;
    double max_cos = 0;
    for (size_t r = 0; r < view_rows; ++r) {
      double gp = 0, gg = 0, pp = 0;
      for (size_t i = r * cols; i < (r + 1) * cols; ++i)
        gp += g[i] * p[i], gg += g[i] * g[i], pp += p[i] * p[i];
      max_cos = std::max(max_cos, std::abs(gp) / std::sqrt(std::max(gg * pp, eps * eps)));
    }
    if (max_cos >= delta / std::sqrt(static_cast<double>(cols))) continue;
    for (size_t r = 0; r < view_rows; ++r) {
      double pp = 0, dot = 0;
      for (size_t i = r * cols; i < (r + 1) * cols; ++i) pp += p[i] * p[i];
      const double norm = std::sqrt(pp) + eps;
      for (size_t i = r * cols; i < (r + 1) * cols; ++i) dot += p[i] / norm * d[i];
      for (size_t i = r * cols; i < (r + 1) * cols; ++i) d[i] -= p[i] / norm * dot;
    }
    return wd_ratio;
  }
  return 1.0;
}

struct RefAdamP : RefOptimizer {
  double lr, b1, b2, eps = 1e-8, wd, delta = 0.1, wd_ratio = 0.1;
  bool nesterov;
  size_t rows;
  Vec m, v;
  int t = 0;
  RefAdamP(size_t n, double lr, double b1, double b2, double wd, bool nesterov)
      : lr(lr), b1(b1), b2(b2), wd(wd), nesterov(nesterov), rows(rows_of(n)), m(n), v(n) {}
  void step(Vec& p, const Vec& g) override {
    ++t;
    const double bc1 = 1 - std::pow(b1, t), bc2 = 1 - std::pow(b2, t);
    Vec d(p.size());
    for (size_t i = 0; i < p.size(); ++i) {
      m[i] = b1 * m[i] + (1 - b1) * g[i];
      v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
      const double denom = std::sqrt(v[i]) / std::sqrt(bc2) + eps;
      d[i] = (nesterov ? b1 * m[i] + (1 - b1) * g[i] : m[i]) / denom;
    }
    const double r = project(p, g, d, rows, delta, wd_ratio, eps);
    for (size_t i = 0; i < p.size(); ++i) p[i] = p[i] * (1 - lr * wd * r) - lr / bc1 * d[i];
  }
};

struct RefSGDP : RefOptimizer {
  double lr, mu, dampening, wd, eps = 1e-8, delta = 0.1, wd_ratio = 0.1;
  bool nesterov;
  size_t rows;
  Vec b;
  RefSGDP(size_t n, double lr, double mu, double dampening, double wd, bool nesterov)
      : lr(lr), mu(mu), dampening(dampening), wd(wd), nesterov(nesterov), rows(rows_of(n)), b(n) {}
  void step(Vec& p, const Vec& g) override {
    Vec d(p.size());
    for (size_t i = 0; i < p.size(); ++i) {
      b[i] = mu * b[i] + (1 - dampening) * g[i];
      d[i] = nesterov ? g[i] + mu * b[i] : b[i];
    }
    const double r = project(p, g, d, rows, delta, wd_ratio, eps);
    for (size_t i = 0; i < p.size(); ++i) p[i] = p[i] * (1 - lr * wd * r / (1 - mu)) - lr * d[i];
  }
};

void expect_matches_on_all_problems(const std::string& spec, const RefFactory& make_ref) {
  for (const auto& [name, pr] : {std::pair{"quadratic", quadratic()},
                                 {"valley", valley()},
                                 {"scale-invariant", scale_invariant()}}) {
    const Comparison c = compare_with_reference(spec, make_ref, pr);
    EXPECT_LT(c.max_error, kTol) << spec << " on " << name;
    EXPECT_GT(c.moved, 1e-2) << spec << " on " << name;
  }
}

TEST(AdamP, MatchesTheAuthorsUpdate) {
  expect_matches_on_all_problems("adamp:lr=0.01", [](size_t n) {
    return std::make_unique<RefAdamP>(n, 0.01, 0.9, 0.999, 0.0, false);
  });
  expect_matches_on_all_problems(
      "adamp:lr=0.02,betas=(0.8,0.99),weight_decay=0.1,nesterov=true",
      [](size_t n) { return std::make_unique<RefAdamP>(n, 0.02, 0.8, 0.99, 0.1, true); });
}

TEST(SGDP, MatchesTheAuthorsUpdate) {
  expect_matches_on_all_problems("sgdp:lr=0.01", [](size_t n) {
    return std::make_unique<RefSGDP>(n, 0.01, 0.0, 0.0, 0.0, false);
  });
  expect_matches_on_all_problems(
      "sgdp:lr=0.01,momentum=0.9,dampening=0.1,weight_decay=0.05,nesterov=true",
      [](size_t n) { return std::make_unique<RefSGDP>(n, 0.01, 0.9, 0.1, 0.05, true); });
}

// The point of the projection: on scale-invariant weights Adam's steps inflate the weight norm
// (which slows the effective step); AdamP's grow it only by their own length, to second order.
TEST(AdamP, KeepsTheNormOfScaleInvariantWeights) {
  const Problem pr = scale_invariant();
  const auto norm_growth = [&](const std::string& spec) {
    std::vector<Tensor> params = params_of(pr);
    auto opt = make_optimizer(spec, params);
    for (int s = 0; s < 50; ++s) {
      loss_closure(*opt, pr, params)();
      opt->step();
    }
    double now = 0, start = 0;
    for (size_t i = 0; i < 6; ++i)
      now += params[0].data()[i] * params[0].data()[i], start += pr.init[0][i] * pr.init[0][i];
    return std::sqrt(now) / std::sqrt(start) - 1;
  };
  const double adam = norm_growth("adam:lr=0.05"), adamp = norm_growth("adamp:lr=0.05");
  EXPECT_GT(adam, 0.3);                                 // measured 0.70
  EXPECT_LT(std::abs(adamp), 0.1) << "adam: " << adam;  // measured 0.064: the steps' own length
  EXPECT_LT(std::abs(adamp), adam / 5);
}

TEST(AdamP, ResumesBitForBit) {
  expect_resume_is_exact("adamp:lr=0.01,weight_decay=0.01,nesterov=true");
  expect_resume_is_exact("sgdp:lr=0.05,momentum=0.9,weight_decay=0.01");
}

TEST(AdamP, MaximizeIsMinimizingTheNegation) {
  expect_maximize_equals_minimizing_the_negation("adamp:lr=0.01");
  expect_maximize_equals_minimizing_the_negation("sgdp:lr=0.01,momentum=0.9");
}

}  // namespace test_optim_adamp
}  // namespace descent
