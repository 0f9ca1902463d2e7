r"""`diagnose`: one `Diagnosis` of a training run from everything recorded about it — the
gradient flow (a `GradientMonitor`), the loss and metric curves (a `History`), the data,
the sharpness trace and the optimizer — with its findings ordered most important first.

Order: a cause before the symptoms it produces (`KINDS`): a missing ``zero_grad``, unscaled
inputs and a too-high learning rate come before the exploding gradients and NaNs they cause;
dead and saturated units before the vanishing gradients they cause; problems of the
optimization before the bias/variance reading of the curves (underfitting, overfitting),
which every earlier problem also produces.  Findings of one kind keep their rule's order.

Every threshold is a field of `Thresholds` (defaults documented there and in the rule
modules); ``diagnose(..., vanishing_ratio=1e-4)`` overrides one.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np

from .findings import KINDS, Finding
from .monitor import GradientMonitor, GradientStats
from .rules_data import data_findings
from .rules_gradients import gradient_findings
from .rules_run import run_findings

__all__ = ["diagnose", "Diagnosis", "Thresholds", "RunEvidence"]


@dataclass(frozen=True)
class Thresholds:
    """The rules' thresholds (see `rules_gradients`, `rules_run`, `rules_data`).

    Gradient flow: ``vanishing_ratio`` 1e-3 (first/last layer gradient norm),
    ``exploding_ratio`` 1e2, ``growth`` 1e3 (total gradient norm over the run),
    ``update_ratio`` 1.0 (median ‖Δθ‖/‖θ‖), ``act_growth`` 1e2 (activation std,
    last/first layer), ``saturation`` 0.25 and ``dead`` 0.5 (fractions
    of a layer), ``stale`` 0.5 (leftover fraction of .grad).
    Curves: ``spike`` 3.0 (a step loss ≥ 3× the median of the ones before), ``diverge`` 1.5
    (last/first loss), ``oscillation`` 0.45 (fraction of sign changes of Δloss),
    ``early_update`` 0.1 (median update/weight ratio of the first 10% of steps),
    ``low_update`` 1e-4 (median update/weight ratio), ``flat`` 0.05 (relative fall of the
    loss), ``gap`` 0.10 (val − train error), ``val_rise`` 0.10 (val loss above its minimum),
    ``bias`` 0.10 (train error above the k-NN baseline's) and ``bias_ratio`` 0.8 (train loss
    over the constant predictor's).
    Data: ``scale_ratio`` 100 (largest/median feature RMS), ``offset`` 5.0 (|mean|/std) and
    ``magnitude`` 50 (median feature RMS).
    """

    vanishing_ratio: float = 1e-3
    exploding_ratio: float = 1e2
    growth: float = 1e3
    update_ratio: float = 1.0
    act_growth: float = 1e2
    saturation: float = 0.25
    dead: float = 0.5
    stale: float = 0.5
    spike: float = 3.0
    diverge: float = 1.5
    oscillation: float = 0.45
    early_update: float = 0.1
    low_update: float = 1e-4
    flat: float = 0.05
    gap: float = 0.10
    val_rise: float = 0.10
    bias: float = 0.10
    bias_ratio: float = 0.8
    scale_ratio: float = 100.0
    offset: float = 5.0
    magnitude: float = 50.0

    _FRACTIONS = ("saturation", "dead", "stale", "oscillation", "flat", "gap", "val_rise",
                  "bias", "bias_ratio")

    def __post_init__(self):
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
                raise ValueError(f"diagnose: {f.name} must be a positive number, got "
                                 f"{f.name}={value!r}")
            if f.name in self._FRACTIONS and not value < 1:
                raise ValueError(f"diagnose: {f.name} must be a fraction in (0, 1), got "
                                 f"{f.name}={value!r}")


@dataclass
class RunEvidence:
    """What the rules look at: the monitor's ``stats``, the ``history`` (key → per-epoch
    list), the training ``data`` and ``val_data`` as NumPy (X, y), the ``sharpness`` trace
    (``{"steps", "values", "limits"}``), the ``optimizer`` (``{"name", "lr", "momentum",
    "adaptive"}``) and the findings of the gradient rules already made (``found``)."""

    stats: GradientStats | None = None
    history: dict | None = None
    data: tuple | None = None
    val_data: tuple | None = None
    sharpness: dict | None = None
    optimizer: dict | None = None
    found: list = field(default_factory=list)

    def has(self, kind: str) -> bool:
        return any(f.kind == kind for f in self.found)


@dataclass
class Diagnosis:
    """The findings of a run, most important first (``findings``; ``top`` is the first or
    None), with what they came from: ``stats`` (the monitor's, or None), ``history``,
    ``sharpness`` and the ``thresholds`` used.  ``"overfitting" in diagnosis`` tests for a
    kind, ``diagnosis["overfitting"]`` gets its finding, ``healthy`` is True when there is
    none; ``print(diagnosis)`` writes the report.  A diagnosis made by `checkup` also keeps
    the run's ``recipe`` and ``monitor`` and can `verify` its remedies."""

    findings: list
    stats: GradientStats | None
    thresholds: dict
    history: dict | None = None
    sharpness: dict | None = None
    recipe: object = None
    monitor: object = None
    verified: list = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return not self.findings

    @property
    def top(self) -> Finding | None:
        return self.findings[0] if self.findings else None

    @property
    def kinds(self) -> list:
        return [f.kind for f in self.findings]

    def __contains__(self, kind: str) -> bool:
        return kind in self.kinds

    def __getitem__(self, kind: str) -> Finding:
        for f in self.findings:
            if f.kind == kind:
                return f
        raise KeyError(f"Diagnosis: no {kind!r} finding; the findings are {self.kinds}")

    def __iter__(self):
        return iter(self.findings)

    def __len__(self) -> int:
        return len(self.findings)

    def verify(self, seeds: int = 3, steps: int | None = None, remedies=None, top: int = 3,
               first_seed: int | None = None):
        """Rerun the training once per remedy (the ``top`` ranked remedies of the top
        finding that tidu can apply, or the keys in ``remedies``) and per seed, controlled:
        the same data order and seeds, only the remedy changed; returns the measured effects
        (see `tidu.diagnose.verify`), also kept in ``verified``."""
        from .verify import verify_remedies
        if self.recipe is None:
            raise ValueError("Diagnosis.verify: this diagnosis has no recorded run to repeat; "
                             "make it with tidu.diagnose.checkup(...)")
        self.verified = verify_remedies(self, seeds=seeds, steps=steps, remedies=remedies,
                                        top=top, first_seed=first_seed)
        return self.verified

    def __str__(self) -> str:
        s = self.stats
        parts = []
        if s is not None:
            parts.append(f"{len(s.steps)} recorded steps, {len(s.layers)} layers"
                         + (f" ({s.layers[0].name} … {s.layers[-1].name})" if s.layers else ""))
        if self.history:
            parts.append(f"{len(next(iter(self.history.values())))} epochs")
        head = "Diagnosis" + (f": {', '.join(parts)}" if parts else "")
        if not self.findings:
            return head + "\nNo problem found."
        return head + "\n\n" + "\n\n".join(str(f) for f in self.findings)

    __repr__ = __str__


def _stats_of(monitor) -> GradientStats | None:
    if monitor is None or isinstance(monitor, GradientStats):
        return monitor
    if isinstance(monitor, GradientMonitor):
        return monitor.stats
    raise TypeError(f"diagnose: monitor must be a GradientMonitor, its GradientStats or None, "
                    f"got {type(monitor).__name__}")


def _history_of(history) -> dict | None:
    if history is None:
        return None
    if isinstance(getattr(history, "history", None), dict):
        history = history.history
    if not isinstance(history, dict):
        raise TypeError(f"diagnose: history must be a tidu History (what fit returns) or a "
                        f"dict of per-epoch lists, got {type(history).__name__}")
    return {k: [float(v) for v in vals] for k, vals in history.items()
            if all(isinstance(v, (int, float)) for v in vals)}


def _arrays_of(data, name: str) -> tuple | None:
    if data is None:
        return None
    if not isinstance(data, (tuple, list)) or len(data) != 2:
        raise TypeError(f"diagnose: {name} must be a pair (X, y), got "
                        f"{type(data).__name__}")
    from ..backend import to_numpy
    return tuple(np.asarray(to_numpy(getattr(a, "_data", a)) if not isinstance(a, np.ndarray)
                            else a) if a is not None else None for a in data)


def _sharpness_of(sharpness) -> dict | None:
    if sharpness is None or isinstance(sharpness, dict):
        return sharpness
    values = getattr(sharpness, "values", None)
    if values is None:
        raise TypeError(f"diagnose: sharpness must be a SharpnessTracker or a dict with "
                        f"'steps', 'values', 'limits', got {type(sharpness).__name__}")
    return {"steps": list(sharpness.steps), "values": list(values),
            "limits": list(getattr(sharpness, "limits", [None] * len(values)))}


_ADAPTIVE = ("Adam", "AdamW", "Adamax", "NAdam", "RAdam", "RMSprop", "Adagrad", "Adadelta")


def describe_optimizer(optimizer) -> dict | None:
    """``{"name", "lr", "momentum", "adaptive"}`` of a tidu or PyTorch optimizer (or None)."""
    if optimizer is None or isinstance(optimizer, dict):
        return optimizer
    group = optimizer.param_groups[0]
    name = type(optimizer).__name__
    return {"name": name, "lr": float(group.get("lr", float("nan"))),
            "momentum": float(group.get("momentum", 0.0) or 0.0),
            "adaptive": name in _ADAPTIVE}


def rank(findings: list) -> list:
    """Findings in the order of `KINDS` (causes first), the more severe first within one
    kind."""
    order = {kind: i for i, kind in enumerate(KINDS)}
    return sorted(findings, key=lambda f: (order.get(f.kind, len(order)), -f.severity))


def diagnose(monitor=None, history=None, data=None, *, val_data=None, sharpness=None,
             optimizer=None, thresholds: Thresholds | None = None, **overrides) -> Diagnosis:
    """Findings from whatever was recorded about a run — any of: ``monitor`` (a
    `GradientMonitor` or its `GradientStats`: gradient-flow findings), ``history`` (what
    ``fit`` returns, or a dict of per-epoch lists with ``"loss"`` and optionally
    ``"val_loss"``, ``"accuracy"``, ``"val_accuracy"``: learning-rate and bias/variance
    findings), ``data``/``val_data`` ((X, y): data findings, and the baselines of
    underfitting), ``sharpness`` (a `SharpnessTracker`: the stability limit) and
    ``optimizer`` (its learning rate and momentum).  ``thresholds``: a `Thresholds`, or
    override single fields as keywords.  A user's own loop: record with the monitor, keep
    per-epoch losses in a dict, and pass both.  Returns a `Diagnosis`."""
    if thresholds is None:
        thresholds = Thresholds()
    elif not isinstance(thresholds, Thresholds):
        raise TypeError(f"diagnose: thresholds must be a tidu.diagnose.Thresholds, got "
                        f"{type(thresholds).__name__}")
    names = {f.name for f in dataclasses.fields(Thresholds)}
    unknown = sorted(set(overrides) - names)
    if unknown:
        raise TypeError(f"diagnose: unknown threshold(s) {unknown}; the thresholds are "
                        f"{sorted(names)}")
    t = dataclasses.replace(thresholds, **overrides)
    stats = _stats_of(monitor)
    if stats is not None and len(stats.steps) == 0:
        raise ValueError("diagnose: the monitor has recorded no step yet; train with it first")
    ev = RunEvidence(stats=stats, history=_history_of(history), data=_arrays_of(data, "data"),
                     val_data=_arrays_of(val_data, "val_data"),
                     sharpness=_sharpness_of(sharpness), optimizer=describe_optimizer(optimizer))
    if stats is None and ev.history is None and ev.data is None:
        raise ValueError("diagnose: nothing to diagnose; pass a monitor, a history or data")
    if stats is not None:
        ev.found += gradient_findings(stats, t)
    if ev.data is not None:
        ev.found += data_findings(ev, t)
    ev.found += run_findings(ev, t)
    return Diagnosis(findings=rank(ev.found), stats=stats,
                     thresholds=dataclasses.asdict(t), history=ev.history,
                     sharpness=ev.sharpness)
