// Gradient transformations and the chain optimizer (optim/transforms/): each transform against
// its formula on hand-made updates, chains against the optimizers they spell out and against a
// double-precision reference, skipping, seeded noise, refusals, and resuming bit for bit.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "cli_fixtures.h"
#include "descent/app/config.h"
#include "descent/nn/sequential.h"
#include "descent/optim/param_groups.h"
#include "descent/optim/registry.h"
#include "descent/optim/transforms/chain.h"
#include "descent/optim/transforms/registry.h"
#include "descent/util/glob.h"
#include "optim_reference.h"
#include "optim_resume.h"
#include "throws_with.h"

namespace descent {
namespace test_optim_transforms {

using namespace testutil;
namespace fs = std::filesystem;

// Parameters with the given values and gradients, and one step of `spec` on them.
struct Stepper {
  std::vector<Tensor> params;
  std::unique_ptr<Optimizer> opt;

  Stepper(const std::string& spec, const std::vector<Shape>& shapes,
          const std::vector<std::vector<float>>& values) {
    for (size_t k = 0; k < shapes.size(); ++k)
      params.push_back(Tensor::from(shapes[k], values[k]).requires_grad_());
    opt = make_optimizer(spec, params);
  }
  // One step from these gradients; returns the update u = (p_before - p_after) / lr.
  std::vector<std::vector<float>> step(const std::vector<std::vector<float>>& grads) {
    std::vector<std::vector<float>> before;
    for (size_t k = 0; k < params.size(); ++k) {
      before.push_back(params[k].to_vector());
      opt->zero_grad();
    }
    for (size_t k = 0; k < params.size(); ++k) set_grad(params[k], grads[k]);
    opt->step();
    const double lr = opt->param_groups()[0].get("lr");
    std::vector<std::vector<float>> u;
    for (size_t k = 0; k < params.size(); ++k) {
      u.emplace_back();
      for (size_t i = 0; i < before[k].size(); ++i)
        u.back().push_back(static_cast<float>((before[k][i] - params[k].data()[i]) / lr));
    }
    return u;
  }
};

void expect_near_all(const std::vector<float>& got, const std::vector<double>& want,
                     double tol = 1e-5) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], tol) << "element " << i;
}

// lr = 1 and zero weights: the step is the update itself.
constexpr const char* kOne = "],lr=1";

TEST(Transforms, ClipByGlobalNormScalesEveryParameterByOneFactor) {
  // ||(3, 4, 12)|| = 13 across two parameters.
  Stepper s(std::string("chain:transforms=[clip_by_global_norm:max_norm=6.5") + kOne, {{2}, {1}},
            {{0, 0}, {0}});
  const auto u = s.step({{3, 4}, {12}});
  expect_near_all(u[0], {1.5, 2.0});
  expect_near_all(u[1], {6.0});
  const auto small = s.step({{0.3f, 0.4f}, {1.2f}});  // norm 1.3 < 6.5: unchanged
  expect_near_all(small[0], {0.3, 0.4});
  expect_near_all(small[1], {1.2});
}

TEST(Transforms, ClipByValueAndBlockRms) {
  Stepper v(std::string("chain:transforms=[clip_by_value:max_delta=0.5") + kOne, {{3}},
            {{0, 0, 0}});
  expect_near_all(v.step({{-2, 0.25f, 7}})[0], {-0.5, 0.25, 0.5});
  // rms(3, 4) = sqrt(12.5) = 3.5355; threshold 1 divides by it; a small block is left alone.
  Stepper b(std::string("chain:transforms=[clip_by_block_rms:threshold=1") + kOne, {{2}, {2}},
            {{0, 0}, {0, 0}});
  const auto u = b.step({{3, 4}, {0.1f, -0.2f}});
  expect_near_all(u[0], {3 / std::sqrt(12.5), 4 / std::sqrt(12.5)});
  expect_near_all(u[1], {0.1, -0.2});
}

TEST(Transforms, CentralizeRemovesEachRowsMeanAndLeavesVectors) {
  Stepper s(std::string("chain:transforms=[centralize") + kOne, {{2, 3}, {3}},
            {{0, 0, 0, 0, 0, 0}, {0, 0, 0}});
  const auto u = s.step({{1, 2, 6, -1, -1, 5}, {1, 2, 6}});
  expect_near_all(u[0], {-2, -1, 3, -2, -2, 4});
  expect_near_all(u[1], {1, 2, 6});
}

TEST(Transforms, AdaptiveGradClipBoundsEachUnitByItsWeightsNorm) {
  // Row 0: ||p|| = 5, limit 0.1 * 5 = 0.5, ||u|| = 10 -> scaled to norm 0.5. Row 1: p = 0, so the
  // limit is 0.1 * eps = 1e-4... with eps 1 here: 0.1; ||u|| = 0.05 stays.
  Stepper s(std::string("chain:transforms=[adaptive_grad_clip:clipping=0.1,eps=1") + kOne, {{2, 2}},
            {{3, 4, 0, 0}});
  const auto u = s.step({{6, 8, 0.03f, 0.04f}});
  expect_near_all(u[0], {0.3, 0.4, 0.03, 0.04});
}

TEST(Transforms, ScaleScaleBySignAndDecayedWeights) {
  Stepper s(std::string("chain:transforms=[scale:step_size=-2") + kOne, {{2}}, {{0, 0}});
  expect_near_all(s.step({{1, -3}})[0], {-2, 6});
  Stepper sign(std::string("chain:transforms=[scale_by_sign") + kOne, {{3}}, {{0, 0, 0}});
  expect_near_all(sign.step({{0.01f, -5, 0}})[0], {1, -1, 0});
  // u = g + wd p with the chain's weight_decay.
  Stepper wd("chain:transforms=[add_decayed_weights],lr=1,weight_decay=0.5", {{2}}, {{2, -4}});
  expect_near_all(wd.step({{1, 1}})[0], {2, -1});
}

TEST(Transforms, AnEmptyChainIsSgdBitForBit) {
  const Problem pr = valley();
  std::vector<Tensor> a = params_of(pr), b = params_of(pr);
  auto chain = make_optimizer("chain:lr=0.01", a);
  auto sgd = make_optimizer("sgd:lr=0.01", b);
  for (int s = 0; s < 20; ++s) {
    loss_closure(*chain, pr, a)();
    chain->step();
    loss_closure(*sgd, pr, b)();
    sgd->step();
  }
  for (size_t k = 0; k < a.size(); ++k)
    EXPECT_EQ(0, std::memcmp(a[k].data(), b[k].data(), sizeof(float) * a[k].numel()));
}

// chain(scale_by_optimizer(adam), add_decayed_weights) with the chain's lr is AdamW, up to the
// float rounding of p - q (the base's step taken at lr 1 on a copy).
TEST(Transforms, ScaleByOptimizerThenDecayedWeightsIsAdamW) {
  for (const Problem& pr : {quadratic(), valley()}) {
    std::vector<Tensor> a = params_of(pr), b = params_of(pr);
    auto chain = make_optimizer(
        "chain:transforms=[scale_by_optimizer:base=adam,betas=(0.8,0.99);add_decayed_weights],"
        "lr=0.02,weight_decay=0.1",
        a);
    auto adamw = make_optimizer("adamw:lr=0.02,betas=(0.8,0.99),weight_decay=0.1", b);
    double worst = 0;
    for (int s = 0; s < 40; ++s) {
      loss_closure(*chain, pr, a)();
      chain->step();
      loss_closure(*adamw, pr, b)();
      adamw->step();
      for (size_t k = 0; k < a.size(); ++k)
        for (int64_t i = 0; i < a[k].numel(); ++i)
          worst = std::max(worst, std::abs(static_cast<double>(a[k].data()[i]) - b[k].data()[i]));
    }
    EXPECT_LT(worst, 1e-5);
    EXPECT_GT(std::abs(a[0].data()[0] - pr.init[0][0]), 1e-2);  // it moved
  }
}

// Clipping by the global norm, Adam, then decoupled decay, written out in double: the norm is over
// both of the valley's parameters, so the reference clips the two together.
struct RefClippedAdamW {
  double max_norm = 0.5, lr = 0.05, b1 = 0.9, b2 = 0.999, eps = 1e-8, wd = 0.01;
  std::vector<Vec> m, v;
  int t = 0;
  void step(std::vector<Vec>& p, std::vector<Vec> g) {
    double sq = 0;
    for (const Vec& gk : g)
      for (double x : gk) sq += x * x;
    const double norm = std::sqrt(sq);
    if (norm >= max_norm)
      for (Vec& gk : g)
        for (double& x : gk) x *= max_norm / norm;
    if (m.empty()) {
      for (const Vec& pk : p) m.emplace_back(pk.size(), 0.0), v.emplace_back(pk.size(), 0.0);
    }
    ++t;
    for (size_t k = 0; k < p.size(); ++k)
      for (size_t i = 0; i < p[k].size(); ++i) {
        m[k][i] = b1 * m[k][i] + (1 - b1) * g[k][i];
        v[k][i] = b2 * v[k][i] + (1 - b2) * g[k][i] * g[k][i];
        const double mh = m[k][i] / (1 - std::pow(b1, t)), vh = v[k][i] / (1 - std::pow(b2, t));
        p[k][i] -= lr * (mh / (std::sqrt(vh) + eps) + wd * p[k][i]);
      }
  }
};

TEST(Transforms, ClippedAdamWChainMatchesItsDoublePrecisionReference) {
  const Problem pr = valley();
  std::vector<Tensor> params = params_of(pr);
  auto opt = make_optimizer(
      "chain:transforms=[clip_by_global_norm:max_norm=0.5;scale_by_optimizer:base=adam;"
      "add_decayed_weights],lr=0.05,weight_decay=0.01",
      params);
  std::vector<Vec> ref = pr.init;
  RefClippedAdamW r;
  double worst = 0;
  for (int s = 0; s < 60; ++s) {
    loss_closure(*opt, pr, params)();
    opt->step();
    r.step(ref, pr.grad(ref));
    for (size_t k = 0; k < params.size(); ++k)
      worst =
          std::max(worst, std::abs(params[k].data()[0] - ref[k][0]) / (1 + std::abs(ref[k][0])));
  }
  EXPECT_LT(worst, kTol);
  EXPECT_GT(std::abs(ref[0][0] - pr.init[0][0]), 0.5);  // the valley's x travelled
}

TEST(Transforms, SkipNonFiniteLeavesParametersAndLaterStateUntouched) {
  Stepper s("chain:transforms=[skip_non_finite;scale_by_optimizer:base=adam],lr=0.1", {{2}},
            {{1, 2}});
  s.step({{0.5f, -0.5f}});
  const std::vector<float> before = s.params[0].to_vector();
  const std::vector<float> m_before = buffer_of(*s.opt, 0, "1.exp_avg");
  s.step({{std::numeric_limits<float>::quiet_NaN(), 1}});
  EXPECT_EQ(s.params[0].to_vector(), before);
  EXPECT_EQ(buffer_of(*s.opt, 0, "1.exp_avg"), m_before);
  EXPECT_EQ(scalar_of(*s.opt, 0, "1.step"), 1);  // adam's own count did not move
  EXPECT_EQ(scalar_of(*s.opt, 0, "0.skipped"), 1);
  s.step({{0.5f, -0.5f}});
  EXPECT_NE(s.params[0].to_vector(), before);
  EXPECT_EQ(scalar_of(*s.opt, 0, "1.step"), 2);
}

TEST(Transforms, SkipLargeUpdatesComparesTheSquaredNormOfAllUpdates) {
  Stepper s("chain:transforms=[skip_large_updates:max_squared_norm=25],lr=1", {{1}, {1}},
            {{0}, {0}});
  expect_near_all(s.step({{3}, {4}})[0], {3});  // 25 is not above 25
  const auto u = s.step({{3}, {4.01f}});
  expect_near_all(u[0], {0});
  expect_near_all(u[1], {0});
  EXPECT_EQ(scalar_of(*s.opt, 1, "0.skipped"), 1);
}

TEST(Transforms, AddNoiseHasTheScheduledVarianceAndIsSeeded) {
  const int n = 20000;
  const std::string spec = "chain:transforms=[add_noise:eta=0.04,gamma=1,seed=3],lr=1";
  Stepper a(spec, {{n}}, {std::vector<float>(n, 0.0f)});
  Stepper b(spec, {{n}}, {std::vector<float>(n, 0.0f)});
  const std::vector<float> zero(n, 0.0f);
  for (int t = 0; t < 3; ++t) {
    const auto u = a.step({zero})[0];
    EXPECT_EQ(u, b.step({zero})[0]) << "same seed, same noise";
    double sum = 0, sq = 0;
    for (float x : u) sum += x, sq += static_cast<double>(x) * x;
    const double mean = sum / n, var = sq / n - mean * mean;
    const double want = 0.04 / (1.0 + t);  // eta / (1 + t)^gamma
    EXPECT_NEAR(mean, 0, 4 * std::sqrt(want / n));
    EXPECT_NEAR(var, want, 0.05 * want) << "step " << t;
  }
  Stepper c("chain:transforms=[add_noise:eta=0.04,gamma=1,seed=4],lr=1", {{n}},
            {std::vector<float>(n, 0.0f)});
  EXPECT_NE(c.step({zero})[0], Stepper(spec, {{n}}, {std::vector<float>(n, 0.0f)}).step({zero})[0]);
}

// The chain's whole state (adam's moments and steps under "1.", the skip count, the noise's step)
// through a safetensors image into a fresh chain of the same transforms, bit for bit.
TEST(Transforms, ChainResumesBitForBit) {
  const std::string transforms =
      "chain:transforms=[skip_non_finite;clip_by_global_norm:max_norm=0.5;centralize;"
      "scale_by_optimizer:base=adam,amsgrad=true;add_decayed_weights;add_noise:eta=1e-4,seed=9]";
  const std::string spec = transforms + ",lr=0.01,weight_decay=0.02";
  Model straight(1), first(1), resumed(99);
  auto opt_straight = make_optimizer(spec, straight.net->parameters());
  straight.train(*opt_straight, 20);
  auto opt_first = make_optimizer(spec, first.net->parameters());
  first.train(*opt_first, 7);
  const OptimizerState saved = round_trip(opt_first->state_dict());
  const auto from = first.net->named_parameters();
  auto to = resumed.net->named_parameters();
  for (size_t i = 0; i < from.size(); ++i) to[i].tensor.copy_from(from[i].tensor);
  // The same transforms; lr and weight_decay come from the state.
  auto opt_resumed = make_optimizer(transforms + ",weight_decay=1", resumed.net->parameters());
  opt_resumed->load_state_dict(saved);
  EXPECT_EQ(opt_resumed->param_groups()[0].options, opt_first->param_groups()[0].options);
  resumed.train(*opt_resumed, 13);
  const auto want = straight.net->named_parameters(), got = resumed.net->named_parameters();
  for (size_t i = 0; i < want.size(); ++i)
    EXPECT_EQ(0, std::memcmp(want[i].tensor.data(), got[i].tensor.data(),
                             sizeof(float) * want[i].tensor.numel()))
        << want[i].name;
}

TEST(Transforms, AChainOfOtherTransformsRefusesTheState) {
  Model m(1);
  auto adam_chain =
      make_optimizer("chain:transforms=[scale_by_optimizer:base=adam]", m.net->parameters());
  m.train(*adam_chain, 2);
  auto sign_chain = make_optimizer("chain:transforms=[scale_by_sign]", m.net->parameters());
  EXPECT_THROW(sign_chain->load_state_dict(adam_chain->state_dict()), std::invalid_argument);
}

TEST(Transforms, BadTransformsAreRefusedWithWhatIsAccepted) {
  Tensor p = Tensor::zeros({2}).requires_grad_();
  const auto make = [&](const std::string& spec) { return make_optimizer(spec, {p}); };
  EXPECT_TRUE(throws_with<SpecError>(
      [&] { make("chain:transforms=[clip_by_globl_norm]"); },
      {"transform 1", "unknown transform 'clip_by_globl_norm'", "clip_by_global_norm"}));
  EXPECT_TRUE(throws_with<SpecError>(
      [&] { make("chain:transforms=[scale;clip_by_global_norm:max_norm=0]"); },
      {"transform 2", "max_norm=0"}));
  EXPECT_TRUE(throws_with<SpecError>([&] { make("chain:transforms=[clip_by_value:max=1]"); },
                                     {"'max'", "max_delta"}));
  EXPECT_TRUE(
      throws_with<SpecError>([&] { make("chain:transforms=[scale_by_optimizer:base=lbfgs]"); },
                             {"scale_by_optimizer", "base=lbfgs", "per-parameter"}));
  EXPECT_TRUE(throws_with<SpecError>(
      [&] { make("chain:transforms=[scale_by_optimizer:base=adam,lr=0.1]"); },
      {"lr is the chain's"}));
  EXPECT_TRUE(throws_with<SpecError>(
      [&] { make("chain:transforms=[scale_by_optimizer:base=adam,betas=(0.9)]"); }, {"betas"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [&] { make("chain:transforms=[scale_by_sign],weight_decay=0.1"); },
      {"weight_decay = 0.1", "no add_decayed_weights"}));
  EXPECT_TRUE(throws_with<SpecError>([&] { make("chain:transform=[scale]"); },
                                     {"'transform'", "transforms"}));
}

TEST(Transforms, EveryRegisteredTransformBuildsStepsAndResumes) {
  for (const TransformInfo& info : transform_registry()) {
    SCOPED_TRACE(info.name);
    const std::string t =
        info.name == "skip_large_updates" ? info.name + ":max_squared_norm=1e9" : info.name;
    const std::string spec = "chain:transforms=[" + t + "],lr=0.01" +
                             (info.name == "add_decayed_weights" ? ",weight_decay=0.1" : "");
    Model a(1), b(1);
    auto opt_a = make_optimizer(spec, a.net->parameters());
    a.train(*opt_a, 3);
    auto opt_b = make_optimizer(spec, b.net->parameters());
    b.train(*opt_b, 1);
    opt_b->load_state_dict(round_trip(opt_b->state_dict()));
    b.train(*opt_b, 2);
    const auto pa = a.net->named_parameters(), pb = b.net->named_parameters();
    for (size_t i = 0; i < pa.size(); ++i)
      EXPECT_EQ(pa[i].tensor.to_vector(), pb[i].tensor.to_vector()) << pa[i].name;
    EXPECT_FALSE(info.summary.empty());
  }
}

// A chain over a model's named parameters (masks need the names).
std::unique_ptr<Optimizer> named_chain(const std::string& spec, const Sequential& net) {
  Spec parsed = parse_spec(spec);
  SpecArgs args("optimizer '" + spec + "'", parsed.args);
  return make_optimizer("chain", weight_decay_groups(net.named_parameters(), false), args);
}

TEST(TransformsMasks, AMaskedTransformAppliesToTheMatchingNamesOnly) {
  Model m(1);
  auto opt = named_chain("chain:transforms=[scale:step_size=3,params=[*.bias]],lr=1", *m.net);
  const auto before = m.net->named_parameters();
  std::vector<std::vector<float>> values;
  for (const auto& p : before) values.push_back(p.tensor.to_vector());
  m.train(*opt, 1);  // gradient g: weights move by g, biases by 3 g
  Model ref(1);
  auto sgd = make_optimizer("sgd:lr=1", ref.net->parameters());
  ref.train(*sgd, 1);
  const auto got = m.net->named_parameters(), plain = ref.net->named_parameters();
  for (size_t k = 0; k < got.size(); ++k) {
    const bool bias = got[k].name.find("bias") != std::string::npos;
    const std::vector<float> g = got[k].tensor.to_vector(), q = plain[k].tensor.to_vector();
    for (size_t i = 0; i < g.size(); ++i)
      EXPECT_NEAR(values[k][i] - g[i], (bias ? 3 : 1) * (values[k][i] - q[i]), 1e-5) << got[k].name;
  }
}

// Muon for the matrices and Adam for the vectors, as a chain of masked transforms, is muon with
// its built-in AdamW fallback (which it applies to parameters of fewer than 2 dimensions).
TEST(TransformsMasks, MuonAndAdamPartitionsEqualMuonsOwnFallback) {
  Model a(1), b(1);
  auto chain = named_chain(
      "chain:transforms=[scale_by_optimizer:base=muon,params=[*.weight];"
      "scale:step_size=0.02,params=[*.weight];"
      "scale_by_optimizer:base=adam,betas=(0.95,0.95),params=[*.bias];"
      "scale:step_size=0.001,params=[*.bias]],lr=1",
      *a.net);
  auto muon = make_optimizer("muon:lr=0.02,adamw_lr=0.001", b.net->parameters());
  a.train(*chain, 30);
  b.train(*muon, 30);
  const auto pa = a.net->named_parameters(), pb = b.net->named_parameters();
  double worst = 0, moved = 0;
  Model start(1);
  const auto p0 = start.net->named_parameters();
  for (size_t k = 0; k < pa.size(); ++k)
    for (int64_t i = 0; i < pa[k].tensor.numel(); ++i) {
      worst = std::max(
          worst, std::abs(static_cast<double>(pa[k].tensor.data()[i]) - pb[k].tensor.data()[i]));
      moved = std::max(
          moved, std::abs(static_cast<double>(pa[k].tensor.data()[i]) - p0[k].tensor.data()[i]));
    }
  EXPECT_LT(worst, 1e-5);
  EXPECT_GT(moved, 0.05);
}

TEST(TransformsMasks, MaskedChainResumesBitForBit) {
  const std::string transforms =
      "chain:transforms=[clip_by_global_norm:max_norm=1,params=[*.weight];"
      "scale_by_optimizer:base=adam,params=[0.*];scale_by_optimizer:base=lion,params=[2.*]]";
  Model straight(1), first(1), resumed(99);
  auto opt_straight = named_chain(transforms + ",lr=0.01", *straight.net);
  straight.train(*opt_straight, 12);
  auto opt_first = named_chain(transforms + ",lr=0.01", *first.net);
  first.train(*opt_first, 5);
  const auto from = first.net->named_parameters();
  auto to = resumed.net->named_parameters();
  for (size_t i = 0; i < from.size(); ++i) to[i].tensor.copy_from(from[i].tensor);
  auto opt_resumed = named_chain(transforms, *resumed.net);
  opt_resumed->load_state_dict(round_trip(opt_first->state_dict()));
  resumed.train(*opt_resumed, 7);
  const auto want = straight.net->named_parameters(), got = resumed.net->named_parameters();
  for (size_t i = 0; i < want.size(); ++i)
    EXPECT_EQ(want[i].tensor.to_vector(), got[i].tensor.to_vector()) << want[i].name;
  // Parameter 0 (0.weight) holds adam's state only, parameter 2 (2.weight) lion's only.
  EXPECT_EQ(buffer_of(*opt_first, 0, "1.exp_avg").size(), 32u);
  EXPECT_EQ(scalar_of(*opt_first, 2, "step"), 5);
  for (const auto& t : opt_first->state_dict().tensors)
    EXPECT_TRUE(t.name.rfind("state.0.2.", 0) != 0 && t.name.rfind("state.2.1.", 0) != 0) << t.name;
}

TEST(TransformsMasks, MasksAreRefusedWhenTheyChooseNothingOrHaveNoNames) {
  Model m(1);
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [&] { named_chain("chain:transforms=[scale:step_size=2,params=[*.bais]]", *m.net); },
      {"transform 1 (scale)", "'*.bais' matches no parameter", "0.weight, 0.bias"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [&] {
        make_optimizer("chain:transforms=[scale:step_size=2,params=[*.bias]]", m.net->parameters());
      },
      {"needs the parameters' names"}));
  EXPECT_TRUE(throws_with<SpecError>(
      [&] { named_chain("chain:transforms=[scale:params=[*.bias;]]", *m.net); },
      {"empty pattern"}));
}

// docs/transforms.md has a row for every registered transform and no row for one that is not.
TEST(Transforms, TheDocsTableListsEveryRegisteredTransform) {
  const std::string doc = cli_test::read_text(DESCENT_SOURCE_DIR "/docs/transforms.md");
  size_t rows = 0;
  for (size_t at = doc.find("\n| `"); at != std::string::npos; at = doc.find("\n| `", at + 1)) {
    const size_t end = doc.find('`', at + 4);
    const std::string name = doc.substr(at + 4, end - at - 4);
    if (name == "transforms" || name == "lr" || name == "weight_decay") continue;  // chain's keys
    EXPECT_NO_THROW(transform_info(name)) << "docs/transforms.md lists " << name;
    ++rows;
  }
  EXPECT_EQ(rows, transform_registry().size());
  for (const TransformInfo& info : transform_registry())
    EXPECT_NE(doc.find("| `" + info.name + "` |"), std::string::npos) << info.name;
}

TEST(NoWeightDecay, NamePatternsChooseTheExemptGroup) {
  EXPECT_TRUE(glob_match("*.bias", "0.bias"));
  EXPECT_TRUE(glob_match("encoder.*", "encoder.2.weight"));
  EXPECT_TRUE(glob_match("?.weight", "3.weight"));
  EXPECT_FALSE(glob_match("?.weight", "12.weight"));
  EXPECT_FALSE(glob_match("*.bias", "0.bias_scale"));
  EXPECT_TRUE(glob_match("*", ""));
  const std::vector<NamedTensor> params = {{"0.weight", Tensor::zeros({2, 2})},
                                           {"0.bias", Tensor::zeros({2})},
                                           {"2.weight", Tensor::zeros({1, 2})},
                                           {"2.bias", Tensor::zeros({1})}};
  const auto groups = weight_decay_groups(params, false, {"*.bias", "2.*"});
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0].params.size(), 1u);  // 0.weight
  EXPECT_EQ(groups[1].params.size(), 3u);
  EXPECT_EQ(groups[1].options.at("weight_decay"), 0.0);
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [&] { weight_decay_groups(params, false, {"*.bais"}); },
      {"'*.bais' matches no parameter", "0.weight, 0.bias, 2.weight, 2.bias"}));
}

// A chain in a configuration file: its transforms are an array of SPECs (their commas stay
// theirs), config.toml writes them back item by item, and a training run uses the chain and the
// no_weight_decay patterns; a bad transform or pattern is refused naming it.
TEST(TransformsConfig, AChainTrainsFromAFileAndItsConfigReadsBack) {
  cli_test::TempDir dir("descent-chain");
  cli_test::write_text(dir / "chain.toml", R"toml(
[data]
name = "moons"
size = 200
[model]
layers = ["linear:out=8", "tanh", "linear:out=2"]
[train]
epochs = 2
batch_size = 20
[optimizer]
name = "chain"
transforms = ["clip_by_global_norm:max_norm=1", "scale_by_optimizer:base=adam,betas=(0.9,0.99)",
              "add_decayed_weights"]
lr = 0.01
weight_decay = 0.01
no_weight_decay = ["*.bias"]
)toml");
  const Config c = load_config(dir / "chain.toml", {});
  ASSERT_TRUE(c.optimizer.args.at("transforms").is_list);
  EXPECT_EQ(c.optimizer.args.at("transforms").items.size(), 3u);
  EXPECT_EQ(c.optimizer.no_weight_decay, std::vector<std::string>{"*.bias"});
  cli_test::write_text(dir / "again.toml", to_toml(c));
  EXPECT_EQ(to_toml(load_config(dir / "again.toml", {})), to_toml(c));

  const auto run = [&](const std::vector<std::string>& extra) {
    std::vector<std::string> args = {"train", "--config", (dir / "chain.toml").string(),
                                     "--threads", "1"};
    args.insert(args.end(), extra.begin(), extra.end());
    return cli_test::run_command(DESCENT_BINARY, args, dir.path(), dir.path(),
                                 std::chrono::seconds(120));
  };
  const auto ok = run({"--out", (dir / "run").string()});
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  const std::string saved = cli_test::read_text(dir / "run" / "config.toml");
  EXPECT_NE(saved.find("scale_by_optimizer:base=adam,betas=(0.9,0.99)"), std::string::npos)
      << saved;

  const auto bad = run({"--out", (dir / "bad").string(), "--set",
                        R"(optimizer.transforms=["scale", "clip_by_value:max_delta=-1"])"});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.err.find("transform 2"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("max_delta=-1"), std::string::npos) << bad.err;
  EXPECT_FALSE(fs::exists(dir / "bad" / "metrics.jsonl"));

  const auto unmatched = run(
      {"--out", (dir / "unmatched").string(), "--set", R"(optimizer.no_weight_decay=["*.bais"])"});
  EXPECT_NE(unmatched.exit_code, 0);
  EXPECT_NE(unmatched.err.find("optimizer.no_weight_decay: '*.bais' matches no parameter"),
            std::string::npos)
      << unmatched.err;
  EXPECT_NE(unmatched.err.find("0.bias"), std::string::npos) << unmatched.err;
}

}  // namespace test_optim_transforms
}  // namespace descent
