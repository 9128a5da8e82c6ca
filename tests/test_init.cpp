// Weight-initialization policies against PyTorch's torch.nn.init formulas. Statistical checks use
// 153,600 draws, where the sample std is within ~0.2% of the true one (1 sigma), so the 3%
// tolerance below only fails on a wrong formula, never on noise; seeds are fixed regardless.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "descent/nn/init.h"
#include "descent/nn/linear.h"
#include "descent/nn/network_spec.h"
#include "descent/util/random.h"
#include "descent/util/spec.h"

#include "throws_with.h"

namespace descent {
namespace test_init {

using testutil::throws_with;

struct Stats {
  double mean = 0, std = 0, min = 0, max = 0;
};

Stats stats_of(const Tensor& t) {
  Stats s;
  s.min = std::numeric_limits<double>::infinity();
  s.max = -s.min;
  double sum = 0, sq = 0;
  for (float v : t.values()) {
    sum += v;
    s.min = std::min(s.min, static_cast<double>(v));
    s.max = std::max(s.max, static_cast<double>(v));
  }
  const double n = static_cast<double>(t.numel());
  s.mean = sum / n;
  for (float v : t.values()) sq += (v - s.mean) * (v - s.mean);
  s.std = std::sqrt(sq / n);
  return s;
}

// Reads an InitSpec the way a layer SPEC does ("init=kaiming_normal,init_mode=fan_out"), so the
// key plumbing is covered too; finish() proves every argument given was consumed.
InitSpec init_from(const std::string& args_text) {
  const Spec spec = parse_spec("w:" + args_text);
  SpecArgs args("test", spec.args);
  InitSpec s = read_init_spec(args, "init");
  args.finish();
  return s;
}

Tensor init_tensor(const Shape& shape, const InitSpec& spec, uint64_t seed) {
  Generator gen(seed);
  Tensor w = Tensor::empty(shape);
  init_weight(w, spec, gen);
  return w;
}

struct Case {
  std::string args;  // the init keys of a layer SPEC
  double mean;       // expected mean
  double std;        // expected std, from the formula
  double bound;      // U(mean - bound, mean + bound); 0 for normal policies
};

// The expected statistics for a weight of shape [out, in], written out from PyTorch's formulas
// rather than calling calculate_gain, so a wrong gain table is caught. With all_gains, kaiming runs
// through every nonlinearity in both modes; otherwise only with its default (leaky_relu, a = 0,
// gain sqrt(2), as PyTorch's kaiming_*_), which keeps the suite fast.
std::vector<Case> cases_for(int64_t out, int64_t in, bool all_gains) {
  const double fan_in = static_cast<double>(in), fan_out = static_cast<double>(out);
  const double sqrt3 = std::sqrt(3.0);
  auto uniform = [&](std::string args, double bound) {
    return Case{std::move(args), 0.0, bound / sqrt3, bound};
  };
  auto normal = [](std::string args, double std) { return Case{std::move(args), 0.0, std, 0.0}; };
  std::vector<Case> c = {
      uniform("init=default", 1.0 / std::sqrt(fan_in)),
      {"init=uniform", 0.5, 1.0 / std::sqrt(12.0), 0.5},
      {"init=uniform,init_low=-1,init_high=3", 1.0, 4.0 / std::sqrt(12.0), 2.0},
      {"init=normal", 0.0, 1.0, 0.0},
      {"init=normal,init_mean=0.5,init_std=2", 0.5, 2.0, 0.0},
      uniform("init=xavier_uniform", std::sqrt(6.0 / (fan_in + fan_out))),
      uniform("init=xavier_uniform,init_gain=2.5", 2.5 * std::sqrt(6.0 / (fan_in + fan_out))),
      normal("init=xavier_normal", std::sqrt(2.0 / (fan_in + fan_out))),
      normal("init=xavier_normal,init_gain=0.5", 0.5 * std::sqrt(2.0 / (fan_in + fan_out))),
      uniform("init=lecun_uniform", std::sqrt(3.0 / fan_in)),
      normal("init=lecun_normal", 1.0 / std::sqrt(fan_in)),
  };
  struct Gain {
    std::string args;
    double gain;
  };
  std::vector<Gain> gains = {{"", std::sqrt(2.0)}};
  if (all_gains) {
    gains.insert(gains.end(), {{",init_nonlinearity=relu", std::sqrt(2.0)},
                               {",init_nonlinearity=tanh", 5.0 / 3.0},
                               {",init_nonlinearity=linear", 1.0},
                               {",init_nonlinearity=sigmoid", 1.0},
                               {",init_nonlinearity=selu", 0.75},
                               {",init_nonlinearity=leaky_relu,init_a=0.2",
                                std::sqrt(2.0 / (1.0 + 0.2 * 0.2))}});
  }
  for (const char* mode : {"fan_in", "fan_out"}) {
    const double fan = std::string(mode) == "fan_in" ? fan_in : fan_out;
    for (const Gain& g : gains) {
      const std::string tail = ",init_mode=" + std::string(mode) + g.args;
      c.push_back(uniform("init=kaiming_uniform" + tail, g.gain * std::sqrt(3.0 / fan)));
      c.push_back(normal("init=kaiming_normal" + tail, g.gain / std::sqrt(fan)));
    }
  }
  return c;
}

TEST(InitPolicy, StatisticsMatchFormulas) {
  // A tall and a wide weight, so fan_in and fan_out differ both ways round.
  for (const Shape& shape : {Shape{512, 300}, Shape{300, 512}}) {
    uint64_t seed = 1;
    for (const Case& c : cases_for(shape[0], shape[1], shape[0] > shape[1])) {
      SCOPED_TRACE(to_string(shape) + " " + c.args);
      const Tensor w = init_tensor(shape, init_from(c.args), seed++);
      const Stats s = stats_of(w);
      // 5 standard errors of the mean is 0.013 std at this size.
      EXPECT_NEAR(s.mean, c.mean, 0.02 * c.std);
      EXPECT_NEAR(s.std, c.std, 0.03 * c.std);
      if (c.bound > 0) {
        // Inside the bound (up to float rounding of the bound itself) and reaching close to it:
        // the gap to the bound is about 2 bound / n here.
        const double lo = c.mean - c.bound, hi = c.mean + c.bound;
        EXPECT_GE(s.min, static_cast<float>(lo));
        EXPECT_LE(s.max, static_cast<float>(hi));
        EXPECT_LT(s.min, lo + 1e-3 * c.bound);
        EXPECT_GT(s.max, hi - 1e-3 * c.bound);
      } else {
        // Normal: the extremes of 153,600 draws sit near 4.5 std; much more means a heavy tail.
        EXPECT_LT(std::max(-s.min + c.mean, s.max - c.mean), 6.0 * c.std);
        EXPECT_GT(std::max(-s.min + c.mean, s.max - c.mean), 3.5 * c.std);
      }
    }
  }
}

TEST(InitPolicy, KaimingScalesExactlyWithSlopeAndMode) {
  // Same seed, same draws: only the scale differs, so small effects the 3% statistics above
  // cannot resolve (a = 0.2 changes the gain by 1.9%) are checked exactly here.
  const Shape shape{48, 30};
  const std::vector<float> base =
      init_tensor(shape, init_from("init=kaiming_normal"), 3).to_vector();
  const std::vector<std::pair<std::string, double>> cases = {
      {"init=kaiming_normal,init_a=0.2", std::sqrt(1.0 / 1.04)},
      {"init=kaiming_normal,init_mode=fan_out", std::sqrt(30.0 / 48.0)},
      {"init=kaiming_normal,init_nonlinearity=tanh", (5.0 / 3.0) / std::sqrt(2.0)},
      {"init=kaiming_normal,init_nonlinearity=relu,init_a=0.2", 1.0},  // a is leaky_relu's only
  };
  for (const auto& [args, ratio] : cases) {
    SCOPED_TRACE(args);
    const std::vector<float> w = init_tensor(shape, init_from(args), 3).to_vector();
    for (size_t i = 0; i < w.size(); ++i) ASSERT_NEAR(w[i], base[i] * ratio, 1e-6) << i;
  }
}

TEST(InitPolicy, ZerosAndConstant) {
  for (const float v : init_tensor({64, 32}, init_from("init=zeros"), 1).values())
    ASSERT_EQ(v, 0.0f);
  for (const float v :
       init_tensor({64, 32}, init_from("init=constant,init_value=-0.375"), 1).values())
    ASSERT_EQ(v, -0.375f);
  // constant with no value is 0, as torch.nn.init.constant_ has no default but zeros is the
  // only neutral choice.
  for (const float v : init_tensor({4, 4}, init_from("init=constant"), 1).values())
    ASSERT_EQ(v, 0.0f);
}

// max |A - gain^2 I| over the Gram matrix of the shorter side: W W^T when rows <= cols, else
// W^T W.
double orthogonality_error(const Tensor& w, double gain) {
  const int64_t rows = w.size(0), cols = w.size(1);
  const bool by_rows = rows <= cols;
  const int64_t k = by_rows ? rows : cols, n = by_rows ? cols : rows;
  // The k vectors, contiguous and in double, so the O(k^2 n) products stay cheap and exact enough.
  std::vector<double> v(static_cast<size_t>(k * n));
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) v[by_rows ? r * n + c : c * n + r] = w.data()[r * cols + c];
  double worst = 0;
  for (int64_t a = 0; a < k; ++a)
    for (int64_t b = a; b < k; ++b) {
      double dot = 0;
      for (int64_t i = 0; i < n; ++i) dot += v[a * n + i] * v[b * n + i];
      worst = std::max(worst, std::fabs(dot - (a == b ? gain * gain : 0.0)));
    }
  return worst;
}

TEST(InitPolicy, OrthogonalIsOrthogonal) {
  // Tall (orthonormal columns), wide (orthonormal rows) and square, with and without a gain.
  const std::vector<std::pair<Shape, double>> cases = {
      {{512, 300}, 1.0}, {{300, 512}, 2.0}, {{96, 96}, 1.0}, {{96, 96}, 0.5}};
  for (const auto& [shape, gain] : cases) {
    SCOPED_TRACE(to_string(shape) + " gain " + std::to_string(gain));
    const InitSpec spec = init_from("init=orthogonal,init_gain=" + std::to_string(gain));
    EXPECT_EQ(spec.gain, gain);
    EXPECT_LE(orthogonality_error(init_tensor(shape, spec, 7), gain), 1e-4);
  }
}

TEST(InitPolicy, CalculateGainMatchesPyTorch) {
  // torch.nn.init.calculate_gain
  EXPECT_DOUBLE_EQ(calculate_gain("linear", 0), 1.0);
  EXPECT_DOUBLE_EQ(calculate_gain("sigmoid", 0), 1.0);
  EXPECT_DOUBLE_EQ(calculate_gain("tanh", 0), 5.0 / 3.0);
  EXPECT_DOUBLE_EQ(calculate_gain("relu", 0), std::sqrt(2.0));
  EXPECT_DOUBLE_EQ(calculate_gain("selu", 0), 0.75);
  EXPECT_DOUBLE_EQ(calculate_gain("leaky_relu", 0.0), std::sqrt(2.0));
  EXPECT_DOUBLE_EQ(calculate_gain("leaky_relu", 0.2), std::sqrt(2.0 / 1.04));
  EXPECT_DOUBLE_EQ(calculate_gain("leaky_relu", 0.01), std::sqrt(2.0 / 1.0001));
  // a = sqrt(5) is what makes nn.Linear's default bound 1/sqrt(fan_in).
  EXPECT_DOUBLE_EQ(calculate_gain("leaky_relu", std::sqrt(5.0)), std::sqrt(1.0 / 3.0));
  EXPECT_TRUE(throws_with<SpecError>([] { calculate_gain("swish", 0); }, {"swish", "leaky_relu"}));
}

TEST(InitPolicy, DefaultLinearMatchesPyTorch) {
  // nn.Linear(in, out): weight and bias both U(-1/sqrt(in), 1/sqrt(in)).
  const int64_t in = 300, out = 512;
  Generator gen(3);
  Linear layer(in, out, true, gen);
  const double bound = 1.0 / std::sqrt(static_cast<double>(in));
  const Stats w = stats_of(layer.weight);
  EXPECT_NEAR(w.std, bound / std::sqrt(3.0), 0.03 * bound / std::sqrt(3.0));
  EXPECT_NEAR(w.mean, 0.0, 0.02 * bound);
  EXPECT_GE(w.min, -static_cast<float>(bound));
  EXPECT_LE(w.max, static_cast<float>(bound));
  EXPECT_GT(w.max, 0.999 * bound);
  EXPECT_LT(w.min, -0.999 * bound);
  // The bias has only 512 draws: its extremes are within about 1% of the bound.
  ASSERT_EQ(layer.bias.shape(), (Shape{out}));
  const Stats b = stats_of(layer.bias);
  EXPECT_GE(b.min, -static_cast<float>(bound));
  EXPECT_LE(b.max, static_cast<float>(bound));
  EXPECT_GT(b.max, 0.97 * bound);
  EXPECT_LT(b.min, -0.97 * bound);
  EXPECT_NEAR(b.std, bound / std::sqrt(3.0), 0.15 * bound / std::sqrt(3.0));
  EXPECT_TRUE(layer.weight.requires_grad());
  EXPECT_TRUE(layer.bias.requires_grad());
}

TEST(InitPolicy, LayerSpecRoutesWeightAndBiasInit) {
  Generator gen(5);
  auto net =
      build_network({"linear:out=8,init=zeros,bias_init=constant,bias_init_value=0.25"}, 4, gen);
  const auto params = net->named_parameters();
  ASSERT_EQ(params.size(), 2u);
  for (const float v : params[0].tensor.values()) EXPECT_EQ(v, 0.0f);
  for (const float v : params[1].tensor.values()) EXPECT_EQ(v, 0.25f);
  // Only the weight policy changes: the bias keeps nn.Linear's default U(-1/2, 1/2) here.
  auto net2 = build_network({"linear:out=64,init=zeros"}, 4, gen);
  const Stats b = stats_of(net2->named_parameters()[1].tensor);
  EXPECT_GT(b.std, 0.0);
  EXPECT_LE(std::max(-b.min, b.max), 0.5);
}

TEST(InitPolicy, SameSeedSameWeightsDifferentSeedDifferent) {
  for (const char* args :
       {"init=default", "init=normal", "init=kaiming_uniform", "init=orthogonal"}) {
    SCOPED_TRACE(args);
    const InitSpec spec = init_from(args);
    const std::vector<float> a = init_tensor({64, 48}, spec, 42).to_vector();
    const std::vector<float> b = init_tensor({64, 48}, spec, 42).to_vector();
    const std::vector<float> c = init_tensor({64, 48}, spec, 43).to_vector();
    EXPECT_EQ(a, b);
    EXPECT_NE(a, c);
  }
  // Whole networks too, since the layers draw from one generator in order.
  Generator g1(9), g2(9);
  auto n1 = build_network({"linear:out=16", "relu", "linear:out=3"}, 8, g1);
  auto n2 = build_network({"linear:out=16", "relu", "linear:out=3"}, 8, g2);
  const auto p1 = n1->named_parameters(), p2 = n2->named_parameters();
  ASSERT_EQ(p1.size(), p2.size());
  for (size_t i = 0; i < p1.size(); ++i)
    EXPECT_EQ(p1[i].tensor.to_vector(), p2[i].tensor.to_vector()) << p1[i].name;
}

TEST(InitSpecErrors, UnknownPolicyListsValidOnes) {
  EXPECT_TRUE(
      throws_with<SpecError>([] { init_from("init=glorot"); },
                             {"test: init=glorot", "not an initialization policy", "default",
                              "xavier_uniform", "kaiming_normal", "lecun_normal", "orthogonal"}));
}

TEST(InitSpecErrors, BadKaimingArguments) {
  EXPECT_TRUE(throws_with<SpecError>([] { init_from("init=kaiming_uniform,init_mode=bad"); },
                                     {"init_mode=bad", "fan_in or fan_out"}));
  EXPECT_TRUE(
      throws_with<SpecError>([] { init_from("init=kaiming_normal,init_nonlinearity=swish"); },
                             {"swish", "valid", "leaky_relu"}));
  EXPECT_TRUE(throws_with<SpecError>([] { init_from("init=kaiming_normal,init_a=x"); },
                                     {"init_a=x", "number"}));
}

TEST(InitSpecErrors, ArgumentOfAnotherPolicyIsRejected) {
  Generator gen(0);
  // init_std belongs to "normal", not "xavier_uniform": finish() reports it with the valid keys.
  EXPECT_TRUE(throws_with<SpecError>(
      [&] { build_network({"linear:out=4,init=xavier_uniform,init_std=2"}, 3, gen); },
      {"layer 'linear:out=4,init=xavier_uniform,init_std=2'", "unknown key 'init_std'",
       "valid keys", "init_gain", "out", "bias"}));
  EXPECT_TRUE(throws_with<SpecError>([] { init_from("init=zeros,init_gain=2"); },
                                     {"unknown key 'init_gain'"}));
  // A bias is one-dimensional: fan-based policies make no sense for it.
  EXPECT_TRUE(throws_with<SpecError>(
      [&] { build_network({"linear:out=4,bias_init=xavier_uniform"}, 3, gen); },
      {"xavier_uniform", "valid", "zeros"}));
}

}  // namespace test_init
}  // namespace descent
