#pragma once
// An experiment: everything a run is made of (data, model, optimizer, schedule), built from a
// configuration and checked before anything is written to disk.
// Random streams: model initialization draws from Generator(seed), dropout masks from streams
// derived from seed + 7 (network_spec.h); the data's streams are listed in datasets.h; the
// epochs' shuffles (run.h) from Generator(seed + 2).
#include <memory>

#include "descent/app/config.h"
#include "descent/data/dataset.h"
#include "descent/nn/loss.h"
#include "descent/nn/sequential.h"
#include "descent/optim/optimizer.h"
#include "descent/schedule/scheduler.h"

namespace descent {

struct Experiment {
  Config config;
  Dataset train, validation, test;
  std::unique_ptr<Sequential> model;
  std::unique_ptr<Optimizer> optimizer;
  std::shared_ptr<Scheduler> schedule;  // null without [schedule]
};

// Throws ConfigError or DataError naming the key or file.
Experiment build_experiment(const Config& config);

// The loss for a task: the named loss, taking class indices through one-hot targets when the
// loss compares vectors (mse, binary_cross_entropy).
LossFunction task_loss(const std::string& name, int64_t num_classes);

}  // namespace descent
