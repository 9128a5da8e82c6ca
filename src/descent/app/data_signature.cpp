#include "descent/app/data_signature.h"

#include <stdexcept>

#include "descent/app/datasets.h"
#include "descent/app/run_dir.h"
#include "descent/io/atomic_file.h"

namespace descent {

int64_t DataSignature::outputs() const {
  return classification() ? static_cast<int64_t>(classes.size()) : targets;
}

DataSignature describe_data(const Config& config, const Dataset& train) {
  DataSignature s;
  s.dataset = config.data.name;
  s.features = train.features();
  s.feature_names = train.feature_names;
  const DatasetInfo* info = find_dataset(config.data.name);
  if (info && info->image_rows > 0 && s.features == info->image_rows * info->image_cols) {
    s.image_rows = info->image_rows;
    s.image_cols = info->image_cols;
  }
  if (dataset_reads(config, "target")) s.target = config.data.target;
  s.target_column = train.target_column;
  if (train.num_classes > 0) {
    s.classes = train.class_names;
    for (auto c = static_cast<int64_t>(s.classes.size()); c < train.num_classes; ++c)
      s.classes.push_back(std::to_string(c));
  } else {
    s.targets = train.targets.dim() == 2 ? train.targets.size(1) : 1;
  }
  return s;
}

nlohmann::json to_json(const DataSignature& s) {
  nlohmann::json j = {{"dataset", s.dataset}, {"features", s.features}};
  if (!s.feature_names.empty()) j["feature_names"] = s.feature_names;
  if (s.images()) j["image"] = {s.image_rows, s.image_cols};
  if (!s.target.empty()) j["target"] = s.target;
  if (s.target_column >= 0) j["target_column"] = s.target_column;
  if (s.classification())
    j["classes"] = s.classes;
  else
    j["targets"] = s.targets;
  return j;
}

DataSignature data_signature_from_json(const nlohmann::json& j, const std::string& where) {
  try {
    DataSignature s;
    s.dataset = j.at("dataset").get<std::string>();
    s.features = j.at("features").get<int64_t>();
    s.feature_names = j.value("feature_names", std::vector<std::string>{});
    if (j.contains("image")) {
      s.image_rows = j.at("image").at(0).get<int64_t>();
      s.image_cols = j.at("image").at(1).get<int64_t>();
    }
    s.target = j.value("target", std::string());
    s.target_column = j.value("target_column", int64_t{-1});
    s.classes = j.value("classes", std::vector<std::string>{});
    s.targets = j.value("targets", int64_t{0});
    return s;
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(where + ": " + e.what());
  }
}

DataSignature read_data_signature(const std::filesystem::path& run_dir, const Config& config) {
  const auto file = run_dir / kDataFile;
  if (std::filesystem::exists(file)) {
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(read_file(file));
    } catch (const nlohmann::json::parse_error& e) {
      throw std::runtime_error(file.string() + ": " + e.what());
    }
    return data_signature_from_json(j, file.string());
  }
  Config resolved = config;
  return describe_data(resolved, load_experiment_data(resolved).train);
}

}  // namespace descent
