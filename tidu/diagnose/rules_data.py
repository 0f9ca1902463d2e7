r"""Findings from the training inputs themselves (the notes' 003: 归一化 — why inputs are
scaled before training).

Features are the columns of a 2-D ``X``; the last axis of a 3-D sequence batch (N, T, D);
the channels of a 4-D image batch (N, C, H, W).  With ``rms_j = √mean(x_j²)`` over the
non-constant-zero features (defaults in `Thresholds`)::

    unscaled_inputs   max_j rms_j / median_j rms_j > 100   (scales differ by orders of magnitude)
                      or some feature has |mean_j| > 5·std_j and |mean_j| > 1 (far from zero mean)
                      or median_j rms_j > 50                 (raw magnitudes, e.g. pixels 0…255)
    nonfinite         NaN/inf in X or y (reported with the rows; merged into the monitor's
                      finding when there is one)

Integer inputs (token ids, class indices) are not features and are not judged.
"""
from __future__ import annotations

import numpy as np

from .findings import Finding, remedy_for

__all__ = ["data_findings", "feature_matrix"]


def feature_matrix(X: np.ndarray) -> np.ndarray | None:
    """(samples, features) view of an input batch as described above, or None."""
    X = np.asarray(X)
    if X.dtype.kind != "f" or X.ndim < 2:
        return None
    if X.ndim == 4:
        return np.moveaxis(X, 1, -1).reshape(-1, X.shape[1])
    return X.reshape(-1, X.shape[-1])


def _nonfinite_rows(X, y) -> tuple:
    bad_x = ~np.isfinite(X).reshape(len(X), -1).all(axis=1) if X.dtype.kind == "f" else \
        np.zeros(len(X), bool)
    y = np.asarray(y)
    bad_y = (~np.isfinite(y).reshape(len(y), -1).all(axis=1) if y.dtype.kind == "f"
             else np.zeros(len(y), bool))
    return np.flatnonzero(bad_x), np.flatnonzero(bad_y)


def _nonfinite(ev) -> Finding | None:
    X, y = ev.data
    rows_x, rows_y = _nonfinite_rows(np.asarray(X), y)
    if not rows_x.size and not rows_y.size:
        return None
    evidence = {"training rows with NaN/inf inputs": int(rows_x.size),
                "training rows with NaN/inf targets": int(rows_y.size),
                "first such rows": [int(i) for i in np.union1d(rows_x, rows_y)[:5]]}
    for f in ev.found:
        if f.kind == "nonfinite":  # the monitor saw it too: one finding, the data's cause first
            f.evidence.update(evidence)
            f.remedies.insert(0, remedy_for("fix_data", "the training data itself holds "
                                                        "NaN/inf"))
            f.summary += f"; the training data holds NaN/inf in {rows_x.size + rows_y.size} rows"
            return None
    return Finding(kind="nonfinite",
                   summary=(f"the training data holds NaN/inf: {rows_x.size} input rows, "
                            f"{rows_y.size} target rows"),
                   layers=[], evidence=evidence, step=0,
                   remedies=[remedy_for("fix_data", "every step that draws such a row turns "
                                                    "the loss and the weights into NaN")])


def _unscaled(ev, t) -> Finding | None:
    F = feature_matrix(ev.data[0])
    if F is None:
        return None
    F = F[np.isfinite(F).all(axis=1)].astype(np.float64)
    if len(F) < 2:
        return None
    rms = np.sqrt(np.mean(F ** 2, axis=0))
    live = rms > 0
    if not live.any():
        return None
    mean, std, rms = F.mean(axis=0)[live], F.std(axis=0)[live], rms[live]
    median = float(np.median(rms))
    spread = float(rms.max() / median)
    with np.errstate(divide="ignore", invalid="ignore"):
        offset = np.where(std > 0, np.abs(mean) / std, np.inf)
    offset_hit = (offset > t.offset) & (np.abs(mean) > 1)
    reasons = []
    if spread > t.scale_ratio:
        reasons.append(f"feature scales differ {spread:.3g}-fold (largest RMS / median RMS)")
    if offset_hit.any():
        reasons.append(f"{int(offset_hit.sum())} feature(s) sit far from zero "
                       f"(|mean| up to {float(np.max(offset[offset_hit])):.3g}× their std)")
    if median > t.magnitude:
        reasons.append(f"the inputs are large: median feature RMS {median:.3g}")
    if not reasons:
        return None
    columns = np.flatnonzero(live)
    severity = max(spread / t.scale_ratio, median / t.magnitude,
                   float(np.max(offset[offset_hit]) / t.offset) if offset_hit.any() else 0, 1.0)
    return Finding(
        kind="unscaled_inputs", summary="; ".join(reasons), layers=[],
        evidence={"feature RMS: smallest, median, largest": [float(rms.min()), median,
                                                             float(rms.max())],
                  "largest-scale feature": int(columns[int(np.argmax(rms))]),
                  "largest |mean|/std": float(np.max(offset[np.isfinite(offset)]))
                  if np.isfinite(offset).any() else float("nan")},
        remedies=[remedy_for("standardize", "gradient descent on unscaled inputs zig-zags "
                                            "along the large features and crawls along the "
                                            "small ones (notes 003)"),
                  remedy_for("batchnorm", "normalizes inside the network as well")],
        severity=float(severity))


def data_findings(ev, t) -> list:
    """The data findings for ``ev.data`` under thresholds ``t``."""
    found = [_nonfinite(ev), _unscaled(ev, t)]
    return [f for f in found if f is not None]
