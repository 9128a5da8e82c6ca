// Closure and wrapper optimizers: L-BFGS (golden against PyTorch in test_optim_golden.cpp; here
// its errors and resume), Lookahead, schedule-free AdamW and Muon (torch 1.13 has none of them:
// each is checked against its paper's update written out in double precision below), and a
// bit-for-bit resume test for each.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "descent/io/safetensors.h"
#include "descent/nn/loss.h"
#include "descent/nn/network_spec.h"
#include "descent/optim/adamw_schedulefree.h"
#include "descent/optim/lbfgs.h"
#include "descent/optim/lookahead.h"
#include "descent/optim/muon.h"
#include "descent/optim/registry.h"
#include "descent/util/random.h"
#include "descent/util/spec.h"

#include "optim_resume.h"

namespace descent {
namespace test_optim_closure {

using testutil::Model;
using testutil::round_trip;

using nlohmann::json;

using Factory = std::function<std::unique_ptr<Optimizer>(std::vector<Tensor>)>;

// k steps, save, load into a fresh optimizer (made by fresh, with default hyper-parameters where
// the registry allows) over a fresh model holding a copy of the weights, continue: the result
// must equal the uninterrupted run bit for bit.
void expect_resume_is_exact(const Factory& make, const Factory& fresh, int before = 4,
                            int total = 9) {
  Model straight(1);
  auto opt_straight = make(straight.net->parameters());
  straight.train(*opt_straight, total);

  Model first(1);
  auto opt_first = make(first.net->parameters());
  first.train(*opt_first, before);
  const OptimizerState saved = round_trip(opt_first->state_dict());
  ASSERT_FALSE(saved.tensors.empty());

  Model resumed(99);
  const auto from = first.net->named_parameters();
  auto to = resumed.net->named_parameters();
  for (size_t i = 0; i < from.size(); ++i) to[i].tensor.copy_from(from[i].tensor);
  auto opt_resumed = fresh(resumed.net->parameters());
  opt_resumed->load_state_dict(saved);
  resumed.train(*opt_resumed, total - before);

  const auto want = straight.net->named_parameters();
  const auto got = resumed.net->named_parameters();
  for (size_t i = 0; i < want.size(); ++i)
    EXPECT_EQ(0, std::memcmp(want[i].tensor.data(), got[i].tensor.data(),
                             sizeof(float) * want[i].tensor.numel()))
        << opt_first->name() << ": " << want[i].name << " differs after resuming";
}

Factory spec_factory(const std::string& spec) {
  return [spec](std::vector<Tensor> p) { return make_optimizer(spec, std::move(p)); };
}

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "(nothing thrown)";
}

// |a - b| <= tol * max(|b|, floor)
void expect_close(double got, double want, double tol, double floor, const std::string& what) {
  EXPECT_LE(std::abs(got - want), tol * std::max(std::abs(want), floor))
      << what << ": got " << got << ", reference " << want;
}

// ---------------------------------------------------------------- L-BFGS

TEST(Lbfgs, StepWithoutClosureThrows) {
  Tensor p = Tensor::from({2}, {1.0f, 2.0f}).requires_grad_();
  auto opt = make_optimizer("lbfgs", {p});
  const std::string msg = message_of([&] { opt->step(); });
  EXPECT_NE(msg.find("closure"), std::string::npos) << msg;
}

TEST(Lbfgs, MoreThanOneGroupThrows) {
  std::vector<ParamGroup> groups(2);
  groups[0].params = {Tensor::zeros({2}).requires_grad_()};
  groups[1].params = {Tensor::zeros({2}).requires_grad_()};
  EXPECT_THROW(LBFGS(std::move(groups)), std::invalid_argument);
}

TEST(Lbfgs, StrongWolfeSolvesAQuadratic) {
  // 0.5 (x^2 + 10 y^2): the line search plus two curvature pairs find the minimum.
  Tensor p = Tensor::from({2}, {1.5f, 1.0f}).requires_grad_();
  auto opt = make_optimizer("lbfgs:line_search_fn=strong_wolfe", {p});
  auto closure = [&] {
    opt->zero_grad();
    float* g = p.grad_data();
    const float* v = p.data();
    g[0] = v[0];
    g[1] = 10 * v[1];
    return 0.5f * (v[0] * v[0] + 10 * v[1] * v[1]);
  };
  const float first = *opt->step(closure);
  EXPECT_FLOAT_EQ(first, 0.5f * (1.5f * 1.5f + 10.0f));
  EXPECT_LT(std::abs(p.data()[0]), 1e-4f);
  EXPECT_LT(std::abs(p.data()[1]), 1e-4f);
}

TEST(Lbfgs, ResumesBitForBit) {
  expect_resume_is_exact(spec_factory("lbfgs:lr=0.3,max_iter=3,history_size=3"),
                         spec_factory("lbfgs"));
}

TEST(Lbfgs, StrongWolfeResumesBitForBit) {
  expect_resume_is_exact(
      spec_factory("lbfgs:max_iter=2,history_size=2,line_search_fn=strong_wolfe"),
      spec_factory("lbfgs"));
}

// ---------------------------------------------------------------- Lookahead

// Gradient of 0.5 sum c_i p_i^2, written into p's gradient (descent's tape not needed).
const std::vector<double> kCurv = {1.0, 3.0, 0.5, 8.0};
const std::vector<float> kStart = {1.0f, -0.7f, 2.0f, 0.3f};

float set_quadratic_grad(Tensor& p) {
  float* g = p.grad_data();
  double loss = 0;
  for (size_t i = 0; i < kCurv.size(); ++i) {
    g[i] = static_cast<float>(kCurv[i] * p.data()[i]);
    loss += 0.5 * kCurv[i] * p.data()[i] * p.data()[i];
  }
  return static_cast<float>(loss);
}

TEST(Lookahead, AlphaOneIsTheBaseOptimizer) {
  Model a(3), b(3);
  auto la =
      make_optimizer("lookahead:base=sgd,k=3,alpha=1,lr=0.1,momentum=0.9", a.net->parameters());
  auto sgd = make_optimizer("sgd:lr=0.1,momentum=0.9", b.net->parameters());
  a.train(*la, 10);
  b.train(*sgd, 10);
  // slow + 1 * (p - slow) is p up to one rounding of the difference: a few ulps.
  const auto pa = a.net->named_parameters(), pb = b.net->named_parameters();
  for (size_t i = 0; i < pa.size(); ++i)
    for (int64_t j = 0; j < pa[i].tensor.numel(); ++j)
      EXPECT_NEAR(pa[i].tensor.data()[j], pb[i].tensor.data()[j], 1e-6) << pa[i].name;
}

TEST(Lookahead, KOneAlphaHalfByHand) {
  // SGD lr 0.1 on a constant gradient g: the fast step is -0.1 g, half of it is kept, so after
  // n steps p = p0 - 0.05 n g.
  Tensor p = Tensor::from({2}, {1.0f, -2.0f}).requires_grad_();
  auto opt = make_optimizer("lookahead:base=sgd,k=1,alpha=0.5,lr=0.1", {p});
  const float g[] = {0.5f, 4.0f};
  for (int n = 1; n <= 3; ++n) {
    std::memcpy(p.grad_data(), g, sizeof g);
    opt->step();
    EXPECT_FLOAT_EQ(p.data()[0], 1.0f - 0.05f * n * 0.5f) << n;
    EXPECT_FLOAT_EQ(p.data()[1], -2.0f - 0.05f * n * 4.0f) << n;
  }
}

TEST(Lookahead, MatchesPaperInDouble) {
  // Zhang et al. Algorithm 1 around Adam (PyTorch's form), written in double. descent runs in
  // float32 throughout; over 20 steps the two differ by float rounding amplified by Adam's
  // normalization: within 1e-5 relative, with a 0.1 floor as in the golden tests, because a
  // coordinate that started near 1 and approaches 0 keeps float rounding of about 1e-7 absolute.
  const double lr = 0.05, b1 = 0.8, b2 = 0.99, eps = 1e-8, alpha = 0.6;
  const int k = 3, steps = 20;
  Tensor p = Tensor::from({4}, kStart).requires_grad_();
  auto opt = make_optimizer("lookahead:base=adam,k=3,alpha=0.6,lr=0.05,beta1=0.8,beta2=0.99", {p});
  std::vector<double> q(kStart.begin(), kStart.end()), slow = q, m(4, 0), v(4, 0);
  for (int t = 1; t <= steps; ++t) {
    set_quadratic_grad(p);
    opt->step();
    for (size_t i = 0; i < 4; ++i) {
      const double g = kCurv[i] * q[i];
      m[i] = b1 * m[i] + (1 - b1) * g;
      v[i] = b2 * v[i] + (1 - b2) * g * g;
      const double mhat = m[i] / (1 - std::pow(b1, t));
      q[i] -= lr * mhat / (std::sqrt(v[i]) / std::sqrt(1 - std::pow(b2, t)) + eps);
      if (t % k == 0) q[i] = slow[i] = slow[i] + alpha * (q[i] - slow[i]);
    }
    for (size_t i = 0; i < 4; ++i)
      expect_close(p.data()[i], q[i], 1e-5, 0.1, "step " + std::to_string(t));
  }
}

TEST(Lookahead, StateHoldsBaseStateAndSlowWeights) {
  Tensor p = Tensor::from({4}, kStart).requires_grad_();
  auto opt = make_optimizer("lookahead:base=adam,k=2,lr=0.01", {p});
  set_quadratic_grad(p);
  opt->step();
  std::vector<std::string> names;
  for (const auto& t : opt->state_dict().tensors) names.push_back(t.name);
  for (const char* want : {"state.0.exp_avg", "state.0.exp_avg_sq", "state.0.lookahead_slow"})
    EXPECT_NE(std::find(names.begin(), names.end(), want), names.end()) << want;
}

TEST(Lookahead, SpecErrors) {
  Tensor p = Tensor::zeros({2}).requires_grad_();
  std::string msg = message_of([&] { make_optimizer("lookahead:base=sgd,foo=1", {p}); });
  EXPECT_NE(msg.find("foo"), std::string::npos) << msg;
  EXPECT_NE(msg.find("momentum"), std::string::npos) << msg;  // lists the base's keys
  msg = message_of([&] { make_optimizer("lookahead:base=lbfgs", {p}); });
  EXPECT_NE(msg.find("lbfgs"), std::string::npos) << msg;
  msg = message_of([&] { make_optimizer("lookahead:base=nope", {p}); });
  EXPECT_NE(msg.find("nope"), std::string::npos) << msg;
  EXPECT_THROW(make_optimizer("lookahead:alpha=1.5", {p}), SpecError);
  EXPECT_THROW(make_optimizer("lookahead:k=0", {p}), SpecError);
}

TEST(Lookahead, ResumesBitForBit) {
  // The fresh optimizer is plain "lookahead" (base adam): everything else comes from the state.
  expect_resume_is_exact(spec_factory("lookahead:k=3,alpha=0.7,lr=0.02,amsgrad=true"),
                         spec_factory("lookahead"));
}

// ---------------------------------------------------------------- schedule-free AdamW

TEST(ScheduleFree, MatchesPaperInDouble) {
  // Defazio et al. 2024, Algorithm 1 with the reference code's weighting (lr_max^power * t^r),
  // in double. descent's float32 run stays within 1e-5 relative (floor 0.1, as the golden tests,
  // for coordinates that started near 1) over 30 steps: the averaging only contracts errors, and
  // the normalized step is bounded.
  const double lr = 0.05, b1 = 0.85, b2 = 0.99, eps = 1e-8, wd = 0.01, r = 0.5, power = 1.5;
  const int warmup = 5, steps = 30;
  Tensor p = Tensor::from({4}, kStart).requires_grad_();
  auto opt = make_optimizer(
      "adamw_schedulefree:lr=0.05,beta1=0.85,beta2=0.99,weight_decay=0.01,warmup_steps=5,"
      "r=0.5,weight_lr_power=1.5",
      {p});
  std::vector<double> z(kStart.begin(), kStart.end()), x = z, y = z, v(4, 0);
  double lr_max = -1, weight_sum = 0;
  for (int t = 1; t <= steps; ++t) {
    set_quadratic_grad(p);
    opt->step();
    const double gamma = lr * std::min(1.0, double(t) / warmup) * std::sqrt(1 - std::pow(b2, t));
    lr_max = std::max(lr_max, gamma);
    const double w = std::pow(t, r) * std::pow(lr_max, power);
    weight_sum += w;
    const double c = w / weight_sum;
    for (size_t i = 0; i < 4; ++i) {
      const double g = kCurv[i] * y[i];
      v[i] = b2 * v[i] + (1 - b2) * g * g;
      z[i] -= gamma * (g / (std::sqrt(v[i]) + eps) + wd * y[i]);
      x[i] = (1 - c) * x[i] + c * z[i];
      y[i] = (1 - b1) * z[i] + b1 * x[i];
      expect_close(p.data()[i], y[i], 1e-5, 0.1, "y at step " + std::to_string(t));
    }
  }
  auto* sf = dynamic_cast<AdamWScheduleFree*>(opt.get());
  ASSERT_NE(sf, nullptr);
  sf->eval_params();
  for (size_t i = 0; i < 4; ++i) expect_close(p.data()[i], x[i], 1e-5, 0.1, "x");
}

TEST(ScheduleFree, EvalTrainSwitchIsExactAndGuardsStep) {
  Tensor p = Tensor::from({4}, kStart).requires_grad_();
  AdamWScheduleFree opt({ParamGroup{{p}, {{"lr", 0.1}}}});
  for (int t = 0; t < 5; ++t) {
    set_quadratic_grad(p);
    opt.step();
  }
  const std::vector<float> y = p.to_vector();
  opt.eval_params();
  const std::vector<float> x = p.to_vector();
  EXPECT_NE(x, y);
  opt.eval_params();  // already there: nothing moves
  EXPECT_EQ(p.to_vector(), x);
  EXPECT_THROW(opt.step(), std::logic_error);
  opt.train_params();
  EXPECT_EQ(p.to_vector(), y);  // recomputed from z and x exactly as step() wrote it
  EXPECT_NO_THROW(opt.step());
}

TEST(ScheduleFree, ResumesBitForBit) {
  expect_resume_is_exact(
      spec_factory("adamw_schedulefree:lr=0.01,weight_decay=0.01,warmup_steps=3"),
      spec_factory("adamw_schedulefree"));
}

// ---------------------------------------------------------------- Muon

std::vector<double> newton_schulz_double(std::vector<double> g, int rows, int cols) {
  const double a = 3.4445, b = -4.7750, c = 2.0315;
  double norm = 0;
  for (double x : g) norm += x * x;
  norm = std::sqrt(norm) + 1e-7;
  const bool tr = rows > cols;
  const int m = tr ? cols : rows, n = tr ? rows : cols;
  std::vector<double> x(m * n);
  for (int i = 0; i < rows; ++i)
    for (int j = 0; j < cols; ++j) x[tr ? j * n + i : i * n + j] = g[i * cols + j] / norm;
  for (int s = 0; s < 5; ++s) {
    std::vector<double> A(m * m, 0), B(m * m, 0), X(m * n, 0);
    for (int i = 0; i < m; ++i)
      for (int j = 0; j < m; ++j)
        for (int l = 0; l < n; ++l) A[i * m + j] += x[i * n + l] * x[j * n + l];
    for (int i = 0; i < m; ++i)
      for (int j = 0; j < m; ++j) {
        double aa = 0;
        for (int l = 0; l < m; ++l) aa += A[i * m + l] * A[l * m + j];
        B[i * m + j] = b * A[i * m + j] + c * aa;
      }
    for (int i = 0; i < m; ++i)
      for (int j = 0; j < n; ++j) {
        double bx = 0;
        for (int l = 0; l < m; ++l) bx += B[i * m + l] * x[l * n + j];
        X[i * n + j] = a * x[i * n + j] + bx;
      }
    x = X;
  }
  std::vector<double> out(rows * cols);
  for (int i = 0; i < rows; ++i)
    for (int j = 0; j < cols; ++j) out[i * cols + j] = x[tr ? j * n + i : i * n + j];
  return out;
}

TEST(Muon, MatchesReferenceInDouble) {
  // Jordan et al.'s update in double: Nesterov momentum, Newton-Schulz, shape scale, decoupled
  // decay; the bias takes the AdamW path. Gradients are fixed pseudo-random values per step.
  // Newton-Schulz multiplies by polynomials with coefficients up to 4.8 over five rounds, so
  // float32 rounding grows to about 1e-5 of the O(1) update; times lr 0.05 that is well below
  // the 2e-6 absolute tolerance used for the parameters after 4 steps.
  const double lr = 0.05, mu = 0.9, wd = 0.1, alr = 0.01, ab1 = 0.9, ab2 = 0.95, aeps = 1e-8;
  for (const auto& [rows, cols] : {std::pair{3, 5}, std::pair{5, 3}}) {
    Generator gen(5);
    Tensor w = Tensor::normal({rows, cols}, 0.0f, 1.0f, gen).requires_grad_();
    Tensor bias = Tensor::normal({rows}, 0.0f, 1.0f, gen).requires_grad_();
    auto opt = make_optimizer(
        "muon:lr=0.05,momentum=0.9,weight_decay=0.1,adamw_lr=0.01,adamw_beta1=0.9", {w, bias});
    std::vector<double> W(w.data(), w.data() + w.numel()), Bv(bias.data(), bias.data() + rows);
    std::vector<double> buf(W.size(), 0), m(rows, 0), v(rows, 0);
    for (int t = 1; t <= 4; ++t) {
      Tensor gw = Tensor::normal({rows, cols}, 0.0f, 1.0f, gen);
      Tensor gb = Tensor::normal({rows}, 0.0f, 1.0f, gen);
      std::memcpy(w.grad_data(), gw.data(), sizeof(float) * W.size());
      std::memcpy(bias.grad_data(), gb.data(), sizeof(float) * rows);
      opt->step();
      std::vector<double> u(W.size());
      for (size_t i = 0; i < W.size(); ++i) {
        buf[i] = mu * buf[i] + gw.data()[i];
        u[i] = gw.data()[i] + mu * buf[i];
      }
      const std::vector<double> o = newton_schulz_double(u, rows, cols);
      const double scale = std::sqrt(std::max(1.0, double(rows) / cols));
      for (size_t i = 0; i < W.size(); ++i) W[i] -= lr * (scale * o[i] + wd * W[i]);
      for (int i = 0; i < rows; ++i) {
        const double g = gb.data()[i];
        Bv[i] *= 1 - alr * wd;
        m[i] = ab1 * m[i] + (1 - ab1) * g;
        v[i] = ab2 * v[i] + (1 - ab2) * g * g;
        Bv[i] -= alr / (1 - std::pow(ab1, t)) * m[i] /
                 (std::sqrt(v[i]) / std::sqrt(1 - std::pow(ab2, t)) + aeps);
      }
      for (size_t i = 0; i < W.size(); ++i) EXPECT_NEAR(w.data()[i], W[i], 2e-6) << t;
      for (int i = 0; i < rows; ++i) EXPECT_NEAR(bias.data()[i], Bv[i], 2e-6) << t;
    }
  }
}

TEST(Muon, NewtonSchulzIsNearlyOrthogonal) {
  // The quintic's coefficients push singular values into about [0.68, 1.13] rather than to 1
  // (speed over precision, by design), so X X^T is the identity only loosely: eigenvalues in
  // about [0.46, 1.28]. Checked as diagonal entries in [0.45, 1.3] and off-diagonal ones below
  // 0.3 (for a well-conditioned random input they are far smaller), and X's shape.
  Generator gen(9);
  const int rows = 4, cols = 9;
  Tensor g = Tensor::normal({rows, cols}, 0.0f, 1.0f, gen);
  std::vector<float> x(rows * cols), xt(rows * cols), gt(rows * cols);
  Muon::orthogonalize(g.data(), rows, cols, 5, x.data());
  for (int i = 0; i < rows; ++i)
    for (int j = 0; j < rows; ++j) {  // (X X^T)_ij over X's rows only
      double s = 0;
      for (int l = 0; l < cols; ++l) s += double(x[i * cols + l]) * x[j * cols + l];
      if (i == j) {
        EXPECT_GT(s, 0.45);
        EXPECT_LT(s, 1.3);
      } else {
        EXPECT_LT(std::abs(s), 0.3);
      }
    }
  // A tall matrix is handled through its transpose: orthogonalize(G^T) = orthogonalize(G)^T.
  for (int i = 0; i < rows; ++i)
    for (int j = 0; j < cols; ++j) gt[j * rows + i] = g.data()[i * cols + j];
  Muon::orthogonalize(gt.data(), cols, rows, 5, xt.data());
  for (int i = 0; i < rows; ++i)
    for (int j = 0; j < cols; ++j) EXPECT_EQ(xt[j * rows + i], x[i * cols + j]);
}

// adjust_lr = match_rms_adamw scales the orthogonalized step by 0.2 sqrt(max(rows, cols)) instead
// of sqrt(max(1, rows / cols)), PyTorch's two choices: for a [3, 12] matrix 0.2 sqrt(12) = 0.69
// against 1, and for a [12, 3] one 0.69 against 2.
TEST(Muon, AdjustLrMatchRmsAdamWScalesTheStep) {
  for (const auto& [rows, cols, original] : {std::tuple{3, 12, 1.0}, {12, 3, 2.0}}) {
    auto moved = [&, rows = rows, cols = cols](const std::string& spec) {
      std::vector<float> init(static_cast<size_t>(rows * cols));
      for (size_t i = 0; i < init.size(); ++i) init[i] = std::sin(static_cast<float>(i));
      Tensor p = Tensor::from({rows, cols}, init).requires_grad_();
      auto opt = make_optimizer(spec, {p});
      for (size_t i = 0; i < init.size(); ++i) p.grad_data()[i] = std::cos(1.7f * i);
      opt->step();
      std::vector<double> d(init.size());
      for (size_t i = 0; i < init.size(); ++i) d[i] = p.data()[i] - init[i];
      return d;
    };
    const std::vector<double> a = moved("muon:lr=0.01");
    const std::vector<double> b = moved("muon:lr=0.01,adjust_lr=match_rms_adamw");
    const double ratio = 0.2 * std::sqrt(std::max(rows, cols)) / original;
    for (size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(b[i], ratio * a[i], 1e-6) << "entry " << i;
  }
  Tensor p = Tensor::zeros({2, 2}).requires_grad_();
  EXPECT_THROW(make_optimizer("muon:adjust_lr=rms", {p}), SpecError);
}

TEST(Muon, ResumesBitForBit) {
  expect_resume_is_exact(spec_factory("muon:lr=0.02,weight_decay=0.01,adamw_lr=0.005"),
                         spec_factory("muon"));
}

}  // namespace test_optim_closure
}  // namespace descent
