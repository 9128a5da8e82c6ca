"""What `descent optimize` and `descent schedule` compute, as numpy arrays."""
import dataclasses
import os

import numpy

from . import _core


@dataclasses.dataclass
class Path:
    """An optimizer's path over a test function; row s is after s steps (row 0: the start)."""
    xy: numpy.ndarray         # [steps + 1, 2]
    loss: numpy.ndarray       # [steps + 1]
    grad_norm: numpy.ndarray  # [steps + 1]
    lr: numpy.ndarray         # [steps + 1]
    diverged: bool            # stopped early at a non-finite value


def optimize(function, optimizers, steps=100, start=None, *, gradient_noise=0.0, clip_norm=0.0,
             seed=0):
    """Runs each optimizer SPEC ("adam:lr=0.05") from `start` (default: the function's classic
    start) over the 2-D test function ("rosenbrock", "quadratic:kappa=10"; functions() lists
    them) and returns {spec: Path}. gradient_noise adds N(0, s^2) to every gradient component
    (drawn from `seed`), clip_norm clips the gradient's norm before each step."""
    if isinstance(optimizers, str):
        optimizers = [optimizers]
    if start is not None:
        start = (float(start[0]), float(start[1]))
    paths = _core.optimize(function, list(optimizers), int(steps), start, float(gradient_noise),
                           float(clip_norm), int(seed))
    return {spec: Path(p["xy"], p["loss"], p["grad_norm"], p["lr"], p["diverged"])
            for spec, p in paths.items()}


def schedule(spec, lr=0.1, steps=100, metrics=None, *, momentum=False):
    """The schedule's learning rate for each of `steps` optimizer steps (row 0: the first step's),
    as `descent schedule` prints it. metrics: reduce_on_plateau's, one per step. With
    momentum=True, returns (lr, momentum), momentum None unless the schedule cycles it."""
    lrs, momentum_key, momenta = _core.schedule(spec, float(lr), int(steps),
                                                [float(m) for m in (metrics or [])])
    if momentum:
        return lrs, (momenta if momentum_key else None)
    return lrs


def plot_paths(function, paths, file, *, start=None, grid=200):
    """Draws paths from optimize() ({spec: Path}) as `descent optimize --plot` does: the
    function's contours with every path, and loss and gradient norm against step, into `file`
    (.html: an interactive page; .svg or .png). start: where the window must reach (default: the
    first path's start); grid: the contour grid's points per side."""
    if not paths:
        raise ValueError("plot_paths: no paths to draw")
    first = next(iter(paths.values()))
    x0, y0 = (float(start[0]), float(start[1])) if start is not None else map(float, first.xy[0])
    rows = [(spec, p.xy, p.loss, p.grad_norm, p.lr) for spec, p in paths.items()]
    call = f"descent.plot_paths({function!r}, [{', '.join(repr(s) for s in paths)}], {str(file)!r})"
    _core.plot_paths(function, rows, x0, y0, int(grid), os.fspath(file), call)


def functions():
    """The 2-D test functions: [{"name", "formula", "start", "window", "minima"}]."""
    return list(_core.functions())


def evaluate(function, x, y):
    """The test function at points (x, y) (arrays of one shape), e.g. on a numpy.meshgrid for a
    contour plot."""
    x = numpy.asarray(x, dtype=numpy.float32)
    y = numpy.asarray(y, dtype=numpy.float32)
    if x.shape != y.shape:
        raise ValueError(f"x has shape {x.shape} and y {y.shape}: expected one shape")
    return _core.evaluate(function, x, y)
