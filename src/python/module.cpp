// descent._core: the compiled half of the Python package descent.
#include "python/bindings.h"

PYBIND11_MODULE(_core, m) {
  m.doc() = "descent's C++ library; use it through the package descent (docs/python.md).";
  m.attr("__version__") = DESCENT_VERSION;
  descent_python::bind_errors(m);
  descent_python::bind_optimizers(m);
  descent_python::bind_runs(m);
  descent_python::bind_paths(m);
}
