#pragma once
// CSV datasets: numeric columns separated by commas, one example per line. The first line is a
// header when any of its cells is not a number (or when told so). The target column is chosen by
// name (with a header) or by index (0-based; negative counts from the end); the other columns are
// the inputs. A classification target holds integer class labels 0..k-1; otherwise targets are
// regression values of shape [n, 1].
#include <filesystem>
#include <string>

#include "descent/data/dataset.h"

namespace descent {

struct CsvOptions {
  std::string target = "-1";       // a column name or an index
  std::string header = "auto";     // auto, true or false
  bool classification = false;     // targets as class indices
};

// Throws DataError naming the file, and the line and column for a ragged row or a cell that is
// not a number.
Dataset read_csv_dataset(const std::filesystem::path& path, const CsvOptions& options);

}  // namespace descent
