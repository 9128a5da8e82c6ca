#!/usr/bin/python3
"""PyTorch side of the MLP benchmark: the same model, data and loop as `descent train`.

Trains the default MLP (784-256-256-10, ReLU, Adam 1e-3, batch 128) for one epoch on
Fashion-MNIST's training set less 5,000 held-out images, and prints one JSON line with the
training samples/s (the epoch's training loop only, as descent's metrics.jsonl reports it).
"""
import argparse
import gzip
import json
import struct
import time

import numpy as np
import torch


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    _, _, dtype, ndim = struct.unpack(">BBBB", data[:4])
    dims = struct.unpack(">" + "I" * ndim, data[4 : 4 + 4 * ndim])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=128)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)

    images = read_idx(f"{args.data}/train-images-idx3-ubyte.gz").reshape(-1, 784)
    labels = read_idx(f"{args.data}/train-labels-idx1-ubyte.gz").astype(np.int64)
    x = torch.from_numpy(images.astype(np.float32) / 255.0)
    y = torch.from_numpy(labels)
    perm = torch.randperm(len(x))
    x, y = x[perm[5000:]], y[perm[5000:]]

    model = torch.nn.Sequential(
        torch.nn.Linear(784, 256), torch.nn.ReLU(),
        torch.nn.Linear(256, 256), torch.nn.ReLU(),
        torch.nn.Linear(256, 10))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()

    rates = []
    for _ in range(args.epochs):
        order = torch.randperm(len(x))
        start = time.perf_counter()
        for i in range(0, len(x), args.batch_size):
            idx = order[i : i + args.batch_size]
            opt.zero_grad()
            loss = loss_fn(model(x[idx]), y[idx])
            loss.backward()
            opt.step()
        rates.append(len(x) / (time.perf_counter() - start))
    print(json.dumps({"samples_per_second": rates[-1], "torch": torch.__version__,
                      "threads": args.threads}))


if __name__ == "__main__":
    main()
