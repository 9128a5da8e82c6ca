#!/usr/bin/python3
"""Time and memory around the training itself: a one-epoch `descent train` and `descent evaluate`.

    bench/startup.py [--repeats 5] [--binary build/descent] [--threads 2] [--full]

For each repeat (medians printed):
  * `descent train --set train.epochs=1`: the process's wall time, the epoch's own time (its
    `seconds` in metrics.jsonl, validation included) and their difference, the overhead: loading
    Fashion-MNIST, building the run, writing its files; and the peak resident memory (wait4).
  * `descent evaluate RUN` on that run: wall time and peak memory.
  * the reference in the same invocation: reading the four gzipped IDX files into float32 arrays
    with Python's gzip and numpy (the least any loader does), in a process of its own.
With --full, also the default 10-epoch run's peak memory (one run, about a minute).
"""
import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
DATA = "/usr/share/datasets/fashion-mnist"

READ_WITH_NUMPY = f"""
import gzip, numpy
for stem in ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
             "t10k-labels-idx1-ubyte"):
    with gzip.open("{DATA}/" + stem + ".gz") as f:
        raw = numpy.frombuffer(f.read(), numpy.uint8)
    header = 16 if "images" in stem else 8
    values = raw[header:].astype(numpy.float32) / 255
"""


def run(cmd):
    """Runs cmd; returns (wall seconds, peak RSS in MiB)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{' '.join(map(str, cmd))} failed:\n{err}")
    return wall, usage.ru_maxrss / 1024.0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--binary", default=str(ROOT / "build" / "descent"))
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--full", action="store_true")
    args = ap.parse_args()
    rows = {k: [] for k in ("train_wall", "epoch", "overhead", "train_rss", "evaluate_wall",
                            "evaluate_rss", "reference_wall", "reference_rss")}
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(args.repeats):
            out = pathlib.Path(tmp) / f"run{r}"
            wall, rss = run([args.binary, "train", "-q", "--no-report", "--set", "train.epochs=1",
                             "--threads", str(args.threads), "--out", str(out)])
            epoch = json.loads((out / "metrics.jsonl").read_text().splitlines()[0])["seconds"]
            rows["train_wall"].append(wall)
            rows["epoch"].append(epoch)
            rows["overhead"].append(wall - epoch)
            rows["train_rss"].append(rss)
            wall, rss = run([args.binary, "evaluate", str(out)])
            rows["evaluate_wall"].append(wall)
            rows["evaluate_rss"].append(rss)
            wall, rss = run([sys.executable, "-c", READ_WITH_NUMPY])
            rows["reference_wall"].append(wall)
            rows["reference_rss"].append(rss)
        med = {k: statistics.median(v) for k, v in rows.items()}
        print(f"medians of {args.repeats}, {args.threads} threads:")
        print(f"  train 1 epoch   wall {med['train_wall']:.2f} s = epoch {med['epoch']:.2f} s + "
              f"overhead {med['overhead']:.2f} s; peak {med['train_rss']:.0f} MiB")
        print(f"  evaluate        wall {med['evaluate_wall']:.2f} s; peak "
              f"{med['evaluate_rss']:.0f} MiB")
        print(f"  reference       numpy reads the 4 files in {med['reference_wall']:.2f} s "
              f"(process included); peak {med['reference_rss']:.0f} MiB; descent's overhead / "
              f"reference = {med['overhead'] / med['reference_wall']:.2f}")
        if args.full:
            out = pathlib.Path(tmp) / "full"
            wall, rss = run([args.binary, "train", "-q", "--no-report", "--threads",
                             str(args.threads), "--out", str(out)])
            med["full_wall"], med["full_rss"] = wall, rss
            print(f"  default 10-epoch run: wall {wall:.1f} s; peak {rss:.0f} MiB")
        print(json.dumps({k: round(v, 3) for k, v in med.items()}))


if __name__ == "__main__":
    main()
