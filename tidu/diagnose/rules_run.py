r"""Findings from the loss and metric curves: the learning rate (notes 002: 学习率过大会震荡
甚至发散, 过小收敛太慢) and the bias/variance reading (notes 000/001: 高偏差 = 欠拟合,
高方差 = 过拟合).

The loss curve is the monitor's per-step losses when there is a monitor (finer), else the
per-epoch training loss.  ``head`` and ``tail`` are the means of its first and last 10%
(at least one point each).  Defaults in `Thresholds`::

    lr_too_high   the loss diverges — tail > 1.5 × head, or it turns NaN/inf after rising —
                  or it does not fall (tail > 0.9 × head) while the steps are too large
                  (median update/weight > 1e-2, or lr·λ_max above the stability limit), or it
                  has ≥ 3 spikes (a loss ≥ 3× the median of the 20 before it) and ends above
                  twice its minimum, or the first steps are huge — the median update/weight
                  ratio over the first 10% of steps above 0.1, a hundred times the healthy
                  1e-3 — and the loss does not fall or the run underfits (such steps throw
                  the weights where ReLUs die or the loss plateaus high)
    lr_too_low    the loss falls by less than 5% (1 − tail/head < 0.05) while the gradients
                  are healthy (no vanishing, dead, saturated or non-finite finding) and the
                  median update/weight ratio is below 1e-4
    overfitting   the validation loss (3-epoch moving mean) ends ≥ 10% above its minimum
                  while the training loss kept falling, or the final train − validation
                  accuracy gap exceeds 0.10
    underfitting  the final training error is well above a baseline: accuracy below a
                  5-nearest-neighbour classifier's cross-validated accuracy on the same
                  training data by more than 0.10 (the notes' "human-level / optimal error"
                  stand-in), or, without accuracy, a training loss above 0.8 × the
                  constant predictor's (class-prior cross-entropy, or var(y) for MSE)

The stability limit: gradient descent on a quadratic with curvature λ diverges iff
lr·λ > 2 (2(1+μ) with momentum μ); near a minimum λ is the Hessian's largest eigenvalue
λ_max (`tidu.diagnose.sharpness`).
"""
from __future__ import annotations

import math

import numpy as np

from .findings import Finding, remedy_for

__all__ = ["run_findings", "loss_curve"]

_GRADIENT_TROUBLE = ("vanishing_gradients", "dead_relu", "saturation", "nonfinite",
                     "exploding_gradients", "stale_gradients")


def loss_curve(ev) -> tuple:
    """(steps or epochs, losses, unit) of the run: per-step from the monitor, else per epoch."""
    if ev.stats is not None and len(ev.stats.loss) >= 5:
        return np.asarray(ev.stats.steps), np.asarray(ev.stats.loss, float), "step"
    if ev.history and "loss" in ev.history:
        loss = np.asarray(ev.history["loss"], float)
        return np.arange(len(loss)), loss, "epoch"
    return np.empty(0), np.empty(0), "step"


def _head_tail(loss: np.ndarray) -> tuple:
    k = max(1, len(loss) // 10)
    return float(np.mean(loss[:k])), float(np.mean(loss[-k:]))


def _update_ratio(ev) -> float:
    if ev.stats is None or not ev.stats.update_ratio.size:
        return math.nan
    u = ev.stats.update_ratio.reshape(-1)
    u = u[np.isfinite(u)]
    return float(np.median(u)) if u.size else math.nan


def _sharpness_excess(ev) -> tuple:
    """(max over the trace of lr·λ_max / (lr·limit) i.e. λ/limit, λ at that point, limit)."""
    s = ev.sharpness
    if not s:
        return math.nan, math.nan, math.nan
    best = (math.nan, math.nan, math.nan)
    for value, limit in zip(s.get("values", []), s.get("limits", [])):
        if limit and value is not None and math.isfinite(value) and limit > 0:
            excess = value / limit
            if not math.isfinite(best[0]) or excess > best[0]:
                best = (excess, value, limit)
    return best


def _spikes(loss: np.ndarray, factor: float, window: int = 20) -> np.ndarray:
    """Steps whose loss is ≥ factor × the median of the ``window`` before it, and larger
    than it by ≥ 10% of the first loss (a jump from 1e-5 to 4e-5 is no spike)."""
    if len(loss) <= window:
        return np.empty(0, int)
    from numpy.lib.stride_tricks import sliding_window_view
    before = np.median(sliding_window_view(loss[:-1], window), axis=1)  # loss[i..i+w-1]
    after = loss[window:]
    hit = (after >= factor * before) & (after - before >= 0.1 * abs(float(loss[0])))
    return np.flatnonzero(hit) + window


def _early_update_ratio(ev) -> float:
    """Median update/weight ratio over the first 10% of recorded steps, of the layers that
    moved (a layer with no gradient says nothing about the step size)."""
    if ev.stats is None or not ev.stats.update_ratio.size:
        return math.nan
    u = ev.stats.update_ratio
    u = u[:max(1, len(u) // 10)].reshape(-1)
    u = u[np.isfinite(u) & (u > 0)]
    return float(np.median(u)) if u.size else math.nan


def _lr_too_high(ev, t, underfit: bool = False) -> Finding | None:
    steps, loss, unit = loss_curve(ev)
    if len(loss) < 3:
        return None
    finite = np.isfinite(loss)
    first_bad = int(np.argmin(finite)) if not finite.all() else len(loss)
    good = loss[:first_bad]
    if len(good) < 2:
        return None
    head, tail = _head_tail(good)
    update = _update_ratio(ev)
    excess, lam, limit = _sharpness_excess(ev)
    reasons = []
    if tail > t.diverge * head:
        reasons.append(f"the loss diverges: its last 10% average {tail:.3g} against {head:.3g} "
                       f"at the start")
    elif first_bad < len(loss) and good[-1] > good[0]:
        reasons.append(f"the loss rose from {good[0]:.3g} to {good[-1]:.3g} and turned "
                       f"NaN/inf at {unit} {int(steps[first_bad])}")
    large = (update > 1e-2) or (excess > 1)
    if not reasons and tail > 0.9 * head and large:
        reasons.append(f"the loss does not fall ({head:.3g} → {tail:.3g}) while the steps are "
                       f"too large")
    spikes = _spikes(good, t.spike)
    if not reasons and len(spikes) >= 3 and tail > 2 * float(np.min(good)) \
            and tail - float(np.min(good)) > 0.1 * head:
        reasons.append(f"{len(spikes)} loss spikes (≥ {t.spike:g}× the recent median), ending "
                       f"at {tail:.3g}, above twice the best {float(np.min(good)):.3g}")
    early = _early_update_ratio(ev)
    if not reasons and early > t.early_update and (tail > 0.9 * head or underfit):
        outcome = ("the loss does not fall" if tail > 0.9 * head
                   else "the run ends underfitting")
        reasons.append(f"the first steps change the weights by {early:.2g} of their norm "
                       f"(median; healthy ≈ 1e-3) and {outcome} ({head:.3g} → {tail:.3g})")
    if not reasons:
        return None
    evidence = {"loss: start (first 10%), end (last 10%)": [head, tail],
                "median update/weight ratio (healthy ≈ 1e-3)": update,
                "median update/weight ratio, first 10% of steps": early}
    opt = ev.optimizer or {}
    if opt.get("lr") is not None:
        evidence["learning rate"] = opt["lr"]
    summary = "; ".join(reasons)
    if math.isfinite(excess):
        evidence["sharpness λ_max, stability limit"] = [lam, limit]
        if excess > 1:
            summary += (f"; lr·λ_max is {excess:.3g}× the stability limit "
                        f"(λ_max = {lam:.3g} > {limit:.3g})")
    return Finding(kind="lr_too_high", summary=summary, layers=[], evidence=evidence,
                   remedies=[remedy_for("smaller_lr", "gradient descent is stable only while "
                                                      "lr·λ_max < 2"),
                             remedy_for("clipping", "bounds the steps while the rate stays"),
                             remedy_for("batchnorm", "smooths the loss surface, allowing "
                                                     "larger rates")],
                   severity=float(max(tail / max(head, 1e-300), excess if math.isfinite(excess)
                                      else 1.0, 1.0)))


def _lr_too_low(ev, t) -> Finding | None:
    if any(ev.has(k) for k in _GRADIENT_TROUBLE):
        return None
    _, loss, _ = loss_curve(ev)
    loss = loss[np.isfinite(loss)]
    update = _update_ratio(ev)
    if len(loss) < 3 or not update < t.low_update:
        return None
    head, tail = _head_tail(loss)
    fall = 1 - tail / head if head > 0 else math.nan
    if not fall < t.flat:
        return None
    opt = ev.optimizer or {}
    return Finding(
        kind="lr_too_low",
        summary=(f"the loss barely moves (it fell {fall:.1%}) while the gradients flow: the "
                 f"median step is only {update:.2g} of the weights (healthy ≈ 1e-3)"),
        layers=[], evidence={"relative fall of the loss": fall,
                             "median update/weight ratio (healthy ≈ 1e-3)": update,
                             "learning rate": opt.get("lr", math.nan)},
        remedies=[remedy_for("larger_lr", f"steps {1e-3 / update:.3g}× smaller than the usual "
                                          f"healthy size"),
                  remedy_for("train_longer", "at this rate the loss would need many more "
                                             "epochs")],
        severity=float(t.low_update / max(update, 1e-300)))


def _moving_mean(values: np.ndarray, k: int = 3) -> np.ndarray:
    if len(values) < k:
        return values
    return np.convolve(values, np.ones(k) / k, mode="valid")


def _overfitting(ev, t) -> Finding | None:
    h = ev.history or {}
    if "val_loss" not in h or "loss" not in h or len(h["val_loss"]) < 3:
        return None
    val, train = np.asarray(h["val_loss"], float), np.asarray(h["loss"], float)
    if not (np.isfinite(val).all() and np.isfinite(train).all()):
        return None
    smooth = _moving_mean(val)
    best = int(np.argmin(smooth))
    rise = float(smooth[-1] / smooth[best] - 1) if smooth[best] > 0 else math.nan
    best_epoch = best + (len(val) - len(smooth)) // 2  # the centre of the best window
    reasons, evidence = [], {"validation loss: best (epoch), last": [float(val[best_epoch]),
                                                                     best_epoch, float(val[-1])]}
    if rise > t.val_rise and train[-1] < train[best_epoch]:
        reasons.append(f"the validation loss rose {rise:.0%} above its minimum (epoch "
                       f"{best_epoch}) while the training loss kept falling")
    gap = math.nan
    if "accuracy" in h and "val_accuracy" in h:
        gap = float(h["accuracy"][-1] - h["val_accuracy"][-1])
        evidence["final train − validation accuracy"] = gap
        if gap > t.gap:
            reasons.append(f"training accuracy is {gap:.1%} above validation accuracy")
    if not reasons:
        return None
    return Finding(
        kind="overfitting", summary="; ".join(reasons), layers=[], evidence=evidence,
        remedies=[remedy_for("early_stopping", f"the validation loss was lowest at epoch "
                                               f"{best_epoch}"),
                  remedy_for("weight_reg", "penalizing large weights lowers the variance"),
                  remedy_for("dropout", "averages many thinned networks"),
                  remedy_for("more_data", "the surest cure for high variance")],
        epoch=best_epoch,
        severity=float(max(rise / t.val_rise if math.isfinite(rise) else 0,
                           gap / t.gap if math.isfinite(gap) else 0, 1.0)))


def _knn_accuracy(X: np.ndarray, y: np.ndarray) -> float:
    """5-NN accuracy, cross-validated on (up to 2000 of) the training samples."""
    from sklearn.model_selection import cross_val_score
    from sklearn.neighbors import KNeighborsClassifier
    idx = np.random.default_rng(0).permutation(len(X))[:2000]
    X, y = X[idx].reshape(len(idx), -1), y[idx]
    counts = np.bincount(y)
    counts = counts[counts > 0]
    if len(counts) < 2 or counts.min() < 2 or not np.isfinite(X).all():
        return math.nan
    folds = int(min(5, counts.min()))
    return float(np.mean(cross_val_score(KNeighborsClassifier(5), X, y, cv=folds)))


def _underfitting(ev, t) -> Finding | None:
    h = ev.history or {}
    if "loss" not in h or not len(h["loss"]) or ev.data is None:
        return None
    X, y = ev.data
    y = np.asarray(y)
    train_loss = float(h["loss"][-1])
    if not math.isfinite(train_loss):
        return None
    evidence, reasons = {"final training loss": train_loss}, []
    classes = y.dtype.kind in "iu" and y.ndim == 1
    if classes and "accuracy" in h:
        acc = float(h["accuracy"][-1])
        base = _knn_accuracy(np.asarray(X, float), y)
        evidence["final training accuracy, 5-NN cross-validated accuracy"] = [acc, base]
        if math.isfinite(base) and base - acc > t.bias:
            reasons.append(f"training accuracy {acc:.1%} is {base - acc:.1%} below what a "
                           f"5-nearest-neighbour classifier reaches on held-out folds of the "
                           f"same data ({base:.1%})")
        severity = (base - acc) / t.bias if math.isfinite(base) else 1.0
    else:
        if classes:
            prior = np.bincount(y) / len(y)
            prior = prior[prior > 0]
            const = float(-np.sum(prior * np.log(prior)))
            what = "the class-prior cross-entropy"
        else:
            const = float(np.mean(np.var(y.astype(float), axis=0)))
            what = "var(y), the constant predictor's MSE"
        evidence[f"constant predictor's loss ({what})"] = const
        if const > 0 and train_loss > t.bias_ratio * const:
            reasons.append(f"the training loss {train_loss:.3g} is {train_loss / const:.0%} of "
                           f"{what}: the model explains little of the training data")
        severity = train_loss / (t.bias_ratio * const) if const > 0 else 1.0
    if not reasons:
        return None
    return Finding(
        kind="underfitting", summary="; ".join(reasons), layers=[], evidence=evidence,
        remedies=[remedy_for("wider", "high bias: the model is too simple for the data"),
                  remedy_for("train_longer", "the training error may still be falling"),
                  remedy_for("larger_lr", "a faster optimizer reaches a lower training error "
                                          "in the same epochs")],
        severity=float(max(severity, 1.0)))


def run_findings(ev, t) -> list:
    """The curve findings of ``ev`` (a `RunEvidence`) under thresholds ``t``."""
    under = _underfitting(ev, t)
    found = [_lr_too_high(ev, t, underfit=under is not None), _lr_too_low(ev, t),
             _overfitting(ev, t), under]
    return [f for f in found if f is not None]
