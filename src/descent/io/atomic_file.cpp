#include "descent/io/atomic_file.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <utility>

namespace descent {
namespace {

[[noreturn]] void fail(const std::string& what, const std::filesystem::path& path, int err) {
  throw std::runtime_error(what + " " + path.string() + ": " + std::strerror(err));
}

// Closes a descriptor on scope exit unless released; keeps the error paths short.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

void write_all(int fd, std::string_view bytes, const std::filesystem::path& path) {
  const char* p = bytes.data();
  size_t left = bytes.size();
  while (left > 0) {
    const ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("cannot write", path, errno);
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
}

// The rename is only durable once the directory entry itself reaches the disk.
void fsync_directory(const std::filesystem::path& dir) {
  Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) fail("cannot open directory", dir, errno);
  // Some filesystems can't fsync a directory (EINVAL); there is nothing more we could do there.
  if (::fsync(fd.get()) != 0 && errno != EINVAL) fail("cannot fsync directory", dir, errno);
}

}  // namespace

void write_file_atomically(const std::filesystem::path& path, std::string_view bytes) {
  if (path.filename().empty())
    throw std::runtime_error("cannot write " + path.string() + ": not a file name");
  const std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : ".";
  // pid plus a counter keeps concurrent writers (processes or threads) off each other's temporary.
  static std::atomic<uint64_t> counter{0};
  // Built by appending: GCC 12 warns falsely (-Wrestrict) on "literal" + std::string.
  std::string tmp_name = ".";
  tmp_name += path.filename().string();
  tmp_name += ".tmp-";
  tmp_name += std::to_string(::getpid());
  tmp_name += '-';
  tmp_name += std::to_string(counter.fetch_add(1));
  const std::filesystem::path tmp = dir / tmp_name;

  // A replaced file keeps its permissions, as it would if it had been rewritten in place.
  mode_t mode = 0666;  // narrowed by the umask, like any new file
  struct stat st;
  const bool had_target = ::stat(path.c_str(), &st) == 0;
  if (had_target) mode = st.st_mode & 07777;

  Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode));
  if (fd.get() < 0) fail("cannot write", path, errno);
  try {
    if (had_target && ::fchmod(fd.get(), mode) != 0) fail("cannot write", path, errno);
    write_all(fd.get(), bytes, path);
    if (::fsync(fd.get()) != 0) fail("cannot fsync", path, errno);
    // close() can report a deferred write error (e.g. on NFS), so it is checked too.
    if (::close(fd.release()) != 0) fail("cannot write", path, errno);
    if (::rename(tmp.c_str(), path.c_str()) != 0) fail("cannot replace", path, errno);
  } catch (...) {
    ::unlink(tmp.c_str());
    throw;
  }
  fsync_directory(dir);
}

bool is_abandoned_temporary(const std::string& name) {
  const size_t tag = name.rfind(".tmp-");
  if (name.size() < 2 || name[0] != '.' || tag == std::string::npos || tag == 0) return false;
  // "<pid>-<n>", both decimal.
  const std::string rest = name.substr(tag + 5);
  const size_t dash = rest.find('-');
  if (dash == 0 || dash == std::string::npos || dash + 1 == rest.size() || dash > 9 ||
      rest.find_first_not_of("0123456789-") != std::string::npos ||
      rest.find('-', dash + 1) != std::string::npos)
    return false;
  const pid_t pid = static_cast<pid_t>(std::stol(rest.substr(0, dash)));
  // kill(pid, 0) delivers nothing: it only asks whether the process exists (EPERM: it does, as
  // another user's).
  return pid > 0 && ::kill(pid, 0) != 0 && errno == ESRCH;
}

void remove_stale_temporaries(const std::filesystem::path& dir) {
  for (const auto& entry : std::filesystem::directory_iterator(dir))
    if (is_abandoned_temporary(entry.path().filename().string()))
      std::filesystem::remove(entry.path());
}

std::string read_file(const std::filesystem::path& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) fail("cannot read", path, errno);
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) fail("cannot read", path, errno);
  if (S_ISDIR(st.st_mode)) fail("cannot read", path, EISDIR);

  std::string out;
  if (S_ISREG(st.st_mode)) out.reserve(static_cast<size_t>(st.st_size));
  // Read until EOF rather than trusting st_size: the file may be growing or a pipe.
  char buf[1 << 16];
  while (true) {
    const ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("cannot read", path, errno);
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

}  // namespace descent
