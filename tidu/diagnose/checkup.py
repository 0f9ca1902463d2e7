r"""`checkup`: train once with every instrument attached and diagnose the whole run.

``checkup(model, loss_fn, optimizer, train_data, val_data, epochs=…, batch_size=…)`` is
``fit`` with a `GradientMonitor` (gradient flow, update ratios, activations, non-finite
values, stale gradients), a `SharpnessTracker` (λ_max on a fixed batch at the start and
after each epoch) and in-memory checkpoints of the whole training state after every epoch,
followed by `diagnose` of the monitor, the `History`, the data, the sharpness trace and the
optimizer.  The returned `Diagnosis` keeps the run's `Recipe` — everything needed to train
it again — so that `Diagnosis.verify` can rerun it with one remedy changed, forking from
those checkpoints where the remedy leaves the model as it is.

The model is trained in place, as ``fit`` would; the recipe keeps a copy of its initial
weights.  Classification targets (a 1-D integer ``y``) add the ``"accuracy"`` metric.
"""
from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass, field

import numpy as np

from ..backend import to_numpy
from ..nn.modules.module import Module
from ..train.checkpoint import Checkpoint
from ..train.trainer import Trainer
from .diagnosis import Diagnosis, RunEvidence, Thresholds, diagnose
from .rules_data import data_findings
from .monitor import GradientMonitor

__all__ = ["checkup", "Recipe", "MemoryCheckpoint"]

SHARPNESS_BATCH = 256
"""Samples of the fixed batch on which the sharpness is tracked."""


class MemoryCheckpoint(Checkpoint):
    """A `Checkpoint` kept in memory: every save is appended to ``states`` (deep copies);
    `load` returns ``states[index]`` (the last one by default), so a `Trainer` with
    ``resume=True`` continues from any saved epoch.  ``keep_callbacks``: keep the state of
    the first n callbacks only (the user's; the instruments after them are not forked)."""

    def __init__(self, every_n_epochs: int | None = 1, states=None, index: int = -1,
                 keep_callbacks: int | None = None):
        super().__init__("<memory>", every_n_steps=None, every_n_epochs=every_n_epochs,
                         save_on_train_end=False)
        self.states = list(states or [])
        self.index = index
        self.keep_callbacks = keep_callbacks

    def exists(self) -> bool:
        return bool(self.states)

    def save(self, state: dict) -> None:
        if self.keep_callbacks is not None:
            state = {**state, "callbacks": {k: v for k, v in state["callbacks"].items()
                                            if int(k.split(":")[0]) < self.keep_callbacks}}
        self.states.append(copy.deepcopy(state))
        self.saves += 1

    def load(self):
        return copy.deepcopy(self.states[self.index]) if self.states else None

    def remove_stale_temporaries(self) -> list:
        return []


def _numpy_pair(data, name: str) -> tuple:
    if not isinstance(data, (tuple, list)) or len(data) != 2:
        raise TypeError(f"checkup: {name} must be (X, y) arrays, got {type(data).__name__}")
    return tuple(np.asarray(to_numpy(a._data)) if hasattr(a, "_data") else np.asarray(a)
                 for a in data)


def optimizer_spec(model: Module, optimizer) -> tuple:
    """(class, groups) of a tidu optimizer over ``model``'s parameters: each group its
    hyper-parameters and the indices of its parameters in ``model.parameters()``."""
    index = {id(p): i for i, p in enumerate(model.parameters())}
    groups = []
    for g in optimizer.param_groups:
        missing = [p for p in g["params"] if id(p) not in index]
        if missing:
            raise ValueError("checkup: the optimizer holds parameters that are not the "
                             "model's; build it from model.parameters()")
        hyper = {k: copy.deepcopy(v) for k, v in g.items() if k != "params"}
        groups.append((hyper, [index[id(p)] for p in g["params"]]))
    return type(optimizer), groups


@dataclass
class Recipe:
    """Everything to train the checked-up run again: the ``model`` at its initial weights
    (a copy), the ``loss_fn``, the optimizer's class and parameter ``groups`` (see
    `optimizer_spec`), the data as NumPy pairs, ``epochs``, ``batch_size``, ``seed`` (what
    ``fit`` gets: the shuffling and dropout masks), copies of the user's ``callbacks`` (they
    come first in every run, the instruments after them), ``metrics``, other ``fit_kwargs``,
    and the run's per-epoch ``checkpoints`` (a `MemoryCheckpoint`: state after epoch e is
    ``checkpoints.states[e]``), and ``optimizer_template``: the copy of the optimizer that
    the copied callbacks refer to (a scheduler's), replaced by the new optimizer in `build`."""

    model: Module
    loss_fn: object
    optimizer_class: type
    groups: list
    train_data: tuple
    val_data: tuple | None
    epochs: int
    batch_size: int | None
    seed: int
    callbacks: list
    metrics: list
    fit_kwargs: dict = field(default_factory=dict)
    checkpoints: MemoryCheckpoint | None = None
    optimizer_template: object = None

    def build(self, model: Module | None = None) -> tuple:
        """Fresh (model, optimizer, callbacks) at the recipe's start: a copy of the initial
        model (or ``model``: a remedied one), a new optimizer of the same class and
        hyper-parameters over it, and copies of the user's callbacks."""
        model = copy.deepcopy(self.model) if model is None else model
        params = list(model.parameters())
        groups = [{**copy.deepcopy(hyper), "params": [params[i] for i in idx if i < len(params)]}
                  for hyper, idx in self.groups]
        if sum(len(g["params"]) for g in groups) != len(params):  # the remedy changed the model
            hyper = copy.deepcopy(self.groups[0][0])
            groups = [{**hyper, "params": params}]
        optimizer = self.optimizer_class(groups)
        # a callback holding the optimizer (a scheduler's) gets the new one
        memo = {} if self.optimizer_template is None else {id(self.optimizer_template): optimizer}
        return model, optimizer, copy.deepcopy(self.callbacks, memo)

    def trainer(self, model, optimizer, callbacks, checkpoint=None) -> Trainer:
        return Trainer(model, self.loss_fn, optimizer, metrics=self.metrics,
                       callbacks=callbacks, checkpoint=checkpoint, verbose=0)

    def fit(self, trainer: Trainer, seed: int | None = None, epochs: int | None = None,
            resume: bool = False):
        return trainer.fit(self.train_data, self.val_data,
                           epochs=self.epochs if epochs is None else epochs,
                           batch_size=self.batch_size, seed=self.seed if seed is None else seed,
                           resume=resume, **self.fit_kwargs)


def _is_classification(y: np.ndarray) -> bool:
    return y.dtype.kind in "iu" and y.ndim == 1


def _sharpness_tracker(train: tuple):
    from .sharpness import SharpnessTracker
    X, y = train
    return SharpnessTracker((X[:SHARPNESS_BATCH], y[:SHARPNESS_BATCH]))


def checkup(model, loss_fn, optimizer, train_data, val_data=None, *, epochs: int,
            batch_size: int | None = 32, seed: int = 0, callbacks=(), metrics=None,
            monitor_every: int = 1, sharpness: bool = True,
            thresholds: Thresholds | None = None, **fit_kwargs) -> Diagnosis:
    """Train ``model`` with ``fit`` (same arguments: ``epochs``, ``batch_size``, ``seed``,
    ``callbacks``, ``metrics``, other ``fit`` keywords) with the instruments attached, then
    `diagnose` everything.  ``monitor_every``: record gradient statistics every n-th step
    (1: every step); ``sharpness``: track λ_max after each epoch (costs about 40 extra
    forward/backward passes on a 256-sample batch per epoch).  Returns the `Diagnosis`,
    whose ``recipe`` lets `Diagnosis.verify` test the remedies.  Training data holding NaN/inf
    (which ``fit`` refuses) gives a ``nonfinite`` finding naming the rows, without training
    (its ``verify`` compares against a run that cannot train: loss +∞)."""
    if not isinstance(model, Module):
        raise TypeError(f"checkup: model must be a tidu.nn.Module, got {type(model).__name__} "
                        f"(for a PyTorch model, use GradientMonitor in your loop and diagnose)")
    train = _numpy_pair(train_data, "train_data")
    val = None if val_data is None else _numpy_pair(val_data, "val_data")
    t = thresholds if thresholds is not None else Thresholds()
    if metrics is None:
        metrics = ["accuracy"] if _is_classification(train[1]) else []
    cls, groups = optimizer_spec(model, optimizer)
    user_callbacks = list(callbacks)
    # copied together, so that a copied scheduler points at the copied optimizer
    callbacks_copy, optimizer_copy = copy.deepcopy((user_callbacks, optimizer))
    recipe = Recipe(model=copy.deepcopy(model), loss_fn=loss_fn, optimizer_class=cls,
                    groups=groups, train_data=train, val_data=val, epochs=epochs,
                    batch_size=batch_size, seed=seed, optimizer_template=optimizer_copy,
                    callbacks=callbacks_copy, metrics=list(metrics),
                    fit_kwargs=dict(fit_kwargs),
                    checkpoints=MemoryCheckpoint(keep_callbacks=len(user_callbacks)))
    broken = [f for f in data_findings(RunEvidence(data=train), t) if f.kind == "nonfinite"]
    if broken:  # fit refuses such data: say why, with the rows, instead of raising
        broken[0].summary += "; training was not started (fit refuses non-finite data)"
        diagnosis = Diagnosis(findings=broken, stats=None, thresholds=dataclasses.asdict(t))
        diagnosis.recipe = recipe  # verify can still train with the rows fixed
        return diagnosis
    monitor = GradientMonitor(every_n_steps=monitor_every)
    tracker = _sharpness_tracker(train) if sharpness else None
    instruments = [monitor] + ([tracker] if tracker is not None else [])
    trainer = recipe.trainer(model, optimizer, user_callbacks + instruments,
                             checkpoint=recipe.checkpoints)
    history = recipe.fit(trainer)
    diagnosis = diagnose(monitor, history, train, val_data=val, sharpness=tracker,
                         optimizer=optimizer, thresholds=thresholds)
    diagnosis.recipe, diagnosis.monitor = recipe, monitor
    return diagnosis
