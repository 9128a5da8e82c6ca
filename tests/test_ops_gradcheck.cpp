// Finite-difference checks of every differentiable op's backward rule (see gradcheck.h).
// Inputs are drawn with fixed seeds and kept away from kinks (|x| >= 0.1 where an op has one at 0,
// at least 0.1 apart where max picks a winner), so that eps = 1e-3 never straddles one.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include "descent/autograd/record.h"
#include "descent/ops/ops.h"
#include "descent/util/random.h"
#include "gradcheck.h"

namespace descent {
namespace test_ops_gradcheck {

using testutil::gradcheck;
using testutil::uniform_leaf;
using Fn = testutil::GradcheckFn;
using Inputs = std::vector<Tensor>;

// Uniform in [low, high), requiring grad.
// |x| in [low, high) with a random sign: for ops with a kink or pole at 0.
Tensor nonzero_leaf(const Shape& shape, uint64_t seed, float low = 0.1f, float high = 2.0f) {
  Generator gen(seed);
  Tensor t = Tensor::empty(shape);
  for (float& v : t.values()) {
    const float m = static_cast<float>(low + (high - low) * gen.uniform());
    v = gen.uniform() < 0.5 ? -m : m;
  }
  return t.requires_grad_();
}

// A shuffled ladder of values 0.1 apart (plus jitter below 0.02): no ties for max.
Tensor distinct_leaf(const Shape& shape, uint64_t seed) {
  Generator gen(seed);
  std::vector<int64_t> order(static_cast<size_t>(numel(shape)));
  for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int64_t>(i);
  gen.shuffle(order);
  Tensor t = Tensor::empty(shape);
  for (size_t i = 0; i < order.size(); ++i)
    t.data()[i] = 0.1f * static_cast<float>(order[i] - static_cast<int64_t>(order.size()) / 2) +
                  0.02f * static_cast<float>(gen.uniform());
  return t.requires_grad_();
}

Fn unary(Tensor (*op)(const Tensor&)) {
  return [op](const Inputs& in) { return op(in[0]); };
}

// ---------------------------------------------------------------------------------------------
// The checker itself: it must reject wrong rules, so a passing check below means something.

// y = x * c elementwise, with a backward rule that may be wrong: the derivative is scaled by
// `scale`, and with `reversed` each element takes the derivative meant for its mirror image.
Tensor scaled_op(const Tensor& x, const Tensor& c, float scale, bool reversed) {
  Tensor y = Tensor::empty(x.shape());
  for (int64_t i = 0; i < x.numel(); ++i) y.data()[i] = x.data()[i] * c.data()[i];
  record(y, "scaled_op", {x}, [x, c, scale, reversed](const float* g) {
    float* gx = input_grad(x);
    const int64_t n = x.numel();
    for (int64_t i = 0; i < n; ++i) {
      const int64_t k = reversed ? n - 1 - i : i;
      gx[i] += g[k] * c.data()[k] * scale;
    }
  });
  return y;
}

TEST(GradCheckHelper, AcceptsCorrectRule) {
  Tensor c = Tensor::from({2, 3}, {1, -2, 3, 0.5f, 4, -1});
  EXPECT_TRUE(gradcheck([c](const Inputs& in) { return scaled_op(in[0], c, 1.0f, false); },
                        {uniform_leaf({2, 3}, 1)}));
}

TEST(GradCheckHelper, RejectsWrongRules) {
  Tensor c = Tensor::from({2, 3}, {1, -2, 3, 0.5f, 4, -1});
  Tensor x = uniform_leaf({2, 3}, 1);
  // A derivative 5% off.
  ::testing::AssertionResult r =
      gradcheck([c](const Inputs& in) { return scaled_op(in[0], c, 1.05f, false); }, {x});
  ASSERT_FALSE(r);
  const std::string msg = r.message();
  for (const char* part : {"scaled_op", "input 0", "element 4 [1, 1]", "analytic", "numeric"})
    EXPECT_NE(msg.find(part), std::string::npos) << part << " missing from: " << msg;
  // Gradients sent to the wrong elements: right in total, wrong per component.
  EXPECT_FALSE(gradcheck([c](const Inputs& in) { return scaled_op(in[0], c, 1.0f, true); }, {x}));
  // The second input is checked too.
  Tensor y = uniform_leaf({2, 3}, 2);
  EXPECT_FALSE(gradcheck(
      [c](const Inputs& in) { return add(in[0], scaled_op(in[1], c, 0.9f, false)); }, {x, y}));
}

TEST(GradCheckHelper, RejectsGradientIntoConstantInput) {
  Tensor x = uniform_leaf({3}, 3);
  Tensor k = Tensor::from({3}, {1, 2, 3});  // no requires_grad
  // A rule that writes into k's gradient regardless.
  const Fn leaky = [](const Inputs& in) {
    Tensor y = mul(in[0], in[1]);
    Tensor out = Tensor::empty(y.shape());
    out.copy_from(y);
    Tensor k = in[1];
    record(out, "leaky", {y}, [y, k](const float* g) mutable {
      float* gy = input_grad(y);
      for (int64_t i = 0; i < y.numel(); ++i) gy[i] += g[i];
      k.grad_data()[0] += 1.0f;
    });
    return out;
  };
  ::testing::AssertionResult r = gradcheck(leaky, {x, k});
  ASSERT_FALSE(r);
  EXPECT_NE(std::string(r.message()).find("input 1 does not require grad"), std::string::npos)
      << r.message();
}

// ---------------------------------------------------------------------------------------------
// Elementwise binary ops, same shapes and every broadcasting pattern.

struct ShapePair {
  Shape a, b, out;
};

const std::vector<ShapePair>& broadcast_cases() {
  static const std::vector<ShapePair> cases = {
      {{3, 4}, {3, 4}, {3, 4}},        // same shape
      {{4}, {3, 4}, {3, 4}},           // row
      {{3, 4}, {4}, {3, 4}},           //
      {{3, 1}, {3, 4}, {3, 4}},        // column
      {{3, 4}, {3, 1}, {3, 4}},        //
      {{}, {3, 4}, {3, 4}},            // scalar
      {{3, 4}, {}, {3, 4}},            //
      {{2, 1, 3}, {4, 1}, {2, 4, 3}},  // both stretched
      {{4, 1}, {2, 1, 3}, {2, 4, 3}},  //
  };
  return cases;
}

void check_binary(Tensor (*op)(const Tensor&, const Tensor&), bool nonzero_b) {
  uint64_t seed = 100;
  for (const ShapePair& c : broadcast_cases()) {
    SCOPED_TRACE("a " + to_string(c.a) + ", b " + to_string(c.b));
    Tensor a = uniform_leaf(c.a, ++seed);
    Tensor b = nonzero_b ? nonzero_leaf(c.b, ++seed, 0.5f, 2.0f) : uniform_leaf(c.b, ++seed);
    EXPECT_EQ(op(a, b).shape(), c.out);
    EXPECT_TRUE(gradcheck([op](const Inputs& in) { return op(in[0], in[1]); }, {a, b}));
    // One side constant: the other still gets its gradient.
    Tensor b_const = b.detach();
    EXPECT_TRUE(gradcheck([op](const Inputs& in) { return op(in[0], in[1]); }, {a, b_const}));
  }
  // The same tensor on both sides.
  Tensor x = nonzero_leaf({3, 4}, 7, 0.5f, 2.0f);
  EXPECT_TRUE(gradcheck([op](const Inputs& in) { return op(in[0], in[0]); }, {x}));
}

TEST(GradCheck, Add) { check_binary(add, false); }
TEST(GradCheck, Sub) { check_binary(sub, false); }
TEST(GradCheck, Mul) { check_binary(mul, false); }
TEST(GradCheck, Div) { check_binary(div, true); }

// ---------------------------------------------------------------------------------------------
// Scalar ops and pow.

TEST(GradCheck, AddScalar) {
  Tensor x = uniform_leaf({3, 4}, 1);
  EXPECT_TRUE(gradcheck([](const Inputs& in) { return add_scalar(in[0], 1.5f); }, {x}));
}

TEST(GradCheck, MulScalar) {
  Tensor x = uniform_leaf({3, 4}, 2);
  EXPECT_TRUE(gradcheck([](const Inputs& in) { return mul_scalar(in[0], -2.5f); }, {x}));
}

TEST(GradCheck, RsubScalar) {
  Tensor x = uniform_leaf({3, 4}, 3);
  EXPECT_TRUE(gradcheck([](const Inputs& in) { return rsub_scalar(in[0], 3.0f); }, {x}));
}

TEST(GradCheck, RdivScalar) {
  Tensor x = nonzero_leaf({3, 4}, 4, 0.5f, 2.0f);
  EXPECT_TRUE(gradcheck([](const Inputs& in) { return rdiv_scalar(in[0], 2.0f); }, {x}));
  EXPECT_TRUE(gradcheck([](const Inputs& in) { return rdiv_scalar(in[0], -0.7f); }, {x}));
}

TEST(GradCheck, Pow) {
  Tensor x = uniform_leaf({3, 4}, 5, 0.5f, 2.0f);
  for (float p : {0.5f, 2.0f, 3.0f, -1.0f, 1.0f, 0.0f, -0.5f, 1.5f, -2.0f}) {
    SCOPED_TRACE("exponent " + std::to_string(p));
    EXPECT_TRUE(gradcheck([p](const Inputs& in) { return pow(in[0], p); }, {x}));
  }
}

// ---------------------------------------------------------------------------------------------
// Elementwise math and activations.

TEST(GradCheck, Neg) { EXPECT_TRUE(gradcheck(unary(neg), {uniform_leaf({3, 4}, 10)})); }
TEST(GradCheck, Exp) { EXPECT_TRUE(gradcheck(unary(exp), {uniform_leaf({3, 4}, 11)})); }
TEST(GradCheck, Log) { EXPECT_TRUE(gradcheck(unary(log), {uniform_leaf({3, 4}, 12, 0.2f, 3.0f)})); }
TEST(GradCheck, Sqrt) {
  EXPECT_TRUE(gradcheck(unary(sqrt), {uniform_leaf({3, 4}, 13, 0.2f, 3.0f)}));
}
TEST(GradCheck, Abs) { EXPECT_TRUE(gradcheck(unary(abs), {nonzero_leaf({3, 4}, 14)})); }
TEST(GradCheck, Sin) {
  EXPECT_TRUE(gradcheck(unary(sin), {uniform_leaf({3, 4}, 15, -4.0f, 4.0f)}));
}
TEST(GradCheck, Cos) {
  EXPECT_TRUE(gradcheck(unary(cos), {uniform_leaf({3, 4}, 16, -4.0f, 4.0f)}));
}
TEST(GradCheck, Tanh) {
  EXPECT_TRUE(gradcheck(unary(tanh), {uniform_leaf({3, 4}, 17, -3.0f, 3.0f)}));
}
TEST(GradCheck, Sigmoid) {
  // Both branches of the sign split.
  EXPECT_TRUE(gradcheck(unary(sigmoid), {uniform_leaf({3, 4}, 18, -6.0f, 6.0f)}));
}
TEST(GradCheck, Relu) { EXPECT_TRUE(gradcheck(unary(relu), {nonzero_leaf({3, 4}, 19)})); }

TEST(GradCheck, Elu) {
  Tensor x = nonzero_leaf({3, 4}, 20, 0.1f, 3.0f);
  EXPECT_TRUE(gradcheck([](const Inputs& in) { return elu(in[0]); }, {x}));
  EXPECT_TRUE(gradcheck([](const Inputs& in) { return elu(in[0], 0.3f); }, {x}));
}

TEST(GradCheck, LeakyRelu) {
  Tensor x = nonzero_leaf({3, 4}, 21);
  EXPECT_TRUE(gradcheck([](const Inputs& in) { return leaky_relu(in[0]); }, {x}));
  EXPECT_TRUE(gradcheck([](const Inputs& in) { return leaky_relu(in[0], 0.2f); }, {x}));
}

TEST(GradCheck, Softplus) {
  Tensor x = uniform_leaf({3, 4}, 22, -6.0f, 6.0f);
  EXPECT_TRUE(gradcheck([](const Inputs& in) { return softplus(in[0]); }, {x}));
  // beta = 2, threshold = 5: beta x crosses the threshold at x = 2.5; values on both sides.
  Tensor y = Tensor::from({8}, {-3.0f, -0.4f, 0.3f, 1.7f, 2.4f, 2.6f, 3.1f, 5.0f}).requires_grad_();
  EXPECT_TRUE(gradcheck([](const Inputs& in) { return softplus(in[0], 2.0f, 5.0f); }, {y}));
  // Default threshold region (beta x > 20): the identity.
  Tensor z = uniform_leaf({2, 3}, 23, 21.0f, 30.0f);
  EXPECT_TRUE(gradcheck([](const Inputs& in) { return softplus(in[0]); }, {z}));
}

// ---------------------------------------------------------------------------------------------
// Reductions.

void check_reduction(Tensor (*whole)(const Tensor&), Tensor (*along)(const Tensor&, int64_t, bool),
                     const Tensor& x) {
  EXPECT_EQ(whole(x).shape(), Shape{});
  EXPECT_TRUE(gradcheck([whole](const Inputs& in) { return whole(in[0]); }, {x}));
  const Shape& s = x.shape();
  for (int64_t axis = -3; axis < 3; ++axis)
    for (bool keepdim : {false, true}) {
      SCOPED_TRACE("axis " + std::to_string(axis) + (keepdim ? ", keepdim" : ""));
      const int64_t a = axis < 0 ? axis + 3 : axis;
      Shape expected;
      for (int64_t d = 0; d < 3; ++d)
        if (d != a)
          expected.push_back(s[d]);
        else if (keepdim)
          expected.push_back(1);
      EXPECT_EQ(along(x, axis, keepdim).shape(), expected);
      EXPECT_TRUE(gradcheck(
          [along, axis, keepdim](const Inputs& in) { return along(in[0], axis, keepdim); }, {x}));
    }
}

TEST(GradCheck, Sum) { check_reduction(sum, sum, uniform_leaf({2, 3, 4}, 30)); }
TEST(GradCheck, Mean) { check_reduction(mean, mean, uniform_leaf({2, 3, 4}, 31)); }
TEST(GradCheck, Max) { check_reduction(max, max, distinct_leaf({2, 3, 4}, 32)); }

// ---------------------------------------------------------------------------------------------
// softmax and log_softmax.

TEST(GradCheck, Softmax) {
  Tensor x = uniform_leaf({2, 3, 4}, 40, -3.0f, 3.0f);
  for (int64_t axis : {-1, 1, 0, 2, -2}) {
    SCOPED_TRACE("axis " + std::to_string(axis));
    EXPECT_TRUE(gradcheck([axis](const Inputs& in) { return softmax(in[0], axis); }, {x}));
  }
  EXPECT_TRUE(gradcheck(unary([](const Tensor& v) { return softmax(v); }),
                        {uniform_leaf({5}, 41, -3.0f, 3.0f)}));
}

TEST(GradCheck, LogSoftmax) {
  Tensor x = uniform_leaf({2, 3, 4}, 42, -3.0f, 3.0f);
  for (int64_t axis : {-1, 1, 0, 2, -2}) {
    SCOPED_TRACE("axis " + std::to_string(axis));
    EXPECT_TRUE(gradcheck([axis](const Inputs& in) { return log_softmax(in[0], axis); }, {x}));
  }
  EXPECT_TRUE(gradcheck(unary([](const Tensor& v) { return log_softmax(v); }),
                        {uniform_leaf({5}, 43, -3.0f, 3.0f)}));
}

// ---------------------------------------------------------------------------------------------
// Linear algebra.

TEST(GradCheck, Matmul) {
  const Fn f = [](const Inputs& in) { return matmul(in[0], in[1]); };
  EXPECT_TRUE(gradcheck(f, {uniform_leaf({3, 4}, 50), uniform_leaf({4, 5}, 51)}));
  EXPECT_TRUE(gradcheck(f, {uniform_leaf({1, 4}, 52), uniform_leaf({4, 1}, 53)}));
  EXPECT_TRUE(gradcheck(f, {uniform_leaf({5, 1}, 54), uniform_leaf({1, 3}, 55)}));
  // Only one side differentiable.
  Generator gen(56);
  EXPECT_TRUE(gradcheck(f, {Tensor::uniform({3, 4}, -1, 1, gen), uniform_leaf({4, 2}, 57)}));
  EXPECT_TRUE(gradcheck(f, {uniform_leaf({3, 4}, 58), Tensor::uniform({4, 2}, -1, 1, gen)}));
}

TEST(GradCheck, Linear) {
  const Fn with_bias = [](const Inputs& in) { return linear(in[0], in[1], in[2]); };
  const Fn without_bias = [](const Inputs& in) { return linear(in[0], in[1], Tensor()); };
  Tensor x = uniform_leaf({4, 3}, 60);
  Tensor w = uniform_leaf({5, 3}, 61);
  Tensor b = uniform_leaf({5}, 62);
  EXPECT_TRUE(gradcheck(with_bias, {x, w, b}));
  EXPECT_TRUE(gradcheck(without_bias, {x, w}));
  // A first layer: the input needs no gradient (that GEMM is skipped) and must not get one.
  Tensor data = x.detach();
  EXPECT_TRUE(gradcheck(with_bias, {data, w, b}));
  EXPECT_FALSE(data.has_grad());
  EXPECT_TRUE(w.has_grad());
  EXPECT_TRUE(b.has_grad());
  EXPECT_TRUE(gradcheck(without_bias, {data, w}));
  EXPECT_FALSE(data.has_grad());
  // A frozen weight: only the input and bias.
  EXPECT_TRUE(gradcheck(with_bias, {x, w.detach(), b}));
}

// ---------------------------------------------------------------------------------------------
// Shape ops.

TEST(GradCheck, Reshape) {
  Tensor x = uniform_leaf({2, 3, 4}, 70);
  for (const Shape& s : std::vector<Shape>{{6, -1}, {-1}, {4, -1, 2}, {24, 1}, {2, 12}}) {
    SCOPED_TRACE("to " + to_string(s));
    EXPECT_EQ(reshape(x, s).numel(), 24);
    EXPECT_TRUE(gradcheck([s](const Inputs& in) { return reshape(in[0], s); }, {x}));
  }
  EXPECT_EQ(reshape(x, {4, -1, 2}).shape(), (Shape{4, 3, 2}));
  // Followed by an op that mixes elements, so a misplaced gradient could not hide.
  EXPECT_TRUE(gradcheck([](const Inputs& in) { return softmax(reshape(in[0], {4, -1}), 0); }, {x}));
}

TEST(GradCheck, Transpose) {
  EXPECT_TRUE(
      gradcheck(unary([](const Tensor& v) { return transpose(v); }), {uniform_leaf({3, 4}, 80)}));
  Tensor x = uniform_leaf({2, 3, 4}, 81);
  for (auto dims : std::vector<std::pair<int64_t, int64_t>>{
           {0, 1}, {1, 2}, {0, 2}, {-1, -2}, {-3, 1}, {1, 1}}) {
    const int64_t d0 = dims.first, d1 = dims.second;  // not bindings: clang 14 can't capture them
    SCOPED_TRACE("dims " + std::to_string(d0) + ", " + std::to_string(d1));
    EXPECT_TRUE(gradcheck([d0, d1](const Inputs& in) { return transpose(in[0], d0, d1); }, {x}));
  }
  EXPECT_EQ(transpose(x, 0, 2).shape(), (Shape{4, 3, 2}));
}

// ---------------------------------------------------------------------------------------------
// Operators and composed expressions.

TEST(GradCheck, Operators) {
  Tensor a = uniform_leaf({3, 4}, 90);
  Tensor b = nonzero_leaf({4}, 91, 0.5f, 2.0f);
  const std::vector<std::pair<const char*, Fn>> cases = {
      {"a + b", [](const Inputs& in) { return in[0] + in[1]; }},
      {"a - b", [](const Inputs& in) { return in[0] - in[1]; }},
      {"a * b", [](const Inputs& in) { return in[0] * in[1]; }},
      {"a / b", [](const Inputs& in) { return in[0] / in[1]; }},
      {"-a", [](const Inputs& in) { return -in[0] + in[1]; }},
      {"a + s", [](const Inputs& in) { return in[0] + 2.0f + in[1]; }},
      {"s + a", [](const Inputs& in) { return 2.0f + in[0] * in[1]; }},
      {"a - s", [](const Inputs& in) { return in[0] - 2.0f + in[1]; }},
      {"s - a", [](const Inputs& in) { return 2.0f - in[0] * in[1]; }},
      {"a * s", [](const Inputs& in) { return in[0] * 3.0f + in[1]; }},
      {"s * a", [](const Inputs& in) { return 3.0f * in[0] + in[1]; }},
      {"a / s", [](const Inputs& in) { return in[0] / 4.0f + in[1]; }},
      {"s / b", [](const Inputs& in) { return in[0] + 4.0f / in[1]; }},
  };
  for (const auto& [name, f] : cases) {
    SCOPED_TRACE(name);
    EXPECT_TRUE(gradcheck(f, {a, b}));
  }
}

TEST(GradCheck, MlpWithLogSoftmaxLoss) {
  // 2-layer MLP, tanh hidden layer, mean negative log-likelihood of one-hot targets.
  const int64_t n = 5, in = 3, hidden = 4, classes = 3;
  Tensor target = Tensor::zeros({n, classes});
  for (int64_t r = 0; r < n; ++r) target.data()[r * classes + (r * 2) % classes] = 1.0f;
  const Fn loss = [target](const Inputs& p) {
    Tensor h = tanh(linear(p[0], p[1], p[2]));
    Tensor logp = log_softmax(linear(h, p[3], p[4]), -1);
    return -mean(sum(logp * target, 1));
  };
  Generator gen(100);
  Tensor x = Tensor::normal({n, in}, 0, 1, gen);
  const Inputs params = {uniform_leaf({hidden, in}, 101, -1, 1), uniform_leaf({hidden}, 102, -1, 1),
                         uniform_leaf({classes, hidden}, 103, -1, 1),
                         uniform_leaf({classes}, 104, -1, 1)};
  Inputs all = {x};
  all.insert(all.end(), params.begin(), params.end());
  EXPECT_TRUE(gradcheck(loss, all));
  all[0] = x.detach().requires_grad_();  // also through to the input
  EXPECT_TRUE(gradcheck(loss, all));
}

TEST(GradCheck, ComposedExpression) {
  // Broadcasting, reductions, matmul and transpose feeding each other; p[0] and p[2] used twice.
  const Fn f = [](const Inputs& p) {
    Tensor z = matmul(p[0], transpose(p[1])) * sigmoid(p[2]);  // [3,5] * [5]
    Tensor u = softplus(z) / (1.0f + exp(-abs(p[2])));         // [3,5] / [5]
    return sum(u, 0) + mean(sqrt(p[0] * p[0] + 1.0f));         // [5] + []
  };
  EXPECT_TRUE(gradcheck(f, {uniform_leaf({3, 4}, 110, -1, 1), uniform_leaf({5, 4}, 111, -1, 1),
                            nonzero_leaf({5}, 112, 0.2f, 1.5f)}));
}

}  // namespace test_ops_gradcheck
}  // namespace descent
