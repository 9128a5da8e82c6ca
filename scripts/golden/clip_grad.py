#!/usr/bin/python3
"""Writes tests/golden/clip_grad.json: PyTorch 1.13's torch.nn.utils.clip_grad_norm_ and
clip_grad_value_ on fixed gradients, for tests/test_clip_grad.cpp.

Regenerate with Debian's torch: /usr/bin/python3 scripts/golden/clip_grad.py

The parameters are those of a small network, named as in its state dict: "0.weight" [3, 4],
"0.bias" [3], "2.weight" [2, 3], and "3.weight" [2] which has no gradient (it must be skipped).
The gradients are fixed formulas of the element index, stored in the file. Per case the file holds
the value the function returned (the total norm; for the per-layer case, the largest layer norm)
and every gradient afterwards, as float32 values (see optimizers.py's f32).
"""
import math

import torch

from optimizers import f32, to_json, write_golden_doc

assert torch.__version__.startswith("1.13"), torch.__version__

SHAPES = [("0.weight", [3, 4]), ("0.bias", [3]), ("2.weight", [2, 3]), ("3.weight", [2])]
NO_GRAD = "3.weight"


def make_params():
    """Fresh parameters and gradients: sin-based values of mixed sign and magnitude."""
    params = []
    for k, (name, shape) in enumerate(SHAPES):
        n = math.prod(shape)
        p = torch.tensor([0.1 * (i - n / 2) for i in range(n)], dtype=torch.float32)
        p = p.reshape(shape).requires_grad_()
        if name != NO_GRAD:
            g = [(1.5 - 0.4 * k) * math.sin(1.7 * i + 0.3 * k + 0.2) for i in range(n)]
            p.grad = torch.tensor(g, dtype=torch.float32).reshape(shape)
        params.append((name, p))
    return params


def run(kind, arg, norm_type):
    params = make_params()
    tensors = [p for _, p in params]
    if kind == "norm":
        result = float(torch.nn.utils.clip_grad_norm_(tensors, arg, norm_type))
    elif kind == "value":
        torch.nn.utils.clip_grad_value_(tensors, arg)
        result = 0.0
    else:  # per layer: clip_grad_norm_ on each layer's parameters separately
        layers = {}
        for name, p in params:
            layers.setdefault(name.rsplit(".", 1)[0], []).append(p)
        norms = [float(torch.nn.utils.clip_grad_norm_(ps, arg)) for ps in layers.values()]
        result = max(norms)
    grads = [None if p.grad is None else f32(p.grad.numpy()) for _, p in params]
    return result, grads


CASES = [
    # name, kind, max_norm or clip_value, norm_type
    ("norm2_clipped", "norm", 1.0, 2.0),
    ("norm2_not_clipped", "norm", 100.0, 2.0),
    ("norm_inf", "norm", 0.5, math.inf),
    ("norm1", "norm", 2.0, 1.0),
    ("value", "value", 0.3, 2.0),
    ("per_layer", "per_layer", 1.5, 2.0),  # layer "0" clipped, layer "2" not
]


def main():
    torch.set_num_threads(1)
    initial = make_params()
    params = [{"name": name, "shape": list(p.shape), "values": f32(p.detach().numpy()),
               "grad": None if p.grad is None else f32(p.grad.numpy())} for name, p in initial]
    cases = []
    for name, kind, arg, norm_type in CASES:
        result, grads = run(kind, arg, norm_type)
        cases.append({"name": name, "kind": kind, "arg": arg,
                      "norm_type": "inf" if math.isinf(norm_type) else norm_type,
                      "result": result, "grads": grads})
    doc = {"generator": "scripts/golden/clip_grad.py", "torch_version": torch.__version__,
           "params": params, "cases": cases}
    write_golden_doc(doc, "clip_grad.json")


if __name__ == "__main__":
    main()
