#include "descent/util/work_context.h"

#include <exception>
#include <vector>

namespace descent {
namespace {

thread_local std::vector<std::string> steps;
thread_local std::string failed;

}  // namespace

WorkContext::WorkContext(std::string what) : uncaught_(std::uncaught_exceptions()) {
  failed.clear();  // work goes on: a failure recorded before was handled
  steps.push_back(std::move(what));
}

WorkContext::~WorkContext() {
  // Unwinding: the innermost step records the whole chain before the steps are popped.
  if (std::uncaught_exceptions() > uncaught_ && failed.empty()) failed = work_context();
  steps.pop_back();
}

std::string work_context() {
  std::string text;
  for (const std::string& step : steps) text += (text.empty() ? "" : ": ") + step;
  return text;
}

std::string failed_work_context() { return failed; }

}  // namespace descent
