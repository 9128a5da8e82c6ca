// data.label_noise and randomize_labels: which labels change, how many, and that only the
// training split is touched; Tensor::rows, which the batched evaluations share.
#include <gtest/gtest.h>

#include <string>

#include "descent/app/config.h"
#include "descent/app/datasets.h"
#include "descent/data/label_noise.h"
#include "descent/tensor/tensor.h"

using namespace descent;

namespace test_label_noise {

Dataset labelled(int64_t n, int64_t classes) {
  Dataset d;
  d.name = "labels";
  d.num_classes = classes;
  d.inputs = Tensor::zeros({n, 1});
  d.targets = Tensor::zeros({n});
  for (int64_t i = 0; i < n; ++i) d.targets.data()[i] = static_cast<float>(i % classes);
  return d;
}

int64_t differing(const Dataset& a, const Dataset& b) {
  int64_t count = 0;
  for (int64_t i = 0; i < a.size(); ++i) count += a.targets.data()[i] != b.targets.data()[i];
  return count;
}

TEST(LabelNoise, NoneAtZeroAndAboutKMinusOneOverKAtOne) {
  const Dataset clean = labelled(10000, 10);
  Dataset kept = clean;
  kept.targets = clean.targets.clone();
  Generator gen(1);
  EXPECT_EQ(randomize_labels(kept, 0.0, gen), 0);
  EXPECT_EQ(differing(clean, kept), 0);

  Dataset all = clean;
  all.targets = clean.targets.clone();
  Generator gen2(1);
  const int64_t changed = randomize_labels(all, 1.0, gen2);
  EXPECT_EQ(changed, differing(clean, all));
  EXPECT_NEAR(static_cast<double>(changed) / 10000, 0.9,
              0.02);  // a random class is the own one 1/10
  for (float label : all.targets.values()) {
    EXPECT_GE(label, 0);
    EXPECT_LT(label, 10);
    EXPECT_EQ(label, static_cast<float>(static_cast<int64_t>(label)));
  }
}

TEST(LabelNoise, SameSeedSameLabelsAndNestedAcrossFractions) {
  const Dataset clean = labelled(2000, 5);
  auto noisy = [&](double fraction) {
    Dataset d = clean;
    d.targets = clean.targets.clone();
    Generator gen(7);
    randomize_labels(d, fraction, gen);
    return d;
  };
  EXPECT_EQ(differing(noisy(0.3), noisy(0.3)), 0);
  // The draws do not depend on the fraction, so the examples changed at 0.2 stay changed (to the
  // same class) at 0.4.
  const Dataset low = noisy(0.2), high = noisy(0.4);
  for (int64_t i = 0; i < clean.size(); ++i) {
    if (low.targets.data()[i] != clean.targets.data()[i]) {
      EXPECT_EQ(low.targets.data()[i], high.targets.data()[i]) << "example " << i;
    }
  }
  EXPECT_NEAR(static_cast<double>(differing(clean, low)) / 2000, 0.2 * 0.8, 0.03);
}

TEST(LabelNoise, RegressionAndBadFractionsAreRefused) {
  Dataset d = labelled(10, 2);
  Generator gen(0);
  EXPECT_THROW(randomize_labels(d, 1.5, gen), std::invalid_argument);
  EXPECT_THROW(randomize_labels(d, -0.1, gen), std::invalid_argument);
  d.num_classes = 0;
  try {
    randomize_labels(d, 0.5, gen);
    FAIL() << "a regression set took label noise";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("needs a classification set"), std::string::npos);
  }
}

TEST(LabelNoise, ConfigKeyChangesTrainingLabelsOnlyAndSaysHowMany) {
  Config clean_config = load_config({}, {"data.name=blobs", "data.size=400", "data.classes=4"});
  Config noisy_config = load_config(
      {}, {"data.name=blobs", "data.size=400", "data.classes=4", "data.label_noise=0.5"});
  const ExperimentData clean = load_experiment_data(clean_config);
  const ExperimentData noisy = load_experiment_data(noisy_config);
  const int64_t changed = differing(clean.train, noisy.train);
  EXPECT_GT(changed, 100);  // about 0.5 * 3/4 of 320
  EXPECT_LT(changed, 200);
  EXPECT_EQ(differing(clean.validation, noisy.validation), 0);
  EXPECT_EQ(differing(clean.test, noisy.test), 0);
  ASSERT_FALSE(noisy_config.notes.empty());
  EXPECT_NE(noisy_config.notes.back().find(std::to_string(changed) + " of 320 training labels"),
            std::string::npos)
      << noisy_config.notes.back();
}

TEST(LabelNoise, ConfigRefusesOutOfRangeAndRegressionSets) {
  EXPECT_THROW(load_config({}, {"data.label_noise=1.5"}), ConfigError);
  Config sine = load_config({}, {"data.name=sine", "data.label_noise=0.2"});
  try {
    load_experiment_data(sine);
    FAIL() << "sine took label noise";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("data.label_noise = 0.2"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("regression"), std::string::npos) << e.what();
  }
}

TEST(TensorRows, CopiesTheRowsOfAnyShapeAndRefusesBadRanges) {
  const Tensor t = Tensor::from({4, 2, 1}, {0, 1, 2, 3, 4, 5, 6, 7});
  const Tensor middle = t.rows(1, 3);
  EXPECT_EQ(middle.shape(), (Shape{2, 2, 1}));
  EXPECT_EQ(middle.to_vector(), (std::vector<float>{2, 3, 4, 5}));
  EXPECT_EQ(t.rows(4, 4).numel(), 0);
  const Tensor labels = Tensor::from({3}, {9, 8, 7});
  EXPECT_EQ(labels.rows(2, 3).to_vector(), (std::vector<float>{7}));
  EXPECT_THROW(t.rows(3, 5), std::out_of_range);
  EXPECT_THROW(t.rows(2, 1), std::out_of_range);
  EXPECT_THROW(Tensor::scalar(1).rows(0, 1), std::out_of_range);
}

}  // namespace test_label_noise
