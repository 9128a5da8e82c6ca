// Schedules: the notes' and Keras' families against their formulas, exact resume for every family
// (composites and plateau included), schedules on other hyper-parameters, SPEC errors.
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <nlohmann/json.hpp>

#include "descent/optim/adam.h"
#include "descent/optim/sgd.h"
#include "descent/schedule/factory.h"
#include "descent/schedule/lambda.h"
#include "descent/schedule/multiplicative.h"
#include "descent/util/spec.h"

namespace descent {
namespace test_schedule {

std::unique_ptr<Optimizer> sgd(std::vector<double> lrs, double momentum = 0.9,
                               double weight_decay = 0.0) {
  std::vector<ParamGroup> groups;
  for (double lr : lrs) {
    ParamGroup g;
    g.params.push_back(Tensor::zeros({1}).requires_grad_());
    g.options["lr"] = lr;
    groups.push_back(g);
  }
  Hyperparams h = SGD::default_hyperparams();
  h["momentum"] = momentum;
  h["weight_decay"] = weight_decay;
  return std::make_unique<SGD>(groups, h);
}

// Values of key in group 0 for rows 0..n-1 (row s after s steps).
std::vector<double> run(const std::string& spec, int n, const std::string& key = "lr",
                        double lr = 0.1) {
  auto opt = sgd({lr}, 0.9, 0.01);
  auto s = make_scheduler(spec, *opt, key);
  std::vector<double> out;
  for (int i = 0; i < n; ++i) {
    if (i > 0) s->step();
    out.push_back(s->values()[0]);
  }
  return out;
}

TEST(Schedule, NotesInverseTime) {
  const auto v = run("inverse_time:decay=0.5", 10);
  for (int t = 0; t < 10; ++t) EXPECT_DOUBLE_EQ(v[t], 0.1 * 1.5 / (1 + 0.5 * (t + 1)));
  // e = 1 + floor(t B / n): steps_per_epoch steps share an epoch.
  const auto w = run("inverse_time:decay=0.5,steps_per_epoch=3", 10);
  for (int t = 0; t < 10; ++t) EXPECT_DOUBLE_EQ(w[t], 0.1 * 1.5 / (1 + 0.5 * (1 + t / 3)));
}

TEST(Schedule, KerasInverseTimeDecay) {
  const auto v = run("inverse_time_decay:decay_rate=0.5,decay_steps=4", 12);
  for (int t = 0; t < 12; ++t) EXPECT_DOUBLE_EQ(v[t], 0.1 / (1 + 0.5 * t / 4.0));
  const auto w = run("inverse_time_decay:decay_rate=0.5,decay_steps=4,staircase=true", 12);
  for (int t = 0; t < 12; ++t) EXPECT_DOUBLE_EQ(w[t], 0.1 / (1 + 0.5 * std::floor(t / 4.0)));
}

TEST(Schedule, NotesInverseSqrt) {
  const auto v = run("inverse_sqrt", 10);
  for (int t = 0; t < 10; ++t) EXPECT_DOUBLE_EQ(v[t], 0.1 / std::sqrt(t + 1.0));
  const auto w = run("inverse_sqrt:warmup_steps=4", 12);
  for (int t = 0; t < 4; ++t) EXPECT_DOUBLE_EQ(w[t], 0.1 * t / 4.0);
  for (int t = 4; t < 12; ++t) EXPECT_DOUBLE_EQ(w[t], 0.1 * 2.0 / std::sqrt(double(t)));
}

TEST(Schedule, NotesExponentialEpoch) {
  const auto v = run("exponential_epoch:gamma=0.8,steps_per_epoch=2", 10);
  for (int t = 0; t < 10; ++t) EXPECT_DOUBLE_EQ(v[t], 0.1 * std::pow(0.8, t / 2));
}

TEST(Schedule, PiecewiseConstant) {
  const auto v = run("piecewise_constant:boundaries=[3,7],values=[0.5,0.25,0.125]", 10);
  const double want[] = {0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.25, 0.125, 0.125};
  for (int t = 0; t < 10; ++t) EXPECT_DOUBLE_EQ(v[t], want[t]);
  const auto w = run("piecewise_constant:boundaries=[3],factors=[1,0.1]", 6);
  EXPECT_DOUBLE_EQ(w[3], 0.1);
  EXPECT_DOUBLE_EQ(w[4], 0.1 * 0.1);
}

TEST(Schedule, NotesLinearThenConstant) {
  const auto v = run("linear_then_constant:tau=10", 15);
  for (int k = 0; k < 15; ++k) {
    const double a = std::min(k, 10) / 10.0;
    EXPECT_NEAR(v[k], (1 - a) * 0.1 + a * 0.001, 1e-15);
  }
  const auto w = run("linear_then_constant:tau=4,eps_tau=0.02", 6);
  EXPECT_DOUBLE_EQ(w[2], 0.5 * 0.1 + 0.5 * 0.02);
  EXPECT_DOUBLE_EQ(w[5], 0.02);
}

TEST(Schedule, LinearWarmup) {
  const auto v = run("linear_warmup:warmup_steps=4,start_factor=0.2", 8);
  for (int t = 0; t < 8; ++t) EXPECT_DOUBLE_EQ(v[t], 0.1 * (0.2 + 0.8 * std::min(t, 4) / 4.0));
}

// The recent families, each against its formula written out here in double precision.
TEST(Schedule, WarmupStableDecay) {
  const int T = 20, D = 8, W = 4;
  for (const std::string decay : {"linear", "cosine", "sqrt"}) {
    const auto v =
        run("wsd:total_steps=20,decay_steps=8,warmup_steps=4,start_factor=0.1,"
            "min_factor=0.05,decay=" +
                decay,
            T + 3);
    for (int t = 0; t < T + 3; ++t) {
      double f = 1;
      if (t < W) f = 0.1 + 0.9 * t / double(W);
      if (t >= T - D && t < T) {
        const double p = (t - (T - D)) / double(D);
        const double d = decay == "linear"   ? 1 - p
                         : decay == "cosine" ? 0.5 * (1 + std::cos(M_PI * p))
                                             : 1 - std::sqrt(p);
        f = 0.05 + 0.95 * d;
      }
      if (t >= T) f = 0.05;
      EXPECT_NEAR(v[t], 0.1 * f, 1e-15) << decay << " t=" << t;
    }
  }
}

TEST(Schedule, OptaxWarmupCosineHoldsAtItsEnd) {
  const auto v =
      run("warmup_cosine:warmup_steps=3,decay_steps=13,start_factor=0.2,end_factor=0.1", 20);
  for (int t = 0; t < 20; ++t) {
    double f = 0.1;
    if (t < 3)
      f = 0.2 + 0.8 * t / 3.0;
    else if (t < 13)
      f = 0.1 + 0.9 * 0.5 * (1 + std::cos(M_PI * (t - 3) / 10.0));
    EXPECT_NEAR(v[t], 0.1 * f, 1e-15) << t;
  }
  EXPECT_DOUBLE_EQ(v[3], 0.1);  // the peak, right after the warmup
}

TEST(Schedule, Rex) {
  const auto v = run("rex:total_steps=10", 12);
  for (int t = 0; t < 12; ++t) {
    const double z = std::min(t, 10) / 10.0;
    EXPECT_NEAR(v[t], 0.1 * (1 - z) / (0.5 + 0.5 * (1 - z)), 1e-15) << t;
  }
  // Above linear decay everywhere inside (it drops late).
  for (int t = 1; t < 10; ++t) EXPECT_GT(v[t], 0.1 * (1 - t / 10.0));
  const auto m = run("rex:total_steps=10,min_factor=0.2", 12);
  EXPECT_NEAR(m[5], 0.1 * (0.2 + 0.8 * 0.5 / 0.75), 1e-15);
  EXPECT_NEAR(m[11], 0.02, 1e-15);
}

TEST(Schedule, KerasPolynomialDecayWithEndValueAndCycle) {
  const auto v = run("polynomial_decay:decay_steps=6,end_factor=0.1,power=2", 9);
  for (int t = 0; t < 9; ++t) {
    const double p = std::min(t, 6) / 6.0;
    EXPECT_NEAR(v[t], 0.1 * (0.9 * (1 - p) * (1 - p) + 0.1), 1e-15) << t;
  }
  // Keras with cycle: decay_steps * ceil(step / decay_steps), step 0 keeps decay_steps.
  const auto c = run("polynomial_decay:decay_steps=4,end_factor=0.1,cycle=true", 13);
  for (int t = 0; t < 13; ++t) {
    const double horizon = t == 0 ? 4 : 4 * std::ceil(t / 4.0);
    EXPECT_NEAR(c[t], 0.1 * (0.9 * (1 - t / horizon) + 0.1), 1e-15) << t;
  }
  EXPECT_GT(c[5], c[4]);  // a new cycle starts higher than where the last one ended
}

TEST(Schedule, CosineRestartsWithDecayingPeaks) {
  // Periods 4, 8, 16; the k-th period's peak is m_mul^k (Keras CosineDecayRestarts' m_mul).
  const auto v = run("cosine_restarts:t_0=4,t_mult=2,m_mul=0.5,eta_min=0.01", 28);
  for (int t = 0; t < 28; ++t) {
    const int k = t < 4 ? 0 : t < 12 ? 1 : 2;
    const double cur = t < 4 ? t : t < 12 ? t - 4 : t - 12, len = t < 4 ? 4 : t < 12 ? 8 : 16;
    const double want = 0.01 + 0.09 * std::pow(0.5, k) * 0.5 * (1 + std::cos(M_PI * cur / len));
    EXPECT_NEAR(v[t], want, 1e-15) << t;
  }
  // m_mul = 1 is PyTorch's schedule exactly.
  EXPECT_EQ(run("cosine_restarts:t_0=3,m_mul=1", 10), run("cosine_restarts:t_0=3", 10));
}

TEST(Schedule, PiecewiseLinearThroughItsPoints) {
  const auto v = run("piecewise_linear:steps=[2,6,10],factors=[0.5,1,0.1]", 14);
  const double want[] = {0.5,   0.5,  0.5,   0.625, 0.75, 0.875, 1,
                         0.775, 0.55, 0.325, 0.1,   0.1,  0.1,   0.1};
  for (int t = 0; t < 14; ++t) EXPECT_NEAR(v[t], 0.1 * want[t], 1e-15) << t;
}

TEST(Schedule, OtherHyperparameters) {
  // momentum follows a cosine; weight_decay steps down; lr is left alone.
  auto opt = sgd({0.1}, 0.9, 0.01);
  auto m = make_scheduler("cosine:t_max=10,eta_min=0.5", *opt, "momentum");
  auto w = make_scheduler("step:step_size=2,gamma=0.5", *opt, "weight_decay");
  for (int t = 1; t <= 4; ++t) {
    m->step();
    w->step();
  }
  const auto& g = opt->param_groups()[0];
  EXPECT_NEAR(g.get("momentum"), 0.5 + 0.4 * (1 + std::cos(M_PI * 4 / 10)) / 2, 1e-15);
  EXPECT_DOUBLE_EQ(g.get("weight_decay"), 0.01 * 0.25);
  EXPECT_DOUBLE_EQ(g.get("lr"), 0.1);
  // beta1 of Adam follows a warmup from 0.5 * 0.9.
  ParamGroup pg;
  pg.params.push_back(Tensor::zeros({1}).requires_grad_());
  Adam adam({pg});
  auto b = make_scheduler("linear_warmup:warmup_steps=2,start_factor=0.5", adam, "beta1");
  EXPECT_DOUBLE_EQ(adam.param_groups()[0].get("beta1"), 0.45);
  b->step();
  b->step();
  EXPECT_DOUBLE_EQ(adam.param_groups()[0].get("beta1"), 0.9);
}

// A metric sequence with plateaus, for reduce_on_plateau.
double metric(int t) { return t < 8 ? 1.0 / (1 + t) : (t % 5 == 0 ? 0.05 : 0.1 + 0.001 * t); }

struct Resumable {
  std::string spec;
  std::string key = "lr";
};

// Runs n steps without a break, then again stopping after k, saving to JSON text, building a new
// optimizer (its lr whatever the checkpoint had) and schedule, loading, and finishing: the rows
// (key and cycled momentum) must be identical.
void check_resume(const std::string& spec, int n, int k) {
  SCOPED_TRACE(spec + " resumed after " + std::to_string(k));
  const bool lambda = spec == "lambda";
  auto build = [&](Optimizer& opt) -> std::unique_ptr<Scheduler> {
    if (lambda)
      return std::make_unique<LambdaScheduler>(opt, [](int64_t t) { return 1.0 / (1 + t); });
    return make_scheduler(spec, opt);
  };
  auto step = [&](Scheduler& s, int t) {
    if (s.needs_metric())
      s.step(metric(t));
    else
      s.step();
  };
  auto row = [](Scheduler& s, Optimizer& opt) {
    std::vector<double> r = s.values();
    if (!s.momentum_key().empty())
      for (double m : group_values(opt, s.momentum_key())) r.push_back(m);
    return r;
  };
  std::vector<std::vector<double>> full;
  {
    auto opt = sgd({0.1, 0.03});
    auto s = build(*opt);
    for (int t = 0; t < n; ++t) {
      if (t > 0) step(*s, t);
      full.push_back(row(*s, *opt));
    }
  }
  auto opt = sgd({0.1, 0.03});
  auto s = build(*opt);
  for (int t = 1; t <= k; ++t) step(*s, t);
  const std::string text = s->state_dict().dump();
  const auto lrs = s->values();
  auto opt2 = sgd(lrs, 0.42);  // momentum deliberately wrong: the state restores what it cycles
  auto s2 = build(*opt2);
  s2->load_state_dict(nlohmann::json::parse(text));
  ASSERT_EQ(row(*s2, *opt2), full[k]);
  for (int t = k + 1; t < n; ++t) {
    step(*s2, t);
    ASSERT_EQ(row(*s2, *opt2), full[t]) << "row " << t;
  }
}

TEST(Schedule, ResumeIsExactForEveryFamily) {
  const std::vector<std::string> specs = {
      "step:step_size=3,gamma=0.5",
      "multistep:milestones=[4,9,9],gamma=0.3",
      "exponential:gamma=0.9",
      "cosine:t_max=7,eta_min=0.001",
      "cosine_restarts:t_0=3,t_mult=2,eta_min=0.001",
      "cosine_restarts:t_0=3,t_mult=2,m_mul=0.7",
      "cyclic:base_lr=0.01,max_lr=0.1,step_size_up=3,step_size_down=5,mode=triangular2",
      "cyclic:base_lr=0.01,max_lr=0.1,step_size_up=4,mode=exp_range,gamma=0.9",
      "onecycle:max_lr=0.5,total_steps=30,three_phase=true",
      "linear:start_factor=0.2,total_iters=6",
      "constant:factor=0.5,total_iters=4",
      "polynomial:total_iters=10,power=2",
      "multiplicative:factor=0.9",
      "lambda",
      "sequential:schedulers=[linear:start_factor=0.1,total_iters=5;cosine:t_max=20],"
      "milestones=[5]",
      "sequential:schedulers=[linear_warmup:warmup_steps=3;cosine_restarts:t_0=4;"
      "exponential:gamma=0.8],milestones=[3,12]",
      "chained:schedulers=[constant:factor=0.5,total_iters=6;exponential:gamma=0.9]",
      "chained:schedulers=[sequential:schedulers=[linear:total_iters=3;step:step_size=4],"
      "milestones=[3];onecycle:max_lr=1,total_steps=40]",
      "reduce_on_plateau:patience=2,cooldown=1,factor=0.5,min_lr=0.004",
      "reduce_on_plateau:mode=max,threshold_mode=abs,patience=1",
      "inverse_time:decay=0.3",
      "inverse_time_decay:decay_rate=0.5,decay_steps=3,staircase=true",
      "inverse_sqrt:warmup_steps=4",
      "exponential_epoch:gamma=0.9,steps_per_epoch=2",
      "piecewise_constant:boundaries=[5,10],values=[0.1,0.05,0.01]",
      "linear_then_constant:tau=8",
      "linear_warmup:warmup_steps=6",
      "wsd:total_steps=25,decay_steps=10,warmup_steps=3,decay=sqrt",
      "warmup_cosine:warmup_steps=4,decay_steps=20",
      "rex:total_steps=25",
      "polynomial_decay:decay_steps=7,cycle=true",
      "piecewise_linear:steps=[0,5,20],factors=[0,1,0.1]"};
  for (const auto& spec : specs)
    for (int k : {0, 1, 4, 11}) check_resume(spec, 30, k);
}

TEST(Schedule, LoadRejectsAnotherSchedule) {
  auto opt = sgd({0.1});
  auto a = make_scheduler("step:step_size=3", *opt);
  auto b = make_scheduler("exponential:gamma=0.9", *opt);
  EXPECT_THROW(b->load_state_dict(a->state_dict()), std::invalid_argument);
}

void expect_spec_error(const std::string& spec, const std::string& fragment) {
  auto opt = sgd({0.1});
  try {
    make_scheduler(spec, *opt);
    ADD_FAILURE() << spec << " did not throw";
  } catch (const SpecError& e) {
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
}

TEST(Schedule, SpecErrors) {
  expect_spec_error("cosinus:t_max=3", "valid names: step, multistep");
  expect_spec_error("cosine:t_max=3,tmin=1", "valid keys: eta_min, t_max");
  expect_spec_error("cosine", "missing required key 't_max'");
  expect_spec_error("step:step_size=0", "step_size must be a positive integer");
  expect_spec_error("multistep:milestones=[3,x]", "a list of finite numbers");
  expect_spec_error("cyclic:max_lr=0.1,mode=triangle", "expected one of triangular, triangular2");
  expect_spec_error("sequential:schedulers=[linear;cosine:t_max=5],milestones=[2,3]",
                    "one milestone fewer");
  expect_spec_error("sequential:schedulers=linear,milestones=[]", "list in brackets");
  expect_spec_error("sequential:schedulers=[linear;reduce_on_plateau],milestones=[3]",
                    "reduce_on_plateau cannot be composed");
  expect_spec_error("chained:schedulers=[linear;;step:step_size=2]", "empty schedule");
  expect_spec_error("chained:schedulers=[linear;cosine:t_max=4,bad=1]", "unknown key 'bad'");
  auto opt = sgd({0.1});
  EXPECT_THROW(make_scheduler("step:step_size=2", *opt, "beta2"), SpecError);
}

TEST(Schedule, PlateauNeedsAMetric) {
  auto opt = sgd({0.1});
  auto s = make_scheduler("reduce_on_plateau", *opt);
  EXPECT_TRUE(s->needs_metric());
  EXPECT_THROW(s->step(), std::logic_error);
}

TEST(Schedule, OneCyclePastTotalStepsThrows) {
  auto opt = sgd({0.1});
  auto s = make_scheduler("onecycle:max_lr=1,total_steps=3", *opt);
  for (int i = 0; i < 3; ++i) s->step();
  EXPECT_THROW(s->step(), std::out_of_range);
}

}  // namespace test_schedule
}  // namespace descent
