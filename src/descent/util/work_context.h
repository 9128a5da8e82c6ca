#pragma once
// What the program is doing, for messages about failures that cannot say it themselves: an
// allocation that fails deep inside a tensor or a vector throws std::bad_alloc, which knows
// nothing. A WorkContext names a step ("loading the data from x.csv", "building the model") for
// as long as it lives; they nest. When an exception leaves a step, the steps it was in are kept,
// so that main() can say "out of memory while building the model: layer 'linear:out=1e12'" after
// the stack has unwound.
#include <string>

namespace descent {

class WorkContext {
 public:
  explicit WorkContext(std::string what);
  ~WorkContext();
  WorkContext(const WorkContext&) = delete;
  WorkContext& operator=(const WorkContext&) = delete;

 private:
  int uncaught_;  // exceptions in flight when the step began
};

// The steps in progress on this thread, outermost first, joined by ": "; "" when none.
std::string work_context();

// The steps the exception in flight left, innermost last (as work_context() read in the
// innermost one); "" when none did, or when a step began after it (it was handled).
std::string failed_work_context();

}  // namespace descent
