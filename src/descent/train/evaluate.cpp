#include "descent/train/evaluate.h"

#include "descent/train/objectives/supervised.h"

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
  SupervisedObjective objective(model, loss, data.num_classes > 0);
  return evaluate(objective, data, batch_size);
}

}  // namespace descent
