#pragma once
// Numbers as figures hold them. JSON has no NaN or infinity, so a non-finite value is written as
// null (a gap in a line). Values descent computed in float32 are kept as the double nearest the
// float's shortest decimal form: "0.1" rather than "0.10000000149011612" in the spec, while
// reading it back as a float gives the very same float (the data stays exact, the file small).
#include <vector>

#include <nlohmann/json.hpp>

namespace descent::plot {

nlohmann::json json_number(double v);
nlohmann::json json_numbers(const std::vector<double>& values);

double float_decimal(float v);

// v to float32 precision (its float's shortest decimal; doubles beyond float's range as they
// are): how line charts write y values, bands and wall times. Training computes in float32, so
// this keeps every digit the numbers have and halves the size of long series.
nlohmann::json json_float_number(double v);

}  // namespace descent::plot
