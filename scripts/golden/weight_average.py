#!/usr/bin/python3
"""Writes tests/golden/weight_average.json: PyTorch 1.13's AveragedModel with an exponential
moving average, for tests/test_weight_average.cpp.

Regenerate with Debian's torch: /usr/bin/python3 scripts/golden/weight_average.py

Torch 1.13 has no EMA helper, so the average function is the EMA written as later releases' lerp
does for decay > 0.5: avg + (param - avg) * (1 - decay). Per case: the decay, the parameters'
values before each update_parameters() call (fixed formulas of the step and the element index)
and the averaged parameters after it, as float32 values (see optimizers.py's f32).
"""
import math

import torch

from optimizers import f32, to_json, write_golden_doc

assert torch.__version__.startswith("1.13"), torch.__version__

UPDATES = 8
SHAPES = [("0.weight", [2, 3]), ("0.bias", [2])]


def values_at(step, k, n):
    return [math.sin(0.9 * i + 1.3 * k + 0.7 * step) * (1 + 0.3 * step) for i in range(n)]


def run(decay):
    model = torch.nn.ParameterList(
        [torch.nn.Parameter(torch.zeros(shape)) for _, shape in SHAPES])
    ema = torch.optim.swa_utils.AveragedModel(
        model, avg_fn=lambda avg, p, n: avg + (p - avg) * (1 - decay))
    steps = []
    for step in range(UPDATES):
        with torch.no_grad():
            for k, p in enumerate(model):
                p.copy_(torch.tensor(values_at(step, k, p.numel()), dtype=torch.float32)
                        .reshape(p.shape))
        ema.update_parameters(model)
        steps.append({"params": [f32(p.detach().numpy()) for p in model],
                      "averaged": [f32(p.detach().numpy()) for p in ema.module]})
    assert int(ema.n_averaged) == UPDATES
    return steps


def main():
    cases = [{"name": f"decay_{str(d).replace('.', '_')}", "decay": d, "steps": run(d)}
             for d in (0.9, 0.5, 0.999, 0.0)]
    doc = {"generator": "scripts/golden/weight_average.py", "torch_version": torch.__version__,
           "params": [{"name": n, "shape": s} for n, s in SHAPES], "cases": cases}
    write_golden_doc(doc, "weight_average.json")


if __name__ == "__main__":
    main()
