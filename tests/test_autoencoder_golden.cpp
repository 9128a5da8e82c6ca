// Golden tests: every autoencoder kind trained by descent against the same training in PyTorch
// 1.13, recorded by scripts/golden/autoencoders.py in tests/golden/autoencoders.json. Each case
// builds the model with descent's builders from the file's layer SPECs, loads the initial weights
// by name, feeds the objective the corrupted inputs and the eps that PyTorch drew, trains with
// descent's Trainer, objective and optimizer over the same minibatches (in order, the last one
// short), and compares the loss of every step, every term's epoch mean (train_<term>) and the
// final weights.
//
// Tolerance: |a - b| <= 1e-5 * max(|b|, 0.1), the rule of the optimizer golden tests
// (test_optim_golden.cpp says why the 0.1 floor: weights that pass near zero keep the float32
// rounding of their larger selves). Bit equality is out of reach: PyTorch's matmuls sum in
// another order, and log/exp/sigmoid round differently. The worst error over all cases is 4.5e-7
// (contractive_sigmoid; printed per case, and the `worst_relative_error` property in the XML
// report), so 1e-5 leaves a factor of 20, while a wrong definition is off by far more: changing
// contractive_weight or rho by 1e-3 relative moves the results by 6e-4, a KL warm-up of 3 epochs
// instead of 2 by 0.33. Both sides see the stored corrupted inputs, so the last test checks that
// descent's own corruption (input_noise.h) follows the definitions the script draws from.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "descent/nn/autoencoder_spec.h"
#include "descent/optim/registry.h"
#include "descent/train/objectives/autoencoder.h"
#include "descent/train/objectives/input_noise.h"
#include "descent/train/objectives/variational.h"
#include "descent/train/trainer.h"

namespace descent {
namespace test_autoencoder_golden {

using nlohmann::json;

constexpr double kRelTol = 1e-5;
constexpr double kFloor = 0.1;

struct Golden {
  json doc;
  std::string error;  // non-empty when the file is unreadable
};

const Golden& golden() {
  static const Golden g = [] {
    Golden out;
    const std::string path = DESCENT_SOURCE_DIR "/tests/golden/autoencoders.json";
    std::ifstream in(path);
    if (!in) {
      out.error = "cannot read " + path;
      return out;
    }
    try {
      out.doc = json::parse(in);
    } catch (const std::exception& e) {
      out.error = path + ": " + e.what();
    }
    return out;
  }();
  return g;
}

std::vector<std::string> case_names() {
  std::vector<std::string> names;
  if (golden().error.empty())
    for (const auto& c : golden().doc.at("cases")) names.push_back(c.at("name").get<std::string>());
  if (names.empty()) names.push_back("golden_file_unusable");
  return names;
}

std::vector<float> floats(const json& values) {
  std::vector<float> out;
  out.reserve(values.size());
  // Parsed as double, rounded once to float: the script checked this gives back its float32.
  for (const auto& v : values) out.push_back(static_cast<float>(v.get<double>()));
  return out;
}

Tensor tensor_from(const json& j) {
  return Tensor::from(j.at("shape").get<Shape>(), floats(j.at("values")));
}

bool close(double a, double b) {
  return std::abs(a - b) <= kRelTol * std::max(std::abs(b), kFloor);
}
double rel_error(double a, double b) { return std::abs(a - b) / std::max(std::abs(b), kFloor); }

// The model's parameters by name; the file must name exactly the same set.
std::map<std::string, Tensor> parameters_by_name(const Module& model, const json& stored) {
  std::map<std::string, Tensor> params;
  for (const auto& p : model.named_parameters()) params[p.name] = p.tensor;
  std::map<std::string, bool> in_file;
  for (const auto& s : stored) in_file[s.at("name").get<std::string>()] = true;
  for (const auto& [name, t] : params)
    if (!in_file.count(name)) throw std::runtime_error("descent has '" + name + "', the file not");
  for (const auto& [name, _] : in_file)
    if (!params.count(name)) throw std::runtime_error("the file has '" + name + "', descent not");
  return params;
}

// Hands out the stored tensors one per call, in order (the file holds one per training step).
class Feed {
 public:
  explicit Feed(const json* steps) : steps_(steps) {}
  Tensor next(const Shape& shape) {
    if (!steps_ || used_ >= steps_->size())
      throw std::runtime_error("asked for more stored tensors than the file has");
    const std::vector<float> v = floats((*steps_)[used_++]);
    Tensor t = Tensor::from(shape, v);  // throws when the count does not fit the shape
    return t;
  }
  size_t used() const { return used_; }

 private:
  const json* steps_;
  size_t used_ = 0;
};

// Records the loss of every optimizer step (the mean minibatch loss before the update).
class StepLosses : public Callback {
 public:
  void on_gradients(TrainState& state, const Batch&) override { losses.push_back(state.step_loss); }
  std::vector<double> losses;
};

Hyperparams hyperparams_for(const std::string& optimizer, const json& given) {
  Hyperparams h;
  for (const auto& def : optimizer_info(optimizer).hyperparams) h[def.name] = def.value;
  for (const auto& [key, value] : given.items()) {
    if (!h.count(key))
      throw std::runtime_error("optimizer '" + optimizer + "' has no hyper-parameter '" + key +
                               "'");
    h[key] = value.get<double>();
  }
  return h;
}

struct Built {
  std::unique_ptr<Module> model;
  std::unique_ptr<Objective> objective;
};

// The model and its objective, as descent's builders make them, with the stored random numbers
// fed in place of the objective's own draws.
Built build(const json& c, int64_t features, Feed& noise, Feed& eps) {
  const AutoencoderSpec spec{c.at("encoder").get<std::vector<std::string>>(),
                             c.at("decoder").get<std::vector<std::string>>(),
                             c.at("code").get<int64_t>(), c.at("tied").get<bool>()};
  const json& o = c.at("objective");
  Generator gen(0);  // its draws are overwritten by the stored weights
  Built b;
  if (c.at("kind") == "vae") {
    auto vae = build_variational_autoencoder(spec, features, gen);
    auto objective = std::make_unique<VariationalObjective>(
        *vae,
        VariationalOptions{o.at("reconstruction").get<std::string>(), o.at("beta").get<double>(),
                           o.at("kl_warmup_epochs").get<int64_t>()},
        0);
    objective->set_eps_source([&eps](const Shape& shape) { return eps.next(shape); });
    b.objective = std::move(objective);
    b.model = std::move(vae);
    return b;
  }
  auto ae = build_autoencoder(spec, features, gen);
  AutoencoderOptions options;
  options.reconstruction = o.at("reconstruction").get<std::string>();
  options.sparsity = o.at("sparsity").get<std::string>();
  options.sparsity_weight = o.at("sparsity_weight");
  options.sparsity_target = o.at("sparsity_target");
  options.noise = parse_input_noise(o.at("noise").get<std::string>());
  options.noise_level = o.at("noise_level");
  options.contractive_weight = o.at("contractive_weight");
  options.code_activation = code_activation(spec.encoder);
  auto objective = std::make_unique<AutoencoderObjective>(*ae, options, 0);
  objective->set_noise_source([&noise](const Tensor& clean) { return noise.next(clean.shape()); });
  b.objective = std::move(objective);
  b.model = std::move(ae);
  return b;
}

class AutoencoderGoldenTest : public ::testing::TestWithParam<std::string> {};

TEST_P(AutoencoderGoldenTest, OneEpochMatchesPyTorch) {
  ASSERT_TRUE(golden().error.empty()) << golden().error;
  const json& doc = golden().doc;
  const json* found = nullptr;
  for (const auto& c : doc.at("cases"))
    if (c.at("name") == GetParam()) found = &c;
  ASSERT_NE(found, nullptr) << "no case " << GetParam();
  const json& c = *found;

  Dataset data;
  data.name = "golden";
  data.inputs = tensor_from(doc.at("data"));
  data.targets = data.inputs;  // an autoencoder's targets are its inputs

  Feed noise(c.contains("noisy_inputs") ? &c.at("noisy_inputs") : nullptr);
  Feed eps(c.contains("eps") ? &c.at("eps") : nullptr);
  Built built = build(c, data.features(), noise, eps);
  std::map<std::string, Tensor> params = parameters_by_name(*built.model, c.at("initial"));
  for (const auto& s : c.at("initial")) {
    Tensor& p = params.at(s.at("name"));
    const Tensor stored = tensor_from(s);
    ASSERT_EQ(p.shape(), stored.shape()) << s.at("name");
    p.copy_from(stored);
  }

  std::vector<Tensor> tensors;
  for (const auto& p : built.model->named_parameters()) tensors.push_back(p.tensor);
  const std::string optimizer_name = c.at("optimizer");
  auto optimizer =
      make_optimizer(optimizer_name, tensors, hyperparams_for(optimizer_name, c.at("hyperparams")));

  TrainOptions options;
  options.epochs = c.at("epochs");
  options.batch_size = doc.at("batch_size");
  options.shuffle = false;
  Trainer trainer(*built.objective, *optimizer, options);
  StepLosses steps;
  trainer.add_callback(steps);
  Generator order(0);  // unused without shuffling
  const TrainResult result = trainer.fit(data, nullptr, order);
  ASSERT_EQ(result.stop_reason, StopReason::Completed) << result.stop_message;

  double worst = 0;
  const std::vector<float> want_losses = floats(c.at("losses"));
  ASSERT_EQ(steps.losses.size(), want_losses.size());
  for (size_t k = 0; k < want_losses.size(); ++k) {
    worst = std::max(worst, rel_error(steps.losses[k], want_losses[k]));
    EXPECT_TRUE(close(steps.losses[k], want_losses[k]))
        << std::setprecision(9) << "step " << k << ": loss " << steps.losses[k] << ", PyTorch "
        << want_losses[k];
  }
  // Every stored random tensor was used, once per step.
  if (c.contains("noisy_inputs")) {
    EXPECT_EQ(noise.used(), c.at("noisy_inputs").size());
  }
  if (c.contains("eps")) {
    EXPECT_EQ(eps.used(), c.at("eps").size());
  }

  const json& terms = c.at("terms");
  ASSERT_EQ(result.history.size(), terms.size());
  for (size_t e = 0; e < terms.size(); ++e)
    for (const auto& [term, value] : terms[e].items()) {
      const auto& extra = result.history[e].extra;
      ASSERT_TRUE(extra.contains("train_" + term)) << "epoch " << e + 1 << ": no train_" << term;
      const double got = extra.at("train_" + term).get<double>(), want = value.get<double>();
      worst = std::max(worst, rel_error(got, want));
      EXPECT_TRUE(close(got, want)) << std::setprecision(9) << "epoch " << e + 1 << ": train_"
                                    << term << " is " << got << ", PyTorch " << want;
    }

  for (const auto& s : c.at("final")) {
    const std::string name = s.at("name");
    const std::vector<float> want = floats(s.at("values"));
    const auto got = params.at(name).values();
    ASSERT_EQ(got.size(), want.size()) << name;
    int shown = 0;
    for (size_t i = 0; i < want.size(); ++i) {
      worst = std::max(worst, rel_error(got[i], want[i]));
      if (!close(got[i], want[i]) && shown++ < 5)
        ADD_FAILURE() << std::setprecision(9) << name << "[" << i << "] is " << got[i]
                      << " after training, PyTorch " << want[i] << " (relative error "
                      << rel_error(got[i], want[i]) << ")";
    }
  }
  std::ostringstream worst_text;
  worst_text << std::setprecision(3) << worst;
  RecordProperty("worst_relative_error", worst_text.str());  // in the XML report
  std::cout << GetParam() << ": worst relative error " << worst_text.str() << "\n";
}

// descent's corrupt() by the statistics of many draws: the fraction of values changed, what they
// become, and the Gaussian noise's mean and spread (each tolerance 4 to 6 standard errors).
TEST(AutoencoderGoldenNoise, CorruptionFollowsTheScriptsDefinitions) {
  const int64_t n = 200, features = 100;  // 20000 values
  Generator data_gen(1);
  const Tensor x = Tensor::uniform({n, features}, 0.2f, 0.8f, data_gen);  // neither 0 nor 1
  const float level = 0.3f;
  Generator gen(2);

  const Tensor masked = corrupt(x, InputNoise::Mask, level, gen);
  int64_t zeros = 0;
  for (int64_t i = 0; i < x.numel(); ++i) {
    if (masked.data()[i] == 0.0f)
      ++zeros;
    else
      ASSERT_EQ(masked.data()[i], x.data()[i]) << "mask: value " << i << " changed, not zeroed";
  }
  EXPECT_NEAR(static_cast<double>(zeros) / x.numel(), level, 0.02);

  const Tensor salted = corrupt(x, InputNoise::SaltAndPepper, level, gen);
  int64_t salt = 0, pepper = 0;
  for (int64_t i = 0; i < x.numel(); ++i) {
    const float v = salted.data()[i];
    if (v == 1.0f)
      ++salt;
    else if (v == 0.0f)
      ++pepper;
    else
      ASSERT_EQ(v, x.data()[i]) << "salt_and_pepper: value " << i << " is neither 0, 1 nor x";
  }
  EXPECT_NEAR(static_cast<double>(salt + pepper) / x.numel(), level, 0.02);
  EXPECT_NEAR(static_cast<double>(salt) / (salt + pepper), 0.5, 0.03);

  const Tensor noisy = corrupt(x, InputNoise::Gaussian, level, gen);
  double sum = 0, sum_sq = 0;
  for (int64_t i = 0; i < x.numel(); ++i) {
    const double z = (noisy.data()[i] - x.data()[i]) / level;
    sum += z;
    sum_sq += z * z;
  }
  const double mean = sum / x.numel(), variance = sum_sq / x.numel() - mean * mean;
  EXPECT_NEAR(mean, 0.0, 0.04);
  EXPECT_NEAR(std::sqrt(variance), 1.0, 0.03);
}

INSTANTIATE_TEST_SUITE_P(AutoencoderGolden, AutoencoderGoldenTest,
                         ::testing::ValuesIn(case_names()),
                         [](const auto& info) { return info.param; });

}  // namespace test_autoencoder_golden
}  // namespace descent
