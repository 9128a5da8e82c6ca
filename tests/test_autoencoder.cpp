// Autoencoder models and objectives: PyTorch parameter names, the builders' checks, tied weights,
// the configuration's checks of model.kind, and what each objective reports.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "descent/app/config.h"
#include "descent/autograd/grad_mode.h"
#include "descent/nn/autoencoder_penalties.h"
#include "descent/nn/autoencoder_spec.h"
#include "descent/nn/loss.h"
#include "descent/nn/tied_linear.h"
#include "descent/ops/ops.h"
#include "descent/train/objectives/autoencoder.h"
#include "descent/train/objectives/input_noise.h"
#include "descent/train/objectives/variational.h"
#include "throws_with.h"

namespace descent {
namespace test_autoencoder {

using testutil::throws_with;

std::vector<std::string> names_and_shapes(const Module& m) {
  std::vector<std::string> out;
  for (const auto& p : m.named_parameters()) out.push_back(p.name + to_string(p.tensor.shape()));
  return out;
}

const AutoencoderSpec kSmall = {
    {"linear:out=8", "relu", "linear"}, {"linear:out=8", "relu", "linear"}, 3, false};

TEST(Autoencoder, ParametersHavePyTorchNamesAndTheOmittedSizesFilledIn) {
  Generator gen(1);
  auto ae = build_autoencoder(kSmall, 12, gen);
  EXPECT_EQ(names_and_shapes(*ae),
            (std::vector<std::string>{"encoder.0.weight[8, 12]", "encoder.0.bias[8]",
                                      "encoder.2.weight[3, 8]", "encoder.2.bias[3]",
                                      "decoder.0.weight[8, 3]", "decoder.0.bias[8]",
                                      "decoder.2.weight[12, 8]", "decoder.2.bias[12]"}));
  const Tensor x = Tensor::uniform({5, 12}, 0, 1, gen);
  EXPECT_EQ(ae->encode(x).shape(), (Shape{5, 3}));
  EXPECT_EQ(ae->forward(x).shape(), (Shape{5, 12}));

  AutoencoderSpec vae_spec = kSmall;
  vae_spec.encoder = {"linear:out=8", "tanh"};
  auto vae = build_variational_autoencoder(vae_spec, 12, gen);
  EXPECT_EQ(names_and_shapes(*vae),
            (std::vector<std::string>{
                "encoder.0.weight[8, 12]", "encoder.0.bias[8]", "mu.weight[3, 8]", "mu.bias[3]",
                "logvar.weight[3, 8]", "logvar.bias[3]", "decoder.0.weight[8, 3]",
                "decoder.0.bias[8]", "decoder.2.weight[12, 8]", "decoder.2.bias[12]"}));
}

TEST(Autoencoder, BuildersNameWhatDoesNotFit) {
  Generator gen(1);
  AutoencoderSpec s = kSmall;
  s.encoder = {"linear:out=8", "relu", "linear:out=4"};
  EXPECT_TRUE(throws_with<SpecError>([&] { build_autoencoder(s, 12, gen); },
                                     {"model.encoder", "out=4", "model.code is 3"}));
  s = kSmall;
  s.decoder = {"linear:out=8", "relu", "linear:out=10"};
  EXPECT_TRUE(throws_with<SpecError>([&] { build_autoencoder(s, 12, gen); },
                                     {"model.decoder", "out=10", "the input size is 12"}));
  s = kSmall;
  s.decoder = {"relu"};
  EXPECT_TRUE(throws_with<SpecError>([&] { build_autoencoder(s, 12, gen); },
                                     {"model.decoder", "no linear"}));
  s = kSmall;
  s.code = 0;
  EXPECT_TRUE(throws_with<SpecError>([&] { build_autoencoder(s, 12, gen); }, {"model.code"}));
  s = kSmall;
  s.tied = true;
  s.decoder = {"linear"};
  EXPECT_TRUE(throws_with<SpecError>([&] { build_autoencoder(s, 12, gen); },
                                     {"tied", "as many linear layers", "(2), got 1"}));
}

TEST(Autoencoder, TiedDecoderUsesTheEncoderWeightsTransposed) {
  Generator gen(3);
  AutoencoderSpec s = kSmall;
  s.tied = true;
  auto ae = build_autoencoder(s, 12, gen);
  // Only the decoder's biases are its own.
  EXPECT_EQ(names_and_shapes(*ae),
            (std::vector<std::string>{"encoder.0.weight[8, 12]", "encoder.0.bias[8]",
                                      "encoder.2.weight[3, 8]", "encoder.2.bias[3]",
                                      "decoder.0.bias[8]", "decoder.2.bias[12]"}));
  // decoder.0 maps codes back through encoder.2's weight: h W + b.
  const auto& enc2 = dynamic_cast<const Linear&>(ae->encoder()[2]);
  auto& dec0 = dynamic_cast<TiedLinear&>(ae->decoder()[0]);
  const Tensor h = Tensor::uniform({4, 3}, -1, 1, gen);
  const Tensor y = dec0.forward(h);
  const Tensor bias = dec0.named_parameters("")[0].tensor;
  for (int64_t i = 0; i < 4; ++i)
    for (int64_t j = 0; j < 8; ++j) {
      double expected = bias.data()[j];
      for (int64_t k = 0; k < 3; ++k)
        expected += h.data()[i * 3 + k] * enc2.weight.data()[k * 8 + j];
      EXPECT_NEAR(y.data()[i * 8 + j], expected, 1e-5);
    }
  // The gradient reaches the encoder's weight.
  sum(dec0.forward(h)).backward();
  ASSERT_TRUE(enc2.weight.grad().defined());
  double norm = 0;
  for (int64_t i = 0; i < enc2.weight.numel(); ++i) norm += std::fabs(enc2.weight.grad().data()[i]);
  EXPECT_GT(norm, 0);
}

TEST(Autoencoder, ConfigurationChecksEachKindsKeys) {
  auto load = [](std::vector<std::string> sets) { return load_config("", sets); };
  const std::string ae = "model.kind=autoencoder";
  EXPECT_TRUE(throws_with<ConfigError>([&] { load({"model.kind=gan"}); },
                                       {"model.kind", "classifier, autoencoder, vae"}));
  EXPECT_TRUE(throws_with<ConfigError>([&] { load({ae}); }, {"model.code: missing"}));
  EXPECT_TRUE(throws_with<ConfigError>([&] { load({"autoencoder.sparsity=l1"}); },
                                       {"autoencoder.sparsity", "applies to model.kind"}));
  EXPECT_TRUE(throws_with<ConfigError>(
      [&] {
        load({ae, "model.code=4", "autoencoder.sparsity=kl"});
      },
      {"autoencoder.sparsity", "sigmoid", "ends with identity"}));
  EXPECT_NO_THROW(load(
      {ae, "model.code=4", R"(model.encoder=["linear", "sigmoid"])", "autoencoder.sparsity=kl"}));
  EXPECT_TRUE(throws_with<ConfigError>(
      [&] {
        load({ae, "model.code=4", "autoencoder.contractive_weight=0.1"});
      },
      {"autoencoder.contractive_weight", "one-layer encoder", "linear:out=256"}));
  EXPECT_NO_THROW(load({ae, "model.code=4", R"(model.encoder=["linear", "tanh"])",
                        "autoencoder.contractive_weight=0.1"}));
  EXPECT_TRUE(throws_with<ConfigError>(
      [&] {
        load({ae, "model.code=4", "autoencoder.noise=gaussian"});
      },
      {"autoencoder.noise_level", "needs a level > 0"}));
  EXPECT_TRUE(throws_with<ConfigError>(
      [&] {
        load({ae, "model.code=4", "autoencoder.noise=mask", "autoencoder.noise_level=1.5"});
      },
      {"autoencoder.noise_level", "at most 1"}));
  EXPECT_TRUE(throws_with<ConfigError>(
      [&] {
        load({ae, "model.code=4", "autoencoder.beta=2"});
      },
      {"autoencoder.beta", "\"vae\""}));
  EXPECT_TRUE(throws_with<ConfigError>(
      [&] {
        load({"model.kind=vae", "model.code=2", "autoencoder.tied=true"});
      },
      {"autoencoder.tied", "\"autoencoder\""}));
  EXPECT_TRUE(throws_with<ConfigError>(
      [&] {
        load({ae, "model.code=4", R"(model.layers=["linear:out=3"])"});
      },
      {"model.layers", "model.encoder"}));
  EXPECT_TRUE(throws_with<ConfigError>(
      [&] {
        load({ae, "model.code=4", "train.loss=mse"});
      },
      {"train.loss", "autoencoder.reconstruction"}));
  EXPECT_TRUE(throws_with<ConfigError>(
      [&] {
        load({ae, "model.code=4", "curvature.every=5"});
      },
      {"curvature.every", "classifier"}));
}

TEST(Autoencoder, ConfigTomlOfEachKindReadsBackTheSame) {
  for (const std::vector<std::string>& sets :
       {std::vector<std::string>{"model.kind=autoencoder", "model.code=8", "autoencoder.noise=mask",
                                 "autoencoder.noise_level=0.2"},
        std::vector<std::string>{"model.kind=vae", "model.code=2", "autoencoder.beta=4",
                                 "autoencoder.reconstruction=binary_cross_entropy"}}) {
    const Config c = load_config("", sets);
    const std::string toml = to_toml(c);
    EXPECT_EQ(toml.find("layers"), std::string::npos) << "classifier keys stay out:\n" << toml;
    EXPECT_EQ(toml.find("loss ="), std::string::npos) << toml;
    const auto file = std::filesystem::temp_directory_path() / "descent_ae_config.toml";
    std::ofstream(file) << toml;
    EXPECT_EQ(to_toml(load_config(file, {})), toml);
    std::filesystem::remove(file);
  }
}

TEST(Autoencoder, InputNoiseCorruptsAsNamed) {
  Generator gen(5);
  const Tensor x = Tensor::full({100, 50}, 0.5f);
  auto count = [&](const Tensor& t, float v) {
    int64_t n = 0;
    for (int64_t i = 0; i < t.numel(); ++i) n += t.data()[i] == v;
    return n;
  };
  const Tensor masked = corrupt(x, InputNoise::Mask, 0.3f, gen);
  EXPECT_NEAR(count(masked, 0.0f) / 5000.0, 0.3, 0.03);
  EXPECT_EQ(count(masked, 0.0f) + count(masked, 0.5f), 5000);
  const Tensor salted = corrupt(x, InputNoise::SaltAndPepper, 0.2f, gen);
  EXPECT_NEAR(count(salted, 0.0f) / 5000.0, 0.1, 0.02);
  EXPECT_NEAR(count(salted, 1.0f) / 5000.0, 0.1, 0.02);
  const Tensor noisy = corrupt(x, InputNoise::Gaussian, 0.3f, gen);
  double sum = 0, sq = 0;
  for (int64_t i = 0; i < 5000; ++i) {
    const double d = noisy.data()[i] - 0.5;
    sum += d;
    sq += d * d;
  }
  EXPECT_NEAR(sum / 5000, 0.0, 0.02);
  EXPECT_NEAR(std::sqrt(sq / 5000), 0.3, 0.02);
  EXPECT_TRUE(throws_with<std::invalid_argument>([] { parse_input_noise("speckle"); },
                                                 {"speckle", "salt_and_pepper"}));
}

TEST(Autoencoder, DenoisingCorruptsOnlyWhileTrainingAndReportsBothInEvaluation) {
  Generator gen(2);
  auto ae = build_autoencoder(kSmall, 12, gen);
  AutoencoderOptions o;
  o.noise = InputNoise::Gaussian;
  o.noise_level = 0.5;
  AutoencoderObjective objective(*ae, o, 9);
  const Batch batch{Tensor::uniform({6, 12}, 0, 1, gen), Tensor::zeros({6})};
  ae->set_training(false);
  NoGradGuard no_grad;
  const ObjectiveValue clean = objective.compute(batch);
  // Evaluation: the loss is the clean reconstruction; the noisy one is reported beside it.
  EXPECT_FLOAT_EQ(clean.loss.item(), mse_loss(ae->forward(batch.inputs), batch.inputs).item());
  EXPECT_GT(clean.terms.at("noisy_mse"), 0.2);  // about 0.5^2
  EXPECT_TRUE(clean.terms.count("corrupted_reconstruction"));
  // Training draws fresh noise: two passes differ, and differ from the clean loss.
  ae->set_training(true);
  const float a = objective.compute(batch).loss.item(), b = objective.compute(batch).loss.item();
  EXPECT_NE(a, b);
  EXPECT_NE(a, clean.loss.item());
  // Evaluation restarts its stream: the same noisy numbers every time.
  ae->set_training(false);
  objective.begin_evaluation();
  const double first = objective.compute(batch).terms.at("noisy_mse");
  objective.begin_evaluation();
  EXPECT_EQ(objective.compute(batch).terms.at("noisy_mse"), first);
}

TEST(Autoencoder, VariationalObjectiveIsTheNegativeElboWithItsKlWarmup) {
  Generator gen(4);
  AutoencoderSpec s = kSmall;
  s.encoder = {"linear:out=8", "tanh"};
  auto vae = build_variational_autoencoder(s, 12, gen);
  VariationalObjective objective(*vae, {"binary_cross_entropy", 2.0, 4}, 1);
  const Batch batch{Tensor::uniform({6, 12}, 0, 1, gen), Tensor::zeros({6})};
  objective.set_eps_source([](const Shape& shape) { return Tensor::zeros(shape); });
  objective.set_epoch(1);
  EXPECT_DOUBLE_EQ(objective.kl_weight(), 0.5);  // beta 2 x 1/4
  objective.set_epoch(7);
  EXPECT_DOUBLE_EQ(objective.kl_weight(), 2.0);
  objective.set_epoch(2);
  NoGradGuard no_grad;
  const ObjectiveValue v = objective.compute(batch);
  // eps = 0: z = mu, so the reconstruction is that of decode(mu), summed over 12 values.
  const auto [mu, logvar] = vae->encode(batch.inputs);
  const float rec = binary_cross_entropy_with_logits(vae->decode(mu), batch.inputs).item() * 12.0f;
  EXPECT_NEAR(v.terms.at("reconstruction"), rec, 1e-4);
  EXPECT_NEAR(v.terms.at("kl"), gaussian_kl(mu, logvar).item(), 1e-6);
  EXPECT_NEAR(v.loss.item(), rec + 1.0 * v.terms.at("kl"), 1e-4);  // epoch 2: beta x 2/4
  EXPECT_DOUBLE_EQ(v.terms.at("elbo"), -(v.terms.at("reconstruction") + v.terms.at("kl")));
}

}  // namespace test_autoencoder
}  // namespace descent
