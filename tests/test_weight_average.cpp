// WeightAverage (EMA of the weights): the update rule by hand and against PyTorch 1.13's
// AveragedModel (tests/golden/weight_average.json, written by scripts/golden/weight_average.py),
// swap(), the checkpoint round trip and the error messages.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "descent/optim/weight_average.h"
#include "throws_with.h"

namespace descent {
namespace test_weight_average {

using nlohmann::json;
using testutil::throws_with;

void set(Tensor t, const std::vector<float>& v) { std::copy(v.begin(), v.end(), t.data()); }

std::vector<NamedTensor> two_params() {
  return {{"0.weight", Tensor::from({2, 2}, {1, 2, 3, 4})}, {"0.bias", Tensor::from({2}, {5, 6})}};
}

TEST(WeightAverage, FirstUpdateCopiesThenMovesTowardsTheParameters) {
  auto params = two_params();
  WeightAverage ema(params, 0.75);
  EXPECT_EQ(ema.num_updates(), 0);
  // Before any update: the values at construction, in storage of its own.
  set(params[1].tensor, {-1, -2});
  EXPECT_EQ(ema.averaged()[1].tensor.to_vector(), (std::vector<float>{5, 6}));
  EXPECT_EQ(ema.averaged()[1].name, "0.bias");

  ema.update();  // copies
  EXPECT_EQ(ema.num_updates(), 1);
  EXPECT_EQ(ema.averaged()[0].tensor.to_vector(), (std::vector<float>{1, 2, 3, 4}));
  EXPECT_EQ(ema.averaged()[1].tensor.to_vector(), (std::vector<float>{-1, -2}));

  set(params[0].tensor, {5, 6, 7, 8});
  set(params[1].tensor, {3, 2});
  ema.update();  // 0.75 * avg + 0.25 * param
  EXPECT_EQ(ema.averaged()[0].tensor.to_vector(), (std::vector<float>{2, 3, 4, 5}));
  EXPECT_EQ(ema.averaged()[1].tensor.to_vector(), (std::vector<float>{0, -1}));

  set(params[0].tensor, {2, 3, 4, 13});
  ema.update();
  EXPECT_EQ(ema.averaged()[0].tensor.to_vector(), (std::vector<float>{2, 3, 4, 7}));
  EXPECT_EQ(ema.num_updates(), 3);
}

TEST(WeightAverage, ZeroDecayFollowsTheParameters) {
  auto params = two_params();
  WeightAverage ema(params, 0.0);
  ema.update();
  set(params[0].tensor, {0.1f, 0.2f, 0.3f, 0.4f});
  ema.update();
  // avg + (p - avg) * 1 in float: p up to the rounding of p - avg, as in PyTorch.
  for (int i = 0; i < 4; ++i)
    EXPECT_NEAR(ema.averaged()[0].tensor.data()[i], params[0].tensor.data()[i], 1e-6) << i;
}

TEST(WeightAverage, MatchesPyTorchAveragedModel) {
  std::ifstream in(DESCENT_SOURCE_DIR "/tests/golden/weight_average.json");
  const json doc = json::parse(in);
  for (const auto& c : doc.at("cases")) {
    std::vector<NamedTensor> params;
    for (const auto& p : doc.at("params"))
      params.push_back({p.at("name"), Tensor::zeros(p.at("shape").get<Shape>())});
    WeightAverage ema(params, c.at("decay").get<double>());
    int step = 0;
    for (const auto& s : c.at("steps")) {
      for (size_t k = 0; k < params.size(); ++k) {
        std::vector<float> v;
        for (const auto& x : s.at("params")[k]) v.push_back(static_cast<float>(x.get<double>()));
        set(params[k].tensor, v);
      }
      ema.update();
      const auto avg = ema.averaged();
      for (size_t k = 0; k < params.size(); ++k) {
        const auto& want = s.at("averaged")[k];
        for (size_t i = 0; i < want.size(); ++i) {
          const double b = static_cast<float>(want[i].get<double>());
          const double a = avg[k].tensor.data()[i];
          EXPECT_LE(std::abs(a - b), 1e-6 * std::max(std::abs(b), 1e-3))
              << c.at("name") << " step " << step << " " << params[k].name << "[" << i << "]: " << a
              << " vs PyTorch " << b;
        }
      }
      ++step;
    }
  }
}

TEST(WeightAverage, SwapExchangesAndSwappingTwiceIsIdentity) {
  auto params = two_params();
  WeightAverage ema(params, 0.5);
  ema.update();
  set(params[0].tensor, {9, 9, 9, 9});
  ema.update();  // average {5, 5.5, 6, 6.5}
  const Tensor live = params[0].tensor;
  const float* before = live.data();
  ema.swap();
  EXPECT_EQ(live.to_vector(), (std::vector<float>{5, 5.5, 6, 6.5}));
  EXPECT_EQ(ema.averaged()[0].tensor.to_vector(), (std::vector<float>{9, 9, 9, 9}));
  EXPECT_EQ(live.data(), before);  // in place: the model's tensors keep their storage
  ema.swap();
  EXPECT_EQ(live.to_vector(), (std::vector<float>{9, 9, 9, 9}));
  EXPECT_EQ(ema.averaged()[0].tensor.to_vector(), (std::vector<float>{5, 5.5, 6, 6.5}));
  EXPECT_EQ(params[1].tensor.to_vector(), (std::vector<float>{5, 6}));
}

TEST(WeightAverage, SaveLoadRoundTrip) {
  auto params = two_params();
  WeightAverage a(params, 0.9);
  for (int i = 0; i < 3; ++i) {
    set(params[1].tensor, {static_cast<float>(i), 1.5f * i});
    a.update();
  }
  const json meta = a.meta();
  EXPECT_EQ(meta.at("num_updates").get<int64_t>(), 3);
  EXPECT_DOUBLE_EQ(meta.at("decay").get<double>(), 0.9);
  const std::vector<NamedTensor> saved = a.state_tensors();
  ASSERT_EQ(saved.size(), 2u);
  EXPECT_EQ(saved[0].name, "ema.0.weight");
  EXPECT_EQ(saved[1].name, "ema.0.bias");

  auto other = two_params();
  WeightAverage b(other, 0.9);
  // As read back from a file: copies. Unrelated tensors (the model's, the optimizer's) are ignored.
  std::vector<NamedTensor> checkpoint;
  for (const auto& t : saved) checkpoint.push_back({t.name, t.tensor.clone()});
  checkpoint.push_back({"state.0.exp_avg", Tensor::zeros({7})});
  b.load_state(json::parse(meta.dump()), checkpoint);
  EXPECT_EQ(b.num_updates(), 3);
  for (size_t k = 0; k < 2; ++k)
    EXPECT_EQ(b.averaged()[k].tensor.to_vector(), a.averaged()[k].tensor.to_vector());
  // Copied, not aliased; and the next update continues identically.
  set(checkpoint[1].tensor, {100, 100});
  set(params[1].tensor, {4, 4});
  set(other[1].tensor, {4, 4});
  a.update();
  b.update();
  EXPECT_EQ(b.averaged()[1].tensor.to_vector(), a.averaged()[1].tensor.to_vector());
}

TEST(WeightAverage, Errors) {
  EXPECT_TRUE(
      throws_with<std::invalid_argument>([] { WeightAverage(two_params(), 1.0); }, {"decay", "1"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([] { WeightAverage(two_params(), -0.5); },
                                                 {"decay", "-0.5"}));
  WeightAverage ema(two_params(), 0.9);
  const json meta = {{"decay", 0.9}, {"num_updates", 4}};
  const Tensor w = Tensor::zeros({2, 2}), b = Tensor::zeros({2});
  EXPECT_TRUE(throws_with<std::runtime_error>(
      [&] {
        ema.load_state(meta, {{"ema.0.weight", w}});
      },
      {"missing", "ema.0.bias"}));
  EXPECT_TRUE(throws_with<std::runtime_error>(
      [&] {
        ema.load_state(meta, {{"ema.0.weight", Tensor::zeros({4})}, {"ema.0.bias", b}});
      },
      {"ema.0.weight", "[4]", "[2, 2]"}));
  EXPECT_TRUE(throws_with<std::runtime_error>(
      [&] {
        ema.load_state(meta, {{"ema.0.weight", w}, {"ema.0.bias", b}, {"ema.1.weight", b}});
      },
      {"unexpected", "ema.1.weight"}));
  EXPECT_TRUE(throws_with<std::runtime_error>(
      [&] {
        ema.load_state({{"decay", 0.9}}, {{"ema.0.weight", w}, {"ema.0.bias", b}});
      },
      {"num_updates"}));
  EXPECT_EQ(ema.num_updates(), 0);  // a failed load changes nothing
  EXPECT_EQ(ema.averaged()[0].tensor.to_vector(), (std::vector<float>{1, 2, 3, 4}));
}

}  // namespace test_weight_average
}  // namespace descent
