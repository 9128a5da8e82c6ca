// Data parallelism's single-process parts (the runs under a real mpirun are
// tests/distributed_mpirun.sh): how batches are cut, per-example draws that follow the global
// row, the backward hook that says when a gradient is complete, the ordered micro-shard path
// (one micro-shard is exactly the plain step; four stay within rounding of it), tallies, and the
// errors for batches too small to share out.
#include <gtest/gtest.h>

#include <cstring>

#include "descent/autograd/gradient_ready.h"
#include "descent/data/synthetic.h"
#include "descent/distributed/communicator.h"
#include "descent/distributed/tally.h"
#include "descent/nn/dropout.h"
#include "descent/nn/network_spec.h"
#include "descent/ops/ops.h"
#include "descent/optim/registry.h"
#include "descent/train/trainer.h"
#include "descent/util/batch_shard.h"

namespace descent {
namespace test_distributed {

TEST(Distributed, PartsCoverTheRowsInOrder) {
  for (int64_t rows : {4, 7, 128, 1000})
    for (int64_t parts : {1, 2, 3, 4}) {
      int64_t next = 0;
      for (int64_t p = 0; p < parts; ++p) {
        const RowRange r = part_of(rows, p, parts);
        EXPECT_EQ(r.first, next);
        EXPECT_GE(r.count, rows / parts);
        EXPECT_LE(r.count, rows / parts + 1);
        next = r.first + r.count;
      }
      EXPECT_EQ(next, rows);
    }
}

TEST(Distributed, OneProcessIsAWorldOfOne) {
  Communicator& one = single_process();
  EXPECT_EQ(one.rank(), 0);
  EXPECT_EQ(one.size(), 1);
  float in[3] = {1, 2, 3}, out[3] = {};
  one.gather(in, 3, out);
  EXPECT_EQ(std::memcmp(in, out, sizeof in), 0);
  EXPECT_TRUE(one.any(true));
  EXPECT_FALSE(one.any(false));
}

// Dropout on a batch in two shards (and the second shard first) gives each row the mask the
// whole batch gives it, and leaves the generator where the whole batch leaves it.
TEST(Distributed, DropoutMasksFollowTheGlobalRow) {
  const Tensor x = Tensor::full({8, 5}, 1.0f);
  Dropout whole(0.5, 42), sharded(0.5, 42);
  whole.set_training(true);
  sharded.set_training(true);
  const std::vector<float> expected = whole.forward(x).to_vector();
  const uint64_t batch = next_batch_serial();
  std::vector<float> got(expected.size(), -1.0f);
  for (const RowRange r : {RowRange{3, 5}, RowRange{0, 3}}) {
    const BatchShardScope scope({r.first, 8, batch});
    const Tensor part = sharded.forward(Tensor::full({r.count, 5}, 1.0f));
    std::copy_n(part.data(), part.numel(), got.begin() + r.first * 5);
  }
  EXPECT_EQ(got, expected);
  EXPECT_EQ(whole.generators()[0]->next_u64(), sharded.generators()[0]->next_u64());
}

// The hook hears of a parameter once, when its gradient is final: a weight read by two nodes
// (as a tied autoencoder's) is reported after the second.
TEST(Distributed, GradientReadyReportsEachLeafOnceItsGradientIsComplete) {
  Tensor w = Tensor::from({2}, {2.0f, -1.0f});
  Tensor b = Tensor::from({2}, {0.5f, 3.0f});
  w.requires_grad_();
  b.requires_grad_();
  std::vector<std::pair<const TensorImpl*, std::vector<float>>> heard;
  {
    const GradientReadyScope scope([&](const TensorImpl* leaf) {
      const Tensor& t = leaf == w.impl() ? w : b;
      heard.push_back({leaf, t.grad().to_vector()});
    });
    Tensor y = sum(mul(w, w)) + sum(mul(w, b));
    y.backward();
  }
  ASSERT_EQ(heard.size(), 2u);
  for (const auto& [leaf, grad] : heard) {
    const Tensor& t = leaf == w.impl() ? w : b;
    EXPECT_EQ(grad, t.grad().to_vector());  // nothing was added after the report
  }
  // Without a scope, backward reports nothing.
  w.zero_grad();
  sum(mul(w, w)).backward();
  EXPECT_EQ(heard.size(), 2u);
}

TEST(Distributed, TalliesAddInOrder) {
  Tally a, b;
  a.loss_sum = 1.5;
  a.samples = a.loss_samples = 3;
  a.terms["kl"] = 0.25;
  b.samples = 2;
  b.non_finite = 1;
  b.non_finite_loss = INFINITY;
  const Tally t = sum_over_ranks(single_process(), {a, b});
  EXPECT_EQ(t.loss_sum, 1.5);
  EXPECT_EQ(t.samples, 5);
  EXPECT_EQ(t.loss_samples, 3);
  EXPECT_EQ(t.non_finite, 1);
  EXPECT_EQ(t.non_finite_loss, INFINITY);
  EXPECT_EQ(t.terms.at("kl"), 0.25);
}

struct Training {
  explicit Training(TrainOptions o, int64_t size = 300) {
    Generator data_gen(5);
    train = make_synthetic_dataset("spirals", {.size = size}, data_gen);
    Generator init(1);
    model = build_network({"linear:out=16", "tanh", "dropout:p=0.2", "linear:out=3"}, 2, init, 9);
    optimizer = make_optimizer("adam:lr=0.01", model->parameters());
    o.epochs = 2;
    o.batch_size = 32;
    trainer = std::make_unique<Trainer>(*model, *optimizer, cross_entropy, o);
  }
  std::vector<float> fit() {
    Generator shuffle(3);
    trainer->fit(train, nullptr, shuffle);
    std::vector<float> all;
    for (const auto& p : model->parameters()) {
      const auto v = p.to_vector();
      all.insert(all.end(), v.begin(), v.end());
    }
    return all;
  }
  Dataset train;
  std::unique_ptr<Sequential> model;
  std::unique_ptr<Optimizer> optimizer;
  std::unique_ptr<Trainer> trainer;
};

TEST(Distributed, OneMicroShardIsThePlainStepBitForBit) {
  TrainOptions ordered;
  ordered.deterministic_reduction = true;
  ordered.micro_shards = 1;
  const std::vector<float> plain = Training({}).fit(), one = Training(ordered).fit();
  ASSERT_EQ(plain.size(), one.size());
  EXPECT_EQ(std::memcmp(plain.data(), one.data(), plain.size() * sizeof(float)), 0);
}

// Four micro-shards compute each batch as four GEMMs and add them: the same step up to float
// rounding (dropout masks included, as they follow the rows), while the weights moved by far more.
TEST(Distributed, FourMicroShardsAgreeWithThePlainStepWithinRounding) {
  TrainOptions ordered;
  ordered.deterministic_reduction = true;
  ordered.micro_shards = 4;
  Training start({});
  std::vector<float> initial;
  for (const auto& p : start.model->parameters()) {
    const auto v = p.to_vector();
    initial.insert(initial.end(), v.begin(), v.end());
  }
  const std::vector<float> plain = start.fit(), four = Training(ordered).fit();
  double worst = 0, moved = 0;
  for (size_t i = 0; i < plain.size(); ++i) {
    worst = std::max(worst, std::abs(static_cast<double>(plain[i]) - four[i]));
    moved = std::max(moved, std::abs(static_cast<double>(plain[i]) - initial[i]));
  }
  EXPECT_LT(worst, 1e-5);
  EXPECT_GT(moved, 1e-2);
}

TEST(Distributed, BatchesTooSmallToShareOutAreRefusedByName) {
  TrainOptions o;
  o.deterministic_reduction = true;
  o.micro_shards = 4;
  Training small(o, 302);  // 302 = 9 x 32 + 14: a last batch of 14 rows, enough
  EXPECT_NO_THROW(small.fit());
  Training tiny(o, 290);  // 290 = 9 x 32 + 2: a last batch of 2 rows for 4 micro-shards
  try {
    tiny.fit();
    FAIL() << "a last batch of 2 rows was cut into 4 micro-shards";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("last batch of each epoch has 2 rows"), std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("train.drop_last"), std::string::npos) << e.what();
  }
  o.micro_shards = 0;
  try {
    Training bad(o);
    FAIL() << "micro_shards = 0 accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("train.micro_shards = 0"), std::string::npos) << e.what();
  }
}

}  // namespace test_distributed
}  // namespace descent
