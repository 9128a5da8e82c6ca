// The losses' options and the losses added with them (kl_div, hinge_embedding, multi_margin):
// gradients against finite differences, values worked by hand, the SPECs train.loss takes and
// their messages, and docs/losses.md against the table. Values against PyTorch are
// test_loss_golden.cpp's.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "descent/nn/hessian_vector.h"
#include "descent/nn/loss.h"
#include "descent/nn/loss_table.h"
#include "descent/ops/ops.h"
#include "descent/util/random.h"
#include "descent/util/spec.h"

#include "gradcheck.h"
#include "throws_with.h"

namespace descent {
namespace test_loss_options {

using testutil::gradcheck;
using testutil::throws_with;
using testutil::uniform_leaf;
using Inputs = std::vector<Tensor>;

// Rows of a random distribution [n, classes], one entry exactly 0.
Tensor distribution(int64_t n, int64_t classes, uint64_t seed) {
  Generator gen(seed);
  Tensor p = Tensor::uniform({n, classes}, 0.1f, 1.0f, gen);
  p.data()[1] = 0;
  for (int64_t i = 0; i < n; ++i) {
    float s = 0;
    for (int64_t j = 0; j < classes; ++j) s += p.data()[i * classes + j];
    for (int64_t j = 0; j < classes; ++j) p.data()[i * classes + j] /= s;
  }
  return p;
}

// Class indices for scores [4, 5].
Tensor classes() { return Tensor::from({4}, {0, 4, 2, 2}); }

// ---------------------------------------------------------------------------------------------
// Gradients.

TEST(LossOptionsGrad, CrossEntropyWeightAndLabelSmoothing) {
  for (const Reduction r : {Reduction::Mean, Reduction::Sum})
    for (const double eps : {0.0, 0.1, 1.0}) {
      SCOPED_TRACE(std::string(reduction_name(r)) + " eps " + std::to_string(eps));
      const CrossEntropyLoss ce{
          .weight = {1, 2, 0.5, 1.5, 0.25}, .label_smoothing = eps, .reduction = r};
      EXPECT_TRUE(gradcheck([&](const Inputs& in) { return ce(in[0], in[1]); },
                            {uniform_leaf({4, 5}, 4, -3, 3), classes()}));
      const CrossEntropyLoss unweighted{.label_smoothing = eps, .reduction = r};
      EXPECT_TRUE(gradcheck([&](const Inputs& in) { return unweighted(in[0], in[1]); },
                            {uniform_leaf({4, 5}, 5, -3, 3), classes()}));
    }
}

TEST(LossOptionsGrad, BinaryCrossEntropyPosWeightBothInputs) {
  for (const std::vector<double>& pw : std::vector<std::vector<double>>{{2.5}, {0.5, 1, 2, 3}})
    for (const Reduction r : {Reduction::Mean, Reduction::Sum}) {
      const BCEWithLogitsLoss bce{.pos_weight = pw, .reduction = r};
      EXPECT_TRUE(gradcheck([&](const Inputs& in) { return bce(in[0], in[1]); },
                            {uniform_leaf({3, 4}, 7, -4, 4), uniform_leaf({3, 4}, 8, 0, 1)}));
    }
}

TEST(LossOptionsGrad, KlDiv) {
  for (const Reduction r : {Reduction::BatchMean, Reduction::Mean, Reduction::Sum}) {
    const KLDivLoss kl{.reduction = r};
    EXPECT_TRUE(gradcheck([&](const Inputs& in) { return kl(in[0], in[1]); },
                          {uniform_leaf({3, 4}, 9, -3, 0), distribution(3, 4, 10)}));
    const KLDivLoss kl_log{.reduction = r, .log_target = true};
    EXPECT_TRUE(gradcheck(
        [&](const Inputs& in) { return kl_log(in[0], in[1]); },
        {uniform_leaf({3, 4}, 11, -3, 0), log_softmax(uniform_leaf({3, 4}, 12), 1).detach()}));
  }
  // As train.loss takes it: scores through log_softmax.
  const LossFunction by_name = loss_by_name("kl_div");
  EXPECT_TRUE(gradcheck([&](const Inputs& in) { return by_name(in[0], in[1]); },
                        {uniform_leaf({3, 4}, 13), distribution(3, 4, 14)}));
}

TEST(LossOptionsGrad, HingeEmbedding) {
  // Away from the kink at x = margin, where the slope jumps.
  const Tensor x = Tensor::from({2, 3}, {-1.5f, 0.2f, 0.7f, 1.6f, 2.4f, -0.3f}).requires_grad_();
  const Tensor y = Tensor::from({2, 3}, {1, -1, -1, 1, -1, -1});
  for (const double margin : {1.0, 2.0})
    for (const Reduction r : {Reduction::Mean, Reduction::Sum}) {
      const HingeEmbeddingLoss hinge{.margin = margin, .reduction = r};
      EXPECT_TRUE(gradcheck([&](const Inputs& in) { return hinge(in[0], in[1]); }, {x, y}));
    }
}

TEST(LossOptionsGrad, MultiMargin) {
  for (const int p : {1, 2})
    for (const Reduction r : {Reduction::Mean, Reduction::Sum}) {
      SCOPED_TRACE("p " + std::to_string(p));
      const MultiMarginLoss mm{
          .p = p, .margin = 0.7, .weight = {1, 2, 0.5, 1.5, 0.25}, .reduction = r};
      EXPECT_TRUE(gradcheck([&](const Inputs& in) { return mm(in[0], in[1]); },
                            {uniform_leaf({4, 5}, 15, -1, 1), classes()}));
    }
}

TEST(LossOptionsGrad, SumReductionOfTheOthers) {
  const std::vector<LossFunction> per_output = {
      MSELoss{.reduction = Reduction::Sum}, L1Loss{.reduction = Reduction::Sum},
      SmoothL1Loss{.beta = 0.5, .reduction = Reduction::Sum},
      HuberLoss{.delta = 0.5, .reduction = Reduction::Sum}};
  for (const LossFunction& f : per_output)
    EXPECT_TRUE(gradcheck([&](const Inputs& in) { return f(in[0], in[1]); },
                          {uniform_leaf({3, 4}, 16), uniform_leaf({3, 4}, 17)}));
  for (const Reduction r : {Reduction::Mean, Reduction::Sum}) {
    const NLLLoss nll{.reduction = r};
    EXPECT_TRUE(gradcheck([&](const Inputs& in) { return nll(in[0], in[1]); },
                          {uniform_leaf({4, 5}, 18, -3, 0), classes()}));
    const NLLLoss weighted{.weight = {1, 2, 0.5, 1.5, 0.25}, .reduction = r};
    EXPECT_TRUE(gradcheck([&](const Inputs& in) { return weighted(in[0], in[1]); },
                          {uniform_leaf({4, 5}, 25, -3, 0), classes()}));
  }
}

TEST(LossOptionsGrad, UpstreamGradientIsScaled) {
  // loss * 3: the new losses multiply their backward by the incoming gradient too.
  const std::vector<LossFunction> by_class = {
      CrossEntropyLoss{.weight = {1, 2, 3}, .label_smoothing = 0.3},
      MultiMarginLoss{.p = 2, .weight = {1, 2, 3}}};
  for (const LossFunction& f : by_class)
    EXPECT_TRUE(gradcheck([&f](const Inputs& in) { return f(in[0], in[1]) * 3.0f; },
                          {uniform_leaf({2, 3}, 19, -1, 1), Tensor::from({2}, {2, 1})}));
  EXPECT_TRUE(gradcheck([](const Inputs& in) { return KLDivLoss{}(in[0], in[1]) * 3.0f; },
                        {uniform_leaf({2, 3}, 20, -3, 0), distribution(2, 3, 21)}));
  EXPECT_TRUE(gradcheck(
      [](const Inputs& in) { return BCEWithLogitsLoss{.pos_weight = {2}}(in[0], in[1]) * 3.0f; },
      {uniform_leaf({2, 3}, 22), uniform_leaf({2, 3}, 23, 0, 1)}));
}

// ---------------------------------------------------------------------------------------------
// Values by hand.

TEST(LossOptionsValue, CrossEntropyWeightsNormalizeAndSmoothingSpreads) {
  const Tensor z = Tensor::from({3, 4}, {1, 2, 0.5f, -1, 0, -3, 4, 1.5f, 2, 2, 2, 2});
  const Tensor k = Tensor::from({3}, {1, 2, 3});
  const double plain = cross_entropy(z, k).item();
  // Equal weights cancel in the weighted mean; the sum is n times the mean.
  EXPECT_NEAR((CrossEntropyLoss{.weight = {2, 2, 2, 2}}(z, k).item()), plain, 1e-6);
  EXPECT_NEAR(CrossEntropyLoss{.reduction = Reduction::Sum}(z, k).item(), 3 * plain, 1e-5);
  // A weight of 0 on a class leaves its examples out, numerator and denominator.
  const double without_first =
      CrossEntropyLoss{}(Tensor::from({2, 4}, {0, -3, 4, 1.5f, 2, 2, 2, 2}),
                         Tensor::from({2}, {2, 3}))
          .item();
  EXPECT_NEAR((CrossEntropyLoss{.weight = {1, 0, 1, 1}}(z, k).item()), without_first, 1e-6);
  // Equal logits: -log p = log 4 for every class, whatever the smoothing.
  // nll after log_softmax is cross_entropy, weights and all.
  EXPECT_NEAR((NLLLoss{.weight = {1, 2, 0.5, 3}}(log_softmax(z, 1), k).item()),
              (CrossEntropyLoss{.weight = {1, 2, 0.5, 3}}(z, k).item()), 1e-6);
  EXPECT_NEAR(CrossEntropyLoss{.label_smoothing = 0.7}(Tensor::full({2, 4}, 0.3f),
                                                       Tensor::from({2}, {0, 3}))
                  .item(),
              std::log(4.0), 1e-6);
}

TEST(LossOptionsValue, BinaryCrossEntropyPosWeightScalesThePositiveTerm) {
  // Targets of 1 cost p softplus(-z); targets of 0 do not see p.
  const Tensor z = Tensor::from({2}, {0.5f, -1.0f});
  const double sp = std::log1p(std::exp(-0.5));
  EXPECT_NEAR(BCEWithLogitsLoss{.pos_weight = {3}}(z, Tensor::from({2}, {1, 0})).item(),
              (3 * sp + std::log1p(std::exp(-1.0))) / 2, 1e-6);
}

TEST(LossOptionsValue, KlDiv) {
  const Tensor p = distribution(3, 4, 24);
  Tensor log_p = Tensor::empty({3, 4});
  for (int64_t i = 0; i < 12; ++i)
    log_p.data()[i] = p.data()[i] > 0 ? std::log(p.data()[i]) : -100.0f;
  // A distribution's divergence from itself is 0 (0 log 0 counts 0, whatever the input there).
  EXPECT_NEAR(kl_div(log_p, p).item(), 0, 1e-6);
  // batchmean = sum / rows; mean = sum / elements.
  const Tensor q = log_softmax(Tensor::from({3, 4}, {1, 2, 3, 4, 0, 0, 0, 0, -1, 2, 0.5f, 3}), 1);
  const double sum = KLDivLoss{.reduction = Reduction::Sum}(q, p).item();
  EXPECT_GT(sum, 0);
  EXPECT_NEAR(kl_div(q, p).item(), sum / 3, 1e-6);
  EXPECT_NEAR(KLDivLoss{.reduction = Reduction::Mean}(q, p).item(), sum / 12, 1e-6);
  // As train.loss takes it, log_softmax first: log-probabilities give the same.
  const Tensor scores = Tensor::from({3, 4}, {1, 2, 3, 4, 0, 0, 0, 0, -1, 2, 0.5f, 3});
  EXPECT_NEAR(loss_by_name("kl_div")(scores, p).item(), sum / 3, 1e-6);
  EXPECT_NEAR(loss_by_name("kl_div")(q, p).item(), sum / 3, 1e-6);
}

TEST(LossOptionsValue, HingeEmbeddingAndMultiMargin) {
  // x where y = 1, max(0, 1 - x) where y = -1: 0.5 + 0.7 + 0 + (-2) = -0.8, mean -0.2.
  EXPECT_NEAR(hinge_embedding_loss(Tensor::from({4}, {0.5f, 0.3f, 1.5f, -2}),
                                   Tensor::from({4}, {1, -1, -1, 1}))
                  .item(),
              -0.2, 1e-6);
  // PyTorch's MultiMarginLoss example: x = [0.1, 0.2, 0.4, 0.8], y = 3:
  // ((1 - 0.7) + (1 - 0.6) + (1 - 0.4)) / 4 = 0.325.
  const Tensor x = Tensor::from({1, 4}, {0.1f, 0.2f, 0.4f, 0.8f});
  EXPECT_NEAR(multi_margin_loss(x, Tensor::from({1}, {3})).item(), 0.325, 1e-6);
  EXPECT_NEAR(MultiMarginLoss{.p = 2}(x, Tensor::from({1}, {3})).item(), (0.09 + 0.16 + 0.36) / 4,
              1e-6);
  // The true class's weight multiplies its terms.
  EXPECT_NEAR((MultiMarginLoss{.weight = {1, 1, 1, 4}}(x, Tensor::from({1}, {3})).item()), 1.3,
              1e-6);
}

// ---------------------------------------------------------------------------------------------
// The table and SPECs.

TEST(LossTable, PlainNamesBehaveAsBefore) {
  const Tensor z = Tensor::from({3, 4}, {1, 2, 0.5f, -1, 0, -3, 4, 1.5f, 2, 2, 2, 2});
  const Tensor k = Tensor::from({3}, {1, 2, 3});
  EXPECT_EQ(loss_by_name("cross_entropy")(z, k).item(), cross_entropy(z, k).item());
  EXPECT_EQ(loss_by_name("cross_entropy:reduction=mean")(z, k).item(), cross_entropy(z, k).item());
  EXPECT_EQ(loss_names(), (std::vector<std::string>{
                              "cross_entropy", "mse", "nll", "binary_cross_entropy", "l1",
                              "smooth_l1", "huber", "kl_div", "hinge_embedding", "multi_margin"}));
  for (const std::string& name : loss_names()) {
    const LossSpec spec = parse_loss(name);
    EXPECT_TRUE(spec.given.empty()) << name;
    EXPECT_EQ(spec.info->name, name);
  }
  EXPECT_TRUE(loss_is_classification("multi_margin:p=2"));
  EXPECT_TRUE(loss_is_classification("cross_entropy:label_smoothing=0.1"));
  EXPECT_FALSE(loss_is_classification("kl_div"));
  EXPECT_FALSE(loss_is_classification("hinge_embedding"));
  EXPECT_FALSE(loss_is_classification("no_such_loss"));
}

TEST(LossTable, SpecsReadTheirOptions) {
  const LossSpec ce = parse_loss("cross_entropy:label_smoothing=0.1,weight=[1,2,1]");
  EXPECT_DOUBLE_EQ(ce.options.real("label_smoothing"), 0.1);
  EXPECT_EQ(ce.options.list("weight"), (std::vector<double>{1, 2, 1}));
  EXPECT_EQ(ce.options.reduction(), Reduction::Mean);
  EXPECT_EQ(ce.given, (std::vector<std::string>{"label_smoothing", "weight"}));
  EXPECT_EQ(parse_loss("kl_div").options.reduction(), Reduction::BatchMean);
  EXPECT_TRUE(parse_loss("kl_div:log_target=true").options.flag("log_target"));
  EXPECT_EQ(parse_loss("binary_cross_entropy:pos_weight=2").options.list("pos_weight"),
            (std::vector<double>{2}));
  EXPECT_DOUBLE_EQ(parse_loss("multi_margin:p=2").options.real("p"), 2);
  EXPECT_DOUBLE_EQ(parse_loss("huber:delta=0.3").options.real("delta"), 0.3);
}

TEST(LossTable, UnknownNamesOptionsAndBadValuesAreNamed) {
  EXPECT_TRUE(throws_with<SpecError>([] { parse_loss("cross_entropy:smothing=0.1"); },
                                     {"cross_entropy has no option 'smothing'",
                                      "its options are label_smoothing, weight, reduction"}));
  EXPECT_TRUE(throws_with<SpecError>([] { parse_loss("huber:detla=2"); },
                                     {"'detla'", "did you mean 'delta'", "delta, reduction"}));
  EXPECT_TRUE(throws_with<SpecError>([] { parse_loss("kl_divv"); },
                                     {"unknown loss 'kl_divv'", "kl_div", "multi_margin"}));
  struct Case {
    std::string spec;
    std::vector<std::string> expected;
  };
  const std::vector<Case> cases = {
      {"cross_entropy:label_smoothing=1.5", {"label_smoothing=1.5", "in [0, 1]"}},
      {"cross_entropy:label_smoothing=-0.1", {"label_smoothing=-0.1", "in [0, 1]"}},
      {"cross_entropy:weight=[1,-2,1]", {"weight=[1,-2,1]", ">= 0", "one per class"}},
      {"cross_entropy:weight=[]", {"weight=[]", "one per class"}},
      {"cross_entropy:weight=2", {"weight=2"}},
      {"cross_entropy:reduction=batchmean", {"reduction=batchmean", "mean or sum"}},
      {"binary_cross_entropy:pos_weight=0", {"pos_weight=0", "> 0"}},
      {"binary_cross_entropy:pos_weight=[1,-1]", {"pos_weight=[1,-1]", "> 0"}},
      {"multi_margin:p=3", {"p=3", "1 or 2"}},
      {"multi_margin:margin=abc", {"margin=abc", "a finite number"}},
      {"kl_div:reduction=none", {"reduction=none", "batchmean, mean or sum"}},
      {"kl_div:log_target=yes", {"log_target=yes", "true or false"}},
      {"smooth_l1:beta=0", {"beta=0", "> 0"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.spec);
    try {
      parse_loss(c.spec);
      ADD_FAILURE() << "accepted";
    } catch (const SpecError& e) {
      for (const std::string& part : c.expected)
        EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
    }
  }
}

TEST(LossTable, PerClassOptionsMustFitTheOutputs) {
  EXPECT_NO_THROW(check_loss_outputs(parse_loss("cross_entropy:weight=[1,2,1]"), 3));
  EXPECT_TRUE(throws_with<SpecError>(
      [] { check_loss_outputs(parse_loss("cross_entropy:weight=[1,2,1]"), 10); },
      {"weight=[1,2,1]", "3 values", "10 outputs", "one per class"}));
  EXPECT_NO_THROW(check_loss_outputs(parse_loss("binary_cross_entropy:pos_weight=2"), 10));
  EXPECT_TRUE(throws_with<SpecError>(
      [] { check_loss_outputs(parse_loss("binary_cross_entropy:pos_weight=[1,2]"), 10); },
      {"pos_weight=[1,2]", "2 values", "10 outputs"}));
  // The library's losses check it too, when they see the scores.
  using E = std::invalid_argument;
  const Tensor z = Tensor::zeros({2, 4}), k = Tensor::from({2}, {0, 1});
  EXPECT_TRUE(throws_with<E>(
      [&] {
        CrossEntropyLoss{.weight = {1, 2}}(z, k);
      },
      {"cross_entropy", "weight has 2 values", "(4)"}));
  EXPECT_TRUE(throws_with<E>(
      [&] {
        MultiMarginLoss{.weight = {1, 2}}(z, k);
      },
      {"multi_margin_loss", "weight"}));
  EXPECT_TRUE(throws_with<E>(
      [&] {
        BCEWithLogitsLoss{.pos_weight = {1, 2}}(z, z);
      },
      {"pos_weight has 2 values", "(4)"}));
  EXPECT_TRUE(throws_with<E>([&] { HingeEmbeddingLoss{}(z, z); }, {"target 0", "not 1 or -1"}));
  EXPECT_TRUE(throws_with<E>([&] { MSELoss{.reduction = Reduction::BatchMean}(z, z); },
                             {"mse_loss", "batchmean"}));
  EXPECT_TRUE(throws_with<E>([&] { CrossEntropyLoss{.label_smoothing = 2}(z, k); },
                             {"label_smoothing", "[0, 1]"}));
  EXPECT_TRUE(throws_with<E>([&] { MultiMarginLoss{.p = 3}(z, k); }, {"p = 3"}));
}

TEST(LossTable, ExactHessianKnowsThePlainLossesOnly) {
  for (const char* name :
       {"mse", "cross_entropy", "nll", "binary_cross_entropy", "l1", "smooth_l1", "huber"})
    EXPECT_TRUE(exact_hessian_supports(name)) << name;
  for (const char* spec : {"cross_entropy:label_smoothing=0.1", "huber:delta=2", "kl_div",
                           "hinge_embedding", "multi_margin", "mse:reduction=sum"})
    EXPECT_FALSE(exact_hessian_supports(spec)) << spec;
}

// docs/losses.md has a section "## `name`" per loss naming its PyTorch module, with a row
// "| `option` | `default` |" per option (a list without a default: "| `weight` | (none) |").
TEST(LossTable, EveryLossAndOptionIsDocumented) {
  std::ifstream in(std::filesystem::path(DESCENT_SOURCE_DIR) / "docs/losses.md");
  ASSERT_TRUE(in);
  std::stringstream text;
  text << in.rdbuf();
  const std::string doc = text.str();
  EXPECT_NE(doc.find(std::to_string(loss_table().size()) + " losses"), std::string::npos)
      << "docs/losses.md does not count the losses";
  for (const LossInfo& info : loss_table()) {
    SCOPED_TRACE(info.name);
    const size_t start = doc.find("\n## `" + info.name + "`");
    ASSERT_NE(start, std::string::npos) << "no section";
    const size_t end = doc.find("\n## ", start + 1);
    const std::string section = doc.substr(start, end == std::string::npos ? end : end - start);
    EXPECT_NE(section.find(info.pytorch), std::string::npos);
    for (const LossOptionDef& d : info.options) {
      const std::string fallback = d.fallback.empty() ? "(none)" : "`" + d.fallback + "`";
      EXPECT_NE(section.find("| `" + d.name + "` | " + fallback + " |"), std::string::npos)
          << "no row \"| `" << d.name << "` | " << fallback << " |\"";
    }
  }
}

}  // namespace test_loss_options
}  // namespace descent
