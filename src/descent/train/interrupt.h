#pragma once
// Ctrl-C during training: the first SIGINT only raises a flag, so the loop finishes the step in
// progress, writes a checkpoint and stops cleanly; a second SIGINT kills the process as usual.
namespace descent {

// Installs the handler for its lifetime and restores the previous one afterwards.
class InterruptGuard {
 public:
  InterruptGuard();
  ~InterruptGuard();
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;
};

bool interrupt_requested();
void request_interrupt();  // what the handler does; tests call it directly
void clear_interrupt();

}  // namespace descent
