// Typed options and the parameter walk: a Choice hyper-parameter is read back by its name, a
// group's options are read fresh at each step, and for_each_param visits parameters in order.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "descent/optim/adam.h"
#include "descent/optim/optimizer.h"
#include "descent/optim/registry.h"

#include "throws_with.h"

namespace descent {
namespace test_optim_options {

using testutil::throws_with;

enum class Color { Red, Green };

TEST(OptimOptions, ChoiceIsReadByName) {
  const HyperparamDef forward = choice("color", {"red", "green"}, "red");
  const HyperparamDef reversed = choice("color", {"green", "red"}, "red");
  ParamGroup group;
  group.options["color"] = 1;  // "green" in forward, "red" in reversed
  const auto read = [&](const HyperparamDef& def) {
    return group.choice<Color>(def, {{"red", Color::Red}, {"green", Color::Green}});
  };
  EXPECT_EQ(read(forward), Color::Green);
  EXPECT_EQ(read(reversed), Color::Red);
}

TEST(OptimOptions, ChoiceFailsLoudly) {
  const HyperparamDef def = choice("color", {"red", "green", "blue"}, "red");
  ParamGroup group;
  group.options["color"] = 2;  // a name the mapping lacks
  EXPECT_TRUE(throws_with<std::logic_error>(
      [&] {
        group.choice<Color>(def, {{"red", Color::Red}, {"green", Color::Green}});
      },
      {"color=blue"}));
  group.options["color"] = 3;  // no such choice
  EXPECT_THROW(choice_name(def, 3), std::invalid_argument);
  EXPECT_THROW(group.choice<Color>(def, {{"red", Color::Red}}), std::invalid_argument);
}

TEST(OptimOptions, AdamOptionsFollowTheGroup) {
  ParamGroup group;
  group.options = Adam::default_hyperparams();
  group.options["convention"] = 1;
  AdamOptions o = AdamOptions::from(group);
  EXPECT_EQ(o.convention, AdamConvention::Keras);
  EXPECT_EQ(o.lr, 1e-3);
  group.options["lr"] = 0.5;  // as a schedule writes it between steps
  o = AdamOptions::from(group);
  EXPECT_EQ(o.lr, 0.5);
}

// Records which parameters for_each_param visits.
class Walker : public Optimizer {
 public:
  using Optimizer::Visit;
  explicit Walker(std::vector<ParamGroup> groups)
      : Optimizer("walker", {real("lr", 0)}, {}, std::move(groups)) {}
  std::vector<const float*> visit(Visit which) {
    std::vector<const float*> seen;
    for_each_param([&](const ParamGroup&, Tensor& p, ParamState&) { seen.push_back(p.data()); },
                   which);
    return seen;
  }

 protected:
  void update(const ParamGroup&, Tensor&, const float*, ParamState&) override {}
};

TEST(OptimOptions, ForEachParamVisitsInGroupOrder) {
  Tensor a = Tensor::zeros({2}).requires_grad_(), b = Tensor::zeros({3}).requires_grad_(),
         c = Tensor::zeros({1}).requires_grad_();
  a.grad_data();
  c.grad_data();
  std::vector<ParamGroup> groups(2);
  groups[0].params = {a, b};
  groups[1].params = {c};
  Walker walker(std::move(groups));
  EXPECT_EQ(walker.visit(Walker::Visit::All),
            (std::vector<const float*>{a.data(), b.data(), c.data()}));
  EXPECT_EQ(walker.visit(Walker::Visit::WithGrad), (std::vector<const float*>{a.data(), c.data()}));
}

}  // namespace test_optim_options
}  // namespace descent

namespace descent {
namespace test_optim_options {

// SPEC strings take PyTorch's betas tuple and Keras' keyword names (optim/hyperparam_aliases.h).
TEST(OptimAliases, SpecsTakeBetasTuplesAndKerasNames) {
  Tensor p = Tensor::zeros({2});
  p.requires_grad_();
  auto adam = make_optimizer("adam:learning_rate=0.01,betas=(0.8, 0.95),epsilon=1e-6", {p});
  const ParamGroup& g = adam->param_groups()[0];
  EXPECT_DOUBLE_EQ(g.get("lr"), 0.01);
  EXPECT_DOUBLE_EQ(g.get("beta1"), 0.8);
  EXPECT_DOUBLE_EQ(g.get("beta2"), 0.95);
  EXPECT_DOUBLE_EQ(g.get("eps"), 1e-6);
  auto rms = make_optimizer("RMSprop:rho=0.5", {p});
  EXPECT_DOUBLE_EQ(rms->param_groups()[0].get("alpha"), 0.5);
  EXPECT_TRUE(testutil::throws_with<SpecError>(
      [&] { make_optimizer("adam:betas=(0.8,0.9,0.99)", {p}); },
      {"optimizer 'adam:betas=(0.8,0.9,0.99)'", "expected two numbers"}));
  // Three betas where the optimizer has three (Adan's and AdEMAMix's PyTorch signatures).
  auto adan = make_optimizer("adan:betas=(0.9,0.8,0.95)", {p});
  EXPECT_DOUBLE_EQ(adan->param_groups()[0].get("beta3"), 0.95);
  EXPECT_DOUBLE_EQ(adan->param_groups()[0].get("beta2"), 0.8);
  EXPECT_TRUE(testutil::throws_with<SpecError>(
      [&] { make_optimizer("ademamix:betas=(0.9,0.999)", {p}); }, {"expected three numbers"}));
  EXPECT_TRUE(
      testutil::throws_with<SpecError>([&] { make_optimizer("adam:lr=1,learning_rate=2", {p}); },
                                       {"learning_rate and lr are the same setting"}));
  EXPECT_TRUE(testutil::throws_with<SpecError>([&] { make_optimizer("adam:betas=(0.8,0.9", {p}); },
                                               {"unbalanced"}));
}

}  // namespace test_optim_options
}  // namespace descent
