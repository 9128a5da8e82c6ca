"""Training runs: descent.train() trains as `descent train` does and returns the run;
descent.load_run() reads a run directory (docs/python.md)."""
import dataclasses
import json
import os
import tomllib

from . import _core
from .values import overrides as to_overrides


@dataclasses.dataclass
class Run:
    """A run directory read back: its resolved configuration (config.toml), one dict per epoch
    (metrics.jsonl), the summary (summary.json; None until the run has finished) and the model's
    weights by name (model.safetensors; {} when none was written)."""
    dir: str
    config: dict
    history: list
    summary: dict
    weights: dict
    stop_reason: str = None  # "completed", "early_stopping", "interrupted", "non_finite", ...

    def metric(self, name):
        """One metric across the epochs ("val_loss"), None where an epoch lacks it."""
        return [epoch.get(name) for epoch in self.history]


def load_run(dir):
    """Reads the run in `dir`. Raises FileNotFoundError when it is not a run directory."""
    dir = os.fspath(dir)
    config_file = os.path.join(dir, "config.toml")
    if not os.path.isdir(dir):
        raise FileNotFoundError(f"{dir}: no such run directory")
    if not os.path.isfile(config_file):
        raise FileNotFoundError(f"{dir}: not a descent run directory (it has no config.toml)")
    with open(config_file, "rb") as f:
        config = tomllib.load(f)
    history = []
    metrics_file = os.path.join(dir, "metrics.jsonl")
    if os.path.isfile(metrics_file):
        with open(metrics_file) as f:
            history = [json.loads(line) for line in f if line.strip()]
    summary = None
    summary_file = os.path.join(dir, "summary.json")
    if os.path.isfile(summary_file):
        with open(summary_file) as f:
            summary = json.load(f)
    model_file = os.path.join(dir, "model.safetensors")
    weights = dict(_core.read_safetensors(model_file)) if os.path.isfile(model_file) else {}
    stop_reason = summary.get("stop_reason") if summary else None
    return Run(dir, config, history, summary, weights, stop_reason)


def train(config=None, *, out=None, resume=None, quiet=True, **settings):
    """Trains a network as `descent train` does and returns the Run.

    config: a TOML file (like --config), or a dict of settings; settings: more of them, as
    dotted keys (**{"train.epochs": 3}) or tables (optimizer={"name": "sgd", "lr": 0.1}); they
    override config as --set does. out: the run directory (default runs/<date-time>); resume: a
    run directory to continue from its checkpoint (settings may then change train.epochs and the
    other keys `descent train --resume` allows). quiet=False prints progress as the command does.

    Ctrl-C stops training after the step in progress, writes a checkpoint and raises
    KeyboardInterrupt saying how to resume.
    """
    config_file = ""
    given = {}
    if isinstance(config, dict):
        given.update(config)
    elif config is not None:
        config_file = os.fspath(config)
        if not os.path.isfile(config_file):
            raise FileNotFoundError(f"{config_file}: no such configuration file")
    given.update(settings)
    if resume is not None:
        if config is not None or out is not None:
            raise ValueError("resume continues a run with its own config.toml and directory: "
                             "drop config and out")
        resume = os.fspath(resume)
    outcome = _core.train(config_file, to_overrides(given), "" if out is None else os.fspath(out),
                          resume or "", quiet)
    if outcome["stop_reason"] == "interrupted":
        raise KeyboardInterrupt(f"{outcome['stop_message']}; checkpoint written to "
                                f"{outcome['checkpoint']}; resume with "
                                f"descent.train(resume={outcome['dir']!r})")
    run = load_run(outcome["dir"])
    run.stop_reason = outcome["stop_reason"]
    return run
