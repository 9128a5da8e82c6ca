#include "descent/util/float_mode.h"

#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
#endif

namespace descent {
namespace {

// `mode` with subnormals flushed.
unsigned flushing_denormals(unsigned mode) {
#if defined(__x86_64__) || defined(__i386__)
  constexpr unsigned kFlushToZero = 0x8000;     // results that would be subnormal are 0
  constexpr unsigned kDenormalsAreZero = 0x40;  // subnormal inputs are read as 0
  return mode | kFlushToZero | kDenormalsAreZero;
#else
  return mode;
#endif
}

}  // namespace

unsigned float_mode() {
#if defined(__x86_64__) || defined(__i386__)
  return _mm_getcsr();
#else
  return 0;
#endif
}

FloatModeScope::FloatModeScope(unsigned mode) {
#if defined(__x86_64__) || defined(__i386__)
  saved_ = _mm_getcsr();
  if (saved_ == mode) return;
  _mm_setcsr(mode);
  changed_ = true;
#else
  (void)mode;
#endif
}

FloatModeScope::~FloatModeScope() {
#if defined(__x86_64__) || defined(__i386__)
  if (changed_) _mm_setcsr(saved_);
#endif
}

FlushDenormals::FlushDenormals(bool on)
    : scope_(on ? flushing_denormals(float_mode()) : float_mode()) {}

}  // namespace descent
