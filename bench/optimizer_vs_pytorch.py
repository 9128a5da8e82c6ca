#!/usr/bin/python3
"""Optimizer step time, descent against torch.optim, in one run.

    bench/optimizer_vs_pytorch.py [SPEC ...] [--params 10000000] [--steps 20] [--repeats 3]
                                  [--torch-threads 1] [--binary build/descent]

For each optimizer SPEC (default: sgd:momentum=0.9, adam, adamw, then every other name that both
`descent bench optimizer --list` and torch.optim know) it runs `descent bench optimizer` and the
same steps with torch.optim on one tensor of --params floats with a fixed random gradient:
PyTorch's default single-tensor path (foreach=False) and, where torch 1.13 has it, foreach=True.
Each side is repeated --repeats times, alternating, and the medians are printed: descent ms/step,
its GB/s (bytes_per_step from descent: reads of parameter, gradient and state, writes of parameter
and state), the fraction of the machine's copy bandwidth (measured first with numpy), PyTorch
ms/step and the ratio PyTorch/descent (above 1: descent is faster).

descent's loops are single-threaded; PyTorch runs with --torch-threads intra-op threads (default 1,
the same work on the same core count; pass 0 to leave torch's default).
"""
import argparse
import inspect
import json
import pathlib
import statistics
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent

TORCH_NAMES = {"sgd": "SGD", "adam": "Adam", "adamw": "AdamW", "adagrad": "Adagrad",
               "adadelta": "Adadelta", "adamax": "Adamax", "asgd": "ASGD", "nadam": "NAdam",
               "radam": "RAdam", "rmsprop": "RMSprop", "rprop": "Rprop"}
# descent's SPEC keys for torch's tuple arguments (see docs/optimizers.md).
PAIRS = {"betas": ("beta1", "beta2"), "etas": ("eta_minus", "eta_plus"),
         "step_sizes": ("step_size_min", "step_size_max")}


def parse_spec(spec):
    name, _, rest = spec.partition(":")
    args = {}
    for part in filter(None, rest.split(",")):
        key, _, value = part.partition("=")
        args[key.strip()] = value.strip()
    return name.strip(), args


def torch_kwargs(cls, args):
    """descent SPEC arguments as torch keyword arguments (tuples rebuilt from their halves)."""
    defaults = {k: p.default for k, p in inspect.signature(cls).parameters.items()}
    kwargs = {}
    if "lr" not in args and "lr" in defaults and not isinstance(defaults["lr"], float):
        kwargs["lr"] = 1e-3  # torch's SGD has no default lr; descent's is 1e-3
    for key, value in args.items():
        kwargs[key] = value == "true" if value in ("true", "false") else float(value)
    for torch_key, (a, b) in PAIRS.items():
        if a in kwargs or b in kwargs:
            da, db = defaults[torch_key]
            kwargs[torch_key] = (kwargs.pop(a, da), kwargs.pop(b, db))
    return kwargs


def measure_bandwidth(torch_mod, n=50_000_000, repeats=7):
    """GB/s of a numpy copy (read + write) and a numpy add (2 reads + 1 write), best of repeats."""
    import numpy as np
    a = np.random.rand(n).astype(np.float32)
    b = np.random.rand(n).astype(np.float32)
    c = np.empty_like(a)
    results = {}
    for label, fn, bytes_moved in (("copy", lambda: np.copyto(c, a), 8 * n),
                                   ("add", lambda: np.add(a, b, out=c), 12 * n)):
        fn()
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
        results[label] = bytes_moved / min(times) / 1e9
    return results


def descent_bench(binary, spec, params, steps):
    out = subprocess.run([binary, "bench", "optimizer", "--optimizer", spec, "--params",
                          str(params), "--steps", str(steps)], capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"descent bench optimizer --optimizer {spec} failed:\n{out.stderr}")
    return json.loads(out.stdout)


def torch_bench(torch, spec, params, steps, foreach, warmup=5):
    """Median ms per step, or None where torch lacks the optimizer or the setting."""
    name, args = parse_spec(spec)
    if name not in TORCH_NAMES:
        return None
    cls = getattr(torch.optim, TORCH_NAMES[name])
    kwargs = torch_kwargs(cls, args)
    if "foreach" not in inspect.signature(cls).parameters:
        if foreach:
            return None
    else:
        kwargs["foreach"] = foreach
    gen = torch.Generator().manual_seed(42)
    p = torch.randn(params, generator=gen).requires_grad_()
    p.grad = torch.randn(params, generator=gen) * 0.01
    opt = cls([p], **kwargs)
    for _ in range(warmup):
        opt.step()
    times = []
    for _ in range(steps):
        t0 = time.perf_counter()
        opt.step()
        times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("specs", nargs="*", help="optimizer SPECs (default: see above)")
    parser.add_argument("--params", type=int, default=10_000_000)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--torch-threads", type=int, default=1)
    parser.add_argument("--binary", default=str(ROOT / "build" / "descent"))
    parser.add_argument("--json", action="store_true", help="also print one JSON line per SPEC")
    args = parser.parse_args()
    try:
        import torch
    except ImportError:
        sys.exit("needs PyTorch (Debian: apt install python3-torch)")
    if args.torch_threads > 0:
        torch.set_num_threads(args.torch_threads)

    specs = args.specs
    if not specs:
        listed = subprocess.run([args.binary, "bench", "optimizer", "--list"], capture_output=True,
                                text=True, check=True).stdout.split()
        specs = ["sgd:momentum=0.9", "adam", "adamw"]
        specs += [n for n in listed if n in TORCH_NAMES and n not in ("sgd", "adam", "adamw")]

    bw = measure_bandwidth(torch)
    best_bw = max(bw.values())
    print(f"machine bandwidth (numpy, 50M floats): copy {bw['copy']:.1f} GB/s, "
          f"add {bw['add']:.1f} GB/s")
    print(f"{args.params} parameters, {args.steps} timed steps, median of {args.repeats} repeats; "
          f"torch {torch.__version__}, {torch.get_num_threads()} thread(s)")
    header = (f"{'optimizer':<22} {'descent ms':>10} {'GB/s':>6} {'of bw':>6} {'B/param':>7} "
              f"{'torch ms':>9} {'ratio':>6} {'foreach ms':>10} {'ratio':>6}")
    print(header)
    print("-" * len(header))
    for spec in specs:
        d_ms, d_gbs, t_ms, f_ms = [], [], [], []
        d = None
        for _ in range(args.repeats):
            d = descent_bench(args.binary, spec, args.params, args.steps)
            d_ms.append(d["ms_per_step"])
            d_gbs.append(d["gb_per_s"])
            t_ms.append(torch_bench(torch, spec, args.params, args.steps, foreach=False))
            f_ms.append(torch_bench(torch, spec, args.params, args.steps, foreach=True))
        dm, dg = statistics.median(d_ms), statistics.median(d_gbs)
        tm = None if None in t_ms else statistics.median(t_ms)
        fm = None if None in f_ms else statistics.median(f_ms)
        fmt = lambda v, w, p=2: f"{v:>{w}.{p}f}" if v is not None else f"{'n/a':>{w}}"
        print(f"{spec:<22} {dm:>10.2f} {dg:>6.1f} {dg / best_bw:>6.0%} "
              f"{d['bytes_per_step'] / args.params:>7.0f} {fmt(tm, 9)} "
              f"{fmt(tm and tm / dm, 6)} {fmt(fm, 10)} {fmt(fm and fm / dm, 6)}")
        if args.json:
            print(json.dumps({"optimizer": spec, "descent_ms": dm, "descent_gb_per_s": dg,
                              "bandwidth_gb_per_s": best_bw, "torch_ms": tm,
                              "torch_foreach_ms": fm}))
        sys.stdout.flush()


if __name__ == "__main__":
    main()
