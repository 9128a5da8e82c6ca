#pragma once
// Evaluation without gradients: mean loss and accuracy over a whole dataset, in batches.
#include "descent/data/dataset.h"
#include "descent/nn/loss.h"
#include "descent/nn/module.h"
#include "descent/train/metrics.h"

namespace descent {

// Counts rows whose largest score is the target class.
int64_t count_correct(const Tensor& scores, const Tensor& targets);

EvalResult evaluate(Module& model, const LossFunction& loss, const Dataset& data,
                    int64_t batch_size = 1000);

}  // namespace descent
