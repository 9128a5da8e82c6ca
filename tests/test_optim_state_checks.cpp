// Loading optimizer state checks every stepped parameter's state against what the optimizer
// keeps (its own update() says which buffers, of which shapes): a resumed run must not restart a
// moment buffer from zero because a checkpoint lost it. For every registered optimizer, and the
// option forms that keep other buffers, the whole state loads, and a state with one tensor
// missing, reshaped or added, or a scalar missing, is refused naming it.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "descent/optim/registry.h"
#include "optim_resume.h"

namespace descent {
namespace test_optim_state_checks {

using testutil::Model;
using testutil::round_trip;

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "(nothing thrown)";
}

std::vector<std::string> specs() {
  std::vector<std::string> out;
  for (const auto& info : optimizer_registry()) out.push_back(info.name);
  for (const char* form :
       {"sgd:momentum=0.9", "sgd:momentum=0.9,form=velocity", "sgd:momentum=0.9,form=ema",
        "adam:amsgrad=true", "rmsprop:centered=true,momentum=0.9", "adabelief:amsgrad=true",
        "lookahead:base=sgd,momentum=0.9", "lbfgs:history_size=3,max_iter=4"})
    out.push_back(form);
  return out;
}

TEST(OptimizerStateChecks, EveryOptimizerLoadsItsWholeStateAndRefusesABrokenOne) {
  for (const std::string& spec : specs()) {
    SCOPED_TRACE(spec);
    Model m(1);
    auto saved_by = make_optimizer(spec, m.net->parameters());
    m.train(*saved_by, 3);
    const OptimizerState state = round_trip(saved_by->state_dict());
    const auto load = [&](const OptimizerState& s) {
      return message_of([&] { make_optimizer(spec, m.net->parameters())->load_state_dict(s); });
    };
    EXPECT_EQ(load(state), "(nothing thrown)");

    for (size_t k = 0; k < state.tensors.size(); ++k) {
      const std::string& tensor = state.tensors[k].name;
      OptimizerState missing = state;
      missing.tensors.erase(missing.tensors.begin() + static_cast<std::ptrdiff_t>(k));
      const std::string no = load(missing);
      EXPECT_NE(no.find("has no tensor " + tensor), std::string::npos) << no;

      OptimizerState reshaped = state;
      reshaped.tensors[k].tensor = Tensor::zeros({state.tensors[k].tensor.numel() + 1});
      const std::string shape = load(reshaped);
      EXPECT_NE(shape.find("tensor " + tensor + " has shape"), std::string::npos) << shape;
    }
    if (!state.tensors.empty()) {
      OptimizerState extra = state;
      extra.tensors.push_back({"state.0.stray", Tensor::zeros({2})});
      const std::string stray = load(extra);
      EXPECT_NE(stray.find("unexpected tensor state.0.stray"), std::string::npos) << stray;
    }
  }
}

TEST(OptimizerStateChecks, AMissingStepCountIsRefusedNamingIt) {
  Model m(1);
  auto adam = make_optimizer("adam", m.net->parameters());
  m.train(*adam, 2);
  OptimizerState state = round_trip(adam->state_dict());
  state.meta["state"]["1"].erase("step");
  const std::string msg =
      message_of([&] { make_optimizer("adam", m.net->parameters())->load_state_dict(state); });
  EXPECT_NE(msg.find("has no state.1.step"), std::string::npos) << msg;
}

TEST(OptimizerStateChecks, MalformedDescriptionsAreRefusedInPlainWords) {
  Model m(1);
  auto adam = make_optimizer("adam", m.net->parameters());
  m.train(*adam, 1);
  const OptimizerState good = round_trip(adam->state_dict());
  const auto refusal = [&](const std::function<void(OptimizerState&)>& spoil) {
    OptimizerState s = good;
    spoil(s);
    return message_of([&] { make_optimizer("adam", m.net->parameters())->load_state_dict(s); });
  };
  const std::vector<std::pair<std::function<void(OptimizerState&)>, std::string>> cases = {
      {[](OptimizerState& s) { s.meta.erase("param_groups"); }, "param_groups is missing"},
      {[](OptimizerState& s) { s.meta.erase("state"); }, "state is missing"},
      {[](OptimizerState& s) { s.meta["state"]["x"] = s.meta["state"]["0"]; },
       "state.x does not name a parameter"},
      {[](OptimizerState& s) { s.meta["state"]["0"]["step"] = "one"; },
       "state.0.step is \"one\", expected a number"},
      {[](OptimizerState& s) { s.meta["param_groups"][0]["options"]["lr"] = "fast"; },
       "options.lr is not a number"},
      {[](OptimizerState& s) { s.tensors[0].name = "state.99.exp_avg"; },
       "names parameter 99, but there are"},
  };
  for (const auto& [spoil, fragment] : cases) {
    const std::string msg = refusal(spoil);
    EXPECT_NE(msg.find(fragment), std::string::npos) << msg;
    EXPECT_EQ(msg.find("json.exception"), std::string::npos) << msg;
  }
}

}  // namespace test_optim_state_checks
}  // namespace descent
