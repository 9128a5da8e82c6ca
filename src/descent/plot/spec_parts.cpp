#include "descent/plot/spec_parts.h"

#include <stdexcept>

namespace descent::plot {

void invalid_figure(const std::string& id, const std::string& field, const std::string& problem) {
  throw std::invalid_argument("figure '" + id + "': " + field + ": " + problem);
}

void check_figure_id(const std::string& id) {
  auto letter = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
  bool ok = !id.empty() && letter(id[0]);
  for (char c : id) ok = ok && (letter(c) || (c >= '0' && c <= '9'));
  if (!ok)
    invalid_figure(id, "id",
                   "expected an identifier ([A-Za-z_][A-Za-z0-9_]*): it names the figure's "
                   "signals and page elements");
}

std::string quoted(const std::string& text) { return nlohmann::json(text).dump(); }

std::pair<std::string, std::string> readout_names(const std::string& x_title,
                                                  const std::string& y_title) {
  std::pair<std::string, std::string> out(x_title.empty() ? "x" : x_title,
                                          y_title.empty() ? "y" : y_title);
  if (out.second == out.first) out.second += " (y)";
  return out;
}

nlohmann::json Extent::domain(double fallback_lo, double fallback_hi) const {
  if (empty()) return {fallback_lo, fallback_hi};
  if (lo < hi) return {lo, hi};
  const double half = lo == 0 ? 0.5 : std::abs(lo) * 0.1;
  return {lo - half, hi + half};
}

nlohmann::json spec_frame(const std::string& title, int width, int height) {
  nlohmann::json spec = {
      {"$schema", "https://vega.github.io/schema/vega/v6.json"},
      {"background", "white"},
      {"padding", 8},
      {"autosize", {{"type", "pad"}}},
      {"width", width},
      {"height", height},
  };
  if (!title.empty())
    spec["title"] = {
        {"text", title}, {"anchor", "start"}, {"fontSize", 14}, {"offset", 10}, {"frame", "group"}};
  return spec;
}

}  // namespace descent::plot
