#include "descent/plot/page.h"

#include <algorithm>
#include <cstdlib>
#include <stdexcept>

#include "descent/io/atomic_file.h"
#include "descent/plot/page_assets.h"
#include "descent/util/overloaded.h"

#ifndef DESCENT_SOURCE_DIR
#error "DESCENT_SOURCE_DIR must name the source tree (set in CMakeLists.txt)"
#endif

namespace descent::plot {
namespace fs = std::filesystem;
using nlohmann::json;

fs::path node_modules_dir() {
  if (const char* env = std::getenv("DESCENT_NODE_MODULES"); env && *env) return env;
  return fs::path(DESCENT_SOURCE_DIR) / "node_modules";
}

namespace {

// The libraries a page inlines, in load order (vega-embed needs both before it).
constexpr const char* kLibraries[] = {"vega/build/vega.min.js", "vega-lite/build/vega-lite.min.js",
                                      "vega-embed/build/vega-embed.min.js"};

std::string escape_html(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// JSON inside <script type="application/json">: '<' only occurs inside strings there, so writing
// it as \u003c keeps "</script>" and "<!--" in the data from ending the block, and JSON.parse
// reads the same text back. Invalid UTF-8 is replaced rather than thrown on.
std::string script_json(const json& value) {
  const std::string text = value.dump(-1, ' ', false, json::error_handler_t::replace);
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '<')
      out += "\\u003c";
    else
      out += c;
  }
  return out;
}

fs::path library_path(const std::string& relative) {
  const fs::path file = node_modules_dir() / relative;
  if (!fs::exists(file))
    throw std::runtime_error("missing " + file.string() +
                             ": the figures' JavaScript (Vega) is not installed; run "
                             "scripts/setup (npm ci) in the source tree, or set "
                             "DESCENT_NODE_MODULES to a node_modules folder that has it");
  return file;
}

// A library's text for an inline <script>; "</script" inside it (there is none in the versions
// we pin) would end the element early, so it is written "<\/script" (the same in JavaScript).
std::string inline_library(const std::string& relative) {
  std::string text = read_file(library_path(relative));
  for (size_t at = 0; (at = text.find("</", at)) != std::string::npos; at += 3) {
    std::string next = text.substr(at + 2, 6);
    std::transform(next.begin(), next.end(), next.begin(), ::tolower);
    if (next == "script") text.replace(at, 2, "<\\/");
  }
  return text;
}

bool any_line_chart(const Page& page, bool (*test)(const LineChart&)) {
  for (const Block& block : page.blocks)
    if (const Figure* f = std::get_if<Figure>(&block))
      if (const LineChart* c = std::get_if<LineChart>(f); c && test(*c)) return true;
  return false;
}

bool has_smooth(const LineChart& c) {
  return std::any_of(c.series.begin(), c.series.end(), [](const Series& s) { return s.smooth; });
}
bool has_alt(const LineChart& c) {
  return std::any_of(c.series.begin(), c.series.end(),
                     [](const Series& s) { return !s.x_alt.empty(); });
}

std::string provenance_html(const json& given) {
  const json provenance = given.is_object() ? given : json{{"provenance", given}};
  std::string out =
      "<details class=\"provenance\">\n<summary>How this was made: command, "
      "configuration, seed</summary>\n<dl>\n";
  auto item = [&](const std::string& key, const json& value) {
    out += "<dt>" + escape_html(key) + "</dt><dd>";
    if (value.is_string())
      out += "<code>" + escape_html(value.get<std::string>()) + "</code>";
    else if (value.is_structured())
      out += "<pre>" + escape_html(value.dump(2, ' ', false, json::error_handler_t::replace)) +
             "</pre>";
    else
      out += "<code>" + escape_html(value.dump()) + "</code>";
    out += "</dd>\n";
  };
  // The three that matter most first, then anything else the caller recorded.
  for (const char* key : {"command", "seed", "config"})
    if (provenance.contains(key)) item(key, provenance[key]);
  for (const auto& [key, value] : provenance.items())
    if (key != "command" && key != "seed" && key != "config") item(key, value);
  return out + "</dl>\n</details>\n";
}

std::string controls_html(const Page& page) {
  const bool smooth = any_line_chart(page, has_smooth), alt = any_line_chart(page, has_alt);
  if (!smooth && !alt) return "";
  std::string out = "<div class=\"controls\" id=\"controls\">\n";
  if (smooth) {
    char value[16];
    std::snprintf(value, sizeof value, "%.2f", page.smoothing);
    out +=
        "<label>smoothing <input type=\"range\" id=\"smoothing\" min=\"0\" max=\"0.99\" "
        "step=\"0.01\" value=\"" +
        std::string(value) + "\"><output id=\"smoothing-value\">" + value + "</output></label>\n";
  }
  if (alt) {
    std::string x_title = "step", alt_title = "wall time";
    for (const Block& block : page.blocks)
      if (const Figure* f = std::get_if<Figure>(&block))
        if (const LineChart* c = std::get_if<LineChart>(f); c && has_alt(*c)) {
          if (!c->x_title.empty()) x_title = c->x_title;
          if (!c->x_alt_title.empty()) alt_title = c->x_alt_title;
          break;
        }
    out += "<label>x axis <select id=\"x-axis\"><option value=\"x\">" + escape_html(x_title) +
           "</option><option value=\"alt\">" + escape_html(alt_title) +
           "</option></select></label>\n";
  }
  return out + "</div>\n";
}

std::string figure_html(const Figure& figure, double smoothing) {
  const std::string& id = figure_id(figure);
  SpecOptions options;
  options.smoothing = smoothing;
  const json spec = vega_spec(figure, options);
  const std::string kind = spec["usermeta"]["descent"]["kind"];
  std::string out = "<div class=\"figure-box " + kind + "\">\n<div class=\"figure\" id=\"figure-" +
                    id + "\"></div>\n";
  std::visit(Overloaded{[&](const LineChart& c) {
                          out +=
                              "<div class=\"figure-controls\"><label><input type=\"checkbox\" "
                              "id=\"log-" +
                              id + "\"" + (c.log_y ? " checked" : "") + "> log y</label></div>\n";
                        },
                        [&](const ContourPlot&) {
                          const std::string max = std::to_string(
                              spec["usermeta"]["descent"]["max_step"].get<int64_t>());
                          out += "<div class=\"player\"><button type=\"button\" id=\"play-" + id +
                                 "\" aria-pressed=\"false\">Play</button><input type=\"range\" "
                                 "id=\"step-" +
                                 id + "\" min=\"0\" max=\"" + max + "\" step=\"1\" value=\"" + max +
                                 "\" aria-label=\"step\">"
                                 "<output id=\"step-value-" +
                                 id + "\">step " + max + " / " + max + "</output></div>\n";
                        },
                        [](const auto&) {}},  // the other kinds have no controls
             figure);
  out += "<script type=\"application/json\" class=\"figure-spec\" id=\"spec-" + id +
         "\" data-figure=\"" + id + "\">" + script_json(spec) + "</script>\n</div>\n";
  return out;
}

std::string table_html(const Table& table) {
  std::string out = "<table>\n<thead><tr>";
  for (const auto& c : table.columns) out += "<th>" + escape_html(c) + "</th>";
  out += "</tr></thead>\n<tbody>\n";
  for (const auto& row : table.rows) {
    out += "<tr>";
    for (const auto& cell : row) out += "<td>" + escape_html(cell) + "</td>";
    out += "</tr>\n";
  }
  return out + "</tbody>\n</table>\n";
}

}  // namespace

void check_page_libraries() {
  for (const char* library : kLibraries) library_path(library);
}

std::string html(const Page& page) {
  if (!(page.smoothing >= 0 && page.smoothing <= 0.99))
    throw std::invalid_argument("page '" + page.title + "': smoothing " +
                                std::to_string(page.smoothing) + " (expected 0 .. 0.99)");
  // Figures first: a bad one throws before the libraries are read.
  std::string body;
  std::vector<std::string> ids;
  bool in_row = false;
  for (const Block& block : page.blocks) {
    const Figure* figure = std::get_if<Figure>(&block);
    if (figure) {
      const std::string& id = figure_id(*figure);
      if (std::find(ids.begin(), ids.end(), id) != ids.end())
        throw std::invalid_argument("page '" + page.title + "': two figures have the id '" + id +
                                    "' (ids must be unique on a page)");
      ids.push_back(id);
    }
    // Consecutive figures share one wrapping row (a contour plot with its curves beside it).
    if (figure && !in_row) body += "<div class=\"figure-row\">\n";
    if (!figure && in_row) body += "</div>\n";
    in_row = figure != nullptr;
    std::visit(
        Overloaded{[&](const Heading& h) {
                     const char level = static_cast<char>('0' + std::clamp(h.level, 1, 6));
                     body += std::string("<h") + level + '>' + escape_html(h.text) + "</h" + level +
                             ">\n";
                   },
                   [&](const Paragraph& p) { body += "<p>" + escape_html(p.text) + "</p>\n"; },
                   [&](const Table& t) { body += table_html(t); },
                   [&](const Figure& f) { body += figure_html(f, page.smoothing); }},
        block);
  }
  if (in_row) body += "</div>\n";

  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<meta name=\"generator\" content=\"descent\">\n<title>" +
      escape_html(page.title) + "</title>\n<style>" + kPageStyle + "</style>\n";
  for (const char* library : kLibraries)
    out += "<script>\n" + inline_library(library) + "\n</script>\n";
  out += "</head>\n<body>\n";
  if (!page.title.empty()) out += "<h1>" + escape_html(page.title) + "</h1>\n";
  out += provenance_html(page.provenance);
  out += "<script type=\"application/json\" id=\"provenance\">" + script_json(page.provenance) +
         "</script>\n";
  out += controls_html(page);
  out += body;
  out += "<script>" + std::string(kPageScript) + "</script>\n</body>\n</html>\n";
  return out;
}

void write_html(const Page& page, const fs::path& file) { write_file_atomically(file, html(page)); }

}  // namespace descent::plot
