"""`EarlyStopping`: stop when a monitored value has stopped improving (Keras 3 semantics)."""
from __future__ import annotations

import math
import sys

import numpy as np

from ..._checks import check_number
from ...errors import HyperParameterError
from .base import Callback
from .monitor import monitored_value, resolve_mode

__all__ = ["EarlyStopping"]


def _count(value, name: str) -> int:
    """``patience`` / ``start_from_epoch``: an int ≥ 0 (`check_number`'s rule).  The message
    keeps the ``name=value`` form, by which tidu.cli_config's errors point at the config key
    (``callbacks.early_stopping.patience``)."""
    try:
        return int(check_number(value, name, "EarlyStopping", integer=True))
    except HyperParameterError:
        raise HyperParameterError(f"EarlyStopping: {name} must be an int ≥ 0, got "
                                  f"{name}={value!r}") from None


class EarlyStopping(Callback):
    r"""Stop training when ``monitor`` has not improved for ``patience`` epochs.

    ``EarlyStopping(monitor="val_loss", min_delta=0, patience=0, mode="auto", baseline=None,
    restore_best_weights=False, start_from_epoch=0, verbose=0)`` — Keras's arguments,
    defaults and rule (``keras.callbacks.EarlyStopping``, Keras 3), at the end of epoch e
    with monitored value v (epochs before ``start_from_epoch`` are ignored)::

        wait ← wait + 1
        improved = v + δ < best   (mode 'min')     v − δ > best   (mode 'max'),  δ = |min_delta|
        if improved:  best ← v;  best_epoch ← e;  snapshot the weights (restore_best_weights)
                      wait ← 0 unless a baseline is set and v does not beat it too
        elif wait ≥ patience and e > 0:  stop training

    ``best`` starts at +∞ (min) / −∞ (max), so the first monitored epoch always improves;
    an improvement by ``min_delta`` or less does not count.  Note the two Keras details:
    with ``patience=0`` training still runs at least two epochs (the ``e > 0``), and with a
    ``baseline`` the run stops only at an epoch that does not improve on ``best`` — epochs
    that improve on ``best`` without beating the baseline keep ``wait`` growing but never
    stop training themselves.

    ``restore_best_weights=True``: when training ends — stopped early *or not* (Keras ≥ 3;
    Keras 2 restored only when it stopped early) — the model gets back the state (the whole
    ``state_dict``, running statistics included) of the end of its best epoch.

    ``mode="auto"`` infers the direction from the name (``*loss`` down; accuracy,
    precision, recall, F1 up) and raises if it cannot; an unknown ``mode`` or a monitored
    key missing from the logs raises too (Keras warns).  NaN never counts as an improvement.
    After training: ``stopped_epoch`` (0 if not stopped), ``best``, ``best_epoch``, ``wait``.
    """

    def __init__(self, monitor: str = "val_loss", min_delta: float = 0.0, patience: int = 0,
                 mode: str = "auto", baseline: float | None = None,
                 restore_best_weights: bool = False, start_from_epoch: int = 0,
                 verbose: int = 0):
        owner = "EarlyStopping"
        if not isinstance(monitor, str):
            raise TypeError(f"{owner}: monitor must be a logged key such as 'val_loss', got "
                            f"{monitor!r}")
        patience = _count(patience, "patience")
        start_from_epoch = _count(start_from_epoch, "start_from_epoch")
        # Keras takes |min_delta|, so either sign is accepted; NaN and ±inf are not
        min_delta = check_number(min_delta, "min_delta", owner, low=None)
        if baseline is not None:
            baseline = check_number(baseline, "baseline", owner, low=None)
        if mode not in ("auto", "min", "max"):
            raise ValueError(f"{owner}: mode must be 'auto', 'min' or 'max', got mode={mode!r}")
        self.monitor = monitor
        self.min_delta = abs(float(min_delta))
        self.patience = int(patience)
        self.mode = mode
        self.baseline = None if baseline is None else float(baseline)
        self.restore_best_weights = bool(restore_best_weights)
        self.start_from_epoch = int(start_from_epoch)
        self.verbose = verbose
        self._reset()

    def _reset(self):
        self.wait = 0
        self.stopped_epoch = 0
        self.best = None
        self.best_epoch = 0
        self.best_weights = None

    def on_train_begin(self, logs=None):
        self._direction = resolve_mode("EarlyStopping", self.monitor, self.mode, self.trainer)
        self._reset()  # Keras 3 does not reset ``best`` on reuse; a fresh run starts fresh
        self.best = math.inf if self._direction == "min" else -math.inf

    def _is_improvement(self, value: float, reference: float) -> bool:
        if self._direction == "min":
            return value + self.min_delta < reference
        return value - self.min_delta > reference

    def _snapshot(self) -> dict:
        return {k: v.clone() for k, v in self.model.state_dict().items()}

    def on_epoch_end(self, epoch, logs=None):
        current = monitored_value("EarlyStopping", self.monitor, logs)
        if epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights = self._snapshot()  # until something improves, these are best
            self.best_epoch = epoch
        self.wait += 1
        if self._is_improvement(current, self.best):
            self.best = current
            self.best_epoch = epoch
            if self.restore_best_weights:
                self.best_weights = self._snapshot()
            if self.baseline is None or self._is_improvement(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.trainer.stop_training = True
            if self.trainer.stop_reason is None:
                self.trainer.stop_reason = (
                    f"EarlyStopping: {self.monitor} did not improve for {self.wait} epochs "
                    f"(best {self.best:.6g} at epoch {self.best_epoch}); stopped after epoch "
                    f"{epoch}")

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping", file=sys.stdout)
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose:
                print(f"Restoring model weights from the end of the best epoch: "
                      f"{self.best_epoch + 1}.", file=sys.stdout)
            self.model.load_state_dict(self.best_weights)

    def state_dict(self) -> dict:
        return {"wait": self.wait, "stopped_epoch": self.stopped_epoch, "best": self.best,
                "best_epoch": self.best_epoch, "best_weights": self.best_weights}

    def load_state_dict(self, state: dict) -> None:
        self.wait = int(state["wait"])
        self.stopped_epoch = int(state["stopped_epoch"])
        self.best = None if state["best"] is None else float(state["best"])
        self.best_epoch = int(state["best_epoch"])
        weights = state["best_weights"]
        self.best_weights = None if weights is None else {k: np.array(v) for k, v in
                                                          weights.items()}
