#include "descent/app/datasets.h"

#include <algorithm>
#include <numeric>

#include "descent/data/csv.h"
#include "descent/data/fashion_mnist.h"
#include "descent/data/synthetic.h"

namespace descent {
namespace {

TrainTestData load_fashion_mnist_sets(const Config& config) {
  ImageClassificationData d = load_fashion_mnist(config.data.dir);
  return {std::move(d.train), std::move(d.test)};
}

TrainTestData load_csv_sets(const Config& config) {
  const Config::Data& c = config.data;
  CsvOptions options{c.target, c.header, c.task == "classification"};
  Dataset all = read_csv_dataset(c.path, options);
  if (!c.test_path.empty()) {
    TrainTestData out{std::move(all), read_csv_dataset(c.test_path, options)};
    out.test.num_classes = std::max(out.test.num_classes, out.train.num_classes);
    out.train.num_classes = out.test.num_classes;
    return out;
  }
  if (c.test_size >= all.size())
    throw ConfigError("config: data.test_size = " + std::to_string(c.test_size) +
                      " leaves no training rows (" + c.path + " has " + std::to_string(all.size()) +
                      ")");
  Generator test_gen(config.seed + 6);
  TrainValidationSplit split = hold_out(all, c.test_size, test_gen);
  TrainTestData out{std::move(split.train), std::move(split.validation)};
  out.test.num_classes = out.train.num_classes = all.num_classes;
  return out;
}

TrainTestData load_synthetic_sets(const Config& config) {
  const Config::Data& c = config.data;
  SyntheticOptions options{c.size, c.noise, c.classes};
  Generator train_gen(config.seed + 4), test_gen(config.seed + 5);
  TrainTestData out;
  out.train = make_synthetic_dataset(c.name, options, train_gen);
  options.size = std::max<int64_t>(c.test_size, 1);
  out.test = make_synthetic_dataset(c.name, options, test_gen);
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
         load_fashion_mnist_sets,
         28,
         28,
         {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker",
          "Bag", "Ankle boot"}},
        {"csv",
         {"path", "test_path", "target", "header", "task", "test_size"},
         -1,
         load_csv_sets,
         0,
         0,
         {}},
    };
    for (const std::string& name : synthetic_dataset_names())
      r.push_back(
          {name, {"size", "classes", "noise", "test_size"}, -1, load_synthetic_sets, 0, 0, {}});
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

ExperimentData load_experiment_data(Config& config) {
  const Config::Data& c = config.data;
  const DatasetInfo* info = find_dataset(c.name);
  if (!info) throw ConfigError("config: unknown data.name '" + c.name + "'");
  TrainTestData sets = info->load(config);
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
  return out;
}

}  // namespace descent
