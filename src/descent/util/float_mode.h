#pragma once
// A thread's floating-point mode (x86: MXCSR), set for a scope and restored after; elsewhere
// every call here is a no-op.
//
// FlushDenormals: subnormal floats (magnitudes below 1.2e-38) read and written as zero, as
// torch.set_flush_denormal(True) does: the CPU computes with them about a hundred times slower,
// and an optimizer's moments of near-zero gradients sink into that range after a few epochs (the
// default MLP's epochs went from 88,000 to 60,000 samples/s after the first). Next to eps such
// values change no update.
namespace descent {

// This thread's floating-point mode (x86: MXCSR; elsewhere 0), to hand to other threads.
unsigned float_mode();

// Gives this thread `mode` until destroyed, then restores its own (parallel pieces run with their
// caller's mode).
class FloatModeScope {
 public:
  explicit FloatModeScope(unsigned mode);
  ~FloatModeScope();
  FloatModeScope(const FloatModeScope&) = delete;
  FloatModeScope& operator=(const FloatModeScope&) = delete;

 private:
  unsigned saved_ = 0;
  bool changed_ = false;
};

// `on`: this thread flushes subnormals to zero until destroyed (x86: FTZ and DAZ set); else
// nothing changes.
class FlushDenormals {
 public:
  explicit FlushDenormals(bool on);

 private:
  FloatModeScope scope_;
};

}  // namespace descent
