// Golden tests: descent's schedules against PyTorch 1.13's torch.optim.lr_scheduler, recorded by
// scripts/golden/schedules.py in tests/golden/schedules.json. Each case builds its SPEC on an
// optimizer with the same groups and compares every row (the values in effect for optimizer step
// s) within 1e-7 relative (absolute below 1e-3; every value is a double computed by the same
// formulas, so the observed error is near 1e-15).
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>

#include "descent/optim/adam.h"
#include "descent/optim/sgd.h"
#include "descent/schedule/factory.h"
#include "descent/schedule/lambda.h"

namespace descent {
namespace test_schedule_golden {

using nlohmann::json;

const json& golden() {
  static const json doc = [] {
    std::ifstream in(DESCENT_SOURCE_DIR "/tests/golden/schedules.json");
    return json::parse(in);
  }();
  return doc;
}

std::unique_ptr<Optimizer> make_opt(const std::string& kind, const std::vector<double>& lrs) {
  std::vector<ParamGroup> groups;
  for (double lr : lrs) {
    ParamGroup g;
    g.params.push_back(Tensor::zeros({1}).requires_grad_());
    g.options["lr"] = lr;
    groups.push_back(g);
  }
  if (kind == "adam") return std::make_unique<Adam>(groups);
  Hyperparams h = SGD::default_hyperparams();
  h["momentum"] = 0.9;
  return std::make_unique<SGD>(groups, h);
}

double rel_error(double a, double b) { return std::fabs(a - b) / std::max(std::fabs(b), 1e-3); }

TEST(ScheduleGolden, MatchesPyTorch) {
  const json& doc = golden();
  ASSERT_GE(doc.at("cases").size(), 20u);
  double worst = 0;
  std::string worst_case;
  for (const json& c : doc.at("cases")) {
    const std::string name = c.at("name");
    SCOPED_TRACE(name);
    auto opt = make_opt(c.at("optimizer"), c.at("group_lrs").get<std::vector<double>>());
    std::unique_ptr<Scheduler> s;
    if (c.at("spec") == "lambda")
      s = std::make_unique<LambdaScheduler>(*opt, [](int64_t e) { return 1.0 / (1 + 0.1 * e); });
    else
      s = make_scheduler(c.at("spec"), *opt);
    const json& lr = c.at("lr");
    ASSERT_GE(lr.size(), 60u);
    const bool has_metrics = c.contains("metrics");
    const std::string mkey = c.value("momentum_key", "");
    EXPECT_EQ(s->momentum_key(), mkey);
    for (size_t row = 0; row < lr.size(); ++row) {
      if (row > 0) {
        if (has_metrics)
          s->step(c.at("metrics")[row - 1].get<double>());
        else
          s->step();
      }
      const auto got = s->values();
      const auto want = lr[row].get<std::vector<double>>();
      ASSERT_EQ(got.size(), want.size());
      for (size_t g = 0; g < got.size(); ++g) {
        const double e = rel_error(got[g], want[g]);
        if (e > worst) worst = e, worst_case = name;
        ASSERT_LE(e, 1e-7) << "row " << row << " group " << g << ": " << got[g] << " vs "
                           << want[g];
      }
      if (!mkey.empty()) {
        const auto mg = group_values(*opt, mkey);
        const auto mw = c.at("momentum")[row].get<std::vector<double>>();
        for (size_t g = 0; g < mg.size(); ++g)
          ASSERT_LE(rel_error(mg[g], mw[g]), 1e-7) << mkey << " row " << row;
      }
    }
  }
  std::printf("[ schedules ] worst relative error %.3g (%s)\n", worst, worst_case.c_str());
}

}  // namespace test_schedule_golden
}  // namespace descent
