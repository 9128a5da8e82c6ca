#pragma once
// Helpers for the end-to-end tests of the `descent` executable: run it capturing stdout, stderr
// and the exit code; per-test temporary directories; a tiny, learnable fake Fashion-MNIST.
#include <fcntl.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace cli_test {

namespace fs = std::filesystem;

inline std::string read_text(const fs::path& path) {
  std::ifstream f(path, std::ios::binary);
  std::ostringstream os;
  os << f.rdbuf();
  return os.str();
}

// One JSON object per non-empty line (metrics.jsonl, curvature.jsonl).
inline std::vector<nlohmann::json> read_jsonl(const fs::path& path) {
  std::vector<nlohmann::json> rows;
  std::istringstream in(read_text(path));
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) rows.push_back(nlohmann::json::parse(line));
  return rows;
}

inline void write_text(const fs::path& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary);
  f << text;
  if (!f) throw std::runtime_error("cannot write " + path.string());
}

// A fresh directory under the system temp directory, removed with everything in it on
// destruction. The name mixes the pid, a counter and a random number so parallel ctest
// processes never collide.
class TempDir {
 public:
  explicit TempDir(const std::string& tag = "descent-cli") {
    static std::atomic<int> counter{0};
    std::random_device rd;
    for (int attempt = 0; attempt < 100; ++attempt) {
      const fs::path p = fs::temp_directory_path() /
                         (tag + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) +
                          "-" + std::to_string(rd() % 1000000));
      std::error_code ec;
      if (fs::create_directory(p, ec)) {
        path_ = p;
        return;
      }
    }
    throw std::runtime_error("cannot create a temporary directory");
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const fs::path& path() const { return path_; }
  fs::path operator/(const std::string& name) const { return path_ / name; }

 private:
  fs::path path_;
};

struct CommandResult {
  int exit_code = -1;  // the exit status, or 128 + signal when killed by a signal
  std::string out, err;
  double seconds = 0;
};

// Runs `program args...` with the working directory `cwd` (so that anything the program writes
// relative to it, such as a default runs/ directory, lands in the test's temp directory).
// stdout and stderr go to files rather than pipes: no deadlock however much is printed. A child
// still running after `timeout` is killed, so a hang fails the test instead of stalling it.
// With `interrupt_when`, the child gets one `interrupt_signal` (SIGINT: as from Ctrl-C) the first
// time it returns true (polled every 5 ms).
inline CommandResult run_command(const std::string& program, const std::vector<std::string>& args,
                                 const fs::path& cwd, const fs::path& capture_dir,
                                 std::chrono::seconds timeout = std::chrono::seconds(120),
                                 const std::function<bool()>& interrupt_when = {},
                                 int interrupt_signal = SIGINT) {
  static std::atomic<int> counter{0};
  const int id = counter++;
  const fs::path out_path = capture_dir / ("stdout-" + std::to_string(id) + ".txt");
  const fs::path err_path = capture_dir / ("stderr-" + std::to_string(id) + ".txt");

  // Everything the child needs is prepared before fork: after it, only async-signal-safe calls.
  std::vector<std::string> argv_text = {program};
  argv_text.insert(argv_text.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_text) argv.push_back(a.data());
  argv.push_back(nullptr);
  const std::string cwd_text = cwd.string();
  const int out_fd = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  const int err_fd = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (out_fd < 0 || err_fd < 0) throw std::runtime_error("cannot create capture files");

  const auto start = std::chrono::steady_clock::now();
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    const int null_fd = ::open("/dev/null", O_RDONLY);
    if (null_fd >= 0) ::dup2(null_fd, 0);
    ::dup2(out_fd, 1);
    ::dup2(err_fd, 2);
    if (::chdir(cwd_text.c_str()) != 0) ::_exit(126);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(out_fd);
  ::close(err_fd);

  int status = 0;
  bool interrupted = false;
  for (;;) {
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) break;
    if (r < 0) throw std::runtime_error("waitpid failed");
    if (interrupt_when && !interrupted && interrupt_when()) {
      ::kill(pid, interrupt_signal);
      interrupted = true;
    }
    if (std::chrono::steady_clock::now() - start > timeout) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  CommandResult result;
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.out = read_text(out_path);
  result.err = read_text(err_path);
  return result;
}

// IDX files (see src/descent/data/idx.h): magic 0x0000TTDD, big-endian uint32 dims, values.
inline std::vector<uint8_t> idx_ubyte(const std::vector<uint32_t>& dims,
                                      const std::vector<uint8_t>& values) {
  std::vector<uint8_t> out = {0, 0, 0x08, static_cast<uint8_t>(dims.size())};
  for (uint32_t d : dims)
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(d >> shift));
  out.insert(out.end(), values.begin(), values.end());
  return out;
}

inline void write_gzip(const fs::path& path, const std::vector<uint8_t>& data) {
  gzFile f = gzopen(path.c_str(), "wb");
  if (!f) throw std::runtime_error("gzopen failed: " + path.string());
  const int written = gzwrite(f, data.data(), static_cast<unsigned>(data.size()));
  const int closed = gzclose(f);
  if (written != static_cast<int>(data.size()) || closed != Z_OK)
    throw std::runtime_error("gzwrite failed: " + path.string());
}

// n 28x28 images and their labels. Class k lights up its own 5x8 block of pixels (bright, with
// jitter) over a dim noisy background, so a small MLP separates the classes within a couple of
// epochs while the noise keeps the loss from being trivially zero.
inline void make_split(int n, uint32_t seed, std::vector<uint8_t>& images,
                       std::vector<uint8_t>& labels) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> noise(0, 60), bright(170, 255), cls(0, 9);
  images.assign(static_cast<size_t>(n) * 28 * 28, 0);
  labels.assign(static_cast<size_t>(n), 0);
  for (int i = 0; i < n; ++i) {
    const int k = cls(rng);
    labels[i] = static_cast<uint8_t>(k);
    uint8_t* img = images.data() + static_cast<size_t>(i) * 28 * 28;
    for (int p = 0; p < 28 * 28; ++p) img[p] = static_cast<uint8_t>(noise(rng));
    const int row0 = 1 + (k % 5) * 5, col0 = 2 + (k / 5) * 13;
    for (int r = row0; r < row0 + 5; ++r)
      for (int c = col0; c < col0 + 8; ++c) img[r * 28 + c] = static_cast<uint8_t>(bright(rng));
  }
}

// The four gzipped IDX files the Fashion-MNIST loader expects, in `dir` (created if needed).
inline void write_fake_fashion_mnist(const fs::path& dir, int n_train = 600, int n_test = 200) {
  fs::create_directories(dir);
  std::vector<uint8_t> images, labels;
  make_split(n_train, 1234, images, labels);
  const uint32_t ntr = static_cast<uint32_t>(n_train), nte = static_cast<uint32_t>(n_test);
  write_gzip(dir / "train-images-idx3-ubyte.gz", idx_ubyte({ntr, 28, 28}, images));
  write_gzip(dir / "train-labels-idx1-ubyte.gz", idx_ubyte({ntr}, labels));
  make_split(n_test, 5678, images, labels);
  write_gzip(dir / "t10k-images-idx3-ubyte.gz", idx_ubyte({nte, 28, 28}, images));
  write_gzip(dir / "t10k-labels-idx1-ubyte.gz", idx_ubyte({nte}, labels));
}

// Every file named `name` anywhere under `root`.
inline std::vector<fs::path> find_named(const fs::path& root, const std::string& name) {
  std::vector<fs::path> found;
  std::error_code ec;
  if (!fs::exists(root, ec)) return found;
  for (auto it = fs::recursive_directory_iterator(root, ec);
       it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) break;
    if (it->path().filename() == name) found.push_back(it->path());
  }
  return found;
}

// A test of the descent executable: each test gets its own temporary working directory (cwd_,
// where relative paths such as a default runs/ land) and a directory for the captured output.
class CommandTest : public ::testing::Test {
 protected:
  explicit CommandTest(const std::string& tag = "descent-cli") : tmp_(tag) {
    fs::create_directories(cwd_);
    fs::create_directories(logs_);
  }

  CommandResult descent(const std::vector<std::string>& args,
                        const std::function<bool()>& interrupt_when = {},
                        int interrupt_signal = SIGINT) const {
    return run_command(DESCENT_BINARY, args, cwd_, logs_, std::chrono::seconds(120), interrupt_when,
                       interrupt_signal);
  }

  // `args` followed by "--set S" for each S of `sets`.
  static std::vector<std::string> with_sets(std::vector<std::string> args,
                                            const std::vector<std::string>& sets) {
    for (const auto& s : sets) {
      args.push_back("--set");
      args.push_back(s);
    }
    return args;
  }

  TempDir tmp_;
  fs::path cwd_ = tmp_ / "cwd", logs_ = tmp_ / "logs";
};

}  // namespace cli_test
