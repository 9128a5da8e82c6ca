// Draws the figures of an autoencoder run's report as PNGs, one file each (the pictures of
// docs/autoencoders.md), and times them:
//
//   autoencoder_figures_docs RUN_DIR OUT_PREFIX
//
// writes OUT_PREFIX-<figure id>.png (with its .json) for every figure autoencoder_blocks gives
// the run, and prints how long building them took (model load, test data, forward passes). The
// pictures hold 1,000 code points and a 12 x 12 manifold (the report: 2,000 and 15 x 15) to stay
// under 200 KB each.
#include <chrono>
#include <iostream>

#include "descent/app/autoencoder_figures.h"
#include "descent/plot/export.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: autoencoder_figures_docs RUN_DIR OUT_PREFIX\n";
    return 2;
  }
  try {
    const auto start = std::chrono::steady_clock::now();
    const descent::RunRecord record = descent::read_run(argv[1]);
    descent::AutoencoderFigureOptions options;
    options.code_points = 1000;
    options.manifold_side = 12;
    const auto blocks = descent::autoencoder_blocks(record, 0, options);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::cout << "built the figures of " << argv[1] << " in " << seconds << " s\n";
    for (const auto& block : blocks) {
      if (const auto* p = std::get_if<descent::plot::Paragraph>(&block))
        std::cout << p->text << "\n";
      const auto* figure = std::get_if<descent::plot::Figure>(&block);
      if (!figure) continue;
      std::string id = descent::plot::figure_id(*figure);
      id = id.substr(id.find('_') + 1);  // "ae0_manifold" -> "manifold"
      const std::string file = std::string(argv[2]) + "-" + id + ".png";
      descent::plot::write_figure(*figure, file, {{"run", argv[1]}});
      std::cout << "wrote " << file << "\n";
    }
  } catch (const std::exception& e) {
    std::cerr << "autoencoder_figures_docs: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
