#include "descent/app/experiment.h"

#include <algorithm>

#include <fmt/format.h>

#include "descent/app/datasets.h"
#include "descent/app/encoder_from.h"
#include "descent/app/stacked_config.h"
#include "descent/autograd/grad_mode.h"
#include "descent/io/model_weights.h"
#include "descent/nn/autoencoder_spec.h"
#include "descent/nn/loss_table.h"
#include "descent/nn/network_spec.h"
#include "descent/optim/param_groups.h"
#include "descent/optim/registry.h"
#include "descent/train/objectives/autoencoder.h"
#include "descent/train/objectives/supervised.h"
#include "descent/train/objectives/variational.h"
#include "descent/util/number_text.h"
#include "descent/util/spec.h"
#include "descent/util/work_context.h"

namespace descent {
namespace {

// The model's outputs must fit the data and the loss: one score per class, and log-probabilities
// for nll.
void check_model_fits_task(Module& model, const Dataset& data, const Config& config) {
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
  const LossSpec loss = parse_loss(config.train.loss);  // config.cpp has checked it
  const std::string quoted = "config: train.loss = \"" + config.train.loss + "\"";
  if (loss.info->name == "nll" && config.model.layers.back() != "log_softmax")
    throw ConfigError(quoted +
                      " expects log-probabilities: end model.layers with "
                      "\"log_softmax\", or use train.loss = \"cross_entropy\" on raw scores");
  if (data.num_classes > 0 && loss.info->targets == LossTargets::Signs)
    throw ConfigError(quoted + " compares each output with a target of 1 or -1, but " + data.name +
                      " has class labels (multi_margin is the margin loss for class labels)");
  if (data.num_classes == 0 && loss.info->targets == LossTargets::Signs)
    for (int64_t i = 0; i < data.targets.numel(); ++i) {
      const float t = data.targets.data()[i];
      if (t != 1 && t != -1)
        throw ConfigError(quoted + " takes targets of 1 or -1, but " + data.name + "'s target " +
                          shortest_text(t) + " of example " + std::to_string(i / target_width) +
                          " is neither");
    }
  try {
    check_loss_outputs(loss, out.size(-1));
  } catch (const SpecError& e) {
    throw_config_error(e, quoted + ": " + e.what());
  }
}

// An autoencoder's decoder must give back as many values as it was given.
void check_autoencoder_fits(Module& model, const Dataset& data) {
  Tensor probe = Tensor::zeros({1, data.features()});
  NoGradGuard no_grad;
  const int64_t out = model.forward(probe).size(-1);
  if (out != data.features())
    throw ConfigError("config: model.decoder ends with " + std::to_string(out) + " outputs, but " +
                      data.name + " has " + std::to_string(data.features()) +
                      " inputs to reconstruct (leave out `out` in its last linear layer)");
}

AutoencoderSpec autoencoder_spec(const Config& c) {
  return {c.model.encoder, c.model.decoder, c.model.code, c.autoencoder.tied};
}

// What the optimizer updates: every parameter that takes a gradient (a frozen encoder's do not).
std::vector<NamedTensor> trained_parameters(const Module& model) {
  std::vector<NamedTensor> trained;
  for (auto& p : model.named_parameters())
    if (p.tensor.requires_grad()) trained.push_back(p);
  return trained;
}

// model.layers with the last linear layer sized from the data when it leaves out out= (a
// given out= that does not fit is check_model_fits_task's to report, naming the class count).
std::vector<std::string> sized_layers(const std::vector<std::string>& layers,
                                      const DataSignature& data) {
  const auto last = std::find_if(layers.rbegin(), layers.rend(), [](const std::string& l) {
    return parse_spec(l).name == "linear";
  });
  if (data.outputs() == 0 || last == layers.rend() || parse_spec(*last).args.count("out"))
    return layers;
  return with_last_out(layers, data.outputs(), "model.layers", "the data's output size");
}

}  // namespace

std::unique_ptr<Module> build_model(const Config& config, int64_t in_features) {
  DataSignature data;
  data.features = in_features;
  return build_model(config, data);
}

std::unique_ptr<Module> build_model(const Config& given, const DataSignature& data) {
  // A stacked autoencoder is the autoencoder its layers make (app/stacked_config.h).
  if (given.model.kind == "stacked_autoencoder")
    return build_model(stacked_model_config(given), data);
  const int64_t in_features = data.features;
  Config config = given;
  Generator init_gen(config.seed);
  const uint64_t noise_seed = config.seed + 7;
  std::unique_ptr<Module> model;
  try {
    if (config.model.kind == "classifier")
      config.model.layers = sized_layers(config.model.layers, data);
    if (config.model.kind == "autoencoder")
      model = build_autoencoder(autoencoder_spec(config), in_features, init_gen, noise_seed);
    else if (config.model.kind == "vae")
      model = build_variational_autoencoder(autoencoder_spec(config), in_features, init_gen,
                                            noise_seed);
    else if (!config.model.encoder_from.empty())
      model = build_classifier_on_encoder(config, in_features, init_gen, noise_seed);
    else
      model = build_network(config.model.layers, in_features, init_gen, noise_seed);
  } catch (const SpecError& e) {
    const std::string what = e.what();
    // Autoencoder messages name their list already ("model.encoder: ...").
    throw_config_error(
        e, "config: " + (what.rfind("model.", 0) == 0 ? what : "model.layers: " + what));
  }
  if (!config.model.weights.empty()) load_weights(*model, config.model.weights);
  return model;
}

std::unique_ptr<Objective> build_objective(const Config& config, Module& model,
                                           int64_t num_classes) {
  if (config.model.kind == "stacked_autoencoder")
    return build_objective(stacked_model_config(config), model, num_classes);
  // Noise and samples draw from streams of their own, apart from dropout's (seed + 7 + ...).
  const uint64_t noise_seed = config.seed + 11;
  const auto& ae = config.autoencoder;
  if (auto* autoencoder = dynamic_cast<Autoencoder*>(&model)) {
    AutoencoderOptions o;
    o.reconstruction = ae.reconstruction;
    o.sparsity = ae.sparsity;
    o.sparsity_weight = ae.sparsity_weight;
    o.sparsity_target = ae.sparsity_target;
    o.noise = parse_input_noise(ae.noise);
    o.noise_level = ae.noise_level;
    o.contractive_weight = ae.contractive_weight;
    o.code_activation = code_activation(config.model.encoder);
    return std::make_unique<AutoencoderObjective>(*autoencoder, o, noise_seed);
  }
  if (auto* vae = dynamic_cast<VariationalAutoencoder*>(&model))
    return std::make_unique<VariationalObjective>(
        *vae, VariationalOptions{ae.reconstruction, ae.beta, ae.kl_warmup_epochs}, noise_seed);
  return std::make_unique<SupervisedObjective>(model, task_loss(config.train.loss, num_classes),
                                               num_classes > 0);
}

LossFunction task_loss(const std::string& name, int64_t num_classes) {
  LossFunction loss = loss_by_name(name);
  if (num_classes == 0 || loss_is_classification(name)) return loss;
  // mse and binary cross-entropy on class labels compare the outputs with one-hot targets.
  return [loss, num_classes](const Tensor& out, const Tensor& target) {
    return loss(out, one_hot(target, num_classes));
  };
}

Experiment build_experiment(const Config& config) {
  Config resolved = config;
  ExperimentData data;
  {
    const WorkContext step("loading the data (data.name = \"" + config.data.name + "\")");
    data = load_experiment_data(resolved);
  }
  return build_experiment_on(resolved, std::move(data));
}

Experiment build_experiment_on(const Config& config, ExperimentData data) {
  Experiment e;
  e.config = config;
  e.train = std::move(data.train);
  e.validation = std::move(data.validation);
  e.test = std::move(data.test);
  // drop_last drops a partial batch; with a batch larger than the data, that is every batch.
  if (config.train.drop_last && config.train.batch_size > e.train.size())
    throw ConfigError("config: train.batch_size = " + std::to_string(config.train.batch_size) +
                      " with train.drop_last = true leaves no batch to train on: " + e.train.name +
                      " has " + std::to_string(e.train.size()) +
                      " training examples (after validation is held out); use a batch of at "
                      "most " +
                      std::to_string(e.train.size()) + ", or train.drop_last = false");
  e.signature = describe_data(e.config, e.train);
  {
    const WorkContext step("building the model (model.kind = \"" + config.model.kind + "\")");
    e.model = build_model(e.config, e.signature);
  }
  if (config.model.kind == "classifier")
    check_model_fits_task(*e.model, e.train, e.config);
  else
    check_autoencoder_fits(*e.model, e.train);
  e.objective = build_objective(e.config, *e.model, e.train.num_classes);
  const WorkContext step("building the optimizer (" + config.optimizer.name + ")");
  SpecArgs args("config [optimizer] (" + config.optimizer.name + ")", config.optimizer.args);
  std::vector<ParamGroup> groups;
  try {
    groups = weight_decay_groups(trained_parameters(*e.model), config.optimizer.no_weight_decay_1d,
                                 config.optimizer.no_weight_decay);
  } catch (const std::invalid_argument& err) {
    throw ConfigError(std::string("config: optimizer.") + err.what());
  }
  e.optimizer = make_optimizer(config.optimizer.name, groups, args);
  if (config.train.scale_lr == "linear") {
    // Goyal et al. 2017: a batch k times the reference takes k times its learning rate (with a
    // warmup schedule). The optimizer is made again with the scaled lr, so that everything
    // derived from lr when it was made (schedules' base values, lr0) sees the scaled one.
    const double lr = e.optimizer->param_groups().front().get("lr");
    const double scaled = lr * static_cast<double>(config.train.batch_size) /
                          static_cast<double>(config.train.reference_batch_size);
    std::map<std::string, SpecValue> scaled_args = config.optimizer.args;
    scaled_args["lr"] = SpecValue(fmt::format("{:.17g}", scaled));
    SpecArgs again("config [optimizer] (" + config.optimizer.name + ")", scaled_args);
    e.optimizer = make_optimizer(config.optimizer.name, std::move(groups), again);
    e.config.notes.push_back(fmt::format(
        "train.scale_lr = \"linear\": optimizer lr {:g} x batch {} / reference {} = {:g}", lr,
        config.train.batch_size, config.train.reference_batch_size, scaled));
  }
  if (!config.schedule.name.empty()) e.schedule = make_scheduler(config.schedule, *e.optimizer);
  return e;
}

}  // namespace descent
