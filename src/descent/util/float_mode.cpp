#include "descent/util/float_mode.h"

#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
#endif

namespace descent {
namespace {
#if defined(__x86_64__) || defined(__i386__)
constexpr unsigned kFlushToZero = 0x8000;     // results that would be subnormal are 0
constexpr unsigned kDenormalsAreZero = 0x40;  // subnormal inputs are read as 0
#endif
}  // namespace

FlushDenormals::FlushDenormals(bool on) {
#if defined(__x86_64__) || defined(__i386__)
  if (!on) return;
  saved_ = _mm_getcsr();
  _mm_setcsr(saved_ | kFlushToZero | kDenormalsAreZero);
  changed_ = true;
#else
  (void)on;
#endif
}

FlushDenormals::~FlushDenormals() {
#if defined(__x86_64__) || defined(__i386__)
  if (changed_) _mm_setcsr(saved_);
#endif
}

unsigned float_mode() {
#if defined(__x86_64__) || defined(__i386__)
  return _mm_getcsr();
#else
  return 0;
#endif
}

SameFloatMode::SameFloatMode(unsigned mode) {
#if defined(__x86_64__) || defined(__i386__)
  saved_ = _mm_getcsr();
  if (saved_ == mode) return;
  _mm_setcsr(mode);
  changed_ = true;
#else
  (void)mode;
#endif
}

SameFloatMode::~SameFloatMode() {
#if defined(__x86_64__) || defined(__i386__)
  if (changed_) _mm_setcsr(saved_);
#endif
}

}  // namespace descent
