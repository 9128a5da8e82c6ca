#pragma once
// Numbers as descent writes them for people: the shortest text that reads back as the same value
// ("0.9", not "0.90000000000000002"), in config.toml, CSV output and tables.
#include <string>

namespace descent {

std::string shortest_text(double value);
std::string shortest_text(float value);

// A TOML document with every float written in its shortest form, keeping it a float
// ("1.0", not "1"). Strings and comments are left as they are.
std::string with_shortest_floats(const std::string& toml);

}  // namespace descent
