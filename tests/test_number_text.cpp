// Numbers written for people: shortest round-trip text, and TOML documents with their floats
// shortened while strings, comments and integers stay as they are.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "descent/util/number_text.h"

namespace descent {
namespace test_number_text {

TEST(NumberText, ShortestTextReadsBackTheSameValue) {
  EXPECT_EQ(shortest_text(0.9), "0.9");
  EXPECT_EQ(shortest_text(0.1 + 0.2), "0.30000000000000004");  // a different double than 0.3
  EXPECT_EQ(shortest_text(1e-8), "1e-08");
  EXPECT_EQ(shortest_text(0.1f), "0.1");
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> u(-1e3, 1e3);
  for (int i = 0; i < 1000; ++i) {
    const double v = u(rng) * std::pow(10.0, i % 20 - 10);
    EXPECT_EQ(std::stod(shortest_text(v)), v);
  }
}

TEST(NumberText, TomlFloatsAreShortenedAndStayFloats) {
  const std::string toml =
      "a = 0.90000000000000002\n"
      "b = '0.90000000000000002'\n"
      "c = [ 0.10000000000000001, 2.0, 3 ]\n"
      "d = 1.0\n"
      "# 0.30000000000000004 in a comment\n"
      "e = 30\n"
      "f = 1.0000000000000001e-08\n"
      "g = \"say \\\"0.50000000000000000\\\"\"\n"
      "h = -2.5000000000000000\n"
      "[t]\n"
      "lr = 0.010000000000000002\n";
  const std::string expected =
      "a = 0.9\n"
      "b = '0.90000000000000002'\n"
      "c = [ 0.1, 2.0, 3 ]\n"
      "d = 1.0\n"
      "# 0.30000000000000004 in a comment\n"
      "e = 30\n"
      "f = 1e-08\n"
      "g = \"say \\\"0.50000000000000000\\\"\"\n"
      "h = -2.5\n"
      "[t]\n"
      "lr = 0.010000000000000002\n";
  EXPECT_EQ(with_shortest_floats(toml), expected);
}

}  // namespace test_number_text
}  // namespace descent
