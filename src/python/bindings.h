#pragma once
// The Python module's parts (docs/python.md): each bind_* adds its functions and classes to the
// module descent._core; the package's Python files (descent/) give them their Pythonic shape.
#include <pybind11/pybind11.h>

namespace descent_python {

namespace py = pybind11;

void bind_errors(py::module_& m);      // descent's exceptions as ValueError, KeyError, OSError
void bind_optimizers(py::module_& m);  // optimizers and schedules over numpy arrays
void bind_runs(py::module_& m);        // training runs, safetensors files
void bind_paths(py::module_& m);       // optimizer paths on test functions, schedules' values

}  // namespace descent_python
