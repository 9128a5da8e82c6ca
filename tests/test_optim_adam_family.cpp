// The Adam family beyond the golden files: Adam's and AdamW's conventions, NAdam's and RAdam's
// decoupled weight decay and maximize (torch 1.13 lacks them) and Adafactor (torch 1.13 lacks it)
// against their updates written in double precision here; properties; and bit-exact resuming
// of every optimizer of the family through safetensors.
//
// Reference tolerance: a float32 parameter p matches the double reference r when
// |p - r| <= 1e-5 * max(|r|, 0.1). The gradients are a fixed sequence (not a function of p), so
// rounding errors do not feed back into the gradients; what remains is the float rounding of p
// itself (half an ulp, 6e-8 relative, per step) and of the step (a few ulps of a step of at most
// lr, 1e-2 here), which over 30 steps stay below 2e-6 relative in the worst case. The
// conventions differ from one another by far more (each test checks that the variants it
// separates are at least 100 tolerances apart), so the rule tells them apart.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "descent/io/safetensors.h"
#include "descent/nn/loss.h"
#include "descent/nn/network_spec.h"
#include "descent/optim/adafactor.h"
#include "descent/optim/adam.h"
#include "descent/optim/adamw.h"
#include "descent/optim/registry.h"
#include "descent/util/random.h"
#include "descent/util/spec.h"

#include "optim_resume.h"

namespace descent {
namespace test_optim_adam_family {

using testutil::expect_resume_is_exact;
using testutil::Model;
using testutil::round_trip;

using nlohmann::json;

constexpr double kRelTol = 1e-5;
constexpr double kFloor = 0.1;
constexpr int kSteps = 30;

double rel_error(double got, double want) {
  return std::abs(got - want) / std::max(std::abs(want), kFloor);
}

// Gradient of element i at step t (1-based): mixed signs and magnitudes from 1e-3 (where eps
// placement matters, with eps 1e-3) to 2.
double gradient(int t, size_t i) {
  const double scale = (i % 3 == 0) ? 1e-3 : (i % 3 == 1 ? 0.05 : 2.0);
  return scale * std::sin(0.9 * t + 1.7 * static_cast<double>(i) + 0.3) + 0.1 * scale;
}

std::vector<double> initial_values(size_t n) {
  std::vector<double> p(n);
  for (size_t i = 0; i < n; ++i) p[i] = 0.8 * std::cos(1.1 * static_cast<double>(i)) + 0.05;
  return p;
}

// A double-precision reference: updates p from g (g before maximize and weight decay).
using ReferenceStep = std::function<void(int t, std::vector<double>& p, std::vector<double> g)>;

// Runs `spec` on one parameter of `shape` and the reference side by side for kSteps steps.
// Returns the final reference parameters (for comparing variants) and the worst error.
struct RunResult {
  std::vector<double> reference;
  double worst = 0;
};

RunResult run_against_reference(const std::string& spec, const Shape& shape,
                                const ReferenceStep& reference,
                                const std::function<double(int, size_t)>& gradient_at = gradient) {
  int64_t numel = 1;
  for (int64_t d : shape) numel *= d;
  const size_t n = static_cast<size_t>(numel);
  std::vector<double> ref = initial_values(n);
  std::vector<float> start(ref.begin(), ref.end());
  for (size_t i = 0; i < n; ++i) ref[i] = start[i];  // the same float starting point
  Tensor p = Tensor::from(shape, start);
  p.requires_grad_();
  auto opt = make_optimizer(spec, {p});
  RunResult out;
  for (int t = 1; t <= kSteps; ++t) {
    std::vector<double> g(n);
    float* grad = p.grad_data();
    for (size_t i = 0; i < n; ++i) {
      grad[i] = static_cast<float>(gradient_at(t, i));
      g[i] = grad[i];
    }
    opt->step();
    reference(t, ref, g);
    for (size_t i = 0; i < n; ++i) {
      out.worst = std::max(out.worst, rel_error(p.data()[i], ref[i]));
      EXPECT_LE(rel_error(p.data()[i], ref[i]), kRelTol)
          << spec << ": step " << t << ", element " << i << ": " << p.data()[i] << ", reference "
          << ref[i];
    }
    if (::testing::Test::HasFailure()) break;
  }
  out.reference = ref;
  return out;
}

double max_difference(const std::vector<double>& a, const std::vector<double>& b) {
  double d = 0;
  for (size_t i = 0; i < a.size(); ++i) d = std::max(d, rel_error(a[i], b[i]));
  return d;
}

// ---- Adam and AdamW conventions -------------------------------------------------------------

struct AdamRef {
  std::string convention;
  double lr, beta1, beta2, eps, weight_decay;
  bool amsgrad, decoupled, maximize = false;
  std::vector<double> m = {}, v = {}, vmax = {};

  void operator()(int t, std::vector<double>& p, std::vector<double> g) {
    if (m.empty()) m = v = vmax = std::vector<double>(p.size(), 0.0);
    const double bc1 = 1 - std::pow(beta1, t), bc2 = 1 - std::pow(beta2, t);
    for (size_t i = 0; i < p.size(); ++i) {
      if (maximize) g[i] = -g[i];
      if (decoupled)
        p[i] *= 1 - lr * weight_decay;
      else
        g[i] += weight_decay * p[i];
      m[i] = beta1 * m[i] + (1 - beta1) * g[i];
      v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
      const double m_hat = m[i] / bc1;
      if (convention == "optax") {
        double v_hat = v[i] / bc2;
        if (amsgrad) v_hat = vmax[i] = std::max(vmax[i], v_hat);
        p[i] -= lr * m_hat / (std::sqrt(v_hat) + eps);
        continue;
      }
      double second = v[i];
      if (amsgrad) second = vmax[i] = std::max(vmax[i], v[i]);
      if (convention == "pytorch")
        p[i] -= lr * m_hat / (std::sqrt(second / bc2) + eps);
      else if (convention == "keras")
        p[i] -= lr * std::sqrt(bc2) / bc1 * m[i] / (std::sqrt(second) + eps);
      else  // notes
        p[i] -= lr * m_hat / std::sqrt(second / bc2 + eps);
    }
  }
};

std::string adam_spec(const std::string& name, const std::string& convention, bool amsgrad,
                      double weight_decay) {
  return name +
         ":lr=0.01,beta1=0.8,beta2=0.95,eps=0.001,weight_decay=" + std::to_string(weight_decay) +
         ",amsgrad=" + (amsgrad ? "true" : "false") + ",convention=" + convention;
}

void check_conventions(const std::string& name, bool decoupled) {
  const double wd = decoupled ? 0.1 : 0.01;
  for (bool amsgrad : {false, true}) {
    std::map<std::string, std::vector<double>> finals;
    for (const std::string convention : {"pytorch", "keras", "optax", "notes"}) {
      SCOPED_TRACE(name + " " + convention + (amsgrad ? " amsgrad" : ""));
      AdamRef ref{convention, 0.01, 0.8, 0.95, 1e-3, wd, amsgrad, decoupled};
      finals[convention] =
          run_against_reference(adam_spec(name, convention, amsgrad, wd), {12}, std::ref(ref))
              .reference;
    }
    // Every pair differs, except pytorch and optax without amsgrad (the same algebra).
    for (const auto& [a, pa] : finals)
      for (const auto& [b, pb] : finals) {
        if (a >= b || (!amsgrad && a == "optax" && b == "pytorch")) continue;
        EXPECT_GT(max_difference(pa, pb), 100 * kRelTol) << a << " vs " << b;
      }
  }
}

TEST(AdamFamily, AdamConventionsMatchDoubleReference) { check_conventions("adam", false); }

TEST(AdamFamily, AdamWConventionsMatchDoubleReference) { check_conventions("adamw", true); }

TEST(AdamFamily, AdamDefaultConventionIsPytorch) {
  const auto& defs = optimizer_info("adam").hyperparams;
  const auto it = std::find_if(defs.begin(), defs.end(),
                               [](const HyperparamDef& d) { return d.name == "convention"; });
  ASSERT_NE(it, defs.end());
  EXPECT_EQ(hyperparam_text(*it, it->value), "pytorch");
  Tensor p = Tensor::zeros({2}).requires_grad_();
  EXPECT_THROW(make_optimizer("adam:convention=tensorflow", {p}), SpecError);
}

// AdamW with weight_decay 0 is Adam, bit for bit (p *= 1 is exact).
TEST(AdamFamily, AdamWWithoutDecayIsAdam) {
  for (const std::string extra : {"", ",amsgrad=true,maximize=true"}) {
    Tensor a = Tensor::from({4}, {0.5f, -1.0f, 2.0f, 0.01f}).requires_grad_();
    Tensor b = a.clone().requires_grad_();
    auto adam = make_optimizer("adam:lr=0.01" + extra, {a});
    auto adamw = make_optimizer("adamw:lr=0.01,weight_decay=0" + extra, {b});
    for (int t = 1; t <= 10; ++t) {
      for (int i = 0; i < 4; ++i)
        a.grad_data()[i] = b.grad_data()[i] = static_cast<float>(gradient(t, i));
      adam->step();
      adamw->step();
    }
    EXPECT_EQ(0, std::memcmp(a.data(), b.data(), 4 * sizeof(float))) << extra;
  }
}

// ---- NAdam and RAdam: decoupled weight decay and maximize (torch 2.x's forms) -----------------

struct NAdamRef {
  double lr, beta1, beta2, eps, weight_decay, psi;
  bool decoupled, maximize;
  std::vector<double> m = {}, v = {};
  double mu_product = 1;

  void operator()(int t, std::vector<double>& p, std::vector<double> g) {
    if (m.empty()) m = v = std::vector<double>(p.size(), 0.0);
    const double mu = beta1 * (1 - 0.5 * std::pow(0.96, t * psi));
    const double mu_next = beta1 * (1 - 0.5 * std::pow(0.96, (t + 1) * psi));
    mu_product *= mu;
    const double bc2 = 1 - std::pow(beta2, t);
    for (size_t i = 0; i < p.size(); ++i) {
      if (maximize) g[i] = -g[i];
      if (decoupled)
        p[i] *= 1 - lr * weight_decay;
      else
        g[i] += weight_decay * p[i];
      m[i] = beta1 * m[i] + (1 - beta1) * g[i];
      v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
      const double denom = std::sqrt(v[i] / bc2) + eps;
      // torch 1.13 multiplies mu_t in twice here (P_t mu_t mu_{t+1}); descent follows it.
      p[i] -= lr * (1 - mu) / (1 - mu_product) * g[i] / denom +
              lr * mu_next / (1 - mu_product * mu * mu_next) * m[i] / denom;
    }
  }
};

TEST(AdamFamily, NAdamMatchesDoubleReference) {
  std::vector<double> coupled, decoupled;
  for (bool dec : {false, true})
    for (bool maximize : {false, true}) {
      SCOPED_TRACE(std::string(dec ? "decoupled" : "coupled") + (maximize ? " maximize" : ""));
      NAdamRef ref{0.01, 0.85, 0.99, 1e-6, 0.2, 0.05, dec, maximize};
      const std::string spec =
          std::string("nadam:lr=0.01,beta1=0.85,beta2=0.99,eps=1e-6,weight_decay=0.2,") +
          "momentum_decay=0.05,decoupled_weight_decay=" + (dec ? "true" : "false") +
          ",maximize=" + (maximize ? "true" : "false");
      auto r = run_against_reference(spec, {9}, std::ref(ref)).reference;
      if (!maximize) (dec ? decoupled : coupled) = r;
    }
  EXPECT_GT(max_difference(coupled, decoupled), 100 * kRelTol);
}

struct RAdamRef {
  double lr, beta1, beta2, eps, weight_decay;
  bool decoupled, maximize;
  std::vector<double> m = {}, v = {};
  int rectified_steps = 0;

  void operator()(int t, std::vector<double>& p, std::vector<double> g) {
    if (m.empty()) m = v = std::vector<double>(p.size(), 0.0);
    const double bc1 = 1 - std::pow(beta1, t), bc2 = 1 - std::pow(beta2, t);
    const double rho_inf = 2 / (1 - beta2) - 1;
    const double rho_t = rho_inf - 2 * t * std::pow(beta2, t) / bc2;
    if (rho_t > 5) ++rectified_steps;
    for (size_t i = 0; i < p.size(); ++i) {
      if (maximize) g[i] = -g[i];
      if (decoupled)
        p[i] *= 1 - lr * weight_decay;
      else
        g[i] += weight_decay * p[i];
      m[i] = beta1 * m[i] + (1 - beta1) * g[i];
      v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
      const double m_hat = m[i] / bc1;
      if (rho_t > 5) {
        const double r = std::sqrt((rho_t - 4) * (rho_t - 2) * rho_inf /
                                   ((rho_inf - 4) * (rho_inf - 2) * rho_t));
        p[i] -= lr * m_hat * r * std::sqrt(bc2) / (std::sqrt(v[i]) + eps);
      } else {
        p[i] -= lr * m_hat;
      }
    }
  }
};

TEST(AdamFamily, RAdamMatchesDoubleReference) {
  std::vector<double> coupled, decoupled;
  for (bool dec : {false, true})
    for (bool maximize : {false, true}) {
      SCOPED_TRACE(std::string(dec ? "decoupled" : "coupled") + (maximize ? " maximize" : ""));
      RAdamRef ref{0.01, 0.8, 0.99, 1e-6, 0.2, dec, maximize};
      const std::string spec =
          std::string("radam:lr=0.01,beta1=0.8,beta2=0.99,eps=1e-6,weight_decay=0.2,") +
          "decoupled_weight_decay=" + (dec ? "true" : "false") +
          ",maximize=" + (maximize ? "true" : "false");
      auto r = run_against_reference(spec, {9}, std::ref(ref)).reference;
      // Both regimes: plain momentum first, rectified from step 7 (beta2 0.99).
      EXPECT_GT(ref.rectified_steps, 0);
      EXPECT_LT(ref.rectified_steps, kSteps);
      if (!maximize) (dec ? decoupled : coupled) = r;
    }
  EXPECT_GT(max_difference(coupled, decoupled), 100 * kRelTol);
}

// maximize on g is minimize on -g, bit for bit, for every optimizer of the family.
TEST(AdamFamily, MaximizeIsMinimizeOfNegatedGradient) {
  for (const std::string spec :
       {"adamw:lr=0.01", "adamax:lr=0.01,weight_decay=0.1", "nadam:lr=0.01,weight_decay=0.1",
        "radam:lr=0.01", "adafactor:lr=0.05,weight_decay=0.1"}) {
    Tensor a = Tensor::from({2, 3}, {0.5f, -1.0f, 2.0f, 0.01f, 0.3f, -0.7f}).requires_grad_();
    Tensor b = a.clone().requires_grad_();
    auto up = make_optimizer(spec + ",maximize=true", {a});
    auto down = make_optimizer(spec, {b});
    for (int t = 1; t <= 12; ++t) {
      for (int i = 0; i < 6; ++i) {
        a.grad_data()[i] = static_cast<float>(gradient(t, i));
        b.grad_data()[i] = -a.grad_data()[i];
      }
      up->step();
      down->step();
    }
    EXPECT_EQ(0, std::memcmp(a.data(), b.data(), 6 * sizeof(float))) << spec;
  }
}

// ---- Adamax -----------------------------------------------------------------------------------

// The infinity norm ignores the gradient's history beyond its largest decayed value: with a
// constant gradient g, u = |g| + eps from step 1 on and m_hat = g, so each step is
// -lr g / (|g| + eps), i.e. about lr in size, whatever |g| is.
TEST(AdamFamily, AdamaxConstantGradientStepsByLr) {
  Tensor p = Tensor::from({3}, {1.0f, 1.0f, 1.0f}).requires_grad_();
  auto opt = make_optimizer("adamax:lr=0.01,eps=0", {p});
  const float g[] = {1e-3f, 0.5f, -40.0f};
  for (int t = 1; t <= 5; ++t) {
    std::memcpy(p.grad_data(), g, sizeof g);
    opt->step();
  }
  EXPECT_NEAR(p.data()[0], 1.0f - 0.05f, 1e-5);
  EXPECT_NEAR(p.data()[1], 1.0f - 0.05f, 1e-5);
  EXPECT_NEAR(p.data()[2], 1.0f + 0.05f, 1e-5);
}

// ---- Adafactor --------------------------------------------------------------------------------

// PyTorch 2.5's Adafactor in double, for a parameter of any shape (dim >= 2 factored over the
// last two dimensions).
struct AdafactorRef {
  Shape shape;
  double lr, beta2_decay, eps1, eps2, d, weight_decay;
  bool maximize;
  std::vector<double> row = {}, col = {}, var = {};
  int clipped_steps = 0;

  void operator()(int t, std::vector<double>& p, std::vector<double> g) {
    const size_t n = p.size();
    for (auto& x : g)
      if (maximize) x = -x;
    const double w = std::pow(t, beta2_decay);
    const double rho = std::min(lr, 1 / std::sqrt(t));
    double p_sq = 0;
    for (double x : p) p_sq += x * x;
    const double alpha = std::max(eps2, std::sqrt(p_sq / n)) * rho;
    for (auto& x : p) x *= 1 - lr * weight_decay;
    std::vector<double> V(n);
    if (shape.size() >= 2) {
      const size_t R = shape[shape.size() - 2], C = shape.back(), B = n / (R * C);
      if (row.empty()) row.assign(B * R, 0.0), col.assign(B * C, 0.0);
      for (size_t b = 0; b < B; ++b) {
        double row_sum_all = 0;
        for (size_t i = 0; i < R; ++i) {
          double s = 0;
          for (size_t j = 0; j < C; ++j) s += g[(b * R + i) * C + j] * g[(b * R + i) * C + j];
          row[b * R + i] += w * (s / C - row[b * R + i]);
          row_sum_all += row[b * R + i];
        }
        for (size_t j = 0; j < C; ++j) {
          double s = 0;
          for (size_t i = 0; i < R; ++i) s += g[(b * R + i) * C + j] * g[(b * R + i) * C + j];
          col[b * C + j] += w * (s / R - col[b * C + j]);
        }
        const double row_mean = std::max(row_sum_all / R, eps1);
        for (size_t i = 0; i < R; ++i)
          for (size_t j = 0; j < C; ++j)
            V[(b * R + i) * C + j] = row[b * R + i] * col[b * C + j] / row_mean;
      }
    } else {
      if (var.empty()) var.assign(n, 0.0);
      for (size_t k = 0; k < n; ++k) V[k] = var[k] += w * (g[k] * g[k] - var[k]);
    }
    std::vector<double> U(n);
    double u_sq = 0;
    for (size_t k = 0; k < n; ++k) {
      U[k] = g[k] / std::sqrt(std::max(V[k], eps1 * eps1));
      u_sq += U[k] * U[k];
    }
    const double clip = std::max(1.0, std::sqrt(u_sq / n) / d);
    if (clip > 1) ++clipped_steps;
    for (size_t k = 0; k < n; ++k) p[k] -= alpha / clip * U[k];
  }
};

TEST(AdamFamily, AdafactorMatchesDoubleReference) {
  const double eps1 = std::numeric_limits<float>::epsilon();
  // lr 0.3: rho_t = lr up to step 11, 1/sqrt(t) after. Every 7th gradient is 10 times larger:
  // the update's RMS jumps above d there, so clipping acts on some steps, not all.
  const auto spiky = [](int t, size_t i) { return gradient(t, i) * (t % 7 == 0 ? 10.0 : 1.0); };
  for (const Shape& shape : std::vector<Shape>{{4, 5}, {2, 3, 4}, {7}, {1, 6}}) {
    for (bool maximize : {false, true}) {
      SCOPED_TRACE(to_string(shape) + (maximize ? " maximize" : ""));
      AdafactorRef ref{shape, 0.3, -0.6, eps1, 1e-3, 1.2, 0.05, maximize};
      run_against_reference(std::string("adafactor:lr=0.3,beta2_decay=-0.6,d=1.2,") +
                                "weight_decay=0.05,maximize=" + (maximize ? "true" : "false"),
                            shape, std::ref(ref), spiky);
      {
        EXPECT_GT(ref.clipped_steps, 0);
        EXPECT_LT(ref.clipped_steps, kSteps);
      }
    }
  }
  // Defaults (lr 1e-2, d 1): a second run that the default hyper-parameters are the paper's.
  AdafactorRef ref{{3, 4}, 1e-2, -0.8, eps1, 1e-3, 1.0, 0.0, false};
  run_against_reference("adafactor", {3, 4}, std::ref(ref));
}

// A rank-one g^2 (g_ij = a_i b_j) is factored exactly: at step 1 V = g^2, so U = sign(g) and
// every element moves by exactly alpha = max(eps2, RMS(p)) * min(lr, 1).
TEST(AdamFamily, AdafactorFactorsRankOneExactly) {
  const std::vector<float> start = {0.5f, -1.0f, 2.0f, 0.25f, 3.0f, -0.5f};
  Tensor p = Tensor::from({2, 3}, start).requires_grad_();
  auto opt = make_optimizer("adafactor:lr=0.1", {p});
  const float a[] = {1.0f, -2.0f}, b[] = {0.5f, 4.0f, -1.0f};
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j) p.grad_data()[i * 3 + j] = a[i] * b[j];
  opt->step();
  double sq = 0;
  for (float x : start) sq += double(x) * x;
  const double alpha = std::sqrt(sq / 6) * 0.1;
  for (int k = 0; k < 6; ++k) {
    const double sign = p.grad_data()[k] > 0 ? 1.0 : -1.0;
    EXPECT_NEAR(p.data()[k], start[k] - alpha * sign, 1e-6) << k;
  }
  // The state is factored: R + C numbers, not R C.
  const OptimizerState s = opt->state_dict();
  ASSERT_EQ(s.tensors.size(), 2u);
  for (const auto& nt : s.tensors)
    EXPECT_EQ(nt.tensor.numel(), nt.name == "state.0.row_var" ? 2 : 3);
}

TEST(AdamFamily, AdafactorRejectsOutOfRange) {
  Tensor p = Tensor::zeros({2}).requires_grad_();
  EXPECT_THROW(make_optimizer("adafactor:d=0.5", {p}), SpecError);
  EXPECT_THROW(make_optimizer("adafactor:beta2_decay=0.1", {p}), SpecError);
  EXPECT_THROW(make_optimizer("adafactor:eps2=-1", {p}), SpecError);
  EXPECT_NO_THROW(make_optimizer("adafactor:beta2_decay=0,d=1", {p}));
}

// ---- Resuming -----------------------------------------------------------------------------------

const std::vector<std::string> kLayers = {"linear:out=8", "tanh", "linear:out=3"};

TEST(AdamFamily, AdamConventionsResumeBitForBit) {
  expect_resume_is_exact("adam:lr=0.01,convention=keras,weight_decay=0.01", 5, 12);
  expect_resume_is_exact("adam:lr=0.01,convention=optax,amsgrad=true,beta2=0.9", 5, 12);
  expect_resume_is_exact("adam:lr=0.01,convention=notes,eps=1e-6", 5, 12);
}

TEST(AdamFamily, AdamWResumesBitForBit) {
  expect_resume_is_exact("adamw:lr=0.01,amsgrad=true,beta2=0.9,weight_decay=0.1", 5, 12);
  expect_resume_is_exact("adamw:lr=0.01,convention=keras", 5, 12);
}

TEST(AdamFamily, AdamaxResumesBitForBit) {
  expect_resume_is_exact("adamax:lr=0.01,beta1=0.8,weight_decay=0.01", 5, 12);
}

TEST(AdamFamily, NAdamResumesBitForBit) {
  expect_resume_is_exact("nadam:lr=0.01,momentum_decay=0.05,weight_decay=0.01", 5, 12);
  expect_resume_is_exact("nadam:lr=0.01,weight_decay=0.1,decoupled_weight_decay=true", 5, 12);
}

TEST(AdamFamily, RAdamResumesBitForBit) {
  expect_resume_is_exact("radam:lr=0.01,weight_decay=0.01", 5, 12);
  expect_resume_is_exact("radam:lr=0.01,weight_decay=0.1,decoupled_weight_decay=true", 5, 12);
}

TEST(AdamFamily, AdafactorResumesBitForBit) {
  expect_resume_is_exact("adafactor:lr=0.05,weight_decay=0.01,beta2_decay=-0.5", 5, 12);
}

}  // namespace test_optim_adam_family
}  // namespace descent
