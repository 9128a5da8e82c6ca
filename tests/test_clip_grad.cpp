// Gradient clipping against PyTorch 1.13's clip_grad_norm_ / clip_grad_value_, recorded by
// scripts/golden/clip_grad.py in tests/golden/clip_grad.json (returned norms and the gradients
// afterwards, to 1e-6 relative), plus grad_norm, first_non_finite_grad and the argument checks.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "descent/optim/clip_grad.h"
#include "throws_with.h"

namespace descent {
namespace test_clip_grad {

using nlohmann::json;
using testutil::throws_with;

constexpr double kRelTol = 1e-6;

const json& golden() {
  static const json doc = [] {
    std::ifstream in(DESCENT_SOURCE_DIR "/tests/golden/clip_grad.json");
    return json::parse(in);
  }();
  return doc;
}

std::vector<float> floats(const json& values) {
  std::vector<float> out;
  for (const auto& v : values) out.push_back(static_cast<float>(v.get<double>()));
  return out;
}

// The file's parameters with their gradients (the one stored as null gets none).
std::vector<NamedTensor> golden_params() {
  std::vector<NamedTensor> out;
  for (const auto& p : golden().at("params")) {
    const Shape shape = p.at("shape").get<Shape>();
    Tensor t = Tensor::from(shape, floats(p.at("values")));
    t.requires_grad_();
    if (!p.at("grad").is_null()) {
      const std::vector<float> g = floats(p.at("grad"));
      std::copy(g.begin(), g.end(), t.grad_data());
    }
    out.push_back({p.at("name").get<std::string>(), t});
  }
  return out;
}

std::vector<Tensor> tensors_of(const std::vector<NamedTensor>& named) {
  std::vector<Tensor> out;
  for (const auto& p : named) out.push_back(p.tensor);
  return out;
}

::testing::AssertionResult close(double a, double b) {
  if (std::abs(a - b) <= kRelTol * std::max(std::abs(b), 1e-3))
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << a << " vs PyTorch " << b << " (diff " << a - b << ")";
}

class ClipGradGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(ClipGradGolden, MatchesPyTorch) {
  const json* found = nullptr;
  for (const auto& c : golden().at("cases"))
    if (c.at("name") == GetParam()) found = &c;
  ASSERT_NE(found, nullptr);
  const json& c = *found;
  std::vector<NamedTensor> params = golden_params();
  const std::vector<Tensor> tensors = tensors_of(params);
  const std::string kind = c.at("kind");
  const double arg = c.at("arg");
  double result = 0;
  if (kind == "norm") {
    const double norm_type = c.at("norm_type").is_string() ? std::numeric_limits<double>::infinity()
                                                           : c.at("norm_type").get<double>();
    result = clip_grad_norm(tensors, arg, norm_type);
  } else if (kind == "value") {
    clip_grad_value(tensors, arg);
  } else {
    ASSERT_EQ(kind, "per_layer");
    result = clip_grad_norm_per_layer(params, arg);
  }
  EXPECT_TRUE(close(result, c.at("result").get<double>())) << "returned norm";
  const json& grads = c.at("grads");
  ASSERT_EQ(grads.size(), params.size());
  for (size_t k = 0; k < params.size(); ++k) {
    const Tensor& t = params[k].tensor;
    if (grads[k].is_null()) {
      EXPECT_FALSE(t.has_grad()) << params[k].name << " gained a gradient";
      continue;
    }
    const std::vector<float> want = floats(grads[k]);
    const std::vector<float> got = t.grad().to_vector();
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < want.size(); ++i)
      EXPECT_TRUE(close(got[i], want[i])) << params[k].name << " element " << i;
  }
}

std::vector<std::string> case_names() {
  std::vector<std::string> names;
  for (const auto& c : golden().at("cases")) names.push_back(c.at("name"));
  return names;
}

INSTANTIATE_TEST_SUITE_P(PyTorch, ClipGradGolden, ::testing::ValuesIn(case_names()),
                         [](const auto& info) { return info.param; });

// A parameter whose gradient holds `grad`.
Tensor with_grad(std::vector<float> grad) {
  Tensor t = Tensor::zeros({static_cast<int64_t>(grad.size())});
  t.requires_grad_();
  std::copy(grad.begin(), grad.end(), t.grad_data());
  return t;
}

TEST(ClipGrad, NoGradientsGiveZeroAndChangeNothing) {
  EXPECT_EQ(clip_grad_norm({}, 1.0), 0.0);
  Tensor bare = Tensor::zeros({3});
  EXPECT_EQ(clip_grad_norm({bare}, 1.0), 0.0);
  EXPECT_FALSE(bare.has_grad());
  EXPECT_EQ(clip_grad_norm_per_layer({{"0.weight", bare}}, 1.0), 0.0);
  EXPECT_EQ(grad_norm({bare}), 0.0);
}

TEST(ClipGrad, NormExactlyAtTheLimitStillScalesByTheEpsilon) {
  // coef = (1 / (5 + 1e-6)) * 5 in float = 0.99999976 < 1; PyTorch 1.13 gives these same floats.
  Tensor a = with_grad({3, 4});
  EXPECT_DOUBLE_EQ(clip_grad_norm({a}, 5.0), 5.0);
  EXPECT_EQ(a.grad().to_vector(), (std::vector<float>{2.9999992847442627f, 3.9999990463256836f}));
}

TEST(ClipGrad, ZeroMaxNormZeroesGradients) {
  Tensor a = with_grad({3, -4});
  EXPECT_DOUBLE_EQ(clip_grad_norm({a}, 0.0), 5.0);
  EXPECT_EQ(a.grad().to_vector(), (std::vector<float>{0, 0}));
}

TEST(ClipGrad, GradNormIsTheGlobalTwoNormAndChangesNothing) {
  Tensor a = with_grad({3, 0}), b = with_grad({4}), bare = Tensor::zeros({2});
  EXPECT_DOUBLE_EQ(grad_norm({a, bare, b}), 5.0);
  EXPECT_EQ(a.grad().to_vector(), (std::vector<float>{3, 0}));
  // Squares accumulate in double: no float overflow for large gradients.
  Tensor big = with_grad({3e30f, 4e30f});
  EXPECT_NEAR(grad_norm({big}) / 5e30, 1.0, 1e-6);
  Tensor inf = with_grad({1, std::numeric_limits<float>::infinity()});
  EXPECT_TRUE(std::isinf(grad_norm({a, inf})));
  Tensor nan = with_grad({std::nanf("")});
  EXPECT_TRUE(std::isnan(grad_norm({a, nan})));
}

TEST(ClipGrad, NanNormPropagatesAsInPyTorch) {
  Tensor a = with_grad({1, 2}), nan = with_grad({std::nanf("")});
  EXPECT_TRUE(std::isnan(clip_grad_norm({a, nan}, 1.0)));
  EXPECT_TRUE(std::isnan(a.grad().to_vector()[0]));
}

TEST(ClipGrad, PerLayerReportsNanButClipsEveryLayer) {
  Tensor w0 = with_grad({std::nanf("")}), w1 = with_grad({30, 40});
  EXPECT_TRUE(std::isnan(clip_grad_norm_per_layer({{"0.weight", w0}, {"1.weight", w1}}, 5.0)));
  EXPECT_NEAR(w1.grad().to_vector()[0], 3.0f, 1e-5);
}

TEST(ClipGrad, PerLayerGroupsByPrefix) {
  // "a.b.weight" and "a.b.bias" share layer "a.b"; "scale" (no dot) is its own layer.
  Tensor w = with_grad({3}), b = with_grad({4}), s = with_grad({10});
  EXPECT_DOUBLE_EQ(clip_grad_norm_per_layer({{"a.b.weight", w}, {"scale", s}, {"a.b.bias", b}}, 1),
                   10.0);
  EXPECT_NEAR(w.grad().item(), 0.6f, 1e-6);
  EXPECT_NEAR(b.grad().item(), 0.8f, 1e-6);
  EXPECT_NEAR(s.grad().item(), 1.0f, 1e-6);
}

TEST(ClipGrad, ValueClippingKeepsNan) {
  Tensor a = with_grad({-2, 0.5, 2, std::nanf("")});
  clip_grad_value({a}, 1.0);
  const std::vector<float> g = a.grad().to_vector();
  EXPECT_EQ(g[0], -1.0f);
  EXPECT_EQ(g[1], 0.5f);
  EXPECT_EQ(g[2], 1.0f);
  EXPECT_TRUE(std::isnan(g[3]));
}

TEST(ClipGrad, FirstNonFiniteGrad) {
  Tensor ok = with_grad({1, 2}), bare = Tensor::zeros({2});
  Tensor inf = with_grad({0, -std::numeric_limits<float>::infinity()});
  Tensor nan = with_grad({std::nanf("")});
  EXPECT_EQ(first_non_finite_grad({{"0.weight", ok}, {"0.bias", bare}}), "");
  EXPECT_EQ(first_non_finite_grad({{"0.weight", ok}, {"0.bias", inf}, {"2.weight", nan}}),
            "0.bias");
  EXPECT_EQ(first_non_finite_grad({{"2.weight", nan}, {"0.bias", inf}}), "2.weight");
  EXPECT_EQ(first_non_finite_grad({}), "");
}

TEST(ClipGrad, RejectsBadArguments) {
  Tensor a = with_grad({1});
  EXPECT_TRUE(
      throws_with<std::invalid_argument>([&] { clip_grad_norm({a}, -1.5); }, {"max_norm", "-1.5"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { clip_grad_norm({a}, 1.0, 0.0); },
                                                 {"norm_type", "0"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { clip_grad_value({a}, -0.25); },
                                                 {"clip_value", "-0.25"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [&] {
        clip_grad_norm_per_layer({{"0.weight", a}}, -2);
      },
      {"max_norm", "-2"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { clip_grad_norm({a}, std::nan("")); },
                                                 {"max_norm", "nan"}));
  EXPECT_EQ(a.grad().item(), 1.0f);  // nothing changed
}

}  // namespace test_clip_grad
}  // namespace descent
