#!/usr/bin/python3
"""Golden learning-rate sequences from PyTorch 1.13's torch.optim.lr_scheduler.

Writes tests/golden/schedules.json: for every case, the descent SPEC that should reproduce it, the
optimizer and its groups' starting lr, an optional metric sequence (ReduceLROnPlateau), and per
row s the groups' lr (and momentum or beta1 where a schedule cycles it) in effect for optimizer
step s: row 0 right after construction, row s after s scheduler steps.

Run with Debian's torch: /usr/bin/python3 scripts/golden/schedules.py
"""
import json
import math
import os
import warnings

import torch
import torch.optim.lr_scheduler as L

warnings.filterwarnings("ignore")
assert torch.__version__.startswith("1.13"), torch.__version__

STEPS = 80


def plateau_metrics(n):
    # Improves, stalls (exactly equal, then within the threshold), improves, gets worse: exercises
    # patience, threshold and cooldown in both modes.
    out = []
    for t in range(n):
        if t < 10:
            m = 1.0 / (1 + 0.2 * t)
        elif t < 25:
            m = 1.0 / 3 + 1e-5 * (t % 3)
        elif t < 35:
            m = 1.0 / 3 - 0.02 * (t - 24)
        else:
            m = 0.15 + 0.01 * ((t * 7) % 5)
        out.append(round(m, 12))
    return out


def make_opt(kind, lrs):
    groups = [{"params": [torch.zeros(1, requires_grad=True)], "lr": lr} for lr in lrs]
    if kind == "sgd":
        return torch.optim.SGD(groups, lr=lrs[0], momentum=0.9)
    return torch.optim.Adam(groups, lr=lrs[0])


CASES = [
    # name, descent spec, optimizer, group lrs, torch builder, plateau mode (metrics) or None
    ("step", "step:step_size=7,gamma=0.5", "sgd", [0.1],
     lambda o: L.StepLR(o, step_size=7, gamma=0.5)),
    ("step_two_groups", "step:step_size=5,gamma=0.7", "sgd", [0.1, 0.02],
     lambda o: L.StepLR(o, step_size=5, gamma=0.7)),
    ("multistep", "multistep:milestones=[10,25,25,40],gamma=0.3", "sgd", [0.1],
     lambda o: L.MultiStepLR(o, milestones=[10, 25, 25, 40], gamma=0.3)),
    ("exponential", "exponential:gamma=0.95", "sgd", [0.1],
     lambda o: L.ExponentialLR(o, gamma=0.95)),
    ("cosine", "cosine:t_max=20,eta_min=0.001", "sgd", [0.1],
     lambda o: L.CosineAnnealingLR(o, T_max=20, eta_min=0.001)),
    ("cosine_restarts_mult2", "cosine_restarts:t_0=7,t_mult=2,eta_min=0.01", "sgd", [0.1],
     lambda o: L.CosineAnnealingWarmRestarts(o, T_0=7, T_mult=2, eta_min=0.01)),
    ("cosine_restarts_mult1", "cosine_restarts:t_0=9", "sgd", [0.1, 0.3],
     lambda o: L.CosineAnnealingWarmRestarts(o, T_0=9)),
    ("cyclic_triangular",
     "cyclic:base_lr=0.01,max_lr=0.1,step_size_up=5,step_size_down=8", "sgd", [0.1],
     lambda o: L.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=5, step_size_down=8)),
    ("cyclic_triangular2",
     "cyclic:base_lr=0.001,max_lr=0.05,step_size_up=4,mode=triangular2,cycle_momentum=false",
     "sgd", [0.1, 0.2],
     lambda o: L.CyclicLR(o, base_lr=0.001, max_lr=0.05, step_size_up=4, mode="triangular2",
                          cycle_momentum=False)),
    ("cyclic_exp_range",
     "cyclic:base_lr=0.02,max_lr=0.2,step_size_up=6,mode=exp_range,gamma=0.97,"
     "base_momentum=0.7,max_momentum=0.95", "sgd", [0.1],
     lambda o: L.CyclicLR(o, base_lr=0.02, max_lr=0.2, step_size_up=6, mode="exp_range",
                          gamma=0.97, base_momentum=0.7, max_momentum=0.95)),
    ("onecycle_cos",
     "onecycle:max_lr=0.5,total_steps=80,pct_start=0.25,div_factor=10,final_div_factor=100",
     "sgd", [0.1],
     lambda o: L.OneCycleLR(o, max_lr=0.5, total_steps=80, pct_start=0.25, div_factor=10.,
                            final_div_factor=100.)),
    ("onecycle_linear_three_phase_adam",
     "onecycle:max_lr=0.01,total_steps=80,anneal_strategy=linear,three_phase=true,"
     "base_momentum=0.8,max_momentum=0.9", "adam", [0.001],
     lambda o: L.OneCycleLR(o, max_lr=0.01, total_steps=80, anneal_strategy="linear",
                            three_phase=True, base_momentum=0.8, max_momentum=0.9)),
    ("linear", "linear:start_factor=0.2,end_factor=0.9,total_iters=15", "sgd", [0.1],
     lambda o: L.LinearLR(o, start_factor=0.2, end_factor=0.9, total_iters=15)),
    ("constant", "constant:factor=0.25,total_iters=12", "sgd", [0.1],
     lambda o: L.ConstantLR(o, factor=0.25, total_iters=12)),
    ("polynomial", "polynomial:total_iters=40,power=2.5", "sgd", [0.1],
     lambda o: L.PolynomialLR(o, total_iters=40, power=2.5)),
    ("multiplicative", "multiplicative:factor=0.97", "sgd", [0.1],
     lambda o: L.MultiplicativeLR(o, lr_lambda=lambda e: 0.97)),
    # LambdaLR: the C++ test supplies the same function, 1 / (1 + 0.1 t).
    ("lambda", "lambda", "sgd", [0.1],
     lambda o: L.LambdaLR(o, lr_lambda=lambda e: 1.0 / (1 + 0.1 * e))),
    ("sequential_warmup_cosine",
     "sequential:schedulers=[linear:start_factor=0.1,total_iters=5;cosine:t_max=75],"
     "milestones=[5]", "sgd", [0.1],
     lambda o: L.SequentialLR(o, [L.LinearLR(o, start_factor=0.1, total_iters=5),
                                  L.CosineAnnealingLR(o, T_max=75)], milestones=[5])),
    ("sequential_three_part",
     "sequential:schedulers=[linear:start_factor=0.25,total_iters=8;"
     "cosine:t_max=20,eta_min=0.01;exponential:gamma=0.9],milestones=[8,28]", "sgd", [0.1],
     lambda o: L.SequentialLR(o, [L.LinearLR(o, start_factor=0.25, total_iters=8),
                                  L.CosineAnnealingLR(o, T_max=20, eta_min=0.01),
                                  L.ExponentialLR(o, gamma=0.9)], milestones=[8, 28])),
    ("sequential_restarts",
     "sequential:schedulers=[constant:factor=0.1,total_iters=100;"
     "cosine_restarts:t_0=10,t_mult=2],milestones=[6]", "sgd", [0.1],
     lambda o: L.SequentialLR(o, [L.ConstantLR(o, factor=0.1, total_iters=100),
                                  L.CosineAnnealingWarmRestarts(o, T_0=10, T_mult=2)],
                              milestones=[6])),
    ("sequential_step_polynomial",
     "sequential:schedulers=[step:step_size=3,gamma=0.5;polynomial:total_iters=30,power=2],"
     "milestones=[12]", "sgd", [0.1, 0.05],
     lambda o: L.SequentialLR(o, [L.StepLR(o, step_size=3, gamma=0.5),
                                  L.PolynomialLR(o, total_iters=30, power=2.0)],
                              milestones=[12])),
    ("chained_constant_exponential",
     "chained:schedulers=[constant:factor=0.5,total_iters=10;exponential:gamma=0.95]", "sgd",
     [0.1],
     lambda o: L.ChainedScheduler([L.ConstantLR(o, factor=0.5, total_iters=10),
                                   L.ExponentialLR(o, gamma=0.95)])),
    ("chained_cosine_multistep",
     "chained:schedulers=[cosine:t_max=30,eta_min=0.001;multistep:milestones=[15,45],gamma=0.5]",
     "sgd", [0.1],
     lambda o: L.ChainedScheduler([L.CosineAnnealingLR(o, T_max=30, eta_min=0.001),
                                   L.MultiStepLR(o, milestones=[15, 45], gamma=0.5)])),
    ("chained_sequential_exponential",
     "chained:schedulers=[sequential:schedulers=[linear:start_factor=0.5,total_iters=4;"
     "step:step_size=10,gamma=0.5],milestones=[4];exponential:gamma=0.99]", "sgd", [0.1],
     lambda o: L.ChainedScheduler([
         L.SequentialLR(o, [L.LinearLR(o, start_factor=0.5, total_iters=4),
                            L.StepLR(o, step_size=10, gamma=0.5)], milestones=[4]),
         L.ExponentialLR(o, gamma=0.99)])),
    ("plateau_min_rel", "reduce_on_plateau:patience=3,factor=0.5", "sgd", [0.1],
     lambda o: L.ReduceLROnPlateau(o, patience=3, factor=0.5), "min"),
    ("plateau_min_abs_cooldown",
     "reduce_on_plateau:mode=min,threshold_mode=abs,threshold=0.001,patience=2,cooldown=3,"
     "factor=0.3,min_lr=0.002", "sgd", [0.1, 0.05],
     lambda o: L.ReduceLROnPlateau(o, mode="min", threshold_mode="abs", threshold=0.001,
                                   patience=2, cooldown=3, factor=0.3, min_lr=0.002), "min"),
    ("plateau_max_rel", "reduce_on_plateau:mode=max,patience=2,factor=0.5,min_lr=[0.01,0.001]",
     "sgd", [0.1, 0.05],
     lambda o: L.ReduceLROnPlateau(o, mode="max", patience=2, factor=0.5,
                                   min_lr=[0.01, 0.001]), "max"),
    ("plateau_max_abs_eps",
     "reduce_on_plateau:mode=max,threshold_mode=abs,threshold=0.01,patience=1,cooldown=1,"
     "factor=0.5,min_lr=0.0124,eps=0.0001", "sgd", [0.1],
     lambda o: L.ReduceLROnPlateau(o, mode="max", threshold_mode="abs", threshold=0.01,
                                   patience=1, cooldown=1, factor=0.5, min_lr=0.0124, eps=1e-4),
     "max"),
]


def run(case):
    name, spec, kind, lrs, build = case[:5]
    plateau = case[5] if len(case) > 5 else None
    opt = make_opt(kind, lrs)
    sched = build(opt)
    metrics = None
    if plateau:
        metrics = plateau_metrics(STEPS)
        if plateau == "max":
            metrics = [-m for m in metrics]
    mkey = None
    if isinstance(sched, (L.CyclicLR, L.OneCycleLR)) and sched.cycle_momentum:
        mkey = "beta1" if kind == "adam" else "momentum"

    def momentum_row():
        if mkey == "beta1":
            return [g["betas"][0] for g in opt.param_groups]
        return [g["momentum"] for g in opt.param_groups]

    lr_rows, mom_rows = [], []
    for s in range(STEPS):
        if s > 0:
            opt.step()
            if metrics is not None:
                sched.step(metrics[s - 1])
            else:
                sched.step()
        lr_rows.append([g["lr"] for g in opt.param_groups])
        if mkey:
            mom_rows.append(momentum_row())
    out = {"name": name, "spec": spec, "optimizer": kind, "group_lrs": lrs, "lr": lr_rows}
    if metrics is not None:
        out["metrics"] = metrics
    if mkey:
        out["momentum_key"] = mkey
        out["momentum"] = mom_rows
    return out


def main():
    doc = {"generator": "scripts/golden/schedules.py", "torch": torch.__version__,
           "steps": STEPS, "cases": [run(c) for c in CASES]}
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests",
                        "golden", "schedules.json")
    with open(path, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print("wrote %d cases to %s" % (len(doc["cases"]), os.path.normpath(path)))


if __name__ == "__main__":
    main()
