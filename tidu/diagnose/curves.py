r"""Learning curves and validation curves: training and validation scores against the number
of training samples, or against one hyper-parameter.

How to read them (the notes' 偏差/方差): a **learning curve** whose training and validation
scores meet at a poor value is high bias — more data will not help (准备更多训练数据其实也没什么
用处), a bigger model will; a wide gap that narrows as samples are added is high variance —
more data helps (采用更多数据), as does regularization.  A **validation curve** over capacity
(hidden units, degree) or regularization strength shows underfitting on one side (both
scores poor), overfitting on the other (training score good, validation score poor), and the
best value between them.

Both are built on `tidu.model_selection.cross_validate` and share its build contract:
``build()`` — or ``build(params)`` with ``params = {param_name: value}`` for a validation
curve — returns a fresh ``(model, loss_fn, optimizer[, callbacks])``; fold i's model is
built after ``tidu.manual_seed(seed + i)`` (so every point of a curve starts fold i from the
same initial weights); ``fit_kwargs`` (``epochs``, ``batch_size``, ``shuffle``, ``seed``,
``callbacks``, ``verbose``) go to every fit.  Each model is scored in eval mode on the
samples it was trained on and on the validation split with ``metric``: None for the loss
itself, or anything ``fit``'s ``metrics=`` accepts (``"accuracy"``, a function, a
`tidu.train.Metric`).

Splits (``cv``): an int k — as `cross_validate`: ``StratifiedKFold(k)`` for integer class
labels, else ``KFold(k)`` (unshuffled, as scikit-learn; default 5 as scikit-learn's
``learning_curve`` and ``validation_curve``); any splitter with ``split(X, y)`` (e.g.
``KFold(5, shuffle=True, random_state=0)``) or iterable of (train, validation) index
arrays; or None — one hold-out split of ``val_size`` drawn by
`tidu.model_selection.train_test_split` with the seed (scikit-learn's split for that seed).
"""
from __future__ import annotations

import numbers
from dataclasses import dataclass, field

import numpy as np

from .. import random as _random
from ..errors import ShapeError
from ..model_selection import check_cv, cross_validate, train_test_split
from ..train.metrics import resolve_metrics

__all__ = ["LearningCurve", "ValidationCurve", "learning_curve", "validation_curve"]


# =========================================================================== plotting
def _axes(ax=None):
    """(figure, axes): the given Axes and its figure, or a new figure on the Agg canvas
    (no pyplot, no display, no global backend change)."""
    if ax is not None:
        return ax.figure, ax
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.4, 4.4), layout="constrained")
    FigureCanvasAgg(fig)
    return fig, fig.add_subplot()


def _band(ax, x, scores, label, color):
    mean, std = scores.mean(axis=1), scores.std(axis=1)
    ax.plot(x, mean, "o-", color=color, label=label)
    ax.fill_between(x, mean - std, mean + std, color=color, alpha=0.2, lw=0)


# =========================================================================== results
class _SplitScores:
    """Mean and std over the splits (axis 1) of ``train_scores`` and ``val_scores``."""

    @property
    def train_mean(self):
        return self.train_scores.mean(axis=1)

    @property
    def train_std(self):
        return self.train_scores.std(axis=1)

    @property
    def val_mean(self):
        return self.val_scores.mean(axis=1)

    @property
    def val_std(self):
        return self.val_scores.std(axis=1)


@dataclass
class LearningCurve(_SplitScores):
    """``train_sizes`` (samples actually used), ``train_scores`` and ``val_scores`` of shape
    (len(train_sizes), n_splits); ``metric`` names the score and ``greater_is_better`` its
    direction (False for a loss); ``cv_results`` — the `CVResult` of every size."""

    train_sizes: np.ndarray
    train_scores: np.ndarray
    val_scores: np.ndarray
    metric: str
    greater_is_better: bool
    cv_results: list = field(default_factory=list, repr=False)


    def plot(self, ax=None, path=None):
        """Mean ± std over the splits of the training and validation scores against the
        number of training samples; returns the figure (Agg), saved to ``path`` if given."""
        fig, ax = _axes(ax)
        _band(ax, self.train_sizes, self.train_scores, "training", "C0")
        _band(ax, self.train_sizes, self.val_scores, "validation", "C1")
        ax.set_xlabel("training samples")
        ax.set_ylabel(self.metric)
        ax.set_title("learning curve")
        ax.legend()
        if path is not None:
            fig.savefig(path)
        return fig


@dataclass
class ValidationCurve(_SplitScores):
    """``param_values``, ``train_scores`` and ``val_scores`` of shape (len(param_values),
    n_splits); ``best_value`` is the value with the best mean validation score;
    ``cv_results`` — the `CVResult` of every value."""

    param_name: str
    param_values: list
    train_scores: np.ndarray
    val_scores: np.ndarray
    metric: str
    greater_is_better: bool
    cv_results: list = field(default_factory=list, repr=False)


    @property
    def best_value(self):
        means = self.val_mean
        return self.param_values[int(np.argmax(means) if self.greater_is_better
                                     else np.argmin(means))]

    def plot(self, ax=None, path=None, log_x=None):
        """Mean ± std of the training and validation scores against the parameter (a log
        axis when ``log_x``, by default when all values are positive numbers spanning more
        than two decades; non-numeric values are spaced evenly); returns the figure."""
        fig, ax = _axes(ax)
        values = self.param_values
        numeric = all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in values)
        x = np.asarray(values, dtype=np.float64) if numeric else np.arange(len(values))
        if log_x is None:
            log_x = bool(numeric and np.all(x > 0) and x.max() / x.min() > 100)
        _band(ax, x, self.train_scores, "training", "C0")
        _band(ax, x, self.val_scores, "validation", "C1")
        if log_x:
            ax.set_xscale("log")
        if not numeric:
            ax.set_xticks(x, [str(v) for v in values])
        ax.set_xlabel(self.param_name)
        ax.set_ylabel(self.metric)
        ax.set_title(f"validation curve over {self.param_name}")
        ax.legend()
        if path is not None:
            fig.savefig(path)
        return fig


# =========================================================================== shared
def _seed(owner: str, seed) -> int:
    if seed is None:
        return int(_random.generator().integers(0, 2**31))
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)) \
            or not 0 <= seed < 2**31:
        raise ValueError(f"{owner}: seed must be an int in [0, 2³¹) or None, got seed={seed!r}")
    return int(seed)


def _check_xy(owner: str, X, y):
    X, y = np.asarray(X), np.asarray(y)
    if X.ndim < 1 or y.ndim < 1 or X.shape[0] != y.shape[0] or X.shape[0] < 2:
        raise ShapeError(f"{owner}: X and y must hold the same number (≥ 2) of samples, got "
                         f"X {X.shape} and y {y.shape}")
    return X, y


def _splits(owner: str, X, y, cv, val_size, seed: int) -> list:
    if cv is None:
        train, val = train_test_split(np.arange(X.shape[0]), test_size=val_size, seed=seed)
        return [(np.asarray(train), np.asarray(val))]
    splits = [(np.asarray(tr), np.asarray(va)) for tr, va in check_cv(cv, y).split(X, y)]
    if not splits:
        raise ValueError(f"{owner}: cv={cv!r} gave no splits")
    return splits


def _scoring(metric) -> tuple:
    """(metrics for cross_validate, the name of the score)."""
    if metric is None:
        return (), "loss"
    resolved = resolve_metrics([metric])[0]
    return (resolved,), resolved.name


def _scores(result, name: str) -> tuple:
    return result.scores["train_" + name], result.scores[name]


def _train_counts(owner: str, train_sizes, n_train: int) -> np.ndarray:
    sizes = np.atleast_1d(np.asarray(train_sizes))
    if sizes.ndim != 1 or sizes.size == 0 or sizes.dtype.kind not in "iuf":
        raise ValueError(f"{owner}: train_sizes must be a 1-d list of fractions in (0, 1] or "
                         f"counts, got {train_sizes!r}")
    if sizes.dtype.kind == "f":
        if np.any(sizes <= 0) or np.any(sizes > 1):
            raise ValueError(f"{owner}: fractional train_sizes must lie in (0, 1], got "
                             f"{train_sizes!r}")
        counts = np.maximum(1, np.floor(sizes * n_train)).astype(np.int64)
    else:
        counts = sizes.astype(np.int64)
        if np.any(counts < 1) or np.any(counts > n_train):
            raise ValueError(f"{owner}: train_sizes counts must lie in [1, {n_train}] (the "
                             f"smallest training split), got {train_sizes!r}")
    return np.unique(counts)


# =========================================================================== the curves
def learning_curve(build, X, y, train_sizes=(0.1, 0.325, 0.55, 0.775, 1.0), cv=5,
                   val_size=0.2, fit_kwargs=None, metric=None, seed=None) -> LearningCurve:
    """Training and validation score against the number of training samples.

    For every split (``cv``, see the module) the training indices are shuffled once
    (``np.random.default_rng(seed)``) and the first m of them train a model, for each m in
    ``train_sizes`` — fractions of the smallest training split (default scikit-learn's
    ``linspace(0.1, 1, 5)``) or counts — so smaller subsets are nested in larger ones.  Each
    model is scored on its own m samples and on the whole validation split.  Returns a
    `LearningCurve` (``cv_results``: one `CVResult` per size).
    """
    owner = "learning_curve"
    if not callable(build):
        raise TypeError(f"{owner}: build must be callable () → (model, loss_fn, optimizer), got "
                        f"{type(build).__name__}")
    X, y = _check_xy(owner, X, y)
    metrics, name = _scoring(metric)
    seed = _seed(owner, seed)
    splits = _splits(owner, X, y, cv, val_size, seed)
    counts = _train_counts(owner, train_sizes, min(len(tr) for tr, _ in splits))
    rng = np.random.default_rng(seed)
    orders = [rng.permutation(train) for train, _ in splits]
    results = [cross_validate(build, X, y, [(order[:m], val) for order, (_, val)
                                            in zip(orders, splits)],
                              fit_kwargs=fit_kwargs, metrics=metrics, scoring=name, seed=seed,
                              return_train_score=True)
               for m in counts]
    train_scores = np.stack([_scores(r, name)[0] for r in results])
    val_scores = np.stack([_scores(r, name)[1] for r in results])
    return LearningCurve(counts, train_scores, val_scores, name,
                         results[0].greater_is_better, results)


def validation_curve(build, X, y, param_name: str, param_values, cv=5, val_size=0.2,
                     fit_kwargs=None, metric=None, seed=None) -> ValidationCurve:
    """Training and validation score against one hyper-parameter.

    For each value v of ``param_values``, ``build({param_name: v})`` (the build contract of
    `cross_validate`, ``params``) is trained on the training part of every split (``cv``,
    see the module) and scored on it and on the validation part.  Returns a
    `ValidationCurve` (``best_value`` has the best mean validation score; ``cv_results``:
    one `CVResult` per value).
    """
    owner = "validation_curve"
    if not callable(build):
        raise TypeError(f"{owner}: build must be callable (params) → (model, loss_fn, "
                        f"optimizer), got {type(build).__name__}")
    if not isinstance(param_name, str) or not param_name:
        raise ValueError(f"{owner}: param_name must be a non-empty str (the key of build's "
                         f"params), got param_name={param_name!r}")
    values = list(param_values)
    if not values:
        raise ValueError(f"{owner}: param_values is empty")
    X, y = _check_xy(owner, X, y)
    metrics, name = _scoring(metric)
    seed = _seed(owner, seed)
    splits = _splits(owner, X, y, cv, val_size, seed)
    results = [cross_validate(build, X, y, splits, params={param_name: v},
                              fit_kwargs=fit_kwargs, metrics=metrics, scoring=name, seed=seed,
                              return_train_score=True)
               for v in values]
    train_scores = np.stack([_scores(r, name)[0] for r in results])
    val_scores = np.stack([_scores(r, name)[1] for r in results])
    return ValidationCurve(param_name, values, train_scores, val_scores, name,
                           results[0].greater_is_better, results)
