#pragma once
// One figure to a file, by the file's extension:
//   .html  a page with the figure alone (interactive: step slider, hover readouts, export menu)
//   .svg   Vega's SVG renderer run by Node (scripts/render_svg.mjs); a .json beside it holds the
//          figure's data and provenance
//   .png   the SVG through rsvg-convert (librsvg2-bin), the same .json beside it
// An unknown extension throws naming the accepted ones; a missing Node, npm package or
// rsvg-convert throws saying which and how to install it. Files are written atomically.
#include <filesystem>
#include <vector>

#include <nlohmann/json.hpp>

#include "descent/plot/figure.h"

namespace descent::plot {

// The extensions write_figure accepts: ".html", ".svg", ".png".
const std::vector<std::string>& figure_extensions();

// Throws std::invalid_argument naming the accepted extensions unless the path has one.
void check_figure_path(const std::filesystem::path& file);

// Throws std::runtime_error, as write_figure would, when what this file type needs is missing
// (the npm packages; Node for .svg and .png; rsvg-convert for .png): commands call it before
// their work, so a missing tool fails fast.
void check_figure_tools(const std::filesystem::path& file);

void write_figure(const Figure& figure, const std::filesystem::path& file,
                  const nlohmann::json& provenance, const std::string& title = "");

// Several figures side by side in one static image or page (e.g. a contour plot beside its loss
// and gradient-norm curves): HTML puts them on one page, SVG/PNG concatenates them vertically
// into one Vega spec.
void write_figures(const std::vector<Figure>& figures, const std::filesystem::path& file,
                   const nlohmann::json& provenance, const std::string& title = "");

// Renders a Vega spec to SVG text through Node. Throws std::runtime_error with Node's message.
std::string render_svg(const nlohmann::json& vega_spec);

}  // namespace descent::plot
