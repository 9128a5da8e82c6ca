#include "descent/app/run_inputs.h"

#include "descent/data/csv.h"
#include "descent/data/fashion_mnist.h"
#include "descent/data/idx.h"

namespace descent {
namespace {

CsvOptions csv_options(const DataSignature& data, const Config& config) {
  CsvOptions o;
  o.target = data.target.empty() ? config.data.target : data.target;
  o.header = config.data.header;
  o.classification = data.classification();
  o.classes = data.classes;
  o.inputs = {data.features, data.feature_names, data.target_column};
  return o;
}

// An image run reads IDX files; a CSV file given to one gets a message saying so rather than
// the IDX reader's complaint about its first bytes.
void check_not_csv(const DataSignature& data, const std::filesystem::path& file) {
  if (file.extension() == ".csv")
    throw DataError(file.string() + ": the run's model (" + data.dataset + ") takes " +
                    std::to_string(data.image_rows) + "x" + std::to_string(data.image_cols) +
                    " images from an IDX file (such as t10k-images-idx3-ubyte, gzipped or raw), "
                    "not CSV");
}

void check_image_size(const DataSignature& data, const std::filesystem::path& file, int64_t rows,
                      int64_t cols) {
  if (rows != data.image_rows || cols != data.image_cols)
    throw DataError(file.string() + ": images of " + std::to_string(rows) + "x" +
                    std::to_string(cols) + " pixels, but the run's model takes " +
                    std::to_string(data.image_rows) + "x" + std::to_string(data.image_cols) + " (" +
                    std::to_string(data.features) + " values)");
}

}  // namespace

Tensor read_run_inputs(const DataSignature& data, const Config& config,
                       const std::filesystem::path& file) {
  if (!data.images()) return read_csv_inputs(file, csv_options(data, config));
  check_not_csv(data, file);
  int64_t rows = 0, cols = 0;
  Tensor x = read_idx_images(file, rows, cols);
  check_image_size(data, file, rows, cols);
  return x;
}

Dataset read_run_examples(const DataSignature& data, const Config& config,
                          const std::filesystem::path& file, const std::filesystem::path& labels) {
  if (!data.images()) {
    Dataset d = read_csv_dataset(file, csv_options(data, config));
    if (!data.classification() && d.targets.size(1) != data.targets)
      throw DataError(file.string() + ": " + std::to_string(d.targets.size(1)) +
                      " target values per row, but the run's model gives " +
                      std::to_string(data.targets));
    return d;
  }
  check_not_csv(data, file);
  Dataset d;
  d.name = file.filename().string();
  d.inputs = read_run_inputs(data, config, file);
  d.targets = read_idx_labels(labels, d.inputs.size(0), file);
  d.num_classes = static_cast<int64_t>(data.classes.size());
  d.class_names = data.classes;
  return d;
}

}  // namespace descent
