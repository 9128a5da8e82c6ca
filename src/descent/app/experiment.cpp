#include "descent/app/experiment.h"

#include "descent/app/datasets.h"
#include "descent/autograd/grad_mode.h"
#include "descent/io/model_weights.h"
#include "descent/nn/network_spec.h"
#include "descent/optim/param_groups.h"
#include "descent/optim/registry.h"

namespace descent {
namespace {

std::unique_ptr<Sequential> build_model(const Config& config, int64_t in_features) {
  Generator init_gen(config.seed);
  std::unique_ptr<Sequential> model;
  try {
    model = build_network(config.model.layers, in_features, init_gen, config.seed + 7);
  } catch (const SpecError& e) {
    throw ConfigError(std::string("config: model.layers: ") + e.what());
  }
  if (!config.model.weights.empty()) load_weights(*model, config.model.weights);
  return model;
}

// The model's outputs must fit the data and the loss: one score per class, and log-probabilities
// for nll.
void check_model_fits_task(Sequential& model, const Dataset& data, const Config& config) {
  Tensor probe = Tensor::zeros({1, data.features()});
  NoGradGuard no_grad;
  Tensor out = model.forward(probe);
  if (data.num_classes > 0 && out.size(-1) != data.num_classes)
    throw ConfigError("config: model.layers ends with " + std::to_string(out.size(-1)) +
                      " outputs, but " + data.name + " has " + std::to_string(data.num_classes) +
                      " classes");
  const int64_t target_width = data.targets.dim() == 2 ? data.targets.size(1) : 1;
  if (data.num_classes == 0 && out.size(-1) != target_width)
    throw ConfigError("config: model.layers ends with " + std::to_string(out.size(-1)) +
                      " outputs, but " + data.name + "'s regression targets have " +
                      std::to_string(target_width));
  if (data.num_classes == 0 && loss_is_classification(config.train.loss))
    throw ConfigError("config: train.loss = \"" + config.train.loss +
                      "\" needs class labels, but " + data.name +
                      " is a regression task (use train.loss = \"mse\")");
  if (config.train.loss == "nll" && config.model.layers.back() != "log_softmax")
    throw ConfigError(
        "config: train.loss = \"nll\" expects log-probabilities: end model.layers with "
        "\"log_softmax\", or use train.loss = \"cross_entropy\" on raw scores");
}

}  // namespace

LossFunction task_loss(const std::string& name, int64_t num_classes) {
  LossFunction loss = loss_by_name(name);
  if (num_classes == 0 || loss_is_classification(name)) return loss;
  // mse and binary cross-entropy on class labels compare the outputs with one-hot targets.
  return [loss, num_classes](const Tensor& out, const Tensor& target) {
    return loss(out, one_hot(target, num_classes));
  };
}

Experiment build_experiment(const Config& config) {
  Experiment e;
  e.config = config;
  ExperimentData data = load_experiment_data(e.config);
  e.train = std::move(data.train);
  e.validation = std::move(data.validation);
  e.test = std::move(data.test);
  e.model = build_model(e.config, e.train.features());
  check_model_fits_task(*e.model, e.train, e.config);
  SpecArgs args("config [optimizer] (" + config.optimizer.name + ")", config.optimizer.args);
  e.optimizer = make_optimizer(
      config.optimizer.name,
      weight_decay_groups(e.model->named_parameters(), config.optimizer.no_weight_decay_1d), args);
  if (!config.schedule.name.empty()) e.schedule = make_scheduler(config.schedule, *e.optimizer);
  return e;
}

}  // namespace descent
