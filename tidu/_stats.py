"""Seed noise: a mean with its 95% Student-t interval, and whether two sets of seeded
results differ beyond it (Welch's t-test).  Shared by the diagnosis' remedy verification, the
search's seed-aware winner and ``tidu runs compare``."""
from __future__ import annotations

import math

import numpy as np

__all__ = ["t_quantile", "mean_interval", "welch_p", "distinguishable"]

_T975 = (12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179,
         2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064,
         2.060, 2.056, 2.052, 2.048, 2.045, 2.042)
"""t₀.₉₇₅ for 1 … 30 degrees of freedom (the fallback without SciPy)."""


def t_quantile(dof: int) -> float:
    """The 0.975 quantile of Student's t with ``dof`` degrees of freedom: the half-width
    factor of a two-sided 95% interval."""
    try:
        from scipy.stats import t
    except ImportError:  # pragma: no cover - SciPy is installed where the tests run
        return _T975[dof - 1] if dof <= len(_T975) else 1.96
    return float(t.ppf(0.975, dof))


def mean_interval(values) -> tuple:
    """(mean, (low, high)): the mean ± t₀.₉₇₅,ₙ₋₁ · sd/√n; the interval is (NaN, NaN) with
    fewer than 2 values or any non-finite one (the mean may still be ±∞)."""
    d = np.asarray(values, dtype=np.float64)
    if d.size == 0:
        return math.nan, (math.nan, math.nan)
    with np.errstate(all="ignore"):
        mean = float(d.mean())
        if d.size < 2 or not np.isfinite(d).all():
            return mean, (math.nan, math.nan)
        half = t_quantile(d.size - 1) * float(d.std(ddof=1)) / math.sqrt(d.size)
    return mean, (mean - half, mean + half)


def welch_p(a, b) -> float:
    """Two-sided p-value of Welch's t-test (unequal variances) that ``a`` and ``b`` have the
    same mean; NaN with fewer than 2 values in either; 0 when both are constant and differ."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.size < 2 or b.size < 2 or not (np.isfinite(a).all() and np.isfinite(b).all()):
        return math.nan
    va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
    if va + vb == 0:
        return 1.0 if a.mean() == b.mean() else 0.0
    from scipy.stats import ttest_ind
    return float(ttest_ind(a, b, equal_var=False).pvalue)


def distinguishable(a, b, alpha: float = 0.05) -> tuple:
    """(verdict, p): True when ``a`` and ``b`` differ beyond seed noise (Welch p < alpha),
    False when they do not, None when it cannot be told (fewer than 2 seeds on a side)."""
    p = welch_p(a, b)
    return (None if math.isnan(p) else bool(p < alpha)), p
