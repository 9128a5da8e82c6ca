// The folders of src/descent are layers in the order docs/architecture.md lists them: a file may
// include from its own layer and the ones before it, never from one after it. The order is read
// from the doc, so the doc and the code cannot drift apart.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace test_layering {

namespace fs = std::filesystem;

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The folders in the first table of docs/architecture.md ("| `util/` | ..."), in order.
std::vector<std::string> layer_order(const fs::path& architecture_doc) {
  std::vector<std::string> order;
  std::istringstream lines(read_text(architecture_doc));
  const std::regex row(R"(^\| `([a-z_]+)/` \|)");
  std::smatch m;
  for (std::string line; std::getline(lines, line);) {
    if (std::regex_search(line, m, row))
      order.push_back(m[1]);
    else if (!order.empty())
      break;  // the end of the table
  }
  return order;
}

// "file: includes descent/<layer>/..., a later layer than <own>" for each upward include under
// root (src/descent), and for any folder missing from the order.
std::vector<std::string> layering_violations(const fs::path& root,
                                             const std::vector<std::string>& order) {
  auto rank = [&](const std::string& layer) {
    for (size_t i = 0; i < order.size(); ++i)
      if (order[i] == layer) return static_cast<int>(i);
    return -1;
  };
  std::vector<std::string> violations;
  const std::regex include(R"(#include\s+"descent/([a-z_]+)/)");
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file()) continue;
    const fs::path relative = fs::relative(entry.path(), root);
    const std::string own = relative.begin()->string();
    const std::string name = relative.generic_string();
    if (rank(own) < 0) {
      violations.push_back(name + ": folder '" + own + "' is not in docs/architecture.md's layers");
      continue;
    }
    const std::string text = read_text(entry.path());
    for (std::sregex_iterator it(text.begin(), text.end(), include), end; it != end; ++it) {
      const std::string used = (*it)[1];
      if (rank(used) > rank(own))
        violations.push_back(name + ": includes descent/" + used + "/, a layer after " + own + "/");
    }
  }
  return violations;
}

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

const fs::path kSource = DESCENT_SOURCE_DIR;

TEST(Layering, DocsListEveryLayerInOrder) {
  const auto order = layer_order(kSource / "docs/architecture.md");
  ASSERT_GE(order.size(), 10u);
  EXPECT_EQ(order.front(), "util");
  EXPECT_EQ(order.back(), "sweep");  // sweeps (and compare-optimizers) sit on top of everything
}

TEST(Layering, NoFileIncludesFromALaterLayer) {
  const auto violations =
      layering_violations(kSource / "src/descent", layer_order(kSource / "docs/architecture.md"));
  EXPECT_TRUE(violations.empty()) << joined(violations);
}

// The check itself: a deliberate upward include in a small tree is caught, a downward one is not.
TEST(Layering, CatchesAnUpwardInclude) {
  const fs::path root =
      fs::temp_directory_path() / ("descent_layering_" + std::to_string(getpid()));
  fs::remove_all(root);
  fs::create_directories(root / "tensor");
  fs::create_directories(root / "optim");
  std::ofstream(root / "optim/adam.cpp") << "#include \"descent/tensor/tensor.h\"\n";
  std::ofstream(root / "tensor/tensor.cpp") << "#include \"descent/tensor/shape.h\"\n";
  const std::vector<std::string> order = {"util", "tensor", "optim"};
  EXPECT_TRUE(layering_violations(root, order).empty());

  std::ofstream(root / "tensor/shape.h") << "#include  \"descent/optim/adam.h\"\n";
  const auto violations = layering_violations(root, order);
  ASSERT_EQ(violations.size(), 1u) << joined(violations);
  EXPECT_EQ(violations[0], "tensor/shape.h: includes descent/optim/, a layer after tensor/");

  fs::create_directories(root / "plot");
  std::ofstream(root / "plot/figure.h") << "\n";
  EXPECT_EQ(layering_violations(root, order).size(), 2u);
  fs::remove_all(root);
}

}  // namespace test_layering
