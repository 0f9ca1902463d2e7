r"""Which hyper-parameters mattered: fANOVA-style importance from a random forest of the trials.

Hutter, Hoos & Leyton-Brown (2014, "An Efficient Approach for Assessing Hyperparameter
Importance") decompose the variance of a random-forest model ŷ(θ) of the score over the
search space: a parameter's *main effect* is the variance, over its values, of its marginal
prediction f_j(v) = E_{θ₋ⱼ}[ŷ(θⱼ = v, θ₋ⱼ)], and its importance the share of that variance.
Here the other parameters θ₋ⱼ are averaged over the finished trials themselves (a partial-
dependence estimate of the marginal; fANOVA integrates them uniformly over the space's box):

    importanceⱼ = Var_v f_j(v) / Σₖ Var_v f_k(v)            (main effects only, summing to 1)

with v on ``grid`` points spanning the tried range (a log-uniform or log-integer parameter
on the log scale, as it is searched; every option of a `Choice`).  The forest: scikit-learn's
``RandomForestRegressor(n_estimators=n_trees, random_state=seed)`` on the finished trials
(parameters as columns: log10 for log-scaled ones, the option's index for a `Choice`).
Optuna's default evaluator is the same idea (fANOVA on a random forest).

The notes (001, 超参数调试) rank the learning rate first, then momentum / β, the hidden units
and the mini-batch size: `param_importance` tells how a user's own search ranks them.
"""
from __future__ import annotations

import math

import numpy as np

from .space import Choice, IntUniform, LogUniform, space_from_dict

__all__ = ["param_importance"]


def _searched(result) -> dict:
    """The result's searched parameters (name → Distribution), constants left out."""
    space = space_from_dict(result.info.get("space", {}))
    return {name: d for name, d in space.items() if hasattr(d, "to_dict") and
            not (isinstance(d, Choice) and len(d.options) < 2)}


def _is_log(dist) -> bool:
    return isinstance(dist, LogUniform) or (isinstance(dist, IntUniform) and dist.log)


def _encode(dist, values) -> np.ndarray:
    if isinstance(dist, Choice):
        index = {repr(o): i for i, o in enumerate(dist.options)}
        return np.array([index[repr(v)] for v in values], dtype=float)
    x = np.asarray(values, dtype=float)
    return np.log10(x) if _is_log(dist) else x


def _grid(dist, column: np.ndarray, n: int) -> np.ndarray:
    if isinstance(dist, Choice):
        return np.arange(len(dist.options), dtype=float)
    return np.linspace(column.min(), column.max(), n)


def param_importance(result, n_trees: int = 64, grid: int = 32, seed: int = 0) -> dict:
    """The share of the score's variance each searched parameter explains on its own (its
    fANOVA-style main effect, see the module docstring), as ``{name: fraction}``, most
    important first; the fractions sum to 1 (all 0 when the forest predicts a constant).
    ``result`` — a `SearchResult` with at least 4 finished trials."""
    from sklearn.ensemble import RandomForestRegressor
    for name, value, low in (("n_trees", n_trees, 1), ("grid", grid, 2)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
            raise ValueError(f"param_importance: {name} must be an int ≥ {low}, got "
                             f"{name}={value!r}")
    space = _searched(result)
    if not space:
        raise ValueError("param_importance: the search varied no parameter")
    trials = [t for t in result.finished if all(n in t["params"] for n in space)]
    if len(trials) < 4:
        raise ValueError(f"param_importance: needs at least 4 finished trials, got "
                         f"{len(trials)}")
    names = list(space)
    X = np.column_stack([_encode(space[n], [t["params"][n] for t in trials]) for n in names])
    y = np.array([t["score"] for t in trials], dtype=float)
    forest = RandomForestRegressor(n_estimators=int(n_trees), random_state=seed).fit(X, y)
    effects = {}
    for j, name in enumerate(names):
        values = _grid(space[name], X[:, j], int(grid))
        # every trial's other parameters, with parameter j set to each grid value in turn
        probe = np.repeat(X[None], len(values), axis=0)
        probe[:, :, j] = values[:, None]
        marginal = forest.predict(probe.reshape(-1, X.shape[1])).reshape(len(values), -1)
        effects[name] = float(np.var(marginal.mean(axis=1)))
    total = sum(effects.values())
    shares = {n: (v / total if total > 0 and math.isfinite(total) else 0.0)
              for n, v in effects.items()}
    return dict(sorted(shares.items(), key=lambda kv: -kv[1]))
