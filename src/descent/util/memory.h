#pragma once
// What this process may still allocate, so that a size read from a file or a configuration
// (an IDX header, data.size, a layer's width) is refused with a message saying how much it needs,
// before the allocation, rather than ending in std::bad_alloc or the kernel's out-of-memory kill.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace descent {

// A size that does not fit in the memory left; what() names the thing and both sizes.
class MemoryLimitError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Bytes the process can still take: the least of the system's available memory (MemAvailable),
// the room under the address-space limit (ulimit -v) and under the cgroup's memory limit.
uint64_t available_memory();

// "3.1 TB", "512 MB", "120 bytes": decimal units, as df and free -H print them.
std::string byte_text(double bytes);

// Throws MemoryLimitError "<what> needs <bytes>, more than the <available> of memory available"
// (with what is being done, util/work_context.h) when `bytes` does not fit in available_memory()
// plus `reusable`, memory the process holds free for reuse (the tensor buffer cache).
void check_fits_in_memory(double bytes, const std::string& what, uint64_t reusable = 0);

// Asks the kernel to back the whole 2 MiB pages inside [data, data + bytes) with huge pages
// (madvise MADV_HUGEPAGE), before the memory is first written: a large table read at random rows,
// a dataset's images, then takes far fewer TLB misses. A hint: where the kernel does not offer
// huge pages, nothing changes.
void advise_huge_pages(void* data, size_t bytes);

}  // namespace descent
