// Finite-difference checks (gradcheck.h) of what autoencoders add to the tape: the KL term of the
// VAE, the sparsity penalties, the contractive penalty through a one-layer encoder, tied weights,
// and the whole VAE loss through the reparameterization z = mu + exp(logvar / 2) eps. Inputs are
// drawn with fixed seeds and kept away from kinks (|h| >= 0.1 for l1) and from the edges of
// (0, 1) where the KL sparsity penalty has poles.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "descent/nn/autoencoder_penalties.h"
#include "descent/nn/autoencoder_spec.h"
#include "descent/nn/loss.h"
#include "descent/nn/tied_linear.h"
#include "descent/ops/ops.h"
#include "descent/train/objectives/autoencoder.h"
#include "descent/train/objectives/variational.h"
#include "gradcheck.h"

namespace descent {
namespace test_autoencoder_gradcheck {

using testutil::gradcheck;
using Fn = testutil::GradcheckFn;
using Inputs = std::vector<Tensor>;

Tensor uniform_leaf(const Shape& shape, uint64_t seed, float low = -1.0f, float high = 1.0f) {
  Generator gen(seed);
  return Tensor::uniform(shape, low, high, gen).requires_grad_();
}

Tensor uniform_data(const Shape& shape, uint64_t seed, float low = 0.0f, float high = 1.0f) {
  Generator gen(seed);
  return Tensor::uniform(shape, low, high, gen);
}

TEST(AutoencoderGradCheck, GaussianKl) {
  const Fn f = [](const Inputs& in) { return gaussian_kl(in[0], in[1]); };
  EXPECT_TRUE(gradcheck(f, {uniform_leaf({5, 3}, 1, -1.5f, 1.5f), uniform_leaf({5, 3}, 2)}));
  // The closed form against its definition per unit, at one point: mu = 1, logvar = 0 gives 1/2.
  const Tensor kl = gaussian_kl(Tensor::from({1, 2}, {1.0f, 0.0f}), Tensor::from({1, 2}, {0, 0}));
  EXPECT_NEAR(kl.item(), 0.5, 1e-7);
}

TEST(AutoencoderGradCheck, L1Sparsity) {
  Tensor h = uniform_leaf({6, 4}, 3, 0.1f, 1.0f);
  Generator signs(4);
  for (float& v : h.values()) v = signs.uniform() < 0.5 ? -v : v;  // |h| >= 0.1: off the kink
  EXPECT_TRUE(gradcheck([](const Inputs& in) { return l1_sparsity(in[0]); }, {h}));
}

TEST(AutoencoderGradCheck, KlSparsity) {
  // Sigmoid codes: every unit's batch mean r_j stays well inside (0, 1).
  const Fn f = [](const Inputs& in) { return kl_sparsity(in[0], 0.1f); };
  EXPECT_TRUE(gradcheck(f, {uniform_leaf({6, 4}, 5, 0.1f, 0.9f)}));
  // And through the sigmoid that makes such codes, with rho far from and near the means.
  const Fn through = [](const Inputs& in) { return kl_sparsity(sigmoid(in[0]), 0.4f); };
  EXPECT_TRUE(gradcheck(through, {uniform_leaf({6, 4}, 6, -2.0f, 2.0f)}));
}

// ||dh/dx||_F^2 per example, averaged, by central differences of the encoder h = s(x W^T + b):
// the value the closed form must equal.
double jacobian_norm_by_differences(const Tensor& x, const Tensor& w, const Tensor& b,
                                    Tensor (*s)(const Tensor&)) {
  NoGradGuard no_grad;
  const int64_t n = x.size(0), in = x.size(1);
  const double eps = 1e-3;
  double total = 0;
  for (int64_t i = 0; i < n; ++i)
    for (int64_t k = 0; k < in; ++k) {
      Tensor hi = x.detach().clone(), lo = x.detach().clone();
      hi.data()[i * in + k] += static_cast<float>(eps);
      lo.data()[i * in + k] -= static_cast<float>(eps);
      const Tensor dh = s(linear(hi, w, b)) - s(linear(lo, w, b));
      const int64_t units = dh.size(1);
      for (int64_t j = 0; j < units; ++j) {
        const double d = dh.data()[i * units + j] / (2 * eps);
        total += d * d;
      }
    }
  return total / static_cast<double>(n);
}

void check_contractive(const std::string& activation, Tensor (*s)(const Tensor&), uint64_t seed) {
  SCOPED_TRACE(activation);
  const Tensor x = uniform_data({5, 4}, seed);
  Tensor w = uniform_leaf({3, 4}, seed + 1);
  Tensor b = uniform_leaf({3}, seed + 2);
  // Through the encoder: the penalty depends on W directly and through the codes.
  const Fn f = [x, s, activation](const Inputs& in) {
    return contractive_penalty(s(linear(x, in[0], in[1])), in[0], activation);
  };
  EXPECT_TRUE(gradcheck(f, {w, b}));
  // The code and the weight as separate inputs: each path's rule on its own.
  const Fn parts = [activation](const Inputs& in) {
    return contractive_penalty(in[0], in[1], activation);
  };
  EXPECT_TRUE(gradcheck(parts, {uniform_leaf({5, 3}, seed + 3, -0.9f, 0.9f), w}));
  // The closed form is the Jacobian's squared Frobenius norm.
  NoGradGuard no_grad;
  const double closed = contractive_penalty(s(linear(x, w, b)), w, activation).item();
  EXPECT_NEAR(closed, jacobian_norm_by_differences(x, w, b, s), 1e-4 * std::abs(closed));
}

TEST(AutoencoderGradCheck, ContractivePenaltySigmoid) { check_contractive("sigmoid", sigmoid, 10); }
TEST(AutoencoderGradCheck, ContractivePenaltyTanh) { check_contractive("tanh", tanh, 20); }

TEST(AutoencoderGradCheck, TiedLinearWeightGradientReachesTheEncoder) {
  Generator gen(30);
  Linear encoder(4, 3, true, gen);
  TiedLinear decoder(encoder, true, gen);
  Tensor bias = decoder.named_parameters("")[0].tensor;
  const Tensor x = uniform_data({5, 4}, 31);
  // x -> tanh(encoder) -> tied decoder: the encoder's weight is used twice.
  const Fn f = [&](const Inputs&) { return decoder.forward(tanh(encoder.forward(x))); };
  EXPECT_TRUE(gradcheck(f, {encoder.weight, encoder.bias, bias}));

  // The tied gradient is the sum of the encoder's and an untied decoder's (transposed): the same
  // network with a separate copy W2 = W^T as the decoder's Linear weight ([in, out] of W).
  Tensor w = encoder.weight.detach().clone().requires_grad_();
  Tensor w2 = transpose(encoder.weight.detach()).clone().requires_grad_();
  sum(linear(tanh(linear(x, w, encoder.bias.detach())), w2, bias.detach())).backward();
  encoder.weight.clear_grad();
  sum(decoder.forward(tanh(encoder.forward(x)))).backward();
  const Tensor tied = encoder.weight.grad();
  const Tensor untied = w.grad() + transpose(w2.grad());
  for (int64_t i = 0; i < tied.numel(); ++i)
    EXPECT_NEAR(tied.data()[i], untied.data()[i], 1e-5) << "element " << i;
}

TEST(AutoencoderGradCheck, TiedAutoencoderFromTheBuilder) {
  Generator gen(40);
  auto model = build_autoencoder(
      {{"linear:out=5", "tanh", "linear"}, {"linear", "tanh", "linear"}, 3, true}, 6, gen);
  const Tensor x = uniform_data({4, 6}, 41);
  Inputs params;
  for (const auto& p : model->named_parameters()) params.push_back(p.tensor);
  ASSERT_EQ(params.size(), 6u);  // two encoder layers (weight, bias), two decoder biases
  const Fn f = [&](const Inputs&) { return mse_loss(model->forward(x), x); };
  EXPECT_TRUE(gradcheck(f, params));
}

// The whole VAE loss, reconstruction + beta_t KL, with eps fixed so that it is a function of the
// parameters alone; gradients pass through z = mu + exp(logvar / 2) eps to both heads.
void check_vae(const std::string& reconstruction, double beta, int64_t warmup, uint64_t seed) {
  SCOPED_TRACE(reconstruction);
  Generator gen(seed);
  auto model = build_variational_autoencoder(
      {{"linear:out=5", "tanh"}, {"linear:out=5", "tanh", "linear"}, 2, false}, 6, gen);
  VariationalObjective objective(*model, {reconstruction, beta, warmup}, 0);
  objective.set_epoch(1);
  const Tensor eps = uniform_data({4, 2}, seed + 1, -1.5f, 1.5f);
  int draws = 0;
  objective.set_eps_source([&](const Shape& shape) {
    ++draws;
    EXPECT_EQ(shape, eps.shape());
    return eps;
  });
  const Batch batch{uniform_data({4, 6}, seed + 2), Tensor()};
  Inputs params;
  for (const auto& p : model->named_parameters()) params.push_back(p.tensor);
  ASSERT_EQ(params.size(), 10u);  // encoder, mu, logvar, two decoder layers: weight and bias
  const Fn f = [&](const Inputs&) { return objective.compute(batch).loss; };
  EXPECT_TRUE(gradcheck(f, params, 1e-3, 2e-3, 1e-2));
  EXPECT_GT(draws, 0);
  for (const Tensor& p : params) EXPECT_TRUE(p.has_grad());
}

TEST(AutoencoderGradCheck, VaeLossThroughTheReparameterization) {
  check_vae("binary_cross_entropy", 0.5, 2, 50);
  check_vae("mse", 1.0, 0, 60);
}

// The autoencoder objective with every penalty at once: l1 sparsity and the contractive term on a
// one-layer tanh encoder, the gradient of their weighted sum.
TEST(AutoencoderGradCheck, AutoencoderObjectiveWithPenalties) {
  Generator gen(70);
  auto model = build_autoencoder({{"linear", "tanh"}, {"linear"}, 3, false}, 5, gen);
  AutoencoderOptions options;
  options.sparsity = "l1";
  options.sparsity_weight = 0.3;
  options.contractive_weight = 0.2;
  options.code_activation = "tanh";
  AutoencoderObjective objective(*model, options, 0);
  const Batch batch{uniform_data({4, 5}, 71), Tensor()};
  Inputs params;
  for (const auto& p : model->named_parameters()) params.push_back(p.tensor);
  const Fn f = [&](const Inputs&) { return objective.compute(batch).loss; };
  EXPECT_TRUE(gradcheck(f, params));
}

}  // namespace test_autoencoder_gradcheck
}  // namespace descent
