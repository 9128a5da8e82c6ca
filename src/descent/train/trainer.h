#pragma once
// The training loop: epochs of shuffled minibatches, one optimizer step per batch, evaluation on
// the validation set after each epoch (without gradients), and callbacks at every stage.
#include <vector>

#include "descent/data/dataset.h"
#include "descent/nn/loss.h"
#include "descent/nn/module.h"
#include "descent/optim/optimizer.h"
#include "descent/train/callback.h"

namespace descent {

struct TrainOptions {
  int64_t epochs = 10;
  int64_t batch_size = 128;
  bool shuffle = true;
  bool drop_last = false;
  int64_t eval_batch_size = 1000;
};

class Trainer {
 public:
  Trainer(Module& model, Optimizer& optimizer, LossFunction loss, TrainOptions options);
  void add_callback(Callback& callback) { callbacks_.push_back(&callback); }

  // validation may be null. The generator draws every epoch's shuffle.
  TrainResult fit(const Dataset& train, const Dataset* validation, Generator& gen);

 private:
  Module& model_;
  Optimizer& optimizer_;
  LossFunction loss_;
  TrainOptions options_;
  std::vector<Callback*> callbacks_;
};

}  // namespace descent
