// SAM and ASAM: the base optimizer's step taken with the gradient at the worst nearby point, held
// to the definition written out in double precision, to the base alone when rho = 0, to resuming
// bit for bit, and to training through the trainer's closure.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "descent/optim/registry.h"
#include "descent/optim/sam.h"
#include "optim_reference.h"
#include "optim_resume.h"

namespace descent {
namespace test_optim_sam {

using namespace testutil;

// SAM (adaptive: ASAM) around SGD with momentum, in double, over all the problem's tensors.
double worst_error(const std::string& spec, const Problem& pr, double lr, double momentum,
                   double rho, bool adaptive, int steps = 40) {
  std::vector<Tensor> params = params_of(pr);
  auto opt = make_optimizer(spec, params);
  const Closure closure = loss_closure(*opt, pr, params);
  std::vector<Vec> p = pr.init, buf;
  for (const Vec& v : p) buf.emplace_back(v.size(), 0.0);
  double worst = 0;
  for (int s = 0; s < steps; ++s) {
    closure();
    opt->step(closure);
    const std::vector<Vec> g = pr.grad(p);
    double norm2 = 0;
    for (size_t k = 0; k < p.size(); ++k)
      for (size_t i = 0; i < p[k].size(); ++i) {
        const double t = adaptive ? std::abs(p[k][i]) * g[k][i] : g[k][i];
        norm2 += t * t;
      }
    std::vector<Vec> perturbed = p;
    for (size_t k = 0; k < p.size(); ++k)
      for (size_t i = 0; i < p[k].size(); ++i)
        perturbed[k][i] +=
            rho * (adaptive ? p[k][i] * p[k][i] : 1.0) * g[k][i] / (std::sqrt(norm2) + 1e-12);
    const std::vector<Vec> g2 = pr.grad(perturbed);
    for (size_t k = 0; k < p.size(); ++k)
      for (size_t i = 0; i < p[k].size(); ++i) {
        buf[k][i] = momentum * buf[k][i] + g2[k][i];
        p[k][i] -= lr * buf[k][i];
        worst = std::max(worst, std::abs(params[k].data()[i] - p[k][i]) / (1 + std::abs(p[k][i])));
      }
  }
  return worst;
}

TEST(Sam, MatchesTheDefinitionInDouble) {
  for (const auto& [name, pr] : {std::pair{"quadratic", quadratic()}, {"valley", valley()}}) {
    EXPECT_LT(worst_error("sam:base=sgd,lr=0.02,momentum=0.9,rho=0.1", pr, 0.02, 0.9, 0.1, false),
              kTol)
        << name;
    EXPECT_LT(worst_error("sam:base=sgd,lr=0.02,momentum=0.5,rho=0.5,adaptive=true", pr, 0.02, 0.5,
                          0.5, true),
              kTol)
        << name << " (ASAM)";
  }
}

// The perturbation changes the step: at rho = 0 SAM is its base, bit for bit; at rho > 0 not.
TEST(Sam, RhoZeroIsTheBaseOptimizer) {
  const Problem pr = valley();
  auto run = [&](const std::string& spec) {
    std::vector<Tensor> params = params_of(pr);
    auto opt = make_optimizer(spec, params);
    const Closure closure = loss_closure(*opt, pr, params);
    for (int s = 0; s < 20; ++s) {
      closure();
      opt->step(closure);
    }
    return std::vector<float>{params[0].data()[0], params[1].data()[0]};
  };
  EXPECT_EQ(run("sam:base=adam,lr=0.01,rho=0"), run("adam:lr=0.01"));
  EXPECT_NE(run("sam:base=adam,lr=0.01,rho=0.05"), run("adam:lr=0.01"));
}

TEST(Sam, NeedsAClosureAndAPerParameterBase) {
  Tensor p = Tensor::zeros({2}).requires_grad_();
  auto opt = make_optimizer("sam", {p});
  EXPECT_TRUE(opt->needs_closure());
  EXPECT_THROW(opt->step(), std::logic_error);
  for (const char* spec : {"sam:base=lbfgs", "sam:base=prodigy", "sam:base=lookahead",
                           "lookahead:base=sam", "lookahead:base=dadapt_adam"}) {
    try {
      make_optimizer(spec, {p});
      ADD_FAILURE() << spec << " was accepted";
    } catch (const SpecError& e) {
      EXPECT_NE(std::string(e.what()).find("is not supported"), std::string::npos) << e.what();
    }
  }
  EXPECT_THROW(make_optimizer("sam:rho=-1", {p}), SpecError);
}

TEST(Sam, ResumesBitForBit) {
  expect_resume_is_exact("sam:base=sgd,lr=0.05,momentum=0.9,rho=0.05");
  expect_resume_is_exact("sam:base=sgd,lr=0.05,momentum=0.5,rho=0.5,adaptive=true");
}

// A first step whose parameters have no gradient yet (the closure computes the first): nothing is
// perturbed, and the step is the base's at the closure's gradient (a fuzzing input, "sam", once
// restored parameters by the wrong index).
TEST(Sam, FirstStepWithoutGradientsIsTheBasesStep) {
  Tensor w = Tensor::from({2}, {1.0f, -2.0f}).requires_grad_();
  Tensor base_w = Tensor::from({2}, {1.0f, -2.0f}).requires_grad_();
  auto sam = make_optimizer("sam:lr=0.1", {w});
  auto sgd = make_optimizer("sgd:lr=0.1", {base_w});
  auto half_square = [](Tensor& p) {  // loss |p|^2 / 2, gradient p
    return [&p] {
      for (int64_t i = 0; i < p.numel(); ++i) p.grad_data()[i] = p.data()[i];
      return 0.5f * (p.data()[0] * p.data()[0] + p.data()[1] * p.data()[1]);
    };
  };
  ASSERT_FALSE(w.has_grad());
  const auto loss = sam->step(half_square(w));
  sgd->step(half_square(base_w));
  EXPECT_EQ(*loss, 2.5f);
  EXPECT_EQ(w.to_vector(), base_w.to_vector());
  EXPECT_EQ(w.to_vector(), (std::vector<float>{0.9f, -1.8f}));
}

}  // namespace test_optim_sam
}  // namespace descent
