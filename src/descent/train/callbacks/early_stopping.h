#pragma once
// EarlyStopping: stops training when a monitored metric has not improved for `patience` epochs,
// as Keras's callback does. An epoch improves on the best so far when
//   mode min: value < best - min_delta        mode max: value > best + min_delta
// (mode auto: max for accuracies, min otherwise); after `patience` epochs in a row without
// improvement the loop stops (patience 0: at the first). With restore_best, the weights of the
// best epoch are kept in memory and put back when training ends, whether it stopped early, ran
// all its epochs or diverged, so the saved model is the best one validated. The weights are
// those the trainer evaluates: the live parameters, or the weight average when evaluation uses
// it.
#include <string>
#include <vector>

#include "descent/tensor/named_tensor.h"
#include "descent/train/callback.h"

namespace descent {

struct EarlyStoppingOptions {
  std::string monitor = "val_loss";  // val_loss, val_accuracy, train_loss, train_accuracy
  std::string mode = "auto";         // min, max, auto
  int64_t patience = 5;
  double min_delta = 0;
  bool restore_best = true;
};

class EarlyStopping : public Callback {
 public:
  // `weights` are handles to the tensors to keep and restore. Throws std::invalid_argument for
  // an unknown monitor or mode.
  EarlyStopping(EarlyStoppingOptions options, std::vector<NamedTensor> weights);

  void on_epoch_end(TrainState& state, EpochMetrics& m) override;
  void on_train_end(TrainState& state, const TrainResult& result) override;
  void save_state(Checkpoint& checkpoint) const override;  // meta and "early_stopping.*"
  void load_state(const Checkpoint& checkpoint) override;

  int64_t best_epoch() const { return best_epoch_; }  // 0 before the first epoch
  double best_value() const { return best_; }
  bool maximizes() const { return maximize_; }
  // Whether training ended with the best epoch's weights put back (restore_best, a run that
  // finished, stopped early or diverged, and a best epoch to restore).
  bool restored() const { return restored_; }

 private:
  EarlyStoppingOptions options_;
  std::vector<NamedTensor> weights_;
  std::vector<NamedTensor> best_weights_;  // own copies, when restore_best
  bool maximize_ = false;
  double best_;
  int64_t best_epoch_ = 0;
  int64_t wait_ = 0;  // epochs since the last improvement
  bool restored_ = false;
};

// The monitored value of an epoch's metrics (NaN when it does not apply, e.g. val_loss without a
// validation set). Throws std::invalid_argument for an unknown name.
double monitored_value(const EpochMetrics& m, const std::string& monitor);

}  // namespace descent
