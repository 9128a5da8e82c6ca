// Writes one small figure of every kind (the test fixtures of plot_fixtures.h) to a page or an
// image, for the Chromium test (ctest Browser.EveryFigureKindRendersInChromium) and for looking
// at them:
//
//   plot_kinds_page OUT.html|svg|png [KIND...]
//
// KIND is line_chart, contour_plot, heatmap, image_grid or scatter (default: all five, in that
// order). Exit status 0, or 1 with the error on stderr.
#include <iostream>
#include <map>

#include "descent/plot/export.h"
#include "plot_fixtures.h"

int main(int argc, char** argv) {
  namespace plot = descent::plot;
  if (argc < 2) {
    std::cerr << "usage: plot_kinds_page OUT.html|svg|png [KIND...]\n";
    return 2;
  }
  const std::map<std::string, plot::Figure> kinds = {
      {"line_chart", plot_test::sample_line_chart()},
      {"contour_plot", plot_test::sample_contour()},
      {"heatmap", plot_test::sample_heatmap()},
      {"image_grid", plot_test::sample_image_grid()},
      {"scatter", plot_test::sample_scatter(400)},
  };
  std::vector<std::string> names(argv + 2, argv + argc);
  if (names.empty()) names = {"line_chart", "contour_plot", "heatmap", "image_grid", "scatter"};
  try {
    std::vector<plot::Figure> figures;
    for (const std::string& name : names) {
      const auto it = kinds.find(name);
      if (it == kinds.end())
        throw std::invalid_argument("unknown figure kind '" + name +
                                    "' (expected line_chart, contour_plot, heatmap, image_grid "
                                    "or scatter)");
      figures.push_back(it->second);
    }
    plot::write_figures(figures, argv[1], {{"command", "plot_kinds_page"}}, "Every figure kind");
  } catch (const std::exception& e) {
    std::cerr << "plot_kinds_page: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
