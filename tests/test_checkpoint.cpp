// Checkpoint files: round trip, refusal of what is not a checkpoint, and crash safety: a process
// killed part-way through writing a new checkpoint leaves the previous one loadable.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli_fixtures.h"
#include "descent/io/atomic_file.h"
#include "descent/io/safetensors.h"
#include "descent/train/checkpoint.h"
#include "throws_with.h"

namespace descent {
namespace test_checkpoint {

namespace fs = std::filesystem;
using testutil::throws_with;

Checkpoint make_checkpoint(int64_t epoch, int64_t numel) {
  Checkpoint cp;
  cp.meta["loop"] = {{"epoch", epoch}};
  std::vector<float> values(static_cast<size_t>(numel));
  for (int64_t i = 0; i < numel; ++i) values[i] = static_cast<float>(epoch) + 1e-3f * (i % 1000);
  cp.add_tensors("model", {{"0.weight", Tensor::from({numel}, values)}});
  return cp;
}

TEST(Checkpoint, RoundTripKeepsMetaAndTensorsByPrefix) {
  cli_test::TempDir tmp("descent-ckpt");
  Checkpoint cp = make_checkpoint(3, 10);
  cp.add_tensors("optimizer", {{"state.0.exp_avg", Tensor::full({2, 2}, 0.5f)}});
  save_checkpoint(tmp / "c.safetensors", cp);
  const Checkpoint back = load_checkpoint(tmp / "c.safetensors");
  EXPECT_EQ(back.meta, cp.meta);
  const auto model = back.tensors_under("model");
  ASSERT_EQ(model.size(), 1u);
  EXPECT_EQ(model[0].name, "0.weight");
  EXPECT_EQ(model[0].tensor.to_vector(), cp.tensors[0].tensor.to_vector());
  const auto opt = back.tensors_under("optimizer");
  ASSERT_EQ(opt.size(), 1u);
  EXPECT_EQ(opt[0].name, "state.0.exp_avg");
}

TEST(Checkpoint, RefusesFilesThatAreNotCheckpoints) {
  cli_test::TempDir tmp("descent-ckpt");
  save_safetensors(tmp / "weights.safetensors", {{"w", Tensor::zeros({2})}});
  EXPECT_TRUE(throws_with<FormatError>([&] { load_checkpoint(tmp / "weights.safetensors"); },
                                       {"weights.safetensors", "not a descent checkpoint"}));
  write_file_atomically(tmp / "junk", "not safetensors at all");
  EXPECT_TRUE(throws_with<FormatError>([&] { load_checkpoint(tmp / "junk"); }, {"junk"}));
  EXPECT_TRUE(
      throws_with<std::runtime_error>([&] { load_checkpoint(tmp / "missing"); }, {"missing"}));
}

TEST(Checkpoint, AWriteKilledPartWayLeavesThePreviousOneLoadable) {
  cli_test::TempDir tmp("descent-ckpt");
  const fs::path path = tmp / "checkpoint.safetensors";
  save_checkpoint(path, make_checkpoint(1, 100));
  // The next checkpoint is large (256 MiB) so that writing it takes a while; the writer is
  // killed with SIGKILL as soon as its temporary file appears, i.e. mid-write.
  const std::string next = encode_checkpoint(make_checkpoint(2, 64 << 20));
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    try {
      write_file_atomically(path, next);
    } catch (...) {
    }
    ::_exit(0);
  }
  bool saw_temporary = false;
  for (int i = 0; i < 20000 && !saw_temporary; ++i) {
    for (const auto& entry : fs::directory_iterator(tmp.path()))
      if (entry.path().filename().string().rfind(".checkpoint.safetensors.tmp-", 0) == 0)
        saw_temporary = true;
    if (!saw_temporary) ::usleep(50);
  }
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(saw_temporary) << "the writer never started its temporary file";
  const bool killed = WIFSIGNALED(status);
  const Checkpoint loaded = load_checkpoint(path);  // must load either way
  if (killed) {
    EXPECT_EQ(loaded.meta.at("loop").at("epoch"), 1) << "the old checkpoint, untouched";
    EXPECT_EQ(loaded.tensors_under("model")[0].tensor.numel(), 100);
  } else {
    EXPECT_EQ(loaded.meta.at("loop").at("epoch"), 2) << "the writer finished: the new one";
  }
}

}  // namespace test_checkpoint
}  // namespace descent
