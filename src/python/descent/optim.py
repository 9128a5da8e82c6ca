"""descent's optimizers and schedules on numpy arrays or PyTorch CPU tensors, shaped like
torch.optim: parameter groups, step(), zero_grad(), state_dict()/load_state_dict().

    w = numpy.zeros((10, 3), numpy.float32)
    opt = descent.optim.Adam([w], lr=1e-3)        # or Optimizer([w], "adam", lr=1e-3)
    opt.grads[0][:] = gradient_of(w)              # descent's gradient buffer, shared
    opt.step()                                    # updates w in place

    opt = descent.optim.Lion(model.parameters(), lr=1e-4)   # a PyTorch model (CPU, float32)
    loss.backward(); opt.step(); opt.zero_grad()              # reads each parameter's .grad

Parameters are shared, never copied: a float32, C-contiguous numpy array, or a PyTorch tensor
(its .detach().numpy() view). Every optimizer of `descent train --list optimizers` has a class
here; hyper-parameters are the keyword arguments the registry declares (hyperparams(name) lists
them with their defaults), with PyTorch's spellings (betas=(0.9, 0.999)) accepted.
"""
import collections.abc

import numpy

from . import _core
from .values import spec_arg, spec_text

__all__ = ["Optimizer", "Scheduler", "LRScheduler", "ParamGroup", "names", "hyperparams"]


def names():
    """Every optimizer's registry name, as SPECs and configuration files write it."""
    return list(_core.optimizer_names())


def hyperparams(name):
    """The optimizer's hyper-parameters: [{"name", "default", "choices"}], in declaration order."""
    return list(_core.optimizer_hyperparams(name))


def _is_torch_tensor(p):
    return type(p).__module__.startswith("torch") and hasattr(p, "detach")


def _array_of(p):
    """The numpy array a parameter is updated through (a PyTorch tensor's shared view)."""
    if _is_torch_tensor(p):
        if p.device.type != "cpu":
            raise ValueError(f"a parameter is on {p.device}: descent steps CPU tensors only")
        return p.detach().numpy()
    if not isinstance(p, numpy.ndarray):
        raise TypeError(f"parameter of type {type(p).__name__}: expected a numpy array or a "
                        "PyTorch tensor")
    return p


def _groups(params):
    """torch.optim's params argument: an iterable of parameters, or of dicts with "params"."""
    params = list(params)
    if not params:
        raise ValueError("the optimizer got an empty parameter list")
    if not isinstance(params[0], dict):
        params = [{"params": params}]
    groups = []
    for i, g in enumerate(params):
        if not isinstance(g, dict) or "params" not in g:
            raise TypeError(f"param_groups[{i}]: expected a dict with 'params'")
        members = g["params"]
        members = [members] if isinstance(members, numpy.ndarray) or _is_torch_tensor(members) \
            else list(members)
        groups.append((members, {k: v for k, v in g.items() if k != "params"}))
    return groups


class ParamGroup(collections.abc.MutableMapping):
    """One parameter group as a dict: "params" and the hyper-parameters, read and written through
    to the optimizer (opt.param_groups[0]["lr"] = 0.01 is what the next step uses). "betas" reads
    and writes beta1 and beta2 together, as in PyTorch."""

    def __init__(self, optimizer, index):
        self._core = optimizer._core
        self._index = index

    def __getitem__(self, key):
        if key == "params":
            return list(self._core.group_params(self._index))
        if key == "betas" and "betas" in self._keys():
            return (self._core.get(self._index, "beta1"), self._core.get(self._index, "beta2"))
        if key not in self._keys():
            raise KeyError(key)
        return self._core.get(self._index, key)

    def __setitem__(self, key, value):
        if key == "params":
            raise TypeError("a group's parameters are fixed when the optimizer is made")
        if key == "betas":
            if not isinstance(value, (tuple, list)) or len(value) != 2:
                raise ValueError(f"betas={value!r}: expected two numbers")
            self._core.set(self._index, "beta1", value[0])
            self._core.set(self._index, "beta2", value[1])
            return
        self._core.set(self._index, key, value)

    def __delitem__(self, key):
        raise TypeError("a parameter group's keys cannot be removed")

    def _keys(self):
        keys = list(self._core.group_keys(self._index))
        if "beta1" in keys and "beta2" in keys:
            keys.append("betas")
        return keys

    def __iter__(self):
        return iter(["params"] + self._keys())

    def __len__(self):
        return 1 + len(self._keys())

    def __repr__(self):
        return "ParamGroup(" + repr({k: v for k, v in self.items() if k != "params"}) + ")"


class Optimizer:
    """descent's optimizer `name` over the parameters (see the module's help). Keyword arguments
    are its hyper-parameters; a group's dict may set its own (as in torch.optim)."""

    #: The registry name the class stands for (None for Optimizer itself: give it).
    registry_name = None

    def __init__(self, params, name=None, **hyperparams):
        name = name or self.registry_name
        if name is None:
            raise TypeError("Optimizer(params, name, ...): the optimizer's name is missing")
        groups = _groups(params)
        self._torch = [p for members, _ in groups for p in members if _is_torch_tensor(p)]
        if self._torch and len(self._torch) != sum(len(m) for m, _ in groups):
            raise TypeError("parameters are all numpy arrays or all PyTorch tensors, not a mix")
        core_groups = [([_array_of(p) for p in members], {k: spec_text(v) for k, v in opts.items()})
                       for members, opts in groups]
        self._core = _core.Optimizer(name, core_groups,
                                     {k: spec_arg(v) for k, v in hyperparams.items()})
        self.param_groups = [ParamGroup(self, i) for i in range(self._core.group_count())]

    @property
    def name(self):
        """The registry name ("adam")."""
        return self._core.name

    @property
    def grads(self):
        """descent's gradient buffers, one numpy array per parameter (shared, not copied): fill
        them, then step(). Zeroed by zero_grad()."""
        return list(self._core.grads)

    def _torch_grads(self):
        return [(p.grad if p.grad is not None else p.new_zeros(p.shape)).detach().numpy()
                for p in self._torch]

    def step(self, closure=None, grads=None):
        """One update of every parameter, in place. The gradients are those in `grads` (one array
        per parameter, used for this step without a copy), else the PyTorch parameters' .grad,
        else descent's buffers (self.grads). A closure (needed by lbfgs and sam) re-evaluates the
        loss and its gradients and returns the loss; step then returns that loss."""
        if closure is not None:
            if self._torch:
                user = closure

                def closure():
                    loss = user()
                    for buffer, g in zip(self._core.grads, self._torch_grads()):
                        numpy.copyto(buffer, g)
                    return float(loss)
            return self._core.step(closure=closure)
        if grads is None and self._torch:
            grads = self._torch_grads()
        if grads is not None:
            return self._core.step(grads=list(grads))
        return self._core.step()

    def zero_grad(self):
        """Fills the gradients with zeros: descent's buffers, and the PyTorch parameters' .grad."""
        self._core.zero_grad()
        for p in self._torch:
            if p.grad is not None:
                p.grad.zero_()

    def state_dict(self):
        """Everything a resumed loop needs to continue bit for bit: {"meta": ..., "tensors":
        {name: array}} (copies)."""
        return self._core.state_dict()

    def load_state_dict(self, state):
        """Restores a state_dict(); checks it all (optimizer, parameters, shapes) before changing
        anything, and raises ValueError naming what does not match."""
        self._core.load_state_dict(state)

    def eval(self):
        """Schedule-free optimizers: switch the parameters to the weights to evaluate (no-op
        for the others)."""
        self._core.eval_params()

    def train(self):
        """Schedule-free optimizers: switch back to the weights gradients are taken at."""
        self._core.train_params()

    def __repr__(self):
        return f"descent.optim.{type(self).__name__}({self.name}, {self.param_groups!r})"


class Scheduler:
    """A schedule of descent's (`descent schedule --list`) on an optimizer's groups, shaped like
    torch.optim.lr_scheduler: made with its initial step taken, step() after each optimizer step
    (or epoch), step(metric) for reduce_on_plateau.

        sched = descent.optim.Scheduler(opt, "cosine", t_max=100)   # or "cosine:t_max=100"
    """

    def __init__(self, optimizer, spec, key="lr", **args):
        self._core = _core.Scheduler(optimizer._core, spec, {k: spec_arg(v) for k, v in args.items()},
                                     key)
        self.optimizer = optimizer

    def step(self, metric=None):
        self._core.step(None if metric is None else float(metric))

    def get_last_lr(self):
        """The values the last step set, one per group (PyTorch's get_last_lr())."""
        return list(self._core.last_values())

    @property
    def last_epoch(self):
        return self._core.last_epoch

    def state_dict(self):
        return self._core.state_dict()

    def load_state_dict(self, state):
        self._core.load_state_dict(state)


LRScheduler = Scheduler

# One class per optimizer, named as PyTorch (or the optimizer's paper) spells it.
_CLASS_NAMES = {
    "sgd": "SGD", "adam": "Adam", "adamw": "AdamW", "rmsprop": "RMSprop", "adagrad": "Adagrad",
    "adadelta": "Adadelta", "adamax": "Adamax", "nadam": "NAdam", "radam": "RAdam",
    "asgd": "ASGD", "rprop": "Rprop", "lbfgs": "LBFGS", "lars": "LARS", "adabelief": "AdaBelief",
    "adopt": "ADOPT", "ademamix": "AdEMAMix", "dadapt_adam": "DAdaptAdam", "sam": "SAM",
    "sgd_schedulefree": "SGDScheduleFree", "adamw_schedulefree": "AdamWScheduleFree",
    "radam_schedulefree": "RAdamScheduleFree", "schedule_free": "ScheduleFree", "soap": "SOAP",
    "adamp": "AdamP", "sgdp": "SGDP", "novograd": "NovoGrad", "ftrl": "FTRL", "madgrad": "MADGRAD",
    "aggmo": "AggMo", "adabound": "AdaBound", "qhadam": "QHAdam", "qhm": "QHM", "laprop": "LaProp",
    "delta_bar_delta": "DeltaBarDelta",
}


def _class_name(name):
    return _CLASS_NAMES.get(name) or "".join(part.capitalize() for part in name.split("_"))


def _optimizer_class(name):
    def __init__(self, params, **hyperparams):
        Optimizer.__init__(self, params, name, **hyperparams)
    defaults = ", ".join(f"{h['name']}={h['default']!r}" for h in _core.optimizer_hyperparams(name))
    doc = (f"descent's {name} optimizer (docs/optimizers.md), in place on numpy arrays or PyTorch "
           f"tensors.\n\nHyper-parameters and defaults: {defaults}")
    return type(_class_name(name), (Optimizer,),
                {"__init__": __init__, "__doc__": doc, "registry_name": name,
                 "__module__": __name__})


for _name in _core.optimizer_names():
    _cls = _optimizer_class(_name)
    globals()[_cls.__name__] = _cls
    __all__.append(_cls.__name__)
del _name, _cls
