#include "python/arrays.h"

#include <cstring>
#include <memory>
#include <stdexcept>
#include <vector>

namespace descent_python {
namespace {

descent::Shape shape_of(const py::array& array) {
  descent::Shape shape;
  for (py::ssize_t d = 0; d < array.ndim(); ++d) shape.push_back(array.shape(d));
  return shape;
}

std::vector<py::ssize_t> dims_of(const descent::Shape& shape) {
  return std::vector<py::ssize_t>(shape.begin(), shape.end());
}

}  // namespace

descent::Tensor share_array(const py::array& array, const std::string& what, bool writeable) {
  const auto fix =
      " (numpy.ascontiguousarray(a, dtype=numpy.float32) makes one; a PyTorch "
      "tensor's .detach().numpy() is one)";
  if (!py::isinstance<py::array_t<float>>(array) || array.dtype().kind() != 'f' ||
      array.itemsize() != 4)
    throw std::invalid_argument(what + ": expected a float32 array, got dtype " +
                                std::string(py::str(array.dtype())) + fix);
  if (!(array.flags() & py::array::c_style))
    throw std::invalid_argument(what + ": expected a C-contiguous array" + fix);
  if (writeable && !array.writeable())
    throw std::invalid_argument(what +
                                ": the array is read-only; an optimizer updates it in place");
  auto impl = std::make_shared<descent::TensorImpl>();
  impl->shape = shape_of(array);
  // The array stays alive as long as the tensor; it is released under the GIL, whichever thread
  // lets the tensor go.
  auto owner = std::shared_ptr<void>(new py::object(array), [](void* p) {
    py::gil_scoped_acquire gil;
    delete static_cast<py::object*>(p);
  });
  float* data = static_cast<float*>(const_cast<void*>(array.data()));
  impl->data = descent::borrow(data, static_cast<size_t>(array.size()), std::move(owner));
  return descent::Tensor(std::move(impl));
}

py::array share_storage(const descent::Storage& storage, const descent::Shape& shape) {
  auto* keep = new descent::Storage(storage);
  py::capsule base(keep, [](void* p) { delete static_cast<descent::Storage*>(p); });
  return py::array_t<float>(dims_of(shape), storage->data(), base);
}

py::array copy_to_array(const descent::Tensor& tensor) {
  py::array_t<float> out(dims_of(tensor.shape()));
  if (tensor.numel() > 0)
    std::memcpy(out.mutable_data(), tensor.data(), sizeof(float) * tensor.numel());
  return out;
}

descent::Tensor copy_from_array(const py::handle& value, const std::string& what) {
  auto array = py::array_t<float, py::array::c_style | py::array::forcecast>::ensure(value);
  if (!array) {
    PyErr_Clear();
    throw std::invalid_argument(what + ": expected an array of numbers");
  }
  return descent::Tensor::from(shape_of(array), {array.data(), static_cast<size_t>(array.size())});
}

}  // namespace descent_python
