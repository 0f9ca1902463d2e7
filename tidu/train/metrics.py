"""`Metric`: how `fit` turns a metric given by name or as a function into a number per epoch.

``metrics=["accuracy"]`` or ``metrics=[tidu.metrics.f1_score]``: at the end of every epoch
each metric is computed once over all of the epoch's training outputs (as they were during
training, in train mode) and over the validation outputs (``val_`` prefix) — the exact
value over the epoch, not a mean of per-batch values (Keras accumulates its streaming
metrics the same way).

Names: ``"accuracy"`` (or ``"acc"``); ``"precision"``, ``"recall"``, ``"f1"`` — macro
averages, or with a suffix ``_binary``, ``_micro``, ``_macro``, ``_weighted``;
``"top_k_accuracy"`` (k = 2, scikit-learn's default) or ``"top_5_accuracy"`` etc.;
``"mse"`` and ``"mae"`` for regression.  Classification metrics receive the model outputs as
scores: (N, C) outputs become labels by argmax (in ``tidu.metrics``); a single output column
(binary, (N,) or (N, 1)) is thresholded — at 0.5 if every output lies in [0, 1]
(probabilities), else at 0 (logits).

A function from ``tidu.metrics`` is called as ``fn(y_true, y_pred)`` with that conversion;
any other function as ``fn(y_true, outputs)`` with the raw outputs (NumPy arrays) — wrap it
in ``Metric(fn, name=..., greater_is_better=...)`` to name it or to let ``EarlyStopping``'s
``mode="auto"`` know its direction.
"""
from __future__ import annotations

import functools
import re

import numpy as np

__all__ = ["Metric", "resolve_metrics", "monitor_direction"]

_INPUTS = ("labels", "scores", "outputs")


class Metric:
    """A named metric: ``Metric(fn, name=None, greater_is_better=None, input="outputs")``.

    ``input`` is what ``fn(y_true, ·)`` receives: ``"labels"`` (class predictions, single
    output columns thresholded as described above), ``"scores"`` (the outputs, one column
    flattened) or ``"outputs"`` (the raw outputs)."""

    def __init__(self, fn, name: str | None = None, greater_is_better: bool | None = None,
                 input: str = "outputs"):
        if not callable(fn):
            raise TypeError(f"Metric: fn must be callable, got {type(fn).__name__}")
        if input not in _INPUTS:
            raise ValueError(f"Metric: input must be one of {_INPUTS}, got {input!r}")
        self.fn = fn
        self.name = name or _function_name(fn)
        self.greater_is_better = greater_is_better
        self.input = input

    def __call__(self, y_true: np.ndarray, outputs: np.ndarray) -> float:
        if self.input == "labels":
            outputs = _labels(outputs)
        elif self.input == "scores" and outputs.ndim == 2 and outputs.shape[1] == 1:
            outputs = outputs[:, 0]
        return float(self.fn(y_true, outputs))

    def __repr__(self) -> str:
        return f"Metric({self.name!r})"


def _function_name(fn) -> str:
    base = fn.func if isinstance(fn, functools.partial) else fn
    return getattr(base, "__name__", type(base).__name__)


def _labels(outputs: np.ndarray) -> np.ndarray:
    if outputs.ndim == 2 and outputs.shape[1] == 1:
        outputs = outputs[:, 0]
    if outputs.ndim == 1 and outputs.dtype.kind == "f":
        finite = outputs[np.isfinite(outputs)]
        probabilities = finite.size and finite.min() >= 0 and finite.max() <= 1
        return (outputs > (0.5 if probabilities else 0.0)).astype(np.int64)
    return outputs


def _regression(kind: str):
    def fn(y_true, outputs):
        y = np.asarray(y_true, dtype=np.float64)
        o = np.asarray(outputs, dtype=np.float64)
        if y.shape != o.shape and y.size == o.size:
            y = y.reshape(o.shape)
        diff = o - y
        return float(np.mean(diff * diff) if kind == "mse" else np.mean(np.abs(diff)))
    fn.__name__ = kind
    return fn


def _named(name: str) -> Metric:
    from .. import metrics as M
    if name in ("accuracy", "acc"):
        return Metric(M.accuracy, name, True, "labels")
    if name in ("mse", "mae"):
        return Metric(_regression(name), name, False, "outputs")
    match = re.fullmatch(r"(precision|recall|f1)(?:_(binary|micro|macro|weighted))?", name)
    if match:
        fn = {"precision": M.precision, "recall": M.recall, "f1": M.f1_score}[match[1]]
        return Metric(functools.partial(fn, average=match[2] or "macro"), name, True, "labels")
    match = re.fullmatch(r"top_(k|\d+)_accuracy", name)
    if match:
        fn = M.top_k_accuracy if match[1] == "k" else functools.partial(M.top_k_accuracy,
                                                                          k=int(match[1]))
        return Metric(fn, name, True, "scores")
    raise ValueError(f"fit: unknown metric name {name!r}; known: 'accuracy', 'precision', "
                     f"'recall', 'f1' (optionally _binary/_micro/_macro/_weighted), "
                     f"'top_k_accuracy', 'top_<k>_accuracy', 'mse', 'mae' — or pass a function")


def _resolve(spec) -> Metric:
    if isinstance(spec, Metric):
        return spec
    if isinstance(spec, str):
        return _named(spec)
    if callable(spec):
        base = spec.func if isinstance(spec, functools.partial) else spec
        if getattr(base, "__module__", "").startswith("tidu.metrics"):
            name = getattr(base, "__name__", "")
            if name == "confusion_matrix":
                raise ValueError("fit: confusion_matrix is not a scalar metric; compute it "
                                 "after training from trainer.predict(...)")
            return Metric(spec, None, True, "scores" if name == "top_k_accuracy" else "labels")
        return Metric(spec)
    raise TypeError(f"fit: a metric must be a name, a function or a Metric, got "
                    f"{type(spec).__name__}")


def resolve_metrics(specs) -> list:
    """Metrics from names, functions and `Metric` objects; names must be unique."""
    if isinstance(specs, (str, Metric)) or callable(specs):
        specs = [specs]
    out = [_resolve(s) for s in specs]
    names = [m.name for m in out]
    for name in names:
        if names.count(name) > 1:
            raise ValueError(f"fit: two metrics are named {name!r}; name them apart with "
                             f"Metric(fn, name=...)")
        if name == "loss" or name.startswith("val_"):
            raise ValueError(f"fit: metric name {name!r} clashes with the logged keys")
    return out


_MAX_WORDS = ("acc", "precision", "recall", "f1", "auc", "r2")
_MIN_WORDS = ("loss", "error", "mse", "mae", "penalty")


def monitor_direction(monitor: str, metrics=()) -> str | None:
    """'min', 'max' or None (unknown) for a logged key: ``*loss`` and errors are minimized,
    a metric with ``greater_is_better`` goes its way, accuracy/precision/recall/F1 maximized."""
    name = monitor[4:] if monitor.startswith("val_") else monitor
    for m in metrics:
        if m.name == name and m.greater_is_better is not None:
            return "max" if m.greater_is_better else "min"
    if any(w in name for w in _MIN_WORDS):
        return "min"
    if any(w in name for w in _MAX_WORDS):
        return "max"
    return None
