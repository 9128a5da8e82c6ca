#include "descent/app/run_record.h"

#include <fstream>
#include <sstream>

#include "descent/app/run_dir.h"
#include "descent/io/atomic_file.h"
#include "descent/io/json_input.h"

namespace descent {
namespace {

// Each non-empty line of a JSON-lines file, parsed; a bad line throws naming file:line. A last
// line without its newline is a write cut short and is left out.
std::vector<nlohmann::json> read_json_lines(const std::filesystem::path& file,
                                            std::vector<std::string>& notes) {
  std::vector<nlohmann::json> out;
  std::ifstream in(file);
  if (!in) return out;
  std::stringstream text;
  text << in.rdbuf();
  const std::string all = text.str();
  size_t start = 0;
  for (int64_t line_number = 1; start < all.size(); ++line_number) {
    const size_t end = all.find('\n', start);
    if (end == std::string::npos) {
      notes.push_back(file.filename().string() + ": line " + std::to_string(line_number) +
                      " was cut short and is left out");
      break;
    }
    const std::string line = all.substr(start, end - start);
    start = end + 1;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    out.push_back(parse_json(line, file.string() + ":" + std::to_string(line_number),
                             "the line (" + text_excerpt(line) + ")"));
  }
  return out;
}

double number_or_nan(const nlohmann::json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : NAN;
}

}  // namespace

RunRecord read_run(const std::filesystem::path& dir) {
  if (!std::filesystem::is_directory(dir))
    throw std::runtime_error(dir.string() + " is not a directory");
  check_is_run_dir(dir);
  RunRecord run;
  run.dir = dir;
  run.name = std::filesystem::absolute(dir).lexically_normal().filename().string();
  if (run.name.empty()) run.name = std::filesystem::absolute(dir).parent_path().filename().string();
  {
    std::ifstream in(dir / kConfigFile);
    std::stringstream text;
    text << in.rdbuf();
    run.config_toml = text.str();
  }
  run.config = load_config(dir / kConfigFile, {});

  const auto metrics_file = dir / kMetricsFile;
  if (!std::filesystem::exists(metrics_file))
    run.notes.push_back("no " + std::string(kMetricsFile) + ": no epoch has finished");
  int64_t line = 0;
  for (const auto& j : read_json_lines(metrics_file, run.notes)) {
    ++line;
    try {
      run.epochs.push_back(epoch_metrics_from_json(j));
    } catch (const nlohmann::json::exception& e) {
      throw std::runtime_error(metrics_file.string() + ":" + std::to_string(line) +
                               ": not an epoch record (" + e.what() + ")");
    }
  }
  for (const auto& j : read_json_lines(dir / kStepsFile, run.notes)) {
    StepRecord s;
    s.step = j.value("step", int64_t{0});
    s.epoch = j.value("epoch", int64_t{0});
    s.loss = number_or_nan(j, "loss");
    s.lr = number_or_nan(j, "lr");
    s.grad_norm = number_or_nan(j, "grad_norm");
    s.seconds = number_or_nan(j, "seconds");
    run.steps.push_back(s);
  }
  run.curvature = read_json_lines(dir / kCurvatureFile, run.notes);

  const auto summary_file = dir / kSummaryFile;
  if (std::filesystem::exists(summary_file)) {
    run.summary = parse_json(read_file(summary_file), summary_file.string(), "the summary");
  } else {
    run.notes.push_back(std::filesystem::exists(dir / kCheckpointFile)
                            ? "no summary.json: in progress or interrupted (resume with descent "
                              "train --resume " +
                                  dir.string() + ")"
                            : "no summary.json: in progress or cut short");
  }
  return run;
}

}  // namespace descent
