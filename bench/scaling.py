#!/usr/bin/python3
"""Where descent is overhead-bound and where it is at the machine's limit: an MLP 784-W-W-10
(ReLU, Adam) on Fashion-MNIST for widths W and batch sizes B.

    bench/scaling.py [--widths 64,128,256,512,1024,2048] [--batches 32,64,128,256,512,1024]
                     [--threads 2] [--samples 20000] [--repeats 1] [--binary build/descent]
                     [--markdown]

For each (W, B): one epoch of `descent train` on --samples training images (its samples/s, from
metrics.jsonl) and `descent bench gemms` with the same shapes and threads (the samples/s the
step's matrix products alone allow), --repeats times each, alternating; each cell's medians. Prints
samples/s and the fraction of that limit, as a table (--markdown: the table docs/benchmarks.md
holds).
"""
import argparse
import json
import pathlib
import statistics
import subprocess
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--widths", default="64,128,256,512,1024,2048")
    ap.add_argument("--batches", default="32,64,128,256,512,1024")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--samples", type=int, default=20000)
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--binary", default=str(ROOT / "build" / "descent"))
    ap.add_argument("--markdown", action="store_true")
    args = ap.parse_args()
    widths = [int(w) for w in args.widths.split(",")]
    batches = [int(b) for b in args.batches.split(",")]
    rows = {}
    with tempfile.TemporaryDirectory() as tmp:
        for w in widths:
            for b in batches:
                rates, limits = [], []
                for r in range(args.repeats):
                    out = pathlib.Path(tmp) / f"w{w}b{b}r{r}"
                    layers = json.dumps([f"linear:out={w}", "relu", f"linear:out={w}", "relu",
                                         "linear"])
                    subprocess.run([args.binary, "train", "-q", "--no-report", "--threads",
                                    str(args.threads), "--out", str(out), "--set",
                                    f"data.train_size={args.samples}", "--set", "train.epochs=1",
                                    "--set", f"train.batch_size={b}", "--set",
                                    f"model.layers={layers}"], check=True,
                                   stdout=subprocess.DEVNULL)
                    rates.append(json.loads((out / "metrics.jsonl").read_text())
                                 ["samples_per_second"])
                    limits.append(json.loads(subprocess.run(
                        [args.binary, "bench", "gemms", "--layers", f"784,{w},{w},10", "--batch",
                         str(b), "--threads", str(args.threads), "--steps",
                         str(max(2, 20000 // (b * w // 64))), "--repeats", "3"],
                        check=True, capture_output=True, text=True).stdout)["samples_per_second"])
                rate, limit = statistics.median(rates), statistics.median(limits)
                rows[(w, b)] = (rate, limit)
                if not args.markdown:
                    print(f"W {w:5d} B {b:5d}: {rate:10,.0f} samples/s, GEMM limit "
                          f"{limit:10,.0f}: {rate / limit:5.0%}", flush=True)
    if args.markdown:
        print("| width (rows), batch (columns) | " + " | ".join(str(b) for b in batches) + " |")
        print("|---" * (len(batches) + 1) + "|")
        for w in widths:
            cells = [f"{rows[(w, b)][0] / 1000:,.1f}k ({rows[(w, b)][0] / rows[(w, b)][1]:.0%})"
                     for b in batches]
            print(f"| {w} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
