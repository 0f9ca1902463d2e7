"""Value checks for config keys: each returns the (normalized) value or raises one
`ConfigError` naming the key, the value and what is allowed."""
from __future__ import annotations

import inspect
import math
import numbers

from .errors import ConfigError, join_path, not_one_of, type_name, unknown_key

__all__ = ["number", "numbers_in", "integer", "boolean", "string", "one_of", "string_list", "table",
           "check_table", "signature_args", "check_kwargs", "check_required", "fraction_or_count"]


def _real(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def number(path, value, low=None, high=None, low_open=False, high_open=False) -> float:
    """A finite real number within the bounds given (``*_open``: the bound itself excluded).

    NaN and ±infinity are refused everywhere: no hyper-parameter of a config means anything
    at infinity, and a NaN passes every comparison-based bound check silently.  The decision
    is `tidu._checks.check_number`'s (the rule every optimizer, scheduler and penalty
    applies); the message is the config's one line naming the key."""
    from .._checks import check_number
    from ..errors import HyperParameterError
    lo = "" if low is None else f"{'>' if low_open else '≥'} {low:g}"
    hi = "" if high is None else f"{'<' if high_open else '≤'} {high:g}"
    allowed = "a finite number" + (f" {lo}" if lo else "") + (" and" if lo and hi else "") + \
        (f" {hi}" if hi else "")
    if not _real(value):
        raise ConfigError(path, f"expected {allowed}, got {type_name(value)}", value)
    try:
        check_number(value, path, "config", low=low, low_open=low_open, high=high,
                     high_open=high_open)
    except HyperParameterError:
        got = "NaN" if math.isnan(value) else ("an infinity" if math.isinf(value) else None)
        raise ConfigError(path, f"expected {allowed}" + (f", got {got}" if got else ""),
                          value) from None
    return value


def numbers_in(path, value, bounds: dict | None = None) -> None:
    """Every number in ``value`` (a number, or an array of them, nested) must be finite and
    within ``bounds`` (`number`'s keyword arguments; None: finite only).  Booleans and
    strings are left to the type checks."""
    if isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            numbers_in(join_path(path, i), item, bounds)
    elif _real(value):
        number(path, value, **(bounds or {}))


def integer(path, value, low=None, high=None) -> int:
    allowed = "an integer" + (f" ≥ {low}" if low is not None else "") + \
        (f" ≤ {high}" if high is not None else "")
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ConfigError(path, f"expected {allowed}, got {type_name(value)}", value)
    if (low is not None and value < low) or (high is not None and value > high):
        raise ConfigError(path, f"expected {allowed}", value)
    return int(value)


def boolean(path, value) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(path, f"expected true or false, got {type_name(value)}", value)
    return value


def string(path, value) -> str:
    if not isinstance(value, str):
        raise ConfigError(path, f"expected a string, got {type_name(value)}", value)
    return value


def one_of(path, value, options, what: str = "value"):
    """``value`` if it is one of ``options`` (strings match case-insensitively and come back
    in the options' spelling)."""
    if isinstance(value, str):
        for option in options:
            if isinstance(option, str) and option.lower() == value.lower():
                return option
    elif value in options:
        return value
    raise not_one_of(path, value, options, what)


def string_list(path, value) -> list:
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list):
        raise ConfigError(path, f"expected an array of strings, got {type_name(value)}", value)
    for i, item in enumerate(value):
        string(join_path(path, i), item)
    return list(value)


def table(path, value) -> dict:
    if not isinstance(value, dict):
        raise ConfigError(path, f"expected a table, got {type_name(value)}", value)
    return value


def check_table(path: str, value, allowed) -> dict:
    """``value`` must be a table whose keys are all among ``allowed``."""
    table(path, value)
    for key in value:
        if key not in allowed:
            raise unknown_key(path, key, allowed)
    return value


def fraction_or_count(path, value) -> float | int:
    """A share of the samples in [0, 1) or a number of samples ≥ 1."""
    if isinstance(value, bool) or not _real(value):
        raise ConfigError(path, f"expected a fraction in [0, 1) or a number of samples, got "
                                f"{type_name(value)}", value)
    if isinstance(value, numbers.Integral) and value >= 1:
        return int(value)
    if 0 <= value < 1:
        return float(value)
    raise ConfigError(path, "expected a fraction in [0, 1) or a whole number of samples ≥ 1",
                      value)


# --------------------------------------------------------------------------- signatures
_SIMPLE = {"int": "integer", "float": "number", "bool": "boolean", "str": "string"}


def signature_args(fn, skip=()) -> dict:
    """``{name: inspect.Parameter}`` of the arguments a config may give ``fn`` (a class or
    function): positional-or-keyword and keyword-only, minus ``skip`` and ``dtype``."""
    target = fn.__init__ if inspect.isclass(fn) else fn
    params = list(inspect.signature(target).parameters.values())
    if inspect.isclass(fn):
        params = params[1:]  # self
    return {p.name: p for p in params
            if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
            and p.name not in skip and p.name != "dtype"}


def _expected_kinds(param: inspect.Parameter) -> set | None:
    """The TOML kinds a parameter accepts, from its annotation or default; None: anything."""
    annotation = param.annotation
    if isinstance(annotation, type):
        annotation = annotation.__name__
    if isinstance(annotation, str) and annotation:
        parts = {p.strip() for p in annotation.split("|")}
        if parts <= set(_SIMPLE) | {"None"}:
            return {_SIMPLE[p] for p in parts if p != "None"}
        return None
    default = param.default
    if default is inspect.Parameter.empty or default is None:
        return None
    for kind, name in ((bool, "boolean"), (int, "integer"), (float, "number"), (str, "string")):
        if type(default) is kind:
            return {name}
    return None


def _kind_ok(value, kinds: set) -> bool:
    if isinstance(value, bool):
        return "boolean" in kinds
    if isinstance(value, numbers.Integral):
        return "integer" in kinds or "number" in kinds
    if isinstance(value, numbers.Real):
        return "number" in kinds
    if isinstance(value, str):
        return "string" in kinds
    return False


def check_kwargs(path: str, owner: str, kwargs: dict, params: dict, bounds=None,
                 default_bounds: dict | None = None) -> dict:
    """Every key of ``kwargs`` must be an argument of ``owner`` (``params`` from
    `signature_args`) and of the kind its annotation or default says; every number in it
    finite and within ``bounds[key]`` (else ``default_bounds``; `number`'s keywords)."""
    for key, value in kwargs.items():
        if key not in params:
            raise unknown_key(path, key, params, what=f"{owner} has no argument {key!r}")
        kinds = _expected_kinds(params[key])
        if kinds and not _kind_ok(value, kinds):
            allowed = " or ".join(sorted(kinds))
            raise ConfigError(join_path(path, key), f"{owner}'s {key} must be {allowed}, got "
                                                    f"{type_name(value)}", value)
        numbers_in(join_path(path, key), value, (bounds or {}).get(key, default_bounds))
    return kwargs


def check_required(path: str, owner: str, kwargs: dict, params: dict, inferred=()) -> None:
    """Every argument of ``owner`` without a default (other than ``inferred`` ones) must be
    in ``kwargs``."""
    for p in params.values():
        if p.default is p.empty and p.name not in kwargs and p.name not in inferred:
            raise ConfigError(join_path(path, p.name), f"missing: {owner} needs {p.name}")
