// Classic adaptive optimizers (Adagrad, Adadelta, RMSprop, Rprop, ASGD) and SGD's other forms:
// the parts PyTorch's goldens cannot check (the Keras conventions, SGD's velocity, EMA and
// look-ahead Nesterov forms, ASGD's averaged state) against updates written out here in double
// precision, properties, and resuming bit for bit through safetensors.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "descent/io/safetensors.h"
#include "descent/nn/loss.h"
#include "descent/nn/network_spec.h"
#include "descent/ops/ops.h"
#include "descent/optim/registry.h"
#include "descent/optim/sgd.h"
#include "descent/util/random.h"
#include "descent/util/spec.h"

#include "optim_resume.h"

namespace descent {
namespace test_optim_classic {

using testutil::expect_resume_is_exact;
using testutil::Model;
using testutil::round_trip;

using nlohmann::json;
using Vec = std::vector<double>;
using GradFn = std::function<Vec(const Vec&)>;

// A smooth, well-conditioned toy objective: f(p) = sum 0.5 c_i (p_i - a_i)^2 + 0.1 sin(p_i).
// Contracting dynamics keep float32 and double trajectories close, so the reference tests measure
// the update's arithmetic rather than chaos.
constexpr int kN = 6;
const double kA[kN] = {1.0, -2.0, 0.5, 3.0, -1.0, 0.25};
const double kC[kN] = {0.5, 1.0, 2.0, 1.5, 0.8, 1.2};
const double kStart[kN] = {0.3, 0.8, -1.1, 2.0, 0.4, -0.6};

Vec toy_grad(const Vec& p) {
  Vec g(kN);
  for (int i = 0; i < kN; ++i) g[i] = kC[i] * (p[i] - kA[i]) + 0.1 * std::cos(p[i]);
  return g;
}

// The toy parameter and an optimizer over it, stepped with a closure that writes toy_grad (sign
// flipped when negate) into the gradient.
struct ToyRun {
  explicit ToyRun(const std::string& spec, bool negate = false) : negate(negate) {
    std::vector<float> start(kStart, kStart + kN);
    p = Tensor::from({kN}, start);
    p.requires_grad_();
    opt = make_optimizer(spec, {p});
  }
  Vec params() const { return Vec(p.values().begin(), p.values().end()); }
  void step() {
    opt->step([this] {
      opt->zero_grad();
      const Vec g = toy_grad(params());
      float* out = p.grad_data();
      for (int i = 0; i < kN; ++i) out[i] = static_cast<float>(negate ? -g[i] : g[i]);
      return 0.0f;
    });
  }
  bool negate;
  Tensor p;
  std::unique_ptr<Optimizer> opt;
};

// Worst error of descent's float32 run against a double-precision reference, relative with a 0.1
// floor as in the golden tests. reference(p, grad, t) does one step (t counts from 1).
double worst_error(const std::string& spec, int steps,
                   const std::function<void(Vec&, const GradFn&, int)>& reference) {
  ToyRun run(spec);
  Vec ref(kStart, kStart + kN);
  double worst = 0;
  for (int t = 1; t <= steps; ++t) {
    run.step();
    reference(ref, toy_grad, t);
    const Vec got = run.params();
    for (int i = 0; i < kN; ++i)
      worst = std::max(worst, std::abs(got[i] - ref[i]) / std::max(std::abs(ref[i]), 0.1));
  }
  return worst;
}

// Tolerance for the reference tests: float32's unit roundoff is 6e-8, each step rounds a handful of
// times, and the toy problem contracts, so 40 steps accumulate to well under 2e-6 relative (FMA
// contraction and std::sqrt included); a wrong formula (a misplaced eps, a missing bias correction
// or lr factor) changes a step by 1e-3 or more, three orders of magnitude above.
constexpr double kRefTol = 2e-6;
constexpr int kRefSteps = 40;

// --- Keras conventions -----------------------------------------------------------------------

TEST(ClassicReference, AdagradKerasMatchesDouble) {
  const double lr = 0.1, eps = 1e-3, init = 0.1, lr_decay = 0.01, wd = 0.02;
  Vec acc(kN, init);
  const double err = worst_error(
      "adagrad:convention=keras,lr=0.1,eps=0.001,initial_accumulator_value=0.1,lr_decay=0.01,"
      "weight_decay=0.02",
      kRefSteps, [&](Vec& p, const GradFn& grad, int t) {
        Vec g = grad(p);
        const double clr = lr / (1 + (t - 1) * lr_decay);
        for (int i = 0; i < kN; ++i) {
          g[i] += wd * p[i];
          acc[i] += g[i] * g[i];
          p[i] -= clr * g[i] / std::sqrt(acc[i] + eps);
        }
      });
  EXPECT_LT(err, kRefTol);
}

TEST(ClassicReference, AdagradPytorchMatchesDouble) {
  const double lr = 0.1, eps = 1e-3;
  Vec acc(kN, 0.0);
  const double err =
      worst_error("adagrad:lr=0.1,eps=0.001", kRefSteps, [&](Vec& p, const GradFn& grad, int) {
        const Vec g = grad(p);
        for (int i = 0; i < kN; ++i) {
          acc[i] += g[i] * g[i];
          p[i] -= lr * g[i] / (std::sqrt(acc[i]) + eps);
        }
      });
  EXPECT_LT(err, kRefTol);
}

// Keras's RMSprop: eps inside the root, lr inside the momentum buffer, centered by subtracting
// the squared mean gradient.
void expect_rmsprop_keras(double momentum, bool centered) {
  const double lr = 0.01, rho = 0.9, eps = 1e-4;
  Vec v(kN, 0.0), m(kN, 0.0), b(kN, 0.0);
  const std::string spec =
      "rmsprop:convention=keras,lr=0.01,alpha=0.9,eps=0.0001,momentum=" + std::to_string(momentum) +
      ",centered=" + (centered ? "true" : "false");
  const double err = worst_error(spec, kRefSteps, [&](Vec& p, const GradFn& grad, int) {
    const Vec g = grad(p);
    for (int i = 0; i < kN; ++i) {
      v[i] = rho * v[i] + (1 - rho) * g[i] * g[i];
      double denom = v[i] + eps;
      if (centered) {
        m[i] = rho * m[i] + (1 - rho) * g[i];
        denom = v[i] - m[i] * m[i] + eps;
      }
      const double increment = lr * g[i] / std::sqrt(denom);
      if (momentum > 0) {
        b[i] = momentum * b[i] + increment;
        p[i] -= b[i];
      } else {
        p[i] -= increment;
      }
    }
  });
  EXPECT_LT(err, kRefTol) << spec;
}

TEST(ClassicReference, RmspropKerasMatchesDouble) { expect_rmsprop_keras(0.0, false); }
TEST(ClassicReference, RmspropKerasCenteredMomentumMatchesDouble) {
  expect_rmsprop_keras(0.7, true);
}

TEST(ClassicReference, RmspropConventionsDiffer) {
  // Same hyper-parameters, eps large enough to matter: the conventions must not coincide.
  ToyRun pytorch("rmsprop:lr=0.01,eps=0.01"), keras("rmsprop:lr=0.01,eps=0.01,convention=keras");
  for (int t = 0; t < 5; ++t) {
    pytorch.step();
    keras.step();
  }
  double diff = 0;
  for (int i = 0; i < kN; ++i)
    diff = std::max(diff, std::abs(pytorch.params()[i] - keras.params()[i]));
  EXPECT_GT(diff, 1e-4);
}

// --- SGD forms ---------------------------------------------------------------------------------

TEST(SgdForms, VelocityMatchesDouble) {
  const double lr = 0.05, mu = 0.8, wd = 0.01;
  Vec v(kN, 0.0);
  const double err = worst_error("sgd:form=velocity,lr=0.05,momentum=0.8,weight_decay=0.01",
                                 kRefSteps, [&](Vec& p, const GradFn& grad, int) {
                                   const Vec g = grad(p);
                                   for (int i = 0; i < kN; ++i) {
                                     v[i] = mu * v[i] - lr * (g[i] + wd * p[i]);
                                     p[i] += v[i];
                                   }
                                 });
  EXPECT_LT(err, kRefTol);
}

TEST(SgdForms, VelocityNesterovMatchesKerasInDouble) {
  const double lr = 0.05, mu = 0.8;
  Vec v(kN, 0.0);
  const double err = worst_error("sgd:form=velocity,nesterov=true,lr=0.05,momentum=0.8", kRefSteps,
                                 [&](Vec& p, const GradFn& grad, int) {
                                   const Vec g = grad(p);
                                   for (int i = 0; i < kN; ++i) {
                                     v[i] = mu * v[i] - lr * g[i];
                                     p[i] += mu * v[i] - lr * g[i];
                                   }
                                 });
  EXPECT_LT(err, kRefTol);
}

void expect_ema(bool bias_correction) {
  const double lr = 0.1, beta = 0.9;
  Vec m(kN, 0.0);
  const std::string spec = std::string("sgd:form=ema,lr=0.1,momentum=0.9,bias_correction=") +
                           (bias_correction ? "true" : "false");
  const double err = worst_error(spec, kRefSteps, [&](Vec& p, const GradFn& grad, int t) {
    const Vec g = grad(p);
    for (int i = 0; i < kN; ++i) {
      m[i] = beta * m[i] + (1 - beta) * g[i];
      p[i] -= lr * (bias_correction ? m[i] / (1 - std::pow(beta, t)) : m[i]);
    }
  });
  EXPECT_LT(err, kRefTol) << spec;
}

TEST(SgdForms, EmaMatchesDouble) { expect_ema(false); }
TEST(SgdForms, EmaBiasCorrectedMatchesDouble) { expect_ema(true); }

TEST(SgdForms, LookaheadNesterovMatchesDouble) {
  const double lr = 0.05, mu = 0.9, wd = 0.01;
  Vec v(kN, 0.0);
  const double err =
      worst_error("sgd:form=lookahead_nesterov,lr=0.05,momentum=0.9,weight_decay=0.01", kRefSteps,
                  [&](Vec& p, const GradFn& grad, int) {
                    Vec ahead(kN);
                    for (int i = 0; i < kN; ++i) ahead[i] = p[i] + mu * v[i];
                    const Vec g = grad(ahead);
                    for (int i = 0; i < kN; ++i) {
                      v[i] = mu * v[i] - lr * (g[i] + wd * ahead[i]);
                      p[i] += v[i];
                    }
                  });
  EXPECT_LT(err, kRefTol);
}

TEST(SgdForms, LookaheadNesterovEvaluatesAtTheLookaheadPoint) {
  // The closure sees p + momentum v, and between steps the parameters are p itself.
  ToyRun run("sgd:form=lookahead_nesterov,lr=0.1,momentum=0.5");
  run.step();
  const Vec p1 = run.params();  // v1 = p1 - p0
  Vec seen;
  run.opt->step([&] {
    seen = run.params();
    run.opt->zero_grad();
    return 0.0f;  // zero gradient: v2 = 0.5 v1, p2 = p1 + v2
  });
  for (int i = 0; i < kN; ++i) {
    const double v1 = p1[i] - static_cast<float>(kStart[i]);
    EXPECT_NEAR(seen[i], p1[i] + 0.5 * v1, 1e-6);
    EXPECT_NEAR(run.params()[i], p1[i] + 0.5 * v1, 1e-6);
  }
}

TEST(SgdForms, LookaheadNesterovWithoutClosureThrows) {
  Tensor p = Tensor::from({2}, {1.0f, 2.0f}).requires_grad_();
  auto opt = make_optimizer("sgd:form=lookahead_nesterov,momentum=0.9", {p});
  p.grad_data()[0] = 1.0f;
  try {
    opt->step();
    FAIL() << "no error without a closure";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("closure"), std::string::npos) << e.what();
  }
}

TEST(SgdForms, LookaheadNesterovRestoresParametersWhenTheClosureThrows) {
  ToyRun run("sgd:form=lookahead_nesterov,lr=0.1,momentum=0.9");
  run.step();
  run.step();
  const Vec before = run.params();
  EXPECT_THROW(run.opt->step([]() -> float { throw std::runtime_error("loss failed"); }),
               std::runtime_error);
  EXPECT_EQ(run.params(), before);
}

TEST(SgdForms, VelocityAgreesWithPytorchUntilLrChanges) {
  ToyRun pytorch("sgd:lr=0.05,momentum=0.9"), velocity("sgd:form=velocity,lr=0.05,momentum=0.9");
  auto max_diff = [&] {
    double d = 0;
    for (int i = 0; i < kN; ++i)
      d = std::max(d, std::abs(pytorch.params()[i] - velocity.params()[i]));
    return d;
  };
  for (int t = 0; t < 20; ++t) {
    pytorch.step();
    velocity.step();
  }
  // Equal in exact arithmetic (v = -lr b); float32 rounding only.
  EXPECT_LT(max_diff(), 1e-5);
  for (auto* run : {&pytorch, &velocity}) run->opt->param_groups()[0].options["lr"] = 0.01;
  pytorch.step();
  velocity.step();
  // PyTorch scales the whole buffer by the new lr at once; the velocity form keeps the old
  // velocity, taken with lr 0.05, so the step differs by about (0.05 - 0.01) momentum b.
  EXPECT_GT(max_diff(), 1e-3);
}

TEST(SgdForms, InvalidCombinationsThrow) {
  Tensor p = Tensor::zeros({2}).requires_grad_();
  EXPECT_THROW(make_optimizer("sgd:form=ema,momentum=0.9,dampening=0.1", {p}),
               std::invalid_argument);
  EXPECT_THROW(make_optimizer("sgd:form=ema,momentum=0.9,nesterov=true", {p}),
               std::invalid_argument);
  EXPECT_THROW(make_optimizer("sgd:form=velocity,bias_correction=true", {p}),
               std::invalid_argument);
  EXPECT_THROW(make_optimizer("sgd:form=ema,momentum=1", {p}), std::invalid_argument);
  EXPECT_THROW(make_optimizer("sgd:form=heavy_ball", {p}), SpecError);
  EXPECT_NO_THROW(make_optimizer("sgd:form=velocity,momentum=0.9,nesterov=true", {p}));
}

// --- Properties --------------------------------------------------------------------------------

// maximize with gradient g is minimize with -g, bit for bit.
TEST(ClassicProperties, MaximizeNegatesTheGradient) {
  for (const std::string spec :
       {"adagrad:lr=0.1,lr_decay=0.01", "adadelta:rho=0.9", "rmsprop:centered=true,momentum=0.5",
        "rprop:lr=0.05", "asgd:lr=0.05,t0=3", "sgd:form=velocity,lr=0.1,momentum=0.9",
        "sgd:form=ema,momentum=0.9,bias_correction=true",
        "sgd:form=lookahead_nesterov,lr=0.1,momentum=0.9"}) {
    const std::string sep = spec.find(':') == std::string::npos ? ":" : ",";
    ToyRun minimize(spec), maximize(spec + sep + "maximize=true", /*negate=*/true);
    for (int t = 0; t < 10; ++t) {
      minimize.step();
      maximize.step();
    }
    EXPECT_EQ(minimize.params(), maximize.params()) << spec;
  }
}

TEST(ClassicProperties, AdagradStepIsAtMostLr) {
  // |g| / sqrt(sum of g^2 so far) <= 1, so no element moves by more than the decayed lr.
  ToyRun run("adagrad:lr=0.2,lr_decay=0.1,eps=0");
  for (int t = 1; t <= 20; ++t) {
    const Vec before = run.params();
    run.step();
    const double clr = 0.2 / (1 + (t - 1) * 0.1);
    for (int i = 0; i < kN; ++i) EXPECT_LE(std::abs(run.params()[i] - before[i]), clr * (1 + 1e-6));
  }
}

TEST(ClassicProperties, RpropMovesByItsClampedStepSizes) {
  ToyRun run("rprop:lr=0.5,eta_minus=0.25,eta_plus=2,step_size_min=0.01,step_size_max=0.7");
  for (int t = 0; t < 30; ++t) {
    const Vec before = run.params();
    run.step();
    const OptimizerState st = run.opt->state_dict();
    for (const auto& nt : st.tensors)
      if (nt.name == "state.0.step_size")
        for (int i = 0; i < kN; ++i) {
          const float s = nt.tensor.values()[i];
          EXPECT_GE(s, 0.01f);
          EXPECT_LE(s, 0.7f);
          const double moved = std::abs(run.params()[i] - before[i]);
          // Either a full step or none (right after a sign change).
          EXPECT_TRUE(moved == 0 ||
                      std::abs(moved - s) <= 1e-6 * std::max(1.0, std::abs(before[i])))
              << "step " << t << " element " << i << " moved " << moved << ", step size " << s;
        }
  }
}

TEST(ClassicProperties, RpropRejectsBadEtas) {
  Tensor p = Tensor::zeros({2}).requires_grad_();
  EXPECT_THROW(make_optimizer("rprop:eta_minus=0", {p}), std::invalid_argument);
  EXPECT_THROW(make_optimizer("rprop:eta_plus=1", {p}), std::invalid_argument);
  EXPECT_THROW(make_optimizer("rprop:eta_minus=1", {p}), SpecError);
  EXPECT_THROW(make_optimizer("rprop:step_size_min=1,step_size_max=0.5", {p}),
               std::invalid_argument);
  EXPECT_THROW(make_optimizer("rmsprop:convention=tf", {p}), SpecError);
  EXPECT_THROW(make_optimizer("adadelta:rho=1.5", {p}), SpecError);
}

TEST(ClassicProperties, AsgdAveragesTheIteratesAfterT0) {
  // mu after step s is 1 / max(1, s - t0) and is used at step s + 1, so from step t0 + 2 on, ax
  // is the mean of the iterates p_{t0+2} .. p_s.
  constexpr int kT0 = 4;
  ToyRun run("asgd:lr=0.05,lambd=0.001,t0=4");
  Vec sum(kN, 0.0);
  int count = 0;
  for (int s = 1; s <= 25; ++s) {
    run.step();
    const Vec p = run.params();
    const OptimizerState st = run.opt->state_dict();
    const Tensor* ax = nullptr;
    for (const auto& nt : st.tensors)
      if (nt.name == "state.0.ax") ax = &nt.tensor;
    ASSERT_NE(ax, nullptr);
    if (s >= kT0 + 2) {
      for (int i = 0; i < kN; ++i) sum[i] += p[i];
      ++count;
    }
    for (int i = 0; i < kN; ++i) {
      const double want = count ? sum[i] / count : p[i];
      EXPECT_NEAR(ax->values()[i], want, 1e-6) << "step " << s << " element " << i;
    }
  }
}

// ASGD's state after the golden cases' 60 steps equals torch's: step, eta, mu (float32 in torch)
// and the averaged parameters ax, which the trajectory comparison does not see.
TEST(ClassicProperties, AsgdStateMatchesPyTorch) {
  std::ifstream in(DESCENT_SOURCE_DIR "/tests/golden/optimizers_classic.json");
  ASSERT_TRUE(in) << "tests/golden/optimizers_classic.json is missing";
  const json doc = json::parse(in);
  int checked = 0;
  for (const auto& c : doc.at("cases")) {
    if (c.at("optimizer") != "asgd" || c.at("problem") == "mlp") continue;  // 2-D problems
    const std::string problem = c.at("problem");
    const json& start = doc.at("problems").at(problem).at("initial").at(0).at("values");
    Tensor p = Tensor::from({2}, {start[0].get<float>(), start[1].get<float>()});
    p.requires_grad_();
    Hyperparams h;
    for (const auto& def : optimizer_info("asgd").hyperparams) h[def.name] = def.value;
    for (const auto& [key, value] : c.at("hyperparams").items())
      h[key] = value.is_boolean() ? (value.get<bool>() ? 1.0 : 0.0) : value.get<double>();
    auto opt = make_optimizer("asgd", {p}, h);
    // The golden test's losses, written the same way (see test_optim_golden.cpp).
    auto component = [&](int i) {
      return sum(p * Tensor::from({2}, {i == 0 ? 1.0f : 0.0f, i == 0 ? 0.0f : 1.0f}));
    };
    std::function<Tensor()> loss;
    if (problem == "rosenbrock")
      loss = [&] {
        const Tensor x = component(0), y = component(1);
        return pow(1.0f - x, 2) + 100.0f * pow(y - pow(x, 2), 2);
      };
    else if (problem == "quadratic")
      loss = [&] {
        const Tensor x = component(0), y = component(1);
        return 0.5f * (pow(x, 2) + 10.0f * pow(y, 2));
      };
    else
      loss = [&] {
        const Tensor x = component(0), y = component(1);
        return pow(1.5f - x + x * y, 2) + pow(2.25f - x + x * pow(y, 2), 2) +
               pow(2.625f - x + x * pow(y, 3), 2);
      };
    for (int s = 0; s < c.at("steps").get<int>(); ++s)
      opt->step([&] {
        opt->zero_grad();
        Tensor l = loss();
        l.backward();
        return l.item();
      });
    const OptimizerState st = opt->state_dict();
    const json& want = c.at("final_state");
    const auto& scalars = st.meta.at("state").at("0");
    EXPECT_EQ(scalars.at("step").get<double>(), want.at("step").get<double>());
    // eta and mu are float32 on both sides and computed from the same doubles: equal.
    EXPECT_EQ(static_cast<float>(scalars.at("eta").get<double>()), want.at("eta").get<float>());
    EXPECT_EQ(static_cast<float>(scalars.at("mu").get<double>()), want.at("mu").get<float>());
    for (const auto& nt : st.tensors)
      if (nt.name == "state.0.ax")
        for (int i = 0; i < 2; ++i) {
          const double w = want.at("ax")[i].get<double>();
          EXPECT_LE(std::abs(nt.tensor.values()[i] - w), 1e-5 * std::max(std::abs(w), 0.1))
              << c.at("name") << " ax[" << i << "]";  // the golden tests' rule
        }
    ++checked;
  }
  EXPECT_GE(checked, 3);
}

// --- Resume ------------------------------------------------------------------------------------

TEST(ClassicResume, Adagrad) {
  expect_resume_is_exact(
      "adagrad:lr=0.05,lr_decay=0.01,initial_accumulator_value=0.1,weight_decay=0.01", 7, 16);
}
TEST(ClassicResume, AdagradKeras) {
  expect_resume_is_exact("adagrad:lr=0.05,convention=keras,initial_accumulator_value=0.1", 7, 16);
}
TEST(ClassicResume, Adadelta) {
  expect_resume_is_exact("adadelta:rho=0.95,weight_decay=0.01", 7, 16);
}
TEST(ClassicResume, RmspropCenteredMomentum) {
  expect_resume_is_exact("rmsprop:lr=0.005,centered=true,momentum=0.8,weight_decay=0.01", 7, 16);
}
TEST(ClassicResume, RmspropKerasMomentum) {
  expect_resume_is_exact("rmsprop:lr=0.005,convention=keras,momentum=0.8", 7, 16);
}
TEST(ClassicResume, Rprop) {
  expect_resume_is_exact("rprop:lr=0.02,eta_minus=0.3,eta_plus=1.5,step_size_max=0.2", 7, 16);
}
TEST(ClassicResume, AsgdAveraging) {
  expect_resume_is_exact("asgd:lr=0.1,lambd=0.001,t0=3,weight_decay=0.01", 7, 16);
}
TEST(ClassicResume, SgdVelocity) {
  expect_resume_is_exact("sgd:form=velocity,lr=0.05,momentum=0.9,nesterov=true", 7, 16);
}
TEST(ClassicResume, SgdEmaBiasCorrected) {
  expect_resume_is_exact("sgd:form=ema,lr=0.1,momentum=0.9,bias_correction=true", 7, 16);
}
TEST(ClassicResume, SgdLookaheadNesterov) {
  expect_resume_is_exact("sgd:form=lookahead_nesterov,lr=0.05,momentum=0.9,weight_decay=0.01", 7,
                         16);
}

}  // namespace test_optim_classic
}  // namespace descent
