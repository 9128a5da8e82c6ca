#include "descent/train/metrics.h"

namespace descent {
namespace {
nlohmann::json number(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(); }
double number_from(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it == j.end() || it->is_null() ? NAN : it->get<double>();
}
}  // namespace

nlohmann::json to_json(const EpochMetrics& m) {
  nlohmann::json j = {{"epoch", m.epoch},
                      {"train_loss", number(m.train_loss)},
                      {"train_accuracy", number(m.train_accuracy)},
                      {"val_loss", number(m.val_loss)},
                      {"val_accuracy", number(m.val_accuracy)},
                      {"lr", number(m.lr)},
                      {"seconds", m.seconds},
                      {"samples_per_second", m.samples_per_second},
                      {"grad_norm_mean", number(m.grad_norm_mean)},
                      {"grad_norm_max", number(m.grad_norm_max)},
                      {"update_ratio", m.update_ratio},
                      {"steps", m.steps},
                      {"skipped_steps", m.skipped_steps}};
  for (const auto& [key, value] : m.extra.items()) j[key] = value;
  return j;
}

EpochMetrics epoch_metrics_from_json(const nlohmann::json& j) {
  EpochMetrics m;
  m.epoch = j.at("epoch").get<int64_t>();
  m.train_loss = number_from(j, "train_loss");
  m.train_accuracy = number_from(j, "train_accuracy");
  m.val_loss = number_from(j, "val_loss");
  m.val_accuracy = number_from(j, "val_accuracy");
  m.lr = number_from(j, "lr");
  m.seconds = number_from(j, "seconds");
  m.samples_per_second = number_from(j, "samples_per_second");
  m.grad_norm_mean = number_from(j, "grad_norm_mean");
  m.grad_norm_max = number_from(j, "grad_norm_max");
  m.update_ratio = j.value("update_ratio", std::map<std::string, double>{});
  m.steps = j.value("steps", int64_t{0});
  m.skipped_steps = j.value("skipped_steps", int64_t{0});
  const nlohmann::json known = to_json(EpochMetrics{});
  for (const auto& [key, value] : j.items())
    if (!known.contains(key)) m.extra[key] = value;
  return m;
}

nlohmann::json to_json(const EvalResult& r) {
  nlohmann::json j = {
      {"loss", number(r.loss)}, {"accuracy", number(r.accuracy)}, {"examples", r.examples}};
  for (const auto& [name, value] : r.terms) j[name] = number(value);
  return j;
}

}  // namespace descent
