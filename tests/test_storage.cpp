// The buffer cache (tensor/storage.h): blocks come back for reuse, and memory borrowed from
// another owner (the Python module's numpy arrays) is neither cached nor freed here.
#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <vector>

#include "descent/tensor/storage.h"

namespace descent {
namespace test_storage {

// An element count no other test allocates, so the cache's blocks of it are this test's.
constexpr size_t kCount = 12345;

TEST(Storage, AFreedBlockIsReusedForTheSameSize) {
  float* first = nullptr;
  {
    Storage s = allocate(kCount);
    first = s->data();
  }
  const AllocatorStats before = allocator_stats();
  Storage again = allocate(kCount);
  EXPECT_EQ(again->data(), first);
  EXPECT_EQ(allocator_stats().cache_hits, before.cache_hits + 1);
}

TEST(Storage, BorrowedMemoryGoesBackToItsOwnerNotToTheCache) {
  std::vector<float> memory(kCount + 1, 1.5f);
  bool released = false;
  std::shared_ptr<void> owner(&memory, [&released](void*) { released = true; });
  const size_t cached_before = allocator_stats().cached_bytes;
  {
    Storage s = borrow(memory.data(), memory.size(), std::move(owner));
    EXPECT_EQ(s->data(), memory.data());
    EXPECT_EQ(s->size(), kCount + 1);
    s->data()[0] = 2.0f;  // writes reach the owner's memory
    EXPECT_FALSE(released);
  }
  EXPECT_TRUE(released);
  EXPECT_EQ(memory[0], 2.0f);
  EXPECT_EQ(allocator_stats().cached_bytes, cached_before);
  Storage fresh = allocate(kCount + 1);
  EXPECT_NE(fresh->data(), memory.data());
}

TEST(Storage, BorrowingNeedsAnOwner) {
  float x = 0;
  EXPECT_THROW(borrow(&x, 1, nullptr), std::invalid_argument);
}

}  // namespace test_storage
}  // namespace descent
