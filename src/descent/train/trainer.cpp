#include "descent/train/trainer.h"

#include <chrono>

#include "descent/data/loader.h"
#include "descent/train/evaluate.h"

namespace descent {
namespace {
using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}
}  // namespace

Trainer::Trainer(Module& model, Optimizer& optimizer, LossFunction loss, TrainOptions options)
    : model_(model), optimizer_(optimizer), loss_(std::move(loss)), options_(options) {}

TrainResult Trainer::fit(const Dataset& train, const Dataset* validation, Generator& gen) {
  TrainResult result;
  const auto run_start = Clock::now();
  DataLoader loader(train, options_.batch_size, options_.shuffle, options_.drop_last);
  TrainState state;
  state.epochs = options_.epochs;
  state.batches_per_epoch = loader.num_batches();
  for (Callback* c : callbacks_) c->on_train_begin(state);
  double best = INFINITY;
  for (int64_t epoch = 1; epoch <= options_.epochs && state.stop_reason.empty(); ++epoch) {
    state.epoch = epoch;
    state.batch = 0;
    state.samples_in_epoch = 0;
    state.running_loss = 0;
    for (Callback* c : callbacks_) c->on_epoch_begin(state);
    const auto epoch_start = Clock::now();
    model_.set_training(true);
    loader.start_epoch(gen);
    double loss_sum = 0;
    int64_t correct = 0;
    Batch batch;
    while (loader.next(batch)) {
      optimizer_.zero_grad();
      Tensor out = model_(batch.inputs);
      Tensor loss = loss_(out, batch.targets);
      loss.backward();
      optimizer_.step();
      loss_sum += static_cast<double>(loss.item()) * batch.size();
      if (train.num_classes > 0) correct += count_correct(out, batch.targets);
      state.batch++;
      state.step++;
      state.samples_in_epoch += batch.size();
      state.running_loss = loss_sum / static_cast<double>(state.samples_in_epoch);
      state.epoch_seconds = since(epoch_start);
      for (Callback* c : callbacks_) c->on_batch_end(state);
    }
    EpochMetrics m;
    m.epoch = epoch;
    const double train_seconds = since(epoch_start);
    const double seen = static_cast<double>(std::max<int64_t>(state.samples_in_epoch, 1));
    m.train_loss = loss_sum / seen;
    if (train.num_classes > 0) m.train_accuracy = static_cast<double>(correct) / seen;
    m.samples_per_second = static_cast<double>(state.samples_in_epoch) / train_seconds;
    m.lr = optimizer_.param_groups().front().get("lr");
    if (validation && validation->size() > 0) {
      EvalResult v = evaluate(model_, loss_, *validation, options_.eval_batch_size);
      m.val_loss = v.loss;
      m.val_accuracy = v.accuracy;
    }
    m.seconds = since(epoch_start);
    const double monitored = std::isfinite(m.val_loss) ? m.val_loss : m.train_loss;
    if (monitored < best) {
      best = monitored;
      result.best_epoch = epoch;
    }
    result.history.push_back(m);
    for (Callback* c : callbacks_) c->on_epoch_end(state, m);
  }
  if (!state.stop_reason.empty()) result.stop_reason = state.stop_reason;
  result.seconds = since(run_start);
  for (Callback* c : callbacks_) c->on_train_end(state, result);
  return result;
}

}  // namespace descent
