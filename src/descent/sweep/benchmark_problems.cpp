#include "descent/sweep/benchmark_problems.h"

#include <stdexcept>

#include "descent/util/suggest.h"

namespace descent::sweep {

const std::vector<BenchmarkProblem>& benchmark_problems() {
  // Each sized so that a trial takes seconds (synthetic) to tens of seconds (Fashion-MNIST) on
  // one core; docs/sweeps.md has the measured times.
  static const std::vector<BenchmarkProblem> table = {
      {"fashion-mlp",
       "Fashion-MNIST classification, MLP 784-256-256-10 with ReLU (the built-in job): 55,000 "
       "training images, 8 epochs of batch 128",
       {"data.name=fashion-mnist", "train.epochs=8"},
       {"data.name=fashion-mnist", "data.train_size=2000", "data.validation_size=1000",
        "train.epochs=2"}},
      {"spirals",
       "three interleaved spirals (synthetic classification, 2 inputs), MLP 2-64-64-3 with tanh: "
       "3,000 points, 30 epochs of batch 64",
       {"data.name=spirals", "data.size=3000", "train.epochs=30", "train.batch_size=64",
        "model.layers=[\"linear:out=64\", \"tanh\", \"linear:out=64\", \"tanh\", \"linear\"]"},
       {"data.name=spirals", "data.size=600", "train.epochs=10", "train.batch_size=64",
        "model.layers=[\"linear:out=32\", \"tanh\", \"linear\"]"}},
      {"sine",
       "regression of a noisy sine (1 input), MLP 1-64-64-1 with tanh, mean squared error: "
       "2,000 points, 30 epochs of batch 32",
       {"data.name=sine", "data.size=2000", "train.epochs=30", "train.batch_size=32",
        "train.loss=mse",
        "model.layers=[\"linear:out=64\", \"tanh\", \"linear:out=64\", \"tanh\", \"linear\"]"},
       {"data.name=sine", "data.size=500", "train.epochs=10", "train.batch_size=32",
        "train.loss=mse", "model.layers=[\"linear:out=32\", \"tanh\", \"linear\"]"}},
      {"fashion-autoencoder",
       "Fashion-MNIST undercomplete autoencoder 784-256-32-256-784, ReLU, mean squared error: "
       "20,000 training images, 10 epochs of batch 128",
       {"data.name=fashion-mnist", "data.train_size=20000", "train.epochs=10",
        "model.kind=autoencoder", "model.encoder=[\"linear:out=256\", \"relu\", \"linear\"]",
        "model.code=32", "model.decoder=[\"linear:out=256\", \"relu\", \"linear\"]"},
       {"data.name=fashion-mnist", "data.train_size=2000", "data.validation_size=1000",
        "train.epochs=2", "model.kind=autoencoder",
        "model.encoder=[\"linear:out=64\", \"relu\", \"linear\"]", "model.code=16",
        "model.decoder=[\"linear:out=64\", \"relu\", \"linear\"]"}},
  };
  return table;
}

const BenchmarkProblem& find_problem(const std::string& name) {
  std::vector<std::string> names;
  for (const BenchmarkProblem& p : benchmark_problems()) {
    if (p.name == name) return p;
    names.push_back(p.name);
  }
  std::string list;
  for (const std::string& n : names) list += (list.empty() ? "" : ", ") + n;
  throw std::invalid_argument("no benchmark problem '" + name + "'" + did_you_mean(name, names) +
                              "; the problems are " + list);
}

}  // namespace descent::sweep
