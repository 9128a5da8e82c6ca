// The learning-rate-free optimizers (Prodigy, D-Adaptation's Adam) and the schedule-free family
// beside AdamW (SGD, RAdam): each against its authors' update in double precision
// (optim_reference.h), the property that defines it, resuming bit for bit, and, for schedule-free,
// the trainer evaluating and keeping the averaged weights x rather than y.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "descent/optim/registry.h"
#include "descent/optim/schedule_free.h"
#include "optim_reference.h"
#include "optim_resume.h"

namespace descent {
namespace test_optim_learning_rate_free {

using namespace testutil;

// Prodigy, the authors' prodigyopt, over one parameter vector (its sums are global, so this
// reference is used on single-tensor problems only).
struct RefProdigy : RefOptimizer {
  double lr, b1, b2, b3, eps, wd, d0, d_coef;
  double d, d_max, numerator = 0;
  int k = 0;
  Vec p0, s, m, v;
  RefProdigy(size_t n, double lr, double b1, double b2, double eps, double wd, double d0,
             double d_coef)
      : lr(lr),
        b1(b1),
        b2(b2),
        b3(std::sqrt(b2)),
        eps(eps),
        wd(wd),
        d0(d0),
        d_coef(d_coef),
        d(d0),
        d_max(d0),
        s(n, 0.0),
        m(n, 0.0),
        v(n, 0.0) {}
  void step(Vec& p, const Vec& g) override {
    if (p0.empty()) p0 = p;
    const double dlr = d * lr;
    double num = b3 * numerator, den = 0;
    for (size_t i = 0; i < p.size(); ++i) {
      num += d / d0 * dlr * g[i] * (p0[i] - p[i]);
      m[i] = b1 * m[i] + d * (1 - b1) * g[i];
      v[i] = b2 * v[i] + d * d * (1 - b2) * g[i] * g[i];
      s[i] = b3 * s[i] + d / d0 * dlr * g[i];
      den += std::abs(s[i]);
    }
    numerator = num;
    const double d_hat = d_coef * num / den;
    if (d == d0) d = std::max(d, d_hat);
    d_max = std::max(d_max, d_hat);
    d = d_max;
    for (size_t i = 0; i < p.size(); ++i) {
      p[i] -= wd * dlr * p[i];
      p[i] -= dlr * m[i] / (std::sqrt(v[i]) + d * eps);
    }
    ++k;
  }
};

// D-Adaptation's Adam, the authors' dadaptation 3.x, over one parameter vector.
struct RefDAdaptAdam : RefOptimizer {
  double lr, b1, b2, eps, d, numerator = 0;
  Vec s, m, v;
  RefDAdaptAdam(size_t n, double lr, double b1, double b2, double eps, double d0)
      : lr(lr), b1(b1), b2(b2), eps(eps), d(d0), s(n, 0.0), m(n, 0.0), v(n, 0.0) {}
  void step(Vec& p, const Vec& g) override {
    const double dlr = d * lr, rb2 = std::sqrt(b2);
    double acc = 0, den = 0;
    for (size_t i = 0; i < p.size(); ++i) {
      acc += dlr * g[i] * s[i] / (std::sqrt(v[i]) + eps);
      m[i] = b1 * m[i] + dlr * (1 - b1) * g[i];
      v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
      s[i] = rb2 * s[i] + dlr * (1 - rb2) * g[i];
      den += std::abs(s[i]);
    }
    numerator = rb2 * numerator + (1 - rb2) * acc;
    d = std::max(d, numerator / ((1 - rb2) * den));
    for (size_t i = 0; i < p.size(); ++i) p[i] -= m[i] / (std::sqrt(v[i]) + eps);
  }
};

// Schedule-free, Algorithm 1 of Defazio et al. with the reference's weighting, for SGD (rectify
// false) and RAdam (rectify true).
struct RefScheduleFree : RefOptimizer {
  double lr, beta, b2, eps, wd, warmup, r, power;
  bool radam;
  double lr_max = -1, weight_sum = 0;
  int k = 0;
  Vec z, x, v;
  RefScheduleFree(size_t n, bool radam, double lr, double beta, double b2, double wd, double warmup,
                  double r, double power)
      : lr(lr),
        beta(beta),
        b2(b2),
        eps(1e-8),
        wd(wd),
        warmup(warmup),
        r(r),
        power(power),
        radam(radam),
        v(n, 0.0) {}
  void step(Vec& y, const Vec& g) override {
    if (z.empty()) z = x = y;
    const double t = k + 1;
    double gamma = lr * (k < warmup ? t / warmup : 1.0);
    bool rectified = false;
    if (radam) {
      const double rho_inf = 2 / (1 - b2) - 1;
      const double rho = rho_inf - 2 * t * std::pow(b2, t) / (1 - std::pow(b2, t));
      rectified = rho > 4;
      gamma = rectified ? lr * std::sqrt((rho - 4) * (rho - 2) * rho_inf /
                                         ((rho_inf - 4) * (rho_inf - 2) * rho))
                        : 0.0;
    }
    lr_max = std::max(lr_max, gamma);
    const double w = std::pow(t, r) * std::pow(lr_max, power);
    weight_sum += w;
    const double c = weight_sum > 0 ? w / weight_sum : 0;
    for (size_t i = 0; i < y.size(); ++i) {
      double u = g[i];
      if (radam) {
        v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
        if (rectified) u = g[i] / (std::sqrt(v[i] / (1 - std::pow(b2, t))) + eps);
      }
      u += wd * y[i];
      z[i] -= gamma * u;
      x[i] = (1 - c) * x[i] + c * z[i];
      y[i] = (1 - beta) * z[i] + beta * x[i];
    }
    ++k;
  }
};

// ---------------------------------------------------------------------------------------------
// Prodigy and D-Adaptation.

// While d grows from a tiny d0 by large factors per step, float32's rounding of the sums is
// amplified (the default d0 = 1e-6 reaches 4e-3 relative by step 20, where d0 = 1e-3 stays
// below 5e-6 over 40 steps): the default is compared over its first 10 steps, the rest with a
// d0 whose growth phase is short.
TEST(Prodigy, MatchesTheAuthorsUpdateInDouble) {
  struct Case {
    const char* spec;
    double wd, d0, d_coef;
    int steps;
  };
  for (const Case& k :
       {Case{"prodigy", 0.0, 1e-6, 1.0, 10}, Case{"prodigy:d0=1e-3", 0.0, 1e-3, 1.0, 40},
        Case{"prodigy:weight_decay=0.01,d0=1e-2,d_coef=0.5", 0.01, 1e-2, 0.5, 40}}) {
    const Comparison c = compare_with_reference(
        k.spec,
        [&](size_t n) {
          return std::make_unique<RefProdigy>(n, 1.0, 0.9, 0.999, 1e-8, k.wd, k.d0, k.d_coef);
        },
        quadratic(), k.steps);
    EXPECT_LT(c.max_error, kTol) << k.spec;
    EXPECT_GT(c.moved, 1e-2) << k.spec;
  }
}

TEST(DAdaptAdam, MatchesTheAuthorsUpdateInDouble) {
  for (const auto& [spec, lr] : {std::pair{"dadapt_adam", 1.0}, {"dadapt_adam:lr=0.5", 0.5}}) {
    const Comparison c = compare_with_reference(
        spec,
        [lr = lr](size_t n) {
          return std::make_unique<RefDAdaptAdam>(n, lr, 0.9, 0.999, 1e-8, 1e-6);
        },
        quadratic());
    EXPECT_LT(c.max_error, kTol) << spec;
    EXPECT_GT(c.moved, 1e-2) << spec;
  }
}

// The estimate d is global: splitting one parameter into two tensors changes nothing but the
// order of the sums (taken in double).
TEST(LearningRateFree, EstimateIsSharedAcrossTensors) {
  for (const char* spec : {"prodigy:d0=1e-3", "dadapt_adam", "prodigy:d0=1e-3,growth_rate=1.05"}) {
    const Problem pr = quadratic();
    std::vector<float> init(pr.init[0].begin(), pr.init[0].end());
    Tensor whole = Tensor::from({12}, init).requires_grad_();
    Tensor left = Tensor::from({6}, std::vector<float>(init.begin(), init.begin() + 6));
    Tensor right = Tensor::from({6}, std::vector<float>(init.begin() + 6, init.end()));
    left.requires_grad_();
    right.requires_grad_();
    auto one = make_optimizer(spec, {whole});
    auto two = make_optimizer(spec, {left, right});
    const std::vector<Vec> target = {Vec(12, 0.0)};
    for (int s = 0; s < 30; ++s) {
      for (Tensor* t : {&whole, &left, &right}) {
        std::fill_n(t->grad_data(), t->numel(), 0.0f);
      }
      const std::vector<Vec> g = pr.grad({Vec(whole.data(), whole.data() + 12)});
      const std::vector<Vec> g2 = pr.grad({[&] {
        Vec joined(left.data(), left.data() + 6);
        joined.insert(joined.end(), right.data(), right.data() + 6);
        return joined;
      }()});
      for (int i = 0; i < 12; ++i) whole.grad_data()[i] = static_cast<float>(g[0][i]);
      for (int i = 0; i < 6; ++i) left.grad_data()[i] = static_cast<float>(g2[0][i]);
      for (int i = 0; i < 6; ++i) right.grad_data()[i] = static_cast<float>(g2[0][i + 6]);
      one->step();
      two->step();
    }
    for (int i = 0; i < 12; ++i) {
      const float split = i < 6 ? left.data()[i] : right.data()[i - 6];
      EXPECT_NEAR(split, whole.data()[i], 1e-5 * (1 + std::abs(whole.data()[i]))) << spec;
    }
    double moved = 0;
    for (int i = 0; i < 12; ++i)
      moved = std::max(moved, std::abs(double(whole.data()[i]) - init[i]));
    EXPECT_GT(moved, 1e-2) << spec << ": hardly moved";
  }
}

// Started far too small (d0 = 1e-6), d grows to the problem's scale within a few dozen steps:
// the point of learning-rate-free methods.
TEST(LearningRateFree, EstimateGrowsFromATinyStart) {
  for (const char* name : {"prodigy", "dadapt_adam"}) {
    const Problem pr = quadratic();
    std::vector<float> init(pr.init[0].begin(), pr.init[0].end());
    Tensor p = Tensor::from({3, 4}, init).requires_grad_();
    auto opt = make_optimizer(name, {p});
    for (int s = 0; s < 60; ++s) {
      opt->zero_grad();
      pr.loss({p}).backward();
      opt->step();
    }
    const double d = opt->state_dict().meta["state"]["0"]["d"].get<double>();
    EXPECT_GT(d, 1e-2) << name;  // the targets are about 1 away: D is of order 1
    EXPECT_LT(d, 1e2) << name;
  }
}

TEST(LearningRateFree, ResumeBitForBit) {
  for (const char* spec : {"prodigy:weight_decay=0.01", "prodigy:bias_correction=true,beta1=0",
                           "dadapt_adam:decoupled=true,weight_decay=0.01"})
    expect_resume_is_exact(spec);
}

TEST(LearningRateFree, ProdigyTakesBetasAsAPairAndBeta3Apart) {
  Tensor p = Tensor::zeros({2}).requires_grad_();
  auto opt = make_optimizer("prodigy:betas=(0.8,0.99),beta3=0.9", {p});
  EXPECT_EQ(opt->param_groups()[0].get("beta1"), 0.8);
  EXPECT_EQ(opt->param_groups()[0].get("beta2"), 0.99);
  EXPECT_EQ(opt->param_groups()[0].get("beta3"), 0.9);
}

// ---------------------------------------------------------------------------------------------
// Schedule-free SGD and RAdam.

TEST(ScheduleFreeFamily, SgdMatchesThePaperInDouble) {
  expect_matches_reference("sgd_schedulefree:lr=0.05", [](size_t n) {
    return std::make_unique<RefScheduleFree>(n, false, 0.05, 0.9, 0, 0, 0, 0, 2);
  });
  expect_matches_reference(
      "sgd_schedulefree:lr=0.05,momentum=0.8,weight_decay=0.01,warmup_steps=5,r=0.5,"
      "weight_lr_power=1",
      [](size_t n) {
        return std::make_unique<RefScheduleFree>(n, false, 0.05, 0.8, 0, 0.01, 5, 0.5, 1);
      });
}

TEST(ScheduleFreeFamily, RAdamMatchesTheReferenceInDouble) {
  expect_matches_reference("radam_schedulefree:lr=0.01", [](size_t n) {
    return std::make_unique<RefScheduleFree>(n, true, 0.01, 0.9, 0.999, 0, 0, 0, 2);
  });
  expect_matches_reference(
      "radam_schedulefree:lr=0.01,beta1=0.8,beta2=0.99,weight_decay=0.01", [](size_t n) {
        return std::make_unique<RefScheduleFree>(n, true, 0.01, 0.8, 0.99, 0.01, 0, 0, 2);
      });
}

// In the silent phase (rho_t <= 4, the first steps) nothing moves; without it, those are SGD steps.
TEST(ScheduleFreeFamily, RAdamIsSilentWhileTheVarianceIsUntrustworthy) {
  Tensor p = Tensor::from({2}, {1.0f, -1.0f}).requires_grad_();
  Tensor q = Tensor::from({2}, {1.0f, -1.0f}).requires_grad_();
  auto silent = make_optimizer("radam_schedulefree:lr=0.1", {p});
  auto loud = make_optimizer("radam_schedulefree:lr=0.1,silent_sgd_phase=false", {q});
  set_grad(p, {0.5f, 0.5f});
  set_grad(q, {0.5f, 0.5f});
  silent->step();
  loud->step();
  EXPECT_EQ(p.to_vector(), (std::vector<float>{1.0f, -1.0f}));
  EXPECT_NE(q.to_vector(), (std::vector<float>{1.0f, -1.0f}));
}

TEST(ScheduleFreeFamily, EvalSwitchIsExactForEveryMember) {
  for (const char* name :
       {"sgd_schedulefree:lr=0.1", "radam_schedulefree:lr=0.1", "adamw_schedulefree:lr=0.1"}) {
    const Problem pr = quadratic();
    std::vector<float> init(pr.init[0].begin(), pr.init[0].end());
    Tensor p = Tensor::from({3, 4}, init).requires_grad_();
    auto opt = make_optimizer(name, {p});
    for (int s = 0; s < 12; ++s) {
      opt->zero_grad();
      pr.loss({p}).backward();
      opt->step();
    }
    const std::vector<float> y = p.to_vector();
    opt->eval_params();
    EXPECT_NE(p.to_vector(), y) << name;
    EXPECT_THROW(opt->step(), std::logic_error) << name;
    opt->train_params();
    EXPECT_EQ(p.to_vector(), y) << name;
  }
}

// The wrapper over plain SGD is schedule-free SGD; over Adam it moves z by Adam's rule.
TEST(ScheduleFreeFamily, WrapperOverSgdIsScheduleFreeSgd) {
  const Problem pr = valley();
  auto run = [&](const std::string& spec, bool eval) {
    std::vector<Tensor> params = params_of(pr);
    auto opt = make_optimizer(spec, params);
    for (int s = 0; s < 30; ++s) {
      opt->zero_grad();
      pr.loss(params).backward();
      opt->step();
    }
    if (eval) opt->eval_params();
    return std::vector<float>{params[0].data()[0], params[1].data()[0]};
  };
  for (bool eval : {false, true}) {
    const std::vector<float> a = run("schedule_free:base=sgd,lr=0.02,sf_momentum=0.8,r=0.5", eval);
    const std::vector<float> b = run("sgd_schedulefree:lr=0.02,momentum=0.8,r=0.5", eval);
    for (size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(a[i], b[i], 1e-6 * (1 + std::abs(b[i])));
  }
  EXPECT_NE(run("schedule_free:base=adam,lr=0.02", false), run("sgd_schedulefree:lr=0.02", false));
  Tensor p = Tensor::zeros({2}).requires_grad_();
  EXPECT_THROW(make_optimizer("schedule_free:base=adamw_schedulefree", {p}), SpecError);
}

TEST(ScheduleFreeFamily, ResumeBitForBit) {
  for (const char* spec :
       {"sgd_schedulefree:lr=0.05,weight_decay=0.01,warmup_steps=3", "radam_schedulefree:lr=0.01",
        "schedule_free:base=sgd,lr=0.05,momentum=0.5,weight_decay_at_y=0.01"})
    expect_resume_is_exact(spec);
}

}  // namespace test_optim_learning_rate_free
}  // namespace descent
