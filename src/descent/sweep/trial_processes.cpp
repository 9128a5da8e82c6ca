#include "descent/sweep/trial_processes.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <map>
#include <stdexcept>
#include <string_view>
#include <thread>

#include "descent/train/interrupt.h"

namespace descent::sweep {
namespace {

// Forks and execs one job; the child does only async-signal-safe work before exec.
// The environment without an MPI launcher's variables: under `mpirun descent sweep`, a trial is a
// process of its own, not a rank of the sweep's world (which would make it join the world).
std::vector<std::string> environment_without_launcher() {
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) {
    const std::string_view v(*e);
    if (v.starts_with("OMPI_") || v.starts_with("PMIX_") || v.starts_with("PMI_")) continue;
    env.emplace_back(v);
  }
  return env;
}

pid_t start(const std::filesystem::path& program, const TrialJob& job) {
  std::vector<std::string> words = {program.string()};
  words.insert(words.end(), job.args.begin(), job.args.end());
  std::vector<char*> argv;
  for (std::string& w : words) argv.push_back(w.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_words = environment_without_launcher();
  std::vector<char*> envp;
  for (std::string& w : env_words) envp.push_back(w.data());
  envp.push_back(nullptr);
  const std::string log = job.log.string();
  const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error("cannot open " + log + ": " + std::strerror(errno));
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) {
    const int err = errno;
    ::close(fd);
    throw std::runtime_error(std::string("cannot start a trial process: fork: ") +
                             std::strerror(err));
  }
  if (pid == 0) {
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) ::_exit(143);  // the sweep died before prctl took effect
    ::dup2(fd, STDOUT_FILENO);
    ::dup2(fd, STDERR_FILENO);
    const int null_in = ::open("/dev/null", O_RDONLY);
    if (null_in >= 0) ::dup2(null_in, STDIN_FILENO);
    ::execve(argv[0], argv.data(), envp.data());
    const char msg[] = "descent sweep: cannot run the descent program\n";
    (void)!::write(STDERR_FILENO, msg, sizeof msg - 1);
    ::_exit(127);
  }
  ::close(fd);
  return pid;
}

int exit_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 1;
}

}  // namespace

std::filesystem::path descent_program() {
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec)
    throw std::runtime_error("cannot find the descent program: /proc/self/exe: " + ec.message());
  return self;
}

bool run_trial_processes(const std::filesystem::path& program, const std::vector<TrialJob>& jobs,
                         int parallel, const std::function<void(const TrialExit&)>& on_exit) {
  std::map<pid_t, const TrialJob*> running;
  size_t next = 0;
  bool stopping = false;
  while (next < jobs.size() || !running.empty()) {
    if (interrupt_requested() && !stopping) {
      stopping = true;
      for (const auto& [pid, job] : running) ::kill(pid, SIGTERM);
    }
    while (!stopping && next < jobs.size() && static_cast<int>(running.size()) < parallel) {
      const TrialJob& job = jobs[next++];
      running.emplace(start(program, job), &job);
    }
    int status = 0;
    const pid_t done = ::waitpid(-1, &status, WNOHANG);
    if (done > 0) {
      const auto it = running.find(done);
      if (it == running.end()) continue;  // not a trial of ours
      const TrialExit exit{it->second->name, exit_status(status)};
      running.erase(it);
      on_exit(exit);
      continue;
    }
    if (done < 0 && errno == ECHILD) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return !stopping;
}

}  // namespace descent::sweep
