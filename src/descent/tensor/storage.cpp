#include "descent/tensor/storage.h"

#include <cstdlib>
#include <mutex>
#include <new>
#include <stdexcept>
#include <unordered_map>
#include <utility>
#include <vector>

#include "descent/util/parallel.h"

namespace descent {
namespace {

constexpr size_t kAlignment = 64;

struct Cache {
  std::mutex mutex;
  std::unordered_map<size_t, std::vector<float*>> free_blocks;  // by element count
  AllocatorStats stats;
};

Cache& cache() {
  static Cache* c = new Cache;  // never destroyed: buffers may die after static destructors run
  return *c;
}

float* system_allocate(size_t count) {
  size_t bytes = (count * sizeof(float) + kAlignment - 1) / kAlignment * kAlignment;
  if (bytes == 0) bytes = kAlignment;
  void* p = std::aligned_alloc(kAlignment, bytes);
  if (!p) throw std::bad_alloc();
  return static_cast<float*>(p);
}

}  // namespace

Buffer::Buffer(size_t count) : size_(count) {
  Cache& c = cache();
  {
    std::lock_guard<std::mutex> lock(c.mutex);
    auto it = c.free_blocks.find(count);
    if (it != c.free_blocks.end() && !it->second.empty()) {
      data_ = it->second.back();
      it->second.pop_back();
      c.stats.cache_hits++;
      c.stats.cached_bytes -= count * sizeof(float);
      return;
    }
    c.stats.system_allocations++;
  }
  data_ = system_allocate(count);
}

Buffer::Buffer(float* data, size_t count, std::shared_ptr<void> owner)
    : data_(data), size_(count), owner_(std::move(owner)) {
  // Without an owner the destructor would take the memory into the cache.
  if (!owner_) throw std::invalid_argument("borrowed memory needs an owner");
}

Buffer::~Buffer() {
  if (owner_) return;  // borrowed: the owner frees it
  Cache& c = cache();
  std::lock_guard<std::mutex> lock(c.mutex);
  c.free_blocks[size_].push_back(data_);
  c.stats.cached_bytes += size_ * sizeof(float);
}

Storage allocate(size_t count) { return std::make_shared<Buffer>(count); }

Storage allocate_zeroed(size_t count) {
  Storage s = allocate(count);
  parallel_zero(s->data(), static_cast<int64_t>(count));
  return s;
}

Storage borrow(float* data, size_t count, std::shared_ptr<void> owner) {
  return std::make_shared<Buffer>(data, count, std::move(owner));
}

AllocatorStats allocator_stats() {
  Cache& c = cache();
  std::lock_guard<std::mutex> lock(c.mutex);
  return c.stats;
}

void release_cached_buffers() {
  Cache& c = cache();
  std::lock_guard<std::mutex> lock(c.mutex);
  for (auto& [count, blocks] : c.free_blocks)
    for (float* p : blocks) std::free(p);
  c.free_blocks.clear();
  c.stats.cached_bytes = 0;
}

}  // namespace descent
