#!/usr/bin/python3
"""Autoencoders, descent against PyTorch on the same model, data, optimizer and epochs.

    bench/autoencoder_vs_pytorch.py [--epochs N] [--threads T] [--kinds autoencoder,vae]

For each kind, trains examples/<kind>.toml with `descent train` and the same model in PyTorch
(Adam 1e-3, batch 128, Fashion-MNIST less 5,000 validation images, a fresh shuffle per epoch),
then prints per kind: the test figure (reconstruction MSE for the autoencoder, ELBO per image in
nats for the VAE, one sample of z per image as descent measures it) and the training samples/s
(median over epochs) of both, and their ratio. The initial weights and the data order differ
(each framework draws its own), so the test figures agree statistically, not bit for bit.
"""
import argparse
import gzip
import json
import pathlib
import statistics
import struct
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch

ROOT = pathlib.Path(__file__).resolve().parent.parent
DESCENT = ROOT / "build" / "descent"
DATA = pathlib.Path("/usr/share/datasets/fashion-mnist")


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = struct.unpack(">" + "I" * ndim, data[4: 4 + 4 * ndim])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def images(split):
    x = read_idx(DATA / f"{split}-images-idx3-ubyte.gz").reshape(-1, 784)
    return torch.from_numpy(x.astype(np.float32) / 255.0)


class Autoencoder(torch.nn.Module):
    """784-256-32-256-784, ReLU (examples/autoencoder.toml)."""

    def __init__(self):
        super().__init__()
        self.encoder = torch.nn.Sequential(
            torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 32))
        self.decoder = torch.nn.Sequential(
            torch.nn.Linear(32, 256), torch.nn.ReLU(), torch.nn.Linear(256, 784))

    def loss(self, x):
        return torch.nn.functional.mse_loss(self.decoder(self.encoder(x)), x)


class Vae(torch.nn.Module):
    """784-512-(2, 2)-512-784 (examples/vae.toml): BCE summed per image plus KL."""

    def __init__(self):
        super().__init__()
        self.encoder = torch.nn.Sequential(torch.nn.Linear(784, 512), torch.nn.ReLU())
        self.mu = torch.nn.Linear(512, 2)
        self.logvar = torch.nn.Linear(512, 2)
        self.decoder = torch.nn.Sequential(
            torch.nn.Linear(2, 512), torch.nn.ReLU(), torch.nn.Linear(512, 784))

    def loss(self, x):
        h = self.encoder(x)
        mu, logvar = self.mu(h), self.logvar(h)
        z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
        rec = torch.nn.functional.binary_cross_entropy_with_logits(
            self.decoder(z), x, reduction="sum") / len(x)
        kl = -0.5 * torch.sum(1 + logvar - mu * mu - logvar.exp()) / len(x)
        return rec + kl


def torch_run(kind, epochs, threads):
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    train = images("train")
    train = train[torch.randperm(len(train))[5000:]]
    test = images("t10k")
    model = Autoencoder() if kind == "autoencoder" else Vae()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    rates = []
    for _ in range(epochs):
        order = torch.randperm(len(train))
        start = time.perf_counter()
        for i in range(0, len(train), 128):
            opt.zero_grad()
            loss = model.loss(train[order[i:i + 128]])
            loss.backward()
            opt.step()
        rates.append(len(train) / (time.perf_counter() - start))
    with torch.no_grad():
        total = sum(model.loss(test[i:i + 1000]).item() * len(test[i:i + 1000])
                    for i in range(0, len(test), 1000))
    figure = total / len(test)
    return (figure if kind == "autoencoder" else -figure), statistics.median(rates)


def descent_run(kind, epochs, threads, tmp):
    out = tmp / kind
    subprocess.run([DESCENT, "train", "--config", ROOT / "examples" / f"{kind}.toml", "--out", out,
                    "--threads", str(threads), "--set", f"train.epochs={epochs}", "--no-report"],
                   check=True, stdout=subprocess.DEVNULL)
    summary = json.loads((out / "summary.json").read_text())
    rates = [json.loads(line)["samples_per_second"]
             for line in (out / "metrics.jsonl").read_text().splitlines()]
    figure = summary["test_mse"] if kind == "autoencoder" else summary["test_elbo"]
    return figure, statistics.median(rates)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--kinds", default="autoencoder,vae")
    args = parser.parse_args()
    names = {"autoencoder": "test reconstruction MSE", "vae": "test ELBO (nats per image)"}
    with tempfile.TemporaryDirectory() as tmp:
        for kind in args.kinds.split(","):
            d_figure, d_rate = descent_run(kind, args.epochs, args.threads, pathlib.Path(tmp))
            t_figure, t_rate = torch_run(kind, args.epochs, args.threads)
            print(f"{kind}, {args.epochs} epochs, {args.threads} threads: {names[kind]} "
                  f"descent {d_figure:.5g}, PyTorch {t_figure:.5g} "
                  f"({100 * (d_figure - t_figure) / abs(t_figure):+.2f}%); "
                  f"training samples/s descent {d_rate:.0f}, PyTorch {t_rate:.0f} "
                  f"(x{d_rate / t_rate:.2f})")
            sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
