#!/usr/bin/python3
"""One epoch of the default Fashion-MNIST MLP, descent against PyTorch, in one run.

    bench/mlp_epoch.py [--repeats 5] [--descent-threads 2] [--torch-threads 1]

Runs `build/descent train` for one epoch and bench/torch_mlp_epoch.py, alternately, --repeats
times each, and prints each side's median training samples/s, their ratio and each process's peak
resident memory (from wait4's rusage). Both train on the same 55,000 images with the same model,
optimizer and batch size. Each repeat also runs `descent bench gemms` (the step's matrix products
alone, same shapes and threads): its samples/s is the limit the GEMMs set, and descent's fraction
of it is printed. PyTorch's best setting on 2 cores is 1 thread (2 threads oversubscribe
with OpenBLAS); pass --torch-threads to try others.
"""
import argparse
import importlib.util
import json
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent


def run(cmd):
    """Runs cmd, returns (stdout, peak RSS in MiB)."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out = proc.stdout.read()
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{' '.join(map(str, cmd))} failed:\n{out}\n{err}")
    return out, usage.ru_maxrss / 1024.0


def descent_epoch(binary, threads):
    with tempfile.TemporaryDirectory() as tmp:
        out_dir = pathlib.Path(tmp) / "run"
        _, rss = run([binary, "train", "--set", "train.epochs=1", "--threads", str(threads),
                      "--out", str(out_dir)])
        metrics = json.loads((out_dir / "metrics.jsonl").read_text().splitlines()[0])
        buffers = json.loads((out_dir / "diagnostics.json").read_text())["buffers"]
        return metrics["samples_per_second"], rss, buffers


def gemm_limit(binary, threads):
    out, _ = run([binary, "bench", "gemms", "--threads", str(threads)])
    return json.loads(out)["samples_per_second"]


def torch_epoch(threads):
    out, rss = run([sys.executable, str(ROOT / "bench" / "torch_mlp_epoch.py"),
                    "--threads", str(threads)])
    return json.loads(out.strip().splitlines()[-1])["samples_per_second"], rss


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--descent-threads", type=int, default=2)
    parser.add_argument("--torch-threads", type=int, default=1)
    parser.add_argument("--binary", default=str(ROOT / "build" / "descent"))
    args = parser.parse_args()
    # Found, not imported: a child forked from a process holding torch would count torch's pages
    # in its peak memory until it execs.
    if importlib.util.find_spec("torch") is None:
        sys.exit("PyTorch is not installed (apt-get install python3-torch)")

    d_rates, t_rates, d_rss, t_rss, limits = [], [], [], [], []
    for i in range(args.repeats):
        rate, rss, buffers = descent_epoch(args.binary, args.descent_threads)
        d_rates.append(rate)
        d_rss.append(rss)
        limits.append(gemm_limit(args.binary, args.descent_threads))
        rate, rss = torch_epoch(args.torch_threads)
        t_rates.append(rate)
        t_rss.append(rss)
        print(f"repeat {i + 1}: descent {d_rates[-1]:,.0f}  pytorch {t_rates[-1]:,.0f} samples/s",
              flush=True)
    d, t = statistics.median(d_rates), statistics.median(t_rates)
    limit = statistics.median(limits)
    result = {
        "gemm_limit_samples_per_second": round(limit),
        "fraction_of_gemm_limit": round(d / limit, 3),
        "descent_samples_per_second": round(d),
        "pytorch_samples_per_second": round(t),
        "ratio": round(d / t, 3),
        "descent_peak_rss_mib": round(max(d_rss), 1),
        "pytorch_peak_rss_mib": round(max(t_rss), 1),
        "descent_threads": args.descent_threads,
        "pytorch_threads": args.torch_threads,
        "repeats": args.repeats,
        "descent_buffer_system_allocations": buffers["system_allocations"],
        "descent_buffer_cache_hits": buffers["cache_hits"],
    }
    print(f"descent {d:,.0f} samples/s ({args.descent_threads} threads), "
          f"PyTorch {t:,.0f} samples/s ({args.torch_threads} thread(s)): ratio {d / t:.2f}x; "
          f"peak memory descent {max(d_rss):.0f} MiB, PyTorch {max(t_rss):.0f} MiB (medians of "
          f"{args.repeats})")
    print(f"the step's GEMMs alone: {limit:,.0f} samples/s; descent trains at {d / limit:.0%} of that")
    print(f"descent float buffers over the whole run: {buffers['system_allocations']:,} from the "
          f"system, {buffers['cache_hits']:,} reused from the cache")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
