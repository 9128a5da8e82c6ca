// Losses: values against PyTorch (reference numbers computed in float64 with torch 1.13 and pasted
// here), gradients against finite differences, and the error messages for bad targets.
#include <gtest/gtest.h>

#include <cmath>
#include <initializer_list>
#include <limits>
#include <string>
#include <vector>

#include "descent/nn/loss.h"
#include "descent/ops/ops.h"
#include "descent/util/random.h"
#include "descent/util/spec.h"

#include "gradcheck.h"
#include "throws_with.h"

namespace descent {
namespace test_loss {

using testutil::throws_with;

using testutil::gradcheck;
using testutil::uniform_leaf;
using Inputs = std::vector<Tensor>;

// ---------------------------------------------------------------------------------------------
// Values.

TEST(LossValue, Mse) {
  // By hand: ((1-0)^2 + (2-0)^2 + (-1-1)^2 + (0.5-0.5)^2) / 4 = 9 / 4.
  EXPECT_FLOAT_EQ(
      mse_loss(Tensor::from({4}, {1, 2, -1, 0.5f}), Tensor::from({4}, {0, 0, 1, 0.5f})).item(),
      2.25f);
  // F.mse_loss(tensor([[0.5,-1,2],[3,0.25,-0.75]]), tensor([[1,0,2.5],[2,-0.5,0]]))
  const Tensor y = Tensor::from({2, 3}, {0.5f, -1, 2, 3, 0.25f, -0.75f});
  const Tensor t = Tensor::from({2, 3}, {1, 0, 2.5f, 2, -0.5f, 0});
  EXPECT_NEAR(mse_loss(y, t).item(), 0.6041666666666666, 1e-6);
  EXPECT_EQ(mse_loss(y, t).shape(), Shape{});
}

// The logits and classes of the PyTorch references below.
Tensor ce_logits() { return Tensor::from({3, 4}, {1, 2, 0.5f, -1, 0, -3, 4, 1.5f, 2, 2, 2, 2}); }
Tensor ce_targets() { return Tensor::from({3}, {1, 2, 3}); }

TEST(LossValue, CrossEntropy) {
  // F.cross_entropy(ce_logits, tensor([1, 2, 3]))
  EXPECT_NEAR(cross_entropy(ce_logits(), ce_targets()).item(), 0.659326309079633, 1e-6);
  // By hand: equal logits give log(classes) whatever the class.
  EXPECT_NEAR(cross_entropy(Tensor::full({2, 5}, 0.3f), Tensor::from({2}, {0, 4})).item(),
              std::log(5.0), 1e-6);
}

TEST(LossValue, CrossEntropyIsStableForLargeLogits) {
  // F.cross_entropy(tensor([[1000,0,-1000],[1000,999,998]]), tensor([1, 2])): a naive
  // exp(1000) would overflow to inf.
  const Tensor z = Tensor::from({2, 3}, {1000, 0, -1000, 1000, 999, 998}).requires_grad_();
  const Tensor loss = cross_entropy(z, Tensor::from({2}, {1, 2}));
  EXPECT_NEAR(loss.item(), 501.2038029822222, 1e-4);
  Tensor(loss).backward();
  // (softmax - onehot) / n, finite everywhere.
  const std::vector<float> g = z.grad().to_vector();
  const double e1 = std::exp(-1.0), e2 = std::exp(-2.0), s = 1 + e1 + e2;
  const std::vector<double> expected = {0.5, -0.5, 0, 0.5 / s, 0.5 * e1 / s, 0.5 * (e2 / s - 1)};
  for (size_t i = 0; i < g.size(); ++i) EXPECT_NEAR(g[i], expected[i], 1e-6) << i;
  // Equal huge logits: log 2 exactly as for small ones.
  EXPECT_NEAR(cross_entropy(Tensor::from({1, 2}, {-1000, -1000}), Tensor::from({1}, {0})).item(),
              std::log(2.0), 1e-6);
}

TEST(LossValue, NllOnLogSoftmaxEqualsCrossEntropy) {
  // F.nll_loss(F.log_softmax(ce_logits, 1), tensor([1, 2, 3]))
  EXPECT_NEAR(nll_loss(log_softmax(ce_logits(), 1), ce_targets()).item(), 0.659326309079633, 1e-6);
  // And on random logits, value and gradient, the two routes agree.
  const Tensor z1 = uniform_leaf({5, 7}, 11, -4, 4);
  const Tensor z2 = z1.detach().clone().requires_grad_();
  const Tensor k = Tensor::from({5}, {0, 6, 3, 3, 1});
  const Tensor a = cross_entropy(z1, k), b = nll_loss(log_softmax(z2, 1), k);
  EXPECT_NEAR(a.item(), b.item(), 1e-6);
  Tensor(a).backward();
  Tensor(b).backward();
  const std::vector<float> g1 = z1.grad().to_vector(), g2 = z2.grad().to_vector();
  for (size_t i = 0; i < g1.size(); ++i) EXPECT_NEAR(g1[i], g2[i], 1e-6) << i;
  // By hand: nll just picks -log_probs[i, k_i] and averages.
  EXPECT_FLOAT_EQ(
      nll_loss(Tensor::from({2, 2}, {-1, -2, -3, -4}), Tensor::from({2}, {1, 0})).item(), 2.5f);
}

TEST(LossValue, BinaryCrossEntropyWithLogits) {
  // F.binary_cross_entropy_with_logits(tensor([0.5,-1.5,2,0,3,-0.25]),
  //                                    tensor([1,0,1,0.5,0,0.3]))
  const Tensor z = Tensor::from({6}, {0.5f, -1.5f, 2, 0, 3, -0.25f});
  const Tensor t = Tensor::from({6}, {1, 0, 1, 0.5f, 0, 0.3f});
  EXPECT_NEAR(binary_cross_entropy_with_logits(z, t).item(), 0.8658487042030605, 1e-6);
  // By hand at z = 0: log 2 whatever the target.
  EXPECT_NEAR(
      binary_cross_entropy_with_logits(Tensor::zeros({3}), Tensor::from({3}, {0, 1, 0.5f})).item(),
      std::log(2.0), 1e-6);
}

TEST(LossValue, BinaryCrossEntropyIsStableForLargeLogits) {
  // F.binary_cross_entropy_with_logits(tensor([100,-100,100,-100]), tensor([1,0,0,1])) = 50:
  // the right two cost 0, the wrong two cost 100 each, with no log(0) or exp overflow.
  const Tensor z = Tensor::from({4}, {100, -100, 100, -100}).requires_grad_();
  const Tensor loss = binary_cross_entropy_with_logits(z, Tensor::from({4}, {1, 0, 0, 1}));
  EXPECT_NEAR(loss.item(), 50.0, 1e-5);
  Tensor(loss).backward();
  // (sigmoid(z) - t) / n, with sigmoid(+-100) = 1 or 0 in float.
  const std::vector<float> g = z.grad().to_vector();
  const std::vector<float> expected = {0, 0, 0.25f, -0.25f};
  for (size_t i = 0; i < g.size(); ++i) EXPECT_NEAR(g[i], expected[i], 1e-7) << i;
}

// ---------------------------------------------------------------------------------------------
// Gradients.

TEST(LossGrad, MseBothInputs) {
  EXPECT_TRUE(gradcheck([](const Inputs& in) { return mse_loss(in[0], in[1]); },
                        {uniform_leaf({3, 4}, 1), uniform_leaf({3, 4}, 2)}));
  // Target without grad: only the prediction gets one.
  EXPECT_TRUE(gradcheck([](const Inputs& in) { return mse_loss(in[0], in[1]); },
                        {uniform_leaf({5}, 3), Tensor::from({5}, {1, 2, 3, 4, 5})}));
}

TEST(LossGrad, CrossEntropy) {
  // The class targets never receive a gradient (gradcheck verifies that).
  EXPECT_TRUE(gradcheck([](const Inputs& in) { return cross_entropy(in[0], in[1]); },
                        {uniform_leaf({4, 5}, 4, -3, 3), Tensor::from({4}, {0, 4, 2, 2})}));
}

TEST(LossGrad, NllLoss) {
  // Directly on a leaf (nll is linear in its input) and composed with log_softmax.
  EXPECT_TRUE(gradcheck([](const Inputs& in) { return nll_loss(in[0], in[1]); },
                        {uniform_leaf({4, 3}, 5, -3, 0), Tensor::from({4}, {2, 0, 1, 2})}));
  EXPECT_TRUE(gradcheck([](const Inputs& in) { return nll_loss(log_softmax(in[0], 1), in[1]); },
                        {uniform_leaf({4, 3}, 6, -3, 3), Tensor::from({4}, {2, 0, 1, 2})}));
}

TEST(LossGrad, BinaryCrossEntropyBothInputs) {
  // Logits of both signs exercise both branches of the stable sigmoid in backward.
  EXPECT_TRUE(
      gradcheck([](const Inputs& in) { return binary_cross_entropy_with_logits(in[0], in[1]); },
                {uniform_leaf({3, 4}, 7, -4, 4), uniform_leaf({3, 4}, 8, 0, 1)}));
}

TEST(LossGrad, UpstreamGradientIsScaled) {
  // loss * 3: every loss must multiply its backward by the incoming gradient, not assume 1.
  const std::vector<LossFunction> losses = {mse_loss, binary_cross_entropy_with_logits};
  for (const LossFunction& f : losses)
    EXPECT_TRUE(gradcheck([&f](const Inputs& in) { return f(in[0], in[1]) * 3.0f; },
                          {uniform_leaf({2, 3}, 9), uniform_leaf({2, 3}, 10, 0, 1)}));
  for (const LossFunction& f : std::vector<LossFunction>{cross_entropy, nll_loss})
    EXPECT_TRUE(gradcheck([&f](const Inputs& in) { return f(in[0], in[1]) * 3.0f; },
                          {uniform_leaf({2, 3}, 11, -2, 0), Tensor::from({2}, {2, 1})}));
}

// ---------------------------------------------------------------------------------------------
// Errors.

TEST(LossErrors, ClassIndexOutOfRangeOrNotInteger) {
  const Tensor z = Tensor::zeros({3, 4});
  using E = std::invalid_argument;
  for (const LossFunction& f : std::vector<LossFunction>{cross_entropy, nll_loss}) {
    EXPECT_TRUE(throws_with<E>(
        [&] {
          f(z, Tensor::from({3}, {0, 4, 1}));
        },
        {"target 4", "row 1", "[0, 4)"}));
    EXPECT_TRUE(throws_with<E>(
        [&] {
          f(z, Tensor::from({3}, {0, 1, -1}));
        },
        {"target -1", "row 2"}));
    EXPECT_TRUE(throws_with<E>(
        [&] {
          f(z, Tensor::from({3}, {1.5f, 1, 1}));
        },
        {"target 1.5", "row 0"}));
    EXPECT_TRUE(throws_with<E>(
        [&] {
          f(z, Tensor::from({3}, {0, std::numeric_limits<float>::quiet_NaN(), 1}));
        },
        {"row 1"}));
  }
  EXPECT_TRUE(throws_with<E>(
      [&] {
        cross_entropy(z, Tensor::from({2}, {0, 1}));
      },
      {"cross_entropy", "[3]", "[2]"}));
  EXPECT_TRUE(throws_with<E>([&] { nll_loss(Tensor::zeros({4}), Tensor::from({1}, {0})); },
                             {"nll_loss", "[4]"}));
}

TEST(LossErrors, ShapeMismatchNamesBothShapes) {
  using E = std::invalid_argument;
  const Tensor a = Tensor::zeros({2, 3}), b = Tensor::zeros({3, 2});
  EXPECT_TRUE(throws_with<E>([&] { mse_loss(a, b); }, {"mse_loss", "[2, 3]", "[3, 2]"}));
  EXPECT_TRUE(throws_with<E>([&] { binary_cross_entropy_with_logits(a, Tensor::zeros({6})); },
                             {"binary_cross_entropy_with_logits", "[2, 3]", "[6]"}));
}

TEST(LossByName, KnownAndUnknownNames) {
  const Tensor y = Tensor::from({2}, {1, 3}), t = Tensor::from({2}, {0, 0});
  EXPECT_FLOAT_EQ(loss_by_name("mse")(y, t).item(), 5.0f);
  EXPECT_FLOAT_EQ(loss_by_name("cross_entropy")(ce_logits(), ce_targets()).item(),
                  cross_entropy(ce_logits(), ce_targets()).item());
  EXPECT_TRUE(loss_is_classification("cross_entropy"));
  EXPECT_TRUE(loss_is_classification("nll"));
  EXPECT_FALSE(loss_is_classification("mse"));
  EXPECT_FALSE(loss_is_classification("binary_cross_entropy"));
  for (const std::string& name : loss_names()) EXPECT_NO_THROW(loss_by_name(name)) << name;
  EXPECT_TRUE(throws_with<SpecError>(
      [] { loss_by_name("hinge"); },
      {"unknown loss 'hinge'", "cross_entropy", "mse", "nll", "binary_cross_entropy"}));
}

}  // namespace test_loss
}  // namespace descent
