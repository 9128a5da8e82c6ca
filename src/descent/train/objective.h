#pragma once
// What training minimizes. For each minibatch an objective gives the loss to differentiate and
// the numbers to report beside it: named terms ("reconstruction", "kl", ...) and, for
// classifiers, how many examples it got right. A classifier's objective is its loss on the
// model's outputs (objectives/supervised.h); autoencoders corrupt their inputs, sample codes and
// add penalties (objectives/autoencoder.h, objectives/variational.h). The trainer averages every
// term over the epoch and writes them as train_<term> and val_<term> to metrics.jsonl.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "descent/data/dataset.h"
#include "descent/data/loader.h"
#include "descent/distributed/communicator.h"
#include "descent/nn/module.h"
#include "descent/train/metrics.h"
#include "descent/util/random.h"

namespace descent {

struct ObjectiveValue {
  Tensor loss;                          // a scalar; in training, with the graph to differentiate
  std::map<std::string, double> terms;  // minibatch means, reported beside the loss
  int64_t correct = -1;                 // examples classified right; -1: accuracy does not apply
};

class Objective {
 public:
  virtual ~Objective() = default;
  // The model the objective trains (its parameters, modes and generators).
  virtual Module& model() = 0;
  // One minibatch. In training mode the loss carries its graph; evaluation calls it under
  // NoGradGuard with the model in evaluation mode.
  virtual ObjectiveValue compute(const Batch& batch) = 0;
  // Before a pass over a validation or test set: objectives that draw random numbers while
  // evaluating (noise, samples) restart those streams, so every evaluation sees the same draws.
  virtual void begin_evaluation() {}
  // Whether evaluation draws (then every rank evaluates every batch, so that each batch gets the
  // draws one process would give it, rather than its share of batches).
  virtual bool draws_in_evaluation() const { return false; }
  // At the start of each training epoch (1-based), for terms that follow the epoch (KL warm-up).
  virtual void set_epoch(int64_t /*epoch*/) {}
  // The random streams training draws from (input noise, samples), saved in checkpoints.
  virtual std::vector<Generator*> generators() { return {}; }
};

// Means over a whole dataset, in batches, without gradients and in evaluation mode: the loss,
// every term, and the accuracy where the objective counts correct examples. With several ranks,
// each evaluates its share of the batches and every rank gets the means over all of them, added
// batch by batch in order: the same numbers on any number of ranks (distributed/tally.h).
EvalResult evaluate(Objective& objective, const Dataset& data, int64_t batch_size = 1000,
                    Communicator& comm = single_process());

}  // namespace descent
