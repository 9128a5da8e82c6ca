#pragma once
// Error-message assertions: EXPECT_TRUE(throws_with<SpecError>([&] { ... }, {"key", "value"})).
#include <gtest/gtest.h>

#include <initializer_list>
#include <string>

namespace descent::testutil {

// Runs f, which must throw E whose message contains every one of `parts`.
template <typename E, typename F>
::testing::AssertionResult throws_with(F&& f, std::initializer_list<std::string> parts) {
  try {
    f();
  } catch (const E& e) {
    const std::string msg = e.what();
    for (const std::string& p : parts)
      if (msg.find(p) == std::string::npos)
        return ::testing::AssertionFailure() << "message '" << msg << "' lacks '" << p << "'";
    return ::testing::AssertionSuccess();
  } catch (const std::exception& e) {
    return ::testing::AssertionFailure() << "threw another exception type: " << e.what();
  }
  return ::testing::AssertionFailure() << "did not throw";
}

}  // namespace descent::testutil
