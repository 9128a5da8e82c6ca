// Losses against PyTorch 1.13 (tests/golden/losses.json and loss_options.json, written by
// scripts/golden/losses.py): L1, smooth L1 and Huber on differences on both sides of every kink;
// every loss's options as train.loss takes them; and the losses by name.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include <nlohmann/json.hpp>

#include "descent/nn/loss.h"
#include "descent/nn/loss_table.h"
#include "descent/util/spec.h"

namespace descent {
namespace test_loss_golden {

using nlohmann::json;

std::vector<float> floats(const json& j) {
  std::vector<float> out;
  for (const json& v : j) out.push_back(static_cast<float>(v.get<double>()));
  return out;
}

Tensor call(const Spec& spec, const Tensor& y, const Tensor& t) {
  if (spec.name == "l1") return l1_loss(y, t);
  const double arg = spec.args.empty() ? 1.0 : std::stod(spec.args.begin()->second);
  if (spec.name == "smooth_l1") return smooth_l1_loss(y, t, arg);
  return huber_loss(y, t, arg);
}

TEST(LossGolden, L1SmoothL1AndHuberMatchPyTorch) {
  std::ifstream in(DESCENT_SOURCE_DIR "/tests/golden/losses.json");
  ASSERT_TRUE(in) << "tests/golden/losses.json (scripts/golden/losses.py writes it)";
  const json doc = json::parse(in);
  std::vector<int64_t> shape = doc["shape"].get<std::vector<int64_t>>();
  const std::vector<float> prediction = floats(doc["prediction"]), target = floats(doc["target"]);
  ASSERT_EQ(doc["cases"].size(), 6u);
  for (const json& c : doc["cases"]) {
    SCOPED_TRACE(c["name"].get<std::string>());
    Tensor y = Tensor::from(shape, prediction).requires_grad_();
    const Tensor t = Tensor::from(shape, target);
    Tensor loss = call(parse_spec(c["call"].get<std::string>()), y, t);
    const double want = c["value"].get<double>();
    EXPECT_NEAR(loss.item(), want, 1e-6 * (1 + std::abs(want)));
    loss.backward();
    const std::vector<float> grad = floats(c["grad"]);
    for (size_t i = 0; i < grad.size(); ++i)
      EXPECT_NEAR(y.grad_data()[i], grad[i], 1e-7) << "element " << i;
  }
}

// Every loss with options, as train.loss takes them (tests/golden/loss_options.json): the value
// and the gradient with respect to the model's output, relative 1e-5 (a float's few last bits on
// sums of 20 terms). The "direct" cases call KLDivLoss on log-probabilities, as F.kl_div.
TEST(LossGolden, OptionsMatchPyTorch) {
  std::ifstream in(DESCENT_SOURCE_DIR "/tests/golden/loss_options.json");
  ASSERT_TRUE(in) << "tests/golden/loss_options.json (scripts/golden/losses.py writes it)";
  const json doc = json::parse(in);
  const std::vector<int64_t> shape = doc["shape"].get<std::vector<int64_t>>();
  ASSERT_EQ(doc["cases"].size(), 32u);
  const auto near = [](double got, double want) {
    return std::abs(got - want) <= 1e-5 * std::abs(want) + 1e-7;
  };
  for (const json& c : doc["cases"]) {
    SCOPED_TRACE(c["name"].get<std::string>());
    const std::string target_name = c["target"].get<std::string>();
    Tensor y =
        Tensor::from(shape, floats(doc["inputs"][c["input"].get<std::string>()])).requires_grad_();
    const std::vector<float> target = floats(doc["targets"][target_name]);
    const Tensor t =
        target_name == "classes" ? Tensor::from({shape[0]}, target) : Tensor::from(shape, target);
    const LossSpec spec = parse_loss(c["call"].get<std::string>());
    Tensor loss = c["direct"].get<bool>()
                      ? KLDivLoss{.reduction = spec.options.reduction(),
                                  .log_target = spec.options.flag("log_target")}(y, t)
                      : spec.make()(y, t);
    const double want = c["value"].get<double>();
    EXPECT_PRED2(near, loss.item(), want);
    loss.backward();
    const std::vector<float> grad = floats(c["grad"]);
    ASSERT_EQ(static_cast<int64_t>(grad.size()), y.numel());
    for (size_t i = 0; i < grad.size(); ++i)
      EXPECT_PRED2(near, y.grad_data()[i], grad[i]) << "element " << i;
  }
}

TEST(LossGolden, RegressionLossesByNameAndTheirSecondDerivatives) {
  const Tensor y = Tensor::from({3}, {0.0f, 2.0f, -0.5f}).requires_grad_();
  const Tensor t = Tensor::from({3}, {0.0f, 0.0f, 0.0f});
  EXPECT_FLOAT_EQ(loss_by_name("l1")(y, t).item(), 2.5f / 3);
  EXPECT_FLOAT_EQ(loss_by_name("smooth_l1")(y, t).item(), (1.5f + 0.125f) / 3);
  EXPECT_FLOAT_EQ(loss_by_name("huber")(y, t).item(), (1.5f + 0.125f) / 3);
  for (const char* name : {"l1", "smooth_l1", "huber"}) {
    const ElementwiseLoss* e = elementwise_loss(name);
    ASSERT_NE(e, nullptr) << name;
    // phi' and phi'' against central differences away from the kinks.
    for (double d : {-2.5, -0.4, 0.3, 1.7}) {
      const double h = 1e-5;
      EXPECT_NEAR(e->dphi(d), (e->phi(d + h) - e->phi(d - h)) / (2 * h), 1e-6) << name << " " << d;
      EXPECT_NEAR(e->d2phi(d), (e->dphi(d + h) - e->dphi(d - h)) / (2 * h), 1e-6)
          << name << " " << d;
    }
  }
  EXPECT_EQ(elementwise_loss("cross_entropy"), nullptr);
  EXPECT_THROW(loss_by_name("hubber"), SpecError);
  EXPECT_THROW(huber_loss(y, t, 0), std::invalid_argument);
}

}  // namespace test_loss_golden
}  // namespace descent
