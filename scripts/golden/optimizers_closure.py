#!/usr/bin/python3

"""Writes tests/golden/optimizers_closure.json: torch 1.13's L-BFGS trajectories (with and
without the strong Wolfe line search) for tests/test_optim_golden.cpp.

    /usr/bin/python3 scripts/golden/optimizers_closure.py

Each step() of L-BFGS runs up to max_iter inner iterations, so the cases use a small max_iter
and 20 steps: long enough to exercise the history (a small history_size, so it rolls over) and
the line search, short enough that the runs have not converged to a standstill. The loss per step
is what torch's step() returns: the first closure evaluation (orig_loss).

No MLP case, and no strong-Wolfe case on Rosenbrock: there float32 L-BFGS is chaotic. torch's
own float32 run moves by more than the test's 1e-5 within 3-10 steps when only the last bit of
its dot products changes (the curvature pairs y = g - g_prev cancel, and the line search's
branches flip), so no independent implementation can be held to 1e-5 over 20 steps there.
descent's L-BFGS is covered on the MLP by the resume tests in tests/test_optim_closure.cpp;
two of the cases below match PyTorch bit for bit.
"""

import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import optimizers  # noqa: E402  (shared helpers)

STEPS = 20


def make_lbfgs(params, h):
    return torch.optim.LBFGS(
        params,
        lr=h.get("lr", 1.0),
        max_iter=int(h.get("max_iter", 20)),
        max_eval=int(h["max_eval"]) if h.get("max_eval", 0) else None,
        tolerance_grad=h.get("tolerance_grad", 1e-7),
        tolerance_change=h.get("tolerance_change", 1e-9),
        history_size=int(h.get("history_size", 100)),
        line_search_fn="strong_wolfe" if h.get("line_search_fn", 0) == 1 else None,
    )


# (case name, problem, hyper-parameters under descent's names); line_search_fn is descent's
# choice index (0 none, 1 strong_wolfe), as the golden test reads numbers only. With max_iter 1
# or 2 and the default max_eval (max_iter * 5 // 4) a step is one iteration.
CASES = [
    ("rosenbrock_lbfgs", "rosenbrock", {"lr": 0.1, "max_iter": 3, "history_size": 4}),
    ("rosenbrock_lbfgs_history2", "rosenbrock", {"lr": 0.05, "max_iter": 3, "history_size": 2}),
    ("quadratic_lbfgs", "quadratic", {"lr": 0.1, "max_iter": 3, "history_size": 4}),
    ("quadratic_lbfgs_wolfe", "quadratic",
     {"lr": 0.2, "max_iter": 2, "history_size": 4, "line_search_fn": 1}),
    ("beale_lbfgs", "beale", {"lr": 0.1, "max_iter": 3, "history_size": 4}),
    ("beale_lbfgs_wolfe", "beale",
     {"lr": 0.5, "max_iter": 2, "history_size": 2, "line_search_fn": 1}),
]


def main():
    cases = [(name, problem, "lbfgs", hyper, make_lbfgs) for name, problem, hyper in CASES]
    optimizers.write_golden("optimizers_closure.json", "scripts/golden/optimizers_closure.py",
                            cases, steps=STEPS)


if __name__ == "__main__":
    main()
