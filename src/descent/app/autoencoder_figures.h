#pragma once
// What an autoencoder run learned, as figures for its report (report.cpp adds them for runs of
// model.kind autoencoder or vae) and for `descent generate`:
//   - test images beside their reconstructions (image data)
//   - denoising runs: noisy / clean / reconstructed, with the noise evaluation used
//   - the code plane: test codes (VAE: mu) coloured by class, PCA to 2-D when code > 2
//   - VAE: samples from the prior; with code = 2, the decoded manifold over a grid of z
// They need the model: runs without model.safetensors get a paragraph saying why they have none.
#include <string>
#include <vector>

#include "descent/app/autoencoder_run.h"
#include "descent/app/run_record.h"
#include "descent/plot/page.h"

namespace descent {

struct AutoencoderFigureOptions {
  int64_t images = 10;         // test images in the reconstruction and denoising grids
  int64_t code_points = 2000;  // test examples on the code plane (the first ones)
  int64_t manifold_side = 15;  // z grid of side x side, at Gaussian quantiles
  int64_t prior_samples = 20;
};

// Figure ids start with `id_prefix` (unique per run on a page).
plot::ImageGrid reconstruction_grid(AutoencoderRun& run, const Dataset& test, int64_t count,
                                    const std::string& id_prefix);
// Rows noisy, clean, reconstructed (of the noisy input); needs autoencoder.noise != none.
plot::ImageGrid denoising_grid(AutoencoderRun& run, const Dataset& test, int64_t count,
                               const std::string& id_prefix);
plot::Scatter code_plane(AutoencoderRun& run, const Dataset& test, int64_t max_points,
                         const std::string& id_prefix);
// VAE with code = 2: decoded z over a side x side grid at the quantiles (i + 0.5) / side of
// N(0, 1); z_0 grows to the right, z_1 upwards.
plot::ImageGrid manifold_grid(AutoencoderRun& run, int64_t side, const std::string& id_prefix);
// Decoded rows of `values` ([n, rows * cols]) as images, `columns` per row.
plot::ImageGrid sample_grid(const AutoencoderRun& run, const Tensor& values, int64_t columns,
                            const std::string& id, const std::string& title);

// The same evaluation noise as the objective's (objectives/autoencoder.h: a stream restarted for
// every evaluation), over `inputs` taken in order from the start of the test set.
Tensor evaluation_noise(const AutoencoderRun& run, const Tensor& inputs);

// The standard normal quantile Phi^-1(p), 0 < p < 1.
double normal_quantile(double p);

// The report's blocks for one autoencoder run: a heading, then the figures above (or a
// paragraph naming what is missing). `index` makes the figure ids unique on the page.
std::vector<plot::Block> autoencoder_blocks(const RunRecord& record, size_t index,
                                            const AutoencoderFigureOptions& options = {});

}  // namespace descent
