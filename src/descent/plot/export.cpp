#include "descent/plot/export.h"

#include <algorithm>
#include <stdexcept>

#include "descent/io/atomic_file.h"
#include "descent/plot/page.h"
#include "descent/plot/tool_process.h"

#ifndef DESCENT_SOURCE_DIR
#error "DESCENT_SOURCE_DIR must name the source tree (set in CMakeLists.txt)"
#endif

namespace descent::plot {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string extension_of(const fs::path& file) {
  std::string ext = file.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), ::tolower);
  return ext;
}

fs::path render_script() { return fs::path(DESCENT_SOURCE_DIR) / "scripts" / "render_svg.mjs"; }

fs::path need_rsvg_convert() {
  const auto rsvg = find_program("rsvg-convert");
  if (!rsvg)
    throw std::runtime_error(
        "rsvg-convert is not installed (it turns the SVG into PNG): install it with "
        "`apt-get install librsvg2-bin` or run scripts/setup; .svg and .html need no rsvg-convert");
  return *rsvg;
}

fs::path need_node() {
  const auto node = find_program("node");
  if (!node)
    throw std::runtime_error(
        "Node.js is not installed (no `node` on PATH; it runs Vega to draw SVG and PNG): install "
        "it with `apt-get install nodejs` or run scripts/setup; .html needs no Node");
  if (!fs::exists(render_script()))
    throw std::runtime_error("missing " + render_script().string() + " (the SVG renderer script)");
  const fs::path vega = node_modules_dir() / "vega" / "build" / "vega.module.js";
  if (!fs::exists(vega))
    throw std::runtime_error("missing " + vega.string() +
                             ": the figures' JavaScript (Vega) is not installed; run scripts/setup "
                             "(npm ci) in the source tree, or set DESCENT_NODE_MODULES");
  return *node;
}

constexpr int kPngZoom = 2;

// SVG to PNG through rsvg-convert, at twice the SVG's pixel size (sharp on high-density
// screens and in documents).
std::string svg_to_png(const std::string& svg) {
  const ToolResult r = run_tool(
      need_rsvg_convert(),
      {"--format=png", "--zoom=" + std::to_string(kPngZoom), "--background-color=white"}, svg);
  if (r.status != 0 || r.out.compare(0, 8, "\x89PNG\r\n\x1a\n") != 0)
    throw std::runtime_error("rsvg-convert failed (exit status " + std::to_string(r.status) +
                             "): " + r.err);
  return r.out;
}

// The data file beside a static image: same name, extension .json.
fs::path data_path(const fs::path& file) { return fs::path(file).replace_extension(".json"); }

}  // namespace

const std::vector<std::string>& figure_extensions() {
  static const std::vector<std::string> extensions = {".html", ".svg", ".png"};
  return extensions;
}

void check_figure_path(const fs::path& file) {
  const std::string ext = extension_of(file);
  const auto& ok = figure_extensions();
  if (std::find(ok.begin(), ok.end(), ext) == ok.end())
    throw std::invalid_argument("figure file '" + file.string() + "': unknown extension '" + ext +
                                "' (expected .html, .svg or .png)");
}

std::string render_svg(const json& vega_spec) {
  const fs::path node = need_node();
  const ToolResult r = run_tool(node, {render_script().string(), node_modules_dir().string()},
                                vega_spec.dump(-1, ' ', false, json::error_handler_t::replace));
  if (r.status != 0 || r.out.compare(0, 4, "<svg") != 0)
    throw std::runtime_error("drawing the SVG through Node failed (exit status " +
                             std::to_string(r.status) + "): " + r.err);
  return r.out;
}

void check_figure_tools(const fs::path& file) {
  check_figure_path(file);
  const std::string ext = extension_of(file);
  if (ext == ".html") {
    check_page_libraries();
    return;
  }
  need_node();
  if (ext == ".png") need_rsvg_convert();
}

void write_figure(const Figure& figure, const fs::path& file, const json& provenance,
                  const std::string& title) {
  write_figures({figure}, file, provenance, title);
}

void write_figures(const std::vector<Figure>& figures, const fs::path& file, const json& provenance,
                   const std::string& title) {
  check_figure_tools(file);
  if (figures.empty()) throw std::invalid_argument("write_figures: no figures to write");
  const std::string ext = extension_of(file);
  if (ext == ".html") {
    Page page;
    page.title = title;
    page.provenance = provenance;
    page.blocks.assign(figures.begin(), figures.end());
    write_html(page, file);
    return;
  }
  SpecOptions options;
  options.interactive = false;
  options.image_pixel_ratio = kPngZoom;  // rsvg-convert smooths images it enlarges
  json spec;
  if (figures.size() == 1) {
    spec = vega_spec(figures[0], options);
    if (!spec.contains("title") && !title.empty())
      spec["title"] = {{"text", title}, {"anchor", "start"}, {"fontSize", 14}};
  } else {
    spec = vega_spec_column(figures, options);
    if (!title.empty()) spec["title"] = {{"text", title}, {"anchor", "start"}, {"fontSize", 16}};
  }
  json data = {{"title", title}, {"provenance", provenance}, {"figures", json::array()}};
  for (const Figure& f : figures) data["figures"].push_back(figure_data(f));
  // Everything is made before anything is written; the data file goes second and the image is
  // taken back if it cannot be written.
  const std::string svg = render_svg(spec);
  const std::string image = ext == ".png" ? svg_to_png(svg) : svg;
  write_file_atomically(file, image);
  try {
    write_file_atomically(data_path(file),
                          data.dump(1, ' ', false, json::error_handler_t::replace) + "\n");
  } catch (...) {
    std::error_code ec;
    fs::remove(file, ec);
    throw;
  }
}

}  // namespace descent::plot
