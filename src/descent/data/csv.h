#pragma once
// CSV datasets: columns separated by commas, one example per line; a cell may be quoted ("a,b"),
// and blanks around cells are dropped. The first line is a header when a column holds a name
// there and a number on the next line (or when told so). The target column is chosen by name
// (with a header) or by index (0-based; negative counts from the end); the other columns are the
// inputs, which must be numbers.
//
// A classification target holds class labels: numbers (integers) or names. Its classes are the
// labels that occur, in sorted order (numerically when every label is a number, else as text),
// and label i of that order becomes class index i: labels 1, 2, 3 are classes 0, 1, 2, and
// setosa, versicolor, virginica are too. A file read for a model already trained (a test file,
// new data to score) takes the training file's classes instead, and a label that is not among
// them is an error. Otherwise targets are regression values of shape [n, 1].
#include <filesystem>
#include <string>
#include <vector>

#include "descent/data/dataset.h"

namespace descent {

// The columns of the file a model was trained on: its inputs, matched by name when both files
// have a header, else by position (then the count must agree), and where its target was (to
// find a named target in a file without a header).
struct CsvColumns {
  int64_t count = -1;              // < 0: not known (every column but the target is an input)
  std::vector<std::string> names;  // empty: the training file had no header
  int64_t target = -1;             // the target's column, 0-based; < 0: not known
};

struct CsvOptions {
  std::string target = "-1";         // a column name or an index
  std::string header = "auto";       // auto, true or false
  bool classification = false;       // targets as class indices
  std::vector<std::string> classes;  // given: the training file's classes, in class order
  CsvColumns inputs;                 // given: the training file's input columns
};

// Fills class_names (classification), feature_names (with a header) and target_column. Throws
// DataError naming the file, and the line and column for a ragged row, a cell that is not a number,
// or a label that is not among the given classes.
Dataset read_csv_dataset(const std::filesystem::path& path, const CsvOptions& options);

// The inputs alone [n, features], of a file that may or may not have the target column: with a
// header, a column named as the target is left out (extra columns are too when the inputs go by
// name); without one, the target's column is left out when the file has one column more than
// the inputs. Throws DataError naming the file, line and column of what does not fit.
Tensor read_csv_inputs(const std::filesystem::path& path, const CsvOptions& options);

// A cell for a CSV file being written: quoted when it holds a comma, a quote or a line break.
std::string csv_field(const std::string& text);

}  // namespace descent
