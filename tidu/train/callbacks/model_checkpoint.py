"""`ModelCheckpoint`: save the model at the end of epochs — every epoch (the last) or the best."""
from __future__ import annotations

import math
import os


from .base import Callback
from .monitor import monitored_value, resolve_mode

__all__ = ["ModelCheckpoint"]


class ModelCheckpoint(Callback):
    """``ModelCheckpoint(path, monitor="val_loss", mode="auto", save_best_only=False,
    save_weights_only=True, initial_value_threshold=None, verbose=0)`` — Keras 3's
    callback (per epoch), saving with ``tidu.save`` (atomic, no pickle).

    At the end of every epoch: with ``save_best_only=False`` the file is rewritten (it holds
    the last epoch); with ``save_best_only=True`` only when ``monitor`` improves on the best
    value so far (strictly: < for 'min', > for 'max'; ``mode="auto"`` as in
    `EarlyStopping`; the first best to beat is ``initial_value_threshold``, or ±∞), so it
    holds the best epoch.  A monitored key missing from the logs raises (Keras warns and
    saves anyway).  ``path`` may contain ``{epoch}`` (from 1,
    as Keras) and logged keys, e.g. ``"ckpt-{epoch:02d}-{val_loss:.3f}.npz"``, to keep one
    file per epoch.

    ``save_weights_only=True`` writes ``model.state_dict()`` (load it with
    ``model.load_state_dict(tidu.load(path))``); ``False`` writes the trainer's whole training
    state (optimizer, RNGs, …, as `Checkpoint` does).  Keras's default is ``False``, meaning
    the whole model object, which tidu does not pickle.  After training: ``best``,
    ``best_epoch``, ``last_path``.
    """

    def __init__(self, path, monitor: str = "val_loss", mode: str = "auto",
                 save_best_only: bool = False, save_weights_only: bool = True,
                 initial_value_threshold: float | None = None, verbose: int = 0):
        if mode not in ("auto", "min", "max"):
            raise ValueError(f"ModelCheckpoint: mode must be 'auto', 'min' or 'max', got "
                             f"mode={mode!r}")
        self.path = os.fspath(path)
        self.monitor = monitor
        self.mode = mode
        self.save_best_only = bool(save_best_only)
        self.save_weights_only = bool(save_weights_only)
        self.initial_value_threshold = initial_value_threshold
        self.verbose = verbose
        self.best = None
        self.best_epoch = None
        self.last_path = None

    def on_train_begin(self, logs=None):
        if self.save_best_only:
            self._direction = resolve_mode("ModelCheckpoint", self.monitor, self.mode,
                                           self.trainer)
            if self.initial_value_threshold is not None:
                self.best = float(self.initial_value_threshold)
            else:
                self.best = math.inf if self._direction == "min" else -math.inf
        self.best_epoch = None

    def _improved(self, value: float) -> bool:
        return value < self.best if self._direction == "min" else value > self.best

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.save_best_only:
            current = monitored_value("ModelCheckpoint", self.monitor, logs)
            if not self._improved(current):
                return
            if self.verbose:
                print(f"Epoch {epoch + 1}: {self.monitor} improved from {self.best:.5g} to "
                      f"{current:.5g}, saving model")
            self.best, self.best_epoch = current, epoch
        self._save(epoch, logs)

    def _save(self, epoch: int, logs: dict) -> None:
        from ...serialization import save
        path = self.path.format(epoch=epoch + 1, **logs) if "{" in self.path else self.path
        directory = os.path.dirname(os.path.abspath(path))
        os.makedirs(directory, exist_ok=True)
        if self.save_weights_only:
            save(self.model.state_dict(), path)
        else:
            save(self.trainer.state_dict(), path)
        self.last_path = path

    def state_dict(self) -> dict:
        return {"best": self.best, "best_epoch": self.best_epoch, "last_path": self.last_path}

    def load_state_dict(self, state: dict) -> None:
        self.best = None if state["best"] is None else float(state["best"])
        self.best_epoch = None if state["best_epoch"] is None else int(state["best_epoch"])
        self.last_path = state["last_path"]
