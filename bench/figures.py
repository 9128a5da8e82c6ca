#!/usr/bin/python3
"""The figures' speed and size targets of docs/figures.md, measured in one run.

    bench/figures.py [--repeats 5] [--runs 10] [--epochs 200]

1. `descent report` over --runs run directories of --epochs epochs each (made once with
   `descent train` on the moons set, 5 seeds x 2 optimizers, every epoch logged): median wall
   time of --repeats calls and the HTML's size. Target: under 1 s, under 3 MB. Then one run's
   page alone: what report.write adds to the end of every `descent train`.
2. `descent optimize --plot` with 5 optimizers x 1,000 steps on a 200x200 grid: median wall time
   writing .html (descent's own time: no renderer) and .svg (descent plus Node's Vega renderer).
   Target: under 1 s of descent's time.
"""
import argparse
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
DESCENT = ROOT / "build" / "descent"


def timed(args, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--epochs", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        runs = []
        for i in range(args.runs):
            run = tmp / f"run{i}"
            optimizer = ["sgd", "adam"][i % 2]
            subprocess.run([DESCENT, "train", "--out", run, "--seed", str(i // 2), "--threads", "1",
                            "--set", "data.name=moons", "--set", "data.size=200",
                            "--set", 'model.layers=["linear:out=16", "tanh", "linear:out=2"]',
                            "--set", f"train.epochs={args.epochs}", "--set", "train.batch_size=50",
                            "--set", f"optimizer.name={optimizer}", "--set", "checkpoint.every=0",
                            "--no-report"],
                           check=True, stdout=subprocess.DEVNULL)
            runs.append(run)
        html = tmp / "report.html"
        report = timed([DESCENT, "report", *runs, "--out", html], args.repeats)
        size = html.stat().st_size
        print(f"report: {args.runs} runs x {args.epochs} epochs: median {report:.3f} s, "
              f"HTML {size / 1e6:.2f} MB (targets: < 1 s, < 3 MB)")
        # What report.write adds to the end of every `descent train`: the page of one run.
        one = timed([DESCENT, "report", runs[0], "--out", html], args.repeats)
        print(f"report of one run ({args.epochs} epochs, as train writes it): median {one:.3f} s, "
              f"HTML {html.stat().st_size / 1e6:.2f} MB")

        optimize = [DESCENT, "optimize", "--function", "rosenbrock", "--steps", "1000",
                    "--grid", "200"]
        for spec in ["sgd:lr=1e-3", "sgd:lr=1e-3,momentum=0.9", "adam:lr=0.05", "rmsprop:lr=0.01",
                     "adagrad:lr=0.5"]:
            optimize += ["--optimizer", spec]
        for ext in ["html", "svg"]:
            t = timed(optimize + ["--plot", tmp / f"race.{ext}"], args.repeats)
            print(f"optimize --plot .{ext}: 5 optimizers x 1000 steps, 200x200 grid: "
                  f"median {t:.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
