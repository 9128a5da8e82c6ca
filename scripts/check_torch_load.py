#!/usr/bin/python3
"""Loads a descent run's model.safetensors into the equivalent PyTorch model and checks it.

    scripts/check_torch_load.py RUN_DIR [--tolerance 0.0005] [--descent build/descent]

Builds torch.nn.Sequential from the run's config.toml (model.layers) and loads model.safetensors
with load_state_dict(strict=True). A Fashion-MNIST run is evaluated on the Fashion-MNIST test set
and its test accuracy compared with the run's summary.json (to three decimals). A run on any other
data (CSV, spirals, sine, ...) is compared on 256 seeded random inputs: PyTorch's class
probabilities (softmax) or regression outputs against what `descent predict` writes for the same
rows (to 1e-4). Exits 0 when they agree, 1 when they do not, and 77 (skipped) when PyTorch is not
installed. The safetensors file is parsed here by hand (8-byte little-endian header length, JSON
header, raw little-endian data) because Debian's PyTorch has no safetensors module.
"""
import argparse
import gzip
import json
import pathlib
import struct
import subprocess
import sys
import tempfile
import tomllib

SKIP = 77



def square_module(torch):
    """x * x: PyTorch has no module for descent's `square` activation."""

    class Square(torch.nn.Module):
        def forward(self, x):
            return x * x

    return Square()

def read_safetensors(path):
    import torch

    data = pathlib.Path(path).read_bytes()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n])
    base = 8 + n
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if info["dtype"] != "F32":
            raise ValueError(f"{path}: {name} has dtype {info['dtype']}, expected F32")
        begin, end = info["data_offsets"]
        t = torch.frombuffer(bytearray(data[base + begin : base + end]), dtype=torch.float32)
        tensors[name] = t.reshape(info["shape"])
    return tensors


def build_model(layers, in_features, state):
    """torch.nn.Sequential of the layer SPECs; a linear layer without out= (the last, sized from
    the data) takes its size from its weight in `state`."""
    import torch

    modules, features = [], in_features
    for spec in layers:
        name, _, rest = spec.partition(":")
        args = dict(kv.split("=", 1) for kv in rest.split(",") if kv)
        if name == "linear":
            out = int(args["out"]) if "out" in args else state[f"{len(modules)}.weight"].shape[0]
            modules.append(torch.nn.Linear(features, out, bias=args.get("bias", "true") == "true"))
            features = out
        elif name == "relu":
            modules.append(torch.nn.ReLU())
        elif name == "tanh":
            modules.append(torch.nn.Tanh())
        elif name == "sigmoid":
            modules.append(torch.nn.Sigmoid())
        elif name == "elu":
            modules.append(torch.nn.ELU(alpha=float(args.get("alpha", 1.0))))
        elif name == "leaky_relu":
            modules.append(torch.nn.LeakyReLU(float(args.get("negative_slope", 0.01))))
        elif name == "dropout":
            modules.append(torch.nn.Dropout(float(args.get("p", 0.5))))  # identity in eval()
        elif name == "log_softmax":
            modules.append(torch.nn.LogSoftmax(dim=1))
        elif name == "softplus":
            modules.append(torch.nn.Softplus(float(args.get("beta", 1)), float(args.get("threshold", 20))))
        elif name == "square":
            modules.append(square_module(torch))
        else:
            raise ValueError(f"layer {spec!r} has no PyTorch equivalent here")
    return torch.nn.Sequential(*modules)


def read_idx(path):
    import numpy as np

    raw = gzip.open(path).read() if str(path).endswith(".gz") else pathlib.Path(path).read_bytes()
    ndim = raw[3]
    dims = struct.unpack(">" + "I" * ndim, raw[4 : 4 + 4 * ndim])
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def open_run(default_tolerance):
    """The command line (RUN_DIR [--tolerance T]) and the run's config.toml and summary.json;
    None when PyTorch is not installed (the check is then skipped)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("run_dir")
    parser.add_argument("--tolerance", type=float, default=default_tolerance)
    parser.add_argument("--descent", default=str(pathlib.Path(__file__).resolve().parent.parent
                                                 / "build" / "descent"),
                        help="the descent executable, for runs on data other than Fashion-MNIST")
    args = parser.parse_args()
    try:
        import numpy  # noqa: F401
        import torch  # noqa: F401
    except ImportError:
        print("skipped: PyTorch is not installed (apt-get install python3-torch)")
        return None
    run = pathlib.Path(args.run_dir)
    config = tomllib.loads((run / "config.toml").read_text())
    summary = json.loads((run / "summary.json").read_text())
    return args, run, config, summary


def check_by_predict(args, run, config):
    """PyTorch's outputs on seeded random rows against `descent predict`'s for the same rows."""
    import numpy as np
    import torch

    state = read_safetensors(run / "model.safetensors")
    in_features = state["0.weight"].shape[1]
    x = np.random.default_rng(0).standard_normal((256, in_features)).astype(np.float32)
    with tempfile.TemporaryDirectory() as tmp:
        rows, out = pathlib.Path(tmp) / "rows.csv", pathlib.Path(tmp) / "predicted.csv"
        np.savetxt(rows, x, delimiter=",", fmt="%.9g")
        subprocess.run([args.descent, "predict", str(run), "--input", str(rows), "--out", str(out)],
                       check=True, stdout=subprocess.DEVNULL)
        lines = out.read_text().splitlines()
    header = lines[0].split(",")
    numeric = [i for i, name in enumerate(header) if name != "predicted"]
    descent_out = np.array([[float(line.split(",")[i]) for i in numeric] for line in lines[1:]])
    model = build_model(config["model"]["layers"], in_features, state)
    model.load_state_dict(state, strict=True)
    model.eval()
    with torch.no_grad():
        y = model(torch.from_numpy(x))
        if "predicted" in header:
            y = torch.softmax(y, dim=1)
    diff = float(np.abs(y.numpy().astype(np.float64) - descent_out).max())
    print(json.dumps({"rows": len(x), "outputs": len(numeric), "max_abs_difference": diff}))
    if diff > 1e-4:
        print("PyTorch's outputs differ from descent predict's beyond 1e-4", file=sys.stderr)
        return 1
    return 0


def main():
    opened = open_run(5e-4)
    if opened is None:
        return SKIP
    args, run, config, summary = opened
    import numpy as np
    import torch
    if config["data"].get("name", "fashion-mnist") != "fashion-mnist":
        return check_by_predict(args, run, config)
    data_dir = pathlib.Path(config["data"]["dir"])
    images = read_idx(data_dir / "t10k-images-idx3-ubyte.gz")
    labels = read_idx(data_dir / "t10k-labels-idx1-ubyte.gz")
    x = torch.from_numpy(images.reshape(len(images), -1).astype(np.float32) / 255.0)
    y = torch.from_numpy(labels.astype(np.int64))

    state = read_safetensors(run / "model.safetensors")
    model = build_model(config["model"]["layers"], x.shape[1], state)
    model.load_state_dict(state, strict=True)
    model.eval()
    with torch.no_grad():
        logits = model(x)
        loss = torch.nn.functional.cross_entropy(logits, y).item()
        accuracy = (logits.argmax(1) == y).float().mean().item()
    result = {"torch_test_accuracy": accuracy, "torch_test_loss": loss,
              "descent_test_accuracy": summary["test_accuracy"],
              "descent_test_loss": summary["test_loss"]}
    print(json.dumps(result))
    same = abs(accuracy - summary["test_accuracy"]) <= args.tolerance
    if not same:
        print("test accuracy differs beyond three decimals", file=sys.stderr)
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
