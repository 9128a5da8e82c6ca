// Optimizer::measure_updates: a step measures how far it moves each parameter (the trainer's
// update ratio) without changing the step, and measures what a copy of the weights before the step
// and separate passes after give (in the pieces the threads take): exactly where the walk copies,
// to rounding in the optimizers' loops that measure themselves (optim/measure_each.h).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "descent/optim/optimizer.h"
#include "descent/optim/registry.h"
#include "descent/optim/update_norms.h"
#include "descent/util/parallel.h"
#include "descent/util/random.h"
#include "descent/util/sum_squares.h"

namespace descent {
namespace test_update_norms {

// Sizes that are not multiples of a vector or of a measuring block, and one of several blocks.
const std::vector<Shape> kShapes = {{37, 29}, {5}, {3 * 16384 + 1027}};

std::vector<Tensor> make_params(uint64_t seed) {
  Generator gen(seed);
  std::vector<Tensor> params;
  for (const Shape& shape : kShapes)
    params.push_back(Tensor::normal(shape, 0, 1, gen).requires_grad_());
  return params;
}

void set_grads(std::vector<Tensor>& params, uint64_t seed) {
  Generator gen(seed);
  for (Tensor& p : params) {
    const Tensor g = Tensor::normal(p.shape(), 0, 1, gen);
    std::memcpy(p.grad_data(), g.data(), sizeof(float) * static_cast<size_t>(p.numel()));
  }
}

bool same_bits(const Tensor& a, const Tensor& b) {
  return a.numel() == b.numel() &&
         std::memcmp(a.data(), b.data(), sizeof(float) * static_cast<size_t>(a.numel())) == 0;
}

// The sum of squares of a (of a - b with b), in the pieces of util/parallel.h added in order.
double in_pieces(const float* a, const float* b, int64_t n) {
  double sum = 0;
  for (int64_t begin = 0; begin < n; begin += kParallelGrain) {
    const int64_t len = std::min(kParallelGrain, n - begin);
    sum += b ? sum_squared_difference(a + begin, b + begin, len) : sum_squares(a + begin, len);
  }
  return sum;
}

// An optimizer, and whether its own loop measures (those that call update_each, unless the walk
// decays first).
class UpdateNormsOf : public ::testing::TestWithParam<std::pair<std::string, bool>> {};

TEST_P(UpdateNormsOf, EqualSeparatePassesAndLeaveTheStepAlone) {
  const auto& [spec, fused] = GetParam();
  std::vector<Tensor> measured = make_params(1), plain = make_params(1);
  auto with = make_optimizer(spec, measured);
  auto without = make_optimizer(spec, plain);
  ASSERT_TRUE(with->walks_parameters());
  std::vector<UpdateNorms> norms;
  with->measure_updates(measured, &norms);
  ASSERT_EQ(norms.size(), measured.size());
  for (uint64_t step = 0; step < 3; ++step) {
    SCOPED_TRACE("step " + std::to_string(step + 1));
    set_grads(measured, 10 + step);
    set_grads(plain, 10 + step);
    std::vector<Tensor> before;
    for (const Tensor& p : measured) before.push_back(p.detach().clone());
    with->step();
    without->step();
    for (size_t i = 0; i < measured.size(); ++i) {
      SCOPED_TRACE("parameter " + std::to_string(i));
      EXPECT_TRUE(same_bits(measured[i], plain[i])) << "measuring changed the step";
      // ADOPT's first step only fills its second moment: nothing moves, and that is measured.
      const bool stays = step == 0 && spec.rfind("adopt", 0) == 0;
      EXPECT_EQ(same_bits(measured[i], before[i]), stays) << "the step moved the parameter or not";
      const int64_t n = measured[i].numel();
      const double weight = sum_squares(before[i].data(), n);
      const double change = sum_squared_difference(measured[i].data(), before[i].data(), n);
      if (fused) {
        // Float sums over blocks, added in double: the same up to rounding.
        EXPECT_NEAR(norms[i].before, weight, 1e-5 * weight);
        EXPECT_NEAR(norms[i].change, change, 1e-5 * change);
      } else {  // the walk's copy and double passes, piece by piece: exactly these
        EXPECT_EQ(norms[i].before, in_pieces(before[i].data(), nullptr, n));
        EXPECT_EQ(norms[i].change, in_pieces(measured[i].data(), before[i].data(), n));
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Optimizers, UpdateNormsOf,
    // (radam_schedulefree's default keeps still through its first steps: the SGD phase is silent.)
    ::testing::Values(
        std::pair{"adam", true}, std::pair{"adamw:weight_decay=0.1", true},
        std::pair{"adam:amsgrad=true,convention=optax", true},
        std::pair{"adamw:weight_decay=0.1,weight_decay_form=keras", false}, std::pair{"sgd", true},
        std::pair{"sgd:momentum=0.9,nesterov=true", true},
        std::pair{"sgd:form=ema,momentum=0.9,bias_correction=true", true},
        std::pair{"sgd:momentum=0.9,weight_decay=0.01,weight_decay_form=keras", false},
        std::pair{"rmsprop:centered=true", true},
        std::pair{"rmsprop:momentum=0.9,convention=keras", true}, std::pair{"adagrad", true},
        std::pair{"adadelta", true}, std::pair{"adamax", true}, std::pair{"nadam", true},
        std::pair{"radam", true}, std::pair{"lion", true}, std::pair{"adabelief", true},
        std::pair{"adabelief:amsgrad=true", true}, std::pair{"adabound", true},
        std::pair{"adan", true}, std::pair{"adan:no_prox=true", true}, std::pair{"ademamix", true},
        std::pair{"aggmo", true}, std::pair{"laprop", true}, std::pair{"qhadam", true},
        std::pair{"qhm", true}, std::pair{"signum", true}, std::pair{"yogi", true},
        std::pair{"madgrad", true}, std::pair{"asgd", true}, std::pair{"asgd:t0=0", true},
        std::pair{"delta_bar_delta", true}, std::pair{"ftrl", true}, std::pair{"rprop", true},
        std::pair{"lamb", true}, std::pair{"lars", true}, std::pair{"novograd", true},
        std::pair{"sgdp", true}, std::pair{"adamp", true}, std::pair{"adopt", true},
        std::pair{"sgd_schedulefree:weight_decay=0.01", true},
        std::pair{"adamw_schedulefree:warmup_steps=2", true},
        std::pair{"radam_schedulefree:silent_sgd_phase=false", true},
        std::pair{"adafactor", false}));

TEST(UpdateNorms, OnlyTheListedParametersWithGradientsAreMeasuredAndStoppingStops) {
  std::vector<Tensor> params = make_params(2);
  auto adam = make_optimizer("adam", params);
  // The list names parameters 2 and 0 (another order) and one the optimizer does not have.
  std::vector<Tensor> listed = {params[2], Tensor::zeros({3}).requires_grad_(), params[0]};
  std::vector<UpdateNorms> norms;
  adam->measure_updates(listed, &norms);
  ASSERT_EQ(norms.size(), 3u);
  set_grads(params, 3);
  params[0].clear_grad();  // no gradient: no step, what the slot held stays
  norms[2] = {7, 7};
  const Tensor before = params[2].detach().clone();
  adam->step();
  const double weight = sum_squares(before.data(), before.numel());
  EXPECT_NEAR(norms[0].before, weight, 1e-5 * weight);
  EXPECT_GT(norms[0].change, 0);
  EXPECT_EQ(norms[1].before, 0);
  EXPECT_EQ(norms[1].change, 0);
  EXPECT_EQ(norms[2].before, 7);
  EXPECT_EQ(norms[2].change, 7);
  adam->measure_updates({}, nullptr);
  norms[0] = {};
  adam->step();
  EXPECT_EQ(norms[0].before, 0) << "measured after measure_updates(nullptr)";
}

}  // namespace test_update_norms
}  // namespace descent
