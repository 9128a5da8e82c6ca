#include "descent/app/predict.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "descent/app/autoencoder_run.h"
#include "descent/app/run.h"
#include "descent/app/run_dir.h"
#include "descent/app/run_inputs.h"
#include "descent/autograd/grad_mode.h"
#include "descent/data/csv.h"
#include "descent/util/number_text.h"

namespace descent {
namespace {

// Rows per forward pass, to keep memory flat on large files.
constexpr int64_t kBatch = 1000;

// The model's outputs for every row of `inputs`, a batch at a time, without gradients.
Tensor outputs_of(Module& model, const Tensor& inputs) {
  NoGradGuard no_grad;
  const int64_t n = inputs.size(0);
  std::vector<float> out;
  int64_t out_width = 0;
  for (int64_t begin = 0; begin < n; begin += kBatch) {
    const int64_t end = std::min(n, begin + kBatch);
    const Tensor part = model.forward(inputs.rows(begin, end));
    out_width = part.size(-1);
    out.insert(out.end(), part.values().begin(), part.values().end());
  }
  return Tensor::from({n, out_width}, out);
}

std::string header_line(const std::vector<std::string>& names) {
  std::string line;
  for (size_t i = 0; i < names.size(); ++i) line.append(i ? "," : "").append(csv_field(names[i]));
  return line + "\n";
}

// `base`, or base_0, base_1, ... for several columns.
std::vector<std::string> numbered(const std::string& base, int64_t count) {
  if (count == 1) return {base};
  std::vector<std::string> names;
  for (int64_t i = 0; i < count; ++i) names.push_back(base + "_" + std::to_string(i));
  return names;
}

// Every row's values as CSV, after a header line.
std::string values_csv(const std::vector<std::string>& header, const Tensor& values) {
  std::string csv = header_line(header);
  const int64_t n = values.size(0), k = values.size(1);
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t j = 0; j < k; ++j)
      csv.append(j ? "," : "").append(shortest_text(values.data()[i * k + j]));
    csv += "\n";
  }
  return csv;
}

// Class probabilities (softmax, in double precision) and the most probable class's name.
std::string classes_csv(const std::vector<std::string>& classes, const Tensor& scores) {
  std::vector<std::string> header = classes;
  header.push_back("predicted");
  std::string csv = header_line(header);
  const int64_t n = scores.size(0), k = scores.size(1);
  std::vector<double> p(static_cast<size_t>(k));
  for (int64_t i = 0; i < n; ++i) {
    const float* s = scores.data() + i * k;
    const float top = *std::max_element(s, s + k);
    double sum = 0;
    for (int64_t j = 0; j < k; ++j) sum += p[static_cast<size_t>(j)] = std::exp(double(s[j]) - top);
    for (int64_t j = 0; j < k; ++j)
      csv.append(shortest_text(static_cast<float>(p[static_cast<size_t>(j)] / sum))).append(",");
    csv += csv_field(classes[static_cast<size_t>(std::max_element(s, s + k) - s)]) + "\n";
  }
  return csv;
}

Predictions reconstructions(const std::filesystem::path& run_dir,
                            const std::filesystem::path& input) {
  AutoencoderRun run = load_autoencoder_run(run_dir);
  const DataSignature data = read_data_signature(run_dir, run.config);
  const Tensor x = read_run_inputs(data, run.config, input);
  std::vector<std::string> header = data.feature_names;
  if (header.empty()) header = numbered(data.images() ? "pixel" : "x", data.features);
  Predictions p;
  p.csv = values_csv(header, reconstruct_values(run, x));
  p.rows = x.size(0);
  p.columns = std::to_string(data.features) + " reconstructed values";
  return p;
}

}  // namespace

Predictions predict(const std::filesystem::path& run_dir, const std::filesystem::path& input) {
  check_is_run_dir(run_dir);
  const std::string kind = load_config(run_dir / kConfigFile, {}).model.kind;
  if (is_autoencoder_kind(kind)) return reconstructions(run_dir, input);
  if (kind != "classifier")
    throw std::runtime_error(run_dir.string() + " is a run of model.kind = \"" + kind +
                             "\", which predict does not support (it takes classifiers, "
                             "regressors, autoencoders and VAEs; for codes see descent encode)");
  TrainedModel run = load_trained_model(run_dir);
  const Tensor x = read_run_inputs(run.data, run.config, input);
  const Tensor out = outputs_of(*run.model, x);
  Predictions p;
  p.rows = x.size(0);
  if (run.data.classification()) {
    p.csv = classes_csv(run.data.classes, out);
    p.columns = std::to_string(run.data.classes.size()) + " class probabilities, predicted";
    return p;
  }
  const bool named = !run.data.target.empty() && !run.data.feature_names.empty() &&
                     run.data.target.find_first_not_of("-0123456789") != std::string::npos;
  p.csv = values_csv(numbered(named ? run.data.target : "prediction", out.size(1)), out);
  p.columns = std::to_string(out.size(1)) + " predicted value" + (out.size(1) > 1 ? "s" : "");
  return p;
}

}  // namespace descent
