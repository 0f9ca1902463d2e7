r"""`lr_find`: the learning-rate range test (Leslie Smith 2015; fast.ai's ``lr_find``).

Train for at most ``num_steps`` mini-batches while the learning rate grows geometrically
from ``start_lr`` to ``end_lr``::

    lrᵢ = start_lr · (end_lr / start_lr)^(i / (num_steps − 1)),   i = 0 … num_steps − 1

and record the loss of every batch, smoothed by a bias-corrected exponential moving
average (β = ``smooth``)::

    avgᵢ = β·avgᵢ₋₁ + (1 − β)·lossᵢ,   smoothedᵢ = avgᵢ / (1 − β^(i+1))

The sweep stops early when the smoothed loss exceeds ``diverge_factor`` × its best value so
far, or the loss is not finite.  The curve has a U shape: flat (the rate is too small to
learn), falling, then rising as training diverges.  The suggested rate is where the
smoothed loss falls fastest against log(lr) — the most negative slope before its minimum
(``suggest="steepest"``, fast.ai v1's suggestion, here measured over a window of steps) —
or the rate of the minimum divided by 10 (``suggest="min/10"``, fast.ai's other rule of
thumb); both are returned.  Afterwards the model's weights and buffers, its train/eval
mode, the gradients, the optimizer's state and learning rates, and tidu's global random
generator are restored exactly: the sweep leaves no trace.

The notes only say that the rate is hard to choose (学习率太低会收敛缓慢，学习率过高会使收敛时
的波动过大: too low converges slowly, too high oscillates); this sweep is the standard way to
choose it.
"""
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field

import numpy as np

from .. import random as _random
from ..data.loader import ArrayDataset, DataLoader
from ..nn.modules.module import Module

__all__ = ["LRFinderResult", "lr_find"]

_SUGGEST = ("steepest", "min/10")


@dataclass
class LRFinderResult:
    """``lrs`` and ``losses`` (smoothed) of every step run, ``raw_losses``; ``suggestion``
    (by ``method``), ``suggestions`` (both rules), ``diverged`` (the sweep stopped early)."""

    lrs: np.ndarray
    losses: np.ndarray
    raw_losses: np.ndarray
    suggestion: float
    method: str
    suggestions: dict = field(default_factory=dict)
    diverged: bool = False

    def plot(self, ax=None, path=None, show_raw: bool = False):
        """The smoothed loss against the learning rate on a log axis, the suggestion marked.
        Draws into ``ax`` (a matplotlib Axes) or a new Agg figure; saves to ``path`` if
        given; returns the figure."""
        from .curves import _axes

        fig, ax = _axes(ax)
        if show_raw:
            ax.plot(self.lrs, self.raw_losses, color="0.75", lw=0.8, label="loss")
        ax.plot(self.lrs, self.losses, color="C0", label="smoothed loss")
        if math.isfinite(self.suggestion):
            y = float(np.interp(np.log(self.suggestion), np.log(self.lrs), self.losses))
            ax.axvline(self.suggestion, color="C3", ls="--", lw=1)
            ax.plot([self.suggestion], [y], "o", color="C3",
                    label=f"suggested lr = {self.suggestion:.2g} ({self.method})")
        finite = self.losses[np.isfinite(self.losses)]
        if finite.size >= 2:  # frame the U: the divergence leaves the plot upward
            best = int(np.argmin(finite))
            lo, hi = float(finite[best]), float(finite[:best + 1].max())
            span = (hi - lo) or abs(lo) or 1.0
            ax.set_ylim(lo - 0.1 * span, hi + 0.5 * span)
        ax.set_xscale("log")
        ax.set_xlabel("learning rate (log scale)")
        ax.set_ylabel("loss")
        ax.set_title("learning-rate finder")
        ax.legend()
        if path is not None:
            fig.savefig(path)
        return fig


def _positive(name: str, value) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real) \
            or not math.isfinite(value) or value <= 0:
        raise ValueError(f"lr_find: {name} must be a finite number > 0, got {name}={value!r}")
    return float(value)


def _loader(data, batch_size) -> DataLoader:
    if isinstance(data, DataLoader):
        return data
    if isinstance(data, ArrayDataset) or (isinstance(data, (tuple, list)) and len(data) == 2):
        return DataLoader(data, batch_size=batch_size, shuffle=True)
    raise TypeError(f"lr_find: data must be (X, y) arrays or a tidu.data.DataLoader, got "
                    f"{type(data).__name__}")


def _batches(loader: DataLoader):
    while True:
        empty = True
        for batch in loader:
            empty = False
            yield batch
        if empty:
            raise ValueError("lr_find: the data gives no batch")


def _suggestions(lrs: np.ndarray, losses: np.ndarray, num_steps: int) -> dict:
    """Both rules on the finite part of the sweep (see the module and `lr_find`)."""
    best = int(np.argmin(losses))
    out = {"min/10": float(lrs[best] / 10)}
    skip, w = num_steps // 10, max(1, round(num_steps / 33))
    if best - skip >= 2:
        log_lr = np.log(lrs)
        i = np.arange(skip, best + 1)
        lo, hi = np.maximum(i - w, 0), np.minimum(i + w, best)
        slope = (losses[hi] - losses[lo]) / (log_lr[hi] - log_lr[lo])
        out["steepest"] = float(lrs[i[int(np.argmin(slope))]])
    else:  # the loss never fell after the first steps: no descent to measure
        out["steepest"] = out["min/10"]
    return out


def lr_find(model, loss_fn, optimizer, data, start_lr=1e-7, end_lr=10.0, num_steps: int = 100,
            smooth: float = 0.98, diverge_factor: float = 4.0, batch_size: int | None = 32,
            suggest: str = "steepest") -> LRFinderResult:
    """Run the learning-rate range test (see the module) and restore everything afterwards.

    ``data``: ``(X, y)`` arrays (shuffled mini-batches of ``batch_size``, cycled as long as
    needed) or a `tidu.data.DataLoader`.  Every parameter group gets the same rate.
    Defaults as fast.ai's ``lr_find``: 1e-7 → 10 in 100 steps, β = 0.98, stop at 4 × the
    best loss (which assumes a loss ≥ 0).  Returns an `LRFinderResult` (``lrs``,
    ``losses``, ``suggestion``, ``plot()``).

    ``suggest="steepest"`` (default): the slope of the smoothed loss against ln(lr) is a
    difference across ±w steps (w = max(1, round(num_steps / 33)): 3 for 100 steps — one
    step's slope is mostly mini-batch noise), searched from step num_steps // 10 (the first
    smoothed values are nearly raw batch losses, as fast.ai's ``skip_start=10``) to the
    minimum; if the loss has not fallen by then, the min/10 rule is used.
    ``suggest="min/10"``: the rate at the smoothed minimum divided by 10.
    """
    start_lr = _positive("start_lr", start_lr)
    end_lr = _positive("end_lr", end_lr)
    if end_lr <= start_lr:
        raise ValueError(f"lr_find: end_lr must be > start_lr, got start_lr={start_lr!r}, "
                         f"end_lr={end_lr!r}")
    if isinstance(num_steps, (bool, np.bool_)) or not isinstance(num_steps, (int, np.integer)) \
            or num_steps < 2:
        raise ValueError(f"lr_find: num_steps must be an int ≥ 2, got num_steps={num_steps!r}")
    if isinstance(smooth, (bool, np.bool_)) or not isinstance(smooth, numbers.Real) \
            or not 0 <= smooth < 1:
        raise ValueError(f"lr_find: smooth must be in [0, 1), got smooth={smooth!r}")
    diverge_factor = _positive("diverge_factor", diverge_factor)
    if diverge_factor <= 1:
        raise ValueError(f"lr_find: diverge_factor must be > 1, got "
                         f"diverge_factor={diverge_factor!r}")
    if suggest not in _SUGGEST:
        raise ValueError(f"lr_find: suggest must be one of {_SUGGEST}, got suggest={suggest!r}")
    if not isinstance(model, Module):
        raise TypeError(f"lr_find: model must be a tidu.nn.Module, got {type(model).__name__}")
    for attr in ("step", "zero_grad", "state_dict", "load_state_dict", "param_groups"):
        if not hasattr(optimizer, attr):
            raise TypeError(f"lr_find: optimizer must be a tidu.optim optimizer, got "
                            f"{type(optimizer).__name__}")

    params = list(model.parameters())
    weights = {k: v.clone() for k, v in model.state_dict().items()}
    opt_state = optimizer.state_dict()
    grads = [p.grad for p in params]
    was_training = model.training
    rng_state = _random.get_rng_state()

    ratio = end_lr / start_lr
    lrs, smoothed, raw = [], [], []
    avg, best, diverged = 0.0, math.inf, False
    try:
        # the sweep drives training into divergence on purpose: overflow is expected there
        with np.errstate(over="ignore", invalid="ignore"):
            loader = _loader(data, batch_size)
            model.train()
            batches = _batches(loader)
            for i in range(num_steps):
                lr = start_lr * ratio ** (i / (num_steps - 1))
                for group in optimizer.param_groups:
                    group["lr"] = lr
                x, y = next(batches)
                loss = loss_fn(model(x), y)
                value = float(loss.item())
                lrs.append(lr)
                raw.append(value)
                if not math.isfinite(value):
                    smoothed.append(math.inf)
                    diverged = True
                    break
                avg = smooth * avg + (1 - smooth) * value
                current = avg / (1 - smooth ** (i + 1))
                smoothed.append(current)
                if i > 0 and current > diverge_factor * best:
                    diverged = True
                    break
                best = min(best, current)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
    finally:
        model.load_state_dict(weights)
        optimizer.load_state_dict(opt_state)
        for p, g in zip(params, grads):
            p.grad = g
        model.train(was_training)
        _random.set_rng_state(rng_state)

    lrs_a, losses_a = np.array(lrs), np.array(smoothed)
    finite = np.isfinite(losses_a)
    suggestions = (_suggestions(lrs_a[finite], losses_a[finite], num_steps) if finite.any()
                   else {"steepest": math.nan, "min/10": math.nan})
    return LRFinderResult(lrs_a, losses_a, np.array(raw), suggestions[suggest], suggest,
                          suggestions, diverged)
