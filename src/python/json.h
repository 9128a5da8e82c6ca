#pragma once
// JSON values (optimizer and schedule state, summaries) as Python objects and back, through
// Python's json module: dicts, lists, str, int, float, bool, None.
#include <nlohmann/json.hpp>

#include "python/bindings.h"

namespace descent_python {

inline py::object json_to_python(const nlohmann::json& value) {
  return py::module_::import("json").attr("loads")(value.dump());
}

inline nlohmann::json json_from_python(const py::handle& value) {
  const std::string text = py::str(py::module_::import("json").attr("dumps")(value));
  return nlohmann::json::parse(text);
}

}  // namespace descent_python
