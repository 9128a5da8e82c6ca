#include "descent/train/objective.h"

#include "descent/autograd/grad_mode.h"

namespace descent {

EvalResult evaluate(Objective& objective, const Dataset& data, int64_t batch_size) {
  NoGradGuard no_grad;
  Module& model = objective.model();
  const bool was_training = model.training();
  model.set_training(false);
  objective.begin_evaluation();
  DataLoader loader(data, batch_size, /*shuffle=*/false, /*drop_last=*/false);
  Generator unused(0);
  loader.start_epoch(unused);
  double total_loss = 0;
  int64_t correct = 0;
  bool counts_correct = true;
  std::map<std::string, double> term_sums;
  Batch batch;
  while (loader.next(batch)) {
    const ObjectiveValue v = objective.compute(batch);
    const double n = static_cast<double>(batch.size());
    total_loss += static_cast<double>(v.loss.item()) * n;
    for (const auto& [name, value] : v.terms) term_sums[name] += value * n;
    if (v.correct < 0) counts_correct = false;
    correct += std::max<int64_t>(v.correct, 0);
  }
  model.set_training(was_training);
  EvalResult r;
  r.examples = data.size();
  if (r.examples == 0) return r;  // a mean over no examples is NaN, not 0
  const double examples = static_cast<double>(r.examples);
  r.loss = total_loss / examples;
  for (const auto& [name, sum] : term_sums) r.terms[name] = sum / examples;
  if (counts_correct && r.examples > 0) r.accuracy = static_cast<double>(correct) / examples;
  return r;
}

}  // namespace descent
