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
from collections.abc import Mapping

import numpy as np

from .. import random as _random
from ..errors import SerializationError

__all__ = ["Checkpoint", "check_state", "get_rng_states", "set_rng_states"]


def get_rng_states() -> dict:
    """The global random states: tidu's generator, NumPy's legacy ``np.random``, Python's
    ``random`` (plain values ``tidu.save`` can store)."""
    return {"tidu": _random.get_rng_state(), "numpy": np.random.get_state(),
            "python": random.getstate()}


def set_rng_states(states: dict) -> None:
    """Restore what `get_rng_states` returned (`check_state` has vetted a loaded one)."""
    _random.set_rng_state(states["tidu"])
    np.random.set_state(_numpy_state(states["numpy"]))
    random.setstate(_python_state(states["python"]))


def _numpy_state(saved) -> tuple:
    # tidu.save gives back the key array and Python numbers; set_state wants exact types
    name, keys, pos, has_gauss, cached = saved
    return (str(name), np.asarray(keys, dtype=np.uint32), int(pos), int(has_gauss),
            float(cached))


def _python_state(saved) -> tuple:
    version, internal, gauss = saved
    return int(version), tuple(int(x) for x in internal), gauss


# --------------------------------------------------------------------------- validation
# A checkpoint is checked whole before any of it is applied, so a tampered or damaged file
# fails with one SerializationError naming the field — not a KeyError halfway through a
# resume that has already overwritten the model.

class _Kind:
    """A leaf of the schema: what it must be (for messages) and the test."""

    def __init__(self, what: str, test):
        self.what, self.test = what, test


class _Each:
    """Every element of a list (or every value of a mapping) follows ``spec``."""

    def __init__(self, container: "_Kind", spec):
        self.container, self.spec = container, spec


def _is_int(v) -> bool:
    return isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))


_COUNT = _Kind("an int ≥ 0", lambda v: _is_int(v) and v >= 0)
_COUNT_OR_NONE = _Kind("an int ≥ 0 or None", lambda v: v is None or _is_int(v) and v >= 0)
_BOOL = _Kind("a bool", lambda v: isinstance(v, (bool, np.bool_)))
_NUMBER = _Kind("a number", lambda v: _is_int(v) or isinstance(v, (float, np.floating)))
_TEXT_OR_NONE = _Kind("a str or None", lambda v: v is None or isinstance(v, str))
_ARRAY_OR_NONE = _Kind("an array or None", lambda v: v is None or isinstance(v, np.ndarray))
_ARRAY = _Kind("an array", lambda v: isinstance(v, np.ndarray) or
               isinstance(getattr(v, "_data", None), np.ndarray))
_MAPPING = _Kind("a mapping", lambda v: isinstance(v, Mapping))
_LIST = _Kind("a list", lambda v: isinstance(v, (list, tuple)))
_BIT_GENERATOR = _Kind("a NumPy bit generator state", lambda v: _bit_generator_ok(v))
_NUMPY_STATE = _Kind("np.random.get_state()'s 5-tuple", lambda v: _numpy_state_ok(v))
_PYTHON_STATE = _Kind("random.getstate()'s 3-tuple", lambda v: _python_state_ok(v))

CHECKPOINT_SCHEMA = {
    "model": _Each(_MAPPING, _ARRAY),
    "optimizer": {"state": _Each(_MAPPING, _MAPPING),
                  "param_groups": _Each(_LIST, {"params": _Each(_LIST, _COUNT), "lr": _NUMBER})},
    "callbacks": _Each(_MAPPING, _MAPPING),
    "train_loader": {"rng_state": _BIT_GENERATOR, "epoch_start_rng_state": _BIT_GENERATOR,
                     "batches_done": _COUNT, "n_samples": _COUNT, "batch_size": _COUNT_OR_NONE},
    "rng": {"tidu": _BIT_GENERATOR, "numpy": _NUMPY_STATE, "python": _PYTHON_STATE},
    "progress": {"epoch": _COUNT, "batches_done": _COUNT, "epoch_finished": _BOOL,
                 "global_step": _COUNT, "epochs": _COUNT, "steps_per_epoch": _COUNT},
    "accumulators": {"loss_sum": _NUMBER, "count": _COUNT,
                     "penalty_sums": _Each(_MAPPING, _NUMBER),
                     "outputs": _ARRAY_OR_NONE, "targets": _ARRAY_OR_NONE},
    "history": {"epoch": _Each(_LIST, _COUNT), "history": _Each(_MAPPING, _Each(_LIST, _NUMBER)),
                "stop_reason": _TEXT_OR_NONE},
    "stop_training": _BOOL,
    "stop_reason": _TEXT_OR_NONE,
}


def _bit_generator_ok(state) -> bool:
    """Whether ``state`` can be set on a fresh bit generator of the type it names."""
    if not isinstance(state, Mapping):
        return False
    kind = getattr(np.random, str(state.get("bit_generator")), None)
    if not (isinstance(kind, type) and issubclass(kind, np.random.BitGenerator)):
        return False
    return _applies(lambda: setattr(kind(0), "state", dict(state)))


def _numpy_state_ok(state) -> bool:
    return isinstance(state, (tuple, list)) and len(state) == 5 and \
        _applies(lambda: np.random.RandomState(0).set_state(_numpy_state(state)))


def _python_state_ok(state) -> bool:
    return isinstance(state, (tuple, list)) and len(state) == 3 and \
        _applies(lambda: random.Random(0).setstate(_python_state(state)))


def _applies(apply) -> bool:
    """Whether ``apply`` (setting a state on a scratch generator) succeeds."""
    try:
        apply()
    except (TypeError, ValueError, KeyError, IndexError, OverflowError):
        return False
    return True


def check_state(state, path) -> None:
    """Check a loaded checkpoint against `CHECKPOINT_SCHEMA` before anything is restored:
    raise one `SerializationError` naming the file and the first field that is missing or
    of the wrong type (``'progress/epoch': expected an int ≥ 0, found str '3'``)."""
    _check(state, CHECKPOINT_SCHEMA, (), os.fspath(path))


def _check(value, spec, at: tuple, where: str) -> None:
    if isinstance(spec, dict):
        _expect(value, _MAPPING, at, where)
        for key, sub in spec.items():
            if key not in value:
                field = "/".join(map(str, at + (key,)))
                raise SerializationError(f"fit(resume=True): the checkpoint {where!r} has no "
                                         f"field {field!r} (a damaged or tampered file)")
            _check(value[key], sub, at + (key,), where)
    elif isinstance(spec, _Each):
        _expect(value, spec.container, at, where)
        items = value.items() if isinstance(value, Mapping) else enumerate(value)
        for key, item in items:
            _check(item, spec.spec, at + (key,), where)
    else:
        _expect(value, spec, at, where)


def _expect(value, kind: _Kind, at: tuple, where: str) -> None:
    if not kind.test(value):
        shown = repr(value)
        shown = shown if len(shown) <= 60 else shown[:60] + "…"
        field = "/".join(map(str, at)) or "the top level"
        raise SerializationError(f"fit(resume=True): the checkpoint {where!r} field {field!r}: "
                                 f"expected {kind.what}, found {type(value).__name__} {shown}")


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
