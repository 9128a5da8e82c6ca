#pragma once
// The resume test every optimizer takes: k steps, its state through a safetensors image into a
// fresh optimizer with default hyper-parameters over a copy of the parameters, then the rest of
// the steps; the parameters must equal an uninterrupted run's bit for bit.
#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "descent/io/optimizer_state.h"
#include "descent/nn/loss.h"
#include "descent/nn/network_spec.h"
#include "descent/optim/registry.h"

namespace descent::testutil {

const std::vector<std::string> kResumeLayers = {"linear:out=8", "tanh", "linear:out=3"};

struct Model {
  explicit Model(uint64_t seed) : gen(seed) {
    net = build_network(kResumeLayers, 4, gen);
    Generator data_gen(7);
    x = Tensor::normal({16, 4}, 0.0f, 1.0f, data_gen);
    std::vector<float> labels(16);
    for (auto& k : labels) k = static_cast<float>(data_gen.below(3));
    y = Tensor::from({16}, labels);
  }

  // The gradient at the current point, then a step with a closure: sam steps from that gradient
  // and re-evaluates at another point, lbfgs re-evaluates from the start, and the others
  // evaluate the closure once more at the same point (the same gradient).
  void train(Optimizer& opt, int steps) {
    const Closure closure = [&] {
      opt.zero_grad();
      Tensor loss = cross_entropy((*net)(x), y);
      loss.backward();
      return loss.item();
    };
    for (int i = 0; i < steps; ++i) {
      closure();
      opt.step(closure);
    }
  }

  Generator gen;
  std::unique_ptr<Sequential> net;
  Tensor x, y;
};

// The whole optimizer state through a safetensors byte image and back.
inline OptimizerState round_trip(const OptimizerState& state) {
  return decode_optimizer_state(encode_optimizer_state(state), "optimizer-state");
}

inline void expect_resume_is_exact(const std::string& spec, int before = 7, int total = 20) {
  SCOPED_TRACE(spec);

  Model straight(1);
  auto opt_straight = make_optimizer(spec, straight.net->parameters());
  straight.train(*opt_straight, total);

  Model first(1);
  auto opt_first = make_optimizer(spec, first.net->parameters());
  first.train(*opt_first, before);
  const OptimizerState saved = round_trip(opt_first->state_dict());
  ASSERT_FALSE(saved.tensors.empty()) << spec << ": no state buffers saved";

  // A fresh model (other initial weights) given a copy of the parameters, and a fresh optimizer
  // with default hyper-parameters: everything else must come from the saved state.
  Model resumed(99);
  const auto from = first.net->named_parameters();
  auto to = resumed.net->named_parameters();
  ASSERT_EQ(from.size(), to.size());
  for (size_t i = 0; i < from.size(); ++i) to[i].tensor.copy_from(from[i].tensor);
  const std::string name = parse_spec(spec).name;
  auto opt_resumed = make_optimizer(name, resumed.net->parameters());
  opt_resumed->load_state_dict(saved);
  EXPECT_EQ(opt_resumed->param_groups()[0].options, opt_first->param_groups()[0].options);
  resumed.train(*opt_resumed, total - before);

  const auto want = straight.net->named_parameters();
  const auto got = resumed.net->named_parameters();
  ASSERT_EQ(want.size(), got.size());
  for (size_t i = 0; i < want.size(); ++i) {
    ASSERT_EQ(want[i].tensor.shape(), got[i].tensor.shape());
    EXPECT_EQ(0, std::memcmp(want[i].tensor.data(), got[i].tensor.data(),
                             sizeof(float) * want[i].tensor.numel()))
        << spec << ": " << want[i].name << " differs after resuming at step " << before;
  }
}

}  // namespace descent::testutil
