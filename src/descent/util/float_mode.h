#pragma once
// Subnormal floats (magnitudes below 1.2e-38) read and written as zero, as
// torch.set_flush_denormal(True) does: the CPU computes with them about a hundred times slower,
// and an optimizer's moments of near-zero gradients sink into that range after a few epochs (the
// default MLP's epochs went from 88,000 to 60,000 samples/s after the first). Next to eps such
// values change no update. Only this thread's mode (x86 MXCSR's FTZ and DAZ bits); elsewhere a
// no-op.
namespace descent {

class FlushDenormals {
 public:
  explicit FlushDenormals(bool on);  // `on`: flush until destroyed, then restore the mode
  ~FlushDenormals();
  FlushDenormals(const FlushDenormals&) = delete;
  FlushDenormals& operator=(const FlushDenormals&) = delete;

 private:
  unsigned saved_ = 0;
  bool changed_ = false;
};

// This thread's floating-point mode (x86: MXCSR; elsewhere 0), to hand to other threads.
unsigned float_mode();

// Gives this thread `mode` until destroyed (parallel pieces run with their caller's mode).
class SameFloatMode {
 public:
  explicit SameFloatMode(unsigned mode);
  ~SameFloatMode();
  SameFloatMode(const SameFloatMode&) = delete;
  SameFloatMode& operator=(const SameFloatMode&) = delete;

 private:
  unsigned saved_ = 0;
  bool changed_ = false;
};

}  // namespace descent
