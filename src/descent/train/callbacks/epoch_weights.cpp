#include "descent/train/callbacks/epoch_weights.h"

#include <algorithm>
#include <cstdio>
#include <string>

#include "descent/io/model_weights.h"

namespace descent {

std::filesystem::path epoch_weights_file(const std::filesystem::path& dir, int64_t epoch) {
  char name[48];
  std::snprintf(name, sizeof name, "epoch-%04lld.safetensors", static_cast<long long>(epoch));
  return dir / name;
}

std::vector<std::pair<int64_t, std::filesystem::path>> list_epoch_weights(
    const std::filesystem::path& dir) {
  std::vector<std::pair<int64_t, std::filesystem::path>> files;
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    const std::string prefix = "epoch-", suffix = ".safetensors";
    // Exactly epoch-<digits>.safetensors; temporaries of cut-short writes are not weights.
    if (name.size() <= prefix.size() + suffix.size() || name.rfind(prefix, 0) != 0 ||
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0)
      continue;
    const std::string digits =
        name.substr(prefix.size(), name.size() - prefix.size() - suffix.size());
    if (digits.size() > 9 ||
        !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
      continue;
    const int64_t epoch = std::stoll(digits);
    if (entry.path() == epoch_weights_file(dir, epoch)) files.emplace_back(epoch, entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

EpochWeights::EpochWeights(const Module& model, std::filesystem::path dir)
    : model_(model), dir_(std::move(dir)) {}

void EpochWeights::on_train_begin(TrainState&) {
  std::filesystem::create_directories(dir_);
  const std::filesystem::path start = epoch_weights_file(dir_, 0);
  if (!std::filesystem::exists(start)) save_weights(model_, start);
}

void EpochWeights::on_epoch_end(TrainState& state, EpochMetrics&) {
  save_weights(model_, epoch_weights_file(dir_, state.epoch));
}

}  // namespace descent
