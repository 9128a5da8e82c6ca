// Subnormal floats flushed while training (util/float_mode.h) and the mode restored after.
#include <gtest/gtest.h>

#include <cmath>

#include "descent/app/config.h"
#include "descent/util/float_mode.h"

namespace descent {
namespace test_float_mode {

// Computed at run time, so that the compiler cannot fold it under its own rules.
float times(float a, float b) {
  volatile float x = a;
  volatile float y = b;
  return x * y;
}

TEST(FloatMode, SubnormalsAreZeroWhileFlushingAndBackAfter) {
  const float tiny = 1e-39f;  // subnormal
  ASSERT_EQ(std::fpclassify(times(tiny, 1.0f)), FP_SUBNORMAL);
  {
    const FlushDenormals flush(true);
#if defined(__x86_64__) || defined(__i386__)
    EXPECT_EQ(std::fpclassify(times(tiny, 1.0f)), FP_ZERO);        // read as zero
    EXPECT_EQ(std::fpclassify(times(1e-20f, 1e-20f)), FP_ZERO);    // a subnormal result too
    EXPECT_EQ(std::fpclassify(times(1e-18f, 1e-18f)), FP_NORMAL);  // a normal one stays
#endif
  }
  EXPECT_EQ(std::fpclassify(times(tiny, 1.0f)), FP_SUBNORMAL);
  {
    const FlushDenormals off(false);
    EXPECT_EQ(std::fpclassify(times(tiny, 1.0f)), FP_SUBNORMAL);
  }
}

TEST(FloatMode, ConfigKeyIsOnByDefaultAndCanBeTurnedOff) {
  EXPECT_TRUE(load_config("", {}).train.flush_denormals);
  EXPECT_FALSE(load_config("", {"train.flush_denormals=false"}).train.flush_denormals);
}

}  // namespace test_float_mode
}  // namespace descent
