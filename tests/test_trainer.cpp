// The training loop's controls: exact resume (mid-epoch, mid-schedule, with dropout, a weight
// average, accumulation, clipping and penalties all on), the health check, gradient accumulation,
// early stopping, evaluation on averaged weights, and the per-epoch gradient metrics.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <memory>

#include "cli_fixtures.h"
#include "descent/data/synthetic.h"
#include "descent/io/atomic_file.h"
#include "descent/nn/network_spec.h"
#include "descent/ops/ops.h"
#include "descent/optim/registry.h"
#include "descent/schedule/factory.h"
#include "descent/train/callbacks/early_stopping.h"
#include "descent/train/callbacks/schedule_step.h"
#include "descent/train/callbacks/steps_log.h"
#include "descent/train/evaluate.h"
#include "descent/train/interrupt.h"
#include "descent/train/trainer.h"

namespace descent {
namespace test_trainer {

namespace fs = std::filesystem;

// Asks for a stop (as Ctrl-C does) once the loop has taken `step` optimizer steps.
class InterruptAt : public Callback {
 public:
  explicit InterruptAt(int64_t step) : step_(step) {}
  void on_step_end(TrainState& s) override {
    if (s.step == step_) request_interrupt();
  }

 private:
  int64_t step_;
};

// Writes a value into one parameter's gradient after a given minibatch's backward pass.
class PoisonGradient : public Callback {
 public:
  PoisonGradient(Tensor param, int64_t batch, float value)
      : param_(param), batch_(batch), value_(value) {}
  void on_batch_end(TrainState& s) override {
    if (s.epoch == 1 && s.batch == batch_) param_.grad().data()[0] = value_;
  }

 private:
  Tensor param_;
  int64_t batch_;
  float value_;
};

struct Options {
  int64_t epochs = 4;
  bool everything = true;  // dropout, schedule, weight average, early stopping, clipping, ...
  std::string optimizer = "adam:lr=0.01";
  fs::path checkpoint = {};
  fs::path steps_log = {};  // set: a StepsLog writes there
};

// One complete, seeded training setup: every object a resumed run rebuilds from scratch.
struct Rig {
  explicit Rig(const Options& o) {
    Generator data_gen(5);
    const Dataset all = make_synthetic_dataset("spirals", {.size = 500}, data_gen);
    Generator split_gen(6);
    auto split = hold_out(all, 100, split_gen);
    train = split.train;
    validation = split.validation;
    Generator init(1);
    const std::vector<std::string> layers =
        o.everything
            ? std::vector<std::string>{"linear:out=16", "tanh", "dropout:p=0.2", "linear:out=3"}
            : std::vector<std::string>{"linear:out=16", "tanh", "linear:out=3"};
    model = build_network(layers, 2, init, 9);
    optimizer = make_optimizer(o.optimizer, model->parameters());
    TrainOptions t;
    t.epochs = o.epochs;
    t.batch_size = 32;
    t.checkpoint_path = o.checkpoint;
    if (o.everything) {
      t.accumulate = 2;
      t.clip_norm = 0.5;
      t.l1 = 1e-4;
      t.l2 = 1e-3;
    }
    trainer = std::make_unique<Trainer>(*model, *optimizer, cross_entropy, t);
    if (o.everything) {
      average = std::make_unique<WeightAverage>(model->named_parameters(), 0.9);
      trainer->set_weight_average(*average, true);
      schedule = std::make_unique<ScheduleStep>(make_scheduler("cosine:t_max=20", *optimizer),
                                                ScheduleInterval::Step);
      trainer->add_callback(*schedule);
      early = std::make_unique<EarlyStopping>(EarlyStoppingOptions{.patience = 50},
                                              average->averaged());
      trainer->add_callback(*early);
    }
    if (!o.steps_log.empty()) {
      steps = std::make_unique<StepsLog>(o.steps_log);
      trainer->add_callback(*steps);
    }
  }

  TrainResult fit() {
    Generator shuffle(3);
    return trainer->fit(train, &validation, shuffle);
  }

  std::vector<float> weights() const {
    std::vector<float> all;
    for (const auto& p : model->parameters()) {
      auto v = p.to_vector();
      all.insert(all.end(), v.begin(), v.end());
    }
    return all;
  }

  Dataset train, validation;
  std::unique_ptr<Sequential> model;
  std::unique_ptr<Optimizer> optimizer;
  std::unique_ptr<Trainer> trainer;
  std::unique_ptr<WeightAverage> average;
  std::unique_ptr<ScheduleStep> schedule;
  std::unique_ptr<EarlyStopping> early;
  std::unique_ptr<StepsLog> steps;
};

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

void expect_same_history(const TrainResult& a, const TrainResult& b) {
  ASSERT_EQ(a.history.size(), b.history.size());
  for (size_t i = 0; i < a.history.size(); ++i) {
    SCOPED_TRACE("epoch " + std::to_string(i + 1));
    EXPECT_EQ(a.history[i].train_loss, b.history[i].train_loss);
    EXPECT_EQ(a.history[i].train_accuracy, b.history[i].train_accuracy);
    EXPECT_EQ(a.history[i].val_loss, b.history[i].val_loss);
    EXPECT_EQ(a.history[i].lr, b.history[i].lr);
    EXPECT_EQ(a.history[i].grad_norm_mean, b.history[i].grad_norm_mean);
    EXPECT_EQ(a.history[i].grad_norm_max, b.history[i].grad_norm_max);
    EXPECT_EQ(a.history[i].update_ratio, b.history[i].update_ratio);
    EXPECT_EQ(a.history[i].steps, b.history[i].steps);
  }
}

class TrainerResume : public ::testing::Test {
 protected:
  cli_test::TempDir tmp_{"descent-trainer"};
};

TEST_F(TrainerResume, MidEpochInterruptResumesBitIdentical) {
  Rig straight({.checkpoint = tmp_ / "straight.ckpt", .steps_log = tmp_ / "straight.jsonl"});
  const TrainResult reference = straight.fit();
  ASSERT_EQ(reference.stop_reason, StopReason::Completed);
  ASSERT_EQ(reference.history.size(), 4u);

  // 400 examples in batches of 32: 13 minibatches, 7 steps an epoch (accumulate 2). Step 10 is in
  // epoch 2, and the cosine schedule (stepped per step) is mid-way.
  const fs::path ckpt = tmp_ / "run.ckpt", steps = tmp_ / "run.jsonl";
  Rig first({.checkpoint = ckpt, .steps_log = steps});
  InterruptAt stop(10);
  first.trainer->add_callback(stop);
  const TrainResult interrupted = first.fit();
  EXPECT_EQ(interrupted.stop_reason, StopReason::Interrupted);
  EXPECT_EQ(interrupted.stop_message, "interrupted after step 10 (epoch 2, 6 of 13 batches done)");
  EXPECT_EQ(interrupted.history.size(), 1u);
  EXPECT_FALSE(interrupt_requested()) << "the loop clears the request it acted on";
  EXPECT_FALSE(same_bits(first.weights(), straight.weights()));

  EXPECT_EQ(cli_test::read_jsonl(steps).size(), 10u) << "the checkpoint wrote out every step";

  Rig resumed({.checkpoint = ckpt, .steps_log = steps});
  resumed.trainer->resume_from(load_checkpoint(ckpt));
  const TrainResult rest = resumed.fit();
  EXPECT_EQ(rest.stop_reason, StopReason::Completed);
  EXPECT_TRUE(same_bits(resumed.weights(), straight.weights()));
  expect_same_history(rest, reference);
  EXPECT_EQ(resumed.early->best_epoch(), straight.early->best_epoch());

  // The per-step log: the same steps with the same numbers, and a clock that carries on.
  const auto a = cli_test::read_jsonl(tmp_ / "straight.jsonl"), b = cli_test::read_jsonl(steps);
  ASSERT_EQ(a.size(), 28u);
  ASSERT_EQ(b.size(), a.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_LE(b[i == 0 ? 0 : i - 1].at("seconds"), b[i].at("seconds")) << "step " << i + 1;
    auto x = a[i], y = b[i];
    x.erase("seconds");
    y.erase("seconds");
    EXPECT_EQ(x, y) << "step " << i + 1;
  }
}

TEST_F(TrainerResume, EpochBoundaryCheckpointTrainsLonger) {
  Rig straight({});
  straight.fit();
  const fs::path ckpt = tmp_ / "run.ckpt";
  Rig two({.epochs = 2, .checkpoint = ckpt});
  EXPECT_EQ(two.fit().stop_reason, StopReason::Completed);
  // The end-of-run checkpoint holds the live state, not the averaged weights the model took.
  Rig resumed({.checkpoint = ckpt});
  resumed.trainer->resume_from(load_checkpoint(ckpt));
  const TrainResult rest = resumed.fit();
  EXPECT_EQ(rest.history.size(), 4u);
  EXPECT_TRUE(same_bits(resumed.weights(), straight.weights()));
}

// Two epochs, a checkpoint at the epoch's end, then a resumed run of two more: the same bits as
// four epochs straight.
void expect_epoch_resume_is_exact(const std::string& spec, const fs::path& ckpt) {
  Rig straight({.everything = false, .optimizer = spec});
  straight.fit();
  Rig two({.epochs = 2, .everything = false, .optimizer = spec, .checkpoint = ckpt});
  two.fit();
  Rig resumed({.everything = false, .optimizer = spec, .checkpoint = ckpt});
  resumed.trainer->resume_from(load_checkpoint(ckpt));
  EXPECT_EQ(resumed.fit().history.size(), 4u) << spec;  // the restored two and two more
  EXPECT_TRUE(same_bits(resumed.weights(), straight.weights())) << spec;
}

// Schedule-free: the checkpoint at an epoch's end is written with the averaged weights x in the
// model; resuming switches back to y exactly, so the run continues bit for bit.
TEST_F(TrainerResume, ScheduleFreeResumesFromAnEpochCheckpoint) {
  expect_epoch_resume_is_exact("sgd_schedulefree:lr=0.5,warmup_steps=5", tmp_ / "run.ckpt");
}

// sam re-evaluates each step's batch through the trainer's closure.
TEST_F(TrainerResume, SamResumesFromAnEpochCheckpoint) {
  expect_epoch_resume_is_exact("sam:base=sgd,lr=0.3,momentum=0.9,rho=0.1", tmp_ / "run.ckpt");
}

TEST_F(TrainerResume, MismatchedCheckpointIsRefused) {
  const fs::path ckpt = tmp_ / "run.ckpt";
  Rig plain({.epochs = 1, .everything = false, .checkpoint = ckpt});
  plain.fit();
  Rig full({.checkpoint = ckpt});
  full.trainer->resume_from(load_checkpoint(ckpt));
  try {
    full.fit();
    FAIL() << "expected a refusal";
  } catch (const std::runtime_error& e) {
    // The message names the checkpoint file and the first field this run cannot take.
    EXPECT_NE(std::string(e.what()).find(ckpt.string() + ": loop.step is "), std::string::npos)
        << e.what();
  }
}

TEST(TrainerHealth, NonFiniteGradientStopsNamingEpochStepAndParameter) {
  cli_test::TempDir tmp("descent-trainer");
  const fs::path ckpt = tmp / "run.ckpt";
  Rig s({.epochs = 3, .everything = false, .checkpoint = ckpt});
  // Epoch 1 completes and checkpoints; nothing may overwrite that checkpoint afterwards.
  class PoisonEpoch2 : public Callback {
   public:
    explicit PoisonEpoch2(Tensor p) : p_(p) {}
    void on_batch_end(TrainState& st) override {
      if (st.epoch == 2 && st.batch == 5) p_.grad().data()[1] = NAN;
    }
    Tensor p_;
  } poison(s.model->named_parameters()[3].tensor);  // "2.bias"
  s.trainer->add_callback(poison);
  std::string before;
  class Snapshot : public Callback {
   public:
    Snapshot(const fs::path& f, std::string& out) : f_(f), out_(out) {}
    void on_epoch_begin(TrainState& st) override {
      if (st.epoch == 2) out_ = read_file(f_);
    }
    fs::path f_;
    std::string& out_;
  } snapshot(ckpt, before);
  s.trainer->add_callback(snapshot);
  const TrainResult r = s.fit();
  EXPECT_EQ(r.stop_reason, StopReason::NonFinite);
  EXPECT_EQ(r.stop_message,
            "non-finite gradient at epoch 2, step 18 (batch 5 of 13): first in parameter "
            "'2.bias'");
  EXPECT_EQ(r.history.size(), 1u);
  ASSERT_FALSE(before.empty());
  EXPECT_EQ(read_file(ckpt), before) << "the last good checkpoint must survive";
  for (float w : s.weights()) ASSERT_TRUE(std::isfinite(w)) << "the bad step was not taken";
}

TEST(TrainerHealth, NonFiniteLossNamesTheFirstBadWeight) {
  Rig s({.epochs = 1, .everything = false});
  class PoisonWeight : public Callback {
   public:
    explicit PoisonWeight(Tensor p) : p_(p) {}
    void on_step_end(TrainState& st) override {
      if (st.step == 4) p_.data()[0] = INFINITY;
    }
    Tensor p_;
  } poison(s.model->named_parameters()[2].tensor);  // "2.weight"
  s.trainer->add_callback(poison);
  const TrainResult r = s.fit();
  EXPECT_EQ(r.stop_reason, StopReason::NonFinite);
  EXPECT_EQ(r.stop_message.rfind("non-finite loss (", 0), 0u) << r.stop_message;
  EXPECT_NE(r.stop_message.find("at epoch 1, step 5 (batch 5 of 13): first non-finite weight in "
                                "parameter '2.weight'"),
            std::string::npos)
      << r.stop_message;
}

TEST(TrainerHealth, SkipModeSkipsTheBadStepAndGoesOn) {
  Rig s({.epochs = 2, .everything = false});
  TrainOptions t;
  t.epochs = 2;
  t.batch_size = 32;
  t.skip_non_finite = true;
  Trainer trainer(*s.model, *s.optimizer, cross_entropy, t);
  PoisonGradient poison(s.model->named_parameters()[0].tensor, 3, NAN);
  trainer.add_callback(poison);
  Generator shuffle(3);
  const TrainResult r = trainer.fit(s.train, &s.validation, shuffle);
  EXPECT_EQ(r.stop_reason, StopReason::Completed);
  EXPECT_EQ(r.history[0].skipped_steps, 1);
  EXPECT_EQ(r.history[0].steps, 12);
  EXPECT_EQ(r.history[1].skipped_steps, 0);
  for (float w : s.weights()) ASSERT_TRUE(std::isfinite(w));
}

TEST(TrainerLoop, AccumulationEqualsOneLargerBatch) {
  // 400 examples: batches of 8 accumulated 4 at a time against batches of 32, in the same order
  // (no shuffle); 400 = 12 * 32 + 16, so the last group is short (2 minibatches) and must be
  // rescaled to its own mean, as the last batch of 16 is.
  auto run = [](int64_t batch, int64_t accumulate) {
    Rig s({.epochs = 2, .everything = false, .optimizer = "sgd:lr=0.5,momentum=0.9"});
    TrainOptions t;
    t.epochs = 2;
    t.batch_size = batch;
    t.accumulate = accumulate;
    t.shuffle = false;
    Trainer trainer(*s.model, *s.optimizer, cross_entropy, t);
    Generator g(0);
    const TrainResult r = trainer.fit(s.train, nullptr, g);
    EXPECT_EQ(r.history[0].steps, 13);
    return s.weights();
  };
  const auto big = run(32, 1), accumulated = run(8, 4);
  ASSERT_EQ(big.size(), accumulated.size());
  for (size_t i = 0; i < big.size(); ++i) EXPECT_NEAR(big[i], accumulated[i], 2e-5) << i;
}

TEST(TrainerLoop, GradientMetricsAreRecordedBeforeClipping) {
  Rig s({.epochs = 1, .everything = false, .optimizer = "sgd:lr=0.1"});
  TrainOptions t;
  t.epochs = 1;
  t.batch_size = 32;
  t.clip_norm = 1e-3;
  Trainer trainer(*s.model, *s.optimizer, cross_entropy, t);
  Generator g(3);
  const EpochMetrics m = trainer.fit(s.train, nullptr, g).history.at(0);
  EXPECT_GT(m.grad_norm_mean, 1e-2) << "the recorded norm is the one before clipping";
  EXPECT_GE(m.grad_norm_max, m.grad_norm_mean);
  ASSERT_EQ(m.update_ratio.size(), 4u);
  // Clipped to norm 1e-3 with lr 0.1, no parameter can move by more than 1e-4 in norm.
  for (const auto& p : s.model->named_parameters()) {
    const double ratio = m.update_ratio.at(p.name);
    EXPECT_GT(ratio, 0) << p.name;
    double norm = 0;
    for (float v : p.tensor.values()) norm += double(v) * v;
    EXPECT_LT(ratio * std::sqrt(norm), 1.5e-4) << p.name;
  }
}

TEST(TrainerLoop, LookaheadNesterovSgdGetsTheClosureItNeeds) {
  // form=lookahead_nesterov takes its gradient at the look-ahead point: the trainer must hand it
  // a closure (it used to call step() without one, which throws).
  Rig s({.epochs = 1,
         .everything = false,
         .optimizer = "sgd:lr=0.1,momentum=0.9,form=lookahead_nesterov"});
  ASSERT_TRUE(s.optimizer->needs_closure());
  TrainOptions t;
  t.epochs = 1;
  t.batch_size = 32;
  Trainer trainer(*s.model, *s.optimizer, cross_entropy, t);
  Generator g(3);
  const TrainResult r = trainer.fit(s.train, nullptr, g);
  ASSERT_EQ(r.stop_reason, StopReason::Completed) << r.stop_message;
  const EpochMetrics& m = r.history.at(0);
  EXPECT_TRUE(std::isfinite(m.train_loss));
  for (const auto& p : s.model->named_parameters())
    EXPECT_GT(m.update_ratio.at(p.name), 0) << p.name << ": measured around the whole step";
}

TEST(TrainerLoop, ProfileTimesEveryStepsPhasesAndOnlyWhenAsked) {
  for (const bool profile : {true, false}) {
    SCOPED_TRACE(profile ? "profile" : "no profile");
    Rig s({.epochs = 2, .everything = false});
    TrainOptions t;
    t.epochs = 2;
    t.batch_size = 32;
    t.profile = profile;
    Trainer trainer(*s.model, *s.optimizer, cross_entropy, t);
    Generator g(3);
    const TrainResult r = trainer.fit(s.train, nullptr, g);
    ASSERT_EQ(r.stop_reason, StopReason::Completed) << r.stop_message;
    const StepSeconds& seconds = trainer.step_seconds();
    const double phases[] = {seconds.zero_grad, seconds.gather,        seconds.forward_backward,
                             seconds.gemm,      seconds.gradient_norm, seconds.optimizer,
                             seconds.callbacks};
    if (!profile) {
      EXPECT_EQ(seconds.steps, 0);
      EXPECT_EQ(seconds.total, 0);
      for (double p : phases) EXPECT_EQ(p, 0);
      continue;
    }
    const int64_t steps_per_epoch = (s.train.size() + 31) / 32;
    EXPECT_EQ(seconds.steps, 2 * steps_per_epoch);
    for (double p : phases) EXPECT_GT(p, 0);
    // The products are part of forward and backward, and the phases part of the steps.
    EXPECT_LT(seconds.gemm, seconds.forward_backward);
    EXPECT_LE(seconds.zero_grad + seconds.gather + seconds.forward_backward +
                  seconds.gradient_norm + seconds.optimizer + seconds.callbacks,
              seconds.total);
    // fit() switched the products' timing off again: later products on this thread go uncounted.
    EXPECT_EQ(time_gemms_into(nullptr), nullptr);
  }
}

TEST(TrainerLoop, AveragedWeightsAreEvaluatedAndKept) {
  Rig s({.epochs = 2, .everything = false});
  TrainOptions t;
  t.epochs = 2;
  t.batch_size = 32;
  Trainer trainer(*s.model, *s.optimizer, cross_entropy, t);
  WeightAverage average(s.model->named_parameters(), 0.8);
  trainer.set_weight_average(average, true);
  Generator g(3);
  const TrainResult r = trainer.fit(s.train, &s.validation, g);
  // The model now holds the averaged weights: evaluating it reproduces the last validation.
  EXPECT_EQ(evaluate(*s.model, cross_entropy, s.validation).loss, r.history.back().val_loss);
  // And the live weights (now in the average's slots) differ from them.
  EXPECT_NE(average.averaged()[0].tensor.to_vector(), s.model->parameters()[0].to_vector());
}

// Schedule-free optimizers take gradients at y but are evaluated and kept at x: validation sees x,
// and the model ends holding x.
TEST(TrainerLoop, ScheduleFreeAveragedWeightsAreEvaluatedAndKept) {
  for (const char* spec : {"sgd_schedulefree:lr=0.5", "adamw_schedulefree:lr=0.01"}) {
    Rig s({.epochs = 2, .everything = false, .optimizer = spec});
    const TrainResult r = s.fit();
    EXPECT_EQ(evaluate(*s.model, cross_entropy, s.validation).loss, r.history.back().val_loss)
        << spec;
    const OptimizerState state = s.optimizer->state_dict();
    for (const auto& t : state.tensors)
      if (t.name == "state.0.x") {
        EXPECT_EQ(t.tensor.to_vector(), s.model->parameters()[0].to_vector()) << spec;
      }
    s.optimizer->train_params();  // y differs from x: the switch above was not a no-op
    EXPECT_NE(evaluate(*s.model, cross_entropy, s.validation).loss, r.history.back().val_loss)
        << spec;
  }
}

// sam and lbfgs re-evaluate the loss on the step's batch through the trainer's closure: they
// train, and resume from an epoch checkpoint bit for bit; accumulation is refused with them.
TEST(TrainerLoop, ClosureOptimizersTrainThroughTheTrainersClosure) {
  for (const char* spec : {"sam:base=adam,lr=0.01", "lbfgs:lr=0.5,max_iter=3"}) {
    Rig s({.epochs = 3, .everything = false, .optimizer = spec});
    const TrainResult r = s.fit();
    EXPECT_EQ(r.stop_reason, StopReason::Completed) << spec;
    EXPECT_LT(r.history.back().train_loss, 0.9 * r.history.front().train_loss) << spec;
  }
  Rig s({.everything = false, .optimizer = "sam"});
  TrainOptions t;
  t.accumulate = 2;
  try {
    Trainer trainer(*s.model, *s.optimizer, cross_entropy, t);
    ADD_FAILURE() << "accumulate = 2 with sam was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("optimizer 'sam' re-evaluates the loss"),
              std::string::npos)
        << e.what();
  }
}

// Early stopping on a scripted sequence of validation losses.
TEST(EarlyStoppingCallback, StopsAfterPatienceAndRestoresTheBestWeights) {
  Tensor w = Tensor::zeros({2});
  EarlyStopping es({.monitor = "val_loss", .patience = 3, .min_delta = 0.02}, {{"w", w}});
  const std::vector<double> losses = {1.0, 0.8, 0.85, 0.79, 0.9, 0.5};
  TrainState state;
  int64_t stopped_at = 0;
  for (size_t i = 0; i < losses.size() && !state.stop_reason; ++i) {
    EpochMetrics m;
    m.epoch = static_cast<int64_t>(i + 1);
    m.val_loss = losses[i];
    w.data()[0] = static_cast<float>(m.epoch);  // the weights "of" epoch i+1
    es.on_epoch_end(state, m);
    stopped_at = m.epoch;
  }
  // 0.79 is not below 0.8 - min_delta: epochs 3, 4, 5 fail to improve, so epoch 5 stops.
  EXPECT_EQ(stopped_at, 5);
  EXPECT_EQ(state.stop_reason, StopReason::EarlyStopping);
  EXPECT_EQ(es.best_epoch(), 2);
  EXPECT_EQ(state.stop_message, "val_loss did not improve for 3 epochs (best 0.8 at epoch 2)");
  TrainResult result;
  result.stop_reason = StopReason::EarlyStopping;
  es.on_train_end(state, result);
  EXPECT_EQ(w.data()[0], 2.0f);
}

TEST(EarlyStoppingCallback, MaxModeForAccuracyAndBadNames) {
  Tensor w = Tensor::zeros({1});
  EarlyStopping es({.monitor = "val_accuracy", .patience = 1}, {{"w", w}});
  EXPECT_TRUE(es.maximizes());
  TrainState state;
  for (double acc : {0.5, 0.7, 0.6}) {
    EpochMetrics m;
    m.epoch++;
    m.val_accuracy = acc;
    es.on_epoch_end(state, m);
  }
  EXPECT_EQ(state.stop_reason, StopReason::EarlyStopping);
  EXPECT_THROW(EarlyStopping({.monitor = "val_los"}, {}), std::invalid_argument);
  EXPECT_THROW(EarlyStopping({.mode = "lowest"}, {}), std::invalid_argument);
  EpochMetrics no_validation;
  no_validation.epoch = 1;
  EarlyStopping needs_val({}, {});
  EXPECT_THROW(needs_val.on_epoch_end(state, no_validation), std::runtime_error);
}

TEST(EarlyStoppingCallback, StopsATrainingThatStalls) {
  // lr = 0: the validation loss never moves, so patience 2 stops after epoch 3.
  Rig s({.epochs = 10, .everything = false, .optimizer = "sgd:lr=0"});
  TrainOptions t;
  t.epochs = 10;
  t.batch_size = 32;
  Trainer trainer(*s.model, *s.optimizer, cross_entropy, t);
  EarlyStopping es({.patience = 2}, s.model->named_parameters());
  trainer.add_callback(es);
  Generator g(3);
  const TrainResult r = trainer.fit(s.train, &s.validation, g);
  EXPECT_EQ(r.stop_reason, StopReason::EarlyStopping);
  EXPECT_EQ(r.history.size(), 3u);
  EXPECT_EQ(es.best_epoch(), 1);
}

}  // namespace test_trainer
}  // namespace descent
