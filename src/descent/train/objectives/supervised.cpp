#include "descent/train/objectives/supervised.h"

#include "descent/train/evaluate.h"

namespace descent {

ObjectiveValue SupervisedObjective::compute(const Batch& batch) {
  ObjectiveValue v;
  const Tensor out = model_(batch.inputs);
  v.loss = loss_(out, batch.targets);
  if (classify_) v.correct = count_correct(out, batch.targets);
  return v;
}

}  // namespace descent
