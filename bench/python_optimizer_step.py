#!/usr/bin/python3
"""One optimizer step from Python: descent.optim against torch.optim on the same tensor, in one run.

    PYTHONPATH=build/python bench/python_optimizer_step.py [--params 10000000] [--steps 20]
                                                           [--repeats 5] [--torch-threads 1]
                                                           [--optimizer adam]

A PyTorch float32 tensor of --params values with a fixed random gradient is stepped --steps times
by torch.optim (foreach=False, PyTorch's default path on the CPU, and foreach=True) and by
descent.optim's class of the same name on the same tensor (descent reads .grad through its numpy
view: no copy). The sides alternate, --repeats times each; the medians of ms/step are printed with
the ratio torch/descent (above 1: descent is faster). Each side first takes 3 steps unmeasured.
descent's update loops run on one thread; torch gets --torch-threads (default 1: the same core).
"""
import argparse
import statistics
import time

import torch

import descent

TORCH = {"adam": "Adam", "adamw": "AdamW", "sgd": "SGD", "rmsprop": "RMSprop", "nadam": "NAdam",
         "adagrad": "Adagrad"}


def time_steps(opt, steps):
    for _ in range(3):
        opt.step()
    start = time.perf_counter()
    for _ in range(steps):
        opt.step()
    return (time.perf_counter() - start) / steps * 1e3


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--params", type=int, default=10_000_000)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--torch-threads", type=int, default=1)
    ap.add_argument("--optimizer", default="adam", choices=sorted(TORCH))
    args = ap.parse_args()
    if args.torch_threads > 0:
        torch.set_num_threads(args.torch_threads)
    torch.manual_seed(0)
    w = torch.randn(args.params)
    w.grad = torch.randn(args.params) * 1e-3
    kwargs = {"lr": 1e-3} if args.optimizer != "sgd" else {"lr": 1e-3, "momentum": 0.9}
    make = {
        "descent": lambda: getattr(descent.optim, descent.optim._class_name(args.optimizer))(
            [w], **kwargs),
        "torch": lambda: getattr(torch.optim, TORCH[args.optimizer])([w], foreach=False, **kwargs),
        "torch foreach": lambda: getattr(torch.optim, TORCH[args.optimizer])([w], foreach=True,
                                                                             **kwargs),
    }
    times = {side: [] for side in make}
    for _ in range(args.repeats):
        for side, factory in make.items():
            times[side].append(time_steps(factory(), args.steps))
    median = {side: statistics.median(t) for side, t in times.items()}
    print(f"{args.optimizer}.step() on {args.params:,} float32 parameters, median of "
          f"{args.repeats} x {args.steps} steps (torch threads: {torch.get_num_threads()})")
    for side, ms in median.items():
        ratio = "" if side == "descent" else f"   torch/descent {ms / median['descent']:.2f}x"
        print(f"  {side:14s} {ms:8.2f} ms/step{ratio}")


if __name__ == "__main__":
    main()
