// weight_decay_form, which the base class gives every optimizer with a weight_decay: Keras'
// decoupled decay (multiplied by lr, before the update) and the AdamW paper's schedule-only decay
// (multiplied by the schedule's lr / lr0, not by lr), besides each optimizer's own form.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "descent/optim/registry.h"
#include "optim_reference.h"

namespace descent {
namespace test_weight_decay_form {

using namespace testutil;

std::vector<float> run(const std::string& spec, int steps = 15) {
  const Problem pr = quadratic();
  Tensor p = Tensor::from({3, 4}, std::vector<float>(pr.init[0].begin(), pr.init[0].end()))
                 .requires_grad_();
  auto opt = make_optimizer(spec, {p});
  for (int s = 0; s < steps; ++s) {
    opt->zero_grad();
    pr.loss({p}).backward();
    opt->step();
  }
  return p.to_vector();
}

void expect_near(const std::vector<float>& a, const std::vector<float>& b,
                 const std::string& what) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i)
    EXPECT_NEAR(a[i], b[i], 1e-6 * (1 + std::abs(b[i]))) << what << " entry " << i;
}

TEST(WeightDecayForm, EveryOptimizerWithWeightDecayListsIt) {
  int with = 0;
  for (const auto& info : optimizer_registry()) {
    bool wd = false, form = false;
    for (const auto& d : info.hyperparams) {
      wd = wd || d.name == "weight_decay";
      form = form || d.name == "weight_decay_form";
    }
    EXPECT_EQ(wd, form) << info.name;
    with += wd;
  }
  EXPECT_GT(with, 30);
}

// Keras' form on Adam is PyTorch's AdamW: p (1 - lr wd) first, then Adam's step.
TEST(WeightDecayForm, KerasFormOnAdamIsAdamW) {
  expect_near(run("adam:lr=0.05,weight_decay=0.2,weight_decay_form=keras"),
              run("adamw:lr=0.05,weight_decay=0.2"), "adam keras vs adamw");
  EXPECT_NE(run("adam:lr=0.05,weight_decay=0.2,weight_decay_form=keras"),
            run("adam:lr=0.05,weight_decay=0.2"));
}

// For plain SGD, decay before the step and L2 in the gradient are the same update.
TEST(WeightDecayForm, KerasFormOnPlainSgdIsL2) {
  expect_near(run("sgd:lr=0.1,weight_decay=0.3,weight_decay_form=keras"),
              run("sgd:lr=0.1,weight_decay=0.3"), "sgd keras vs coupled");
}

// With a zero gradient only the decay moves p: keras by lr wd, independent by wd lr / lr0.
TEST(WeightDecayForm, DecayFactorsFollowLrOrTheSchedule) {
  for (const auto& [form, factor] :
       {std::pair{"keras", 1.0 - 0.25 * 0.5}, {"independent", 1.0 - 0.5 * (0.25 / 0.5)}}) {
    Tensor p = Tensor::from({2}, {2.0f, -4.0f}).requires_grad_();
    auto opt =
        make_optimizer(std::string("adam:lr=0.5,weight_decay=0.5,weight_decay_form=") + form, {p});
    opt->param_groups()[0].options["lr"] = 0.25;  // a schedule halved the lr
    std::fill_n(p.grad_data(), 2, 0.0f);
    opt->step();
    EXPECT_FLOAT_EQ(p.data()[0], static_cast<float>(2.0 * factor)) << form;
    EXPECT_FLOAT_EQ(p.data()[1], static_cast<float>(-4.0 * factor)) << form;
    EXPECT_EQ(opt->param_groups()[0].get("weight_decay"), 0.5) << form << ": restored";
  }
}

TEST(WeightDecayForm, RefusedWhereTheOptimizerStepsItself) {
  Tensor p = Tensor::zeros({2}).requires_grad_();
  for (const char* spec : {"prodigy:weight_decay_form=keras", "dadapt_adam:weight_decay_form=keras",
                           "sgd_schedulefree:weight_decay_form=independent",
                           "adamw_schedulefree:weight_decay_form=keras"}) {
    try {
      make_optimizer(spec, {p});
      ADD_FAILURE() << spec << " was accepted";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("weight_decay_form other than default is not supported"),
                std::string::npos)
          << e.what();
    }
  }
  EXPECT_THROW(make_optimizer("adam:weight_decay_form=l2", {p}), SpecError);
}

}  // namespace test_weight_decay_form
}  // namespace descent
