#pragma once
// The training loop: epochs of shuffled minibatches and, for every optimizer step,
//   1. forward and backward over `accumulate` minibatches (each loss scaled by 1/accumulate, so
//      the step sees the mean gradient; a short last group is rescaled to its own mean),
//   2. L1/L2 penalty gradients (on the parameters the options name),
//   3. the health check: a non-finite loss or gradient stops training (or skips the step),
//   4. the global gradient norm (recorded before clipping), then clipping by norm and by value,
//   5. optimizer step, weight average update, update-to-weight ratios,
// with evaluation on the validation set after each epoch (on the averaged weights when asked),
// callbacks at every stage, and checkpoints every N epochs, at the end and on Ctrl-C.
// Data-parallel (TrainOptions::comm with several ranks, docs/distributed.md): every rank computes
// step 1 on its shard of each global batch, the ranks sum the gradients (and the batch's tallies)
// before step 2, and every later stage runs identically on every rank; rank 0 alone writes
// checkpoints.
#include <array>
#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <vector>

#include "descent/data/dataset.h"
#include "descent/data/loader.h"
#include "descent/distributed/communicator.h"
#include "descent/distributed/gradient_buckets.h"
#include "descent/distributed/ordered_gradient_sum.h"
#include "descent/distributed/tally.h"
#include "descent/nn/loss.h"
#include "descent/nn/module.h"
#include "descent/optim/optimizer.h"
#include "descent/optim/weight_average.h"
#include "descent/train/callback.h"
#include "descent/train/checkpoint.h"
#include "descent/train/objective.h"
#include "descent/train/step_seconds.h"

namespace descent {

struct TrainOptions {
  int64_t epochs = 10;
  int64_t batch_size = 128;
  bool shuffle = true;
  bool drop_last = false;
  int64_t eval_batch_size = 1000;
  int64_t accumulate = 1;        // minibatches per optimizer step
  bool skip_non_finite = false;  // skip steps with a NaN/Inf loss or gradient instead of stopping
  bool flush_denormals = true;   // subnormal floats as zero while training (util/float_mode.h)
  bool profile = false;          // time each phase of a step (train/step_seconds.h)
  double clip_norm = 0;          // > 0: clip the global gradient 2-norm (per layer with below)
  bool clip_per_layer = false;
  double clip_value = 0;  // > 0: clamp each gradient element to [-clip_value, clip_value]
  double l1 = 0, l2 = 0;  // penalties on the parameters of rank >= 2 (all with penalize_1d)
  bool penalize_1d = false;
  std::filesystem::path checkpoint_path;  // empty: no checkpoints
  int64_t checkpoint_every = 1;           // epochs; 0: only at the end and on Ctrl-C
  // Data parallelism: the ranks training this model together (null: this process alone).
  Communicator* comm = nullptr;
  // Each batch as `micro_shards` parts summed in order: the same bits on any number of ranks
  // (distributed/ordered_gradient_sum.h). Otherwise gradients are summed in buckets of
  // `bucket_bytes`, started while backward runs when `overlap_reduction` (gradient_buckets.h).
  bool deterministic_reduction = false;
  int64_t micro_shards = 4;
  int64_t bucket_bytes = 1 << 20;
  bool overlap_reduction = true;
};

class Trainer {
 public:
  // Trains `objective.model()` to minimize the objective.
  Trainer(Objective& objective, Optimizer& optimizer, TrainOptions options);
  // A supervised model: the loss of its outputs (accuracy counted when the data has classes).
  Trainer(Module& model, Optimizer& optimizer, LossFunction loss, TrainOptions options);
  void add_callback(Callback& callback) { callbacks_.push_back(&callback); }
  // Updates `average` after every step; with `evaluate`, validation uses the averaged weights
  // and, when training ends, the model takes them.
  void set_weight_average(WeightAverage& average, bool evaluate);

  // The next fit() continues from this checkpoint (written by a fit() with the same model,
  // optimizer, callbacks and data): weights, optimizer, generators, loop position, history.
  // Throws naming what does not match.
  void resume_from(Checkpoint checkpoint);
  // Takes the pending checkpoint now, as fit() will, without training: every field is checked
  // against this trainer (its options, model, optimizer, weight average and callbacks) and
  // `train`'s batches, so that a checkpoint the run cannot take is refused (CheckpointError,
  // naming the file, field, value and what was expected) before anything on disk changes.
  void check_resume(const Dataset& train);

  // validation may be null. The generator draws every epoch's shuffle.
  TrainResult fit(const Dataset& train, const Dataset* validation, Generator& gen);

  // Seconds spent waiting for gradient sums to finish (data-parallel), since construction.
  double reduction_wait_seconds() const { return buckets_ ? buckets_->wait_seconds() : 0; }
  // With options.profile: where this process's steps spent their time (all zero without).
  const StepSeconds& step_seconds() const { return step_seconds_; }

 private:
  struct EpochTotals;
  void init();
  using Clock = std::chrono::steady_clock;
  // One optimizer step from the next `accumulate` minibatches. Returns false at the end of the
  // epoch or when training must stop (state.stop_reason set).
  bool train_step(DataLoader& loader, TrainState& state, EpochTotals& totals);
  // Forward and backward over this rank's parts of a global batch of `count` rows (its shard, or
  // its micro-shards), each loss scaled by its share of the batch times `scale`; a tally per part.
  std::vector<Tally> compute_parts(float scale, bool last_backward);
  void gather_parts(const DataLoader& loader, const int64_t* rows, int64_t count);
  // The global gradient: the parts' gradients summed over the ranks.
  void reduce_gradients();
  // Refuses a batch with fewer rows than the parts it is cut into.
  void check_parts(const DataLoader& loader) const;
  int64_t parts_per_batch() const;
  RowRange part_rows(int64_t count, int64_t local) const;
  bool interrupt_agreed();
  // &field when steps are being timed (options.profile), else null: AddSeconds's target.
  double* timed(double& field) { return options_.profile ? &field : nullptr; }
  void restore(const Checkpoint& checkpoint, Generator& gen, TrainState& state, EpochTotals& totals,
               TrainResult& result);
  void write_checkpoint(const TrainState& state, const EpochTotals& totals,
                        const GeneratorState& epoch_rng, const TrainResult& result) const;
  // Returns false when the step's gradients are not finite (message in state.stop_message).
  bool gradients_are_finite(TrainState& state, double& norm);
  void measure_update_ratios(EpochTotals& totals);
  EpochMetrics close_epoch(const Dataset& train, const Dataset* validation, TrainState& state,
                           const EpochTotals& totals, double train_seconds);

  std::unique_ptr<Objective> owned_objective_;  // the supervised one built from a loss
  Objective& objective_;
  Module& model_;
  Optimizer& optimizer_;
  TrainOptions options_;
  std::vector<Callback*> callbacks_;
  WeightAverage* average_ = nullptr;
  bool evaluate_average_ = false;
  std::vector<NamedTensor> params_;        // the model's, by name
  std::vector<Tensor> tensors_;            // the same, unnamed
  std::vector<Tensor> penalized_;          // what l1/l2 apply to
  std::vector<UpdateNorms> update_norms_;  // per parameter: how far this step moved it
  // Whether optimizer_.step() measures update_norms_ as it steps; when not, the trainer copies the
  // weights into before_step_ and compares after.
  bool optimizer_measures_ = false;
  std::vector<Tensor> before_step_;
  std::optional<Checkpoint> resume_;
  Communicator& comm_;
  std::unique_ptr<GradientBuckets> buckets_;     // several ranks, fast path
  std::unique_ptr<OrderedGradientSum> ordered_;  // deterministic_reduction
  std::vector<Batch> parts_;                     // this rank's parts of the batch in progress
  int64_t batch_rows_ = 0;                       // of the global batch they come from
  uint64_t batch_serial_ = 0;                    // of that batch (util/batch_shard.h)
  bool classes_ = false;                         // the training data has classes
  Clock::time_point epoch_start_;
  StepSeconds step_seconds_;
};

}  // namespace descent
