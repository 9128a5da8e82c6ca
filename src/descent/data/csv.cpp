#include "descent/data/csv.h"

#include <charconv>
#include <cmath>
#include <fstream>
#include <vector>

#include "descent/data/idx.h"  // DataError

namespace descent {
namespace {

std::vector<std::string> split_cells(const std::string& line) {
  std::vector<std::string> cells;
  size_t start = 0;
  while (true) {
    const size_t comma = line.find(',', start);
    std::string cell = line.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    const size_t b = cell.find_first_not_of(" \t\r");
    const size_t e = cell.find_last_not_of(" \t\r");
    cells.push_back(b == std::string::npos ? "" : cell.substr(b, e - b + 1));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return cells;
}

bool parse_float(const std::string& text, float& out) {
  if (text.empty()) return false;
  const char* first = text.data();
  if (*first == '+') ++first;
  auto [ptr, ec] = std::from_chars(first, text.data() + text.size(), out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

}  // namespace

Dataset read_csv_dataset(const std::filesystem::path& path, const CsvOptions& options) {
  std::ifstream in(path);
  if (!in) throw DataError(path.string() + ": cannot open CSV file");
  const std::string where = path.string();
  std::vector<std::vector<std::string>> rows;
  std::vector<size_t> line_numbers;
  std::string line;
  for (size_t number = 1; std::getline(in, line); ++number) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;  // blank lines
    rows.push_back(split_cells(line));
    line_numbers.push_back(number);
  }
  if (rows.empty()) throw DataError(where + ": no rows");

  bool has_header = options.header == "true";
  if (options.header == "auto") {
    float unused;
    for (const auto& cell : rows[0]) has_header = has_header || !parse_float(cell, unused);
  } else if (options.header != "false") {
    throw DataError(where + ": header option '" + options.header + "' (expected auto, true or false)");
  }
  const size_t columns = rows[0].size();
  if (columns < 2) throw DataError(where + ": needs at least two columns (inputs and a target)");

  // The target column, by name or index.
  int64_t target = -1;
  int64_t index = 0;
  const char* first = options.target.data();
  auto [ptr, ec] = std::from_chars(first, first + options.target.size(), index);
  if (ec == std::errc() && ptr == first + options.target.size()) {
    target = index < 0 ? static_cast<int64_t>(columns) + index : index;
    if (target < 0 || target >= static_cast<int64_t>(columns))
      throw DataError(where + ": target column " + options.target + " is out of range (the file has " +
                      std::to_string(columns) + " columns)");
  } else {
    if (!has_header)
      throw DataError(where + ": target '" + options.target +
                      "' is a name but the file has no header line");
    for (size_t c = 0; c < columns; ++c)
      if (rows[0][c] == options.target) target = static_cast<int64_t>(c);
    if (target < 0) {
      std::string names;
      for (const auto& n : rows[0]) names += (names.empty() ? "" : ", ") + n;
      throw DataError(where + ": no column named '" + options.target + "' (columns: " + names + ")");
    }
  }

  const size_t first_row = has_header ? 1 : 0;
  const int64_t n = static_cast<int64_t>(rows.size() - first_row);
  if (n == 0) throw DataError(where + ": a header but no data rows");
  const int64_t features = static_cast<int64_t>(columns) - 1;
  Dataset d;
  d.name = path.filename().string();
  d.inputs = Tensor::empty({n, features});
  d.targets = options.classification ? Tensor::empty({n}) : Tensor::empty({n, 1});
  float* x = d.inputs.data();
  float* y = d.targets.data();
  float max_label = 0;
  for (int64_t r = 0; r < n; ++r) {
    const auto& cells = rows[first_row + r];
    const size_t line_number = line_numbers[first_row + r];
    if (cells.size() != columns)
      throw DataError(where + ":" + std::to_string(line_number) + ": has " +
                      std::to_string(cells.size()) + " columns, expected " +
                      std::to_string(columns) + " (as on line " +
                      std::to_string(line_numbers[0]) + ")");
    int64_t out = 0;
    for (size_t c = 0; c < columns; ++c) {
      float v;
      if (!parse_float(cells[c], v) || !std::isfinite(v))
        throw DataError(where + ":" + std::to_string(line_number) + ": column " +
                        std::to_string(c + 1) + " ('" + cells[c] + "') is not a finite number");
      if (static_cast<int64_t>(c) == target) {
        if (options.classification && (v < 0 || v != std::floor(v)))
          throw DataError(where + ":" + std::to_string(line_number) + ": column " +
                          std::to_string(c + 1) + " ('" + cells[c] +
                          "') is not a class label (an integer >= 0)");
        y[r] = v;
        max_label = std::max(max_label, v);
      } else {
        x[r * features + out++] = v;
      }
    }
  }
  if (options.classification) d.num_classes = static_cast<int64_t>(max_label) + 1;
  return d;
}

}  // namespace descent
