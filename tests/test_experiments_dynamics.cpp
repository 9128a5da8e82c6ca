// The optimization-dynamics experiments (noise ball, conditioning, optimizer paths, momentum,
// activations, schedules, saddles and cliffs): each one's quick version asserts the shape of what
// it measured.
#include <gtest/gtest.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "cli_fixtures.h"

namespace test_experiments_dynamics {

using cli_test::CommandTest;
using nlohmann::json;
namespace fs = std::filesystem;

class DynamicsExperiment : public CommandTest {
 protected:
  DynamicsExperiment() : CommandTest("descent-experiment-dynamics") {}
  // Runs `name --quick` into cwd/out without figures (their drawing is tested elsewhere) and
  // returns its result.json.
  json quick(const std::string& name, const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {"experiment", name, "--quick", "--out", "out", "--no-figures"};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto r = descent(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::ifstream in(cwd_ / "out" / "result.json");
    return json::parse(in);
  }
};

TEST_F(DynamicsExperiment, NoiseBallGrowsWithAlphaShrinksWithBatchAndStaysUnderTheBound) {
  const json r = quick("noise-ball");
  const json& h = r["headline"];
  EXPECT_GT(h["slope_alpha"].get<double>(), 0.5) << h.dump();
  EXPECT_LT(h["slope_batch"].get<double>(), -0.5) << h.dump();
  EXPECT_LE(h["worst_measured_over_bound"].get<double>(), 1) << h.dump();
  EXPECT_LT(h["ball_decaying_step"].get<double>(), h["ball_constant_step"].get<double>());
  EXPECT_TRUE(r["agrees"]) << r.dump(1);
  for (const char* f : {"radius.csv", "schedule.csv"}) EXPECT_TRUE(fs::exists(cwd_ / "out" / f));
}

TEST_F(DynamicsExperiment, IllConditioningStepsGrowWithKappaAsTheRatePredicts) {
  const json r = quick("ill-conditioning");
  const json& q = r["headline"]["quadratics"];
  ASSERT_EQ(q.size(), 3u);
  EXPECT_EQ(q[0]["measured_steps"], 1);  // kappa = 1: one step of 2 / (1 + 1) lands on w*
  for (size_t k = 0; k < q.size(); ++k) {
    EXPECT_NEAR(q[k]["measured_steps"].get<double>(), q[k]["predicted_steps"].get<double>(), 1);
    if (k > 0) {
      EXPECT_GT(q[k]["measured_steps"], q[k - 1]["measured_steps"]);
    }
  }
  EXPECT_GT(r["headline"]["ill_share_highest_lr"].get<double>(),
            r["headline"]["ill_share_lowest_lr"].get<double>());
  EXPECT_TRUE(r["agrees"]) << r.dump(1);
}

TEST_F(DynamicsExperiment, OptimizerPathsAdaptiveMethodsLeaveTheSaddleBeforeSgd) {
  const json r = quick("optimizer-paths");
  const json& escape = r["headline"]["saddle_escape_step"];
  ASSERT_TRUE(escape["sgd"].is_number()) << escape.dump();
  for (const char* adaptive : {"adagrad", "rmsprop"}) {
    ASSERT_TRUE(escape[adaptive].is_number()) << escape.dump();
    EXPECT_LT(escape[adaptive].get<int>(), escape["sgd"].get<int>()) << adaptive;
  }
  // The notes' two momentum forms are one method at a constant learning rate.
  EXPECT_LT(r["headline"]["momentum_forms_max_gap"].get<double>(), 1e-4);
  // Every optimizer lowers the ravine's loss from its start (0.5 (1.5^2 + 50) = 26.1).
  for (const auto& [name, loss] : r["headline"]["final_loss"]["ravine"].items())
    EXPECT_LT(loss.get<double>(), 26) << name;
  EXPECT_TRUE(r["agrees"]) << r.dump(1);
}

TEST_F(DynamicsExperiment, MomentumBiasCorrectionUncorrectedAverageStartsLowByBeta) {
  const json r = quick("momentum-bias-correction");
  for (const json& b : r["headline"]["betas"]) {
    const double beta = b["beta"].get<double>(), se = b["corrected_bias_standard_error"];
    EXPECT_NEAR(b["uncorrected_error_step1"].get<double>(), beta, 5 * se) << b.dump();
    EXPECT_NEAR(b["uncorrected_error_after_horizon"].get<double>(),
                b["theory_after_horizon"].get<double>(), 5 * se);
    EXPECT_LT(b["corrected_worst_bias"].get<double>(), 8 * se);
    EXPECT_LT(b["effective_lr_worst_relative_error"].get<double>(), 1e-5);
  }
  EXPECT_TRUE(r["agrees"]) << r.dump(1);
}

TEST_F(DynamicsExperiment, ActivationsDerivativesMatchFiniteDifferencesAndSaturate) {
  const json r = quick("activations");
  const json& h = r["headline"];
  EXPECT_LT(h["worst_abs_df_minus_central_difference"].get<double>(), 1e-6);
  EXPECT_LT(h["worst_rel_df_minus_autodiff"].get<double>(), 1e-5);
  EXPECT_DOUBLE_EQ(h["sigmoid_max_df"].get<double>(), 0.25);  // s (1 - s) at s = 1/2
  EXPECT_DOUBLE_EQ(h["tanh_max_df"].get<double>(), 1.0);
  const json& a = h["activations"];
  EXPECT_GT(a["sigmoid"]["saturated_share"].get<double>(), 0.05);  // |x| > ~5.3 on [-6, 6]
  EXPECT_GT(a["relu"]["saturated_share"].get<double>(), 0.45);     // the left half is flat
  EXPECT_EQ(a["leaky_relu"]["saturated_share"].get<double>(), 0.0);
  EXPECT_TRUE(r["agrees"]) << r.dump(1);
}

TEST_F(DynamicsExperiment, SchedulesFollowTheNotesClosedForms) {
  const json r = quick("schedules");
  EXPECT_LT(r["headline"]["closed_form_worst_error"].get<double>(), 1e-9);
  const json& s = r["headline"]["schedules"];
  EXPECT_EQ(s["cosine"]["lr_start"].get<double>(), 0.1);
  EXPECT_NEAR(s["cosine"]["lr_end"].get<double>(), 0.0, 1e-12);
  EXPECT_EQ(s["linear warmup"]["lr_start"].get<double>(), 0.0);
  EXPECT_TRUE(r["agrees"]) << r.dump(1);
}

TEST_F(DynamicsExperiment, WarmupLowersTheEarlyLossPeak) {
  const json r = quick("warmup");
  const json& h = r["headline"];
  EXPECT_LT(h["median_early_max_loss_warmup"].get<double>(),
            h["median_early_max_loss_no_warmup"].get<double>())
      << h.dump();
  EXPECT_LE(h["median_spikes_warmup"].get<double>(), h["median_spikes_no_warmup"].get<double>());
}

TEST_F(DynamicsExperiment, SaddlePointsNoiseEscapesWhereGradientDescentCannot) {
  const json r = quick("saddle-points");
  const json& starts = r["headline"]["starts"];
  const json& exact = starts.back();  // y0 = 0: on the stable direction
  ASSERT_EQ(exact["y0"], 0.0);
  EXPECT_TRUE(exact["gd"].is_null());
  EXPECT_TRUE(exact["momentum"].is_null());
  EXPECT_TRUE(exact["sgd_median"].is_number());
  for (size_t k = 1; k + 1 < starts.size(); ++k)  // closer starts take gradient descent longer
    EXPECT_GT(starts[k]["gd"].get<int>(), starts[k - 1]["gd"].get<int>());
  EXPECT_TRUE(r["agrees"]) << r.dump(1);
}

TEST_F(DynamicsExperiment, CliffsClippingBoundsEveryStep) {
  const json r = quick("cliffs");
  const json& h = r["headline"];
  EXPECT_LE(h["longest_step_clipped"].get<double>(), h["step_bound_clipped"].get<double>() + 1e-6);
  EXPECT_GT(h["longest_step_unclipped"].get<double>(),
            10 * h["longest_step_clipped"].get<double>());
  EXPECT_TRUE(r["agrees"]) << r.dump(1);
}

}  // namespace test_experiments_dynamics
