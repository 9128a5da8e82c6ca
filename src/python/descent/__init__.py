"""descent from Python: its optimizers, schedules and training runs (docs/python.md).

    import descent
    run = descent.train(**{"data.name": "spirals", "train.epochs": 5})
    paths = descent.optimize("rosenbrock", ["adam:lr=0.05", "sgd:lr=0.001,momentum=0.9"], 500)
    lrs = descent.schedule("cosine:t_max=100", lr=0.1, steps=100)
    opt = descent.optim.Adam(model.parameters(), lr=1e-3)   # a PyTorch model, or numpy arrays

Errors carry descent's messages: UnknownNameError (a KeyError) for an unknown name (optimizer,
schedule, key), ValueError for a bad value, OSError for a file that cannot be read.
"""
from . import optim
from ._core import UnknownNameError, __version__, num_threads, set_num_threads
from .paths import Path, evaluate, functions, optimize, plot_paths, schedule
from .runs import Run, load_run, train

__all__ = [
    "optim", "train", "load_run", "Run", "optimize", "plot_paths", "schedule", "Path", "functions",
    "evaluate",
    "set_num_threads", "num_threads", "UnknownNameError", "__version__",
]
