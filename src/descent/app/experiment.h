#pragma once
// An experiment: everything a run is made of (data, model, optimizer, schedule), built from a
// configuration and checked before anything is written to disk.
// Random streams: model initialization draws from Generator(seed), dropout masks from streams
// derived from seed + 7 (network_spec.h); the data's streams are listed in datasets.h; the
// epochs' shuffles (run.h) from Generator(seed + 2).
#include <memory>

#include "descent/app/config.h"
#include "descent/app/data_signature.h"
#include "descent/app/datasets.h"
#include "descent/data/dataset.h"
#include "descent/nn/loss.h"
#include "descent/nn/sequential.h"
#include "descent/optim/optimizer.h"
#include "descent/schedule/scheduler.h"
#include "descent/train/objective.h"

namespace descent {

struct Experiment {
  Config config;
  Dataset train, validation, test;
  DataSignature signature;               // what the model takes and gives (data.json)
  std::unique_ptr<Module> model;         // by model.kind: Sequential, Autoencoder, ...
  std::unique_ptr<Objective> objective;  // what training minimizes (train/objective.h)
  std::unique_ptr<Optimizer> optimizer;
  std::shared_ptr<Scheduler> schedule;  // null without [schedule]
};

// Throws ConfigError or DataError naming the key or file.
Experiment build_experiment(const Config& config);

// The same on data already loaded (a stacked autoencoder's phases train on codes in memory).
Experiment build_experiment_on(const Config& config, ExperimentData data);

// The model of model.kind for data of that signature, initialized from Generator(seed)
// (dropout and the objectives' noise from seed + 7), then given model.weights when set. A
// classifier's last linear layer without out= gets the data's outputs (classes, or the
// regression target's width). A stacked autoencoder is its whole stack (app/stacked_config.h); a
// classifier with model.encoder_from starts with the trained encoder (app/encoder_from.h).
// Throws ConfigError naming the key.
std::unique_ptr<Module> build_model(const Config& config, const DataSignature& data);

// The same for `in_features` inputs and outputs not known (autoencoders; a classifier's layers
// must then give every size).
std::unique_ptr<Module> build_model(const Config& config, int64_t in_features);

// The objective of model.kind on `model` (built by build_model from the same config).
std::unique_ptr<Objective> build_objective(const Config& config, Module& model,
                                           int64_t num_classes);

// The loss for a task: the named loss, taking class indices through one-hot targets when the
// loss compares vectors (mse, binary_cross_entropy).
LossFunction task_loss(const std::string& name, int64_t num_classes);

}  // namespace descent
