// The ill-conditioning probe: g'Hg from the R-operator against a full Hessian taken by brute-force
// finite differences of a double-precision re-implementation of the network, the closed form of a
// quadratic model, the difference method against the exact one, the lr at which the monitor flips,
// and that a probe leaves weights, gradients and training flags exactly as it found them.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "descent/autograd/grad_mode.h"
#include "descent/nn/activations.h"
#include "descent/nn/linear.h"
#include "descent/nn/loss.h"
#include "descent/nn/network_spec.h"
#include "descent/nn/sequential.h"
#include "descent/ops/ops.h"
#include "descent/train/curvature.h"
#include "descent/util/random.h"

#include "throws_with.h"

namespace descent {
namespace test_curvature {

using testutil::throws_with;

// ---------------------------------------------------------------------------------------------
// A network described once, built as a descent Sequential and evaluated independently in double.

struct LayerSpec {
  std::string kind;  // linear, tanh, sigmoid, relu, elu, leaky_relu, softplus, log_softmax
  int64_t in = 0, out = 0;
};
using NetSpec = std::vector<LayerSpec>;

constexpr double kEluAlpha = 0.7, kLeakySlope = 0.1, kSoftplusBeta = 2.0;

Sequential build(const NetSpec& spec, uint64_t seed) {
  Generator gen(seed);
  Sequential model;
  for (const LayerSpec& l : spec) {
    if (l.kind == "linear") model.add(std::make_unique<Linear>(l.in, l.out, true, gen));
    if (l.kind == "tanh") model.add(std::make_unique<Tanh>());
    if (l.kind == "sigmoid") model.add(std::make_unique<Sigmoid>());
    if (l.kind == "relu") model.add(std::make_unique<ReLU>());
    if (l.kind == "elu") model.add(std::make_unique<ELU>(kEluAlpha));
    if (l.kind == "leaky_relu") model.add(std::make_unique<LeakyReLU>(kLeakySlope));
    if (l.kind == "softplus") model.add(std::make_unique<Softplus>(kSoftplusBeta));
    if (l.kind == "log_softmax") model.add(std::make_unique<LogSoftmax>());
  }
  return model;
}

std::vector<double> flat_weights(const Module& model) {
  std::vector<double> w;
  for (const Tensor& p : model.parameters())
    for (float v : p.values()) w.push_back(v);
  return w;
}

// The mean loss of the spec'd network with flat weights w (named_parameters order), in double.
double reference_loss(const NetSpec& spec, const std::vector<double>& w, const Tensor& x,
                      const std::string& loss, int64_t num_classes, const Tensor& targets) {
  const int64_t n = x.size(0);
  std::vector<double> h(x.values().begin(), x.values().end());
  int64_t width = x.size(1);
  size_t k = 0;
  for (const LayerSpec& l : spec) {
    if (l.kind == "linear") {
      std::vector<double> y(static_cast<size_t>(n * l.out));
      for (int64_t i = 0; i < n; ++i)
        for (int64_t o = 0; o < l.out; ++o) {
          double s = w[k + l.out * l.in + o];
          for (int64_t j = 0; j < l.in; ++j) s += w[k + o * l.in + j] * h[i * l.in + j];
          y[i * l.out + o] = s;
        }
      k += l.out * l.in + l.out;
      h = y;
      width = l.out;
    } else if (l.kind == "log_softmax") {
      for (int64_t i = 0; i < n; ++i) {
        double s = 0;
        for (int64_t j = 0; j < width; ++j) s += std::exp(h[i * width + j]);
        for (int64_t j = 0; j < width; ++j) h[i * width + j] -= std::log(s);
      }
    } else {
      for (double& v : h) {
        if (l.kind == "tanh") v = std::tanh(v);
        if (l.kind == "sigmoid") v = 1 / (1 + std::exp(-v));
        if (l.kind == "relu") v = v > 0 ? v : 0;
        if (l.kind == "elu") v = v > 0 ? v : kEluAlpha * (std::exp(v) - 1);
        if (l.kind == "leaky_relu") v = v > 0 ? v : kLeakySlope * v;
        if (l.kind == "softplus") v = std::log(1 + std::exp(kSoftplusBeta * v)) / kSoftplusBeta;
      }
    }
  }
  // Targets as rows: one-hot for per-output losses on class indices.
  auto target = [&](int64_t i, int64_t j) {
    if (num_classes > 0) return targets.data()[i] == static_cast<float>(j) ? 1.0 : 0.0;
    return static_cast<double>(targets.data()[i * width + j]);
  };
  double total = 0;
  for (int64_t i = 0; i < n; ++i) {
    const double* row = h.data() + i * width;
    if (loss == "cross_entropy" || loss == "nll") {
      double s = 0;
      for (int64_t j = 0; j < width; ++j) s += std::exp(row[j]);
      const int64_t c = static_cast<int64_t>(targets.data()[i]);
      total -= loss == "nll" ? row[c] : row[c] - std::log(s);
      continue;
    }
    for (int64_t j = 0; j < width; ++j) {
      const double z = row[j], t = target(i, j), d = std::abs(z - t);
      if (loss == "mse")
        total += d * d;
      else if (loss == "huber")
        total += d <= 1 ? 0.5 * d * d : d - 0.5;
      else
        total += std::log(1 + std::exp(z)) - z * t;
    }
  }
  const bool per_row = loss == "cross_entropy" || loss == "nll";
  return total / static_cast<double>(per_row ? n : n * width);
}

struct Reference {
  double grad_sq = 0, g_hess_g = 0;
};

// g by central differences and the full Hessian by the four-point second difference, both of the
// double-precision loss; then g'g and g'Hg.
Reference brute_force(const NetSpec& spec, const Module& model, const Tensor& x,
                      const std::string& loss, int64_t num_classes, const Tensor& targets) {
  std::vector<double> w = flat_weights(model);
  const size_t p = w.size();
  auto f = [&](const std::vector<double>& v) {
    return reference_loss(spec, v, x, loss, num_classes, targets);
  };
  const double h = 1e-4;
  std::vector<double> g(p);
  for (size_t i = 0; i < p; ++i) {
    std::vector<double> a = w, b = w;
    a[i] += h;
    b[i] -= h;
    g[i] = (f(a) - f(b)) / (2 * h);
  }
  std::vector<double> hess(p * p);
  for (size_t i = 0; i < p; ++i)
    for (size_t j = i; j < p; ++j) {
      double s = 0;
      for (int si : {1, -1})
        for (int sj : {1, -1}) {
          std::vector<double> v = w;
          v[i] += si * h;
          v[j] += sj * h;
          s += si * sj * f(v);
        }
      hess[i * p + j] = hess[j * p + i] = s / (4 * h * h);
    }
  Reference r;
  for (size_t i = 0; i < p; ++i) {
    r.grad_sq += g[i] * g[i];
    for (size_t j = 0; j < p; ++j) r.g_hess_g += g[i] * hess[i * p + j] * g[j];
  }
  return r;
}

Tensor uniform(const Shape& shape, uint64_t seed, float low = -1, float high = 1) {
  Generator gen(seed);
  return Tensor::uniform(shape, low, high, gen);
}

Tensor class_targets(int64_t n, int64_t classes, uint64_t seed) {
  Generator gen(seed);
  Tensor t = Tensor::empty({n});
  for (float& v : t.values()) v = static_cast<float>(gen.below(static_cast<uint64_t>(classes)));
  return t;
}

double relative(double a, double b) { return std::fabs(a - b) / std::max(std::fabs(b), 1e-12); }

struct Case {
  const char* name;
  NetSpec spec;
  std::string loss;
  int64_t num_classes;  // > 0: class-index targets
};

std::vector<Case> small_cases() {
  const NetSpec tanh_net = {{"linear", 3, 5}, {"tanh"}, {"linear", 5, 2}};
  const NetSpec relu_softplus = {
      {"linear", 3, 4}, {"relu"}, {"linear", 4, 4}, {"softplus"}, {"linear", 4, 2}};
  const NetSpec others = {{"linear", 3, 4}, {"sigmoid"},    {"linear", 4, 4}, {"elu"},
                          {"linear", 4, 3}, {"leaky_relu"}, {"linear", 3, 3}, {"log_softmax"}};
  return {
      {"tanh/cross_entropy", tanh_net, "cross_entropy", 2},
      {"tanh/mse(regression)", tanh_net, "mse", 0},
      {"tanh/mse(one-hot)", tanh_net, "mse", 2},
      {"relu+softplus/cross_entropy", relu_softplus, "cross_entropy", 2},
      {"relu+softplus/mse", relu_softplus, "mse", 0},
      {"relu+softplus/bce(one-hot)", relu_softplus, "binary_cross_entropy", 2},
      // Targets 4 wide around outputs near 0: some differences inside |d| <= 1, some beyond.
      {"tanh/huber(regression)", tanh_net, "huber", 0},
      {"sigmoid+elu+leaky+log_softmax/nll", others, "nll", 3},
      {"sigmoid+elu+leaky/cross_entropy", NetSpec(others.begin(), others.end() - 1),
       "cross_entropy", 3},
  };
}

Tensor targets_for(const Case& c, int64_t n, uint64_t seed) {
  int64_t outputs = 0;
  for (const LayerSpec& l : c.spec)
    if (l.kind == "linear") outputs = l.out;
  if (c.num_classes > 0) return class_targets(n, c.num_classes, seed);
  if (c.loss == "binary_cross_entropy") return uniform({n, outputs}, seed, 0, 1);
  if (c.loss == "huber") return uniform({n, outputs}, seed, -2, 2);
  return uniform({n, outputs}, seed);
}

// ---------------------------------------------------------------------------------------------

TEST(CurvatureExact, MatchesBruteForceHessian) {
  for (const Case& c : small_cases()) {
    SCOPED_TRACE(c.name);
    Sequential model = build(c.spec, 7);
    const Tensor x = uniform({6, 3}, 11, -2, 2);
    const Tensor t = targets_for(c, 6, 13);
    const Reference ref = brute_force(c.spec, model, x, c.loss, c.num_classes, t);
    const CurvatureProbe p =
        probe_curvature(model, c.loss, c.num_classes, x, t, 0.1, HessianMethod::Exact);
    EXPECT_LT(relative(p.grad_sq, ref.grad_sq), 1e-6) << p.grad_sq << " vs " << ref.grad_sq;
    EXPECT_LT(relative(p.g_hess_g, ref.g_hess_g), 1e-5) << p.g_hess_g << " vs " << ref.g_hess_g;
    EXPECT_GT(p.grad_sq, 0);
  }
}

TEST(CurvatureDifference, AgreesWithExact) {
  for (const Case& c : small_cases()) {
    SCOPED_TRACE(c.name);
    Sequential model = build(c.spec, 7);
    const Tensor x = uniform({6, 3}, 11, -2, 2);
    const Tensor t = targets_for(c, 6, 13);
    const CurvatureProbe e =
        probe_curvature(model, c.loss, c.num_classes, x, t, 0.1, HessianMethod::Exact);
    const CurvatureProbe d =
        probe_curvature(model, c.loss, c.num_classes, x, t, 0.1, HessianMethod::Difference);
    EXPECT_LT(relative(d.grad_sq, e.grad_sq), 1e-5) << d.grad_sq << " vs " << e.grad_sq;
    EXPECT_LT(relative(d.g_hess_g, e.g_hess_g), 1e-3) << d.g_hess_g << " vs " << e.g_hess_g;
  }
}

TEST(CurvatureDifference, AgreesWithExactOnAWiderNetwork) {
  const NetSpec spec = {
      {"linear", 20, 32}, {"tanh"}, {"linear", 32, 32}, {"elu"}, {"linear", 32, 10}};
  Sequential model = build(spec, 3);
  const Tensor x = uniform({64, 20}, 5);
  const Tensor t = class_targets(64, 10, 9);
  for (const char* loss : {"cross_entropy", "mse"}) {
    SCOPED_TRACE(loss);
    const CurvatureProbe e = probe_curvature(model, loss, 10, x, t, 0.1, HessianMethod::Exact);
    const CurvatureProbe d = probe_curvature(model, loss, 10, x, t, 0.1, HessianMethod::Difference);
    EXPECT_LT(relative(d.grad_sq, e.grad_sq), 1e-5) << d.grad_sq << " vs " << e.grad_sq;
    EXPECT_LT(relative(d.g_hess_g, e.g_hess_g), 1e-3) << d.g_hess_g << " vs " << e.g_hess_g;
  }
}

// One Linear layer with mse is quadratic in (W, b): with residuals r_i = W x_i + b - t_i over n
// rows and m outputs, L = sum_i ||r_i||^2 / (n m), so
//   g_W = 2/(n m) sum_i r_i x_i^T,   g_b = 2/(n m) sum_i r_i,
// and moving along g changes output i by u_i = g_W x_i + g_b, which gives
//   g'Hg = d^2/dt^2 L(w + t g) = 2/(n m) sum_i ||u_i||^2.
// The Taylor expansion is then exact: L(w - eps g) = L(w) - eps g'g + 0.5 eps^2 g'Hg.
TEST(CurvatureExact, QuadraticModelClosedForm) {
  const int64_t n = 8, d = 4, m = 3;
  Generator gen(21);
  Sequential model;
  model.add(std::make_unique<Linear>(d, m, true, gen));
  const auto& lin = dynamic_cast<Linear&>(model[0]);
  const Tensor x = uniform({n, d}, 22, -2, 2);
  const Tensor t = uniform({n, m}, 23, -2, 2);

  const double scale = 2.0 / static_cast<double>(n * m);
  std::vector<double> gw(m * d, 0.0), gb(m, 0.0);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t o = 0; o < m; ++o) {
      double r = static_cast<double>(lin.bias.data()[o]) - t.data()[i * m + o];
      for (int64_t j = 0; j < d; ++j)
        r += static_cast<double>(lin.weight.data()[o * d + j]) * x.data()[i * d + j];
      for (int64_t j = 0; j < d; ++j) gw[o * d + j] += scale * r * x.data()[i * d + j];
      gb[o] += scale * r;
    }
  double grad_sq = 0, g_hess_g = 0;
  for (double v : gw) grad_sq += v * v;
  for (double v : gb) grad_sq += v * v;
  for (int64_t i = 0; i < n; ++i)
    for (int64_t o = 0; o < m; ++o) {
      double u = gb[o];
      for (int64_t j = 0; j < d; ++j) u += gw[o * d + j] * x.data()[i * d + j];
      g_hess_g += scale * u * u;
    }

  const CurvatureProbe e = probe_curvature(model, "mse", 0, x, t, 0.3, HessianMethod::Exact);
  EXPECT_LT(relative(e.grad_sq, grad_sq), 1e-12);
  EXPECT_LT(relative(e.g_hess_g, g_hess_g), 1e-12);
  // No truncation error for a quadratic: only float rounding separates the difference method.
  const CurvatureProbe df = probe_curvature(model, "mse", 0, x, t, 0.3, HessianMethod::Difference);
  EXPECT_LT(relative(df.g_hess_g, g_hess_g), 3e-4) << df.g_hess_g << " vs " << g_hess_g;

  // The expansion predicts the loss after an actual gradient step.
  const double eps = 0.3;
  double before, after;
  {
    NoGradGuard no_grad;
    before = mse_loss(model(x), t).item();
    Linear& l = dynamic_cast<Linear&>(model[0]);
    for (int64_t k = 0; k < m * d; ++k) l.weight.data()[k] -= static_cast<float>(eps * gw[k]);
    for (int64_t k = 0; k < m; ++k) l.bias.data()[k] -= static_cast<float>(eps * gb[k]);
    after = mse_loss(model(x), t).item();
  }
  EXPECT_NEAR(after, before - e.first_order + e.second_order, 1e-5 * before);
  EXPECT_DOUBLE_EQ(e.first_order, eps * grad_sq);
  EXPECT_NEAR(e.second_order, 0.5 * eps * eps * g_hess_g, 1e-12 * e.second_order);
}

TEST(CurvatureProbe, IllConditionedFlipsAtTwiceGradSqOverGHessG) {
  const NetSpec spec = {{"linear", 3, 5}, {"tanh"}, {"linear", 5, 2}};
  Sequential model = build(spec, 7);
  const Tensor x = uniform({6, 3}, 11, -2, 2);
  const Tensor t = class_targets(6, 2, 13);
  for (HessianMethod method : {HessianMethod::Exact, HessianMethod::Difference}) {
    SCOPED_TRACE(to_string(method));
    const CurvatureProbe p = probe_curvature(model, "cross_entropy", 2, x, t, 1.0, method);
    ASSERT_GT(p.g_hess_g, 0);
    const double critical = 2 * p.grad_sq / p.g_hess_g;
    const CurvatureProbe below =
        probe_curvature(model, "cross_entropy", 2, x, t, 0.95 * critical, method);
    const CurvatureProbe above =
        probe_curvature(model, "cross_entropy", 2, x, t, 1.05 * critical, method);
    EXPECT_FALSE(below.ill_conditioned);
    EXPECT_LT(below.second_order, below.first_order);
    EXPECT_TRUE(above.ill_conditioned);
    EXPECT_GT(above.second_order, above.first_order);
    EXPECT_DOUBLE_EQ(above.lr, 1.05 * critical);
    EXPECT_DOUBLE_EQ(above.first_order, above.lr * above.grad_sq);
    EXPECT_DOUBLE_EQ(above.second_order, 0.5 * above.lr * above.lr * above.g_hess_g);
  }
}

// Bytes of every parameter's values and gradient (and whether it has one, and where it lives).
struct ParamState {
  std::vector<std::vector<unsigned char>> values, grads;
  std::vector<const float*> grad_buffers;
  bool operator==(const ParamState&) const = default;
};

ParamState state_of(const Module& model) {
  ParamState s;
  for (Tensor p : model.parameters()) {
    const auto* v = reinterpret_cast<const unsigned char*>(p.data());
    s.values.emplace_back(v, v + p.numel() * sizeof(float));
    if (p.has_grad()) {
      const auto* g = reinterpret_cast<const unsigned char*>(p.grad().data());
      s.grads.emplace_back(g, g + p.numel() * sizeof(float));
      s.grad_buffers.push_back(p.grad().data());
    } else {
      s.grads.emplace_back();
      s.grad_buffers.push_back(nullptr);
    }
  }
  return s;
}

TEST(CurvatureProbe, LeavesWeightsGradientsAndModesBitIdentical) {
  const NetSpec spec = {{"linear", 3, 5}, {"relu"}, {"linear", 5, 4}, {"tanh"}, {"linear", 4, 2}};
  Sequential model = build(spec, 7);
  const Tensor x = uniform({6, 3}, 11, -2, 2);
  const Tensor t = class_targets(6, 2, 13);
  // Gradients left over from a step on other data, and one parameter without any.
  cross_entropy(model(uniform({6, 3}, 99)), t).backward();
  model.parameters()[3].clear_grad();
  // Mixed training flags.
  model.set_training(true);
  model[1].set_training(false);

  const ParamState before = state_of(model);
  for (HessianMethod method : {HessianMethod::Difference, HessianMethod::Exact}) {
    for (const char* loss : {"cross_entropy", "mse"}) {
      SCOPED_TRACE(to_string(method) + " " + loss);
      const CurvatureProbe p = probe_curvature(model, loss, 2, x, t, 0.5, method);
      EXPECT_GT(p.g_hess_g, 0);
      EXPECT_TRUE(state_of(model) == before);
      EXPECT_TRUE(model.training());
      EXPECT_FALSE(model[1].training());
      EXPECT_TRUE(model[0].training());
      EXPECT_TRUE(model[2].training());
    }
  }
  // Inside a NoGradGuard the difference method still gets its gradients, and grad mode stays off.
  {
    NoGradGuard no_grad;
    const CurvatureProbe p =
        probe_curvature(model, "cross_entropy", 2, x, t, 0.5, HessianMethod::Difference);
    EXPECT_GT(p.g_hess_g, 0);
    EXPECT_FALSE(grad_enabled());
  }
  EXPECT_TRUE(grad_enabled());
  EXPECT_TRUE(state_of(model) == before);
}

TEST(CurvatureProbe, FrozenParametersAreConstants) {
  const NetSpec spec = {{"linear", 3, 5}, {"tanh"}, {"linear", 5, 2}};
  Sequential model = build(spec, 7);
  dynamic_cast<Linear&>(model[0]).weight.requires_grad_(false);
  const Tensor x = uniform({6, 3}, 11, -2, 2);
  const Tensor t = class_targets(6, 2, 13);
  const CurvatureProbe e =
      probe_curvature(model, "cross_entropy", 2, x, t, 0.1, HessianMethod::Exact);
  const CurvatureProbe d =
      probe_curvature(model, "cross_entropy", 2, x, t, 0.1, HessianMethod::Difference);
  EXPECT_LT(relative(d.grad_sq, e.grad_sq), 1e-5);
  EXPECT_LT(relative(d.g_hess_g, e.g_hess_g), 1e-3);
  // And all parameters frozen: no gradient, nothing to measure.
  for (Tensor p : model.parameters()) p.requires_grad_(false);
  for (HessianMethod method : {HessianMethod::Exact, HessianMethod::Difference}) {
    const CurvatureProbe z = probe_curvature(model, "cross_entropy", 2, x, t, 0.1, method);
    EXPECT_EQ(z.grad_sq, 0);
    EXPECT_EQ(z.g_hess_g, 0);
    EXPECT_FALSE(z.ill_conditioned);
  }
}

TEST(CurvatureExact, NestedSequentialIsFlattened) {
  const NetSpec spec = {{"linear", 3, 5}, {"tanh"}, {"linear", 5, 2}};
  Sequential flat = build(spec, 7);
  Generator gen(7);
  auto inner = std::make_unique<Sequential>();
  inner->add(std::make_unique<Linear>(3, 5, true, gen));
  inner->add(std::make_unique<Tanh>());
  Sequential nested;
  nested.add(std::move(inner));
  nested.add(std::make_unique<Linear>(5, 2, true, gen));
  const Tensor x = uniform({6, 3}, 11, -2, 2);
  const Tensor t = class_targets(6, 2, 13);
  const CurvatureProbe a =
      probe_curvature(flat, "cross_entropy", 2, x, t, 0.1, HessianMethod::Exact);
  const CurvatureProbe b =
      probe_curvature(nested, "cross_entropy", 2, x, t, 0.1, HessianMethod::Exact);
  EXPECT_DOUBLE_EQ(a.g_hess_g, b.g_hess_g);
}

// A layer the exact method does not know: x * 2, differentiable through the tape all the same.
class Doubler : public Module {
 public:
  Tensor forward(const Tensor& x) override { return mul_scalar(x, 2.0f); }
  std::string describe() const override { return "Doubler(2)"; }
};

TEST(CurvatureExact, UnsupportedLayerNamesItAndSuggestsDifference) {
  Generator gen(1);
  Sequential model;
  model.add(std::make_unique<Linear>(3, 4, true, gen));
  model.add(std::make_unique<Doubler>());
  model.add(std::make_unique<Linear>(4, 2, true, gen));
  const Tensor x = uniform({5, 3}, 2);
  const Tensor t = class_targets(5, 2, 3);
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [&] { probe_curvature(model, "cross_entropy", 2, x, t, 0.1, HessianMethod::Exact); },
      {"layer 1", "Doubler(2)", "difference"}));
  const CurvatureProbe p =
      probe_curvature(model, "cross_entropy", 2, x, t, 0.1, HessianMethod::Difference);
  EXPECT_GT(p.grad_sq, 0);
}

TEST(CurvatureProbe, ParsesMethodNamesAndRejectsOthers) {
  EXPECT_EQ(parse_hessian_method("difference"), HessianMethod::Difference);
  EXPECT_EQ(parse_hessian_method("exact"), HessianMethod::Exact);
  EXPECT_EQ(to_string(HessianMethod::Exact), "exact");
  EXPECT_TRUE(throws_with<std::invalid_argument>([] { parse_hessian_method("newton"); },
                                                 {"newton", "difference", "exact"}));
  // Unknown losses and bad targets get the losses' own messages.
  Sequential model = build({{"linear", 3, 2}}, 1);
  const Tensor x = uniform({4, 3}, 2);
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [&] {
        probe_curvature(model, "hinge", 0, x, uniform({4, 2}, 3), 0.1, HessianMethod::Exact);
      },
      {"hinge", "mse"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [&] {
        probe_curvature(model, "cross_entropy", 2, x, Tensor::from({4}, {0, 1, 5, 0}), 0.1,
                        HessianMethod::Exact);
      },
      {"class index"}));
}

}  // namespace test_curvature
}  // namespace descent

namespace descent {
namespace test_curvature {

TEST(CurvatureExact, DropoutIsTheIdentityInTheProbe) {
  // Same initial weights with and without the dropout layer (it draws nothing at construction).
  Generator g1(4), g2(4);
  auto with = build_network({"linear:out=5", "tanh", "dropout:p=0.5", "linear:out=2"}, 3, g1, 1);
  auto without = build_network({"linear:out=5", "tanh", "linear:out=2"}, 3, g2);
  Generator data(8);
  const Tensor x = Tensor::normal({6, 3}, 0, 1, data);
  const Tensor t = Tensor::from({6}, {0, 1, 1, 0, 1, 0});
  with->set_training(true);
  const CurvatureProbe a =
      probe_curvature(*with, "cross_entropy", 2, x, t, 0.1, HessianMethod::Exact);
  const CurvatureProbe b =
      probe_curvature(*without, "cross_entropy", 2, x, t, 0.1, HessianMethod::Exact);
  EXPECT_EQ(a.g_hess_g, b.g_hess_g);
  EXPECT_EQ(a.grad_sq, b.grad_sq);
  EXPECT_TRUE(with->training());
}

}  // namespace test_curvature
}  // namespace descent
