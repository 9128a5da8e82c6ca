#include "descent/app/datasets.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "descent/data/csv.h"
#include "descent/data/fashion_mnist.h"
#include "descent/data/label_noise.h"
#include "descent/data/synthetic.h"
#include "descent/util/number_text.h"

namespace descent {
namespace {

TrainTestData load_fashion_mnist_sets(const Config& config) {
  ImageClassificationData d = load_fashion_mnist(config.data.dir);
  return {std::move(d.train), std::move(d.test), {}};
}

// data.test_size as a number of examples out of `n`: a fraction in (0, 1) rounds to at least one.
int64_t test_count(double test_size, int64_t n) {
  if (test_size > 0 && test_size < 1)
    return std::max<int64_t>(1, static_cast<int64_t>(std::llround(test_size * n)));
  return static_cast<int64_t>(test_size);
}

// "data.path: 3 classes, labels 1,2,3 -> 0,1,2", or empty when the labels are 0..k-1 already.
std::string label_mapping_note(const Dataset& data) {
  bool identity = true;
  for (size_t i = 0; i < data.class_names.size(); ++i)
    identity = identity && data.class_names[i] == std::to_string(i);
  if (identity) return "";
  const size_t k = data.class_names.size(), shown = k > 8 ? 3 : k;
  std::string labels, indices;
  for (size_t i = 0; i < shown; ++i) {
    labels += (i ? "," : "") + data.class_names[i];
    indices += (i ? "," : "") + std::to_string(i);
  }
  if (shown < k) {
    labels += ",...," + data.class_names.back();
    indices += ",...," + std::to_string(k - 1);
  }
  return "data.path: " + std::to_string(k) + " classes, labels " + labels + " -> " + indices;
}

TrainTestData load_csv_sets(const Config& config) {
  const Config::Data& c = config.data;
  CsvOptions options{c.target, c.header, c.task == "classification", {}, {}};
  Dataset all = read_csv_dataset(c.path, options);
  TrainTestData out;
  if (options.classification) {
    const std::string note = label_mapping_note(all);
    if (!note.empty()) out.notes.push_back(note);
  }
  if (!c.test_path.empty()) {
    // The test file is read as the training file's columns and classes.
    options.classes = all.class_names;
    options.inputs = {all.features(), all.feature_names, all.target_column};
    out.test = read_csv_dataset(c.test_path, options);
    out.train = std::move(all);
    return out;
  }
  const int64_t test_rows = test_count(c.test_size, all.size());
  if (test_rows >= all.size())
    throw ConfigError("config: data.test_size = " + shortest_text(c.test_size) +
                      " leaves no training rows (" + c.path + " has " + std::to_string(all.size()) +
                      "; give fewer rows, or a fraction such as 0.2)");
  Generator test_gen(config.seed + 6);
  TrainValidationSplit split = hold_out(all, test_rows, test_gen);
  out.train = std::move(split.train);
  out.test = std::move(split.validation);
  return out;
}

TrainTestData load_synthetic_sets(const Config& config) {
  const Config::Data& c = config.data;
  SyntheticOptions options{c.size, c.noise, c.classes};
  if (dataset_reads(config, "classes") && (c.name == "spirals" || c.name == "blobs") &&
      c.classes > c.size)
    throw ConfigError("config: data.classes = " + std::to_string(c.classes) +
                      " is more than data.size = " + std::to_string(c.size) +
                      " (every class needs an example)");
  Generator train_gen(config.seed + 4), test_gen(config.seed + 5);
  TrainTestData out;
  out.train = make_synthetic_dataset(c.name, options, train_gen);
  options.size = test_count(c.test_size, c.size);
  // data.test_size = 0: no test set, and no test numbers (not the loss of zero examples).
  out.test =
      options.size > 0 ? make_synthetic_dataset(c.name, options, test_gen) : out.train.subset({});
  return out;
}

// A seeded random choice of `count` examples, kept in their original order.
Dataset random_subset(const Dataset& data, int64_t count, Generator& gen) {
  std::vector<int64_t> order(static_cast<size_t>(data.size()));
  std::iota(order.begin(), order.end(), 0);
  gen.shuffle(order);
  order.resize(static_cast<size_t>(count));
  std::sort(order.begin(), order.end());
  return data.subset(order);
}

}  // namespace

const std::vector<DatasetInfo>& dataset_registry() {
  static const std::vector<DatasetInfo> registry = [] {
    std::vector<DatasetInfo> r = {
        {"fashion-mnist",
         {"dir"},
         5000,
         -1,
         load_fashion_mnist_sets,
         28,
         28,
         {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker",
          "Bag", "Ankle boot"},
         [](const Config& config) { return load_fashion_mnist_test(config.data.dir); }},
        {"csv",
         {"path", "test_path", "target", "header", "task", "test_size"},
         -1,
         0.2,
         load_csv_sets,
         0,
         0,
         {}},
    };
    for (const std::string& name : synthetic_dataset_names())
      r.push_back({name,
                   {"size", "classes", "noise", "test_size"},
                   -1,
                   500,
                   load_synthetic_sets,
                   0,
                   0,
                   {}});
    return r;
  }();
  return registry;
}

std::vector<std::string> dataset_names() {
  std::vector<std::string> names;
  for (const auto& info : dataset_registry()) names.push_back(info.name);
  return names;
}

const DatasetInfo* find_dataset(const std::string& name) {
  for (const auto& info : dataset_registry())
    if (info.name == name) return &info;
  return nullptr;
}

bool dataset_reads(const Config& config, const std::string& key) {
  const DatasetInfo* info = find_dataset(config.data.name);
  return info && std::find(info->keys.begin(), info->keys.end(), key) != info->keys.end();
}

Dataset load_test_data(Config& config) {
  const DatasetInfo* info = find_dataset(config.data.name);
  if (!info || !info->load_test) return load_experiment_data(config).test;
  Dataset test = info->load_test(config);
  if (test.class_names.empty()) test.class_names = info->class_names;
  return test;
}

ExperimentData load_experiment_data(Config& config) {
  const Config::Data& c = config.data;
  const DatasetInfo* info = find_dataset(c.name);
  if (!info) throw UnknownConfigNameError("config: unknown data.name '" + c.name + "'");
  if (config.data.test_size < 0 && dataset_reads(config, "test_size"))
    config.data.test_size = info->default_test_size;
  TrainTestData sets = info->load(config);
  config.notes.insert(config.notes.end(), sets.notes.begin(), sets.notes.end());
  for (Dataset* d : {&sets.train, &sets.test})
    if (d->class_names.empty()) d->class_names = info->class_names;
  Dataset& full_train = sets.train;

  int64_t& validation_size = config.data.validation_size;
  if (validation_size < 0)
    validation_size =
        info->default_validation_size >= 0 ? info->default_validation_size : full_train.size() / 5;
  if (validation_size >= full_train.size())
    throw ConfigError("config: data.validation_size = " + std::to_string(validation_size) +
                      " leaves no training data (" + full_train.name + " has " +
                      std::to_string(full_train.size()) + " examples; expected 0 <= n < " +
                      std::to_string(full_train.size()) + ")");
  Generator split_gen(config.seed + 1);
  TrainValidationSplit split = hold_out(full_train, validation_size, split_gen);
  ExperimentData out{std::move(split.train), std::move(split.validation), std::move(sets.test)};
  if (c.train_size > 0) {
    if (c.train_size > out.train.size())
      throw ConfigError("config: data.train_size = " + std::to_string(c.train_size) +
                        " is more than the " + std::to_string(out.train.size()) +
                        " training examples left after validation");
    Generator subset_gen(config.seed + 3);
    out.train = random_subset(out.train, c.train_size, subset_gen);
  }
  if (c.label_noise > 0) {
    if (out.train.num_classes < 2)
      throw ConfigError("config: data.label_noise = " + shortest_text(c.label_noise) +
                        " needs class labels, but " + out.train.name + " is a regression set");
    Generator noise_gen(config.seed + 8);
    const int64_t changed = randomize_labels(out.train, c.label_noise, noise_gen);
    config.notes.push_back("data.label_noise: " + std::to_string(changed) + " of " +
                           std::to_string(out.train.size()) +
                           " training labels replaced by random ones");
  }
  return out;
}

}  // namespace descent
