// Inputs that once reached undefined behaviour (found by UBSan), now refused with a message:
// a onecycle step count past int64, and a CSV class label past what float32 holds as an integer
// (its conversion to int64 overflowed). The sanitized suite (docs/reliability.md) runs these.
#include <gtest/gtest.h>

#include "cli_fixtures.h"
#include "descent/data/csv.h"
#include "descent/data/idx.h"
#include "descent/optim/registry.h"
#include "descent/schedule/factory.h"
#include "descent/util/spec.h"
#include "throws_with.h"

namespace descent {
namespace test_undefined_behaviour {

using testutil::throws_with;

// Found by fuzz_optimizer_spec (120 s run): lbfgs:max_iter=4.4e61 was cast to int64_t at the
// first step. Counts are whole numbers within [min, 1e9], checked with every other hyper-parameter.
TEST(UndefinedBehaviour, IntegerHyperparametersRefuseHugeAndFractionalValues) {
  Tensor w = Tensor::zeros({2}).requires_grad_();
  EXPECT_TRUE(throws_with<SpecError>(
      [&] { make_optimizer("lbfgs:max_iter=44444444444444444444444444444444444444444", {w}); },
      {"max_iter=", "expected a whole number in [1, 1e+09]"}));
  EXPECT_TRUE(throws_with<SpecError>([&] { make_optimizer("lbfgs:history_size=2.5", {w}); },
                                     {"history_size=2.5", "a whole number"}));
  EXPECT_TRUE(throws_with<SpecError>([&] { make_optimizer("lbfgs:max_eval=-1", {w}); },
                                     {"max_eval=-1", "a whole number in [0, 1e+09]"}));
  EXPECT_TRUE(throws_with<SpecError>([&] { make_optimizer("muon:ns_steps=1e300", {w}); },
                                     {"ns_steps=", "a whole number"}));
  EXPECT_NO_THROW(make_optimizer("lbfgs:max_iter=1000000000,history_size=3", {w}));
}

TEST(UndefinedBehaviour, OneCycleStepCountPastInt64IsRefused) {
  Tensor w = Tensor::zeros({2}).requires_grad_();
  auto opt = make_optimizer("sgd:lr=0.1,momentum=0.9", {w});
  EXPECT_TRUE(throws_with<SpecError>(
      [&] {
        make_scheduler("onecycle:max_lr=1,epochs=4000000000000000,steps_per_epoch=4000", *opt);
      },
      {"onecycle", "epochs * steps_per_epoch = 4000000000000000 * 4000",
       "more steps than a 64-bit count holds"}));
  // Two negatives made a positive product that was taken as the step count.
  EXPECT_TRUE(throws_with<SpecError>(
      [&] { make_scheduler("onecycle:max_lr=1,epochs=-2,steps_per_epoch=-3", *opt); },
      {"epochs = -2 and steps_per_epoch = -3 must both be positive integers"}));
  // A product just below 2^63 is still a schedule.
  auto fits =
      make_scheduler("onecycle:max_lr=1,epochs=9000000000000000,steps_per_epoch=1000", *opt);
  ASSERT_TRUE(fits->horizon());
  EXPECT_EQ(fits->horizon()->length, 9000000000000000000);
}

class CsvLabelTest : public ::testing::Test {
 protected:
  cli_test::TempDir dir{"descent-ub"};
  std::filesystem::path write(const std::string& text) {
    const auto p = dir / "data.csv";
    cli_test::write_text(p, text);
    return p;
  }
};

TEST_F(CsvLabelTest, LabelPastFloatIntegersIsRefused) {
  CsvOptions o;
  o.classification = true;
  EXPECT_TRUE(throws_with<DataError>([&] { read_csv_dataset(write("x,y\n1,0\n2,1e30\n3,1\n"), o); },
                                     {"data.csv:3: column 2 ('1e30') is not a class label",
                                      "an integer from -16777216 to 16777216"}));
  EXPECT_TRUE(throws_with<DataError>([&] { read_csv_dataset(write("x,y\n1,-3e38\n"), o); },
                                     {"('-3e38') is not a class label"}));
  // The edges of the range are classes.
  const Dataset d = read_csv_dataset(write("x,y\n1,16777216\n2,-16777216\n"), o);
  EXPECT_EQ(d.class_names, (std::vector<std::string>{"-16777216", "16777216"}));
}

TEST_F(CsvLabelTest, LabelPastFloatIntegersInATestFileIsNotAClass) {
  CsvOptions o;
  o.classification = true;
  o.classes = {"0", "1"};
  EXPECT_TRUE(throws_with<DataError>(
      [&] { read_csv_dataset(write("x,y\n1,0\n2,1e30\n"), o); },
      {"data.csv:3: column 2: label '1e30' is not one of the 2 classes of the training data"}));
}

}  // namespace test_undefined_behaviour
}  // namespace descent
