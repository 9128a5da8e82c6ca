#pragma once
// Overloaded{[](A) {...}, [](B) {...}}: one callable from several lambdas, for std::visit over a
// variant.
namespace descent {

template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;  // implicit in C++20, but not in clang 14

}  // namespace descent
