// Optimizer state: save and resume through safetensors (bit for bit), the errors a mismatched
// state or a bad configuration raises, and per-group hyper-parameters.
#include <gtest/gtest.h>

#include <cstring>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "descent/io/safetensors.h"
#include "descent/nn/loss.h"
#include "descent/nn/network_spec.h"
#include "descent/optim/registry.h"
#include "descent/optim/sgd.h"
#include "descent/util/random.h"
#include "descent/util/spec.h"

#include "optim_resume.h"

namespace descent {
namespace test_optim_state {

using testutil::expect_resume_is_exact;
using testutil::Model;
using testutil::round_trip;

using nlohmann::json;

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "(nothing thrown)";
}

TEST(OptimizerState, SgdMomentumResumesBitForBit) {
  expect_resume_is_exact("sgd:lr=0.05,momentum=0.9,dampening=0.1,weight_decay=0.01");
}

TEST(OptimizerState, AdamAmsgradResumesBitForBit) {
  expect_resume_is_exact("adam:lr=0.01,beta2=0.9,amsgrad=true,weight_decay=0.01");
}

TEST(OptimizerState, AdamStateIntoSgdThrowsNamingBoth) {
  Model m(1);
  auto adam = make_optimizer("adam", m.net->parameters());
  m.train(*adam, 1);
  auto sgd = make_optimizer("sgd", m.net->parameters());
  const std::string msg = message_of([&] { sgd->load_state_dict(round_trip(adam->state_dict())); });
  EXPECT_NE(msg.find("'adam'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("'sgd'"), std::string::npos) << msg;
}

TEST(OptimizerState, MismatchedShapesThrowNamingThem) {
  Tensor a = Tensor::zeros({2, 3}).requires_grad_();
  Tensor b = Tensor::zeros({3, 2}).requires_grad_();
  auto saved = make_optimizer("sgd:momentum=0.9", {a});
  a.grad_data();  // a zero gradient is still a step, so the momentum buffer exists
  saved->step();
  auto other = make_optimizer("sgd:momentum=0.9", {b});
  const std::string msg = message_of([&] { other->load_state_dict(saved->state_dict()); });
  EXPECT_NE(msg.find("[2, 3]"), std::string::npos) << msg;
  EXPECT_NE(msg.find("[3, 2]"), std::string::npos) << msg;
}

TEST(OptimizerState, UnknownHyperparameterListsValidKeys) {
  Tensor p = Tensor::zeros({2}).requires_grad_();
  try {
    make_optimizer("adam:lr=0.1,foo=1", {p});
    FAIL() << "no SpecError for foo";
  } catch (const SpecError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("foo"), std::string::npos) << msg;
    for (const auto& def : optimizer_info("adam").hyperparams)
      EXPECT_NE(msg.find(def.name), std::string::npos) << def.name << " missing from: " << msg;
  }
}

TEST(OptimizerState, NesterovWithoutMomentumThrows) {
  Tensor p = Tensor::zeros({2}).requires_grad_();
  EXPECT_THROW(make_optimizer("sgd:nesterov=true", {p}), std::invalid_argument);
  EXPECT_THROW(make_optimizer("sgd:nesterov=true,momentum=0.9,dampening=0.5", {p}),
               std::invalid_argument);
  EXPECT_NO_THROW(make_optimizer("sgd:nesterov=true,momentum=0.9", {p}));
}

TEST(OptimizerState, ParamGroupsKeepTheirOwnLr) {
  Tensor a = Tensor::from({2}, {1.0f, -2.0f}).requires_grad_();
  Tensor b = Tensor::from({2}, {3.0f, 0.5f}).requires_grad_();
  std::vector<ParamGroup> groups(2);
  groups[0].params = {a};
  groups[0].options = {{"lr", 0.1}};
  groups[1].params = {b};
  groups[1].options = {{"lr", 0.5}};
  Hyperparams defaults = SGD::default_hyperparams();
  defaults["lr"] = 0.01;  // used by neither group
  auto opt = optimizer_info("sgd").make(std::move(groups), defaults);
  ASSERT_EQ(opt->param_groups().size(), 2u);
  EXPECT_EQ(opt->param_groups()[1].get("momentum"), 0.0);  // filled from the defaults

  const float ga[] = {0.5f, 4.0f}, gb[] = {-2.0f, 1.0f};
  std::memcpy(a.grad_data(), ga, sizeof ga);
  std::memcpy(b.grad_data(), gb, sizeof gb);
  opt->step();
  // p - lr g by hand; lr*g is exact or nearly so for these values.
  EXPECT_FLOAT_EQ(a.data()[0], 1.0f - 0.1f * 0.5f);
  EXPECT_FLOAT_EQ(a.data()[1], -2.0f - 0.1f * 4.0f);
  EXPECT_FLOAT_EQ(b.data()[0], 3.0f + 0.5f * 2.0f);
  EXPECT_FLOAT_EQ(b.data()[1], 0.5f - 0.5f * 1.0f);
}

}  // namespace test_optim_state
}  // namespace descent
