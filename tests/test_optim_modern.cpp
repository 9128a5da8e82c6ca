// Modern optimizers PyTorch 1.13 lacks (Lion, LAMB, LARS, AdaBelief, Yogi, delta-bar-delta, ADOPT,
// Adan):
// each against its paper's update written out here in double precision, the properties that
// define it, and resuming through safetensors bit for bit.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "descent/io/safetensors.h"
#include "descent/nn/loss.h"
#include "descent/nn/network_spec.h"
#include "descent/ops/ops.h"
#include "descent/optim/registry.h"
#include "descent/util/random.h"
#include "descent/util/spec.h"

#include "optim_reference.h"
#include "optim_resume.h"

namespace descent {
namespace test_optim_modern {

using nlohmann::json;
// The harnesses: optim_reference.h (Problem, RefOptimizer, ...) and optim_resume.h.
using namespace testutil;

struct RefLion : RefOptimizer {
  double lr, b1, b2, wd;
  Vec m;
  RefLion(size_t n, double lr, double b1, double b2, double wd)
      : lr(lr), b1(b1), b2(b2), wd(wd), m(n, 0.0) {}
  void step(Vec& p, const Vec& g) override {
    for (size_t i = 0; i < p.size(); ++i) {
      const double u = sgn(b1 * m[i] + (1 - b1) * g[i]);
      p[i] -= lr * (u + wd * p[i]);
      m[i] = b2 * m[i] + (1 - b2) * g[i];
    }
  }
};

// ADOPT, the authors' code: v from the first gradient alone, then momentum of the clipped
// normalized gradient, v updated after the step.
struct RefAdopt : RefOptimizer {
  double lr, b1, b2, eps, wd;
  bool decoupled, clip;
  Vec m, v;
  int t = 0;
  RefAdopt(size_t n, double lr, double b1, double b2, double eps, double wd, bool decoupled,
           bool clip)
      : lr(lr),
        b1(b1),
        b2(b2),
        eps(eps),
        wd(wd),
        decoupled(decoupled),
        clip(clip),
        m(n, 0.0),
        v(n, 0.0) {}
  void step(Vec& p, const Vec& grad) override {
    for (size_t i = 0; i < p.size(); ++i) {
      const double g = grad[i] + (decoupled ? 0 : wd * p[i]);
      if (t == 0) {
        v[i] = g * g;
        continue;
      }
      if (decoupled) p[i] *= 1 - lr * wd;
      double u = g / std::max(std::sqrt(v[i]), eps);
      if (clip) u = std::clamp(u, -std::pow(t, 0.25), std::pow(t, 0.25));
      m[i] = b1 * m[i] + (1 - b1) * u;
      p[i] -= lr * m[i];
      v[i] = b2 * v[i] + (1 - b2) * g * g;
    }
    ++t;
  }
};

// Adan, the authors' code: gradient, gradient-difference and squared Nesterov-gradient averages,
// each bias-corrected, then the proximal weight decay step.
struct RefAdan : RefOptimizer {
  double lr, b1, b2, b3, eps, wd;
  bool no_prox;
  Vec m, v, n2, prev;
  int t = 0;
  RefAdan(size_t n, double lr, double b1, double b2, double b3, double eps, double wd, bool no_prox)
      : lr(lr),
        b1(b1),
        b2(b2),
        b3(b3),
        eps(eps),
        wd(wd),
        no_prox(no_prox),
        m(n, 0.0),
        v(n, 0.0),
        n2(n, 0.0),
        prev(n, 0.0) {}
  void step(Vec& p, const Vec& g) override {
    ++t;
    const double c1 = 1 - std::pow(b1, t), c2 = 1 - std::pow(b2, t), c3 = 1 - std::pow(b3, t);
    for (size_t i = 0; i < p.size(); ++i) {
      const double d = t == 1 ? 0 : g[i] - prev[i];
      m[i] = b1 * m[i] + (1 - b1) * g[i];
      v[i] = b2 * v[i] + (1 - b2) * d;
      n2[i] = b3 * n2[i] + (1 - b3) * (g[i] + b2 * d) * (g[i] + b2 * d);
      const double u = (m[i] / c1 + b2 * v[i] / c2) / (std::sqrt(n2[i] / c3) + eps);
      p[i] = no_prox ? p[i] * (1 - lr * wd) - lr * u : (p[i] - lr * u) / (1 + lr * wd);
      prev[i] = g[i];
    }
  }
};

// AdEMAMix, the authors' code: Adam's fast momentum plus alpha times a slow one, with the alpha
// and beta3 warmups (beta3 linear in the half-life).
struct RefAdEMAMix : RefOptimizer {
  double lr, b1, b2, b3, alpha, alpha_warmup, beta3_warmup, eps, wd;
  Vec m1, m2, v;
  int t = 0;
  RefAdEMAMix(size_t n, double lr, double b1, double b2, double b3, double alpha, double aw,
              double bw, double eps, double wd)
      : lr(lr),
        b1(b1),
        b2(b2),
        b3(b3),
        alpha(alpha),
        alpha_warmup(aw),
        beta3_warmup(bw),
        eps(eps),
        wd(wd),
        m1(n, 0.0),
        m2(n, 0.0),
        v(n, 0.0) {}
  void step(Vec& p, const Vec& g) override {
    ++t;
    const double a = alpha_warmup > 0 && t < alpha_warmup ? alpha * t / alpha_warmup : alpha;
    double beta3 = b3;
    if (beta3_warmup > 0 && t < beta3_warmup) {
      const auto f = [](double b) { return std::log(0.5) / std::log(b + 1e-8) - 1; };
      const double s = t / beta3_warmup;
      beta3 = std::pow(0.5, 1 / ((1 - s) * f(b1) + s * f(b3) + 1));
    }
    for (size_t i = 0; i < p.size(); ++i) {
      m1[i] = b1 * m1[i] + (1 - b1) * g[i];
      m2[i] = beta3 * m2[i] + (1 - beta3) * g[i];
      v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
      const double u = (m1[i] / (1 - std::pow(b1, t)) + a * m2[i]) /
                       (std::sqrt(v[i] / (1 - std::pow(b2, t))) + eps);
      p[i] -= lr * (u + wd * p[i]);
    }
  }
};

struct RefLamb : RefOptimizer {
  double lr, b1, b2, eps, wd;
  bool bias_correction;
  Vec m, v;
  int t = 0;
  RefLamb(size_t n, double lr, double b1, double b2, double eps, double wd, bool bc)
      : lr(lr), b1(b1), b2(b2), eps(eps), wd(wd), bias_correction(bc), m(n, 0.0), v(n, 0.0) {}
  void step(Vec& p, const Vec& g) override {
    ++t;
    const double bc1 = bias_correction ? 1 - std::pow(b1, t) : 1.0;
    const double bc2 = bias_correction ? 1 - std::pow(b2, t) : 1.0;
    Vec r(p.size());
    for (size_t i = 0; i < p.size(); ++i) {
      m[i] = b1 * m[i] + (1 - b1) * g[i];
      v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
      r[i] = (m[i] / bc1) / (std::sqrt(v[i] / bc2) + eps) + wd * p[i];
    }
    const double w = std::min(norm(p), 10.0), rn = norm(r);
    const double ratio = (w == 0 || rn == 0) ? 1.0 : w / rn;
    for (size_t i = 0; i < p.size(); ++i) p[i] -= lr * ratio * r[i];
  }
};

struct RefLars : RefOptimizer {
  double lr, momentum, wd, tc, eps;
  Vec v;
  RefLars(size_t n, double lr, double momentum, double wd, double tc, double eps)
      : lr(lr), momentum(momentum), wd(wd), tc(tc), eps(eps), v(n, 0.0) {}
  void step(Vec& p, const Vec& g) override {
    const double pn = norm(p), gn = norm(g);
    const double local_lr = (pn > 0 && gn > 0) ? tc * pn / (gn + wd * pn + eps) : 1.0;
    for (size_t i = 0; i < p.size(); ++i) {
      v[i] = momentum * v[i] + lr * local_lr * (g[i] + wd * p[i]);
      p[i] -= v[i];
    }
  }
};

struct RefAdaBelief : RefOptimizer {
  double lr, b1, b2, eps, wd;
  bool decoupled, amsgrad, rectify;
  Vec m, s, smax;
  int t = 0;
  RefAdaBelief(size_t n, double lr, double b1, double b2, double eps, double wd, bool decoupled,
               bool amsgrad, bool rectify)
      : lr(lr),
        b1(b1),
        b2(b2),
        eps(eps),
        wd(wd),
        decoupled(decoupled),
        amsgrad(amsgrad),
        rectify(rectify),
        m(n, 0.0),
        s(n, 0.0),
        smax(n, 0.0) {}
  void step(Vec& p, const Vec& grad) override {
    ++t;
    const double bc1 = 1 - std::pow(b1, t), bc2 = 1 - std::pow(b2, t);
    const double rho_inf = 2 / (1 - b2) - 1;
    const double rho_t = rho_inf - 2 * t * std::pow(b2, t) / bc2;
    for (size_t i = 0; i < p.size(); ++i) {
      double g = grad[i];
      if (decoupled)
        p[i] *= 1 - lr * wd;
      else
        g += wd * p[i];
      m[i] = b1 * m[i] + (1 - b1) * g;
      s[i] = b2 * s[i] + (1 - b2) * (g - m[i]) * (g - m[i]) + eps;
      smax[i] = std::max(smax[i], s[i]);
      const double s_hat = (amsgrad ? smax[i] : s[i]) / bc2;
      const double m_hat = m[i] / bc1;
      if (!rectify) {
        p[i] -= lr * m_hat / (std::sqrt(s_hat) + eps);
      } else if (rho_t >= 5) {
        const double r = std::sqrt((rho_t - 4) * (rho_t - 2) * rho_inf /
                                   ((rho_inf - 4) * (rho_inf - 2) * rho_t));
        // The reference's form: sqrt(1 - beta2^t) moves into the step size, eps onto sqrt(s).
        p[i] -= lr * r * std::sqrt(bc2) / bc1 * m[i] / (std::sqrt(s_hat * bc2) + eps);
      } else {
        p[i] -= lr * m_hat;
      }
    }
  }
};

struct RefYogi : RefOptimizer {
  double lr, b1, b2, eps, wd;
  Vec m, v;
  int t = 0;
  RefYogi(size_t n, double lr, double b1, double b2, double eps, double init, double wd)
      : lr(lr), b1(b1), b2(b2), eps(eps), wd(wd), m(n, init), v(n, init) {}
  void step(Vec& p, const Vec& grad) override {
    ++t;
    for (size_t i = 0; i < p.size(); ++i) {
      const double g = grad[i] + wd * p[i];
      m[i] = b1 * m[i] + (1 - b1) * g;
      v[i] -= (1 - b2) * sgn(v[i] - g * g) * g * g;
      p[i] -= lr * (m[i] / (1 - std::pow(b1, t))) / (std::sqrt(v[i] / (1 - std::pow(b2, t))) + eps);
    }
  }
};

struct RefDeltaBarDelta : RefOptimizer {
  double kappa, phi, theta;
  Vec e, bar;
  RefDeltaBarDelta(size_t n, double lr, double kappa, double phi, double theta)
      : kappa(kappa), phi(phi), theta(theta), e(n, lr), bar(n, 0.0) {}
  void step(Vec& p, const Vec& delta) override {
    for (size_t i = 0; i < p.size(); ++i) {
      if (bar[i] * delta[i] > 0) e[i] += kappa;
      if (bar[i] * delta[i] < 0) e[i] *= 1 - phi;
      bar[i] = (1 - theta) * delta[i] + theta * bar[i];
      p[i] -= e[i] * delta[i];
    }
  }
};

const std::vector<std::string> kModern = {
    "lion", "lamb", "lars", "adabelief", "yogi", "delta_bar_delta", "adopt", "adan"};

// ---------------------------------------------------------------------------------------------
// All six.

TEST(ModernOptimizers, RegisteredWithLrAndMaximize) {
  for (const auto& name : kModern) {
    const OptimizerInfo& info = optimizer_info(name);
    std::vector<std::string> keys;
    for (const auto& d : info.hyperparams) keys.push_back(d.name);
    EXPECT_NE(std::find(keys.begin(), keys.end(), "lr"), keys.end()) << name;
    EXPECT_NE(std::find(keys.begin(), keys.end(), "maximize"), keys.end()) << name;
    EXPECT_NE(std::find(keys.begin(), keys.end(), "weight_decay"), keys.end()) << name;
    Tensor p = Tensor::zeros({2}).requires_grad_();
    EXPECT_EQ(make_optimizer(name, {p})->name(), name);
  }
  Tensor p = Tensor::zeros({2}).requires_grad_();
  EXPECT_THROW(make_optimizer("lion:beta2=1", {p}), SpecError);
  EXPECT_THROW(make_optimizer("delta_bar_delta:phi=1", {p}), SpecError);
  EXPECT_THROW(make_optimizer("lars:trust_coefficient=-1", {p}), SpecError);
}

// maximize on -L negates the negated gradient exactly, so the run equals minimizing L bit for bit.
TEST(ModernOptimizers, MaximizeEqualsMinimizingTheNegation) {
  const std::vector<std::string> specs = {"lion:lr=0.01,weight_decay=0.1",
                                          "lamb:lr=0.01,weight_decay=0.01",
                                          "lars:weight_decay=0.01",
                                          "adabelief:lr=0.01,weight_decay=0.01",
                                          "yogi:weight_decay=0.01",
                                          "delta_bar_delta:lr=0.01,weight_decay=0.01",
                                          "adopt:lr=0.01,weight_decay=0.01",
                                          "adan:lr=0.01,weight_decay=0.02",
                                          "ademamix:lr=0.01,weight_decay=0.01"};
  for (const auto& spec : specs) expect_maximize_equals_minimizing_the_negation(spec);
}

// ---------------------------------------------------------------------------------------------
// Lion.

TEST(Lion, MatchesPaperInDouble) {
  expect_matches_reference(
      "lion:lr=0.01", [](size_t n) { return std::make_unique<RefLion>(n, 0.01, 0.9, 0.99, 0.0); });
  expect_matches_reference("lion:lr=0.01,beta1=0.8,beta2=0.95,weight_decay=0.5", [](size_t n) {
    return std::make_unique<RefLion>(n, 0.01, 0.8, 0.95, 0.5);
  });
}

// Without weight decay every entry moves by exactly lr (a sign update); the first step's sign
// is the gradient's. Dyadic values keep p -/+ lr exact in float.
TEST(Lion, UpdateEntriesHaveMagnitudeExactlyLr) {
  Generator gen(3);
  std::vector<float> init(12);
  for (int i = 0; i < 12; ++i) init[i] = static_cast<float>(i - 6) / 8.0f;
  Tensor p = Tensor::from({3, 4}, init).requires_grad_();
  const float lr = 1.0f / 64;
  auto opt = make_optimizer("lion:lr=0.015625", {p});
  for (int s = 0; s < 6; ++s) {
    const std::vector<float> before = p.to_vector();
    std::vector<float> g(12);
    for (auto& v : g) v = static_cast<float>(gen.uniform() - 0.5) * 4.0f + 0.01f;
    set_grad(p, g);
    opt->step();
    for (int i = 0; i < 12; ++i) {
      const float d = p.data()[i] - before[i];
      EXPECT_EQ(std::abs(d), lr) << "step " << s << " entry " << i;
      if (s == 0) {
        EXPECT_EQ(d, g[i] > 0 ? -lr : lr) << "entry " << i;
      }
    }
  }
}

// With decoupled weight decay: p <- p - lr (sign + wd p).
TEST(Lion, WeightDecayIsDecoupled) {
  Tensor p = Tensor::from({4}, {2.0f, -1.0f, 0.5f, 3.0f}).requires_grad_();
  auto opt = make_optimizer("lion:lr=0.01,weight_decay=0.5", {p});
  const std::vector<float> g = {1e-3f, 1e-3f, -5.0f, 0.0f};  // tiny, tiny, large, zero
  set_grad(p, g);
  const std::vector<float> before = p.to_vector();
  opt->step();
  for (int i = 0; i < 4; ++i) {
    const double want = before[i] - 0.01 * (sgn(g[i]) + 0.5 * before[i]);
    EXPECT_NEAR(p.data()[i], want, 1e-6) << i;
  }
}

TEST(Lion, ResumesBitForBit) { expect_resume_is_exact("lion:lr=0.001,weight_decay=0.1"); }

// ---------------------------------------------------------------------------------------------
// ADOPT.

TEST(Adopt, MatchesTheAuthorsUpdateInDouble) {
  expect_matches_reference("adopt:lr=0.01", [](size_t n) {
    return std::make_unique<RefAdopt>(n, 0.01, 0.9, 0.9999, 1e-6, 0.0, false, true);
  });
  expect_matches_reference("adopt:lr=0.02,beta1=0.8,beta2=0.99,weight_decay=0.1", [](size_t n) {
    return std::make_unique<RefAdopt>(n, 0.02, 0.8, 0.99, 1e-6, 0.1, false, true);
  });
  expect_matches_reference(
      "adopt:lr=0.02,weight_decay=0.1,decoupled=true,clip=false", [](size_t n) {
        return std::make_unique<RefAdopt>(n, 0.02, 0.9, 0.9999, 1e-6, 0.1, true, false);
      });
}

// The first step only measures the gradient's scale: the parameters stay; the second moves each
// entry by lr (1 - beta1) clip(g / |g_0|, 1).
TEST(Adopt, FirstStepOnlyFillsTheSecondMoment) {
  Tensor p = Tensor::from({3}, {1.0f, -2.0f, 0.5f}).requires_grad_();
  auto opt = make_optimizer("adopt:lr=0.1", {p});
  set_grad(p, {2.0f, -0.5f, 0.0f});
  opt->step();
  EXPECT_EQ(p.to_vector(), (std::vector<float>{1.0f, -2.0f, 0.5f}));
  EXPECT_EQ(buffer_of(*opt, 0, "exp_avg_sq"), (std::vector<float>{4.0f, 0.25f, 0.0f}));
  set_grad(p, {4.0f, -0.5f, 1e-3f});  // normalized: 2 (clipped to 1), -1, 1e-3/1e-6 (clipped)
  opt->step();
  EXPECT_NEAR(p.data()[0], 1.0 - 0.1 * 0.1 * 1.0, 1e-7);
  EXPECT_NEAR(p.data()[1], -2.0 + 0.1 * 0.1 * 1.0, 1e-7);
  EXPECT_NEAR(p.data()[2], 0.5 - 0.1 * 0.1 * 1.0, 1e-7);
}

TEST(Adopt, ResumesBitForBit) { expect_resume_is_exact("adopt:lr=0.01,weight_decay=0.01"); }

// ---------------------------------------------------------------------------------------------
// Adan.

TEST(Adan, MatchesTheAuthorsUpdateInDouble) {
  expect_matches_reference("adan:lr=0.01", [](size_t n) {
    return std::make_unique<RefAdan>(n, 0.01, 0.98, 0.92, 0.99, 1e-8, 0.0, false);
  });
  expect_matches_reference(
      "adan:lr=0.02,beta1=0.9,beta2=0.8,beta3=0.95,weight_decay=0.05", [](size_t n) {
        return std::make_unique<RefAdan>(n, 0.02, 0.9, 0.8, 0.95, 1e-8, 0.05, false);
      });
  expect_matches_reference("adan:lr=0.02,weight_decay=0.05,no_prox=true", [](size_t n) {
    return std::make_unique<RefAdan>(n, 0.02, 0.98, 0.92, 0.99, 1e-8, 0.05, true);
  });
}

// A constant gradient has no difference term: the bias-corrected averages are g and 0, so every
// step moves by lr g / (|g| + eps), like sign descent.
TEST(Adan, ConstantGradientStepsLikeSignDescent) {
  Tensor p = Tensor::from({2}, {1.0f, -1.0f}).requires_grad_();
  auto opt = make_optimizer("adan:lr=0.01", {p});
  for (int s = 1; s <= 5; ++s) {
    set_grad(p, {0.5f, -3.0f});
    opt->step();
    EXPECT_NEAR(p.data()[0], 1.0 - 0.01 * s, 1e-6) << s;
    EXPECT_NEAR(p.data()[1], -1.0 + 0.01 * s, 1e-6) << s;
  }
}

TEST(Adan, ResumesBitForBit) { expect_resume_is_exact("adan:lr=0.01,weight_decay=0.02"); }

// ---------------------------------------------------------------------------------------------
// AdEMAMix.

TEST(AdEMAMix, MatchesTheAuthorsUpdateInDouble) {
  expect_matches_reference("ademamix:lr=0.005", [](size_t n) {
    return std::make_unique<RefAdEMAMix>(n, 0.005, 0.9, 0.999, 0.9999, 5.0, 0, 0, 1e-8, 0.0);
  });
  expect_matches_reference(
      "ademamix:lr=0.005,beta3=0.999,alpha=3,alpha_warmup=20,beta3_warmup=30,weight_decay=0.1",
      [](size_t n) {
        return std::make_unique<RefAdEMAMix>(n, 0.005, 0.9, 0.999, 0.999, 3.0, 20, 30, 1e-8, 0.1);
      });
}

// With alpha = 0 the slow momentum is ignored and AdEMAMix is AdamW (same defaults, same eps).
TEST(AdEMAMix, WithoutTheSlowMomentumItIsAdamW) {
  const std::vector<float> init = {0.5f, -1.0f, 2.0f, 0.25f};
  Tensor a = Tensor::from({4}, init).requires_grad_();
  Tensor b = Tensor::from({4}, init).requires_grad_();
  auto mix = make_optimizer("ademamix:lr=0.01,alpha=0,weight_decay=0.1", {a});
  auto adamw = make_optimizer("adamw:lr=0.01,weight_decay=0.1", {b});
  Generator gen(5);
  for (int s = 0; s < 10; ++s) {
    std::vector<float> g(4);
    for (auto& x : g) x = static_cast<float>(gen.uniform() - 0.5);
    set_grad(a, g);
    set_grad(b, g);
    mix->step();
    adamw->step();
  }
  for (int i = 0; i < 4; ++i) EXPECT_NEAR(a.data()[i], b.data()[i], 1e-6) << i;
}

TEST(AdEMAMix, ResumesBitForBit) {
  expect_resume_is_exact("ademamix:lr=0.005,alpha_warmup=10,beta3_warmup=10,weight_decay=0.01");
}

// ---------------------------------------------------------------------------------------------
// LAMB.

TEST(Lamb, MatchesPaperInDouble) {
  expect_matches_reference("lamb:lr=0.02,weight_decay=0.01", [](size_t n) {
    return std::make_unique<RefLamb>(n, 0.02, 0.9, 0.999, 1e-6, 0.01, true);
  });
  expect_matches_reference("lamb:lr=0.02,beta1=0.8,beta2=0.99,bias_correction=false", [](size_t n) {
    return std::make_unique<RefLamb>(n, 0.02, 0.8, 0.99, 1e-6, 0.0, false);
  });
}

// The whole step has norm lr * min(||p||, 10) (ratio ||p|| / ||r|| times r), so a parameter
// with ||p|| = 40 steps lr * 10 with the clamp and lr * 40 without.
TEST(Lamb, TrustRatioUsesClampedWeightNorm) {
  for (const bool clamp : {true, false}) {
    Tensor p = Tensor::from({2, 2}, {20.0f, -20.0f, 20.0f, 20.0f}).requires_grad_();
    auto opt = make_optimizer(
        std::string("lamb:lr=0.01,clamp_weight_norm=") + (clamp ? "true" : "false"), {p});
    set_grad(p, {0.5f, -2.0f, 1.0f, 3.0f});
    const std::vector<float> before = p.to_vector();
    opt->step();
    Vec d(4);
    for (int i = 0; i < 4; ++i) d[i] = p.data()[i] - before[i];
    const double w = clamp ? 10.0 : 40.0;
    // p near 20 has a float spacing of 2e-6, which bounds how well d is known.
    EXPECT_NEAR(norm(d), 0.01 * w, 1e-5) << "clamp " << clamp;
    // First step: m_hat = g and v_hat = g^2, so r = g / (|g| + eps), of norm about 2.
    EXPECT_NEAR(scalar_of(*opt, 0, "trust_ratio"), w / 2.0, w / 2.0 * 1e-5);
    const float g[] = {0.5f, -2.0f, 1.0f, 3.0f};
    for (int i = 0; i < 4; ++i) EXPECT_LT(d[i] * g[i], 0) << i;  // against the gradient
  }
}

// A zero parameter has no scale to keep: ratio 1, a plain lr * r step.
TEST(Lamb, ZeroWeightNormGivesRatioOne) {
  Tensor p = Tensor::zeros({3}).requires_grad_();
  auto opt = make_optimizer("lamb:lr=0.1", {p});
  set_grad(p, {1.0f, -2.0f, 4.0f});
  opt->step();
  EXPECT_EQ(scalar_of(*opt, 0, "trust_ratio"), 1.0);
  EXPECT_NEAR(p.data()[0], -0.1, 1e-6);
  EXPECT_NEAR(p.data()[1], 0.1, 1e-6);
  EXPECT_NEAR(p.data()[2], -0.1, 1e-6);
}

TEST(Lamb, ResumesBitForBit) { expect_resume_is_exact("lamb:lr=0.01,weight_decay=0.01"); }

// ---------------------------------------------------------------------------------------------
// LARS.

TEST(Lars, MatchesPaperInDouble) {
  expect_matches_reference(
      "lars:lr=0.5,momentum=0.9,weight_decay=0.01,trust_coefficient=0.02",
      [](size_t n) { return std::make_unique<RefLars>(n, 0.5, 0.9, 0.01, 0.02, 1e-8); });
  expect_matches_reference("lars:lr=2,momentum=0.5,trust_coefficient=0.01", [](size_t n) {
    return std::make_unique<RefLars>(n, 2.0, 0.5, 0.0, 0.01, 1e-8);
  });
}

// Two steps by hand: local_lr = tc ||p|| / (||g|| + wd ||p|| + eps), v = mu v + lr local_lr
// (g + wd p), p -= v; and the local lr is kept in the state for inspection.
TEST(Lars, TrustRatioFormula) {
  Tensor p = Tensor::from({2, 3}, {1.0f, -2.0f, 0.5f, 3.0f, 0.0f, -1.0f}).requires_grad_();
  auto opt =
      make_optimizer("lars:lr=0.1,momentum=0.9,weight_decay=0.01,trust_coefficient=0.5", {p});
  Vec ref(p.data(), p.data() + 6), v(6, 0.0);
  const std::vector<std::vector<float>> grads = {{0.3f, -0.1f, 2.0f, 0.0f, 1.0f, -0.5f},
                                                 {-0.2f, 0.4f, 1.0f, 0.3f, -1.0f, 0.1f}};
  for (const auto& g : grads) {
    const Vec gd(g.begin(), g.end());
    const double local = 0.5 * norm(ref) / (norm(gd) + 0.01 * norm(ref) + 1e-8);
    set_grad(p, g);
    opt->step();
    EXPECT_NEAR(scalar_of(*opt, 0, "local_lr"), local, local * 1e-6);
    for (int i = 0; i < 6; ++i) {
      v[i] = 0.9 * v[i] + 0.1 * local * (gd[i] + 0.01 * ref[i]);
      ref[i] -= v[i];
      EXPECT_NEAR(p.data()[i], ref[i], 1e-6) << i;
    }
  }
}

// exclude_1d (default true) leaves a 1-D tensor with local_lr 1: plain momentum SGD with lr
// inside the velocity. A zero tensor (no norm to scale by) also gets local_lr 1.
TEST(Lars, OneDimensionalAndZeroParamsAreNotAdapted) {
  for (const bool exclude : {true, false}) {
    Tensor bias = Tensor::from({3}, {1.0f, 2.0f, -2.0f}).requires_grad_();
    auto opt = make_optimizer(std::string("lars:lr=0.1,exclude_1d=") + (exclude ? "true" : "false"),
                              {bias});
    set_grad(bias, {0.5f, -1.0f, 0.25f});
    opt->step();
    const double want_local = exclude ? 1.0 : 1e-3 * 3.0 / (std::sqrt(1.3125) + 1e-8);
    EXPECT_NEAR(scalar_of(*opt, 0, "local_lr"), want_local, want_local * 1e-6);
    EXPECT_NEAR(bias.data()[0], 1.0 - 0.1 * want_local * 0.5, 2e-7);
  }
  Tensor w = Tensor::zeros({2, 2}).requires_grad_();
  auto opt = make_optimizer("lars:lr=0.1", {w});
  set_grad(w, {1.0f, -1.0f, 2.0f, 0.0f});
  opt->step();
  EXPECT_EQ(scalar_of(*opt, 0, "local_lr"), 1.0);
  EXPECT_FLOAT_EQ(w.data()[2], -0.2f);
}

TEST(Lars, ResumesBitForBit) {
  expect_resume_is_exact("lars:lr=0.5,weight_decay=1e-4,trust_coefficient=0.01");
}

// ---------------------------------------------------------------------------------------------
// AdaBelief.

TEST(AdaBelief, MatchesPaperInDouble) {
  expect_matches_reference("adabelief:lr=0.01,weight_decay=0.1", [](size_t n) {
    return std::make_unique<RefAdaBelief>(n, 0.01, 0.9, 0.999, 1e-16, 0.1, true, false, false);
  });
  expect_matches_reference(
      "adabelief:lr=0.01,weight_decay=0.1,decoupled_weight_decay=false,amsgrad=true,eps=1e-8",
      [](size_t n) {
        return std::make_unique<RefAdaBelief>(n, 0.01, 0.9, 0.999, 1e-8, 0.1, false, true, false);
      });
  // Rectified: SGD-like while rho_t < 5 (the first 5 steps at beta2 0.999), then adaptive.
  expect_matches_reference("adabelief:lr=0.01,rectify=true,eps=1e-12", [](size_t n) {
    return std::make_unique<RefAdaBelief>(n, 0.01, 0.9, 0.999, 1e-12, 0.0, false, false, true);
  });
}

// s tracks the squared residual (g - m)^2 (plus eps), not g^2: with a constant gradient the
// residual shrinks as m catches up, so s stays far below Adam's v = EMA of g^2.
TEST(AdaBelief, SecondMomentUsesGradientResidual) {
  Tensor p = Tensor::from({2}, {1.0f, -1.0f}).requires_grad_();
  auto opt = make_optimizer("adabelief:lr=0.001,beta1=0.9,beta2=0.99,eps=1e-12", {p});
  const Vec g = {2.0, -0.5};
  Vec m(2, 0.0), s(2, 0.0), v(2, 0.0);
  for (int step = 0; step < 40; ++step) {
    set_grad(p, {static_cast<float>(g[0]), static_cast<float>(g[1])});
    opt->step();
    const std::vector<float> got_s = buffer_of(*opt, 0, "exp_avg_var");
    const std::vector<float> got_m = buffer_of(*opt, 0, "exp_avg");
    for (int i = 0; i < 2; ++i) {
      m[i] = 0.9 * m[i] + 0.1 * g[i];
      s[i] = 0.99 * s[i] + 0.01 * (g[i] - m[i]) * (g[i] - m[i]) + 1e-12;
      v[i] = 0.99 * v[i] + 0.01 * g[i] * g[i];
      EXPECT_NEAR(got_m[i], m[i], 1e-6 * std::abs(m[i]));
      EXPECT_NEAR(got_s[i], s[i], 1e-5 * s[i]) << "step " << step << " entry " << i;
    }
  }
  EXPECT_LT(s[0], 0.2 * v[0]);
}

// Decoupled decay (the default) shrinks p by (1 - lr wd) outside the moments: with a zero
// gradient the moments stay zero and that is the whole step. Coupled decay moves m instead.
TEST(AdaBelief, DecoupledWeightDecayShrinksWeightsOnly) {
  Tensor p = Tensor::from({2}, {3.0f, -0.5f}).requires_grad_();
  auto opt = make_optimizer("adabelief:lr=0.1,weight_decay=0.2", {p});
  set_grad(p, {0.0f, 0.0f});
  opt->step();
  const float decay = static_cast<float>(1.0 - 0.1 * 0.2);
  EXPECT_EQ(p.data()[0], 3.0f * decay);
  EXPECT_EQ(p.data()[1], -0.5f * decay);
  EXPECT_EQ(buffer_of(*opt, 0, "exp_avg")[0], 0.0f);

  Tensor q = Tensor::from({2}, {3.0f, -0.5f}).requires_grad_();
  auto coupled =
      make_optimizer("adabelief:lr=0.1,weight_decay=0.2,decoupled_weight_decay=false", {q});
  set_grad(q, {0.0f, 0.0f});
  coupled->step();
  EXPECT_NEAR(buffer_of(*coupled, 0, "exp_avg")[0], 0.1 * 0.2 * 3.0, 1e-7);
}

TEST(AdaBelief, ResumesBitForBit) {
  expect_resume_is_exact("adabelief:lr=0.01,weight_decay=0.01,amsgrad=true,rectify=true");
}

// ---------------------------------------------------------------------------------------------
// Yogi.

TEST(Yogi, MatchesReferenceInDouble) {
  expect_matches_reference("yogi:lr=0.05", [](size_t n) {
    return std::make_unique<RefYogi>(n, 0.05, 0.9, 0.999, 1e-3, 1e-6, 0.0);
  });
  expect_matches_reference(
      "yogi:lr=0.05,beta2=0.9,weight_decay=0.01,initial_accumulator=0.5",
      [](size_t n) { return std::make_unique<RefYogi>(n, 0.05, 0.9, 0.9, 1e-3, 0.5, 0.01); });
}

// v moves by exactly (1 - beta2) g^2, down when v > g^2 and up when v < g^2 (Adam's v moves by
// (1 - beta2)(g^2 - v)), so v never crosses zero. Both moments start at initial_accumulator.
TEST(Yogi, SecondMomentChangesOnlyBySignRule) {
  Tensor p = Tensor::from({3}, {1.0f, -1.0f, 0.5f}).requires_grad_();
  auto opt = make_optimizer("yogi:beta2=0.9,initial_accumulator=0.25", {p});
  const std::vector<std::vector<float>> grads = {
      {2.0f, 0.1f, 0.5f}, {0.1f, 2.0f, 0.5f}, {0.0f, 0.1f, 3.0f}, {1.0f, 0.0f, 0.01f}};
  std::vector<float> v(3, 0.25f);
  for (const auto& g : grads) {
    set_grad(p, g);
    opt->step();
    const std::vector<float> got = buffer_of(*opt, 0, "exp_avg_sq");
    for (int i = 0; i < 3; ++i) {
      const double g2 = static_cast<double>(g[i]) * g[i];
      const double want = v[i] - 0.1 * sgn(v[i] - g2) * g2;
      EXPECT_NEAR(got[i], want, 1e-6 * std::max(1.0, want)) << i;
      if (g[i] == 0.0f) {
        EXPECT_EQ(got[i], v[i]) << i;  // no gradient, no change
      } else if (v[i] > g2) {
        EXPECT_LT(got[i], v[i]) << i;
      } else if (v[i] < g2) {
        EXPECT_GT(got[i], v[i]) << i;
      }
      EXPECT_GT(got[i], 0.0f);
      v[i] = got[i];
    }
  }
  EXPECT_EQ(buffer_of(*opt, 0, "exp_avg").size(), 3u);
}

TEST(Yogi, ResumesBitForBit) { expect_resume_is_exact("yogi:lr=0.01,weight_decay=0.01"); }

// ---------------------------------------------------------------------------------------------
// Delta-bar-delta.

TEST(DeltaBarDelta, MatchesJacobsInDouble) {
  expect_matches_reference("delta_bar_delta:lr=0.01,kappa=0.002,phi=0.2,theta=0.7", [](size_t n) {
    return std::make_unique<RefDeltaBarDelta>(n, 0.01, 0.002, 0.2, 0.7);
  });
  expect_matches_reference("delta_bar_delta:lr=0.02,kappa=0.002,phi=0.5,theta=0.3", [](size_t n) {
    return std::make_unique<RefDeltaBarDelta>(n, 0.02, 0.002, 0.5, 0.3);
  });
}

// Per-weight rates: + kappa when the gradient agrees in sign with bar_delta, * (1 - phi) when
// it disagrees, unchanged on the first step (bar_delta 0) and for a zero gradient.
TEST(DeltaBarDelta, RatesGrowAdditivelyAndShrinkMultiplicatively) {
  Tensor p = Tensor::zeros({4}).requires_grad_();
  auto opt = make_optimizer("delta_bar_delta:lr=0.5,kappa=0.25,phi=0.5,theta=0.5", {p});
  // Dyadic values: every rate below is exact in float.
  const std::vector<std::vector<float>> grads = {
      {1.0f, -1.0f, 1.0f, -1.0f},  // first step: no bar_delta yet
      {1.0f, -1.0f, -1.0f, 1.0f},  // agree, agree, flip, flip
      {2.0f, 0.0f, -1.0f, 1.0f},   // agree, zero, agree (bar now negative), agree
      {-1.0f, -1.0f, 1.0f, 1.0f}};
  const std::vector<std::vector<float>> rates = {{0.5f, 0.5f, 0.5f, 0.5f},
                                                 {0.75f, 0.75f, 0.25f, 0.25f},
                                                 {1.0f, 0.75f, 0.5f, 0.5f},
                                                 {0.5f, 1.0f, 0.25f, 0.75f}};
  for (size_t s = 0; s < grads.size(); ++s) {
    const std::vector<float> before = p.to_vector();
    set_grad(p, grads[s]);
    opt->step();
    EXPECT_EQ(buffer_of(*opt, 0, "learning_rates"), rates[s]) << "step " << s;
    for (int i = 0; i < 4; ++i)  // the step uses the new rate
      EXPECT_EQ(p.data()[i], before[i] - rates[s][i] * grads[s][i]) << "step " << s << " " << i;
  }
}

TEST(DeltaBarDelta, ResumesBitForBit) {
  expect_resume_is_exact("delta_bar_delta:lr=0.05,kappa=0.005,weight_decay=0.01");
}

}  // namespace test_optim_modern
}  // namespace descent
