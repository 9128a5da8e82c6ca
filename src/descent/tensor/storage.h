#pragma once
// Float buffers aligned to 64 bytes, recycled through a size-keyed cache so that a training loop
// that repeats the same shapes allocates nothing after its first step (as PyTorch's caching
// allocator does on the GPU).
#include <cstddef>
#include <memory>

namespace descent {

class Buffer {
 public:
  explicit Buffer(size_t count);  // uninitialized; takes a cached block when one fits exactly
  // A buffer over memory another owner holds (a numpy array's, for the Python module): neither
  // freed nor cached when the buffer dies; `owner` keeps the memory alive until then.
  Buffer(float* data, size_t count, std::shared_ptr<void> owner);
  ~Buffer();
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;

  float* data() { return data_; }
  const float* data() const { return data_; }
  size_t size() const { return size_; }

 private:
  float* data_;
  size_t size_;
  std::shared_ptr<void> owner_;  // set for borrowed memory
};

using Storage = std::shared_ptr<Buffer>;

Storage allocate(size_t count);                                          // uninitialized
Storage allocate_zeroed(size_t count);                                   // filled with 0
Storage borrow(float* data, size_t count, std::shared_ptr<void> owner);  // Buffer's second form

struct AllocatorStats {
  size_t system_allocations = 0;  // blocks taken from the system (cache misses)
  size_t cache_hits = 0;          // blocks reused from the cache
  size_t cached_bytes = 0;        // bytes held in the cache, free for reuse
};
AllocatorStats allocator_stats();
void release_cached_buffers();  // hands cached blocks back to the system

}  // namespace descent
