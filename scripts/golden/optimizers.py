#!/usr/bin/python3
"""Writes tests/golden/optimizers.json: PyTorch's SGD and Adam trajectories for descent's
golden optimizer tests (tests/test_optim_golden.cpp), and holds what the other golden scripts
share: the problems, run_case (which steps with a closure) and write_golden. Another script adds
optimizers by importing this module and calling write_golden("optimizers_<group>.json", ...);
the C++ test reads every tests/golden/optimizers*.json.

Regenerate with Debian's torch (1.13), which lives under /usr/bin/python3:

    /usr/bin/python3 scripts/golden/optimizers.py

Problems:
  mlp         Linear(4,8) -> Tanh -> Linear(8,3), cross-entropy on one fixed batch of 16
  rosenbrock  (1-x)^2 + 100 (y-x^2)^2 from (-1.2, 1)
  quadratic   0.5 (x^2 + 10 y^2) from (1.5, 1)
  beale       (1.5-x+xy)^2 + (2.25-x+xy^2)^2 + (2.625-x+xy^3)^2 from (1, 1.5)
Every optimizer configuration runs on every problem, except the maximize ones, which run on the
quadratic only. The initial weights and the data are stored in the file, so the C++ side needs no
random generator. Per step the file holds the loss before the step and the flattened parameters
after it (state_dict order, row-major), as float32 values written with the shortest decimal that
reads back, through double, to the same float32.
"""

import json
import os
import sys

import numpy as np
import torch

STEPS = 60
SEED = 20240521

# Per configuration: optimizer name, hyper-parameters under descent's names (lr comes from LR),
# and the problems it runs on.
ALL = ("mlp", "rosenbrock", "quadratic", "beale")
CONFIGS = {
    "sgd": ("sgd", {}, ALL),
    "sgd_momentum": ("sgd", {"momentum": 0.9}, ALL),
    "sgd_dampening": ("sgd", {"momentum": 0.9, "dampening": 0.1}, ALL),
    "sgd_nesterov_wd": ("sgd", {"momentum": 0.9, "nesterov": True, "weight_decay": 0.01}, ALL),
    "sgd_maximize": ("sgd", {"maximize": True}, ("quadratic",)),
    "adam": ("adam", {}, ALL),
    "adam_custom": (
        "adam",
        {"beta1": 0.8, "beta2": 0.99, "eps": 1e-6, "weight_decay": 0.05},
        ALL,
    ),
    # beta2 = 0.9 lets the second moment fall quickly, so the running maximum really differs.
    "adam_amsgrad": ("adam", {"amsgrad": True, "beta2": 0.9}, ALL),
    "adam_maximize": ("adam", {"maximize": True}, ("quadratic",)),
}

# Learning rates per (optimizer kind, problem): large enough to move, small enough to stay stable.
LR = {
    ("sgd", "mlp"): 0.1,
    ("sgd", "rosenbrock"): 5e-4,
    ("sgd", "quadratic"): 0.05,
    ("sgd", "beale"): 2e-3,
    ("sgd_momentum", "mlp"): 0.05,
    ("sgd_momentum", "rosenbrock"): 1e-4,
    ("sgd_momentum", "quadratic"): 0.02,
    ("sgd_momentum", "beale"): 5e-4,
    ("sgd_maximize", "quadratic"): 0.01,
    ("adam", "mlp"): 0.01,
    ("adam", "rosenbrock"): 0.02,
    ("adam", "quadratic"): 0.05,
    ("adam", "beale"): 0.01,
}


def lr_for(config, problem):
    kind, hyper, _ = CONFIGS[config]
    if (config, problem) in LR:
        return LR[(config, problem)]
    if kind == "sgd" and hyper.get("momentum", 0) != 0:
        return LR[("sgd_momentum", problem)]
    return LR[(kind, problem)]


def f32(values):
    """float32 values as JSON numbers, each the shortest decimal that identifies its float32."""
    out = []
    for v in np.asarray(values, dtype=np.float32).reshape(-1):
        text = np.format_float_positional(v, unique=True, trim="-") if abs(v) >= 1e-4 or v == 0 \
            else np.format_float_scientific(v, unique=True, trim="-")
        # The C++ side parses into double and rounds to float: check that lands on v.
        assert np.float32(float(text)) == v, (text, v)
        out.append(RawNumber(text))
    return out


class RawNumber(str):
    """A number kept as its exact decimal text in the output."""


def to_json(obj):
    """json.dumps, with RawNumber written unquoted and number lists kept on one line."""
    if isinstance(obj, RawNumber):
        return str(obj)
    if isinstance(obj, bool) or obj is None or isinstance(obj, (int, float, str)):
        return json.dumps(obj)
    if isinstance(obj, (list, tuple)):
        return "[" + ",".join(to_json(x) for x in obj) + "]"
    return "{" + ",".join(json.dumps(k) + ":" + to_json(v) for k, v in obj.items()) + "}"


def rosenbrock(p):
    x, y = p[0], p[1]
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


def quadratic(p):
    x, y = p[0], p[1]
    return 0.5 * (x**2 + 10 * y**2)


def beale(p):
    x, y = p[0], p[1]
    return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2 + (2.625 - x + x * y**3) ** 2


FUNCTIONS = {
    "rosenbrock": (rosenbrock, [-1.2, 1.0]),
    "quadratic": (quadratic, [1.5, 1.0]),
    "beale": (beale, [1.0, 1.5]),
}


def make_mlp_problem():
    torch.manual_seed(SEED)
    model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 3))
    inputs = torch.randn(16, 4)
    labels = torch.randint(0, 3, (16,))
    initial = {k: v.detach().clone() for k, v in model.state_dict().items()}
    return initial, inputs, labels


def make_optimizer(kind, params, hyper):
    if kind == "sgd":
        return torch.optim.SGD(
            params,
            lr=hyper["lr"],
            momentum=hyper.get("momentum", 0.0),
            dampening=hyper.get("dampening", 0.0),
            weight_decay=hyper.get("weight_decay", 0.0),
            nesterov=hyper.get("nesterov", False),
            maximize=hyper.get("maximize", False),
            foreach=False,
        )
    return torch.optim.Adam(
        params,
        lr=hyper["lr"],
        betas=(hyper.get("beta1", 0.9), hyper.get("beta2", 0.999)),
        eps=hyper.get("eps", 1e-8),
        weight_decay=hyper.get("weight_decay", 0.0),
        amsgrad=hyper.get("amsgrad", False),
        maximize=hyper.get("maximize", False),
        foreach=False,
    )


def run_case(problem, make, hyper, mlp, steps=STEPS):
    initial, inputs, labels = mlp
    if problem == "mlp":
        model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 3))
        model.load_state_dict(initial)
        params = list(model.parameters())

        def loss_fn():
            return torch.nn.functional.cross_entropy(model(inputs), labels)

    else:
        fn, start = FUNCTIONS[problem]
        p = torch.tensor(start, dtype=torch.float32, requires_grad=True)
        params = [p]

        def loss_fn():
            return fn(p)

    opt = make(params, hyper)

    def closure():
        opt.zero_grad()
        loss = loss_fn()
        loss.backward()
        return loss

    losses, trajectory = [], []
    amsgrad_active = False
    for _ in range(steps):
        # The closure form: the same as zero_grad/forward/backward/step for one-evaluation
        # optimizers, and what L-BFGS needs. The returned loss is the one before the step.
        loss = opt.step(closure)
        losses.append(float(loss))
        trajectory.append(f32(torch.cat([q.detach().reshape(-1) for q in params]).numpy()))
        if hyper.get("amsgrad"):
            for q in params:
                st = opt.state[q]
                amsgrad_active |= bool((st["max_exp_avg_sq"] != st["exp_avg_sq"]).any())
    if hyper.get("amsgrad"):
        assert amsgrad_active, f"{problem}: amsgrad's maximum never differs from exp_avg_sq"
    flat = torch.cat([q.detach().reshape(-1) for q in params])
    assert torch.isfinite(flat).all(), f"{problem}: diverged"
    return f32(losses), trajectory


def problems_json(mlp):
    """The problems' definitions (weights and data) as stored in a golden file."""
    initial, inputs, labels = mlp
    problems = {
        "mlp": {
            "layers": ["linear:out=8", "tanh", "linear:out=3"],
            "in_features": 4,
            "loss": "cross_entropy",
            "inputs": {"shape": list(inputs.shape), "values": f32(inputs.numpy())},
            "labels": [int(k) for k in labels],
            "initial": [
                {"name": k, "shape": list(v.shape), "values": f32(v.numpy())}
                for k, v in initial.items()
            ],
        }
    }
    for name, (_, start) in FUNCTIONS.items():
        problems[name] = {"initial": [{"name": "p", "shape": [2], "values": f32(start)}]}
    return problems


def write_golden_doc(doc, filename):
    """Writes doc to tests/golden/<filename>, one case per line (diffs stay readable)."""
    out = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                        "tests", "golden", filename))
    os.makedirs(os.path.dirname(out), exist_ok=True)
    text = "{\n" + ",\n".join(
        json.dumps(k) + ": " + (to_json(v) if k != "cases" else
                                "[\n" + ",\n".join(to_json(c) for c in v) + "\n]")
        for k, v in doc.items()) + "\n}\n"
    json.loads(text)  # well-formed
    with open(out, "w") as f:
        f.write(text)
    print(f"wrote {out}: {len(doc['cases'])} cases, {len(text)} bytes", file=sys.stderr)


def write_golden(filename, generator, cases_spec, steps=STEPS):
    """Runs every case and writes tests/golden/<filename>.

    cases_spec: a list of (case name, problem, descent optimizer name, hyper-parameters under
    descent's names, make) where make(params, hyper) builds the torch optimizer.
    """
    assert torch.__version__.startswith("1.13"), f"expected torch 1.13, got {torch.__version__}"
    torch.set_num_threads(1)  # one summation order for the MLP's matmuls
    mlp = make_mlp_problem()
    cases = []
    for name, problem, optimizer, hyper, make in cases_spec:
        losses, trajectory = run_case(problem, make, hyper, mlp, steps)
        cases.append({"name": name, "problem": problem, "optimizer": optimizer,
                      "hyperparams": hyper, "steps": steps, "losses": losses,
                      "params": trajectory})
    doc = {"generator": generator, "torch_version": torch.__version__,
           "problems": problems_json(mlp), "cases": cases}
    write_golden_doc(doc, filename)


def main():
    cases = []
    for config, (kind, extra, on) in CONFIGS.items():
        for problem in on:
            hyper = {"lr": lr_for(config, problem), **extra}
            cases.append((f"{problem}_{config}", problem, kind, hyper,
                          lambda params, h, kind=kind: make_optimizer(kind, params, h)))
    write_golden("optimizers.json", "scripts/golden/optimizers.py", cases)


if __name__ == "__main__":
    main()
