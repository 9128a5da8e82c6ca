#pragma once
// numpy arrays and descent's tensors. A float32, C-contiguous array is shared, never copied: a
// parameter array becomes a tensor over its memory (the optimizer updates the array in place), and
// a tensor's data or gradient becomes an array over descent's memory. Anything else is refused
// with a message saying how to make a suitable array; copies are made only where a function says
// so (state_dict).
#include <string>

#include <pybind11/numpy.h>

#include "descent/tensor/tensor.h"
#include "python/bindings.h"

namespace descent_python {

// A tensor over the array's memory, keeping the array alive. Throws std::invalid_argument naming
// `what` unless the array is float32, C-contiguous and (with `writeable`) writeable.
descent::Tensor share_array(const py::array& array, const std::string& what, bool writeable);

// The array over `storage` (a tensor's data or gradient) with `shape`; it keeps the storage alive.
py::array share_storage(const descent::Storage& storage, const descent::Shape& shape);

// A new float32 array holding the tensor's values.
py::array copy_to_array(const descent::Tensor& tensor);

// A new tensor holding the array's values (any real dtype, any layout: numpy converts).
descent::Tensor copy_from_array(const py::handle& array, const std::string& what);

}  // namespace descent_python
