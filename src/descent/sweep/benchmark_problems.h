#pragma once
// The problems of `descent compare-optimizers`: each a configuration of the trainer (the sets
// every trial of that problem shares), in a full and a --quick size. Declared once in
// benchmark_problems.cpp's table, which --list and docs/sweeps.md follow.
#include <string>
#include <vector>

namespace descent::sweep {

struct BenchmarkProblem {
  std::string name;  // "fashion-mlp"
  std::string what;  // a line for --list and the report
  std::vector<std::string> sets, quick_sets;
};

const std::vector<BenchmarkProblem>& benchmark_problems();

// Throws std::invalid_argument naming the problem and listing the known ones.
const BenchmarkProblem& find_problem(const std::string& name);

}  // namespace descent::sweep
