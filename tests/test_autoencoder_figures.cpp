// The figures of an autoencoder run's report (app/autoencoder_figures.h) and the run loaded back
// (app/autoencoder_run.h), on tiny runs trained here on the fake Fashion-MNIST of cli_fixtures.h.
#include <gtest/gtest.h>

#include <cmath>

#include "cli_fixtures.h"
#include "descent/app/autoencoder_figures.h"
#include "descent/app/report.h"
#include "descent/app/run.h"
#include "descent/app/run_dir.h"
#include "descent/train/objectives/autoencoder.h"
#include "throws_with.h"

namespace descent {
namespace test_autoencoder_figures {

using testutil::throws_with;
namespace fs = std::filesystem;

class AutoencoderFiguresTest : public ::testing::Test {
 protected:
  void SetUp() override { cli_test::write_fake_fashion_mnist(tmp_ / "data", 400, 150); }

  // Trains one epoch of a tiny model of `kind` into tmp/name; `sets` come last.
  fs::path train(const std::string& name, const std::string& kind,
                 const std::vector<std::string>& sets) {
    std::vector<std::string> all = {"data.dir=" + (tmp_ / "data").string(),
                                    "data.validation_size=100",
                                    "train.epochs=1",
                                    "train.batch_size=50",
                                    "report.write=false",
                                    "model.kind=" + kind,
                                    R"(model.encoder=["linear:out=16","relu","linear"])",
                                    R"(model.decoder=["linear:out=16","relu","linear"])",
                                    "autoencoder.reconstruction=binary_cross_entropy"};
    if (kind == "vae") all[6] = R"(model.encoder=["linear:out=16","relu"])";
    all.insert(all.end(), sets.begin(), sets.end());
    Experiment e = build_experiment(load_config("", all));
    train_run(e, tmp_ / name);
    return tmp_ / name;
  }

  template <class T>
  static std::vector<const T*> figures_of(const std::vector<plot::Block>& blocks) {
    std::vector<const T*> out;
    for (const auto& b : blocks)
      if (const auto* f = std::get_if<plot::Figure>(&b))
        if (const auto* t = std::get_if<T>(f)) out.push_back(t);
    return out;
  }

  static std::string paragraphs(const std::vector<plot::Block>& blocks) {
    std::string text;
    for (const auto& b : blocks)
      if (const auto* p = std::get_if<plot::Paragraph>(&b)) text += p->text + "\n";
    return text;
  }

  cli_test::TempDir tmp_{"descent-ae-figures"};
};

TEST_F(AutoencoderFiguresTest, DenoisingRunShowsReconstructionsTripletsAndPcaCodePlane) {
  const fs::path dir =
      train("dae", "autoencoder",
            {"model.code=6", "autoencoder.noise=gaussian", "autoencoder.noise_level=0.3"});
  const auto blocks = autoencoder_blocks(read_run(dir), 3);
  const auto grids = figures_of<plot::ImageGrid>(blocks);
  ASSERT_EQ(grids.size(), 2u) << paragraphs(blocks);
  EXPECT_EQ(grids[0]->id, "ae3_reconstructions");
  EXPECT_EQ(grids[0]->images.size(), 20u);
  EXPECT_EQ(grids[0]->columns, 10);
  EXPECT_EQ(grids[0]->row_titles, (std::vector<std::string>{"input", "reconstruction"}));
  EXPECT_EQ(grids[0]->images[0].width, 28);
  EXPECT_EQ(grids[0]->images[0].height, 28);
  EXPECT_EQ(grids[0]->images[0].values.size(), 784u);
  EXPECT_FALSE(grids[0]->images[0].caption.empty()) << "inputs are captioned with their class";
  EXPECT_EQ(grids[1]->id, "ae3_denoising");
  EXPECT_EQ(grids[1]->images.size(), 30u);
  EXPECT_EQ(grids[1]->row_titles, (std::vector<std::string>{"noisy", "clean", "reconstructed"}));
  // The noisy row differs from the clean one; the clean row is the input.
  EXPECT_NE(grids[1]->images[0].values, grids[1]->images[10].values);
  EXPECT_EQ(grids[1]->images[10].values, grids[0]->images[0].values);

  const auto scatters = figures_of<plot::Scatter>(blocks);
  ASSERT_EQ(scatters.size(), 1u);
  EXPECT_EQ(scatters[0]->x.size(), 150u) << "every test example (fewer than 2000)";
  EXPECT_EQ(scatters[0]->category.size(), 150u);
  EXPECT_EQ(scatters[0]->category_names.size(), 10u);
  EXPECT_EQ(scatters[0]->category_names[0], "T-shirt/top");
  EXPECT_NE(scatters[0]->title.find("6-unit codes"), std::string::npos) << scatters[0]->title;
  EXPECT_NE(scatters[0]->title.find("PCA to 2-D"), std::string::npos);
  EXPECT_NE(paragraphs(blocks).find("PSNR"), std::string::npos) << paragraphs(blocks);
  for (const auto* g : grids) EXPECT_NO_THROW(plot::vega_spec(*g));
  EXPECT_NO_THROW(plot::vega_spec(*scatters[0]));
}

TEST_F(AutoencoderFiguresTest, LoadedRunReproducesTheSummarysTestNumbersAndEvaluationNoise) {
  const fs::path dir =
      train("dae", "autoencoder",
            {"model.code=6", "autoencoder.noise=gaussian", "autoencoder.noise_level=0.3"});
  const auto summary = nlohmann::json::parse(cli_test::read_text(dir / kSummaryFile));
  AutoencoderRun run = load_autoencoder_run(dir);
  EXPECT_EQ(run.inputs, 784);
  EXPECT_EQ(run.code_size, 6);
  const Dataset test = load_split(run, "test");
  ASSERT_EQ(test.size(), 150);
  const Tensor inputs = test.dense_inputs();
  const double mse = mean_squared_error(reconstruct_values(run, inputs), inputs);
  EXPECT_NEAR(mse, summary.at("test_mse").get<double>(), 1e-6);
  // The denoising figure's noise is evaluation's: the same noisy inputs, the same error.
  const Tensor noisy = evaluation_noise(run, inputs);
  EXPECT_NEAR(mean_squared_error(noisy, inputs), summary.at("test_noisy_mse").get<double>(), 1e-6);
  EXPECT_NEAR(mean_squared_error(reconstruct_values(run, noisy), inputs),
              summary.at("test_corrupted_mse").get<double>(), 1e-6);
}

TEST_F(AutoencoderFiguresTest, VaeWithTwoUnitCodeShowsManifoldPriorSamplesAndThePlaneItself) {
  const fs::path dir = train("vae", "vae", {"model.code=2"});
  const auto blocks = autoencoder_blocks(read_run(dir), 0);
  const auto grids = figures_of<plot::ImageGrid>(blocks);
  ASSERT_EQ(grids.size(), 3u) << paragraphs(blocks);
  EXPECT_EQ(grids[0]->id, "ae0_reconstructions");
  EXPECT_EQ(grids[1]->id, "ae0_manifold");
  EXPECT_EQ(grids[1]->images.size(), 225u);
  EXPECT_EQ(grids[1]->columns, 15);
  EXPECT_EQ(grids[2]->id, "ae0_prior_samples");
  EXPECT_EQ(grids[2]->images.size(), 20u);
  // Decoded through the sigmoid: values in [0, 1].
  for (float v : grids[1]->images[0].values) ASSERT_TRUE(v >= 0 && v <= 1) << v;
  // Neighbouring grid cells decode different z.
  EXPECT_NE(grids[1]->images[0].values, grids[1]->images[14].values);
  const auto scatters = figures_of<plot::Scatter>(blocks);
  ASSERT_EQ(scatters.size(), 1u);
  EXPECT_EQ(scatters[0]->x_title, "code 0");
  EXPECT_NE(scatters[0]->title.find("mu"), std::string::npos);
  // The plane shows mu itself: the first point is the first test example's mean.
  AutoencoderRun run = load_autoencoder_run(dir);
  const Codes codes = encode_all(run, first_rows(load_split(run, "test"), 1));
  EXPECT_FLOAT_EQ(scatters[0]->x[0], codes.code.data()[0]);
  EXPECT_FLOAT_EQ(scatters[0]->y[0], codes.code.data()[1]);
  ASSERT_TRUE(codes.logvar.defined());
  EXPECT_EQ(codes.logvar.size(1), 2);
  // One encoder pass gives both heads, split apart row by row: each is its own head's output.
  const Tensor some = first_rows(load_split(run, "test"), 5);
  const Codes five = encode_all(run, some);
  const auto direct = run.variational->encode(some);
  EXPECT_EQ(five.code.to_vector(), direct.mu.to_vector());
  EXPECT_EQ(five.logvar.to_vector(), direct.logvar.to_vector());
}

TEST_F(AutoencoderFiguresTest, RunWithoutModelSaysWhyItHasNoImages) {
  const fs::path dir = train("ae", "autoencoder", {"model.code=2"});
  fs::remove(dir / kModelFile);
  const auto blocks = autoencoder_blocks(read_run(dir), 0);
  EXPECT_TRUE(figures_of<plot::ImageGrid>(blocks).empty());
  EXPECT_TRUE(figures_of<plot::Scatter>(blocks).empty());
  EXPECT_NE(paragraphs(blocks).find("No model.safetensors"), std::string::npos);
}

TEST_F(AutoencoderFiguresTest, ReportPageChartsTheObjectivesTermsAndHoldsTheFigures) {
  const fs::path vae = train("vae", "vae", {"model.code=2"});
  const plot::Page page = report_page({read_run(vae)}, "test");
  std::vector<std::string> ids;
  for (const auto& b : page.blocks)
    if (const auto* f = std::get_if<plot::Figure>(&b)) ids.push_back(plot::figure_id(*f));
  for (const char* id : {"term_reconstruction", "term_kl", "term_elbo", "ae0_manifold",
                         "ae0_code_plane", "ae0_prior_samples"})
    EXPECT_NE(std::find(ids.begin(), ids.end(), id), ids.end()) << id;
  // The terms come first, reconstruction then kl, each with training and validation lines.
  const auto first = std::find(ids.begin(), ids.end(), "term_reconstruction");
  EXPECT_EQ(*(first + 1), "term_kl");
  for (const auto& b : page.blocks) {
    const auto* f = std::get_if<plot::Figure>(&b);
    const auto* chart = f ? std::get_if<plot::LineChart>(f) : nullptr;
    if (!chart || chart->id != "term_kl") continue;
    ASSERT_EQ(chart->series.size(), 2u);
    EXPECT_EQ(chart->series[0].name, "train");
    EXPECT_EQ(chart->series[1].name, "validation");
    EXPECT_TRUE(std::isfinite(chart->series[1].y[0]));
  }
}

TEST_F(AutoencoderFiguresTest, ClassifierRunsAreNotAutoencoderRuns) {
  const fs::path dir = tmp_ / "clf";
  Experiment e = build_experiment(load_config(
      "", {"data.dir=" + (tmp_ / "data").string(), "data.validation_size=100", "train.epochs=1",
           "report.write=false", R"(model.layers=["linear:out=10"])"}));
  train_run(e, dir);
  EXPECT_TRUE(throws_with<std::runtime_error>(
      [&] { load_autoencoder_run(dir); }, {dir.string(), "classifier", "not of an autoencoder"}));
  const plot::Page page = report_page({read_run(dir)}, "test");
  for (const auto& b : page.blocks) {
    if (const auto* f = std::get_if<plot::Figure>(&b)) {
      EXPECT_NE(plot::figure_id(*f).rfind("ae", 0), 0u) << plot::figure_id(*f);
    }
  }
}

TEST(NormalQuantile, InvertsTheStandardNormalCdf) {
  EXPECT_NEAR(normal_quantile(0.5), 0, 1e-12);
  EXPECT_NEAR(normal_quantile(0.975), 1.959963984540054, 1e-9);
  EXPECT_NEAR(normal_quantile(1.0 / 30), -1.833914636, 1e-6);
  EXPECT_NEAR(normal_quantile(0.2), -normal_quantile(0.8), 1e-12);
  EXPECT_THROW(normal_quantile(1), std::invalid_argument);
}

}  // namespace test_autoencoder_figures
}  // namespace descent
