#!/usr/bin/python3
"""Writes tests/golden/optimizers_classic.json: PyTorch 1.13's Adagrad, Adadelta, RMSprop, Rprop
and ASGD trajectories for descent's golden tests (tests/test_optim_golden.cpp), on the problems
of scripts/golden/optimizers.py. ASGD cases also store torch's final state (step, eta, mu and the
averaged parameters ax), which tests/test_optim_classic.cpp compares with descent's.

Regenerate with Debian's torch (1.13):

    /usr/bin/python3 scripts/golden/optimizers_classic.py
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import optimizers as golden  # noqa: E402

import torch  # noqa: E402

ALL = ("mlp", "rosenbrock", "quadratic", "beale")
MAX = ("quadratic",)

# name: (descent optimizer, hyper-parameters without lr, problems, lr per problem)
CONFIGS = {
    "adagrad": ("adagrad", {}, ALL, {"mlp": 0.02, "rosenbrock": 0.05, "quadratic": 0.1,
                                     "beale": 0.05}),
    "adagrad_decay_init": ("adagrad", {"lr_decay": 0.02, "initial_accumulator_value": 0.1,
                                       "eps": 1e-6}, ALL, {"mlp": 0.1, "rosenbrock": 0.05,
                                                           "quadratic": 0.2, "beale": 0.1}),
    "adagrad_wd": ("adagrad", {"weight_decay": 0.05}, ALL, {"mlp": 0.05, "rosenbrock": 0.05,
                                                            "quadratic": 0.1, "beale": 0.05}),
    "adagrad_maximize": ("adagrad", {"maximize": True}, MAX, {"quadratic": 0.05}),
    "adadelta": ("adadelta", {"rho": 0.95, "eps": 1e-5}, ALL, {"mlp": 1.0, "rosenbrock": 1.0,
                                                                "quadratic": 1.0, "beale": 1.0}),
    "adadelta_wd": ("adadelta", {"rho": 0.8, "eps": 1e-4, "weight_decay": 0.1}, ALL,
                    {"mlp": 0.5, "rosenbrock": 0.2, "quadratic": 0.5, "beale": 0.5}),
    "adadelta_maximize": ("adadelta", {"maximize": True}, MAX, {"quadratic": 1.0}),
    "rmsprop": ("rmsprop", {"alpha": 0.9, "eps": 1e-6}, ALL, {"mlp": 0.003, "rosenbrock": 0.01,
                                                               "quadratic": 0.02, "beale": 0.01}),
    "rmsprop_centered": ("rmsprop", {"centered": True, "weight_decay": 0.01}, ALL,
                         {"mlp": 0.005, "rosenbrock": 0.005, "quadratic": 0.01, "beale": 0.005}),
    "rmsprop_momentum": ("rmsprop", {"momentum": 0.8, "alpha": 0.95, "eps": 1e-4}, ALL,
                         {"mlp": 0.002, "rosenbrock": 0.002, "quadratic": 0.005, "beale": 0.002}),
    "rmsprop_centered_momentum": ("rmsprop", {"momentum": 0.5, "centered": True, "eps": 1e-4},
                                  ALL, {"mlp": 0.002, "rosenbrock": 0.002, "quadratic": 0.005,
                                        "beale": 0.002}),
    "rmsprop_maximize": ("rmsprop", {"maximize": True}, MAX, {"quadratic": 0.01}),
    "rprop": ("rprop", {}, ALL, {"mlp": 0.02, "rosenbrock": 0.01, "quadratic": 0.01,
                                 "beale": 0.01}),
    "rprop_custom": ("rprop", {"eta_minus": 0.3, "eta_plus": 1.5, "step_size_min": 1e-4,
                               "step_size_max": 0.2}, ALL,
                     {"mlp": 0.02, "rosenbrock": 0.05, "quadratic": 0.05, "beale": 0.05}),
    "rprop_maximize": ("rprop", {"maximize": True, "step_size_max": 1.0}, MAX,
                       {"quadratic": 0.01}),
    "asgd": ("asgd", {"lambd": 1e-3, "alpha": 0.6, "t0": 20}, ALL,
             {"mlp": 0.1, "rosenbrock": 5e-4, "quadratic": 0.05, "beale": 2e-3}),
    "asgd_wd": ("asgd", {"lambd": 0.01, "alpha": 0.9, "t0": 5, "weight_decay": 0.02}, ALL,
                {"mlp": 0.2, "rosenbrock": 5e-4, "quadratic": 0.1, "beale": 2e-3}),
    "asgd_maximize": ("asgd", {"maximize": True, "t0": 10}, MAX, {"quadratic": 0.01}),
}


def make_torch(kind, params, h):
    if kind == "adagrad":
        return torch.optim.Adagrad(params, lr=h["lr"], lr_decay=h.get("lr_decay", 0.0),
                                   weight_decay=h.get("weight_decay", 0.0),
                                   initial_accumulator_value=h.get("initial_accumulator_value",
                                                                   0.0),
                                   eps=h.get("eps", 1e-10), maximize=h.get("maximize", False),
                                   foreach=False)
    if kind == "adadelta":
        return torch.optim.Adadelta(params, lr=h["lr"], rho=h.get("rho", 0.9),
                                    eps=h.get("eps", 1e-6), weight_decay=h.get("weight_decay", 0.0),
                                    maximize=h.get("maximize", False), foreach=False)
    if kind == "rmsprop":
        return torch.optim.RMSprop(params, lr=h["lr"], alpha=h.get("alpha", 0.99),
                                   eps=h.get("eps", 1e-8), weight_decay=h.get("weight_decay", 0.0),
                                   momentum=h.get("momentum", 0.0),
                                   centered=h.get("centered", False),
                                   maximize=h.get("maximize", False), foreach=False)
    if kind == "rprop":
        return torch.optim.Rprop(params, lr=h["lr"],
                                 etas=(h.get("eta_minus", 0.5), h.get("eta_plus", 1.2)),
                                 step_sizes=(h.get("step_size_min", 1e-6),
                                             h.get("step_size_max", 50.0)),
                                 maximize=h.get("maximize", False), foreach=False)
    if kind == "asgd":
        return torch.optim.ASGD(params, lr=h["lr"], lambd=h.get("lambd", 1e-4),
                                alpha=h.get("alpha", 0.75), t0=h.get("t0", 1e6),
                                weight_decay=h.get("weight_decay", 0.0),
                                maximize=h.get("maximize", False), foreach=False)
    raise ValueError(kind)


FILENAME = "optimizers_classic.json"
made = {}  # case name -> the torch optimizer that ran it (for ASGD's final state)


def main():
    cases = []
    for config, (kind, extra, on, lrs) in CONFIGS.items():
        for problem in on:
            name = f"{problem}_{config}"
            hyper = {"lr": lrs[problem], **extra}

            def make(params, h, kind=kind, name=name):
                made[name] = make_torch(kind, params, h)
                return made[name]

            cases.append((name, problem, kind, hyper, make))
    golden.write_golden(FILENAME, "scripts/golden/optimizers_classic.py", cases)

    # ASGD: add torch's final state to the written cases, keeping the file's number texts.
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "golden",
                        FILENAME)
    with open(path) as f:
        doc = json.loads(f.read(), parse_float=golden.RawNumber)
    for case in doc["cases"]:
        if case["optimizer"] != "asgd":
            continue
        opt = made[case["name"]]
        states = [opt.state[p] for g in opt.param_groups for p in g["params"]]
        mu = float(states[0]["mu"])
        assert mu != 1.0, f"{case['name']}: averaging never started"
        case["final_state"] = {
            "step": float(states[0]["step"]),
            "eta": golden.f32([float(states[0]["eta"])])[0],
            "mu": golden.f32([mu])[0],
            "ax": golden.f32(torch.cat([s["ax"].reshape(-1) for s in states]).numpy()),
        }
    text = "{\n" + ",\n".join(
        json.dumps(k) + ": " + (golden.to_json(v) if k != "cases" else
                                "[\n" + ",\n".join(golden.to_json(c) for c in v) + "\n]")
        for k, v in doc.items()) + "\n}\n"
    json.loads(text)
    with open(path, "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
