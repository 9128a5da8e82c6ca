#include "descent/train/evaluate.h"

#include "descent/autograd/grad_mode.h"
#include "descent/data/loader.h"

namespace descent {

int64_t count_correct(const Tensor& scores, const Tensor& targets) {
  const int64_t n = scores.size(0), c = scores.size(1);
  int64_t correct = 0;
  for (int64_t i = 0; i < n; ++i) {
    const float* row = scores.data() + i * c;
    int64_t best = 0;
    for (int64_t j = 1; j < c; ++j)
      if (row[j] > row[best]) best = j;
    correct += static_cast<int64_t>(best) == static_cast<int64_t>(targets.data()[i]);
  }
  return correct;
}

EvalResult evaluate(Module& model, const LossFunction& loss, const Dataset& data,
                    int64_t batch_size) {
  NoGradGuard no_grad;
  const bool was_training = model.training();
  model.set_training(false);
  DataLoader loader(data, batch_size, /*shuffle=*/false, /*drop_last=*/false);
  Generator unused(0);
  loader.start_epoch(unused);
  double total_loss = 0;
  int64_t correct = 0;
  Batch batch;
  while (loader.next(batch)) {
    Tensor out = model(batch.inputs);
    total_loss += static_cast<double>(loss(out, batch.targets).item()) * batch.size();
    if (data.num_classes > 0) correct += count_correct(out, batch.targets);
  }
  model.set_training(was_training);
  EvalResult r;
  r.examples = data.size();
  r.loss = total_loss / static_cast<double>(std::max<int64_t>(r.examples, 1));
  if (data.num_classes > 0)
    r.accuracy = static_cast<double>(correct) / static_cast<double>(r.examples);
  return r;
}

}  // namespace descent
