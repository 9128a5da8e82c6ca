#include "descent/util/batch_shard.h"

namespace descent {
namespace {
thread_local BatchShard g_shard;
thread_local uint64_t g_serial = 0;
}  // namespace

BatchShard current_batch_shard() { return g_shard; }

BatchShardScope::BatchShardScope(BatchShard shard) : previous_(g_shard) { g_shard = shard; }
BatchShardScope::~BatchShardScope() { g_shard = previous_; }

uint64_t next_batch_serial() { return ++g_serial; }

}  // namespace descent
