// Stacked autoencoders as configurations: the keys and their checks, each layer's autoencoder,
// the whole stack they make (the same function as the layers composed), and the parameter names
// that carry a layer's weights into the stack.
#include <gtest/gtest.h>

#include <cmath>

#include "descent/app/experiment.h"
#include "descent/app/stacked_config.h"
#include "descent/autograd/grad_mode.h"
#include "descent/nn/autoencoder.h"
#include "descent/ops/ops.h"
#include "throws_with.h"

namespace descent {
namespace test_stacked_config {

using testutil::throws_with;

Config load(std::vector<std::string> sets) { return load_config("", sets); }

const std::vector<std::string> kStacked = {"model.kind=stacked_autoencoder",
                                           "model.stack=[6, 4, 3]"};

std::vector<std::string> with(std::vector<std::string> sets, const std::string& more) {
  sets.push_back(more);
  return sets;
}

TEST(StackedConfig, KeysAreCheckedAndNamed) {
  const Config c = load(with(kStacked, "autoencoder.epochs_per_layer=3"));
  EXPECT_EQ(c.model.stack, (std::vector<int64_t>{6, 4, 3}));
  EXPECT_EQ(c.model.stack_activation, "sigmoid");
  EXPECT_EQ(c.autoencoder.epochs_per_layer, 3);
  EXPECT_EQ(c.autoencoder.fine_tune_epochs, 0);
  // config.toml reads back the same, without the keys the stack replaces.
  const std::string toml = to_toml(c);
  EXPECT_NE(toml.find("stack = [ 6, 4, 3 ]"), std::string::npos) << toml;
  for (const char* absent : {"\nencoder =", "\ndecoder =", "\ncode =", "\nepochs = "})
    EXPECT_EQ(toml.find(absent), std::string::npos) << absent << " in\n" << toml;

  EXPECT_TRUE(throws_with<ConfigError>([] { load({"model.kind=stacked_autoencoder"}); },
                                       {"model.stack: missing", "[512, 128, 32]"}));
  EXPECT_TRUE(throws_with<ConfigError>(
      [] {
        load({"model.kind=stacked_autoencoder", "model.stack=[6, 0]"});
      },
      {"model.stack", "[6, 0]", "an array of integers >= 1"}));
  EXPECT_TRUE(throws_with<ConfigError>([] { load(with(kStacked, "model.code=3")); },
                                       {"model.code", "built from model.stack"}));
  EXPECT_TRUE(throws_with<ConfigError>([] { load(with(kStacked, "train.epochs=3")); },
                                       {"train.epochs", "autoencoder.epochs_per_layer"}));
  EXPECT_TRUE(throws_with<ConfigError>([] { load(with(kStacked, "model.stack_activation=soft")); },
                                       {"model.stack_activation", "soft", "sigmoid"}));
  EXPECT_TRUE(throws_with<ConfigError>(
      [] { load(with(with(kStacked, "model.stack_activation=relu"), "autoencoder.sparsity=kl")); },
      {"autoencoder.sparsity", "model.stack_activation = \"sigmoid\"", "it is relu"}));
  EXPECT_TRUE(throws_with<ConfigError>([] { load(with(kStacked, "autoencoder.beta=2")); },
                                       {"autoencoder.beta", "\"vae\""}));
  EXPECT_TRUE(throws_with<ConfigError>([] { load({"model.stack=[4]"}); },
                                       {"model.stack", "\"stacked_autoencoder\""}));
  EXPECT_TRUE(throws_with<ConfigError>(
      [] {
        load({"model.kind=autoencoder", "model.code=2", "autoencoder.fine_tune_epochs=2"});
      },
      {"autoencoder.fine_tune_epochs", "\"stacked_autoencoder\""}));
  // A one-layer phase supports the contractive penalty.
  EXPECT_NO_THROW(load(with(kStacked, "autoencoder.contractive_weight=0.1")));
}

TEST(StackedConfig, EncoderFromKeysBelongToClassifiers) {
  EXPECT_TRUE(throws_with<ConfigError>([] { load({"model.freeze_encoder=true"}); },
                                       {"model.freeze_encoder", "model.encoder_from"}));
  EXPECT_TRUE(throws_with<ConfigError>([] { load(with(kStacked, "model.encoder_from=runs/x")); },
                                       {"model.encoder_from", "\"classifier\""}));
  const Config c = load({"model.encoder_from=runs/ae", "model.freeze_encoder=true"});
  const std::string toml = to_toml(c);
  EXPECT_NE(toml.find("encoder_from = 'runs/ae'"), std::string::npos) << toml;
  EXPECT_NE(toml.find("freeze_encoder = true"), std::string::npos) << toml;
  EXPECT_EQ(to_toml(load({})).find("encoder_from"), std::string::npos);
}

TEST(StackedConfig, LayersReconstructTheirInputsAndTheStackMirrorsThem) {
  Config c = load(with(kStacked, "autoencoder.reconstruction=mse"));
  EXPECT_EQ(stacked_phase_names(c), (std::vector<std::string>{"layer-1", "layer-2", "layer-3"}));
  c.autoencoder.fine_tune_epochs = 2;
  EXPECT_EQ(stacked_phase_names(c).back(), "fine-tune");

  const Config first = stacked_layer_config(c, 1), second = stacked_layer_config(c, 2);
  EXPECT_EQ(first.model.kind, "autoencoder");
  EXPECT_EQ(first.model.encoder, (std::vector<std::string>{"linear:out=6", "sigmoid"}));
  EXPECT_EQ(first.autoencoder.reconstruction, "mse");  // the inputs, as configured
  EXPECT_EQ(second.model.encoder, (std::vector<std::string>{"linear:out=4", "sigmoid"}));
  EXPECT_EQ(second.model.decoder, (std::vector<std::string>{"linear"}));
  EXPECT_EQ(second.autoencoder.reconstruction, "binary_cross_entropy");  // sigmoid codes
  EXPECT_EQ(second.train.epochs, c.autoencoder.epochs_per_layer);

  Config relu = c;
  relu.model.stack_activation = "relu";
  EXPECT_EQ(stacked_layer_config(relu, 2).autoencoder.reconstruction, "mse");
  EXPECT_EQ(stacked_layer_config(relu, 2).model.decoder,
            (std::vector<std::string>{"linear", "relu"}));

  const Config whole = stacked_model_config(c);
  EXPECT_EQ(whole.model.encoder,
            (std::vector<std::string>{"linear:out=6", "sigmoid", "linear:out=4", "sigmoid",
                                      "linear:out=3", "sigmoid"}));
  EXPECT_EQ(whole.model.decoder, (std::vector<std::string>{"linear:out=4", "sigmoid",
                                                           "linear:out=6", "sigmoid", "linear"}));
  EXPECT_EQ(whole.train.epochs, 2);
  EXPECT_EQ(stacked_parameter_name(c, 2, "encoder.0.weight"), "encoder.2.weight");
  EXPECT_EQ(stacked_parameter_name(c, 3, "decoder.0.bias"), "decoder.0.bias");
  EXPECT_EQ(stacked_parameter_name(c, 1, "decoder.0.weight"), "decoder.4.weight");
}

// The whole stack, given each layer's weights under stacked_parameter_name, encodes as the layers
// do one after the other and decodes as their decoders do in reverse (sigmoid between them: the
// reconstruction binary cross-entropy scores).
TEST(StackedConfig, TheStackComputesTheLayersComposed) {
  const Config c = load(kStacked);
  const int64_t in = 5;
  auto stack = build_model(c, in);
  auto& whole = dynamic_cast<Autoencoder&>(*stack);
  std::vector<std::unique_ptr<Module>> layers;
  int64_t features = in;
  for (size_t k = 1; k <= 3; ++k) {
    Config layer_config = stacked_layer_config(c, k);
    layer_config.seed = 10 + k;  // weights unlike the stack's
    layers.push_back(build_model(layer_config, features));
    features = c.model.stack[k - 1];
    for (const auto& p : layers.back()->named_parameters())
      for (auto& q : whole.named_parameters())
        if (q.name == stacked_parameter_name(c, k, p.name)) q.tensor.copy_from(p.tensor);
  }
  NoGradGuard no_grad;
  Tensor x = Tensor::zeros({2, in});
  for (int64_t i = 0; i < x.numel(); ++i) x.data()[i] = 0.1f * static_cast<float>(i % 7);
  Tensor h = x;
  for (auto& layer : layers) h = dynamic_cast<Autoencoder&>(*layer).encode(h);
  Tensor code = whole.encode(x);
  ASSERT_EQ(code.shape(), h.shape());
  for (int64_t i = 0; i < h.numel(); ++i) EXPECT_EQ(code.data()[i], h.data()[i]);
  Tensor y = h;
  for (size_t k = 3; k >= 1; --k) {
    y = dynamic_cast<Autoencoder&>(*layers[k - 1]).decode(y);
    if (k > 1) y = sigmoid(y);
  }
  Tensor out = whole.decode(code);
  ASSERT_EQ(out.shape(), y.shape());
  for (int64_t i = 0; i < y.numel(); ++i) EXPECT_NEAR(out.data()[i], y.data()[i], 1e-6);
}

}  // namespace test_stacked_config
}  // namespace descent
