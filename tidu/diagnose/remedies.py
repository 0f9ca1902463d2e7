r"""Applying a remedy to a recorded run: `plan(key, recipe, finding, seed)` says exactly what
a remedy changes in a checked-up run's `Recipe`, or returns None when tidu cannot apply it to
that run (`Diagnosis.verify` then skips it).

A `Plan` changes some of: the ``model`` (a new one, rebuilt from a copy of the recipe's),
the optimizer's hyper-parameters (per group), the optimizer's class, callbacks appended
after the user's, the data (train and validation) and the number of epochs.  ``forkable``
plans leave the model, its weights and the data as they are, so a controlled rerun can
continue from an epoch checkpoint of the original run instead of starting again.

Remedies (keys of `REMEDIES`) and what tidu does for each:

=============== ===================================================================  =========
key             change                                                               forkable
=============== ===================================================================  =========
he_init         Linear/Conv2d weights re-drawn: Kaiming normal (fan_in) before a      no
                ReLU-family activation, Xavier normal (gain 1) before tanh/sigmoid
                or none; biases 0; drawn from ``numpy.random.default_rng(seed)``
relu            Sigmoid/Tanh modules → ReLU, anywhere in the tree (not the model's    no
                own output activation: the last module of a top-level Sequential)
leaky_relu      ReLU → LeakyReLU(0.01)                                                no
batchnorm       BatchNorm1d after each hidden Linear, BatchNorm2d after each Conv2d,  no
                before the activation, in Sequential containers; none after the
                model's last Linear/Conv2d
residual        equal-width [Linear(d, d), activation] pairs of a Sequential →        no
                Residual(Sequential(Linear, activation))
wider           hidden widths ×4 of a Sequential MLP (new layers freshly drawn)       no
dropout         Dropout(0.2) after each hidden activation of a Sequential             no
clipping        every group's ``clipnorm=1.0``                                        yes
smaller_lr      every group's lr ×0.1                                                 yes
larger_lr       every group's lr ×10                                                  yes
weight_reg      ``weight_decay=1e-4`` where the optimizer has it at 0, else a         yes
                ``Regularizer('l2', lam=1e-4)`` callback
early_stopping  ``EarlyStopping(patience=5, restore_best_weights=True)`` callback     yes
                (on ``val_loss``, or ``loss`` without validation data)
zero_grad       an optimizer subclass whose ``zero_grad`` is `Optimizer.zero_grad`   yes
train_longer    epochs ×2                                                             yes (from
                                                                                      the last)
standardize     a `StandardScaler` fitted on the training X and applied to both       no
                (feature-wise for 2-D X, per channel for 4-D, per last-axis feature
                for 3-D)
fix_data        train/val rows with a NaN/inf in X (or in a float y) dropped          no
=============== ===================================================================  =========

Not applicable by tidu itself (None): ``pretrain``, ``lstm``, ``redesign``, ``more_data``,
``stable_ops``; and any remedy that does not fit the run (a model rewrite that finds no
place to act or needs a Sequential, a rate that is already clipped, a ``zero_grad`` that is
already the real one, data with nothing to drop …).  New modules take the dtype of the layer
they follow; new weights are drawn from a generator seeded by ``seed`` (tidu's global
generator is left as it was).

``Plan.describe()`` is the difference between the run's configuration (`run_config`: model
architecture, a digest of the initial weights and of the data, optimizer class and group
hyper-parameters, callbacks, epochs, batch size, seed) before and after the remedy:
``{entry: (before, after)}`` — exactly what the remedy changed, and nothing else.
"""
from __future__ import annotations

import copy
import dataclasses
import hashlib
from dataclasses import dataclass, field

import numpy as np

from .. import nn
from .. import random as _random
from ..errors import ArgumentError
from ..nn import init
from ..optim.optimizer import Optimizer
from .findings import REMEDIES

__all__ = ["Plan", "plan", "run_config", "NOT_APPLICABLE"]

NOT_APPLICABLE = ("pretrain", "lstm", "redesign", "more_data", "stable_ops")
"""Remedies tidu cannot apply to a run by itself."""

_RELU_FAMILY = tuple(getattr(nn, n) for n in (
    "ReLU", "LeakyReLU", "PReLU", "RReLU", "ELU", "SELU", "CELU", "GELU", "SiLU", "Mish",
    "ReLU6") if hasattr(nn, n))
_SATURATING = tuple(getattr(nn, n) for n in (
    "Sigmoid", "Tanh", "Hardtanh", "Hardsigmoid", "Softsign", "LogSigmoid") if hasattr(nn, n))
_ACTIVATIONS = _RELU_FAMILY + _SATURATING
_WEIGHTED = (nn.Linear, nn.Conv2d)
_PASS_THROUGH = (nn.BatchNorm1d, nn.BatchNorm2d, nn.Dropout)  # between a layer and its activation


@dataclass
class Plan:
    """What remedy ``key`` changes in a run: ``model`` (a new remedied model, or None:
    unchanged), ``optimizer`` (hyper-parameter overrides, one dict per group of the recipe),
    ``optimizer_class`` (or None), ``callbacks`` (appended after the user's), ``data`` (a
    function ``(train, val) -> (train, val)`` of NumPy pairs, or None), ``epochs`` (or None),
    ``forkable`` (model, weights and data unchanged: the rerun may continue from a
    checkpoint of the original run), ``fork`` (``"onset"``: from the last epoch before the
    finding's onset; ``"last"``: from the run's last epoch) and ``changes`` (see
    `describe`)."""

    key: str
    model: object = None
    optimizer: list = field(default_factory=list)
    optimizer_class: type | None = None
    callbacks: list = field(default_factory=list)
    data: object = None
    epochs: int | None = None
    forkable: bool = False
    fork: str = "onset"
    changes: dict = field(default_factory=dict)

    @property
    def name(self) -> str:
        return REMEDIES[self.key].name

    def apply(self, recipe):
        """The remedied `Recipe`: a copy of ``recipe`` with this plan's changes (its
        ``checkpoints`` dropped)."""
        groups = [({**copy.deepcopy(hyper), **(self.optimizer[i] if i < len(self.optimizer)
                                               else {})}, list(idx))
                  for i, (hyper, idx) in enumerate(recipe.groups)]
        train, val = recipe.train_data, recipe.val_data
        if self.data is not None:
            train, val = self.data(train, val)
        return dataclasses.replace(
            recipe, model=recipe.model if self.model is None else self.model,
            optimizer_class=self.optimizer_class or recipe.optimizer_class, groups=groups,
            train_data=train, val_data=val, epochs=self.epochs or recipe.epochs,
            callbacks=list(recipe.callbacks) + list(self.callbacks), checkpoints=None)

    def describe(self) -> dict:
        """``{entry: (before, after)}``: every entry of `run_config` that the remedy
        changes."""
        return dict(self.changes)


# --------------------------------------------------------------------------- configuration
def _digest(arrays) -> str:
    h = hashlib.sha1()
    for a in arrays:
        if a is None:
            h.update(b"none")
            continue
        a = np.ascontiguousarray(np.asarray(a))
        h.update(str((a.dtype.str, a.shape)).encode())
        h.update(a.tobytes())
    return h.hexdigest()[:16]


def _describe_callback(cb) -> str:
    """``Name(arg=value, …)`` from the attributes named as ``__init__`` arguments."""
    import inspect
    plain = (bool, int, float, str, type(None))
    names = inspect.signature(type(cb).__init__).parameters
    attrs = ", ".join(f"{k}={v!r}" for k, v in sorted(vars(cb).items())
                      if k in names and isinstance(v, plain))
    return f"{type(cb).__name__}({attrs})"


def run_config(recipe) -> dict:
    """A flat description of everything a run of ``recipe`` depends on: ``model`` (its
    repr), ``model.weights`` and ``data.train`` / ``data.val`` (digests), ``optimizer.class``,
    ``optimizer.groups[i].<hyper>``, ``callbacks``, ``epochs``, ``batch_size``, ``seed`` and
    ``fit``.  Two runs with equal configurations are the same run."""
    from ..backend import to_numpy
    cfg = {"model": repr(recipe.model),
           "model.weights": _digest(to_numpy(v._data) for v in
                                    recipe.model.state_dict().values()),
           "optimizer.class": recipe.optimizer_class.__qualname__}
    for i, (hyper, idx) in enumerate(recipe.groups):
        for k, v in sorted(hyper.items()):
            cfg[f"optimizer.groups[{i}].{k}"] = v
    cfg["callbacks"] = tuple(_describe_callback(cb) for cb in recipe.callbacks)
    cfg["data.train"] = _digest(recipe.train_data)
    cfg["data.val"] = _digest(recipe.val_data or (None,))
    cfg.update(epochs=recipe.epochs, batch_size=recipe.batch_size, seed=recipe.seed,
               fit=repr(sorted(recipe.fit_kwargs.items())))
    return cfg


def _diff(before: dict, after: dict) -> dict:
    keys = list(before) + [k for k in after if k not in before]
    return {k: (before.get(k), after.get(k)) for k in keys
            if repr(before.get(k)) != repr(after.get(k))}


# --------------------------------------------------------------------------- model rewrites
def _sequentials(model):
    """Every Sequential in the tree (the model itself included), outermost first."""
    return [m for m in model.modules() if isinstance(m, nn.Sequential)]


def _set_layers(seq, layers) -> None:
    seq._modules.clear()
    for i, layer in enumerate(layers):
        seq.add_module(str(i), layer)


def _dtype(layer):
    return layer.weight._data.dtype


class _seeded:
    """Draw with tidu's global generator seeded by ``seed``, then put its state back."""

    def __init__(self, seed: int):
        self.seed = seed

    def __enter__(self):
        self.saved = _random.get_rng_state()
        _random.manual_seed(self.seed)

    def __exit__(self, *exc):
        _random.set_rng_state(self.saved)


def _next_activation(layers, i):
    """The activation module after ``layers[i]`` (skipping BatchNorm/Dropout), or None."""
    for layer in layers[i + 1:]:
        if isinstance(layer, _PASS_THROUGH):
            continue
        return layer if isinstance(layer, _ACTIVATIONS) else None
    return None


def _he_init(model, seed):
    gen = np.random.default_rng(seed)
    activation = {}
    for seq in _sequentials(model):
        layers = list(seq)
        for i, layer in enumerate(layers):
            if isinstance(layer, _WEIGHTED):
                activation[id(layer)] = _next_activation(layers, i)
    found = False
    for layer in model.modules():
        if not isinstance(layer, _WEIGHTED):
            continue
        found = True
        act = activation.get(id(layer))
        if isinstance(act, nn.LeakyReLU):
            init.kaiming_normal_(layer.weight, a=act.negative_slope, nonlinearity="leaky_relu",
                                 generator=gen)
        elif isinstance(act, _RELU_FAMILY):
            init.kaiming_normal_(layer.weight, nonlinearity="relu", generator=gen)
        else:
            init.xavier_normal_(layer.weight, generator=gen)
        if layer.bias is not None:
            init.zeros_(layer.bias)
    return model if found else None


def _replace_modules(model, kinds, make):
    """Replace every module of ``kinds`` (not the model's own output: the last module of a
    top-level Sequential) by ``make()``; None if there is none."""
    output = list(model)[-1] if isinstance(model, nn.Sequential) and len(model) else None
    count = 0
    for parent in list(model.modules()):
        for name, child in list(parent._modules.items()):
            if isinstance(child, kinds) and child is not output:
                parent._modules[name] = make()
                count += 1
    return model if count else None


def _batchnorm(model, seed):
    weighted = [m for m in model.modules() if isinstance(m, _WEIGHTED)]
    if len(weighted) < 2:
        return None
    last, count = weighted[-1], 0
    for seq in _sequentials(model):
        layers, out = list(seq), []
        for i, layer in enumerate(layers):
            out.append(layer)
            nxt = layers[i + 1] if i + 1 < len(layers) else None
            if not isinstance(layer, _WEIGHTED) or layer is last or \
                    isinstance(nxt, (nn.BatchNorm1d, nn.BatchNorm2d)):
                continue
            if isinstance(layer, nn.Linear):
                out.append(nn.BatchNorm1d(layer.out_features, dtype=_dtype(layer)))
            else:
                out.append(nn.BatchNorm2d(layer.out_channels, dtype=_dtype(layer)))
            count += 1
        _set_layers(seq, out)
    return model if count else None


def _residual(model, seed):
    count = 0
    for seq in _sequentials(model):
        layers, out, i = list(seq), [], 0
        while i < len(layers):
            layer = layers[i]
            nxt = layers[i + 1] if i + 1 < len(layers) else None
            if isinstance(layer, nn.Linear) and layer.in_features == layer.out_features \
                    and isinstance(nxt, _ACTIVATIONS):
                out.append(nn.Residual(nn.Sequential(layer, nxt)))
                count += 1
                i += 2
            else:
                out.append(layer)
                i += 1
        _set_layers(seq, out)
    return model if count else None


def _wider(model, seed, factor=4):
    if not isinstance(model, nn.Sequential):
        return None
    allowed = _ACTIVATIONS + (nn.Linear, nn.BatchNorm1d, nn.Dropout, nn.Flatten)
    layers = list(model)
    linears = [i for i, m in enumerate(layers) if isinstance(m, nn.Linear)]
    if len(linears) < 2 or not all(isinstance(m, allowed) for m in layers):
        return None
    out, width = [], None  # width: the new width of the previous hidden layer's output
    with _seeded(seed):
        for i, layer in enumerate(layers):
            if isinstance(layer, nn.Linear):
                n_in = layer.in_features if width is None else width
                n_out = layer.out_features if i == linears[-1] else layer.out_features * factor
                out.append(nn.Linear(n_in, n_out, bias=layer.bias is not None,
                                     dtype=_dtype(layer)))
                width = n_out
            elif isinstance(layer, nn.BatchNorm1d):
                out.append(nn.BatchNorm1d(width, eps=layer.eps, momentum=layer.momentum,
                                          dtype=_dtype(layer)))
            else:
                out.append(layer)
    _set_layers(model, out)
    return model


def _dropout(model, seed, p=0.2):
    count = 0
    for seq in _sequentials(model):
        layers, out = list(seq), []
        for i, layer in enumerate(layers):
            out.append(layer)
            nxt = layers[i + 1] if i + 1 < len(layers) else None
            if isinstance(layer, _ACTIVATIONS) and nxt is not None and \
                    not isinstance(nxt, nn.Dropout) and \
                    any(isinstance(m, _WEIGHTED) for m in layers[:i]):
                out.append(nn.Dropout(p))
                count += 1
        _set_layers(seq, out)
    return model if count else None


def _on_device_of(model, original):
    """``model`` with its new layers moved to ``original``'s device (where they differ)."""
    from ..backend import device_of
    first = next(iter(original.parameters()), None)
    if first is not None:
        device = device_of(first._data)
        if any(device_of(q._data) != device for q in model.parameters()):
            model.to(device=device)
    return model


_MODEL_REWRITES = {
    "he_init": _he_init,
    "relu": lambda m, s: _replace_modules(m, (nn.Sigmoid, nn.Tanh), nn.ReLU),
    "leaky_relu": lambda m, s: _replace_modules(
        m, nn.ReLU, lambda: nn.LeakyReLU(0.01)),
    "batchnorm": _batchnorm,
    "residual": _residual,
    "wider": _wider,
    "dropout": _dropout,
}


# --------------------------------------------------------------------------- data
def _finite_rows(a: np.ndarray) -> np.ndarray:
    if a.dtype.kind not in "fc":
        return np.ones(len(a), dtype=bool)
    return np.isfinite(a.reshape(len(a), -1)).all(axis=1)


def _fix_data(recipe):
    pairs = [recipe.train_data] + ([recipe.val_data] if recipe.val_data is not None else [])
    keeps = [_finite_rows(X) & _finite_rows(y) for X, y in pairs]
    if all(k.all() for k in keeps) or not all(k.any() for k in keeps):
        return None

    def fix(train, val):
        (X, y), keep = train, _finite_rows(train[0]) & _finite_rows(train[1])
        train = (X[keep], y[keep])
        if val is not None:
            keep = _finite_rows(val[0]) & _finite_rows(val[1])
            val = (val[0][keep], val[1][keep])
        return train, val
    return fix


def _standardize(recipe):
    from ..data.scalers import StandardScaler
    X = recipe.train_data[0]
    if X.dtype.kind != "f" or X.ndim not in (2, 3, 4) or not np.isfinite(X).all():
        return None
    axis = 1 if X.ndim == 4 else X.ndim - 1  # the feature (channel) axis

    def flat(A):
        return np.moveaxis(A, axis, -1).reshape(-1, A.shape[axis])

    def unflat(F, A):
        moved = np.moveaxis(A, axis, -1).shape
        return np.moveaxis(F.reshape(moved), -1, axis).astype(A.dtype)

    def standardize(train, val):
        scaler = StandardScaler().fit(flat(train[0]))
        train = (unflat(scaler.transform(flat(train[0])), train[0]), train[1])
        if val is not None:
            val = (unflat(scaler.transform(flat(val[0])), val[0]), val[1])
        return train, val
    return standardize


# --------------------------------------------------------------------------- plan
def _check_key(key) -> None:
    if key not in REMEDIES:
        raise ArgumentError(f"remedy: unknown remedy key {key!r}; the known keys are "
                            f"{sorted(REMEDIES)}")


def _group_overrides(recipe, key) -> list | None:
    hypers = [hyper for hyper, _ in recipe.groups]
    if key in ("smaller_lr", "larger_lr"):
        factor = 0.1 if key == "smaller_lr" else 10.0
        return [{"lr": h["lr"] * factor} for h in hypers]
    if key == "clipping":
        if any(h.get("clipnorm") is not None or h.get("clipvalue") is not None for h in hypers):
            return None
        return [{"clipnorm": 1.0} for _ in hypers]
    return []


def plan(key: str, recipe, finding=None, seed: int = 0) -> Plan | None:
    """The `Plan` of remedy ``key`` for the run of ``recipe`` (a `Recipe` from `checkup`),
    for the ``finding`` it answers (or None) and the rerun's ``seed`` (new weights are drawn
    from it); None if tidu cannot apply ``key`` to this run.  An unknown key raises
    `ArgumentError` listing the known ones."""
    _check_key(key)
    if key in NOT_APPLICABLE:
        return None
    p = Plan(key)
    if key in _MODEL_REWRITES:
        model = _MODEL_REWRITES[key](copy.deepcopy(recipe.model), seed)
        if model is None:
            return None
        p.model = _on_device_of(model, recipe.model)
    elif key in ("smaller_lr", "larger_lr", "clipping"):
        p.optimizer = _group_overrides(recipe, key)
        if p.optimizer is None:
            return None
    elif key == "weight_reg":
        from ..train import Regularizer
        hypers = [hyper for hyper, _ in recipe.groups]
        if any(isinstance(cb, Regularizer) for cb in recipe.callbacks):
            return None
        if all(h.get("weight_decay", None) == 0 for h in hypers):
            p.optimizer = [{"weight_decay": 1e-4} for _ in hypers]
        else:
            p.callbacks = [Regularizer("l2", lam=1e-4)]
    elif key == "early_stopping":
        from ..train import EarlyStopping
        if any(isinstance(cb, EarlyStopping) for cb in recipe.callbacks):
            return None
        monitor = "val_loss" if recipe.val_data is not None else "loss"
        p.callbacks = [EarlyStopping(monitor=monitor, patience=5, restore_best_weights=True)]
    elif key == "zero_grad":
        cls = recipe.optimizer_class
        if cls.zero_grad is Optimizer.zero_grad:
            return None
        p.optimizer_class = type(f"{cls.__name__}WithZeroGrad", (cls,),
                                 {"zero_grad": Optimizer.zero_grad,
                                  "__module__": __name__,
                                  "__doc__": f"{cls.__name__} with the real zero_grad."})
    elif key == "train_longer":
        p.epochs, p.fork = recipe.epochs * 2, "last"
    elif key in ("standardize", "fix_data"):
        p.data = (_standardize if key == "standardize" else _fix_data)(recipe)
        if p.data is None:
            return None
    p.forkable = p.model is None and p.data is None
    p.changes = _diff(run_config(recipe), run_config(p.apply(recipe)))
    return p if p.changes else None
