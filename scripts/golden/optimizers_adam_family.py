#!/usr/bin/python3
"""Writes tests/golden/optimizers_adam_family.json: PyTorch 1.13's AdamW, Adamax, NAdam and
RAdam trajectories for descent's golden optimizer tests (tests/test_optim_golden.cpp), on the
problems of optimizers.py. Adafactor is not here: torch 1.13 lacks it (its test writes the update
in double precision instead), and so do NAdam's and RAdam's maximize and decoupled_weight_decay.

Regenerate with Debian's torch (1.13), which lives under /usr/bin/python3:

    /usr/bin/python3 scripts/golden/optimizers_adam_family.py
"""

import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import optimizers as common  # noqa: E402

ALL = ("mlp", "rosenbrock", "quadratic", "beale")

# Learning rates per problem, as Adam's in optimizers.py (Adamax and NAdam take the same).
LR = {"mlp": 0.01, "rosenbrock": 0.02, "quadratic": 0.05, "beale": 0.01}
# RAdam's first steps (rho_t <= 5) are SGD with momentum, lr m_hat: Rosenbrock's gradient of
# about 200 at the start needs a small lr there, or it diverges before the rectified steps.
LR_RADAM = {"mlp": 0.05, "rosenbrock": 5e-4, "quadratic": 0.05, "beale": 5e-3}


def betas(h, b1=0.9, b2=0.999):
    return (h.get("beta1", b1), h.get("beta2", b2))


def adamw(params, h):
    return torch.optim.AdamW(params, lr=h["lr"], betas=betas(h), eps=h.get("eps", 1e-8),
                             weight_decay=h.get("weight_decay", 1e-2),
                             amsgrad=h.get("amsgrad", False), maximize=h.get("maximize", False),
                             foreach=False)


def adamax(params, h):
    return torch.optim.Adamax(params, lr=h["lr"], betas=betas(h), eps=h.get("eps", 1e-8),
                              weight_decay=h.get("weight_decay", 0.0),
                              maximize=h.get("maximize", False), foreach=False)


def nadam(params, h):
    return torch.optim.NAdam(params, lr=h["lr"], betas=betas(h), eps=h.get("eps", 1e-8),
                             weight_decay=h.get("weight_decay", 0.0),
                             momentum_decay=h.get("momentum_decay", 4e-3), foreach=False)


def radam(params, h):
    return torch.optim.RAdam(params, lr=h["lr"], betas=betas(h), eps=h.get("eps", 1e-8),
                             weight_decay=h.get("weight_decay", 0.0), foreach=False)


# config name: (descent optimizer, torch maker, hyper-parameters beyond lr, problems)
CONFIGS = {
    "adamw": ("adamw", adamw,
              {"beta1": 0.85, "beta2": 0.995, "eps": 1e-7, "weight_decay": 0.1}, ALL),
    # beta2 = 0.9 lets the second moment fall quickly, so the running maximum really differs.
    "adamw_amsgrad": ("adamw", adamw, {"amsgrad": True, "beta2": 0.9, "weight_decay": 0.05}, ALL),
    "adamw_maximize": ("adamw", adamw, {"maximize": True}, ("quadratic",)),
    "adamax": ("adamax", adamax,
               {"beta1": 0.8, "beta2": 0.99, "eps": 1e-6, "weight_decay": 0.05}, ALL),
    "adamax_maximize": ("adamax", adamax, {"maximize": True}, ("quadratic",)),
    "nadam": ("nadam", nadam,
              {"beta1": 0.85, "beta2": 0.99, "eps": 1e-6, "momentum_decay": 0.01,
               "weight_decay": 0.02}, ALL),
    "nadam_psi": ("nadam", nadam, {"momentum_decay": 0.1}, ALL),
    # rho_t > 5 from step 6 (beta2 0.999) or step 7 (0.99): both regimes within the 60 steps.
    "radam": ("radam", radam, {"weight_decay": 0.05, "eps": 1e-6}, ALL),
    "radam_custom": ("radam", radam, {"beta1": 0.8, "beta2": 0.99, "weight_decay": 0.01}, ALL),
}


def main():
    cases = []
    for config, (optimizer, make, extra, on) in CONFIGS.items():
        for problem in on:
            hyper = {"lr": (LR_RADAM if optimizer == "radam" else LR)[problem], **extra}
            cases.append((f"{problem}_{config}", problem, optimizer, hyper, make))
    common.write_golden("optimizers_adam_family.json", "scripts/golden/optimizers_adam_family.py",
                        cases)


if __name__ == "__main__":
    main()
