"""`Checkpoint`: save the whole training state during `fit` and resume from it.

A checkpoint (one ``.npz`` file written by ``tidu.save``, no pickle) holds everything the
rest of the run depends on:

* ``model`` and ``optimizer`` state_dicts (moments, step counts, learning rates);
* every callback's ``state_dict()`` — learning-rate schedulers, ``EarlyStopping``'s
  counters and best weights, ``ModelCheckpoint``'s best value;
* the random states: tidu's global generator (dropout, initializers), the training
  DataLoader's shuffling generator and its position in the epoch (and its augmentation
  generator), NumPy's legacy global ``np.random`` state and Python's ``random`` state;
* the position: ``epoch``, ``batches_done`` in that epoch (the step within the epoch),
  ``global_step``, and the epoch's running sums (loss, penalties, outputs for metrics);
* the ``History`` so far.

``fit(..., checkpoint=Checkpoint(path, every_n_steps=50), resume=True)`` saves every 50
optimizer steps, at the end of every epoch (``every_n_epochs=1``) and of training, and —
when ``path`` exists — first restores it and continues from the batch after the saved one,
so a run killed at any point and started again with the same command ends with weights
bit-identical to an uninterrupted run (tests kill a real process with SIGKILL).  Without a
file at ``path`` the run starts from scratch, so the same command serves both.

Writes are atomic (``tidu.save`` writes a temporary file in the same directory, then
``os.replace``): a kill during the write leaves the previous checkpoint intact, plus at
worst a stale ``.<name>.*.tmp`` file, which the next resume removes.
"""
from __future__ import annotations

import glob
import os
import random

import numpy as np

from .. import random as _random

__all__ = ["Checkpoint", "get_rng_states", "set_rng_states"]


def get_rng_states() -> dict:
    """The global random states: tidu's generator, NumPy's legacy ``np.random``, Python's
    ``random`` (plain values ``tidu.save`` can store)."""
    return {"tidu": _random.get_rng_state(), "numpy": np.random.get_state(),
            "python": random.getstate()}


def set_rng_states(states: dict) -> None:
    _random.set_rng_state(states["tidu"])
    name, keys, pos, has_gauss, cached = states["numpy"]
    np.random.set_state((str(name), np.asarray(keys, dtype=np.uint32), int(pos),
                         int(has_gauss), float(cached)))
    version, internal, gauss = states["python"]
    random.setstate((int(version), tuple(int(x) for x in internal), gauss))


def _positive_or_none(owner: str, name: str, value):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{owner}: {name} must be a positive int or None, got {name}={value!r}")
    return int(value)


class Checkpoint:
    """Where and how often `fit` saves its training state.

    ``Checkpoint(path, every_n_steps=None, every_n_epochs=1, save_on_train_end=True)``:
    save after every ``every_n_steps`` optimizer steps (counted over the whole run), after
    every ``every_n_epochs`` epochs (after validation and the epoch-end callbacks), and
    when training ends.  Each save replaces the file at ``path`` atomically.
    ``fit(checkpoint="run.npz")`` is ``Checkpoint("run.npz")``.
    """

    def __init__(self, path, every_n_steps: int | None = None, every_n_epochs: int | None = 1,
                 save_on_train_end: bool = True):
        self.path = os.fspath(path)
        self.every_n_steps = _positive_or_none("Checkpoint", "every_n_steps", every_n_steps)
        self.every_n_epochs = _positive_or_none("Checkpoint", "every_n_epochs", every_n_epochs)
        self.save_on_train_end = bool(save_on_train_end)
        self.saves = 0

    def step_due(self, global_step: int) -> bool:
        return self.every_n_steps is not None and global_step % self.every_n_steps == 0

    def epoch_due(self, epoch: int) -> bool:
        return self.every_n_epochs is not None and (epoch + 1) % self.every_n_epochs == 0

    def exists(self) -> bool:
        return os.path.exists(self.path)

    def save(self, state: dict) -> None:
        from ..serialization import save
        directory = os.path.dirname(os.path.abspath(self.path))
        os.makedirs(directory, exist_ok=True)
        save(state, self.path)
        self.saves += 1

    def load(self):
        """The saved state, or None when there is no file at ``path``; stale temporary files
        of interrupted writes are removed."""
        from ..serialization import load
        self.remove_stale_temporaries()
        if not self.exists():
            return None
        return load(self.path)

    def remove_stale_temporaries(self) -> list:
        directory = os.path.dirname(os.path.abspath(self.path))
        pattern = os.path.join(glob.escape(directory),
                               "." + glob.escape(os.path.basename(self.path)) + ".*.tmp")
        removed = []
        for tmp in glob.glob(pattern):
            try:
                os.unlink(tmp)
                removed.append(tmp)
            except OSError:
                pass
        return removed

    def __repr__(self) -> str:
        return (f"Checkpoint({self.path!r}, every_n_steps={self.every_n_steps}, "
                f"every_n_epochs={self.every_n_epochs})")


def as_checkpoint(value):
    if value is None or isinstance(value, Checkpoint):
        return value
    if isinstance(value, (str, os.PathLike)):
        return Checkpoint(value)
    raise TypeError(f"Trainer: checkpoint must be a path, a Checkpoint or None, got "
                    f"{type(value).__name__}")
