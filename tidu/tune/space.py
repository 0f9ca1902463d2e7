"""Search spaces: what each hyper-parameter may be, and how to draw, grid and narrow it.

A *space* is a dict ``name → distribution or constant``::

    space = {"lr": loguniform(1e-4, 1e-1),        # a rate: its exponent is drawn uniformly
             "momentum": uniform(0.8, 0.99),
             "hidden": randint(16, 128),
             "activation": choice(["relu", "tanh"]),
             "epochs": 20,                        # a constant: passed to every trial as is
             "layers": [64, 32]}                  # a list is a constant too: options go
                                                  # in choice([...])

Every distribution can

* ``sample(rng)`` — one value, from a `numpy.random.Generator`;
* ``grid(n)`` — ``n`` evenly spaced values (in log space for the log-scaled ones; a choice
  gives all its options, an integer range at most its distinct integers);
* ``narrow(center, factor)`` — the same kind of distribution on a range ``factor`` times the
  current width, centred on ``center`` and clipped to the *original* bounds (widths and
  centres are measured on the log scale for `loguniform` and ``randint(log=True)``) — the
  step of coarse-to-fine search;
* ``refine(values, shrink)`` — the range coarse-to-fine moves to after a round, given the
  values of the best trials so far (best first): the smallest range containing all of them,
  widened to at least ``shrink`` × the current width and at most the current width; a
  choice keeps only the options among ``values``;
* ``to_dict()`` / `from_dict` — plain-dict form (for configs and the run database).

Why log-uniform for a learning rate: drawn uniformly on [1e-4, 1], 90% of the draws fall in
[0.1, 1]; drawing the exponent r ~ U(−4, 0) and using 10^r gives each decade the same
number of trials.  The notes (001, 超参数调试) ask for random points rather than a grid and
for coarse-to-fine search; the log scale is the usual companion of that advice (SPEC C3).

Elsewhere: scipy's / scikit-learn's ``loguniform(a, b)`` is the same distribution as ours;
``randint(low, high)`` here includes ``high`` (as Python's ``random.randint`` and Optuna's
``suggest_int``), while NumPy's ``integers``, scipy's ``randint`` and Ray Tune's
``randint`` exclude it.
"""
from __future__ import annotations

import math
from numbers import Integral, Real

import numpy as np

__all__ = ["Distribution", "Choice", "Uniform", "LogUniform", "IntUniform", "choice", "uniform",
           "loguniform", "randint", "from_dict", "check_space", "sample_space", "space_to_dict",
           "space_from_dict"]


def _number(value, owner: str, name: str) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, Real) \
            or not math.isfinite(float(value)):
        raise ValueError(f"{owner}: {name} must be a finite number, got {name}={value!r}")
    return float(value)


def _check_factor(factor, owner: str, name: str = "factor") -> float:
    if isinstance(factor, (bool, np.bool_)) or not isinstance(factor, Real) \
            or not 0 < float(factor) <= 1:
        raise ValueError(f"{owner}: {name} must be in (0, 1], got {name}={factor!r}")
    return float(factor)


class Distribution:
    """Base class of the search-space distributions."""

    kind = "distribution"

    def sample(self, rng: np.random.Generator):
        raise NotImplementedError

    def grid(self, n: int) -> list:
        raise NotImplementedError

    def refine(self, values, shrink: float) -> "Distribution":
        raise NotImplementedError

    def contains(self, value) -> bool:
        raise NotImplementedError

    def to_dict(self) -> dict:
        raise NotImplementedError

    def __eq__(self, other):
        return type(self) is type(other) and self.to_dict() == other.to_dict()

    def __hash__(self):
        return hash(repr(self))


def _check_grid_n(n, owner: str) -> int:
    if isinstance(n, (bool, np.bool_)) or not isinstance(n, Integral) or n < 1:
        raise ValueError(f"{owner}.grid: n must be a positive int, got n={n!r}")
    return int(n)


class Choice(Distribution):
    """One of ``options``, each with the same probability (any values: numbers, strings,
    tuples…).  ``grid(n)`` lists every option whatever ``n``; narrowing keeps the options
    found among the best trials."""

    kind = "choice"

    def __init__(self, options):
        if isinstance(options, (str, bytes)) or not hasattr(options, "__iter__"):
            raise TypeError(f"choice: options must be a list of values, got "
                            f"{type(options).__name__}")
        options = list(options)
        if not options:
            raise ValueError("choice: options must not be empty, got []")
        self.options = options

    def sample(self, rng):
        return self.options[int(rng.integers(len(self.options)))]

    def grid(self, n: int = 1) -> list:
        _check_grid_n(n, "choice")
        return list(self.options)

    def narrow(self, keep) -> "Choice":
        """The options among ``keep``, in their original order (all of them if none is)."""
        kept = [o for o in self.options if any(_same(o, k) for k in keep)]
        return Choice(kept or self.options)

    def refine(self, values, shrink: float = 0.5) -> "Choice":
        return self.narrow(values)

    def contains(self, value) -> bool:
        return any(_same(value, o) for o in self.options)

    def to_dict(self) -> dict:
        return {"type": "choice", "options": list(self.options)}

    def __repr__(self):
        return f"choice({self.options!r})"


def _same(a, b) -> bool:
    try:
        return bool(a == b)
    except (TypeError, ValueError):  # arrays and other odd values: identity only
        return a is b


class _Range(Distribution):
    """A numeric range [low, high]; ``log`` ranges work on log(value).  ``bounds`` are the
    original range, which narrowing never leaves."""

    kind = "range"
    log = False

    def __init__(self, low, high, bounds=None):
        owner = self.kind
        low, high = _number(low, owner, "low"), _number(high, owner, "high")
        if self.log and low <= 0:
            raise ValueError(f"{owner}: low must be > 0 (the range is log-scaled), got "
                             f"low={low!r}")
        if not low < high and not (bounds is not None and low == high):
            raise ValueError(f"{owner}: low must be < high, got low={low!r}, high={high!r}")
        self.low, self.high = low, high
        self.bounds = (low, high) if bounds is None else (float(bounds[0]), float(bounds[1]))

    # the scale ranges are measured and narrowed on
    def _to_scale(self, value):
        return np.log(value) if self.log else value

    def _from_scale(self, value):
        return np.exp(value) if self.log else value

    def _scaled_range(self):
        return self._to_scale(self.low), self._to_scale(self.high)

    def _scaled_bounds(self):
        return self._to_scale(self.bounds[0]), self._to_scale(self.bounds[1])

    def _window(self, center_s: float, width_s: float):
        """The range of ``width_s`` (on the scale) centred on ``center_s``, clipped to the
        original bounds."""
        b_low, b_high = self._scaled_bounds()
        low_s = max(b_low, center_s - width_s / 2)
        high_s = min(b_high, center_s + width_s / 2)
        return self._with_range(low_s, high_s, center_s)

    def _with_range(self, low_s, high_s, center_s):
        low, high = float(self._from_scale(low_s)), float(self._from_scale(high_s))
        # exp/log round trips may step a hair outside the bounds
        return type(self)(max(low, self.bounds[0]), min(high, self.bounds[1]),
                          bounds=self.bounds)

    def narrow(self, center, factor: float = 0.5) -> "_Range":
        """A range ``factor`` × the current width (on the scale) centred on ``center``,
        clipped to the original bounds."""
        factor = _check_factor(factor, f"{self.kind}.narrow")
        center = _number(center, f"{self.kind}.narrow", "center")
        if not self.bounds[0] <= center <= self.bounds[1]:
            raise ValueError(f"{self.kind}.narrow: center must lie in the original bounds "
                             f"{list(self.bounds)}, got center={center!r}")
        low_s, high_s = self._scaled_range()
        return self._window(float(self._to_scale(center)), factor * (high_s - low_s))

    def refine(self, values, shrink: float = 0.5) -> "_Range":
        """The smallest range holding all ``values``, widened (about its middle) to at least
        ``shrink`` × the current width, at most the current width; clipped to the bounds."""
        shrink = _check_factor(shrink, f"{self.kind}.refine", "shrink")
        scaled = [float(self._to_scale(_number(v, f"{self.kind}.refine", "value")))
                  for v in values]
        if not scaled:
            return self
        low_s, high_s = self._scaled_range()
        width = high_s - low_s
        hull_low, hull_high = min(scaled), max(scaled)
        new_width = min(max(hull_high - hull_low, shrink * width), width)
        return self._window((hull_low + hull_high) / 2, new_width)

    def contains(self, value) -> bool:
        try:
            return self.low <= float(value) <= self.high
        except (TypeError, ValueError):
            return False

    def to_dict(self) -> dict:
        return {"type": self.kind, "low": self.low, "high": self.high}


class Uniform(_Range):
    """A real number drawn uniformly from [low, high]."""

    kind = "uniform"

    def sample(self, rng):
        return float(rng.uniform(self.low, self.high))

    def grid(self, n: int) -> list:
        n = _check_grid_n(n, self.kind)
        if n == 1:
            return [float((self.low + self.high) / 2)]
        return [float(v) for v in np.linspace(self.low, self.high, n)]

    def __repr__(self):
        return f"uniform({self.low!r}, {self.high!r})"


class LogUniform(_Range):
    """A positive real number whose logarithm is uniform: ``exp(U(log low, log high))`` — each
    decade of [low, high] gets the same share of the draws (use it for learning rates, weight
    decay, ε…)."""

    kind = "loguniform"
    log = True

    def sample(self, rng):
        low_s, high_s = self._scaled_range()
        value = float(np.exp(rng.uniform(low_s, high_s)))
        return min(max(value, self.low), self.high)

    def grid(self, n: int) -> list:
        n = _check_grid_n(n, self.kind)
        if n == 1:
            return [float(math.sqrt(self.low * self.high))]
        values = [float(v) for v in np.geomspace(self.low, self.high, n)]
        values[0], values[-1] = self.low, self.high
        return values

    def __repr__(self):
        return f"loguniform({self.low!r}, {self.high!r})"


class IntUniform(_Range):
    """An integer drawn uniformly from low … high, **both included** (as Python's
    ``random.randint``; NumPy's ``integers`` excludes ``high``).  ``log=True`` draws it
    log-uniformly (round(exp(U(log low, log high))) — e.g. layer widths 16 … 1024)."""

    kind = "randint"

    def __init__(self, low, high, log: bool = False, bounds=None):
        for name, value in (("low", low), ("high", high)):
            if isinstance(value, (bool, np.bool_)) or not isinstance(value, Integral):
                raise TypeError(f"randint: {name} must be an int, got {name}={value!r}")
        self.log = bool(log)
        super().__init__(int(low), int(high), bounds=bounds)
        self.low, self.high = int(low), int(high)
        self.bounds = (int(self.bounds[0]), int(self.bounds[1]))

    # the integers low … high are the cells [k − ½, k + ½] of the continuous scale
    def _edges(self, low, high):
        low, high = low - 0.5, high + 0.5
        if self.log:
            return math.log(max(low, 0.5)), math.log(high)
        return low, high

    def _scaled_range(self):
        return self._edges(self.low, self.high)

    def _scaled_bounds(self):
        return self._edges(*self.bounds)

    def _with_range(self, low_s, high_s, center_s):
        """The integers inside the window (the one nearest its centre if none is)."""
        low, high = (float(self._from_scale(v)) for v in (low_s, high_s))
        low, high = math.ceil(low - 1e-9), math.floor(high + 1e-9)
        if low > high:
            low = high = int(round(float(self._from_scale(center_s))))
        low, high = max(low, self.bounds[0]), min(high, self.bounds[1])
        return IntUniform(min(low, high), max(low, high), log=self.log, bounds=self.bounds)

    def sample(self, rng):
        if self.low == self.high:
            return self.low
        if not self.log:
            return int(rng.integers(self.low, self.high + 1))
        low_s, high_s = self._scaled_range()
        value = int(round(float(np.exp(rng.uniform(low_s, high_s)))))
        return min(max(value, self.low), self.high)

    def grid(self, n: int) -> list:
        n = _check_grid_n(n, self.kind)
        if n == 1:
            middle = math.sqrt(self.low * self.high) if self.log else (self.low + self.high) / 2
            return [int(round(middle))]
        space = np.geomspace if self.log else np.linspace
        values = [int(round(float(v))) for v in space(self.low, self.high, n)]
        return sorted(set(values))

    def contains(self, value) -> bool:
        return isinstance(value, Integral) and self.low <= value <= self.high

    def to_dict(self) -> dict:
        out = {"type": "randint", "low": self.low, "high": self.high}
        if self.log:
            out["log"] = True
        return out

    def __repr__(self):
        return f"randint({self.low!r}, {self.high!r}{', log=True' if self.log else ''})"


def choice(options) -> Choice:
    """One of ``options``, uniformly."""
    return Choice(options)


def uniform(low, high) -> Uniform:
    """A real number uniform on [low, high]."""
    return Uniform(low, high)


def loguniform(low, high) -> LogUniform:
    """A positive real number with log(value) uniform on [log low, log high] (learning rates)."""
    return LogUniform(low, high)


def randint(low, high, log: bool = False) -> IntUniform:
    """An integer uniform on low … high, both included; ``log=True`` for a log scale."""
    return IntUniform(low, high, log=log)


_KINDS = {"choice": Choice, "uniform": Uniform, "loguniform": LogUniform, "randint": IntUniform}


def from_dict(spec: dict) -> Distribution:
    """A distribution from its `to_dict` form: ``{"type": "loguniform", "low": 1e-4,
    "high": 0.1}``, ``{"type": "choice", "options": [...]}``, ``{"type": "randint", "low": 1,
    "high": 8, "log": False}``."""
    if not isinstance(spec, dict) or "type" not in spec:
        raise ValueError(f"from_dict: expected a dict with a 'type' key (one of "
                         f"{sorted(_KINDS)}), got {spec!r}")
    kind = spec["type"]
    if kind not in _KINDS:
        raise ValueError(f"from_dict: unknown type {kind!r}; allowed: {sorted(_KINDS)}")
    allowed = {"choice": {"options"}, "uniform": {"low", "high"},
               "loguniform": {"low", "high"}, "randint": {"low", "high", "log"}}[kind]
    args = {k: v for k, v in spec.items() if k != "type"}
    unknown = set(args) - allowed
    if unknown:
        raise ValueError(f"from_dict: {kind} takes {sorted(allowed)}, got unknown keys "
                         f"{sorted(unknown)}")
    required = allowed - {"log"}
    missing = required - set(args)
    if missing:
        raise ValueError(f"from_dict: {kind} needs {sorted(required)}, missing "
                         f"{sorted(missing)}")
    return _KINDS[kind](**args)


def check_space(space, owner: str) -> dict:
    """A copy of ``space`` (dict name → distribution or constant), checked."""
    if not isinstance(space, dict):
        raise TypeError(f"{owner}: space must be a dict name → distribution or constant, got "
                        f"{type(space).__name__}")
    if not space:
        raise ValueError(f"{owner}: space must name at least one hyper-parameter, got {{}}")
    for name in space:
        if not isinstance(name, str):
            raise TypeError(f"{owner}: space keys must be hyper-parameter names (str), got "
                            f"{name!r}")
    return dict(space)


def sample_space(space: dict, rng: np.random.Generator) -> dict:
    """One point of ``space``: each distribution sampled in the space's order, constants kept."""
    return {name: (d.sample(rng) if isinstance(d, Distribution) else d)
            for name, d in space.items()}


def space_to_dict(space: dict) -> dict:
    """Plain-dict form of a space: distributions as `to_dict`, constants as ``{"type":
    "constant", "value": v}``."""
    return {name: (d.to_dict() if isinstance(d, Distribution)
                   else {"type": "constant", "value": d}) for name, d in space.items()}


def space_from_dict(spec: dict) -> dict:
    """The inverse of `space_to_dict` (a bare value, not a dict, is a constant too)."""
    if not isinstance(spec, dict):
        raise TypeError(f"space_from_dict: expected a dict name → spec, got "
                        f"{type(spec).__name__}")
    out = {}
    for name, item in spec.items():
        if isinstance(item, dict) and item.get("type") == "constant":
            out[name] = item.get("value")
        elif isinstance(item, dict) and "type" in item:
            try:
                out[name] = from_dict(item)
            except (TypeError, ValueError) as e:
                raise type(e)(f"space_from_dict: {name!r}: {e}") from None
        else:
            out[name] = item
    return out
