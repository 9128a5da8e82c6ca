// Every optimizer steps to the same bits on one thread and on two: the loops that run in pieces on
// descent's threads (update_each, sum_each, parallel_sum) cut the work the same way whatever the
// number of threads and add the pieces in order. The update norms the optimizers measure are the
// same bits too. The matrix methods are left out: their products are OpenBLAS's, whose rounding
// depends on the thread count (docs/architecture.md, Threads).
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "descent/optim/registry.h"
#include "descent/optim/update_norms.h"
#include "descent/util/parallel.h"
#include "descent/util/random.h"
#include "threads_scope.h"

namespace descent {
namespace test_optim_threads {

using testutil::ThreadsScope;

// A parameter of several pieces (and a ragged last one), a matrix of one, a short vector.
const std::vector<Shape> kShapes = {{3 * kParallelGrain + 1027}, {37, 29}, {5}};

// The gradient of a quadratic with a different curvature per element, plus a tilt: a function of
// the weights alone, so both runs see the same gradients as long as their weights agree.
void set_gradients(std::vector<Tensor>& params) {
  for (Tensor& p : params) {
    float* g = p.grad_data();
    const float* w = p.data();
    for (int64_t i = 0; i < p.numel(); ++i)
      g[i] = w[i] * (0.5f + 0.25f * static_cast<float>(i % 7)) + 0.01f * static_cast<float>(i % 3);
  }
}

struct Stepped {
  std::vector<Tensor> params;
  std::vector<UpdateNorms> norms;
};

Stepped run(const std::string& spec, int threads, bool measure) {
  const ThreadsScope scope(threads);
  Generator gen(17);
  Stepped r;
  for (const Shape& shape : kShapes)
    r.params.push_back(Tensor::normal(shape, 0, 1, gen).requires_grad_());
  auto opt = make_optimizer(spec, r.params);
  if (measure && opt->steps_per_parameter() && !opt->needs_closure())
    opt->measure_updates(r.params, &r.norms);
  for (int step = 0; step < 4; ++step) {
    set_gradients(r.params);
    if (opt->needs_closure())
      opt->step([&] {
        opt->zero_grad();
        set_gradients(r.params);
        float loss = 0;
        for (const Tensor& p : r.params)
          for (int64_t i = 0; i < p.numel(); ++i) loss += p.data()[i] * p.data()[i];
        return loss;
      });
    else
      opt->step();
  }
  return r;
}

bool same_bits(const Tensor& a, const Tensor& b) {
  return std::memcmp(a.data(), b.data(), sizeof(float) * static_cast<size_t>(a.numel())) == 0;
}

TEST(OptimizerThreads, EveryOptimizerStepsToTheSameBitsOnOneThreadAndOnTwo) {
  {
    const ThreadsScope two(2);
    if (parallel_threads(kShapes[0][0], kParallelGrain) < 2)
      GTEST_SKIP() << "OpenBLAS is not its OpenMP build here: loops run on one thread";
  }
  // Every optimizer by its defaults, and the walk's decay of the other weight decay forms.
  std::vector<std::string> specs = {"adamw:weight_decay=0.1,weight_decay_form=keras",
                                    "sgd:weight_decay=0.1,weight_decay_form=independent"};
  for (const OptimizerInfo& info : optimizer_registry())
    if (info.name != "shampoo" && info.name != "soap" && info.name != "muon")
      specs.push_back(info.name);
  for (const std::string& spec : specs) {
    for (const bool measure : {false, true}) {
      SCOPED_TRACE(spec + (measure ? ", measured" : ""));
      const Stepped one = run(spec, 1, measure), two = run(spec, 2, measure);
      for (size_t i = 0; i < kShapes.size(); ++i)
        EXPECT_TRUE(same_bits(one.params[i], two.params[i])) << "parameter " << i;
      ASSERT_EQ(one.norms.size(), two.norms.size());
      for (size_t i = 0; i < one.norms.size(); ++i) {
        EXPECT_EQ(one.norms[i].before, two.norms[i].before) << "parameter " << i;
        EXPECT_EQ(one.norms[i].change, two.norms[i].change) << "parameter " << i;
      }
    }
  }
}

}  // namespace test_optim_threads
}  // namespace descent
