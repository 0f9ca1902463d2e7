"""`make_objective`: a search objective that trains a tidu model and scores it on held-out data.

    def build(params):
        model = nn.Sequential(nn.Linear(4, params["hidden"]), nn.ReLU(),
                              nn.Linear(params["hidden"], 3))
        return model, nn.CrossEntropyLoss(), tidu.optim.SGD(model.parameters(), lr=params["lr"])

    objective = make_objective(build, X_train, y_train, fit_kwargs={"epochs": 20})
    result = RandomSearch({"lr": loguniform(1e-3, 1), "hidden": randint(4, 64)},
                          objective, n_trials=20, seed=0).run()

A trial trains ``build(params)`` — the build contract of `tidu.model_selection` — with
`tidu.model_selection.cross_validate` and returns the validation loss and metrics, averaged
over the folds.  Scoring:

* ``cv=None`` (default) — hold-out (留出法): one split, ``val_size`` of the samples
  (stratified on integer class labels), drawn with ``seed`` — the same split for every
  trial, so the trials differ only by their hyper-parameters (and model seed);
* ``cv=k`` — k-fold (k 折交叉验证; stratified for integer labels, unshuffled, as
  scikit-learn), or any splitter / list of (train, val) index pairs; give a shuffling
  splitter a fixed ``seed`` so that every trial sees the same folds.

Each fold's model is built and trained after ``tidu.manual_seed(trial seed + fold)``, the
trial seed coming from the search (so a trial can be replayed: ``objective(trial["params"],
seed=trial["seed"])``).  A trial whose training loss ends non-finite, or whose score is
NaN, counts as diverged: the search records it as failed and goes on.

Budgeted trials (the halving searches, `tidu.tune.halving`): ``objective(params, seed=s,
budget=r, checkpoint=path)`` trains to ``r`` epochs *in all* (``budget`` replaces
``fit_kwargs["epochs"]``), saving the whole training state to ``path`` at each epoch's end
and, when ``path`` already holds one, continuing from it (`tidu.train.Checkpoint`): budget
r₁ and then r₂ on the same path ends with exactly the weights of one uninterrupted r₂-epoch
run.  Hold-out scoring only; ``cv=k`` with a budget is refused.

The objective is a plain object holding ``build`` and the data; it pickles whenever
``build`` does (a module-level function, or — through cloudpickle — a function of a
script), so it runs on worker processes and Dask clusters as it is.
"""
from __future__ import annotations

import math
from numbers import Integral

import numpy as np

from .. import random as _random
from ..data.validation import check_arrays

__all__ = ["ModelObjective", "make_objective"]


class ModelObjective:
    """``objective(params, seed=None, budget=None, checkpoint=None, pruning=None) -> dict``
    of validation scores; see `make_objective` (``budget`` / ``checkpoint``: the module
    docstring; ``pruning``: a `tidu.tune.pruning.PruningContext` — with hold-out scoring the
    validation score of every epoch is reported to it, and a pruner may stop the trial).

    ``metric`` (the score a search ranks by) and ``mode`` (``"max"``, or ``"min"`` for a
    loss or error) tell the search how to read the result."""

    def __init__(self, build, X, y, cv=None, val_size=0.2, fit_kwargs=None,
                 metric: str = "accuracy", metrics=(), seed: int = 0, stratify="auto"):
        from ..model_selection import train_test_split
        from ..train.metrics import monitor_direction, resolve_metrics

        owner = "make_objective"
        if not callable(build):
            raise TypeError(f"{owner}: build must be a callable build(params) -> (model, "
                            f"loss_fn, optimizer), got {type(build).__name__}")
        if not isinstance(metric, str):
            raise TypeError(f"{owner}: metric must be a name ('accuracy', 'loss', 'mse', "
                            f"'f1', …), got {metric!r}")
        if fit_kwargs is not None and not isinstance(fit_kwargs, dict):
            raise TypeError(f"{owner}: fit_kwargs must be a dict of fit arguments, got "
                            f"{type(fit_kwargs).__name__}")
        self.X, self.y = check_arrays(X, y, name=owner)
        self.build = build
        self.fit_kwargs = dict(fit_kwargs or {})
        extra = [metrics] if isinstance(metrics, str) else list(metrics or ())
        self.metrics = ([] if metric == "loss" else [metric]) + \
            [m for m in extra if m != metric]
        resolved = resolve_metrics(self.metrics)  # unknown names fail here, not in a trial
        self.metric = metric
        self.mode = "min" if monitor_direction(metric, resolved) == "min" else "max"
        if cv is None:
            labels = self.y if (stratify == "auto" and self.y.dtype.kind in "iu") \
                else (self.y if stratify is True else None)
            train, val = train_test_split(np.arange(self.X.shape[0]), test_size=val_size,
                                          seed=seed, stratify=labels)
            self.cv = [(train, val)]
            self.scheme = f"holdout(val_size={val_size})"
        else:
            self.cv = cv
            self.scheme = f"cv({cv!r})"
        self.__name__ = f"make_objective({getattr(build, '__name__', type(build).__name__)}, " \
                        f"{self.scheme}, metric={metric!r})"

    def __call__(self, params: dict, seed: int | None = None, budget: int | None = None,
                 checkpoint=None, pruning=None) -> dict:
        from ..model_selection import cross_validate

        if pruning is not None and (budget is not None or checkpoint is not None
                                    or not (isinstance(self.cv, list) and len(self.cv) == 1)):
            raise ValueError(f"ModelObjective: pruning= needs plain hold-out scoring (cv=None, "
                             f"no budget), got {self.scheme}"
                             f"{' with a budget' if budget is not None else ''}")
        if budget is not None or checkpoint is not None:
            return self._budgeted(params, seed, budget, checkpoint)
        fit_kwargs = self.fit_kwargs
        if pruning is not None:
            fit_kwargs = dict(fit_kwargs, callbacks=_listed(fit_kwargs.get("callbacks"))
                              + _pruning_callbacks(pruning, self.metric))
        # a diverging trial is expected in a search and is reported below, not warned about
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            result = cross_validate(self.build, self.X, self.y, cv=self.cv, params=params,
                                    fit_kwargs=fit_kwargs, metrics=self.metrics,
                                    scoring=self.metric, seed=seed,
                                    validate_each_epoch=pruning is not None)
        for fold, history in enumerate(result.histories):
            losses = history.history.get("loss", [])
            if losses and not math.isfinite(losses[-1]):
                raise FloatingPointError(f"diverged: fold {fold}'s training loss ended at "
                                         f"{losses[-1]} after {len(losses)} epochs")
        out = dict(result.mean)
        if len(result.folds) > 1:
            out[f"{self.metric}_std"] = result.score_std
        return out

    def _budgeted(self, params: dict, seed, budget, checkpoint) -> dict:
        """Hold-out training to ``budget`` epochs in all, continuing from ``checkpoint``
        (`budgeted_fit`)."""
        from ..train.metrics import resolve_metrics

        owner = "ModelObjective"
        if not (isinstance(self.cv, list) and len(self.cv) == 1):
            raise ValueError(f"{owner}: budget= / checkpoint= need hold-out scoring (cv=None), "
                             f"got {self.scheme}; a budgeted k-fold would need one checkpoint "
                             f"per fold")
        if budget is None:
            budget = self.fit_kwargs.get("epochs", 1)
        return budgeted_fit(self.build, params, self.X, self.y, self.cv[0], seed=seed,
                            budget=budget, checkpoint=checkpoint, fit_kwargs=self.fit_kwargs,
                            metrics=resolve_metrics(self.metrics), owner=owner)

    def __repr__(self) -> str:
        return self.__name__


def budgeted_fit(build, params, X, y, split, *, seed, budget, checkpoint, fit_kwargs,
                 metrics, owner: str, validate_each_epoch: bool = False) -> dict:
    """Train ``build(params)`` (``build()`` when ``params`` is None) on ``X[train]`` to
    ``budget`` epochs in all, continuing from ``checkpoint`` when it holds a state, and
    return its scores on ``X[val]`` (``split = (train, val)``; keys as `Trainer.evaluate`
    gives them: ``loss``, ``accuracy``, …).  ``metrics``: resolved `Metric` objects.

    The model is built and trained after ``tidu.manual_seed(seed)``, as one fold of
    `cross_validate` is; ``Trainer.fit(epochs=budget, resume=True)`` with
    ``checkpoint=path`` restores the whole training state an earlier call saved (weights,
    optimizer moments, the shuffling and global random states, the history) and trains only
    the epochs still missing, saving again at each epoch's end — so budget r₁ then r₂ ends
    with the weights of one uninterrupted r₂-epoch run.  ``validate_each_epoch``: pass the
    validation split to ``fit`` (for callbacks that monitor a ``val_`` score).  Shared by
    `ModelObjective` and the CLI's ``ConfigObjective``."""
    from ..model_selection.cross_validation import _base_seed, _build, _split_fit_kwargs
    from ..train import Trainer

    if isinstance(budget, bool) or not isinstance(budget, Integral) or budget < 1:
        raise ValueError(f"{owner}: budget must be an int ≥ 1 (epochs in all), got "
                         f"budget={budget!r}")
    trainer_kw, fit_kw = _split_fit_kwargs(fit_kwargs, owner)
    fit_kw["epochs"] = int(budget)
    train, val = split
    _random.manual_seed(_base_seed(seed, owner))
    model, loss_fn, optimizer, own_callbacks = _build(build, params, owner)
    trainer = Trainer(model, loss_fn, optimizer, metrics=metrics,
                      callbacks=trainer_kw["callbacks"] + own_callbacks,
                      verbose=trainer_kw["verbose"], checkpoint=checkpoint)
    val_data = (X[val], y[val])
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        history = trainer.fit((X[train], y[train]), val_data if validate_each_epoch else None,
                              resume=checkpoint is not None, **fit_kw)
        scores = trainer.evaluate(val_data, batch_size=fit_kw.get("batch_size", 32))
    losses = history.history.get("loss", [])
    if len(losses) > budget:
        raise ValueError(f"{owner}: the checkpoint {trainer.checkpoint.path!r} already "
                         f"holds {len(losses)} epochs, more than budget={budget}")
    if losses and not math.isfinite(losses[-1]):
        raise FloatingPointError(f"diverged: the training loss ended at {losses[-1]} "
                                 f"after {len(losses)} epochs")
    return {k: float(v) for k, v in scores.items()}


def _listed(callbacks) -> list:
    if callbacks is None:
        return []
    return list(callbacks) if isinstance(callbacks, (list, tuple)) else [callbacks]


def _pruning_callbacks(context, metric: str) -> list:
    """A `GradientMonitor` when a pruner reads the gradients, and the callback that reports
    each epoch's validation score to ``context``."""
    from ..diagnose.monitor import GradientMonitor
    from ..train.callbacks.base import Callback

    every = context.monitor_every
    monitor = GradientMonitor(every_n_steps=every, histogram_samples=0) if every else None
    key = "val_loss" if metric == "loss" else f"val_{metric}"

    class ReportEpoch(Callback):
        def on_epoch_end(self, epoch, logs=None):
            logs = logs or {}
            if key not in logs:  # a missing score must not read as NaN and prune the trial
                raise KeyError(f"pruning: the epoch's logs have no {key!r} to report (they "
                               f"have {sorted(logs)})")
            context.report(epoch, logs[key], monitor)

    return ([monitor] if monitor is not None else []) + [ReportEpoch()]


def make_objective(build, X, y, cv=None, val_size=0.2, fit_kwargs=None,
                   metric: str = "accuracy", metrics=(), seed: int = 0,
                   stratify="auto") -> ModelObjective:
    """A search objective that trains ``build(params)`` on ``X``, ``y`` and returns its
    validation scores (see the module docstring).

    ``build(params)`` returns a fresh ``(model, loss_fn, optimizer[, callbacks])``.
    ``cv``: None for hold-out on ``val_size`` of the data (a fraction or a count), an int k
    or a splitter for k-fold.  ``fit_kwargs``: ``epochs``, ``batch_size``, ``shuffle``,
    ``callbacks`` (e.g. ``EarlyStopping``), ``verbose``.  ``metric``: the score the search
    ranks by (``"accuracy"``, ``"f1"``, ``"mse"``, or ``"loss"`` — the validation loss);
    ``metrics``: more to record with each trial.  ``seed``: the hold-out split's seed.
    ``stratify``: ``"auto"`` stratifies the hold-out split on integer labels, True / False
    force it.  The returned objective carries ``metric`` and ``mode`` (``"min"`` for
    losses and errors), which the searches use when not told otherwise.
    """
    return ModelObjective(build, X, y, cv=cv, val_size=val_size, fit_kwargs=fit_kwargs,
                          metric=metric, metrics=metrics, seed=seed, stratify=stratify)
