#pragma once
// The training configuration. Every setting has a default (the built-in job: Fashion-MNIST,
// MLP 784-256-256-10, Adam 1e-3, batch 128, 10 epochs); a TOML file and then --set key=value
// overrides change them. Keys are dotted paths into the TOML tables ("train.epochs"). Unknown
// keys and bad values are errors that name the key, the value, where it came from and what is
// accepted. docs/configuration.md lists every key.
#include <cstdint>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "descent/schedule/scheduler.h"
#include "descent/util/spec.h"

namespace descent {

class ConfigError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// An unknown key or component name in the configuration (the Python module raises KeyError).
class UnknownConfigNameError : public ConfigError {
 public:
  using ConfigError::ConfigError;
};

// `message` as a ConfigError, an UnknownConfigNameError when `cause` is about an unknown name.
[[noreturn]] void throw_config_error(const SpecError& cause, const std::string& message);

struct Config {
  // What loading decided on the user's behalf (keys dropped with a replaced optimizer or
  // schedule), for the command to print; not part of the configuration.
  std::vector<std::string> notes;

  uint64_t seed = 0;
  int threads = 0;  // 0: every core

  struct Data {
    // fashion-mnist, csv, or a synthetic set: spirals, moons, circles, blobs, xor, sine
    std::string name = "fashion-mnist";
    std::string dir = "/usr/share/datasets/fashion-mnist";  // fashion-mnist
    std::string path, test_path;          // csv; without test_path, test_size rows are held out
    std::string target = "-1";            // csv: target column name or index
    std::string header = "auto";          // csv: auto, true, false
    std::string task = "classification";  // csv: classification or regression
    int64_t size = 1000;                  // synthetic: training examples
    // csv: rows held out for test; synthetic: test examples drawn. A fraction in (0, 1) of the
    // rows (synthetic: of data.size), or a count >= 1; -1: the dataset's default (csv 0.2,
    // synthetic 500), resolved before config.toml is written.
    double test_size = -1;
    double noise = -1;             // synthetic: < 0 for the set's default
    int64_t classes = 3;           // synthetic spirals and blobs
    int64_t validation_size = -1;  // -1: 5000 for fashion-mnist, 20% of training otherwise
    int64_t train_size = 0;        // > 0: train on a seeded subset of this many examples
    double label_noise = 0;        // classification: fraction of training labels made random
  } data;

  struct Model {
    // classifier (or regressor: the loss says), autoencoder, vae, stacked_autoencoder
    std::string kind = "classifier";
    // A last linear layer without out= is sized from the data: one output per class, or the
    // regression target's width.
    std::vector<std::string> layers = {"linear:out=256", "relu", "linear:out=256", "relu",
                                       "linear"};
    std::string weights;  // a safetensors file to start from (e.g. written by PyTorch)
    // Autoencoders (nn/autoencoder_spec.h): layer SPECs either side of the code of `code` units.
    std::vector<std::string> encoder = {"linear:out=256", "relu", "linear"};
    std::vector<std::string> decoder = {"linear:out=256", "relu", "linear"};
    int64_t code = 0;
    // Stacked autoencoders (app/stacked_config.h): the code sizes, input side first, and the
    // activation after every layer.
    std::vector<int64_t> stack;
    std::string stack_activation = "sigmoid";
    // A classifier on a trained encoder (app/encoder_from.h): the autoencoder run it comes from,
    // and whether its weights stay fixed.
    std::string encoder_from;
    bool freeze_encoder = false;
  } model;

  // How autoencoders train (train/objectives/autoencoder.h, variational.h).
  struct Autoencoder {
    std::string reconstruction = "mse";  // mse, binary_cross_entropy (decoder outputs logits)
    bool tied = false;                   // decoder weights are the encoder's, transposed
    std::string sparsity = "none";       // none, l1, kl
    double sparsity_weight = 0;
    double sparsity_target = 0.05;  // rho of the kl penalty
    std::string noise = "none";     // none, gaussian, mask, salt_and_pepper
    double noise_level = 0;
    double contractive_weight = 0;
    double beta = 1;  // vae: the KL term's weight
    int64_t kl_warmup_epochs = 0;
    int64_t epochs_per_layer = 10;  // stacked: the greedy phases
    int64_t fine_tune_epochs = 0;   // stacked: then the whole stack (0: no fine-tuning)
  } autoencoder;

  struct Train {
    int64_t epochs = 10;
    int64_t batch_size = 128;
    bool shuffle = true;
    bool drop_last = false;
    std::string loss = "cross_entropy";
    int64_t accumulate = 1;              // minibatches whose gradients make one optimizer step
    std::string on_non_finite = "stop";  // a NaN/Inf loss or gradient: stop, or skip the step
    bool flush_denormals = true;         // subnormal floats as zero (util/float_mode.h)
    bool profile = false;                // time a step's phases (train/step_seconds.h)
    // Data-parallel training under mpirun (docs/distributed.md): batches cut into micro_shards
    // parts summed in order (the same bits on any number of ranks), or buckets summed as
    // backward goes (overlap_reduction); the linear scaling rule for the learning rate.
    bool deterministic_reduction = false;
    int64_t micro_shards = 4;
    bool overlap_reduction = true;
    std::string scale_lr = "none";  // "linear": lr x batch_size / reference_batch_size
    int64_t reference_batch_size = 128;
    // An exploding loss or a classifier at chance (train/callbacks/divergence.h): stop after
    // the epoch, warn and go on, or off; either way found, `descent train` exits with status 4.
    std::string divergence = "stop";
    double divergence_factor = 10;  // a step's loss above this x the first step's has exploded
  } train;

  // Gradient clipping before each step, 0 = off: the global 2-norm (PyTorch clip_grad_norm_;
  // with per_layer, each layer's norm), then each element to [-max_value, max_value].
  struct Clip {
    double max_norm = 0;
    double max_value = 0;
    bool per_layer = false;
  } clip;

  // Penalties added to the loss's gradient (l1 sign(w) + l2 w), leaving out biases and other
  // 1-D parameters unless exclude_1d = false. Decoupled decay is the optimizer's weight_decay.
  struct Regularization {
    double l1 = 0;
    double l2 = 0;
    bool exclude_1d = true;
  } regularization;

  // An exponential moving average of the weights (decay 0 = off); evaluate = validate, test
  // and save the averaged weights.
  struct Ema {
    double decay = 0;
    bool evaluate = true;
  } ema;

  struct EarlyStopping {
    bool enabled = false;              // on when the [early_stopping] table is present
    std::string monitor = "val_loss";  // val_loss, val_accuracy, train_loss, train_accuracy
    std::string mode = "auto";         // min, max, or auto (max for accuracies)
    int64_t patience = 5;
    double min_delta = 0;
    bool restore_best = true;
  } early_stopping;

  struct Checkpoint {
    int64_t every = 1;  // epochs between checkpoints; 0: only at the end (and on Ctrl-C)
    bool keep_epoch_weights = false;  // weights/epoch-NNNN.safetensors for every epoch
  } checkpoint;

  // The ill-conditioning monitor: every N optimizer steps (0 = off), eps g'g against
  // 0.5 eps^2 g'Hg, with Hg by a central difference of gradients or exactly (R-operator).
  struct Curvature {
    int64_t every = 0;
    std::string method = "difference";
  } curvature;

  // The per-step log (steps.jsonl): every N-th optimizer step.
  struct Metrics {
    int64_t every_steps = 1;
  } metrics;

  // report.html, the run drawn (app/report.h), written into the run directory when it ends.
  struct Report {
    bool write = true;
  } report;

  struct Optimizer {
    std::string name = "adam";
    std::map<std::string, SpecValue> args;  // as the TOML table gives them, checked by the registry
    bool no_weight_decay_1d = false;  // biases and other 1-D parameters in a group without decay
    std::vector<std::string> no_weight_decay;  // name patterns ("*.bias") of parameters likewise
  } optimizer;

  struct Schedule {
    std::string name;                       // empty: a constant learning rate
    std::string interval = "epoch";         // epoch or step
    std::string key = "lr";                 // the hyper-parameter that follows the schedule
    std::map<std::string, SpecValue> args;  // as the TOML table gives them, checked by the registry
  } schedule;
};

// Builds a configuration: defaults, then the TOML file (if any) less the `unsets` (keys or whole
// tables, back to their defaults), then each "key=value" override. Everything is validated; the
// optimizer's hyper-parameters are completed with its defaults.
Config load_config(const std::filesystem::path& file, const std::vector<std::string>& overrides,
                   const std::vector<std::string>& unsets = {});

// The resolved configuration as TOML (every key, defaults included).
std::string to_toml(const Config& config);

// The [schedule] on opt's groups, its arguments as the table gave them.
std::unique_ptr<Scheduler> make_scheduler(const Config::Schedule& schedule, Optimizer& opt);

// Every key of the fixed tables in declaration order ("seed", "data.name", ...). [optimizer] and
// [schedule] also take the keys of the optimizer or schedule they name.
std::vector<std::string> config_keys();

}  // namespace descent
