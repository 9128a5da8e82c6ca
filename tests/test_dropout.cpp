// Dropout: the mask's statistics (drop rate p, survivors scaled by 1/(1-p), mean preserved), the
// identity in evaluation mode and at p = 0, reproducible masks from the seed and from a saved
// generator state, the gradient (the same mask), and the dropout layer SPEC with its seeds.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "descent/nn/dropout.h"
#include "descent/nn/network_spec.h"
#include "descent/ops/ops.h"
#include "descent/util/random.h"
#include "descent/util/spec.h"
#include "gradcheck.h"
#include "throws_with.h"

namespace descent {
namespace test_dropout {

using testutil::gradcheck;
using testutil::throws_with;

// The mask Dropout(p, seed) draws first for n elements, by the documented rule.
std::vector<float> expected_mask(double p, uint64_t seed, int64_t n) {
  Generator gen(seed);
  std::vector<float> mask(n);
  for (float& m : mask) m = gen.uniform() < p ? 0.0f : 1.0f / static_cast<float>(1.0 - p);
  return mask;
}

TEST(Dropout, DropsAboutPAndScalesSurvivors) {
  for (double p : {0.1, 0.3, 0.5, 0.8}) {
    Dropout d(p, 42);
    const int64_t n = 200000;
    const Tensor y = d(Tensor::full({n / 100, 100}, 1.0f));
    ASSERT_EQ(y.shape(), (Shape{n / 100, 100}));
    const float scale = 1.0f / static_cast<float>(1.0 - p);
    int64_t zeros = 0;
    double total = 0;
    for (float v : y.values()) {
      if (v == 0.0f) {
        ++zeros;
      } else {
        ASSERT_EQ(v, scale) << "p=" << p;
      }
      total += v;
    }
    // Binomial: the drop fraction's std is sqrt(p(1-p)/n) <= 0.0012, the mean's <= 0.0045.
    EXPECT_NEAR(static_cast<double>(zeros) / n, p, 0.006) << "p=" << p;
    EXPECT_NEAR(total / n, 1.0, 0.02) << "p=" << p;
  }
}

TEST(Dropout, PEqualOneGivesZeros) {
  Dropout d(1.0, 3);
  for (float v : d(Tensor::full({50}, 2.5f)).values()) EXPECT_EQ(v, 0.0f);
}

TEST(Dropout, EvalModeAndZeroPAreIdentityAndDrawNothing) {
  Generator gen(1);
  const Tensor x = Tensor::uniform({4, 5}, -1, 1, gen);
  Dropout d(0.5, 9);
  d.set_training(false);
  EXPECT_FALSE(d.training());
  const auto before = d.generators()[0]->state();
  EXPECT_EQ(d(x).impl(), x.impl());
  EXPECT_EQ(d.generators()[0]->state(), before);
  Dropout zero(0.0, 9);
  EXPECT_EQ(zero(x).impl(), x.impl());
  EXPECT_EQ(zero.generators()[0]->state(), before);
  d.set_training(true);
  EXPECT_NE(d(x).to_vector(), x.to_vector());
}

TEST(Dropout, MaskFollowsTheDocumentedDraws) {
  Generator gen(2);
  const Tensor x = Tensor::uniform({6, 7}, 0.5, 1.5, gen);  // no zeros
  Dropout d(0.4, 1234);
  const std::vector<float> mask = expected_mask(0.4, 1234, x.numel());
  const std::vector<float> y = d(x).to_vector();
  for (int64_t i = 0; i < x.numel(); ++i) EXPECT_EQ(y[i], x.data()[i] * mask[i]) << i;
}

TEST(Dropout, SameSeedSameMasksAndRestoredStateRepeatsAMask) {
  const Tensor x = Tensor::full({1000}, 1.0f);
  Dropout a(0.5, 77), b(0.5, 77), c(0.5, 78);
  const std::vector<float> a1 = a(x).to_vector();
  EXPECT_EQ(a1, b(x).to_vector());
  EXPECT_NE(a1, c(x).to_vector());
  // The next mask differs; restoring the saved state draws it again.
  ASSERT_EQ(a.generators().size(), 1u);
  const auto saved = a.generators()[0]->state();
  const std::vector<float> a2 = a(x).to_vector();
  EXPECT_NE(a1, a2);
  a.generators()[0]->set_state(saved);
  EXPECT_EQ(a(x).to_vector(), a2);
}

TEST(Dropout, GradientIsTheMask) {
  Generator gen(5);
  Tensor x = Tensor::uniform({3, 8}, -2, 2, gen);
  x.requires_grad_();
  Dropout d(0.3, 11);
  const std::vector<float> mask = expected_mask(0.3, 11, x.numel());
  const Tensor r = Tensor::uniform({3, 8}, -1, 1, gen);
  sum(d(x) * r).backward();
  ASSERT_TRUE(x.has_grad());
  const std::vector<float> g = x.grad().to_vector();
  for (int64_t i = 0; i < x.numel(); ++i) EXPECT_FLOAT_EQ(g[i], r.data()[i] * mask[i]) << i;

  // And numerically, replaying the same mask for every evaluation.
  Dropout e(0.5, 12);
  const auto state = e.generators()[0]->state();
  EXPECT_TRUE(gradcheck(
      [&](const std::vector<Tensor>& in) {
        e.generators()[0]->set_state(state);
        return e(in[0]);
      },
      {x}));
}

TEST(Dropout, DescribeAndBadP) {
  EXPECT_EQ(Dropout(0.5, 0).describe(), "Dropout(p=0.5)");
  EXPECT_EQ(Dropout(0.125, 0).describe(), "Dropout(p=0.125)");
  EXPECT_TRUE(throws_with<std::invalid_argument>([] { Dropout(1.5, 0); }, {"p", "1.5"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([] { Dropout(-0.25, 0); }, {"-0.25"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([] { Dropout(std::nan(""), 0); }, {"nan"}));
}

TEST(Dropout, LayerSpecAndSeeds) {
  Generator gen(0);
  auto net = build_network({"linear:out=4", "dropout", "relu", "dropout:p=0.25"}, 3, gen, 7);
  EXPECT_NE(net->describe().find("Dropout(p=0.5)"), std::string::npos) << net->describe();
  EXPECT_NE(net->describe().find("Dropout(p=0.25)"), std::string::npos) << net->describe();
  const std::vector<Generator*> gens = net->generators();
  ASSERT_EQ(gens.size(), 2u);
  EXPECT_EQ(gens[0]->state(), Generator(7 + 1000003 * 1).state());
  EXPECT_EQ(gens[1]->state(), Generator(7 + 1000003 * 2).state());
  // Without a noise seed the callers that predate dropout still compile; seeds start from 0.
  auto plain = build_network({"dropout:p=0.1"}, 3, gen);
  EXPECT_EQ(plain->generators()[0]->state(), Generator(1000003).state());
  // Training mode reaches the dropout layers through Sequential.
  const Tensor x = Tensor::full({2, 3}, 1.0f);
  auto only = build_network({"dropout:p=0.9"}, 3, gen, 1);
  only->set_training(false);
  EXPECT_EQ((*only)(x).to_vector(), x.to_vector());

  EXPECT_TRUE(throws_with<SpecError>([&] { build_network({"dropout:p=1.5"}, 3, gen); },
                                     {"dropout:p=1.5", "[0, 1]", "1.5"}));
  EXPECT_TRUE(
      throws_with<SpecError>([&] { build_network({"dropout:rate=0.5"}, 3, gen); }, {"rate"}));
  EXPECT_TRUE(throws_with<SpecError>([&] { build_network({"dropout:p=half"}, 3, gen); }, {"half"}));
  EXPECT_TRUE(throws_with<SpecError>([&] { build_network({"drop"}, 3, gen); }, {"dropout"}));
}

TEST(Dropout, SequentialFindsNestedGenerators) {
  Generator gen(0);
  Sequential outer;
  outer.add(build_network({"linear:out=4", "dropout", "tanh"}, 3, gen, 5));
  outer.add(std::make_unique<Dropout>(0.2, 99));
  outer.add(build_network({"relu", "dropout:p=0.3"}, 4, gen, 6));
  const std::vector<Generator*> gens = outer.generators();
  ASSERT_EQ(gens.size(), 3u);
  EXPECT_EQ(gens[0], static_cast<Sequential&>(outer[0]).generators()[0]);
  EXPECT_EQ(gens[1], outer[1].generators()[0]);
  EXPECT_EQ(gens[2], static_cast<Sequential&>(outer[2]).generators()[0]);
  EXPECT_EQ(gens[1]->state(), Generator(99).state());
  EXPECT_TRUE(Sequential().generators().empty());
}

}  // namespace test_dropout
}  // namespace descent
