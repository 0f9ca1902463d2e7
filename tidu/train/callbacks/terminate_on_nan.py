"""`TerminateOnNaN`: stop at the first non-finite loss or gradient, before the step."""
from __future__ import annotations

import math
import sys

import numpy as np

from .base import Callback

__all__ = ["TerminateOnNaN"]


def _finite(g: np.ndarray) -> bool:
    # one reduction first (cheap); a non-finite sum may be overflow, so confirm elementwise
    return math.isfinite(g.sum()) or bool(np.isfinite(g).all())


class TerminateOnNaN(Callback):
    """Stop training at the first batch whose loss (or a regularizer's penalty) is NaN/±Inf
    or whose gradient has a NaN/±Inf element.

    Checked after ``backward`` and before ``optimizer.step()``, and that step is not taken:
    the model keeps the last finite weights (Keras checks after the step, when the weights
    may already be NaN).  The report — ``self.report``, also ``trainer.stop_reason`` and
    ``history.stop_reason``, printed to stderr unless ``verbose=False`` — gives the global
    step, epoch and batch (all from 0), the loss, and the parameters whose gradient is not
    finite, in the model's order (``named_parameters``), the first one named: the layer
    closest to the input where the gradient broke, e.g. ``"2.weight"``.
    """

    def __init__(self, verbose: bool = True):
        self.verbose = verbose
        self.report = None

    def on_train_begin(self, logs=None):
        self.report = None
        self._names = [(name, p) for name, p in self.model.named_parameters()]

    def on_after_backward(self, batch, logs=None):
        logs = logs or {}
        bad_values = {k: v for k, v in logs.items()
                      if k != "size" and isinstance(v, float) and not math.isfinite(v)}
        with np.errstate(over="ignore", invalid="ignore"):
            bad_grads = [name for name, p in self._names
                         if p.grad is not None and not _finite(p.grad.data)]
        if not bad_values and not bad_grads:
            return
        trainer = self.trainer
        self.report = {"step": trainer.global_step, "epoch": trainer.epoch, "batch": batch,
                       "loss": logs.get("loss"), "parameter": bad_grads[0] if bad_grads else None,
                       "parameters": bad_grads}
        what = []
        if bad_values:
            what.append("non-finite " + ", ".join(f"{k}={v}" for k, v in bad_values.items()))
        if bad_grads:
            others = f" (of {len(bad_grads)}: {', '.join(bad_grads)})" if len(bad_grads) > 1 else ""
            what.append(f"non-finite gradient, first in parameter '{bad_grads[0]}'{others}")
        message = (f"TerminateOnNaN: {'; '.join(what)} at global step {trainer.global_step} "
                   f"(epoch {trainer.epoch}, batch {batch}); training stopped before this step")
        trainer.stop_training = True
        trainer.stop_reason = message
        if self.verbose:
            print(message, file=sys.stderr)
