// descent bench optimizer --optimizer SPEC [--params N] [--steps K] [--warmup W] [--threads T]
// descent bench optimizer --list
// descent bench sgemm [--m M] [--n N] [--k K]  (below)
// descent bench gemms [--layers 784,256,256,10] [--batch 128]  (below)
//
// Times optimizer steps on one parameter tensor of N floats with a fixed random gradient: W
// warm-up steps (they also create the state buffers), then K steps timed one by one. Prints JSON
// with the median ms per step and the memory traffic it implies:
//   bytes_per_step = 4 * (3 N + 2 S)
// reads of parameter, gradient and every state buffer plus writes of parameter and every state
// buffer, S the floats in the optimizer's state after the warm-up (Adam: S = 2N, 28 bytes per
// parameter). `descent bench` is a group so that other benchmarks can join it.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "descent/distributed/communicator.h"
#include "descent/ops/ops.h"
#include "descent/optim/registry.h"
#include "descent/util/random.h"
#include "descent/util/threads.h"

namespace cli {
namespace {

void add_bench_optimizer(CLI::App& bench) {
  struct Options {
    std::string optimizer;
    int64_t params = 10'000'000, steps = 50, warmup = 5;
    int threads = 0;
    bool list = false, measure_updates = false;
  };
  auto opts = std::make_shared<Options>();
  CLI::App* cmd = bench.add_subcommand("optimizer", "Time optimizer steps on N parameters (JSON)");
  // Not ->required(): --list runs without it. The help says so instead.
  cmd->add_option("--optimizer", opts->optimizer,
                  "REQUIRED (unless --list): optimizer SPEC, e.g. sgd:momentum=0.9")
      ->type_name("SPEC");
  cmd->add_option("--params", opts->params, "Parameters in the one tensor (default 10000000)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--steps", opts->steps, "Timed steps (default 50)")->check(CLI::PositiveNumber);
  cmd->add_option("--warmup", opts->warmup, "Untimed steps first (default 5)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--threads", opts->threads, "Threads (0: all cores; at most 4 per core)")
      ->type_name("N")
      ->check(CLI::Range(0, descent::max_threads()));
  cmd->add_flag("--measure-updates", opts->measure_updates,
                "Measure each step's update norms too, as training does for update_ratio");
  cmd->add_flag("--list", opts->list, "Print the optimizer names, one per line, and exit");
  cmd->callback([opts] {
    if (opts->list) {
      for (const auto& info : descent::optimizer_registry()) std::printf("%s\n", info.name.c_str());
      return;
    }
    if (opts->optimizer.empty())
      throw std::invalid_argument("bench optimizer: --optimizer SPEC is required (see --list)");
    descent::set_num_threads(opts->threads);
    const int64_t n = opts->params;
    descent::Generator gen(42);
    descent::Tensor p = descent::Tensor::normal({n}, 0.0f, 1.0f, gen);
    p.requires_grad_();
    float* g = p.grad_data();
    for (int64_t i = 0; i < n; ++i) g[i] = static_cast<float>(0.01 * gen.normal());
    auto opt = descent::make_optimizer(opts->optimizer, {p});
    std::vector<descent::UpdateNorms> norms;
    if (opts->measure_updates) opt->measure_updates({p}, &norms);
    // Always a closure, for optimizers that need one; it leaves the fixed gradient alone.
    const descent::Closure closure = [] { return 0.0f; };
    for (int64_t s = 0; s < opts->warmup; ++s) opt->step(closure);

    std::vector<double> ms;
    for (int64_t s = 0; s < opts->steps; ++s) {
      const auto t0 = std::chrono::steady_clock::now();
      opt->step(closure);
      ms.push_back(
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    }
    std::vector<double> sorted = ms;
    std::sort(sorted.begin(), sorted.end());
    const size_t m = sorted.size();
    const double median = m % 2 ? sorted[m / 2] : 0.5 * (sorted[m / 2 - 1] + sorted[m / 2]);

    // The state after the warm-up (state_dict copies it once, outside the timing).
    int64_t state_floats = 0;
    nlohmann::json buffers = nlohmann::json::array();
    for (const auto& nt : opt->state_dict().tensors) {
      state_floats += nt.tensor.numel();
      buffers.push_back(nt.name.substr(nt.name.find('.', 6) + 1));  // "state.0.exp_avg"
    }
    const double bytes = 4.0 * (3.0 * static_cast<double>(n) + 2.0 * state_floats);
    const nlohmann::json out = {{"optimizer", opts->optimizer},
                                {"params", n},
                                {"steps", opts->steps},
                                {"warmup", opts->warmup},
                                {"threads", descent::num_threads()},
                                {"measure_updates", opts->measure_updates},
                                {"ms_per_step", median},
                                {"ms_min", sorted.front()},
                                {"gb_per_s", bytes / (median * 1e-3) / 1e9},
                                {"bytes_per_step", bytes},
                                {"state_buffers", buffers}};
    std::printf("%s\n", out.dump().c_str());
  });
}

// descent bench sgemm [--m M] [--n N] [--k K] [--repeats R] [--threads T]: the machine's SGEMM
// rate through the same CBLAS as every op: the median of R products [M, K] x [K, N] (after one
// untimed), as JSON with GFLOP/s = 2 M N K / seconds. bench/landscape.py divides the loss
// landscape's rate by it.
void add_bench_sgemm(CLI::App& bench) {
  struct Options {
    int64_t m = 2048, n = 2048, k = 2048, repeats = 10;
    int threads = 0;
  };
  auto opts = std::make_shared<Options>();
  CLI::App* cmd = bench.add_subcommand("sgemm", "Time float matrix products (JSON GFLOP/s)");
  cmd->add_option("--m", opts->m, "Rows of the product (default 2048)")->check(CLI::PositiveNumber);
  cmd->add_option("--n", opts->n, "Columns of the product (default 2048)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--k", opts->k, "The inner dimension (default 2048)")->check(CLI::PositiveNumber);
  cmd->add_option("--repeats", opts->repeats, "Timed products (default 10)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--threads", opts->threads, "Threads (0: all cores; at most 4 per core)")
      ->type_name("N")
      ->check(CLI::Range(0, descent::max_threads()));
  cmd->callback([opts] {
    descent::set_num_threads(opts->threads);
    descent::Generator gen(1);
    const descent::Tensor a = descent::Tensor::normal({opts->m, opts->k}, 0, 1, gen);
    const descent::Tensor b = descent::Tensor::normal({opts->k, opts->n}, 0, 1, gen);
    descent::matmul(a, b);
    std::vector<double> seconds;
    for (int64_t r = 0; r < opts->repeats; ++r) {
      const auto t0 = std::chrono::steady_clock::now();
      descent::matmul(a, b);
      seconds.push_back(
          std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    std::sort(seconds.begin(), seconds.end());
    const double median = seconds[seconds.size() / 2];
    const double flops = 2.0 * static_cast<double>(opts->m) * static_cast<double>(opts->n) *
                         static_cast<double>(opts->k);
    const nlohmann::json out = {{"m", opts->m},
                                {"n", opts->n},
                                {"k", opts->k},
                                {"threads", descent::num_threads()},
                                {"seconds", median},
                                {"gflops", flops / median / 1e9},
                                {"gflops_best", flops / seconds.front() / 1e9}};
    std::printf("%s\n", out.dump().c_str());
  });
}

// descent bench gemms [--layers 784,256,256,10] [--batch B] [--steps S] [--repeats R]
// [--threads T]: the limit the GEMMs set on training an MLP of these widths: exactly the products
// of S training steps of batch B (per layer: forward x W^T; backward g^T x, and g W for every layer
// but the first, whose input needs no gradient) on random matrices, with nothing else. Prints JSON:
// the median over R runs of samples/s and GFLOP/s. bench/mlp_epoch.py divides the training's
// samples/s by it.
void add_bench_gemms(CLI::App& bench) {
  struct Options {
    std::vector<int64_t> layers = {784, 256, 256, 10};
    int64_t batch = 128, steps = 100, repeats = 5;
    int threads = 0;
  };
  auto opts = std::make_shared<Options>();
  CLI::App* cmd =
      bench.add_subcommand("gemms", "Time an MLP training step's matrix products alone (JSON)");
  cmd->add_option("--layers", opts->layers, "Widths, input first (default 784,256,256,10)")
      ->delimiter(',')
      ->check(CLI::PositiveNumber);
  cmd->add_option("--batch", opts->batch, "Batch size (default 128)")->check(CLI::PositiveNumber);
  cmd->add_option("--steps", opts->steps, "Steps per run (default 100)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--repeats", opts->repeats, "Timed runs (default 5)")->check(CLI::PositiveNumber);
  cmd->add_option("--threads", opts->threads, "Threads (0: all cores; at most 4 per core)")
      ->type_name("N")
      ->check(CLI::Range(0, descent::max_threads()));
  cmd->callback([opts] {
    const std::vector<int64_t>& w = opts->layers;
    if (w.size() < 2) throw std::invalid_argument("bench gemms: --layers needs at least 2 widths");
    descent::set_num_threads(opts->threads);
    descent::Generator gen(1);
    const int64_t b = opts->batch;
    std::vector<descent::Tensor> acts, grads, weights, weight_grads;
    double flops = 0;
    for (size_t l = 0; l + 1 < w.size(); ++l) {
      acts.push_back(descent::Tensor::normal({b, w[l]}, 0, 1, gen));
      grads.push_back(descent::Tensor::normal({b, w[l + 1]}, 0, 1, gen));
      weights.push_back(descent::Tensor::normal({w[l + 1], w[l]}, 0, 1, gen));
      weight_grads.push_back(descent::Tensor::zeros({w[l + 1], w[l]}));
      flops += 2.0 * static_cast<double>(b * w[l] * w[l + 1]) * (l == 0 ? 2 : 3);
    }
    std::vector<descent::Tensor> outs, input_grads;
    for (size_t l = 0; l + 1 < w.size(); ++l) {
      outs.push_back(descent::Tensor::zeros({b, w[l + 1]}));
      input_grads.push_back(descent::Tensor::zeros({b, w[l]}));
    }
    auto step = [&] {
      for (size_t l = 0; l + 1 < w.size(); ++l)
        descent::sgemm(false, true, b, w[l + 1], w[l], acts[l].data(), weights[l].data(), 1.0f,
                       outs[l].data());
      for (size_t l = w.size() - 1; l-- > 0;) {
        if (l > 0)
          descent::sgemm(false, false, b, w[l], w[l + 1], grads[l].data(), weights[l].data(), 1.0f,
                         input_grads[l].data());
        descent::sgemm(true, false, w[l + 1], w[l], b, grads[l].data(), acts[l].data(), 1.0f,
                       weight_grads[l].data());
      }
    };
    for (int64_t s = 0; s < 10; ++s) step();  // warm-up: OpenBLAS's threads and buffers
    std::vector<double> seconds;
    for (int64_t r = 0; r < opts->repeats; ++r) {
      const auto t0 = std::chrono::steady_clock::now();
      for (int64_t s = 0; s < opts->steps; ++s) step();
      seconds.push_back(
          std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    std::sort(seconds.begin(), seconds.end());
    const double median = seconds[seconds.size() / 2] / static_cast<double>(opts->steps);
    const nlohmann::json out = {{"layers", w},
                                {"batch", b},
                                {"threads", descent::num_threads()},
                                {"flops_per_sample", flops / static_cast<double>(b)},
                                {"seconds_per_step", median},
                                {"samples_per_second", static_cast<double>(b) / median},
                                {"gflops", flops / median / 1e9}};
    std::printf("%s\n", out.dump().c_str());
  });
}

// mpirun -np P descent bench allreduce [--sizes 1000,1000000] [--repeats R]: the time one sum of
// N floats over the ranks takes (MPI_Allreduce, as training sums gradients), median of R, for the
// step time model in docs/distributed.md (alpha log p + beta n (p - 1) / p). Rank 0 prints JSON,
// one line per size.
void add_bench_allreduce(CLI::App& bench) {
  struct Options {
    std::vector<int64_t> sizes = {1, 1000, 10000, 100000, 1000000};
    int64_t repeats = 50;
  };
  auto opts = std::make_shared<Options>();
  CLI::App* cmd = bench.add_subcommand(
      "allreduce", "Time summing N floats over the ranks of mpirun (JSON, from rank 0)");
  cmd->add_option("--sizes", opts->sizes, "Floats per sum (default 1,1000,10000,100000,1000000)")
      ->delimiter(',')
      ->check(CLI::PositiveNumber);
  cmd->add_option("--repeats", opts->repeats, "Timed sums per size (default 50)")
      ->check(CLI::PositiveNumber);
  cmd->callback([opts] {
    descent::Communicator& world = descent::world();
    for (const int64_t n : opts->sizes) {
      std::vector<float> data(static_cast<size_t>(n), 1.0f);
      for (int i = 0; i < 5; ++i) world.sum(data.data(), n);  // warm-up: connections, buffers
      std::vector<double> seconds;
      for (int64_t r = 0; r < opts->repeats; ++r) {
        world.any(false);  // every rank starts together
        const auto t0 = std::chrono::steady_clock::now();
        world.sum(data.data(), n);
        seconds.push_back(
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
      }
      std::sort(seconds.begin(), seconds.end());
      const nlohmann::json out = {{"ranks", world.size()},
                                  {"floats", n},
                                  {"bytes", 4 * n},
                                  {"seconds_median", seconds[seconds.size() / 2]},
                                  {"seconds_best", seconds.front()}};
      if (world.rank() == 0) std::printf("%s\n", out.dump().c_str());
    }
  });
}

}  // namespace

void add_bench_command(CLI::App& app) {
  CLI::App* bench = app.add_subcommand("bench", "Benchmarks (descent bench optimizer ...)");
  bench->require_subcommand(1);
  add_bench_optimizer(*bench);
  add_bench_sgemm(*bench);
  add_bench_gemms(*bench);
  add_bench_allreduce(*bench);
}

}  // namespace cli
