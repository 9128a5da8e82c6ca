#include "descent/experiments/run.h"

#include <chrono>
#include <cstdio>
#include <optional>
#include <set>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "descent/app/run_lock.h"
#include "descent/io/atomic_file.h"
#include "descent/io/json_input.h"
#include "descent/plot/export.h"
#include "descent/plot/page.h"
#include "descent/plot/provenance.h"
#include "descent/util/number_text.h"

namespace descent::experiments {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// The files an earlier run of `name` left in `dir` (its result.json's list), or a refusal when
// `dir` holds something else.
std::vector<std::string> earlier_run_files(const fs::path& dir, const std::string& name) {
  const fs::path file = dir / kResultFile;
  const json old = parse_json(read_file(file), file.string(), "an experiment's result");
  if (!old.is_object() || !old.contains("experiment") || old["experiment"] != name)
    throw std::runtime_error(dir.string() + " holds the results of another experiment (" +
                             file.string() + "); choose another --out");
  std::vector<std::string> files;
  if (old.contains("files") && old["files"].is_array())
    for (const json& f : old["files"])
      if (f.is_string()) files.push_back(f.get<std::string>());
  return files;
}

// The page: the claim, what was measured, the headline numbers, then each section's text and
// figures.
plot::Page result_page(const Experiment& e, const Context& context, const Outcome& outcome,
                       const json& provenance) {
  plot::Page page;
  page.title = "descent experiment " + e.name;
  page.provenance = provenance;
  page.blocks.push_back(plot::Heading{e.name, 1});
  page.blocks.push_back(plot::Paragraph{"The notes' claim: " + e.claim});
  page.blocks.push_back(plot::Paragraph{"Measured: " + outcome.measured});
  page.blocks.push_back(plot::Paragraph{outcome.agrees ? "The measurement agrees with the claim."
                                                       : "The measurement does not agree with "
                                                         "the claim (docs/experiments.md says "
                                                         "why)."});
  plot::Table table{{"headline", "value"}, {}};
  for (const auto& [key, value] : outcome.headline.items())
    table.rows.push_back(
        {key, value.is_number_float() ? shortest_text(value.get<double>()) : value.dump()});
  if (!table.rows.empty()) page.blocks.push_back(table);
  for (const Context::Section& s : context.sections()) {
    if (!s.heading.empty()) page.blocks.push_back(plot::Heading{s.heading, 2});
    if (!s.text.empty()) page.blocks.push_back(plot::Paragraph{s.text});
    for (size_t k = 0; k < s.figures.size(); ++k) {
      page.blocks.push_back(s.figures[k]);
      if (!s.captions[k].empty()) page.blocks.push_back(plot::Paragraph{s.captions[k]});
    }
  }
  return page;
}

}  // namespace

RunResult run_experiment(const Experiment& e, const RunOptions& options) {
  // Every setting checked before the directory is touched.
  Params params(e.params, options.quick, options.sets);
  if (options.draw) {
    plot::check_page_libraries();
    plot::check_figure_tools("figure.png");
  }
  const fs::path dir = options.out.empty() ? fs::path("experiments") / e.name : options.out;
  std::optional<RunLock> lock;
  std::vector<std::string> old_files;
  if (fs::exists(dir / kResultFile)) {
    old_files = earlier_run_files(dir, e.name);
    lock.emplace(dir);
  } else {
    lock.emplace(claim_new_run_dir(dir));
  }

  Context context(dir, options.quick, options.seed, params);
  const auto start = std::chrono::steady_clock::now();
  const Outcome outcome = e.run(context);
  RunResult result{dir, outcome, 0};

  const json provenance = {{"command", plot::command_line()},
                           {"experiment", e.name},
                           {"quick", options.quick},
                           {"seed", options.seed},
                           {"params", params.to_json()}};
  std::vector<std::string> files = context.files();
  if (options.draw) {
    for (const Context::Section& s : context.sections())
      for (const plot::Figure& figure : s.figures) {
        const std::string stem = e.name + "-" + plot::figure_id(figure);
        plot::write_figure(figure, dir / (stem + ".png"), provenance);
        files.push_back(stem + ".png");
        files.push_back(stem + ".json");
      }
    plot::write_html(result_page(e, context, outcome, provenance), dir / (e.name + ".html"));
    files.push_back(e.name + ".html");
  }
  // Measuring and drawing, as the person waiting sees it.
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  json record = {{"experiment", e.name},
                 {"claim", e.claim},
                 {"measured", outcome.measured},
                 {"agrees", outcome.agrees},
                 {"headline", outcome.headline},
                 {"quick", options.quick},
                 {"seed", options.seed},
                 {"params", params.to_json()},
                 {"seconds", result.seconds},
                 {"command", plot::command_line()},
                 {"files", files}};
  write_file_atomically(dir / kResultFile, record.dump(1) + "\n");
  // What an earlier run wrote and this one did not (other settings, fewer figures) goes.
  const std::set<std::string> kept(files.begin(), files.end());
  for (const std::string& f : old_files)
    if (!kept.count(f) && f.find('/') == std::string::npos && f != kResultFile) fs::remove(dir / f);
  return result;
}

}  // namespace descent::experiments
