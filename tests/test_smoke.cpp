#include <gtest/gtest.h>
#include "descent/ops/ops.h"
using namespace descent;
TEST(Smoke, Add) {
  Tensor a = Tensor::from({2}, {1, 2});
  Tensor b = a + a;
  EXPECT_EQ(b.data()[1], 4.0f);
}
