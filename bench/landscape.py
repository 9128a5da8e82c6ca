#!/usr/bin/python3
"""The loss landscape's plane against the machine's SGEMM rate, in one run.

    bench/landscape.py [--repeats 3] [--grid 51] [--subset 10000] [--threads 0] [--run DIR]

Trains the default MLP for one epoch (unless --run names a finished run), then, --repeats times,
alternately measures the SGEMM rate (`descent bench sgemm`: a 2048^3 product, and the plane's own
shape [2500, 256] x [256, 256]) and draws the plane (`descent landscape RUN --grid 51 --subset
10000 --no-figures`). Prints each repeat and the medians: the plane's seconds, the GFLOP/s of the
GEMM work it did (its first-layer shortcut included, app/landscape.h), that rate as a fraction of
the SGEMM peak, and the rate a plain forward pass at every point would need for the same time.
"""
import argparse
import json
import pathlib
import statistics
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent


def run(cmd):
    proc = subprocess.run([str(c) for c in cmd], capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"{' '.join(map(str, cmd))} failed:\n{proc.stdout}\n{proc.stderr}")
    return proc.stdout


def sgemm(binary, threads, m, n, k):
    out = run([binary, "bench", "sgemm", "--m", m, "--n", n, "--k", k, "--threads", threads])
    return json.loads(out.strip().splitlines()[-1])["gflops"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--grid", type=int, default=51)
    parser.add_argument("--subset", type=int, default=10000)
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--run", help="a finished classifier run (default: train one)")
    parser.add_argument("--binary", default=str(ROOT / "build" / "descent"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        run_dir = pathlib.Path(args.run) if args.run else tmp / "run"
        if not args.run:
            run([args.binary, "train", "-q", "--threads", "1", "--out", run_dir,
                 "--set", "train.epochs=1", "--set", "report.write=false"])
        rows = []
        for r in range(args.repeats):
            peak = sgemm(args.binary, args.threads, 2048, 2048, 2048)
            shaped = sgemm(args.binary, args.threads, 2500, 256, 256)
            out = tmp / f"landscape-{r}"
            run([args.binary, "landscape", run_dir, "--grid", args.grid, "--subset", args.subset,
                 "--threads", args.threads, "--no-figures", "--out", out])
            h = json.loads((out / "result.json").read_text())["headline"]
            # A plain forward pass per point: 2 x parameters-in-GEMMs x examples per point.
            seconds, gflop = h["plane_seconds"], h["plane_gflop"]
            row = {"plane_seconds": seconds, "gflops": gflop / seconds, "sgemm_peak_gflops": peak,
                   "sgemm_plane_shape_gflops": shaped, "fraction_of_peak": gflop / seconds / peak}
            rows.append(row)
            print(json.dumps(row))
        med = {k: statistics.median(r[k] for r in rows) for k in rows[0]}
        # The same plane by whole forward passes: the default MLP's 784*256 + 256*256 + 256*10
        # multiply-adds per example and point.
        naive = 2.0 * (784 * 256 + 256 * 256 + 256 * 10) * args.subset * args.grid ** 2 / 1e9
        med["naive_equivalent_gflops"] = naive / med["plane_seconds"]
        print(json.dumps({"median": med, "grid": args.grid, "subset": args.subset,
                          "repeats": args.repeats}))


if __name__ == "__main__":
    main()
