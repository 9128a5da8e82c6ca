#include "descent/train/trainer.h"

#include <chrono>
#include <cmath>

#include "descent/data/loader.h"
#include "descent/ops/ops.h"
#include "descent/optim/clip_grad.h"
#include "descent/optim/penalty.h"
#include "descent/train/checkpoint_fields.h"
#include "descent/train/evaluate.h"
#include "descent/train/interrupt.h"
#include "descent/train/objectives/supervised.h"
#include "descent/util/batch_shard.h"
#include "descent/util/float_mode.h"
#include "descent/util/sum_squares_in_pieces.h"

namespace descent {
namespace {
using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

std::string where(const TrainState& s) {
  return "epoch " + std::to_string(s.epoch) + ", step " + std::to_string(s.step + 1) + " (batch " +
         std::to_string(s.batch) + " of " + std::to_string(s.batches_per_epoch) + ")";
}

std::string first_non_finite_value(const std::vector<NamedTensor>& params) {
  for (const auto& p : params)
    for (float v : p.tensor.values())
      if (!std::isfinite(v)) return p.name;
  return "";
}

}  // namespace

// The running sums of the epoch in progress; saved in mid-epoch checkpoints.
struct Trainer::EpochTotals {
  EpochTotals() = default;
  explicit EpochTotals(size_t num_params) : ratio_sum(num_params, 0.0) {}
  double loss_sum = 0;       // sum of finite minibatch losses times their sizes
  int64_t loss_samples = 0;  // examples behind loss_sum
  int64_t samples = 0;       // every example seen
  int64_t correct = 0;
  int64_t counted = 0;                  // examples behind `correct` (the objective counted)
  std::map<std::string, double> terms;  // the objective's terms times minibatch sizes
  double grad_norm_sum = 0, grad_norm_max = 0;
  int64_t steps = 0, skipped = 0;
  std::vector<double> ratio_sum;  // per parameter

  // With defaults: checkpoints written before `counted` and `terms` existed still load.
  NLOHMANN_DEFINE_TYPE_INTRUSIVE_WITH_DEFAULT(EpochTotals, loss_sum, loss_samples, samples, correct,
                                              counted, terms, grad_norm_sum, grad_norm_max, steps,
                                              skipped, ratio_sum)
};

Trainer::Trainer(Module& model, Optimizer& optimizer, LossFunction loss, TrainOptions options)
    : owned_objective_(std::make_unique<SupervisedObjective>(model, std::move(loss), true)),
      objective_(*owned_objective_),
      model_(model),
      optimizer_(optimizer),
      options_(options),
      comm_(options.comm ? *options.comm : single_process()) {
  init();
}

Trainer::Trainer(Objective& objective, Optimizer& optimizer, TrainOptions options)
    : objective_(objective),
      model_(objective.model()),
      optimizer_(optimizer),
      options_(options),
      comm_(options.comm ? *options.comm : single_process()) {
  init();
}

void Trainer::init() {
  if (options_.accumulate < 1)
    throw std::invalid_argument("accumulate must be >= 1, got " +
                                std::to_string(options_.accumulate));
  if (optimizer_.needs_closure() && options_.accumulate > 1)
    throw std::invalid_argument(
        "optimizer '" + optimizer_.name() +
        "' re-evaluates the loss on the batch it steps on, which train.accumulate = " +
        std::to_string(options_.accumulate) + " would spread over several (use accumulate = 1)");
  params_ = model_.named_parameters();
  for (const auto& p : params_) {
    tensors_.push_back(p.tensor);
    if (p.tensor.dim() >= 2 || options_.penalize_1d) penalized_.push_back(p.tensor);
  }
  update_norms_.resize(params_.size());
  optimizer_measures_ = optimizer_.walks_parameters() && !optimizer_.needs_closure();
  if (!optimizer_measures_)
    for (const auto& p : params_) before_step_.push_back(Tensor::empty(p.tensor.shape()));
  if (options_.deterministic_reduction)
    ordered_ = std::make_unique<OrderedGradientSum>(comm_, tensors_, options_.micro_shards);
  else if (comm_.size() > 1)
    buckets_ = std::make_unique<GradientBuckets>(comm_, tensors_, options_.bucket_bytes,
                                                 options_.overlap_reduction);
  parts_.resize(static_cast<size_t>(ordered_ ? ordered_->count() : 1));
}

int64_t Trainer::parts_per_batch() const { return ordered_ ? options_.micro_shards : comm_.size(); }

RowRange Trainer::part_rows(int64_t count, int64_t local) const {
  return ordered_ ? part_of(count, ordered_->first() + local, options_.micro_shards)
                  : part_of(count, comm_.rank(), comm_.size());
}

void Trainer::check_parts(const DataLoader& loader) const {
  const int64_t parts = parts_per_batch(), n = loader.dataset().size();
  if (parts == 1) return;
  const int64_t full = std::min(options_.batch_size, n);
  const int64_t last =
      options_.drop_last || n % options_.batch_size == 0 ? full : n % options_.batch_size;
  const std::string cut =
      ordered_ ? "train.micro_shards = " + std::to_string(parts) : std::to_string(parts) + " ranks";
  if (full < parts)
    throw std::invalid_argument("train.batch_size = " + std::to_string(options_.batch_size) +
                                " cannot be shared out among " + cut + ": every part needs a row");
  if (last < parts)
    throw std::invalid_argument("the last batch of each epoch has " + std::to_string(last) +
                                " rows, fewer than " + cut +
                                " need (every part needs a row); set train.drop_last = true");
}

bool Trainer::interrupt_agreed() {
  return comm_.size() > 1 ? comm_.any(interrupt_requested()) : interrupt_requested();
}

void Trainer::gather_parts(const DataLoader& loader, const int64_t* rows, int64_t count) {
  for (size_t u = 0; u < parts_.size(); ++u) {
    const RowRange r = part_rows(count, static_cast<int64_t>(u));
    loader.gather(rows + r.first, r.count, parts_[u]);
  }
  batch_rows_ = count;
  batch_serial_ = next_batch_serial();
}

std::vector<Tally> Trainer::compute_parts(float scale, bool last_backward) {
  const int64_t count = batch_rows_;
  std::vector<Tally> tallies;
  for (size_t u = 0; u < parts_.size(); ++u) {
    const Batch& batch = parts_[u];
    const RowRange r = part_rows(count, static_cast<int64_t>(u));
    // One process with the whole batch draws as it always has; a part draws its rows' share.
    std::optional<BatchShardScope> shard;
    if (parts_per_batch() > 1) shard.emplace(BatchShard{r.first, count, batch_serial_});
    ObjectiveValue objective = objective_.compute(batch);
    Tensor& loss = objective.loss;
    const float value = loss.item();
    Tally t;
    t.samples = r.count;
    if (!std::isfinite(value)) {
      t.non_finite = 1;
      t.non_finite_loss = value;
    } else {
      t.loss_sum = static_cast<double>(value) * static_cast<double>(r.count);
      t.loss_samples = r.count;
      if (classes_ && objective.correct >= 0) {
        t.correct = objective.correct;
        t.counted = r.count;
      }
      for (const auto& [name, term] : objective.terms)
        t.terms[name] = term * static_cast<double>(r.count);
      // The part's mean loss times its share of the batch: the sum over parts is the batch mean.
      const float share = static_cast<float>(r.count) / static_cast<float>(count) * scale;
      // The last backward of a step starts summing buckets as their gradients are done.
      const auto watch = [&]() -> std::optional<GradientReadyScope> {
        if (buckets_ && last_backward) return buckets_->watch_backward();
        return std::nullopt;
      }();
      (share == 1.0f ? loss : mul_scalar(loss, share)).backward();
    }
    if (ordered_) ordered_->keep(static_cast<int64_t>(u));
    tallies.push_back(std::move(t));
  }
  return tallies;
}

void Trainer::reduce_gradients() {
  if (ordered_)
    ordered_->finish();
  else if (buckets_)
    buckets_->finish();
}

void Trainer::set_weight_average(WeightAverage& average, bool evaluate) {
  average_ = &average;
  evaluate_average_ = evaluate;
}

void Trainer::resume_from(Checkpoint checkpoint) { resume_ = std::move(checkpoint); }

bool Trainer::gradients_are_finite(TrainState& state, double& norm) {
  norm = grad_norm(tensors_);
  if (std::isfinite(norm)) return true;
  state.stop_message = "non-finite gradient at " + where(state) + ": first in parameter '" +
                       first_non_finite_grad(params_) + "'";
  return false;
}

void Trainer::measure_update_ratios(EpochTotals& totals) {
  for (size_t i = 0; i < params_.size(); ++i) {
    UpdateNorms& norms = update_norms_[i];
    if (!optimizer_measures_)
      norms.change = sum_squared_difference_in_pieces(
          params_[i].tensor.data(), before_step_[i].data(), params_[i].tensor.numel());
    // A parameter that is exactly zero (a zero-initialized bias) has no meaningful ratio yet.
    totals.ratio_sum[i] += norms.before > 0 ? std::sqrt(norms.change / norms.before) : 0.0;
  }
}

EpochMetrics Trainer::close_epoch(const Dataset& train, const Dataset* validation,
                                  TrainState& state, const EpochTotals& totals,
                                  double train_seconds) {
  EpochMetrics m;
  m.epoch = state.epoch;
  const double seen = static_cast<double>(std::max<int64_t>(totals.loss_samples, 1));
  m.train_loss = totals.loss_samples > 0 ? totals.loss_sum / seen : NAN;
  if (train.num_classes > 0 && totals.counted > 0)
    m.train_accuracy = static_cast<double>(totals.correct) / static_cast<double>(totals.counted);
  for (const auto& [name, sum] : totals.terms) m.extra["train_" + name] = sum / seen;
  m.samples_per_second = static_cast<double>(totals.samples) / std::max(train_seconds, 1e-9);
  m.lr = optimizer_.param_groups().front().get("lr");
  m.steps = totals.steps;
  m.skipped_steps = totals.skipped;
  if (totals.steps > 0) {
    m.grad_norm_mean = totals.grad_norm_sum / static_cast<double>(totals.steps);
    m.grad_norm_max = totals.grad_norm_max;
    for (size_t i = 0; i < params_.size(); ++i)
      m.update_ratio[params_[i].name] = totals.ratio_sum[i] / static_cast<double>(totals.steps);
  }
  if (validation && validation->size() > 0) {
    const bool swap = average_ && evaluate_average_;
    if (swap) average_->swap();
    EvalResult v = evaluate(objective_, *validation, options_.eval_batch_size, comm_);
    if (swap) average_->swap();
    m.val_loss = v.loss;
    if (validation->num_classes > 0) m.val_accuracy = v.accuracy;
    for (const auto& [name, value] : v.terms) m.extra["val_" + name] = value;
  }
  return m;
}

void Trainer::write_checkpoint(const TrainState& state, const EpochTotals& totals,
                               const GeneratorState& epoch_rng, const TrainResult& result) const {
  if (options_.checkpoint_path.empty() || comm_.rank() != 0) return;
  Checkpoint cp;
  cp.meta["format"] = "descent-checkpoint-1";
  cp.add_tensors("model", params_);
  OptimizerState opt = optimizer_.state_dict();
  cp.meta["optimizer"] = opt.meta;
  cp.add_tensors("optimizer", opt.tensors);
  if (average_) {
    cp.meta["ema"] = average_->meta();
    for (const auto& t : average_->state_tensors()) cp.tensors.push_back(t);
  }
  nlohmann::json generators = nlohmann::json::array(), objective = nlohmann::json::array();
  for (Generator* g : model_.generators()) generators.push_back(g->state());
  for (Generator* g : objective_.generators()) objective.push_back(g->state());
  cp.meta["rng"] = {{"epoch_start", epoch_rng}, {"model", generators}};
  if (!objective.empty()) cp.meta["rng"]["objective"] = objective;
  cp.meta["loop"] = {
      {"epoch", state.epoch}, {"batch", state.batch}, {"step", state.step}, {"totals", totals}};
  nlohmann::json history = nlohmann::json::array();
  for (const auto& m : result.history) history.push_back(to_json(m));
  cp.meta["history"] = history;
  for (const Callback* c : callbacks_) c->save_state(cp);
  save_checkpoint(options_.checkpoint_path, cp);
}

void Trainer::check_resume(const Dataset& train) {
  if (!resume_) return;
  Generator gen;
  TrainState state;
  state.batches_per_epoch =
      DataLoader(train, options_.batch_size, options_.shuffle, options_.drop_last).num_batches();
  EpochTotals totals(params_.size());
  TrainResult result;
  restore(*resume_, gen, state, totals, result);
}

namespace {

// The numbers an epoch's line in the history holds (EpochMetrics), each a number or null (NaN).
constexpr const char* kHistoryNumbers[] = {
    "train_loss", "train_accuracy",     "val_loss",       "val_accuracy", "lr",
    "seconds",    "samples_per_second", "grad_norm_mean", "grad_norm_max"};

void check_history(const CheckpointFields& f, int64_t epochs_done) {
  const nlohmann::json& history = f.list("history");
  if (static_cast<int64_t>(history.size()) != epochs_done)
    f.refuse("history", "a list of " + std::to_string(epochs_done) +
                            " epochs' metrics (the epochs before loop.epoch), not " +
                            std::to_string(history.size()));
  for (int64_t i = 0; i < epochs_done; ++i) {
    const std::string at = "history." + std::to_string(i);
    f.object(at);
    f.integer(at + ".epoch", i + 1, i + 1, "the history's epochs in order");
    for (const char* key : kHistoryNumbers)
      if (f.has(at + "." + key) && !f.at(at + "." + key, "").is_null() &&
          !f.at(at + "." + key, "").is_number())
        f.refuse(at + "." + key, "a number or null");
    for (const char* key : {"steps", "skipped_steps"})
      if (f.has(at + "." + key)) f.integer(at + "." + key, 0, INT64_MAX);
    if (f.has(at + ".update_ratio")) {
      for (const auto& [name, value] : f.object(at + ".update_ratio").items())
        if (!value.is_number()) f.refuse(at + ".update_ratio", "an object of numbers");
    }
  }
}

}  // namespace

void Trainer::restore(const Checkpoint& cp, Generator& gen, TrainState& state, EpochTotals& totals,
                      TrainResult& result) {
  const CheckpointFields f(cp);
  // A part's own loader (weights, optimizer, weight average, callbacks) says what is wrong; the
  // checkpoint's name goes before it.
  const auto part = [&](const std::string& what, const auto& load) {
    try {
      load();
    } catch (const CheckpointError&) {
      throw;
    } catch (const std::exception& e) {
      f.fail(what.empty() ? std::string(e.what()) : what + ": " + e.what());
    }
  };
  if (f.text("format") != "descent-checkpoint-1") f.refuse("format", "\"descent-checkpoint-1\"");

  // Where the loop stopped, against this run's length and batches.
  const int64_t batches = state.batches_per_epoch, accumulate = options_.accumulate;
  const int64_t steps_per_epoch = (batches + accumulate - 1) / accumulate;
  f.object("loop");
  const int64_t epoch = f.integer("loop.epoch", 1, options_.epochs + 1,
                                  "train.epochs is " + std::to_string(options_.epochs) +
                                      "; a finished run's checkpoint is at the epoch after");
  const int64_t batch =
      epoch > options_.epochs
          ? f.integer("loop.batch", 0, 0, "a finished run's checkpoint is at an epoch's start")
          : f.integer("loop.batch", 0, batches, "the batches in an epoch");
  const int64_t step = f.integer(
      "loop.step", 0, (epoch - 1) * steps_per_epoch + (batch + accumulate - 1) / accumulate,
      "the optimizer steps up to loop.epoch and loop.batch");
  const int64_t samples = f.integer("loop.totals.samples", 0, batch * options_.batch_size,
                                    "loop.batch times train.batch_size");
  f.integer("loop.totals.loss_samples", 0, samples, "loop.totals.samples");
  const int64_t counted = f.has("loop.totals.counted")
                              ? f.integer("loop.totals.counted", 0, samples, "loop.totals.samples")
                              : samples;
  f.integer("loop.totals.correct", 0, counted, "the examples counted");
  const int64_t group_steps = (batch + accumulate - 1) / accumulate;
  const int64_t taken = f.integer("loop.totals.steps", 0, group_steps, "the steps in loop.batch");
  f.integer("loop.totals.skipped", 0, group_steps - taken, "the steps in loop.batch");
  f.number("loop.totals.loss_sum");
  f.number("loop.totals.grad_norm_sum");
  f.number("loop.totals.grad_norm_max");
  if (f.has("loop.totals.terms"))
    for (const auto& [name, value] : f.object("loop.totals.terms").items())
      if (!value.is_number()) f.refuse("loop.totals.terms." + name, "a number");
  const nlohmann::json& ratios = f.list("loop.totals.ratio_sum");
  if (ratios.size() != params_.size())
    f.refuse("loop.totals.ratio_sum",
             "a list of " + std::to_string(params_.size()) + " numbers, one per parameter");
  for (size_t i = 0; i < ratios.size(); ++i) f.number("loop.totals.ratio_sum." + std::to_string(i));
  check_history(f, epoch - 1);

  // The generators: the shuffle's, one per layer that draws (dropout), one per part of the
  // objective that draws (noise, sampling).
  const GeneratorState shuffle = f.generator("rng.epoch_start");
  const std::vector<Generator*> generators = model_.generators();
  if (f.list("rng.model").size() != generators.size())
    f.refuse("rng.model", std::to_string(generators.size()) +
                              " generator states, one per layer that draws (dropout)");
  std::vector<GeneratorState> layer_states, objective_states;
  for (size_t i = 0; i < generators.size(); ++i)
    layer_states.push_back(f.generator("rng.model." + std::to_string(i)));
  const std::vector<Generator*> drawing = objective_.generators();
  const size_t saved_drawing = f.has("rng.objective") ? f.list("rng.objective").size() : 0;
  if (saved_drawing != drawing.size())
    f.refuse("rng.objective", std::to_string(drawing.size()) +
                                  " noise and sampling generator states, as the objective has");
  for (size_t i = 0; i < drawing.size(); ++i)
    objective_states.push_back(f.generator("rng.objective." + std::to_string(i)));

  // The tensors: weights, optimizer state, the weight average. Each loader checks its own names
  // and shapes before it changes anything.
  part("model weights", [&] {
    const std::vector<NamedTensor> weights = cp.tensors_under("model");
    require_finite(weights, "checkpoint model weights");
    copy_by_name(params_, weights, "checkpoint model weights");
  });
  f.object("optimizer");
  part("",  // its messages say "optimizer state"
       [&] {
         optimizer_.load_state_dict({cp.meta.at("optimizer"), cp.tensors_under("optimizer")});
       });
  if (average_) {
    f.at("ema", "the weight average's state, as [ema] is on");
    part("ema", [&] {
      std::vector<NamedTensor> ema;
      for (const auto& t : cp.tensors)
        if (t.name.rfind("ema.", 0) == 0) ema.push_back(t);
      average_->load_state(cp.meta.at("ema"), ema);
    });
  } else if (f.has("ema") || !cp.tensors_under("ema").empty()) {
    f.refuse("ema", "none, as [ema] is off");
  }

  // Everything checked: the loop takes its position.
  gen.set_state(shuffle);
  for (size_t i = 0; i < generators.size(); ++i) generators[i]->set_state(layer_states[i]);
  for (size_t i = 0; i < drawing.size(); ++i) drawing[i]->set_state(objective_states[i]);
  state.epoch = epoch;
  state.batch = batch;
  state.step = step;
  cp.meta.at("loop").at("totals").get_to(totals);
  result.history.clear();
  for (const auto& m : cp.meta.at("history")) result.history.push_back(epoch_metrics_from_json(m));
  for (Callback* c : callbacks_) part("callback state", [&] { c->load_state(cp); });
}

bool Trainer::train_step(DataLoader& loader, TrainState& state, EpochTotals& totals) {
  const AddSeconds whole(timed(step_seconds_.total));
  {
    const AddSeconds t(timed(step_seconds_.zero_grad));
    optimizer_.zero_grad();
  }
  if (ordered_) ordered_->clear();
  const float accumulate = static_cast<float>(options_.accumulate);
  int64_t got = 0;
  double loss_sum = 0;  // of this step's minibatches
  bool bad_loss = false, more = true;
  while (got < options_.accumulate) {
    const int64_t* rows = nullptr;
    int64_t count = 0;
    if (!loader.next_rows(rows, count)) {
      more = false;
      break;
    }
    ++got;
    state.batch++;
    {
      const AddSeconds t(timed(step_seconds_.gather));
      gather_parts(loader, rows, count);
    }
    std::vector<Tally> parts;
    {
      const AddSeconds t(timed(step_seconds_.forward_backward));
      double* const outer = time_gemms_into(timed(step_seconds_.gemm));
      parts = compute_parts(1.0f / accumulate, got == options_.accumulate);
      time_gemms_into(outer);
    }
    const Tally batch = sum_over_ranks(comm_, parts);
    if (batch.non_finite > 0 && !bad_loss) {
      bad_loss = true;
      const std::string culprit = first_non_finite_value(params_);
      state.stop_message =
          "non-finite loss (" + std::to_string(batch.non_finite_loss) + ") at " + where(state) +
          (culprit.empty() ? ": the weights are finite, the loss overflowed"
                           : ": first non-finite weight in parameter '" + culprit + "'");
    }
    if (batch.non_finite == 0) {
      // The batch's mean loss (one process: exactly the loss it computed).
      loss_sum += batch.loss_sum / static_cast<double>(batch.loss_samples);
      totals.loss_sum += batch.loss_sum;
      totals.loss_samples += batch.loss_samples;
      totals.correct += batch.correct;
      totals.counted += batch.counted;
      for (const auto& [name, term] : batch.terms) totals.terms[name] += term;
    }
    totals.samples += batch.samples;
    state.samples_in_epoch = totals.samples;
    state.running_loss = totals.loss_sum / std::max<double>(totals.loss_samples, 1);
    state.epoch_seconds = since(epoch_start_);
    {
      const AddSeconds t(timed(step_seconds_.callbacks));
      for (Callback* c : callbacks_) c->on_batch_end(state);
    }
    if (bad_loss && !options_.skip_non_finite) break;
  }
  if (got == 0) return false;
  if (!bad_loss) reduce_gradients();
  // A short last group: rescale to the mean over the minibatches it has.
  if (got < options_.accumulate && !bad_loss)
    scale_grads(tensors_, accumulate / static_cast<float>(got));
  if (!bad_loss && (options_.l1 > 0 || options_.l2 > 0))
    add_penalty_gradient(penalized_, options_.l1, options_.l2);
  double norm = 0;
  const bool finite = [&] {
    const AddSeconds t(timed(step_seconds_.gradient_norm));
    return !bad_loss && gradients_are_finite(state, norm);
  }();
  if (!finite) {
    if (!options_.skip_non_finite) {
      state.stop_reason = StopReason::NonFinite;
      return false;
    }
    totals.skipped++;
    state.stop_message.clear();
    return more;
  }
  if (options_.clip_norm > 0) {
    if (options_.clip_per_layer)
      clip_grad_norm_per_layer(params_, options_.clip_norm);
    else
      clip_grad_norm_given(tensors_, options_.clip_norm, norm);  // norm: measured above
  }
  if (options_.clip_value > 0) clip_grad_value(tensors_, options_.clip_value);
  state.lr = optimizer_.param_groups().front().get("lr");
  state.step_loss = loss_sum / static_cast<double>(got);
  state.grad_norm = norm;
  {
    const AddSeconds t(timed(step_seconds_.callbacks));
    for (Callback* c : callbacks_) c->on_gradients(state, parts_.front());
  }
  {
    const AddSeconds t(timed(step_seconds_.optimizer));
    std::fill(update_norms_.begin(), update_norms_.end(), UpdateNorms{});
    // The walk's copy and sums, in pieces on the threads as the optimizers that measure
    // themselves take theirs.
    if (!optimizer_measures_)
      for (size_t i = 0; i < params_.size(); ++i)
        update_norms_[i].before = copy_and_sum_squares_in_pieces(
            params_[i].tensor.data(), before_step_[i].data(), params_[i].tensor.numel());
    if (optimizer_.needs_closure()) {
      // lbfgs and sam evaluate the loss again (at other points) on the same batch: the gradient as
      // above, penalties included, without clipping. (accumulate is 1 with them.)
      optimizer_.step([&] {
        optimizer_.zero_grad();
        if (ordered_) ordered_->clear();
        const Tally again = sum_over_ranks(comm_, compute_parts(1.0f, true));
        reduce_gradients();
        if (options_.l1 > 0 || options_.l2 > 0)
          add_penalty_gradient(penalized_, options_.l1, options_.l2);
        return static_cast<float>(again.non_finite > 0 ? again.non_finite_loss
                                                       : again.loss_sum / again.loss_samples);
      });
    } else {
      optimizer_.step();
    }
    if (average_) average_->update();
    measure_update_ratios(totals);
  }
  totals.steps++;
  if (options_.profile) step_seconds_.steps++;
  totals.grad_norm_sum += norm;
  totals.grad_norm_max = std::max(totals.grad_norm_max, norm);
  state.step++;
  {
    const AddSeconds t(timed(step_seconds_.callbacks));
    for (Callback* c : callbacks_) c->on_step_end(state);
  }
  return more;
}

TrainResult Trainer::fit(const Dataset& train, const Dataset* validation, Generator& gen) {
  const FlushDenormals flush(options_.flush_denormals);
  TrainResult result;
  const auto run_start = Clock::now();
  DataLoader loader(train, options_.batch_size, options_.shuffle, options_.drop_last);
  check_parts(loader);
  // The optimizer outlives this fit and may be stepped by others: it measures for this one alone.
  struct Measuring {
    Optimizer& optimizer;
    ~Measuring() { optimizer.measure_updates({}, nullptr); }
  } measuring{optimizer_};
  if (optimizer_measures_) optimizer_.measure_updates(tensors_, &update_norms_);
  classes_ = train.num_classes > 0;
  TrainState state;
  state.epochs = options_.epochs;
  state.batches_per_epoch = loader.num_batches();
  EpochTotals totals(params_.size());
  int64_t first_epoch = 1, resumed_batches = 0;
  if (resume_) {
    restore(*resume_, gen, state, totals, result);
    resume_.reset();
    first_epoch = state.epoch;
    resumed_batches = state.batch;
  }
  for (Callback* c : callbacks_) c->on_train_begin(state);
  GeneratorState epoch_rng{};
  for (int64_t epoch = first_epoch; epoch <= options_.epochs && !state.stop_reason; ++epoch) {
    state.epoch = epoch;
    if (epoch != first_epoch || resumed_batches == 0) {
      state.batch = 0;
      totals = EpochTotals(params_.size());
    }
    for (Callback* c : callbacks_) c->on_epoch_begin(state);
    epoch_start_ = Clock::now();
    model_.set_training(true);
    optimizer_.train_params();  // schedule-free: back to the weights gradients are taken at
    objective_.set_epoch(epoch);
    epoch_rng = gen.state();
    loader.start_epoch(gen);
    loader.skip(state.batch);
    for (bool more = true; more && !state.stop_reason;) {
      // Between steps, on every rank at the same step: the checkpoint is a consistent state.
      if (interrupt_agreed()) {
        clear_interrupt();
        write_checkpoint(state, totals, epoch_rng, result);
        state.stop_reason = StopReason::Interrupted;
        const std::string by = *interrupt_name() ? std::string(" by ") + interrupt_name() : "";
        state.stop_message = "interrupted" + by + " after step " + std::to_string(state.step) +
                             " (epoch " + std::to_string(state.epoch) + ", " +
                             std::to_string(state.batch) + " of " +
                             std::to_string(state.batches_per_epoch) + " batches done)";
        break;
      }
      more = train_step(loader, state, totals);
    }
    if (state.stop_reason == StopReason::NonFinite || state.stop_reason == StopReason::Interrupted)
      break;
    // Schedule-free: the epoch's end (validation, early stopping's best weights, the checkpoint)
    // sees the averaged weights; the checkpoint keeps the optimizer's sequences, so resuming
    // switches back exactly.
    optimizer_.eval_params();
    EpochMetrics m = close_epoch(train, validation, state, totals, since(epoch_start_));
    m.seconds = since(epoch_start_);
    for (Callback* c : callbacks_) c->on_epoch_end(state, m);
    result.history.push_back(m);
    const bool last = epoch == options_.epochs || state.stop_reason.has_value();
    const bool due = options_.checkpoint_every > 0 && epoch % options_.checkpoint_every == 0;
    if (last || due) {
      // Positioned at the start of the next epoch, before its shuffle.
      TrainState next = state;
      next.epoch = epoch + 1;
      next.batch = 0;
      write_checkpoint(next, EpochTotals(params_.size()), gen.state(), result);
    }
  }
  if (state.stop_reason) {
    result.stop_reason = *state.stop_reason;
    result.stop_message = state.stop_message;
  }
  double best = INFINITY;
  for (const auto& m : result.history) {
    const double monitored = std::isfinite(m.val_loss) ? m.val_loss : m.train_loss;
    if (monitored < best) {
      best = monitored;
      result.best_epoch = m.epoch;
    }
  }
  result.seconds = since(run_start);
  optimizer_.eval_params();  // the weights kept are the averaged ones (after an interrupt too)
  for (Callback* c : callbacks_) c->on_train_end(state, result);
  // Training is over: the model takes the averaged weights it was evaluated with.
  if (average_ && evaluate_average_ && result.stop_reason != StopReason::Interrupted)
    average_->swap();
  return result;
}

}  // namespace descent
