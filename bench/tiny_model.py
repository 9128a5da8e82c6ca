#!/usr/bin/python3
"""Small models, where per-step overhead rules: descent against PyTorch, in one run.

    bench/tiny_model.py [--repeats 5] [--binary build/descent] [--examples 40000]

Trains the spirals MLP 2-64-64-3 (tanh, Adam 1e-3, batch 32, one thread) for 2 epochs with
`descent train` and the same loop in PyTorch (in a process of its own, one thread), alternately,
--repeats times each, and prints the medians of optimizer steps per second (training only, the
second epoch) and their ratio. Then descent's per-step overhead: microseconds per step of a
2-2-3 model at batch 1 (next to no arithmetic: tape, buffers, optimizer bookkeeping, metrics and
callbacks are all that is left).
"""
import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent

TORCH_LOOP = """
import json, sys, time, torch
torch.set_num_threads(1)
torch.manual_seed(0)
n, batch, width = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
x = torch.randn(n, 2)
y = torch.randint(0, 3, (n,))
model = torch.nn.Sequential(torch.nn.Linear(2, width), torch.nn.Tanh(),
                            torch.nn.Linear(width, width), torch.nn.Tanh(),
                            torch.nn.Linear(width, 3))
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
loss_fn = torch.nn.CrossEntropyLoss()
for epoch in range(2):
    order = torch.randperm(n)
    start = time.perf_counter()
    steps = 0
    for i in range(0, n, batch):
        idx = order[i:i + batch]
        opt.zero_grad()
        loss_fn(model(x[idx]), y[idx]).backward()
        opt.step()
        steps += 1
    rate = steps / (time.perf_counter() - start)
print(json.dumps({"steps_per_second": rate}))
"""


def descent_rate(binary, examples, batch, layers, tmp):
    out = pathlib.Path(tempfile.mkdtemp(dir=tmp))
    subprocess.run([binary, "train", "-q", "--no-report", "--threads", "1", "--out", str(out / "run"),
                    "--set", "data.name=spirals", "--set", f"data.size={examples}",
                    "--set", "data.validation_size=0", "--set", "data.test_size=10",
                    "--set", f"model.layers={json.dumps(layers)}", "--set", "train.epochs=2",
                    "--set", f"train.batch_size={batch}", "--set", "optimizer.name=adam"],
                   check=True)
    last = json.loads((out / "run" / "metrics.jsonl").read_text().splitlines()[-1])
    return last["samples_per_second"] / batch


def torch_rate(examples, batch, width):
    out = subprocess.run([sys.executable, "-c", TORCH_LOOP, str(examples), str(batch), str(width)],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)["steps_per_second"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--binary", default=str(ROOT / "build" / "descent"))
    ap.add_argument("--examples", type=int, default=40000)
    args = ap.parse_args()
    mlp = ["linear:out=64", "tanh", "linear:out=64", "tanh", "linear"]
    ours, theirs, overhead = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.repeats):
            ours.append(descent_rate(args.binary, args.examples, 32, mlp, tmp))
            theirs.append(torch_rate(args.examples, 32, 64))
            overhead.append(1e6 / descent_rate(args.binary, args.examples // 8, 1,
                                               ["linear:out=2", "tanh", "linear"], tmp))
    d, t, o = statistics.median(ours), statistics.median(theirs), statistics.median(overhead)
    print(f"spirals MLP 2-64-64-3 tanh, Adam, batch 32, 1 thread, medians of {args.repeats}:")
    print(f"  descent {d:,.0f} steps/s, PyTorch {t:,.0f} steps/s: ratio {d / t:.2f}x")
    print(f"  descent per-step overhead (2-2-3, batch 1): {o:.1f} us/step")
    print(json.dumps({"descent_steps_per_second": round(d), "pytorch_steps_per_second": round(t),
                      "ratio": round(d / t, 2), "overhead_us_per_step": round(o, 2)}))


if __name__ == "__main__":
    main()
