// momentum-bias-correction: the notes' exponential moving average of the gradient underestimates
// it in the first steps; dividing by 1 - beta^t removes the bias.
//
// m_t = beta m_{t-1} + (1 - beta) g_t from m_0 = 0 is m_t = (1 - beta) sum_k beta^k g_{t-k}, whose
// weights sum to 1 - beta^t: for gradients of constant mean g, E[m_t] = (1 - beta^t) g, a relative
// error of beta at step 1 and beta^(1/(1-beta)) ~ 1/e after 1/(1 - beta) steps. The corrected
// m_t / (1 - beta^t) is a convex combination of the gradients, unbiased at every step, and the
// newest gradient's weight in the step, the effective learning rate, decays from alpha to
// alpha (1 - beta) as alpha (1 - beta) / (1 - beta^t).
//
// The averages are the library's own: SGD in the notes' form (sgd:form=ema), whose step from a
// point reset to 0 before each step is -lr m_t (or -lr m_t / (1 - beta^t) with bias_correction).
#include <cmath>
#include <cstdio>

#include "descent/experiments/experiment.h"
#include "descent/ops/ops.h"
#include "descent/optim/registry.h"
#include "descent/util/random.h"

namespace descent::experiments {
namespace {

// Feeds the gradients one by one to sgd:form=ema and returns the averages it stepped with.
class EmaProbe {
 public:
  EmaProbe(double beta, bool corrected, double lr = 1) : lr_(lr) {
    p_ = Tensor::from({1}, {0.f});
    p_.requires_grad_();
    opt_ = make_optimizer("sgd:form=ema,lr=" + number_text(lr) + ",momentum=" + number_text(beta) +
                              ",bias_correction=" + (corrected ? "true" : "false"),
                          {p_});
  }
  // The step's average (-step / lr) for the gradient g.
  double feed(double g) {
    p_.data()[0] = 0;
    p_.grad_data()[0] = static_cast<float>(g);
    opt_->step();
    return -static_cast<double>(p_.data()[0]) / lr_;
  }

 private:
  double lr_;
  Tensor p_;
  std::unique_ptr<Optimizer> opt_;
};

Outcome run(Context& context) {
  const Params& p = context.params();
  const std::vector<double> betas = p.numbers("betas");
  const double mean = p.number("mean"), noise = p.number("noise"), alpha = p.number("alpha");
  const int64_t steps = p.integer("steps"), runs = p.integer("runs");
  for (double b : betas)
    if (!(b > 0 && b < 1)) throw std::invalid_argument("betas: every beta must be in (0, 1)");
  if (betas.empty()) throw std::invalid_argument("betas: expected at least one value");
  if (!(mean != 0) || !(noise >= 0) || !(alpha > 0) || runs < 1)
    throw std::invalid_argument("mean must be != 0, noise >= 0, alpha > 0, runs >= 1");
  for (double b : betas)
    if (static_cast<double>(steps) < 1 / (1 - b))
      throw std::invalid_argument(
          "steps: expected at least 1 / (1 - beta) = " + number_text(std::ceil(1 / (1 - b))) +
          " for beta " + number_text(b));

  Generator rng(context.seed());
  plot::LineChart one;
  one.id = "one_run";
  one.title = "one run, beta = " + number_text(betas.front());
  one.x_title = "step t";
  one.y_title = "gradient and its averages";
  plot::LineChart bias;
  bias.id = "bias";
  bias.title = "mean over " + std::to_string(runs) + " runs, relative to the true mean g";
  bias.x_title = "step t";
  bias.y_title = "E[average] / g";
  bias.log_x = true;
  plot::LineChart lr_chart;
  lr_chart.id = "effective_lr";
  lr_chart.title = "effective learning rate alpha (1 - beta) / (1 - beta^t)";
  lr_chart.x_title = "step t";
  lr_chart.y_title = "weight of g_t in the step";
  lr_chart.log_x = lr_chart.log_y = true;

  std::vector<std::vector<double>> rows, lr_rows;
  nlohmann::json per_beta = nlohmann::json::array();
  bool agrees = true;
  for (size_t bi = 0; bi < betas.size(); ++bi) {
    const double beta = betas[bi];
    std::vector<double> raw_sum(static_cast<size_t>(steps), 0.0), fixed_sum(raw_sum);
    std::vector<double> first_g, first_raw, first_fixed;
    for (int64_t r = 0; r < runs; ++r) {
      EmaProbe raw(beta, false), fixed(beta, true);
      for (int64_t t = 0; t < steps; ++t) {
        const double g = mean + noise * rng.normal();
        const double m = raw.feed(g), mh = fixed.feed(g);
        raw_sum[static_cast<size_t>(t)] += m;
        fixed_sum[static_cast<size_t>(t)] += mh;
        if (r == 0 && bi == 0) {
          first_g.push_back(g);
          first_raw.push_back(m);
          first_fixed.push_back(mh);
        }
      }
    }
    const std::string b = "beta " + number_text(beta);
    plot::Series raw_series{"uncorrected m_t, " + b, "raw" + number_text(beta), {}, {}},
        fixed_series{"corrected m_t / (1 - beta^t), " + b, "fixed" + number_text(beta), {}, {}},
        theory{"1 - beta^t, " + b, "raw" + number_text(beta), {}, {}};
    theory.faint = true;
    double worst_corrected = 0;
    const double se = noise / std::sqrt(static_cast<double>(runs)) / std::fabs(mean);
    for (int64_t t = 0; t < steps; ++t) {
      const double step = static_cast<double>(t + 1);
      const double m = raw_sum[static_cast<size_t>(t)] / static_cast<double>(runs) / mean;
      const double mh = fixed_sum[static_cast<size_t>(t)] / static_cast<double>(runs) / mean;
      rows.push_back({beta, step, m, mh, 1 - std::pow(beta, step)});
      raw_series.x.push_back(step);
      raw_series.y.push_back(m);
      fixed_series.x.push_back(step);
      fixed_series.y.push_back(mh);
      theory.x.push_back(step);
      theory.y.push_back(1 - std::pow(beta, step));
      worst_corrected = std::max(worst_corrected, std::fabs(mh - 1));
    }
    bias.series.push_back(raw_series);
    bias.series.push_back(fixed_series);
    bias.series.push_back(theory);
    // The relative error of the uncorrected average at step 1 and after 1 / (1 - beta) steps.
    const auto horizon = static_cast<int64_t>(std::llround(1 / (1 - beta)));
    const double error_first = 1 - raw_sum[0] / static_cast<double>(runs) / mean;
    const double error_horizon =
        1 - raw_sum[static_cast<size_t>(horizon - 1)] / static_cast<double>(runs) / mean;
    const double horizon_theory = std::pow(beta, static_cast<double>(horizon));
    // The effective learning rate: the step's response to the newest gradient alone, measured by
    // feeding t - 1 zero gradients and then g_t = 1 to a fresh optimizer.
    plot::Series lr_measured{"measured, " + b, "raw" + number_text(beta), {}, {}},
        lr_formula{"formula, " + b, "fixed" + number_text(beta), {}, {}};
    lr_formula.faint = true;
    double worst_lr = 0;
    for (int64_t t = 1; t <= steps; t = t < 10 ? t + 1 : t + std::max<int64_t>(1, t / 10)) {
      EmaProbe probe(beta, true, alpha);
      for (int64_t k = 1; k < t; ++k) probe.feed(0);
      const double measured = alpha * probe.feed(1);
      const double formula = alpha * (1 - beta) / (1 - std::pow(beta, static_cast<double>(t)));
      lr_rows.push_back({beta, static_cast<double>(t), measured, formula});
      lr_measured.x.push_back(static_cast<double>(t));
      lr_measured.y.push_back(measured);
      lr_formula.x.push_back(static_cast<double>(t));
      lr_formula.y.push_back(formula);
      worst_lr = std::max(worst_lr, std::fabs(measured / formula - 1));
    }
    lr_chart.series.push_back(lr_measured);
    lr_chart.series.push_back(lr_formula);
    per_beta.push_back({{"beta", beta},
                        {"uncorrected_error_step1", error_first},
                        {"uncorrected_error_after_horizon", error_horizon},
                        {"horizon_steps", horizon},
                        {"theory_after_horizon", horizon_theory},
                        {"corrected_worst_bias", worst_corrected},
                        {"corrected_bias_standard_error", se},
                        {"effective_lr_worst_relative_error", worst_lr}});
    // Within 5 standard errors of the mean over runs (the error at step 1 is beta exactly in
    // expectation), and the corrected average unbiased to the same precision.
    agrees = agrees && std::fabs(error_first - beta) < 5 * se * (1 - beta) + 1e-6 &&
             std::fabs(error_horizon - horizon_theory) < 5 * se + 1e-6 &&
             worst_corrected < 5 * se * 1.5 + 1e-6 && worst_lr < 1e-5;
    if (bi == 0) {
      plot::Series gs{"g_t", "g", {}, {}}, ms{"uncorrected m_t", "raw", {}, {}},
          mhs{"corrected", "fixed", {}, {}}, truth{"true mean g", "truth", {}, {}};
      gs.faint = true;
      for (size_t t = 0; t < first_g.size(); ++t) {
        const double step = static_cast<double>(t + 1);
        for (auto* s : {&gs, &ms, &mhs, &truth}) s->x.push_back(step);
        gs.y.push_back(first_g[t]);
        ms.y.push_back(first_raw[t]);
        mhs.y.push_back(first_fixed[t]);
        truth.y.push_back(mean);
      }
      one.series = {gs, truth, ms, mhs};
    }
    context.progress(b + ": uncorrected error " + number_text(error_first) + " at step 1, " +
                     number_text(error_horizon) + " after " + std::to_string(horizon));
  }
  context.write_csv("averages.csv",
                    {"beta", "step", "uncorrected", "corrected", "one_minus_beta_t"}, rows);
  context.write_csv("effective_lr.csv", {"beta", "step", "measured", "formula"}, lr_rows);
  context.add_text("One run",
                   "Gradients g_t = " + number_text(mean) + " + N(0, " + number_text(noise) +
                       "^2), averaged by sgd:form=ema with and without bias_correction.");
  context.add_figure(one);
  context.add_text("The bias",
                   "Uncorrected averages follow 1 - beta^t (faint); corrected ones "
                   "stay at 1.");
  context.add_figure(bias);
  context.add_text(
      "The effective learning rate",
      "The step's response to the newest gradient alone, alpha = " + number_text(alpha) + ".");
  context.add_figure(lr_chart);

  Outcome outcome;
  outcome.headline = {{"betas", per_beta}};
  const nlohmann::json& f = per_beta.front();
  char text[400];
  std::snprintf(text, sizeof text,
                "beta %g: the uncorrected average is low by %.3f at step 1 (theory %g) and by "
                "%.3f after %lld steps (theory %.3f); the corrected one is off by at most %.3f "
                "(standard error %.3f)",
                f["beta"].get<double>(), f["uncorrected_error_step1"].get<double>(),
                f["beta"].get<double>(), f["uncorrected_error_after_horizon"].get<double>(),
                static_cast<long long>(f["horizon_steps"].get<int64_t>()),
                f["theory_after_horizon"].get<double>(), f["corrected_worst_bias"].get<double>(),
                f["corrected_bias_standard_error"].get<double>());
  outcome.measured = text;
  outcome.agrees = agrees;
  return outcome;
}

}  // namespace

Experiment momentum_bias_correction_experiment() {
  using K = Param::Kind;
  return {"momentum-bias-correction",
          "the moving average of gradients starts low; dividing by 1 - beta^t fixes it",
          "m_t = beta m_{t-1} + (1 - beta) g_t from m_0 = 0 has E[m_t] = (1 - beta^t) g: low by "
          "beta at step 1 and by ~1/e after 1/(1 - beta) steps; m_t / (1 - beta^t) is unbiased, "
          "with effective learning rate alpha (1 - beta) / (1 - beta^t)",
          {{"betas", K::Numbers, "0.9,0.99", "0.9,0.99", "the averages' beta"},
           {"mean", K::Number, "1", "1", "the gradient's true mean g"},
           {"noise", K::Number, "0.5", "0.5", "the gradient noise's standard deviation"},
           {"alpha", K::Number, "0.1", "0.1", "the learning rate of the effective-rate curve"},
           {"steps", K::Integer, "300", "120", "steps per run"},
           {"runs", K::Integer, "2000", "200", "runs averaged over"}},
          run};
}

}  // namespace descent::experiments
