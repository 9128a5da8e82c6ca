#!/usr/bin/python3
"""Writes a PyTorch model's weights as safetensors and checks that descent evaluates it the same.

    scripts/check_torch_export.py DESCENT_BINARY

Builds the default MLP in PyTorch (seed 0, PyTorch's own initialization, a few SGD steps so the
weights are not just the initial ones), writes model.safetensors (by hand: Debian's PyTorch has
no safetensors module) and a config.toml into a temporary run directory, runs
`descent evaluate` on it, and compares test loss and accuracy with PyTorch's. Exit 0 when they
agree, 1 when not, 77 (skipped) without PyTorch or the dataset.
"""
import json
import pathlib
import struct
import subprocess
import sys
import tempfile

SKIP = 77
DATA = pathlib.Path("/usr/share/datasets/fashion-mnist")


def write_safetensors(path, state):
    header, chunks, offset = {}, [], 0
    for name, t in state.items():
        raw = t.detach().contiguous().to("cpu").float().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    pathlib.Path(path).write_bytes(struct.pack("<Q", len(text)) + text + b"".join(chunks))


def main():
    try:
        import torch
    except ImportError:
        print("skipped: PyTorch is not installed")
        return SKIP
    if not DATA.is_dir():
        print("skipped: no Fashion-MNIST")
        return SKIP
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
    from check_torch_load import read_idx

    import numpy as np

    torch.manual_seed(0)
    images = read_idx(DATA / "t10k-images-idx3-ubyte.gz")
    labels = read_idx(DATA / "t10k-labels-idx1-ubyte.gz")
    x = torch.from_numpy(images.reshape(len(images), -1).astype(np.float32) / 255.0)
    y = torch.from_numpy(labels.astype(np.int64))
    model = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(),
                                torch.nn.Linear(256, 256), torch.nn.ReLU(),
                                torch.nn.Linear(256, 10))
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    for i in range(20):  # a few steps on the first test images, only to move the weights
        opt.zero_grad()
        torch.nn.functional.cross_entropy(model(x[i * 64:(i + 1) * 64]), y[i * 64:(i + 1) * 64]).backward()
        opt.step()
    with torch.no_grad():
        logits = model(x)
        loss = torch.nn.functional.cross_entropy(logits, y).item()
        accuracy = (logits.argmax(1) == y).float().mean().item()

    with tempfile.TemporaryDirectory() as tmp:
        run = pathlib.Path(tmp)
        write_safetensors(run / "model.safetensors", model.state_dict())
        (run / "config.toml").write_text(
            f'[data]\ndir = "{DATA}"\n[model]\nlayers = ["linear:out=256", "relu", '
            '"linear:out=256", "relu", "linear:out=10"]\n')
        out = subprocess.run([sys.argv[1], "evaluate", str(run)], capture_output=True, text=True)
        if out.returncode != 0:
            print(out.stderr, file=sys.stderr)
            return 1
        result = json.loads(out.stdout)
    print(json.dumps({"torch_test_loss": loss, "torch_test_accuracy": accuracy,
                      "descent_test_loss": result["test_loss"],
                      "descent_test_accuracy": result["test_accuracy"]}))
    ok = abs(result["test_accuracy"] - accuracy) <= 5e-4 and abs(result["test_loss"] - loss) <= 1e-4 * abs(loss)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
