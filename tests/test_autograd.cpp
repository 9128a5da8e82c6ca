// Behaviour of the tape (accumulation, reuse, grad mode, errors) and forward values of ops against
// hand-computed numbers. Gradients of each op are checked numerically in test_ops_gradcheck.cpp.
#include <gtest/gtest.h>
#include <pthread.h>

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "descent/autograd/grad_mode.h"
#include "descent/ops/ops.h"

namespace descent {
namespace test_autograd {

void expect_values(const Tensor& t, const std::vector<float>& expected, float tol = 1e-6f) {
  ASSERT_EQ(t.numel(), static_cast<int64_t>(expected.size()));
  for (size_t i = 0; i < expected.size(); ++i)
    EXPECT_NEAR(t.data()[i], expected[i], tol) << "element " << i;
}

// ---------------------------------------------------------------------------------------------
// The tape.

TEST(Autograd, GradientsAccumulateAcrossBackwardCalls) {
  Tensor x = Tensor::from({3}, {1, 2, 3}).requires_grad_();
  Tensor loss = sum(x * x);  // d/dx = 2x
  loss.backward();
  expect_values(x.grad(), {2, 4, 6});
  loss.backward();  // the same graph again: adds, does not overwrite
  expect_values(x.grad(), {4, 8, 12});
  sum(mul_scalar(x, 10.0f)).backward();  // a new graph adds too
  expect_values(x.grad(), {14, 18, 22});
  x.zero_grad();
  expect_values(x.grad(), {0, 0, 0});
  loss.backward();
  expect_values(x.grad(), {2, 4, 6});
}

TEST(Autograd, TensorUsedTwiceGetsBothContributions) {
  Tensor x = Tensor::from({3}, {1, 2, 3}).requires_grad_();
  sum(x + x).backward();  // both operands of one op
  expect_values(x.grad(), {2, 2, 2});

  x.clear_grad();
  sum(x * x).backward();  // d(x^2)/dx = 2x, not x
  expect_values(x.grad(), {2, 4, 6});

  x.clear_grad();
  // Branches that meet later, through a shared intermediate h.
  Tensor h = x * 3.0f;
  Tensor y = sum(h) + sum(h * x) + sum(exp(x));  // 3x + 3x^2 + e^x -> 3 + 6x + e^x
  y.backward();
  expect_values(x.grad(),
                {3 + 6 + std::exp(1.0f), 3 + 12 + std::exp(2.0f), 3 + 18 + std::exp(3.0f)}, 1e-4f);

  Tensor w = Tensor::from({2, 2}, {1, 2, 3, 4}).requires_grad_();
  sum(matmul(w, w)).backward();  // d sum(W W) / dW_ab = (row sum b) + (column sum a)
  // Row sums [3, 7], column sums [4, 6].
  expect_values(w.grad(), {3 + 4, 7 + 4, 3 + 6, 7 + 6});
}

TEST(Autograd, LeafWithoutRequiresGradGetsNothing) {
  Tensor x = Tensor::from({2}, {1, 2}).requires_grad_();
  Tensor c = Tensor::from({2}, {3, 4});
  sum(x * c).backward();
  expect_values(x.grad(), {3, 4});
  EXPECT_FALSE(c.has_grad());
  Tensor d = x.detach();
  EXPECT_FALSE(d.requires_grad());
  EXPECT_FALSE(mul(d, c).requires_grad());
}

TEST(Autograd, NoGradGuardRecordsNothing) {
  Tensor x = Tensor::from({2, 2}, {1, -2, 3, -4}).requires_grad_();
  Tensor w = Tensor::from({3, 2}, {1, 2, 3, 4, 5, 6}).requires_grad_();
  {
    NoGradGuard no_grad;
    EXPECT_FALSE(grad_enabled());
    for (const Tensor& y : {x + x, x * 2.0f, exp(x), relu(x), sum(x), mean(x, 1), max(x, 0),
                            softmax(x), log_softmax(x, 0), matmul(x, x), linear(x, w, Tensor()),
                            reshape(x, {-1}), transpose(x)}) {
      EXPECT_FALSE(y.requires_grad());
      EXPECT_EQ(y.impl()->grad_fn, nullptr);
    }
    { NoGradGuard nested; }
    EXPECT_FALSE(grad_enabled());  // the inner guard restores "off", not "on"
    EXPECT_THROW(sum(x).backward(), std::logic_error);
  }
  EXPECT_TRUE(grad_enabled());
  Tensor y = sum(x * x);
  EXPECT_TRUE(y.requires_grad());
  EXPECT_NE(y.impl()->grad_fn, nullptr);
}

TEST(Autograd, BackwardNeedsOneElement) {
  Tensor x = Tensor::from({2, 3}, {1, 2, 3, 4, 5, 6}).requires_grad_();
  Tensor y = x * 2.0f;
  try {
    y.backward();
    FAIL() << "backward() on a [2, 3] tensor did not throw";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("[2, 3]"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(x.has_grad());
  EXPECT_THROW(sum(y, 1, true).backward(), std::invalid_argument);  // [2, 1]: two elements
  // One element of any rank is fine.
  reshape(sum(y), {1, 1}).backward();
  expect_values(x.grad(), {2, 2, 2, 2, 2, 2});
}

TEST(Autograd, IntermediateGradientsAreNotKept) {
  Tensor x = Tensor::from({2}, {1, 2}).requires_grad_();
  Tensor h = x * 3.0f;
  sum(h).backward();
  EXPECT_FALSE(h.has_grad());  // as PyTorch: only leaves keep .grad
  expect_values(x.grad(), {3, 3});
}

TEST(Autograd, DeepChain) {
  // A long chain must neither overflow the stack in backward() nor when the graph is freed. It
  // runs on a thread with a small stack so that a per-op recursion fails here at any depth worth
  // testing, rather than only past the main thread's 8 MiB.
  Tensor x = Tensor::from({1}, {0.5f}).requires_grad_();
  auto chain = [](void* arg) -> void* {
    Tensor& leaf = *static_cast<Tensor*>(arg);
    Tensor y = leaf;
    for (int i = 0; i < 30000; ++i) y = add_scalar(y, 1e-6f);
    sum(y).backward();
    return nullptr;  // y, and the whole chain with it, is freed here
  };
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 256 * 1024);
  pthread_t thread;
  ASSERT_EQ(pthread_create(&thread, &attr, chain, &x), 0);
  pthread_join(thread, nullptr);
  pthread_attr_destroy(&attr);
  expect_values(x.grad(), {1.0f});
}

TEST(Autograd, IncompatibleBroadcastThrowsNamingBothShapes) {
  const std::vector<std::pair<Shape, Shape>> cases = {
      {{3, 4}, {5}}, {{2, 3}, {3, 2}}, {{2, 1, 3}, {4, 2}}};
  for (const auto& [a_shape, b_shape] : cases) {
    Tensor a = Tensor::zeros(a_shape), b = Tensor::zeros(b_shape);
    for (auto op : {add, sub, mul, div}) {
      try {
        op(a, b);
        ADD_FAILURE() << to_string(a_shape) << " and " << to_string(b_shape) << " broadcast";
      } catch (const std::invalid_argument& e) {
        const std::string msg = e.what();
        EXPECT_NE(msg.find(to_string(a_shape)), std::string::npos) << msg;
        EXPECT_NE(msg.find(to_string(b_shape)), std::string::npos) << msg;
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Forward values.

TEST(Autograd, SoftmaxValues) {
  Tensor p = softmax(Tensor::from({3}, {1, 2, 3}));
  expect_values(p, {0.09003057f, 0.24472847f, 0.66524096f});
  // Along the first axis of [2, 2]: columns.
  Tensor q = softmax(Tensor::from({2, 2}, {0, 5, 0, 5}), 0);
  expect_values(q, {0.5f, 0.5f, 0.5f, 0.5f});
  // Huge logits do not overflow.
  expect_values(softmax(Tensor::from({2}, {1000, 1000})), {0.5f, 0.5f});
}

TEST(Autograd, LogSoftmaxIsStable) {
  Tensor x = Tensor::from({2}, {1000, 0}).requires_grad_();
  Tensor y = log_softmax(x);
  expect_values(y, {0, -1000});
  expect_values(log_softmax(Tensor::from({3}, {1, 2, 3})),
                {-2.40760596f, -1.40760596f, -0.40760596f});
  sum(mul(y, Tensor::from({2}, {1, 0}))).backward();  // d y0 / dx = [1 - p0, -p1] = [0, 0]
  expect_values(x.grad(), {0, 0});
}

TEST(Autograd, ActivationValues) {
  Tensor s = sigmoid(Tensor::from({5}, {-100, -1, 0, 1, 100}));
  for (float v : s.values()) EXPECT_TRUE(std::isfinite(v));
  expect_values(s, {0, 0.26894142f, 0.5f, 0.73105858f, 1});
  EXPECT_GE(s.data()[0], 0.0f);

  Tensor sp = softplus(Tensor::from({4}, {100, 0, -100, 1}));
  expect_values(sp, {100, 0.69314718f, 0, 1.31326169f}, 1e-5f);
  expect_values(softplus(Tensor::from({1}, {1}), 2.0f), {0.5f * std::log1p(std::exp(2.0f))});

  expect_values(relu(Tensor::from({3}, {-1, 0, 2})), {0, 0, 2});
  expect_values(leaky_relu(Tensor::from({2}, {-2, 3})), {-0.02f, 3});
  expect_values(elu(Tensor::from({2}, {-1, 2})), {std::exp(-1.0f) - 1, 2});
  expect_values(tanh(Tensor::from({2}, {0, 1})), {0, 0.76159416f});
  expect_values(abs(Tensor::from({2}, {-1.5f, 2})), {1.5f, 2});
  expect_values(pow(Tensor::from({3}, {4, 2, 0.5f}), 0.5f), {2, 1.41421356f, 0.70710678f});
  expect_values(pow(Tensor::from({2}, {4, 2}), -1.0f), {0.25f, 0.5f});
  expect_values(rdiv_scalar(Tensor::from({2}, {4, -2}), 1.0f), {0.25f, -0.5f});
  expect_values(rsub_scalar(Tensor::from({2}, {4, -2}), 1.0f), {-3, 3});
}

TEST(Autograd, ActivationGradientsAtKinks) {
  // relu and abs take gradient 0 at exactly 0 (PyTorch's convention).
  Tensor x = Tensor::from({3}, {-1, 0, 2}).requires_grad_();
  sum(relu(x)).backward();
  expect_values(x.grad(), {0, 0, 1});
  x.clear_grad();
  sum(abs(x)).backward();
  expect_values(x.grad(), {-1, 0, 1});
  // Saturated sigmoid: a zero gradient, not NaN.
  Tensor z = Tensor::from({2}, {-100, 100}).requires_grad_();
  sum(sigmoid(z)).backward();
  for (float g : z.grad().values()) EXPECT_TRUE(std::isfinite(g));
  expect_values(z.grad(), {0, 0});
}

TEST(Autograd, ReductionValues) {
  Tensor x = Tensor::from({2, 3}, {1, 5, 3, 4, 2, 6});
  expect_values(sum(x), {21});
  expect_values(mean(x), {3.5f});
  expect_values(max(x), {6});
  expect_values(sum(x, 0), {5, 7, 9});
  expect_values(sum(x, -1), {9, 12});
  EXPECT_EQ(sum(x, 1, true).shape(), (Shape{2, 1}));
  expect_values(mean(x, 1), {3, 4});
  expect_values(max(x, 0), {4, 5, 6});
  expect_values(max(x, 1), {5, 6});
  // max sends the gradient to the first maximal element only.
  Tensor t = Tensor::from({4}, {1, 3, 3, 2}).requires_grad_();
  max(t).backward();
  expect_values(t.grad(), {0, 1, 0, 0});
  EXPECT_THROW(sum(x, 2), std::out_of_range);
  EXPECT_THROW(mean(x, -3), std::out_of_range);
}

TEST(Autograd, MatmulLinearAndShapeValues) {
  Tensor a = Tensor::from({2, 3}, {1, 2, 3, 4, 5, 6});
  Tensor b = Tensor::from({3, 2}, {7, 8, 9, 10, 11, 12});
  expect_values(matmul(a, b), {58, 64, 139, 154});
  Tensor w = Tensor::from({2, 3}, {1, 0, -1, 0, 1, 0});
  expect_values(linear(a, w, Tensor::from({2}, {10, 20})), {8, 22, 8, 25});
  expect_values(linear(a, w, Tensor()), {-2, 2, -2, 5});
  expect_values(transpose(a), {1, 4, 2, 5, 3, 6});
  EXPECT_EQ(transpose(a).shape(), (Shape{3, 2}));
  Tensor c = Tensor::from({2, 2, 2}, {0, 1, 2, 3, 4, 5, 6, 7});
  expect_values(transpose(c, 0, 1), {0, 1, 4, 5, 2, 3, 6, 7});
  expect_values(transpose(c, 0, 2), {0, 4, 2, 6, 1, 5, 3, 7});
  EXPECT_EQ(reshape(a, {-1, 2}).shape(), (Shape{3, 2}));
  EXPECT_THROW(reshape(a, {4, -1}), std::invalid_argument);
  EXPECT_THROW(matmul(a, a), std::invalid_argument);
  // Broadcast [2,1,3] + [4,1] -> [2,4,3]: out[i,j,k] = a[i,0,k] + b[j,0].
  Tensor p = Tensor::from({2, 1, 3}, {0, 1, 2, 10, 11, 12});
  Tensor q = Tensor::from({4, 1}, {100, 200, 300, 400});
  Tensor r = p + q;
  EXPECT_EQ(r.shape(), (Shape{2, 4, 3}));
  expect_values(reshape(r, {-1}), {100, 101, 102, 200, 201, 202, 300, 301, 302, 400, 401, 402,
                                   110, 111, 112, 210, 211, 212, 310, 311, 312, 410, 411, 412});
}

}  // namespace test_autograd
}  // namespace descent
