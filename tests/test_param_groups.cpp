// Parameter groups that keep 1-D parameters (biases) out of weight decay.
#include <gtest/gtest.h>

#include "descent/nn/network_spec.h"
#include "descent/optim/param_groups.h"
#include "descent/optim/registry.h"

namespace descent {
namespace test_param_groups {

TEST(ParamGroups, OneDimensionalParametersSkipWeightDecay) {
  Generator gen(0);
  auto net = build_network({"linear:out=3", "tanh", "linear:out=2"}, 4, gen);
  auto groups = weight_decay_groups(net->named_parameters(), /*exclude_1d=*/true);
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0].params.size(), 2u);  // the weights
  EXPECT_EQ(groups[1].params.size(), 2u);  // the biases
  auto opt = make_optimizer("adamw", std::move(groups), {{"lr", 0.1}, {"weight_decay", 0.5}});
  const auto before = net->named_parameters();
  std::vector<std::vector<float>> start;
  for (const auto& p : before) start.push_back(p.tensor.to_vector());
  for (auto& p : net->parameters()) p.grad_data();  // zero gradients: only decay moves weights
  opt->step();
  const auto after = net->named_parameters();
  for (size_t i = 0; i < after.size(); ++i) {
    const auto now = after[i].tensor.to_vector();
    for (size_t j = 0; j < now.size(); ++j) {
      const float expected = after[i].tensor.dim() < 2 ? start[i][j] : start[i][j] * (1.0f - 0.05f);
      EXPECT_FLOAT_EQ(now[j], expected) << after[i].name;
    }
  }
}

TEST(ParamGroups, WithoutExclusionOneGroup) {
  Generator gen(0);
  auto net = build_network({"linear:out=3"}, 4, gen);
  EXPECT_EQ(weight_decay_groups(net->named_parameters(), false).size(), 1u);
}

}  // namespace test_param_groups
}  // namespace descent
