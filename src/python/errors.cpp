// descent's exceptions as the Python exceptions a Python user expects, with descent's messages:
//   an unknown name (optimizer, schedule, key, ...)        UnknownNameError, a KeyError
//   a file that cannot be read or is malformed, a busy run  OSError (BlockingIOError)
//   a memory limit                                          MemoryError
//   any other bad value (std::invalid_argument)            ValueError
// Everything else keeps pybind11's mapping (std::runtime_error: RuntimeError).
#include <exception>
#include <filesystem>

#include <pybind11/eval.h>
#include "descent/app/config.h"
#include "descent/app/run_lock.h"
#include "descent/data/idx.h"
#include "descent/io/format_error.h"
#include "descent/util/memory.h"
#include "descent/util/spec.h"

#include "python/bindings.h"

namespace descent_python {
namespace {

// A KeyError shows its message as a repr, quotes escaped; descent's messages quote names, so
// this one shows the message as written.
constexpr const char* kUnknownNameError = R"(
class UnknownNameError(KeyError):
    "An unknown name (optimizer, schedule, loss, configuration key): a KeyError with descent's message."
    __module__ = "descent"

    def __str__(self):
        return str(self.args[0]) if self.args else ""
)";

PyObject* unknown_name_error = nullptr;  // the class; the module holds a reference for good

}  // namespace

void bind_errors(py::module_& m) {
  py::dict scope;
  scope["__builtins__"] = py::module_::import("builtins");
  py::exec(kUnknownNameError, scope);
  unknown_name_error = py::object(scope["UnknownNameError"]).release().ptr();
  m.attr("UnknownNameError") = scope["UnknownNameError"];
  py::register_exception_translator([](std::exception_ptr error) {
    try {
      if (error) std::rethrow_exception(error);
    } catch (const descent::UnknownNameError& e) {
      PyErr_SetString(unknown_name_error, e.what());
    } catch (const descent::UnknownConfigNameError& e) {
      PyErr_SetString(unknown_name_error, e.what());
    } catch (const std::filesystem::filesystem_error& e) {
      PyErr_SetString(PyExc_OSError, e.what());
    } catch (const descent::DataError& e) {
      PyErr_SetString(PyExc_OSError, e.what());
    } catch (const descent::FormatError& e) {
      PyErr_SetString(PyExc_OSError, e.what());
    } catch (const descent::RunDirBusy& e) {
      PyErr_SetString(PyExc_BlockingIOError, e.what());
    } catch (const descent::MemoryLimitError& e) {
      PyErr_SetString(PyExc_MemoryError, e.what());
    } catch (const std::invalid_argument& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    }
  });
}

}  // namespace descent_python
