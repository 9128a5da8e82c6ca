#pragma once
// A page: headings, text, tables and figures in one self-contained HTML file that opens offline
// (Vega, Vega-Lite and vega-embed inlined from node_modules). Every page carries its provenance
// (the command, configuration and seed that produced it) and its figures' data, so the numbers
// can be read back out of the file. vega-embed's menu saves any figure as SVG or PNG.
//
// Controls, for pages with line charts: a smoothing slider (a debiased exponential moving average
// of the series marked smooth, drawn over their raw values), log/linear y axes, and x axis by
// epoch or by wall time where the series have x_alt.
#include <filesystem>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "descent/plot/figure.h"

namespace descent::plot {

struct Heading {
  std::string text;
  int level = 2;
};
struct Paragraph {
  std::string text;  // plain text, escaped when written
};
struct Table {
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;
};

using Block = std::variant<Heading, Paragraph, Table, Figure>;

struct Page {
  std::string title;
  nlohmann::json provenance = nlohmann::json::object();  // {"command": ..., "config": ..., ...}
  std::vector<Block> blocks;
  double smoothing = 0.6;  // the smoothing slider's start (0 = raw)
};

// Where the npm packages are: $DESCENT_NODE_MODULES, else the source tree's node_modules.
std::filesystem::path node_modules_dir();

// Throws std::runtime_error naming the first missing library file and how to install it.
void check_page_libraries();

// The page as HTML text. Throws std::runtime_error naming the missing file and how to install it
// (scripts/setup, npm ci) when the JavaScript packages are not there.
std::string html(const Page& page);

// Writes html(page) atomically (nothing half-written on failure).
void write_html(const Page& page, const std::filesystem::path& file);

}  // namespace descent::plot
