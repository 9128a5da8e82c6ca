#include "descent/data/csv.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <map>

#include "descent/data/idx.h"  // DataError
#include "descent/util/excerpt.h"
#include "descent/util/memory.h"

namespace descent {
namespace {

std::string trim(const std::string& text) {
  const size_t b = text.find_first_not_of(" \t\r");
  const size_t e = text.find_last_not_of(" \t\r");
  return b == std::string::npos ? "" : text.substr(b, e - b + 1);
}

std::string join(const std::vector<std::string>& items) {
  std::string s;
  for (const auto& i : items) s += (s.empty() ? "" : ", ") + i;
  return s;
}

// A line's cells: split at commas outside double quotes ("" inside quotes is one quote).
std::vector<std::string> split_cells(const std::string& line, const std::string& where) {
  std::vector<std::string> cells;
  std::string cell;
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c != '"') {
        cell += c;
      } else if (i + 1 < line.size() && line[i + 1] == '"') {
        cell += '"';
        ++i;
      } else {
        quoted = false;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      cells.push_back(trim(cell));
      cell.clear();
    } else {
      cell += c;
    }
  }
  if (quoted) throw DataError(where + ": a quoted cell is not closed on its line");
  cells.push_back(trim(cell));
  return cells;
}

bool parse_float(const std::string& text, float& out) {
  if (text.empty()) return false;
  const char* first = text.data();
  if (*first == '+') ++first;
  auto [ptr, ec] = std::from_chars(first, text.data() + text.size(), out);
  return ec == std::errc() && ptr == text.data() + text.size() && std::isfinite(out);
}

bool is_number(const std::string& text) {
  float unused;
  return parse_float(text, unused);
}

// The file's non-blank lines as cells, every row as wide as the first.
struct Table {
  std::string file;
  std::vector<std::vector<std::string>> rows;
  std::vector<size_t> lines;  // each row's line number in the file
  bool has_header = false;
  size_t columns = 0;

  std::string at(size_t row) const { return file + ":" + std::to_string(lines[row]); }
  size_t first_data_row() const { return has_header ? 1 : 0; }
  int64_t data_rows() const { return static_cast<int64_t>(rows.size() - first_data_row()); }
};

// A header names a column whose next line holds a number (a label column may hold names on
// every line); a file of one line is a header when none of its cells is a number.
bool first_line_is_header(const std::vector<std::vector<std::string>>& rows) {
  const auto& first = rows[0];
  if (rows.size() == 1) return std::none_of(first.begin(), first.end(), is_number);
  for (size_t c = 0; c < first.size() && c < rows[1].size(); ++c)
    if (!is_number(first[c]) && is_number(rows[1][c])) return true;
  return false;
}

// The file's lines, ended by "\n", "\r\n" or a lone "\r" (old Mac files), without a leading
// UTF-8 byte-order mark (spreadsheets write one; left on, it hid the first row as a header).
std::vector<std::string> read_lines(const std::filesystem::path& path, const std::string& file) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw DataError(file + ": is a directory, not a CSV file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw DataError(file + ": cannot open CSV file: " + std::strerror(errno));
  // Its lines are held as text, at least the file's size: a file too large says so, not bad_alloc.
  const uintmax_t size = std::filesystem::file_size(path, ec);
  if (!ec) check_fits_in_memory(static_cast<double>(size), file + " (the CSV file's text)");
  std::vector<std::string> lines(1);
  char buffer[1 << 16];
  bool after_cr = false;
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    for (std::streamsize i = 0; i < in.gcount(); ++i) {
      const char c = buffer[i];
      if (c == '\n' && after_cr) {
        after_cr = false;  // the second half of "\r\n"
        continue;
      }
      after_cr = c == '\r';
      if (c == '\n' || c == '\r')
        lines.emplace_back();
      else
        lines.back() += c;
    }
  }
  if (lines.front().rfind("\xEF\xBB\xBF", 0) == 0) lines.front().erase(0, 3);
  return lines;
}

Table read_table(const std::filesystem::path& path, const std::string& header) {
  Table t;
  t.file = path.string();
  const std::vector<std::string> lines = read_lines(path, t.file);
  for (size_t number = 1; number <= lines.size(); ++number) {
    const std::string& line = lines[number - 1];
    if (line.find_first_not_of(" \t") == std::string::npos) continue;  // blank lines
    t.rows.push_back(split_cells(line, t.file + ":" + std::to_string(number)));
    t.lines.push_back(number);
  }
  if (t.rows.empty()) throw DataError(t.file + ": no rows (the file is empty or blank)");
  if (header == "auto")
    t.has_header = first_line_is_header(t.rows);
  else if (header == "true" || header == "false")
    t.has_header = header == "true";
  else
    throw DataError(t.file + ": header option '" + header + "' (expected auto, true or false)");
  t.columns = t.rows[0].size();
  for (size_t r = 1; r < t.rows.size(); ++r)
    if (t.rows[r].size() != t.columns)
      throw DataError(t.at(r) + ": has " + std::to_string(t.rows[r].size()) +
                      " columns, expected " + std::to_string(t.columns) + " (as on line " +
                      std::to_string(t.lines[0]) + ")");
  return t;
}

// Whether a target names its column by index ("-1", "4") rather than by name.
bool is_index(const std::string& target, int64_t& index) {
  const char* first = target.data();
  auto [ptr, ec] = std::from_chars(first, first + target.size(), index);
  return ec == std::errc() && ptr == first + target.size();
}

// The target column by name or index; -1 when `optional` and the file has no such column. An
// index target, and a named one in a file without a header (by its column in the training file),
// are taken only from a file with one column more than the inputs when those are known.
int64_t find_target(const Table& t, const std::string& target, bool optional,
                    const CsvColumns& inputs) {
  const bool one_more = inputs.count < 0 || static_cast<int64_t>(t.columns) == inputs.count + 1;
  int64_t index = 0;
  if (is_index(target, index)) {
    if (optional && !one_more) return -1;
    const int64_t column = index < 0 ? static_cast<int64_t>(t.columns) + index : index;
    if (column < 0 || column >= static_cast<int64_t>(t.columns))
      throw DataError(t.file + ": target column " + target + " is out of range (the file has " +
                      std::to_string(t.columns) + " columns)");
    return column;
  }
  if (!t.has_header) {
    if (inputs.target >= 0 && inputs.target < static_cast<int64_t>(t.columns) && one_more)
      return inputs.target;
    if (optional && !one_more) return -1;
    throw DataError(t.file + ": target '" + excerpt(target) +
                    "' is a name but the file has no header line" +
                    (optional ? " to find it by (add the training file's header line, or leave "
                                "the column out)"
                              : ""));
  }
  for (size_t c = 0; c < t.columns; ++c)
    if (t.rows[0][c] == target) return static_cast<int64_t>(c);
  if (optional) return -1;
  throw DataError(t.file + ": no column named '" + excerpt(target) +
                  "' (columns: " + excerpt(join(t.rows[0]), 200) + ")");
}

// The input columns, in the order the model takes them.
std::vector<size_t> input_columns(const Table& t, int64_t target, const CsvColumns& inputs,
                                  bool labelled) {
  std::vector<size_t> columns;
  if (t.has_header && !inputs.names.empty()) {
    std::vector<std::string> missing;
    for (const std::string& name : inputs.names) {
      const auto it = std::find(t.rows[0].begin(), t.rows[0].end(), name);
      if (it == t.rows[0].end())
        missing.push_back("'" + excerpt(name) + "'");
      else
        columns.push_back(static_cast<size_t>(it - t.rows[0].begin()));
    }
    if (!missing.empty())
      throw DataError(t.at(0) + ": no column named " + excerpt(join(missing), 200) +
                      " (the model's inputs: " + excerpt(join(inputs.names), 200) +
                      "; the file's columns: " + excerpt(join(t.rows[0]), 200) + ")");
    return columns;
  }
  for (size_t c = 0; c < t.columns; ++c)
    if (static_cast<int64_t>(c) != target) columns.push_back(c);
  const auto count = static_cast<int64_t>(columns.size());
  if (inputs.count >= 0 && count != inputs.count) {
    const std::string with_target = std::to_string(inputs.count + 1);
    throw DataError(t.at(0) + ": has " + std::to_string(t.columns) + " columns, expected " +
                    (labelled ? with_target + " (the " + std::to_string(inputs.count) +
                                    " inputs the model was trained on, and the target)"
                              : std::to_string(inputs.count) + " (the model's inputs) or " +
                                    with_target + " (with the target column)"));
  }
  return columns;
}

// The input values [n, columns.size()], each cell a finite number.
Tensor read_inputs(const Table& t, const std::vector<size_t>& columns) {
  const int64_t n = t.data_rows(), width = static_cast<int64_t>(columns.size());
  Tensor x = Tensor::empty({n, width});
  float* out = x.data();
  for (int64_t r = 0; r < n; ++r) {
    const size_t row = t.first_data_row() + static_cast<size_t>(r);
    for (size_t j = 0; j < columns.size(); ++j) {
      const std::string& cell = t.rows[row][columns[j]];
      if (!parse_float(cell, out[r * width + static_cast<int64_t>(j)]))
        throw DataError(t.at(row) + ": column " + std::to_string(columns[j] + 1) + " ('" +
                        excerpt(cell) + "') is not a finite number");
    }
  }
  return x;
}

// Whether a number is a class label: an integer that float32 holds exactly (|v| <= 2^24), which
// also keeps it within int64 for integer_text.
bool is_integer_label(float value) {
  return value == std::floor(value) && std::fabs(value) <= 16777216.0f;
}

// The name a numeric class label is known by: its integer value.
std::string integer_text(float value) { return std::to_string(static_cast<int64_t>(value)); }

// The classes of the labels in `column`: integers in numeric order, or names in text order.
std::vector<std::string> classes_of(const Table& t, size_t column) {
  bool numeric = true;
  for (size_t r = t.first_data_row(); r < t.rows.size() && numeric; ++r)
    numeric = is_number(t.rows[r][column]);
  if (!numeric) {
    std::vector<std::string> names;
    for (size_t r = t.first_data_row(); r < t.rows.size(); ++r) names.push_back(t.rows[r][column]);
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    return names;
  }
  std::vector<float> values;
  for (size_t r = t.first_data_row(); r < t.rows.size(); ++r) {
    float v = 0;
    parse_float(t.rows[r][column], v);
    if (!is_integer_label(v))
      throw DataError(t.at(r) + ": column " + std::to_string(column + 1) + " ('" +
                      excerpt(t.rows[r][column]) +
                      "') is not a class label (an integer from -16777216 to 16777216, or a name)");
    values.push_back(v);
  }
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  std::vector<std::string> names;
  for (float v : values) names.push_back(integer_text(v));
  return names;
}

// Class indices [n] of the labels in `column`, by the order of `classes`: numeric classes match
// a label by value ("2.0" is class "2"), named ones by its text.
Tensor class_indices(const Table& t, size_t column, const std::vector<std::string>& classes) {
  const bool numeric = std::all_of(classes.begin(), classes.end(), is_number);
  std::map<std::string, float> index;
  for (size_t i = 0; i < classes.size(); ++i) index[classes[i]] = static_cast<float>(i);
  Tensor y = Tensor::empty({t.data_rows()});
  for (size_t r = t.first_data_row(); r < t.rows.size(); ++r) {
    const std::string& cell = t.rows[r][column];
    float value = 0;
    const std::string key =
        numeric && parse_float(cell, value) && is_integer_label(value) ? integer_text(value) : cell;
    const auto it = index.find(key);
    if (it == index.end()) {
      std::vector<std::string> known(classes.begin(),
                                     classes.begin() + std::min<size_t>(classes.size(), 20));
      if (classes.size() > known.size()) known.push_back("...");
      throw DataError(t.at(r) + ": column " + std::to_string(column + 1) + ": label '" +
                      excerpt(cell) + "' is not one of the " + std::to_string(classes.size()) +
                      " classes of the training data (" + excerpt(join(known), 200) + ")");
    }
    y.data()[r - t.first_data_row()] = it->second;
  }
  return y;
}

}  // namespace

Dataset read_csv_dataset(const std::filesystem::path& path, const CsvOptions& options) {
  const Table t = read_table(path, options.header);
  if (t.columns < 2) throw DataError(t.file + ": needs at least two columns (inputs and a target)");
  const int64_t target = find_target(t, options.target, false, options.inputs);
  const std::vector<size_t> columns = input_columns(t, target, options.inputs, true);
  const int64_t n = t.data_rows();
  if (n == 0) throw DataError(t.file + ": a header but no data rows");
  const auto target_column = static_cast<size_t>(target);
  Dataset d;
  d.name = path.filename().string();
  d.inputs = read_inputs(t, columns);
  d.target_column = target;
  if (t.has_header)
    for (size_t c : columns) d.feature_names.push_back(t.rows[0][c]);
  if (options.classification) {
    d.class_names = options.classes.empty() ? classes_of(t, target_column) : options.classes;
    d.targets = class_indices(t, target_column, d.class_names);
    d.num_classes = static_cast<int64_t>(d.class_names.size());
    return d;
  }
  d.targets = Tensor::empty({n, 1});
  for (int64_t r = 0; r < n; ++r) {
    const size_t row = t.first_data_row() + static_cast<size_t>(r);
    const std::string& cell = t.rows[row][target_column];
    if (!parse_float(cell, d.targets.data()[r]))
      throw DataError(t.at(row) + ": column " + std::to_string(target_column + 1) + " ('" +
                      excerpt(cell) + "') is not a finite number (the target of a regression)");
  }
  return d;
}

Tensor read_csv_inputs(const std::filesystem::path& path, const CsvOptions& options) {
  const Table t = read_table(path, options.header);
  const bool by_name = t.has_header && !options.inputs.names.empty();
  const int64_t target = by_name ? -1 : find_target(t, options.target, true, options.inputs);
  const std::vector<size_t> columns = input_columns(t, target, options.inputs, false);
  if (t.data_rows() == 0) throw DataError(t.file + ": a header but no data rows");
  return read_inputs(t, columns);
}

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

}  // namespace descent
