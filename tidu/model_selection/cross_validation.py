"""`cross_validate`, `holdout_score` and `refit`: score hyper-parameters, retrain the final model.

The notes' k-fold procedure (note 001, k 折交叉验证), and where each step lives:

1. 将数据集分为训练集和测试集，将测试集放在一边 — `train_test_split`; keep the test set out;
2. 将训练集分为 k 份 — a splitter (`KFold`, `StratifiedKFold`, …);
3. 每次使用 k 份中的 1 份作为验证集，其他全部作为训练集 — `cross_validate`;
4. 通过 k 次训练后，我们得到了 k 个不同的模型 — ``return_models=True``;
5. 评估 k 个模型的效果，从中挑选效果最好的超参数 — compare ``result.score`` (`tidu.tune`);
6. 使用最优的超参数，然后将 k 份数据全部作为训练集重新训练模型，得到最终模型 — `refit`.

**The build contract** (what `tidu.tune` relies on).  ``build`` is called once per model to
train — once per fold, once for a hold-out score, once by `refit` — as ``build()``, or as
``build(params)`` when ``params`` is given (a dict of hyper-parameters), and returns a fresh,
untrained ``(model, loss_fn, optimizer)``: a `tidu.nn.Module`, ``loss_fn(outputs, targets)``
returning a scalar tensor, and an optimizer over that model's parameters.  It may return a
fourth item, a list of callbacks bound to that model or optimizer (e.g. an
``LRSchedulerCallback`` of a scheduler on that optimizer); callbacks given in ``fit_kwargs``
are shared by every fold instead and must be reusable (``EarlyStopping`` and
``TerminateOnNaN`` are).  Before each call tidu's global generator is reseeded with
``tidu.manual_seed(seed + fold)``, so the initial weights, the shuffling and the dropout
masks of every fold — and so all its numbers — are reproducible.  ``seed=None`` draws the
base seed from tidu's global generator (reproducible after ``tidu.manual_seed``).

Each model is trained with `tidu.train.Trainer` (``fit_kwargs``: ``epochs``, ``batch_size``,
``shuffle``, ``callbacks``, ``verbose`` — silent by default) on the training indices only,
then evaluated in eval mode on the held-out fold: the loss (``"loss"``) and every metric.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from .. import random as _random
from ..data.validation import check_arrays
from ..nn.modules.module import Module
from ..train.callbacks.base import Callback
from ..train.history import History
from ..train.metrics import monitor_direction, resolve_metrics
from ..train.trainer import Trainer
from ._checks import is_int
from .split import train_test_split
from .splitters import check_cv

__all__ = ["cross_validate", "holdout_score", "refit", "CVResult", "Refit"]

_TRAINER_KEYS = ("callbacks", "verbose")
_FIT_KEYS = ("epochs", "batch_size", "shuffle", "seed")
_REFUSED_KEYS = {
    "metrics": "pass metrics=... to cross_validate itself",
    "train_data": "the training data comes from X, y and the split",
    "val_data": "the validation data is the held-out fold (validate_each_epoch=True passes "
                "it to fit)",
    "checkpoint": "one checkpoint file cannot serve several models",
    "resume": "cross-validation cannot resume a fit",
}


@dataclass
class CVResult:
    """What `cross_validate` and `holdout_score` return.

    ``scores[name]`` — one value per fold, for ``"loss"`` (the validation loss) and every
    metric name, plus ``"train_<name>"`` with ``return_train_score``; ``mean[name]`` and
    ``std[name]`` over the k folds — mean = (1/k) Σᵢ sᵢ, std = √((1/k) Σᵢ (sᵢ − mean)²) (the
    population std, ddof = 0, as ``np.std`` and scikit-learn's examples); ``folds`` — one
    dict per fold (``fold``, ``n_train``, ``n_val``, its scores, ``fit_time``,
    ``score_time``); ``fit_times`` / ``score_times`` in seconds; ``scoring`` — the score that
    ranks hyper-parameters, ``greater_is_better`` its direction, ``score`` / ``score_std`` its
    mean and std; ``histories`` — each fold's `History`; ``models`` — each fold's trained
    model (only with ``return_models=True``); ``seeds`` — the seed of each fold's model.
    """
    scores: dict
    folds: list
    fit_times: np.ndarray
    score_times: np.ndarray
    scoring: str
    greater_is_better: bool
    seeds: list
    histories: list
    models: list | None = None
    params: dict | None = None
    mean: dict = field(init=False)
    std: dict = field(init=False)

    def __post_init__(self):
        self.scores = {k: np.asarray(v, dtype=np.float64) for k, v in self.scores.items()}
        self.mean = {k: float(np.mean(v)) for k, v in self.scores.items()}
        self.std = {k: float(np.std(v)) for k, v in self.scores.items()}

    @property
    def n_splits(self) -> int:
        return len(self.folds)

    @property
    def score(self) -> float:
        """The mean over the folds of ``scoring`` (NaN if a fold diverged)."""
        return self.mean[self.scoring]

    @property
    def score_std(self) -> float:
        return self.std[self.scoring]

    def summary(self) -> str:
        """One line per score: ``accuracy: 0.9533 ± 0.0189 (3 folds)``."""
        return "\n".join(f"{name}: {self.mean[name]:.4g} ± {self.std[name]:.2g} "
                         f"({self.n_splits} fold{'s' if self.n_splits != 1 else ''})"
                         for name in self.scores)

    def to_dict(self) -> dict:
        """Plain Python values (JSON-serializable; no models or histories)."""
        return {"scoring": self.scoring, "greater_is_better": self.greater_is_better,
                "score": self.score, "score_std": self.score_std,
                "mean": dict(self.mean), "std": dict(self.std),
                "scores": {k: v.tolist() for k, v in self.scores.items()},
                "fit_times": self.fit_times.tolist(), "score_times": self.score_times.tolist(),
                "folds": [dict(f) for f in self.folds], "seeds": list(self.seeds),
                "params": self.params}

    def __repr__(self) -> str:
        return (f"CVResult({self.scoring}={self.score:.4g} ± {self.score_std:.2g}, "
                f"{self.n_splits} fold{'s' if self.n_splits != 1 else ''})")


class Refit(tuple):
    """``(model, history)`` from `refit`, also as ``.model``, ``.history``, ``.loss_fn``,
    ``.optimizer`` and ``.fit_time``."""

    def __new__(cls, model, history, loss_fn, optimizer, fit_time):
        self = super().__new__(cls, (model, history))
        self.model, self.history = model, history
        self.loss_fn, self.optimizer, self.fit_time = loss_fn, optimizer, fit_time
        return self


# ---------------------------------------------------------------------- argument checks
def _split_fit_kwargs(fit_kwargs, owner: str) -> tuple[dict, dict]:
    if fit_kwargs is None:
        fit_kwargs = {}
    if not isinstance(fit_kwargs, dict):
        raise TypeError(f"{owner}: fit_kwargs must be a dict of fit arguments, got "
                        f"{type(fit_kwargs).__name__}")
    trainer_kw, fit_kw = {"verbose": 0}, {}
    for key, value in fit_kwargs.items():
        if key in _REFUSED_KEYS:
            raise ValueError(f"{owner}: fit_kwargs[{key!r}] is not allowed: "
                             f"{_REFUSED_KEYS[key]}")
        if key in _TRAINER_KEYS:
            trainer_kw[key] = value
        elif key in _FIT_KEYS:
            fit_kw[key] = value
        else:
            raise ValueError(f"{owner}: unknown fit_kwargs key {key!r}; allowed: "
                             f"{', '.join(_FIT_KEYS + _TRAINER_KEYS)}")
    callbacks = trainer_kw.get("callbacks", ())
    trainer_kw["callbacks"] = [callbacks] if isinstance(callbacks, Callback) \
        else list(callbacks or ())
    return trainer_kw, fit_kw


def _resolve_scoring(scoring, metrics: list, owner: str) -> tuple[str, bool]:
    names = ["loss"] + [m.name for m in metrics]
    if scoring is None:
        scoring = metrics[0].name if metrics else "loss"
    if scoring not in names:
        raise ValueError(f"{owner}: scoring={scoring!r} is not among the computed scores "
                         f"{names}; name one of them (or add it to metrics)")
    direction = "min" if scoring == "loss" else monitor_direction(scoring, metrics)
    # a custom function of unknown direction counts as a score (greater is better);
    # wrap it in Metric(fn, greater_is_better=False) if it is an error
    return scoring, direction != "min"


def _base_seed(seed, owner: str) -> int:
    if seed is None:
        return int(_random.generator().integers(0, 2**31))
    if not is_int(seed) or seed < 0:
        raise TypeError(f"{owner}: seed must be a non-negative int or None, got {seed!r}")
    return int(seed)


def _build(build, params, owner: str):
    if not callable(build):
        raise TypeError(f"{owner}: build must be a callable returning (model, loss_fn, "
                        f"optimizer), got {type(build).__name__}")
    built = build() if params is None else build(params)
    if not isinstance(built, (tuple, list)) or len(built) not in (3, 4):
        what = (f"a {type(built).__name__} of {len(built)} items"
                if isinstance(built, (tuple, list)) else type(built).__name__)
        raise TypeError(f"{owner}: build must return (model, loss_fn, optimizer) or (model, "
                        f"loss_fn, optimizer, callbacks), got {what}")
    model, loss_fn, optimizer = built[:3]
    if not isinstance(model, Module):
        raise TypeError(f"{owner}: build returned a {type(model).__name__} as the model; "
                        f"expected a tidu.nn.Module")
    callbacks = built[3] if len(built) == 4 else ()
    callbacks = [callbacks] if isinstance(callbacks, Callback) else list(callbacks or ())
    return model, loss_fn, optimizer, callbacks


def _index_array(index, n: int, what: str, owner: str) -> np.ndarray:
    index = np.asarray(index)
    if index.dtype == bool:
        index = np.flatnonzero(index)
    if index.ndim != 1 or index.dtype.kind not in "iu":
        raise TypeError(f"{owner}: {what} must be a 1-D array of sample indices, got dtype "
                        f"{index.dtype} and shape {index.shape}")
    if index.size == 0:
        raise ValueError(f"{owner}: {what} is empty")
    if index.min() < -n or index.max() >= n:
        raise IndexError(f"{owner}: {what} has indices outside [0, {n - 1}]")
    return index


# ---------------------------------------------------------------------- one model
def _fit_and_score(build, params, X, y, train, val, seed, metrics, trainer_kw, fit_kw,
                   return_train_score: bool, validate_each_epoch: bool, owner: str):
    _random.manual_seed(seed)
    model, loss_fn, optimizer, own_callbacks = _build(build, params, owner)
    trainer = Trainer(model, loss_fn, optimizer, metrics=metrics,
                      callbacks=trainer_kw["callbacks"] + own_callbacks,
                      verbose=trainer_kw["verbose"])
    train_data = (X[train], y[train])
    val_data = (X[val], y[val])
    start = time.perf_counter()
    history = trainer.fit(train_data, val_data if validate_each_epoch else None, **fit_kw)
    fit_time = time.perf_counter() - start
    batch_size = fit_kw.get("batch_size", 32)
    start = time.perf_counter()
    scores = trainer.evaluate(val_data, batch_size=batch_size)
    score_time = time.perf_counter() - start
    if return_train_score:
        scores.update({"train_" + k: v for k, v in
                       trainer.evaluate(train_data, batch_size=batch_size).items()})
    return model, history, {k: float(v) for k, v in scores.items()}, fit_time, score_time


def _run(build, X, y, splits, *, params, fit_kwargs, metrics, scoring, seed, return_models,
         return_train_score, validate_each_epoch, owner) -> CVResult:
    trainer_kw, fit_kw = _split_fit_kwargs(fit_kwargs, owner)
    metrics = resolve_metrics(metrics or ())
    scoring, greater_is_better = _resolve_scoring(scoring, metrics, owner)
    base = _base_seed(seed, owner)
    folds, histories, models, seeds = [], [], [], []
    scores: dict[str, list] = {}
    previous = None
    for fold, (train, val) in enumerate(splits):
        model, history, fold_scores, fit_time, score_time = _fit_and_score(
            build, params, X, y, train, val, base + fold, metrics, trainer_kw, fit_kw,
            return_train_score, validate_each_epoch, owner)
        if model is previous:
            raise ValueError(f"{owner}: build returned the same model object for fold {fold} "
                             f"as for fold {fold - 1}; it must create a fresh model each call")
        previous = model
        for name, value in fold_scores.items():
            scores.setdefault(name, []).append(value)
        folds.append({"fold": fold, "n_train": int(train.shape[0]), "n_val": int(val.shape[0]),
                      **fold_scores, "fit_time": fit_time, "score_time": score_time})
        histories.append(history)
        seeds.append(base + fold)
        if return_models:
            models.append(model)
    return CVResult(scores=scores, folds=folds,
                    fit_times=np.array([f["fit_time"] for f in folds]),
                    score_times=np.array([f["score_time"] for f in folds]),
                    scoring=scoring, greater_is_better=greater_is_better, seeds=seeds,
                    histories=histories, models=models if return_models else None,
                    params=params)


# ---------------------------------------------------------------------- public API
def cross_validate(build, X, y, cv=10, *, params=None, fit_kwargs=None, metrics=("accuracy",),
                   scoring=None, seed=None, return_models: bool = False,
                   return_train_score: bool = False,
                   validate_each_epoch: bool = False) -> CVResult:
    """k-fold cross-validation of the model that ``build`` makes; returns a `CVResult`.

    ``build`` / ``params``: see the build contract in this module's docstring — ``build()``
    (or ``build(params)``) returns a fresh ``(model, loss_fn, optimizer[, callbacks])``.
    ``X``, ``y``: the training data (the test set already put aside).  ``cv``: an int k
    (``StratifiedKFold(k)`` for integer class labels, else ``KFold(k)``, unshuffled, as
    scikit-learn), a splitter (`KFold`, `StratifiedKFold`, `LeaveOneOut`, `ShuffleSplit`,
    or any object with ``split(X, y)``), or an iterable of ``(train, val)`` index arrays.
    Default 10 folds, as the notes («k 一般取 10»); scikit-learn's default is 5.
    ``fit_kwargs``: ``epochs``, ``batch_size`` (also the evaluation batch size; default 32),
    ``shuffle``, ``callbacks``, ``verbose`` (default 0) for every fold's fit — and ``seed``,
    which reseeds before every fit, giving each fold the same shuffling (leave it out to let
    the fold's seed drive it).  ``metrics``: names (``"accuracy"``, ``"f1"``,
    ``"mse"``…), functions or `tidu.train.Metric` objects, computed on each validation fold
    besides the loss.  ``scoring``: the name that ranks hyper-parameters (default the first
    metric, or ``"loss"`` when there is none).  ``seed``: fold i's model is built and trained
    after ``tidu.manual_seed(seed + i)``.  ``return_models`` keeps the k trained models;
    ``return_train_score`` also evaluates each model on its training folds (``train_*``);
    ``validate_each_epoch`` passes the validation fold to ``fit`` as ``val_data`` (per-epoch
    ``val_*`` curves; needed by ``EarlyStopping(monitor="val_loss")`` — which then lets the
    validation fold steer training).
    """
    owner = "cross_validate"
    X, y = check_arrays(X, y, name=owner)
    splitter = check_cv(cv, y)
    n = X.shape[0]
    splits = [(_index_array(tr, n, f"split {i}'s training indices", owner),
               _index_array(va, n, f"split {i}'s validation indices", owner))
              for i, (tr, va) in enumerate(splitter.split(X, y))]
    if not splits:
        raise ValueError(f"{owner}: cv={cv!r} gave no splits")
    return _run(build, X, y, splits, params=params, fit_kwargs=fit_kwargs, metrics=metrics,
                scoring=scoring, seed=seed, return_models=return_models,
                return_train_score=return_train_score,
                validate_each_epoch=validate_each_epoch, owner=owner)


def holdout_score(build, X, y, val_size=0.2, *, stratify=None, params=None, fit_kwargs=None,
                  metrics=("accuracy",), scoring=None, seed=None, return_models: bool = False,
                  return_train_score: bool = False,
                  validate_each_epoch: bool = False) -> CVResult:
    """Score the model that ``build`` makes on one hold-out split (留出法) — cheaper than
    k-fold, more sensitive to how the data happened to be split.

    The validation part is ``val_size`` of the samples (a fraction, rounded up, or a count)
    drawn with `train_test_split` — ``stratify=True`` stratifies on ``y``, an array on those
    labels — from ``RandomState(seed)``; the model is built after
    ``tidu.manual_seed(seed)``.  The other arguments and the result (one fold) are those of
    `cross_validate`.
    """
    owner = "holdout_score"
    X, y = check_arrays(X, y, name=owner)
    base = _base_seed(seed, owner)
    if stratify is True:
        stratify = y
    elif stratify is False:
        stratify = None
    train, val = train_test_split(np.arange(X.shape[0]), test_size=val_size, seed=base,
                                  stratify=stratify)
    return _run(build, X, y, [(train, val)], params=params, fit_kwargs=fit_kwargs,
                metrics=metrics, scoring=scoring, seed=base, return_models=return_models,
                return_train_score=return_train_score,
                validate_each_epoch=validate_each_epoch, owner=owner)


def refit(build, X, y, fit_kwargs=None, *, params=None, seed=None, metrics=(),
          val_data=None) -> Refit:
    """The notes' last step — «使用最优的超参数，然后将 k 份数据全部作为训练集重新训练模型，
    得到最终模型» (with the best hyper-parameters, retrain on all k folds together to get the
    final model): build with ``params`` after ``tidu.manual_seed(seed)`` (when given) and
    train on every row of ``X``, ``y``.

    Returns a `Refit`: ``model, history = refit(...)``; also ``.loss_fn``, ``.optimizer``,
    ``.fit_time``.  ``fit_kwargs`` as in `cross_validate` (use the same epochs as when
    scoring, or the epoch count early stopping chose); ``metrics`` are logged per epoch;
    ``val_data`` (e.g. the test set) only adds ``val_*`` curves to the history — choose
    nothing on it.
    """
    owner = "refit"
    X, y = check_arrays(X, y, name=owner)
    trainer_kw, fit_kw = _split_fit_kwargs(fit_kwargs, owner)
    if seed is not None:
        _random.manual_seed(_base_seed(seed, owner))
    model, loss_fn, optimizer, own_callbacks = _build(build, params, owner)
    trainer = Trainer(model, loss_fn, optimizer, metrics=metrics,
                      callbacks=trainer_kw["callbacks"] + own_callbacks,
                      verbose=trainer_kw["verbose"])
    start = time.perf_counter()
    history: History = trainer.fit((X, y), val_data, **fit_kw)
    return Refit(model, history, loss_fn, optimizer, time.perf_counter() - start)

