r"""Stopping hopeless trials early: median / percentile pruning on the validation curve, and
diagnosis-aware pruning on the gradients.

A search given ``pruner=`` hands each trial a `PruningContext`: the pruners, the search's
``mode`` and the *reference* — the per-epoch validation curves of the trials that ended
before this one was dispatched.  The objective (`make_objective`'s, hold-out scoring)
reports its validation score after every epoch; a pruner that objects raises `TrialPruned`,
and the trial is recorded with status ``"pruned"``, the epoch, the reason and — for the
diagnosis pruner — the finding.  Every trial's curve (``trial["curve"]``) is kept, so that
later trials are judged against it.  The decision needs nothing from other processes: the
reference travels with the task, so a search with pruning gives the same trials on every
executor for the same ``batch_size`` (trials dispatched together share one reference).

* `PercentilePruner(percentile, n_startup_trials=5, n_warmup_epochs=0, n_min_trials=1)` —
  at epoch e, among the reference curves that reached e (at least ``n_min_trials``, and
  only once ``n_startup_trials`` trials have ended), prune when the trial's value is worse
  than that percentile of theirs: above the p-th percentile of the losses (``mode="min"``),
  below the (100 − p)-th of the scores (``mode="max"``) — p = 25 keeps the best quarter.  As
  Optuna's ``PercentilePruner``.
* `MedianPruner(...)` — the same at p = 50 (Optuna's default pruner; Golovin et al. 2017,
  Google Vizier's median stopping rule).
* `DiagnosisPruner(kinds=("exploding_gradients", "nonfinite", "dead_relu"),
  every_n_steps=10)` — a `GradientMonitor` watches the training (every 10th step: ≤ 5% of a
  step's time on the benchmark's CNN and GRU); after each epoch the gradient rules of
  `tidu.diagnose` run on what it recorded, and a trial with a finding among ``kinds``
  is stopped and recorded with it: a network that exploded, turned NaN or died will not
  recover, and its epochs are better spent elsewhere.
"""
from __future__ import annotations

import math
from numbers import Integral, Real

import numpy as np

__all__ = ["TrialPruned", "PercentilePruner", "MedianPruner", "DiagnosisPruner",
           "PruningContext", "as_pruners"]


class TrialPruned(Exception):
    """Raised inside a trial to stop it: ``epoch``, ``reason`` and the ``finding`` kind (for
    diagnosis pruning, else None)."""

    def __init__(self, epoch: int, reason: str, finding: str | None = None):
        super().__init__(f"pruned at epoch {epoch}: {reason}")
        self.epoch, self.reason, self.finding = epoch, reason, finding


def _count(value, owner: str, name: str, low: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral) or value < low:
        raise ValueError(f"{owner}: {name} must be an int ≥ {low}, got {name}={value!r}")
    return int(value)


class PercentilePruner:
    """Prune a trial whose epoch-e value is worse than the ``percentile`` of the reference
    trials' values at epoch e (see the module docstring)."""

    def __init__(self, percentile: float, n_startup_trials: int = 5, n_warmup_epochs: int = 0,
                 n_min_trials: int = 1):
        owner = type(self).__name__
        if isinstance(percentile, bool) or not isinstance(percentile, Real) \
                or not 0 <= percentile <= 100:
            raise ValueError(f"{owner}: percentile must be a number in [0, 100], got "
                             f"percentile={percentile!r}")
        self.percentile = float(percentile)
        self.n_startup_trials = _count(n_startup_trials, owner, "n_startup_trials")
        self.n_warmup_epochs = _count(n_warmup_epochs, owner, "n_warmup_epochs")
        self.n_min_trials = _count(n_min_trials, owner, "n_min_trials", low=1)

    def check(self, epoch: int, value: float, context: "PruningContext", monitor=None):
        """The reason to prune at ``epoch`` with ``value``, or None."""
        if epoch < self.n_warmup_epochs or len(context.reference) < self.n_startup_trials:
            return None
        others = [c[epoch] for c in context.reference if len(c) > epoch and
                  math.isfinite(c[epoch])]
        if len(others) < self.n_min_trials:
            return None
        if not math.isfinite(value):
            return f"the validation score is {value}"
        if context.mode == "min":
            bar = float(np.percentile(others, self.percentile))
            worse = value > bar
        else:
            bar = float(np.percentile(others, 100 - self.percentile))
            worse = value < bar
        if not worse:
            return None
        return (f"{value:.4g} is worse than the {self._label()} {bar:.4g} of {len(others)} "
                f"earlier trials at this epoch")

    def _label(self) -> str:
        return f"{self.percentile:g}th percentile"

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(percentile={self.percentile:g}, "
                f"n_startup_trials={self.n_startup_trials}, "
                f"n_warmup_epochs={self.n_warmup_epochs})")


class MedianPruner(PercentilePruner):
    """`PercentilePruner` at the median (Optuna's default pruner)."""

    def __init__(self, n_startup_trials: int = 5, n_warmup_epochs: int = 0,
                 n_min_trials: int = 1):
        super().__init__(50.0, n_startup_trials, n_warmup_epochs, n_min_trials)

    def _label(self) -> str:
        return "median"

    def __repr__(self) -> str:
        return (f"MedianPruner(n_startup_trials={self.n_startup_trials}, "
                f"n_warmup_epochs={self.n_warmup_epochs})")


class DiagnosisPruner:
    """Stop a trial whose gradient diagnosis finds one of ``kinds`` (see the module
    docstring); ``every_n_steps``: how often its monitor records."""

    needs_monitor = True

    def __init__(self, kinds=("exploding_gradients", "nonfinite", "dead_relu"),
                 every_n_steps: int = 10):
        from ..diagnose.findings import KINDS
        kinds = (kinds,) if isinstance(kinds, str) else tuple(kinds)
        unknown = [k for k in kinds if k not in KINDS]
        if unknown or not kinds:
            raise ValueError(f"DiagnosisPruner: kinds must be findings of tidu.diagnose "
                             f"({', '.join(KINDS)}), got {unknown or 'none'}")
        self.kinds = kinds
        self.every_n_steps = _count(every_n_steps, "DiagnosisPruner", "every_n_steps", low=1)

    def check(self, epoch: int, value: float, context: "PruningContext", monitor=None):
        if monitor is None or not len(monitor.stats):
            return None
        from ..diagnose import diagnose
        with np.errstate(all="ignore"):
            found = diagnose(monitor).findings
        hit = next((f for f in found if f.kind in self.kinds), None)
        if hit is None:
            return None
        return hit.kind, f"{hit.title}: {hit.summary}"

    def __repr__(self) -> str:
        return f"DiagnosisPruner(kinds={list(self.kinds)}, every_n_steps={self.every_n_steps})"


def as_pruners(pruner, owner: str) -> tuple:
    """``pruner=`` as a tuple of pruners (None: no pruning; one pruner or a list)."""
    if pruner is None:
        return ()
    items = pruner if isinstance(pruner, (list, tuple)) else [pruner]
    for i, p in enumerate(items):
        if not callable(getattr(p, "check", None)):
            raise TypeError(f"{owner}: pruner must be a MedianPruner, PercentilePruner, "
                            f"DiagnosisPruner or a list of them, got {type(p).__name__}"
                            + (f" at [{i}]" if len(items) > 1 else ""))
    return tuple(items)


class PruningContext:
    """What a trial gets to judge itself: ``pruners``, ``mode``, ``reference`` (the curves
    of the trials ended before it was dispatched); it collects the trial's own ``curve``."""

    def __init__(self, pruners, mode: str, reference=()):
        self.pruners, self.mode = tuple(pruners), mode
        self.reference = [list(c) for c in reference]
        self.curve: list = []

    @property
    def monitor_every(self) -> int | None:
        """The recording interval a monitor needs (None: no pruner needs one)."""
        steps = [p.every_n_steps for p in self.pruners if getattr(p, "needs_monitor", False)]
        return min(steps) if steps else None

    def report(self, epoch: int, value: float, monitor=None) -> None:
        """Record the epoch's validation score; raise `TrialPruned` if a pruner objects."""
        value = float(value) if value is not None else math.nan
        self.curve.append(value)
        for p in self.pruners:
            verdict = p.check(epoch, value, self, monitor)
            if verdict is None:
                continue
            finding, reason = verdict if isinstance(verdict, tuple) else (None, verdict)
            raise TrialPruned(epoch, reason, finding)
