// Hostile and broken files met through the command line: each gets a clear error naming the file
// and what is wrong, a non-zero exit and no crash, however it is reached (model.weights, --resume,
// evaluate).
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "cli_fixtures.h"
#include "descent/io/safetensors.h"

namespace test_cli_hostile_files {

namespace fs = std::filesystem;
using cli_test::CommandResult;

// A safetensors file whose first tensor's shape nests `depth` arrays deep (120 KB at 60000).
std::string deeply_nested_file(int depth) {
  const std::string header = R"({"0.weight":{"dtype":"F32","shape":)" + std::string(depth, '[') +
                             std::string(depth, ']') + R"(,"data_offsets":[0,4]}})";
  std::string bytes(8, '\0');
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>((header.size() >> (8 * i)) & 0xff);
  return bytes + header + std::string(4, '\0');
}

class HostileFiles : public cli_test::CommandTest {
 protected:
  HostileFiles() : CommandTest("descent-hostile") {}

  std::vector<std::string> spirals(const std::string& out) {
    return with_sets({"train", "--no-report", "-q", "--out", out},
                     {"data.name=spirals", "data.size=100", "train.epochs=1",
                      R"(model.layers=["linear:out=4","relu","linear:out=3"])"});
  }
  void expect_error(const CommandResult& r, const std::vector<std::string>& fragments) {
    EXPECT_EQ(r.exit_code, 1) << r.err;
    for (const auto& f : fragments)
      EXPECT_NE(r.err.find(f), std::string::npos) << f << "\n" << r.err;
    EXPECT_LT(r.err.size(), 1000u) << r.err.substr(0, 1000);  // nothing hostile echoed whole
  }
};

TEST_F(HostileFiles, DeeplyNestedSafetensorsHeaderIsAnErrorEverywhere) {
  const fs::path deep = tmp_ / "deep.safetensors";
  cli_test::write_text(deep, deeply_nested_file(60000));
  auto args = spirals("from-weights");
  args.insert(args.end(), {"--set", "model.weights=" + deep.string()});
  expect_error(descent(args), {"deep.safetensors", "nests deeper than 64 levels"});
  EXPECT_FALSE(fs::exists(cwd_ / "from-weights" / "model.safetensors"));

  ASSERT_EQ(descent(spirals("run")).exit_code, 0);
  fs::copy_file(deep, cwd_ / "run" / "model.safetensors", fs::copy_options::overwrite_existing);
  expect_error(descent({"evaluate", (cwd_ / "run").string()}),
               {"model.safetensors", "nests deeper"});
  fs::copy_file(deep, cwd_ / "run" / "checkpoint.safetensors",
                fs::copy_options::overwrite_existing);
  expect_error(descent({"train", "--resume", (cwd_ / "run").string(), "--set", "train.epochs=2"}),
               {"checkpoint.safetensors", "nests deeper"});
}

TEST_F(HostileFiles, NonFiniteWeightsAreRefusedNamingTheTensor) {
  using descent::Tensor;
  const fs::path nan_weights = tmp_ / "nan.safetensors";
  std::vector<float> w(8, 0.1f);
  w[5] = NAN;
  const std::vector<descent::NamedTensor> tensors = {{"0.weight", Tensor::from({4, 2}, w)},
                                                     {"0.bias", Tensor::zeros({4})},
                                                     {"2.weight", Tensor::zeros({3, 4})},
                                                     {"2.bias", Tensor::zeros({3})}};
  cli_test::write_text(nan_weights, descent::encode_safetensors(tensors));
  auto args = spirals("nan-run");
  args.insert(args.end(), {"--set", "model.weights=" + nan_weights.string()});
  expect_error(descent(args), {"nan.safetensors", "tensor '0.weight' holds NaN at element 5 of 8"});
}

}  // namespace test_cli_hostile_files
