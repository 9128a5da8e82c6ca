// L1/L2 penalties added to the gradients: the value, the gradient against a central finite
// difference of that value, sign(0) = 0, skipped parameters and the argument checks.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "descent/optim/penalty.h"
#include "throws_with.h"

namespace descent {
namespace test_penalty {

using testutil::throws_with;

// A parameter with the given values and a gradient filled with `grad`.
Tensor param(std::vector<float> values, float grad) {
  Tensor t = Tensor::from({static_cast<int64_t>(values.size())}, values);
  t.requires_grad_();
  float* g = t.grad_data();
  for (int64_t i = 0; i < t.numel(); ++i) g[i] = grad;
  return t;
}

TEST(Penalty, ValueAndGradient) {
  Tensor w = param({1.0f, -2.0f, 0.0f, 0.5f}, 0.25f);
  const double value = add_penalty_gradient({w}, 0.1, 0.2);
  // 0.1 * (1 + 2 + 0 + 0.5) + 0.5 * 0.2 * (1 + 4 + 0 + 0.25)
  EXPECT_NEAR(value, 0.35 + 0.525, 1e-7);
  const std::vector<float> g = w.grad().to_vector();
  EXPECT_FLOAT_EQ(g[0], 0.25f + 0.1f + 0.2f);
  EXPECT_FLOAT_EQ(g[1], 0.25f - 0.1f - 0.4f);
  EXPECT_EQ(g[2], 0.25f);  // sign(0) = 0 and l2 * 0 = 0: unchanged
  EXPECT_FLOAT_EQ(g[3], 0.25f + 0.1f + 0.1f);
  EXPECT_EQ(w.to_vector(), (std::vector<float>{1.0f, -2.0f, 0.0f, 0.5f}));  // weights untouched
}

TEST(Penalty, GradientMatchesFiniteDifference) {
  const std::vector<float> w0 = {0.7f, -1.3f, 0.05f, -0.4f, 2.0f, 0.3f};
  const double l1 = 0.03, l2 = 0.11, eps = 1e-3;
  auto penalty_at = [&](std::vector<float> values) {
    Tensor t = param(std::move(values), 0.0f);
    return add_penalty_gradient({t}, l1, l2);
  };
  Tensor w = param(w0, 0.0f);
  add_penalty_gradient({w}, l1, l2);
  const std::vector<float> analytic = w.grad().to_vector();
  for (size_t i = 0; i < w0.size(); ++i) {
    std::vector<float> hi = w0, lo = w0;
    hi[i] = static_cast<float>(w0[i] + eps);
    lo[i] = static_cast<float>(w0[i] - eps);
    const double numeric = (penalty_at(hi) - penalty_at(lo)) / (double(hi[i]) - double(lo[i]));
    EXPECT_NEAR(analytic[i], numeric, 1e-5) << "element " << i;
  }
}

TEST(Penalty, SkipsParametersWithoutGradients) {
  Tensor with = param({3.0f}, 0.0f);
  Tensor without = Tensor::from({2}, {5.0f, -5.0f});
  EXPECT_NEAR(add_penalty_gradient({with, without}, 1.0, 0.0), 3.0, 1e-12);
  EXPECT_FALSE(without.has_grad());
  EXPECT_EQ(with.grad().item(), 1.0f);
}

TEST(Penalty, ZeroStrengthsChangeNothing) {
  Tensor w = param({1.0f, INFINITY}, 0.5f);
  EXPECT_EQ(add_penalty_gradient({w}, 0.0, 0.0), 0.0);
  EXPECT_EQ(w.grad().to_vector(), (std::vector<float>{0.5f, 0.5f}));
  Tensor v = param({-2.0f}, 0.0f);
  EXPECT_NEAR(add_penalty_gradient({v}, 0.0, 0.5), 1.0, 1e-12);  // l2 only
  EXPECT_EQ(v.grad().item(), -1.0f);
}

TEST(Penalty, RejectsNegativeStrengths) {
  Tensor w = param({1.0f}, 0.0f);
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { add_penalty_gradient({w}, -0.5, 0); },
                                                 {"l1", "-0.5"}));
  EXPECT_TRUE(
      throws_with<std::invalid_argument>([&] { add_penalty_gradient({w}, 0, -2); }, {"l2", "-2"}));
  EXPECT_EQ(w.grad().item(), 0.0f);
}

}  // namespace test_penalty
}  // namespace descent
