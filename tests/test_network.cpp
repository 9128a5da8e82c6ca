// Networks built from layer SPECs (names, shapes, describe(), forward), and the SPEC parser and
// typed argument getters they rest on.
#include <gtest/gtest.h>

#include <cmath>
#include <initializer_list>
#include <string>
#include <vector>

#include "descent/nn/activations.h"
#include "descent/nn/linear.h"
#include "descent/nn/network_spec.h"
#include "descent/nn/sequential.h"
#include "descent/ops/ops.h"
#include "descent/util/random.h"
#include "descent/util/spec.h"

#include "throws_with.h"

namespace descent {
namespace test_network {

using testutil::throws_with;

// The default model of io/config.h: 784 -> 256 -> 256 -> 10.
const std::vector<std::string> kDefaultLayers = {"linear:out=256", "relu", "linear:out=256", "relu",
                                                 "linear:out=10"};

std::vector<float> forward_values(const std::string& layer, std::vector<float> x) {
  Generator gen(0);
  auto net = build_network({layer}, static_cast<int64_t>(x.size()), gen);
  return net->forward(Tensor::from({1, static_cast<int64_t>(x.size())}, x)).to_vector();
}

// ---------------------------------------------------------------------------------------------
// Building.

TEST(NetworkBuild, DefaultSpecNamesShapesAndDescribe) {
  Generator gen(1);
  auto net = build_network(kDefaultLayers, 784, gen);
  EXPECT_EQ(net->describe(),
            "Sequential(Linear(in=784, out=256), ReLU, Linear(in=256, out=256), ReLU, "
            "Linear(in=256, out=10))");
  ASSERT_EQ(net->size(), 5u);
  // PyTorch's nn.Sequential state_dict names: activations hold no parameters but keep indices.
  const auto params = net->named_parameters();
  const std::vector<std::pair<std::string, Shape>> expected = {
      {"0.weight", {256, 784}}, {"0.bias", {256}},       {"2.weight", {256, 256}},
      {"2.bias", {256}},        {"4.weight", {10, 256}}, {"4.bias", {10}}};
  ASSERT_EQ(params.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(params[i].name, expected[i].first);
    EXPECT_EQ(params[i].tensor.shape(), expected[i].second) << params[i].name;
    EXPECT_TRUE(params[i].tensor.requires_grad()) << params[i].name;
  }
  EXPECT_EQ(net->parameters().size(), expected.size());
  // A prefix nests the names, as a submodule's would be in PyTorch.
  EXPECT_EQ(net->named_parameters("model.")[0].name, "model.0.weight");
}

TEST(NetworkBuild, BiasFalseRemovesTheBias) {
  Generator gen(2);
  auto net = build_network({"linear:out=8,bias=false", "tanh", "linear:out=3"}, 5, gen);
  EXPECT_EQ(net->describe(),
            "Sequential(Linear(in=5, out=8, bias=false), Tanh, Linear(in=8, out=3))");
  const auto params = net->named_parameters();
  ASSERT_EQ(params.size(), 3u);
  EXPECT_EQ(params[0].name, "0.weight");
  EXPECT_EQ(params[1].name, "2.weight");
  EXPECT_EQ(params[2].name, "2.bias");
  // Without a bias the layer is exactly x W^T.
  const Tensor x = Tensor::from({1, 5}, {1, -2, 0.5f, 3, -1});
  Linear& first = static_cast<Linear&>((*net)[0]);
  const std::vector<float> y = first.forward(x).to_vector();
  ASSERT_EQ(y.size(), 8u);
  for (int64_t o = 0; o < 8; ++o) {
    double expected = 0;
    for (int64_t i = 0; i < 5; ++i) expected += first.weight.data()[o * 5 + i] * x.data()[i];
    EXPECT_NEAR(y[o], expected, 1e-5) << o;
  }
}

TEST(NetworkBuild, EveryActivationAndItsArguments) {
  Generator gen(3);
  auto net =
      build_network({"linear:out=4", "sigmoid", "elu:alpha=0.5", "leaky_relu:negative_slope=0.2",
                     "softplus:beta=2,threshold=10", "relu"},
                    2, gen);
  EXPECT_EQ(net->describe().substr(0, 50), "Sequential(Linear(in=2, out=4), Sigmoid, ELU(alpha");
  EXPECT_NE(net->describe().find("LeakyReLU(negative_slope=0.2"), std::string::npos);
  EXPECT_NE(net->describe().find("Softplus(beta=2"), std::string::npos);
  EXPECT_EQ(net->named_parameters().size(), 2u);

  // The arguments reach the layers: check forward values against the formulas.
  const std::vector<float> x = {-1.0f, 0.0f, 2.0f, -3.0f};
  const std::vector<float> elu = forward_values("elu:alpha=0.5", x);
  const std::vector<float> elu_default = forward_values("elu", x);
  const std::vector<float> leaky = forward_values("leaky_relu:negative_slope=0.2", x);
  const std::vector<float> leaky_default = forward_values("leaky_relu", x);
  const std::vector<float> soft = forward_values("softplus:beta=2", x);
  for (size_t i = 0; i < x.size(); ++i) {
    const double v = x[i];
    EXPECT_NEAR(elu[i], v > 0 ? v : 0.5 * std::expm1(v), 1e-6) << i;
    EXPECT_NEAR(elu_default[i], v > 0 ? v : std::expm1(v), 1e-6) << i;
    EXPECT_NEAR(leaky[i], v > 0 ? v : 0.2 * v, 1e-6) << i;
    EXPECT_NEAR(leaky_default[i], v > 0 ? v : 0.01 * v, 1e-6) << i;
    EXPECT_NEAR(soft[i], std::log1p(std::exp(2 * v)) / 2, 1e-6) << i;
  }
  // softplus is linear above threshold / beta: with threshold=1, beta=1, x = 2 passes through.
  EXPECT_FLOAT_EQ(forward_values("softplus:threshold=1", {2.0f})[0], 2.0f);
  EXPECT_NEAR(forward_values("softplus", {2.0f})[0], std::log1p(std::exp(2.0)), 1e-6);
}

TEST(NetworkBuild, ForwardEqualsManualComposition) {
  Generator gen(4);
  auto net =
      build_network({"linear:out=16", "relu", "linear:out=8", "tanh", "linear:out=3"}, 6, gen);
  Generator data(5);
  const Tensor x = Tensor::uniform({4, 6}, -1, 1, data);
  auto& l0 = static_cast<Linear&>((*net)[0]);
  auto& l2 = static_cast<Linear&>((*net)[2]);
  auto& l4 = static_cast<Linear&>((*net)[4]);
  const Tensor manual = linear(
      tanh(linear(relu(linear(x, l0.weight, l0.bias)), l2.weight, l2.bias)), l4.weight, l4.bias);
  const Tensor y = (*net)(x);
  EXPECT_EQ(y.shape(), (Shape{4, 3}));
  EXPECT_EQ(y.to_vector(), manual.to_vector());  // same ops in the same order: bit for bit
}

TEST(NetworkBuild, SetTrainingPropagates) {
  Generator gen(6);
  auto net = build_network(kDefaultLayers, 12, gen);
  EXPECT_TRUE(net->training());
  net->set_training(false);
  EXPECT_FALSE(net->training());
  for (size_t i = 0; i < net->size(); ++i) EXPECT_FALSE((*net)[i].training()) << i;
  net->set_training(true);
  for (size_t i = 0; i < net->size(); ++i) EXPECT_TRUE((*net)[i].training()) << i;
  // Nested Sequentials pass it on too.
  Sequential outer;
  outer.add(build_network({"relu"}, 3, gen));
  outer.set_training(false);
  EXPECT_FALSE(static_cast<Sequential&>(outer[0])[0].training());
}

TEST(NetworkBuild, SpacesAroundKeysAndValuesAreIgnored) {
  Generator gen(7);
  auto net = build_network({" linear : out = 5 , bias = false "}, 3, gen);
  EXPECT_EQ(net->describe(), "Sequential(Linear(in=3, out=5, bias=false))");
}

TEST(NetworkErrors, UnknownLayerListsValidOnes) {
  Generator gen(0);
  EXPECT_TRUE(throws_with<SpecError>(
      [&] {
        build_network({"linear:out=4", "conv:out=3"}, 2, gen);
      },
      {"layer 'conv:out=3'", "unknown layer 'conv'", "linear", "relu", "sigmoid", "tanh", "elu",
       "leaky_relu", "softplus"}));
}

TEST(NetworkErrors, MissingOrBadOut) {
  Generator gen(0);
  for (const char* spec : {"linear", "linear:out=0", "linear:out=-3", "linear:bias=false"})
    EXPECT_TRUE(throws_with<SpecError>([&] { build_network({spec}, 2, gen); },
                                       {"layer '" + std::string(spec) + "'", "out=N"}))
        << spec;
  EXPECT_TRUE(throws_with<SpecError>([&] { build_network({"linear:out=2.5"}, 2, gen); },
                                     {"out=2.5", "integer"}));
  EXPECT_TRUE(throws_with<SpecError>([&] { build_network({}, 2, gen); }, {"empty"}));
}

TEST(NetworkErrors, UnknownKeyListsValidKeys) {
  Generator gen(0);
  EXPECT_TRUE(throws_with<SpecError>([&] { build_network({"linear:out=4,bais=false"}, 2, gen); },
                                     {"unknown key 'bais'", "valid keys", "bias", "out", "init"}));
  EXPECT_TRUE(
      throws_with<SpecError>([&] { build_network({"relu:alpha=1"}, 2, gen); },
                             {"layer 'relu:alpha=1'", "unknown key 'alpha'", "no arguments"}));
  EXPECT_TRUE(throws_with<SpecError>([&] { build_network({"elu:slope=1"}, 2, gen); },
                                     {"unknown key 'slope'", "alpha"}));
  EXPECT_TRUE(throws_with<SpecError>([&] { build_network({"elu:alpha=big"}, 2, gen); },
                                     {"alpha=big", "number"}));
  EXPECT_TRUE(throws_with<SpecError>([&] { build_network({"linear:out=4,bias=1"}, 2, gen); },
                                     {"bias=1", "true or false"}));
}

// ---------------------------------------------------------------------------------------------
// parse_spec.

TEST(SpecParse, NameAndArguments) {
  const Spec a = parse_spec("relu");
  EXPECT_EQ(a.name, "relu");
  EXPECT_TRUE(a.args.empty());
  const Spec b = parse_spec("multistep:milestones=[30,60,90],gamma=0.1");
  EXPECT_EQ(b.name, "multistep");
  ASSERT_EQ(b.args.size(), 2u);
  EXPECT_EQ(b.args.at("milestones"), "[30,60,90]");  // commas inside brackets do not split
  EXPECT_EQ(b.args.at("gamma"), "0.1");
  EXPECT_EQ(parse_spec("adam:").args.size(), 0u);
}

TEST(SpecParse, MalformedStringsAreRejected) {
  EXPECT_TRUE(throws_with<SpecError>([] { parse_spec("linear:out"); },
                                     {"'linear:out'", "argument 'out' is not key=value"}));
  EXPECT_TRUE(
      throws_with<SpecError>([] { parse_spec("linear:out=1,,"); }, {"'linear:out=1,,'", "empty"}));
  EXPECT_TRUE(
      throws_with<SpecError>([] { parse_spec("linear:,out=1"); }, {"'linear:,out=1'", "empty"}));
  EXPECT_TRUE(throws_with<SpecError>([] { parse_spec("["); }, {"'['"}));
  EXPECT_TRUE(throws_with<SpecError>([] { parse_spec("lin ear"); }, {"'lin ear'"}));
  EXPECT_TRUE(
      throws_with<SpecError>([] { parse_spec("x:a=[1,2"); }, {"'x:a=[1,2'", "unbalanced '['"}));
  EXPECT_TRUE(throws_with<SpecError>([] { parse_spec("x:a=1]"); }, {"'x:a=1]'", "unbalanced ']'"}));
  EXPECT_TRUE(throws_with<SpecError>([] { parse_spec("linear:out=1,out=2"); },
                                     {"'linear:out=1,out=2'", "key 'out' given twice"}));
  EXPECT_TRUE(throws_with<SpecError>([] { parse_spec(":out=1"); }, {"':out=1'", "missing a name"}));
  EXPECT_TRUE(throws_with<SpecError>([] { parse_spec(""); }, {"missing a name"}));
  EXPECT_TRUE(throws_with<SpecError>([] { parse_spec("x:=3"); }, {"'x:=3'", "no key"}));
}

// ---------------------------------------------------------------------------------------------
// SpecArgs.

SpecArgs args_of(const std::string& text) {
  return SpecArgs("thing '" + text + "'", parse_spec(text).args);
}

TEST(SpecArgsGet, TypedValuesAndFallbacks) {
  SpecArgs a = args_of("x:n=3,d=-2.5e-3,b=false,s=fan_out,l=[30,60,90],e=[],i=+4,w=[ 1 , 2.5 ]");
  EXPECT_EQ(a.get_int("n", 0), 3);
  EXPECT_EQ(a.get_int("i", 0), 4);
  EXPECT_DOUBLE_EQ(a.get_double("d", 0), -2.5e-3);
  EXPECT_DOUBLE_EQ(a.get_double("n", 0), 3.0);  // an integer is a number too
  EXPECT_FALSE(a.get_bool("b", true));
  EXPECT_EQ(a.get_string("s", ""), "fan_out");
  EXPECT_EQ(a.get_list("l", {}), (std::vector<double>{30, 60, 90}));
  EXPECT_EQ(a.get_list("e", {1}), std::vector<double>{});
  EXPECT_EQ(a.get_list("w", {}), (std::vector<double>{1, 2.5}));
  // Absent keys give the fallback and still count as accepted.
  EXPECT_EQ(a.get_int("missing", 7), 7);
  EXPECT_EQ(a.get_list("missing_list", {1, 2}), (std::vector<double>{1, 2}));
  EXPECT_NO_THROW(a.finish());
  EXPECT_TRUE(a.has("n"));
  EXPECT_FALSE(a.has("missing"));
}

TEST(SpecArgsGet, ListsGivenItemByItemAreNeverSplicedIntoText) {
  // As a TOML table hands them over: scalars as text, arrays item by item.
  std::map<std::string, SpecValue> given;
  given["milestones"] = SpecValue::list({"30", "60"});
  given["schedulers"] = SpecValue::list({"linear:total_iters=5", "cosine:t_max=95,eta_min=0"});
  given["step_size"] = SpecValue("2,gamma=0.5");
  given["bad"] = SpecValue::list({"1", "x"});
  SpecArgs a("config [schedule]", given);
  EXPECT_EQ(a.get_list("milestones", {}), (std::vector<double>{30, 60}));
  EXPECT_EQ(a.get_spec_list("schedulers", "schedule"),
            (std::vector<std::string>{"linear:total_iters=5", "cosine:t_max=95,eta_min=0"}));
  EXPECT_TRUE(throws_with<SpecError>([&] { a.get_int("step_size", 0); },
                                     {"config [schedule]", "step_size=2,gamma=0.5", "integer"}));
  EXPECT_TRUE(throws_with<SpecError>([&] { a.get_list("bad", {}); }, {"bad=[1, x]", "numbers"}));
  EXPECT_TRUE(throws_with<SpecError>([&] { a.get_double("milestones", 0); },
                                     {"milestones=[30, 60]", "a finite number"}));
}

TEST(SpecArgsGet, SpecListsSplitAtTheirOwnDepth) {
  SpecArgs a = args_of(
      "x:s=[linear:total_iters=5;chained:schedulers=[step:step_size=2;exponential:gamma=0.9]],"
      "e=[a;;b],n=3");
  EXPECT_EQ(
      a.get_spec_list("s", "schedule"),
      (std::vector<std::string>{"linear:total_iters=5",
                                "chained:schedulers=[step:step_size=2;exponential:gamma=0.9]"}));
  EXPECT_TRUE(throws_with<SpecError>([&] { a.get_spec_list("e", "schedule"); },
                                     {"an empty schedule in e=[a;;b]"}));
  EXPECT_TRUE(throws_with<SpecError>([&] { a.get_spec_list("n", "schedule"); },
                                     {"n=3", "a list in brackets"}));
  EXPECT_TRUE(a.get_spec_list("absent", "schedule").empty());
}

TEST(SpecArgsGet, BadValuesNameKeyAndValue) {
  SpecArgs a =
      args_of("x:i=3.5,b=yes,d=abc,l=[1,x],m=30,n=[1,,2],f=inf,p=+-3,q=1e999,j=7x,r=[1,inf]");
  EXPECT_TRUE(
      throws_with<SpecError>([&] { a.get_int("i", 0); }, {"thing 'x:", "i=3.5", "integer"}));
  EXPECT_TRUE(throws_with<SpecError>([&] { a.get_int("j", 0); }, {"j=7x", "integer"}));
  EXPECT_TRUE(throws_with<SpecError>([&] { a.get_bool("b", false); }, {"b=yes", "true or false"}));
  EXPECT_TRUE(throws_with<SpecError>([&] { a.get_double("d", 0); }, {"d=abc", "number"}));
  EXPECT_TRUE(throws_with<SpecError>([&] { a.get_double("f", 0); }, {"f=inf", "finite"}));
  EXPECT_TRUE(throws_with<SpecError>([&] { a.get_double("p", 0); }, {"p=+-3", "number"}));
  EXPECT_TRUE(throws_with<SpecError>([&] { a.get_double("q", 0); }, {"q=1e999", "number"}));
  EXPECT_TRUE(throws_with<SpecError>([&] { a.get_list("l", {}); }, {"l=[1,x]", "list"}));
  EXPECT_TRUE(throws_with<SpecError>([&] { a.get_list("r", {}); }, {"r=[1,inf]", "finite"}));
  EXPECT_TRUE(throws_with<SpecError>([&] { a.get_list("m", {}); }, {"m=30", "brackets"}));
  EXPECT_TRUE(throws_with<SpecError>([&] { a.get_list("n", {}); }, {"n=[1,,2]", "list"}));
}

TEST(SpecArgsGet, FinishRejectsUnaskedKeys) {
  SpecArgs a = args_of("x:lr=0.1,momentm=0.9");
  a.get_double("lr", 0.01);
  a.get_double("momentum", 0);
  EXPECT_TRUE(throws_with<SpecError>(
      [&] { a.finish(); },
      {"thing 'x:lr=0.1,momentm=0.9'", "unknown key 'momentm'", "valid keys: lr, momentum"}));
  SpecArgs none = args_of("relu:x=1");
  EXPECT_TRUE(
      throws_with<SpecError>([&] { none.finish(); }, {"unknown key 'x'", "takes no arguments"}));
}

}  // namespace test_network
}  // namespace descent
