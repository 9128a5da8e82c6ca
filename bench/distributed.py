#!/usr/bin/python3
"""Data-parallel training on this machine, and the step time model for many (docs/distributed.md).

    bench/distributed.py [--repeats 3] [--epochs 1]

Measures, alternating the settings --repeats times and taking medians:
  * one epoch of the default Fashion-MNIST MLP as 1 process x 2 threads, and as
    `mpirun -np 2` x 1 thread with the allreduce path, with and without overlapping the
    gradient sums with backward (train.overlap_reduction), and with deterministic_reduction;
    samples/s of the epoch, and rank 0's seconds waiting for gradient sums per step;
  * `descent bench allreduce` over shared memory and over TCP (loopback), fitted to
    t(n) = alpha + beta' n for 2 ranks.
Then prints the model: step = compute + alpha log2 p + 2 beta n (p - 1) / p (ring allreduce: a
reduce-scatter and an all-gather, each moving n (p - 1) / p bytes per rank), for 8 to 256 machines
at 10 and 100 Gb/s, and the per-machine batch at which scaling efficiency (compute / step) stays
at or above 80%, with compute per sample as measured here on 2 threads. Run from the repository
root after building (build/descent).
"""
import argparse
import json
import math
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
           OMPI_MCA_rmaps_base_oversubscribe="1")
PARAMS = 784 * 256 + 256 + 256 * 256 + 256 + 256 * 10 + 10  # the default MLP's


def run(cmd):
    proc = subprocess.run(cmd, capture_output=True, text=True, env=ENV)
    if proc.returncode != 0:
        sys.exit(f"{' '.join(map(str, cmd))} failed:\n{proc.stdout}\n{proc.stderr}")
    return proc.stdout


def epoch(binary, ranks, epochs, *sets):
    with tempfile.TemporaryDirectory() as tmp:
        out = pathlib.Path(tmp) / "run"
        threads = 2 if ranks == 1 else 1
        cmd = [binary, "train", "-q", "--no-report", "--threads", str(threads),
               "--set", f"train.epochs={epochs}", "--out", str(out)]
        for s in sets:
            cmd += ["--set", s]
        if ranks > 1:
            cmd = ["mpirun", "-np", str(ranks)] + cmd
        run(cmd)
        lines = [json.loads(l) for l in (out / "metrics.jsonl").read_text().splitlines()]
        samples_per_second = statistics.median(m["samples_per_second"] for m in lines)
        steps = sum(m["steps"] for m in lines)
        diag = json.loads((out / "diagnostics.json").read_text())
        wait = diag.get("distributed", {}).get("reduction_wait_seconds", 0.0)
        return samples_per_second, wait / steps


def allreduce(binary, tcp):
    cmd = ["mpirun", "-np", "2"]
    if tcp:
        cmd += ["--mca", "pml", "ob1", "--mca", "btl", "self,tcp"]
    cmd += [binary, "bench", "allreduce", "--sizes", "1,1000,10000,100000,1000000",
            "--repeats", "30"]
    return [json.loads(l) for l in run(cmd).splitlines()]


def fit(points):
    """Least squares t = alpha + beta n over (bytes, seconds)."""
    xs = [p["bytes"] for p in points]
    ys = [p["seconds_median"] for p in points]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    beta = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)
    alpha = points[0]["seconds_median"]  # the smallest message: latency alone
    return alpha, beta


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--binary", default=str(ROOT / "build" / "descent"))
    args = parser.parse_args()
    settings = {
        "1 process x 2 threads": (1, ()),
        "2 ranks x 1 thread, overlap": (2, ()),
        "2 ranks x 1 thread, no overlap": (2, ("train.overlap_reduction=false",)),
        "2 ranks x 1 thread, deterministic": (2, ("train.deterministic_reduction=true",)),
    }
    results = {name: [] for name in settings}
    for _ in range(args.repeats):
        for name, (ranks, sets) in settings.items():
            results[name].append(epoch(args.binary, ranks, args.epochs, *sets))
    base = statistics.median(r[0] for r in results["1 process x 2 threads"])
    print("| setting | samples/s | vs 1 process | waiting for sums per step |")
    print("|---|---|---|---|")
    for name, runs in results.items():
        sps = statistics.median(r[0] for r in runs)
        wait = statistics.median(r[1] for r in runs)
        print(f"| {name} | {sps:,.0f} | {sps / base:.2f}x | {wait * 1e6:.0f} µs |")

    shm, tcp = allreduce(args.binary, False), allreduce(args.binary, True)
    print("\n| floats | shared memory | TCP loopback |")
    print("|---|---|---|")
    for a, b in zip(shm, tcp):
        print(f"| {a['floats']:,} | {a['seconds_median'] * 1e6:.1f} µs | "
              f"{b['seconds_median'] * 1e6:.1f} µs |")
    for name, points in (("shared memory", shm), ("TCP loopback", tcp)):
        alpha, beta = fit(points)
        print(f"{name}: alpha {alpha * 1e6:.1f} µs, {1 / beta / 1e9:.2f} GB/s per byte summed")

    # The model. Compute per sample: the single process's epoch, 2 threads (one machine).
    per_sample = 1.0 / base
    n = 4 * PARAMS
    alpha_net = max(fit(tcp)[0], 20e-6)  # a real network's latency is no less than loopback's
    print(f"\nstep model: compute {per_sample * 1e6:.2f} µs per sample (measured), gradient "
          f"{n / 1e6:.2f} MB, alpha {alpha_net * 1e6:.0f} µs per hop")
    print("| machines | 10 Gb/s: allreduce | batch per machine for 80% | global batch | "
          "100 Gb/s: allreduce | batch per machine for 80% | global batch |")
    print("|---|---|---|---|---|---|---|")
    for p in (8, 16, 32, 64, 128, 256):
        row = [str(p)]
        for gbit in (10, 100):
            beta = 8 / (gbit * 1e9)
            comm = alpha_net * math.log2(p) + 2 * beta * n * (p - 1) / p
            # compute / (compute + comm) >= 0.8  <=>  compute >= 4 comm
            batch = math.ceil(4 * comm / per_sample)
            row += [f"{comm * 1e3:.2f} ms", f"{batch:,}", f"{batch * p:,}"]
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
