"""Python values as descent's text: SPEC arguments ("0.001", "(0.9,0.999)", "true") and
configuration overrides ("train.epochs=3")."""
import json
import math
import numbers


def spec_text(value):
    """A scalar argument as a SPEC writes it; a tuple as "(a,b)" (betas)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        return repr(float(value))
    if isinstance(value, str):
        return value
    if isinstance(value, tuple):
        return "(" + ",".join(spec_text(v) for v in value) + ")"
    raise TypeError(f"{value!r}: expected a number, a bool, a string or a tuple")


def spec_arg(value):
    """A keyword argument for the C++ side: its text, or a list's items (milestones, transforms)."""
    if isinstance(value, list):
        return [spec_text(v) for v in value]
    return spec_text(value)


def toml_text(value):
    """A value as --set reads it: TOML for numbers, booleans, strings and arrays; a tuple as
    "(a,b)", which the optimizer reads (betas)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        v = float(value)
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(value, str):
        return json.dumps(value)  # a TOML basic string: JSON's escapes are TOML's
    if isinstance(value, tuple):
        return "(" + ",".join(spec_text(v) for v in value) + ")"
    if isinstance(value, list):
        return "[" + ", ".join(toml_text(v) for v in value) + "]"
    raise TypeError(f"{value!r}: expected a number, a bool, a string, a list or a tuple")


def flatten(settings, prefix=""):
    """{"train": {"epochs": 3}, "optimizer.lr": 0.1} -> {"train.epochs": 3, "optimizer.lr": 0.1}."""
    flat = {}
    for key, value in settings.items():
        if not isinstance(key, str):
            raise TypeError(f"configuration key {key!r}: expected a string")
        path = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict):
            flat.update(flatten(value, path))
        else:
            flat[path] = value
    return flat


def overrides(settings):
    """Settings as --set arguments, "key=value"."""
    return [f"{key}={toml_text(value)}" for key, value in flatten(settings).items()]
