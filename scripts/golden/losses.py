#!/usr/bin/python3
"""Writes tests/golden/losses.json: PyTorch 1.13's L1Loss, SmoothL1Loss and HuberLoss (mean
reduction) on fixed predictions and targets, their values and their gradients with respect to the
prediction, for tests/test_loss_golden.cpp.

Regenerate with Debian's torch: /usr/bin/python3 scripts/golden/losses.py

The differences prediction - target cover both sides of every kink: inside and outside the
quadratic zone of beta / delta, exactly on its edge, and exactly 0 (where L1's gradient is 0).
"""
import math

import torch

from optimizers import f32, write_golden_doc

assert torch.__version__.startswith("1.13"), torch.__version__

SHAPE = [4, 3]


def inputs():
    n = math.prod(SHAPE)
    target = [0.7 * math.sin(1.3 * i + 0.4) for i in range(n)]
    offsets = [0.0, 0.3, -0.3, 1.0, -1.0, 2.5, -2.5, 0.05, -0.9, 1.7, -0.49, 0.51]
    prediction = [t + o for t, o in zip(target, offsets)]
    as_tensor = lambda v: torch.tensor(v, dtype=torch.float32).reshape(SHAPE)
    return as_tensor(prediction), as_tensor(target)


CASES = [
    # name, descent's call, the PyTorch module
    ("l1", "l1", torch.nn.L1Loss()),
    ("smooth_l1", "smooth_l1", torch.nn.SmoothL1Loss()),
    ("smooth_l1_beta_0.5", "smooth_l1:beta=0.5", torch.nn.SmoothL1Loss(beta=0.5)),
    ("huber", "huber", torch.nn.HuberLoss()),
    ("huber_delta_2", "huber:delta=2", torch.nn.HuberLoss(delta=2.0)),
    ("huber_delta_0.3", "huber:delta=0.3", torch.nn.HuberLoss(delta=0.3)),
]


def main():
    torch.set_num_threads(1)
    prediction, target = inputs()
    cases = []
    for name, call, module in CASES:
        y = prediction.clone().requires_grad_()
        loss = module(y, target)
        loss.backward()
        cases.append({"name": name, "call": call, "value": f32([loss.item()])[0],
                      "grad": f32(y.grad.numpy())})
    doc = {"generator": "scripts/golden/losses.py", "torch_version": torch.__version__,
           "shape": SHAPE, "prediction": f32(prediction.numpy()), "target": f32(target.numpy()),
           "cases": cases}
    write_golden_doc(doc, "losses.json")


if __name__ == "__main__":
    main()
