#include "descent/train/experiment_data.h"

#include <algorithm>
#include <numeric>

#include "descent/data/csv.h"
#include "descent/data/fashion_mnist.h"
#include "descent/data/synthetic.h"

namespace descent {
namespace {

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

ExperimentData load_experiment_data(Config& config) {
  const Config::Data& c = config.data;
  Dataset full_train, test;
  if (c.name == "fashion-mnist") {
    ImageClassificationData d = load_fashion_mnist(c.dir);
    full_train = std::move(d.train);
    test = std::move(d.test);
  } else if (c.name == "csv") {
    CsvOptions options{c.target, c.header, c.task == "classification"};
    Dataset all = read_csv_dataset(c.path, options);
    if (!c.test_path.empty()) {
      full_train = std::move(all);
      test = read_csv_dataset(c.test_path, options);
      test.num_classes = std::max(test.num_classes, full_train.num_classes);
      full_train.num_classes = test.num_classes;
    } else {
      if (c.test_size >= all.size())
        throw ConfigError("config: data.test_size = " + std::to_string(c.test_size) +
                          " leaves no training rows (" + c.path + " has " +
                          std::to_string(all.size()) + ")");
      Generator test_gen(config.seed + 6);
      TrainValidationSplit split = hold_out(all, c.test_size, test_gen);
      full_train = std::move(split.train);
      test = std::move(split.validation);
      test.num_classes = full_train.num_classes = all.num_classes;
    }
  } else {
    SyntheticOptions options{c.size, c.noise, c.classes};
    Generator train_gen(config.seed + 4), test_gen(config.seed + 5);
    full_train = make_synthetic_dataset(c.name, options, train_gen);
    options.size = std::max<int64_t>(c.test_size, 1);
    test = make_synthetic_dataset(c.name, options, test_gen);
  }

  int64_t& validation_size = config.data.validation_size;
  if (validation_size < 0)
    validation_size = c.name == "fashion-mnist" ? 5000 : full_train.size() / 5;
  if (validation_size >= full_train.size())
    throw ConfigError("config: data.validation_size = " + std::to_string(validation_size) +
                      " leaves no training data (" + full_train.name + " has " +
                      std::to_string(full_train.size()) + " examples; expected 0 <= n < " +
                      std::to_string(full_train.size()) + ")");
  Generator split_gen(config.seed + 1);
  TrainValidationSplit split = hold_out(full_train, validation_size, split_gen);
  ExperimentData out{std::move(split.train), std::move(split.validation), std::move(test)};
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
