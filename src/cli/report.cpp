// descent report RUN_DIR [RUN_DIR ...] [--out report.html]: one self-contained HTML page comparing
// runs (app/report.h).
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "descent/app/report.h"

namespace cli {

void add_report_command(CLI::App& app) {
  struct Options {
    std::vector<std::string> runs;
    std::string out = "report.html";
  };
  auto opts = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("report", "Draw one or more runs as an HTML report");
  cmd->footer(R"text(
Examples:
  descent report runs/a                                    one run
  descent report runs/sgd-* runs/adam-* --out compare.html runs that differ only in seed are grouped)text");
  cmd->add_option("run_dirs", opts->runs, "Run directories written by descent train")->required();
  cmd->add_option("--out", opts->out, "The HTML file to write (default report.html)");
  cmd->callback([opts] {
    std::vector<descent::RunRecord> runs;
    for (const std::string& dir : opts->runs) runs.push_back(descent::read_run(dir));
    std::string command = "descent report";
    for (const std::string& dir : opts->runs) command += " " + dir;
    command += " --out " + opts->out;
    descent::plot::write_html(descent::report_page(runs, command), opts->out);
    for (const auto& run : runs)
      for (const auto& note : run.notes)
        std::fprintf(stderr, "%s: %s\n", run.name.c_str(), note.c_str());
    std::printf("wrote %s (%zu runs)\n", opts->out.c_str(), runs.size());
  });
}

}  // namespace cli
