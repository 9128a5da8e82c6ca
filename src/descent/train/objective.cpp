#include "descent/train/objective.h"

#include "descent/autograd/grad_mode.h"
#include "descent/distributed/tally.h"

namespace descent {

EvalResult evaluate(Objective& objective, const Dataset& data, int64_t batch_size,
                    Communicator& comm) {
  NoGradGuard no_grad;
  Module& model = objective.model();
  const bool was_training = model.training();
  model.set_training(false);
  objective.begin_evaluation();
  DataLoader loader(data, batch_size, /*shuffle=*/false, /*drop_last=*/false);
  Generator unused(0);
  loader.start_epoch(unused);
  // This rank's batches; each one's tally kept apart for the ordered sum.
  const bool shared = !objective.draws_in_evaluation();
  const RowRange mine = shared ? part_of(loader.num_batches(), comm.rank(), comm.size())
                               : RowRange{0, loader.num_batches()};
  loader.skip(mine.first);
  std::vector<Tally> parts;
  Batch batch;
  for (int64_t b = 0; b < mine.count && loader.next(batch); ++b) {
    const ObjectiveValue v = objective.compute(batch);
    const double n = static_cast<double>(batch.size());
    Tally t;
    t.loss_sum = static_cast<double>(v.loss.item()) * n;
    t.samples = batch.size();
    for (const auto& [name, value] : v.terms) t.terms[name] = value * n;
    if (v.correct >= 0) {
      t.correct = v.correct;
      t.counted = batch.size();
    }
    parts.push_back(std::move(t));
  }
  model.set_training(was_training);
  const Tally total = sum_over_ranks(shared ? comm : single_process(), parts);
  EvalResult r;
  r.examples = data.size();
  if (r.examples == 0) return r;  // a mean over no examples is NaN, not 0
  const double examples = static_cast<double>(r.examples);
  r.loss = total.loss_sum / examples;
  for (const auto& [name, sum] : total.terms) r.terms[name] = sum / examples;
  if (total.counted == r.examples) r.accuracy = static_cast<double>(total.correct) / examples;
  return r;
}

}  // namespace descent
