#!/usr/bin/python3
"""One epoch of the default Fashion-MNIST MLP, descent against PyTorch, in one run.

    bench/mlp_epoch.py [--repeats 5] [--descent-threads 2] [--torch-threads 1] [--binary B]
                       [--no-profile]

Runs `build/descent train` for one epoch and bench/torch_mlp_epoch.py, alternately, --repeats
times each, and prints each side's median training samples/s, their ratio and each process's peak
resident memory (from wait4's rusage). Both train on the same 55,000 images with the same model,
optimizer and batch size. Each repeat also runs `descent bench gemms` (the step's matrix products
alone, same shapes and threads): its samples/s is the limit the GEMMs set, and descent's fraction
of it is printed. PyTorch's best setting on 2 cores is 1 thread (2 threads oversubscribe
with OpenBLAS); pass --torch-threads to try others. descent's runs have train.profile on, and
the medians of where their epochs went are printed, the GEMMs beside their time alone (--no-profile
for a build from before train.profile).
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


def descent_epoch(binary, threads, profile):
    with tempfile.TemporaryDirectory() as tmp:
        out_dir = pathlib.Path(tmp) / "run"
        profiled = ["--set", "train.profile=true"] if profile else []
        _, rss = run([binary, "train", "--set", "train.epochs=1", *profiled, "--threads",
                      str(threads), "--out", str(out_dir)])
        metrics = json.loads((out_dir / "metrics.jsonl").read_text().splitlines()[0])
        diagnostics = json.loads((out_dir / "diagnostics.json").read_text())
        return (metrics["samples_per_second"], rss, diagnostics["buffers"],
                diagnostics.get("step_seconds"))


def gemm_limit(binary, threads):
    out, _ = run([binary, "bench", "gemms", "--threads", str(threads)])
    result = json.loads(out)
    return result["samples_per_second"], result["seconds_per_step"]


def torch_epoch(threads):
    out, rss = run([sys.executable, str(ROOT / "bench" / "torch_mlp_epoch.py"),
                    "--threads", str(threads)])
    return json.loads(out.strip().splitlines()[-1])["samples_per_second"], rss


def where_the_epoch_went(phases, gemm_seconds_per_step):
    """Prints the medians of train.profile's step_seconds (one epoch each) and returns them, with
    the GEMMs' seconds alone (`bench gemms` per step, times the epoch's steps)."""
    named = ["zero_grad", "gather", "forward_backward", "gradient_norm", "optimizer", "callbacks"]
    for p in phases:  # per run, then medians: a median of differences, not a difference of medians
        p["rest_of_forward_backward"] = p["forward_backward"] - p["gemm"]
        p["between_phases"] = p["total"] - sum(p[key] for key in named)
    median = {key: statistics.median(p[key] for p in phases) for key in phases[0]}
    median["gemm_alone"] = gemm_seconds_per_step * median["steps"]
    rows = [("steps in all", median["total"], ""),
            ("GEMMs", median["gemm"], f"  (alone: {median['gemm_alone']:.3f})"),
            ("the rest of forward and backward", median["rest_of_forward_backward"], ""),
            ("optimizer", median["optimizer"], ""),
            ("gradient norm", median["gradient_norm"], ""),
            ("gather", median["gather"], ""),
            ("zeroing gradients", median["zero_grad"], ""),
            ("callbacks", median["callbacks"], ""),
            ("between the phases", median["between_phases"], "")]
    print(f"where the epoch went (train.profile, medians of {len(phases)}, seconds):")
    for name, seconds, note in rows:
        print(f"  {name:<34}{seconds:7.3f}{note}")
    return median


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--descent-threads", type=int, default=2)
    parser.add_argument("--torch-threads", type=int, default=1)
    parser.add_argument("--binary", default=str(ROOT / "build" / "descent"))
    parser.add_argument("--no-profile", dest="profile", action="store_false",
                        help="leave train.profile off (builds from before it)")
    args = parser.parse_args()
    # Found, not imported: a child forked from a process holding torch would count torch's pages
    # in its peak memory until it execs.
    if importlib.util.find_spec("torch") is None:
        sys.exit("PyTorch is not installed (apt-get install python3-torch)")

    d_rates, t_rates, d_rss, t_rss, limits, gemm_steps, phases = [], [], [], [], [], [], []
    for i in range(args.repeats):
        rate, rss, buffers, step_seconds = descent_epoch(args.binary, args.descent_threads, args.profile)
        d_rates.append(rate)
        d_rss.append(rss)
        if step_seconds:
            phases.append(step_seconds)
        limit, step = gemm_limit(args.binary, args.descent_threads)
        limits.append(limit)
        gemm_steps.append(step)
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
    if phases:
        result["step_seconds"] = where_the_epoch_went(phases, statistics.median(gemm_steps))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
