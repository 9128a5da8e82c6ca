#pragma once
// Ctrl-C (SIGINT) and SIGTERM (what `kill`, `timeout` and job schedulers send) during training:
// the first one only raises a flag, so the loop finishes the step in progress, writes a
// checkpoint and stops cleanly; a second one ends the process as usual.
namespace descent {

// Installs the handlers for its lifetime and restores the previous ones afterwards.
class InterruptGuard {
 public:
  InterruptGuard();
  ~InterruptGuard();
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;
};

bool interrupt_requested();
void request_interrupt();  // what the handler does; tests call it directly
void clear_interrupt();    // the request was acted on (the signal stays known)

// The signal that asked to stop since the guard was installed (SIGINT, SIGTERM), 0 if none, and
// its name as a person knows it ("Ctrl-C", "SIGTERM"; "" for request_interrupt()).
int interrupt_signal();
const char* interrupt_name();

}  // namespace descent
