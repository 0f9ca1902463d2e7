"""`ArrayDataset` and `DataLoader`: mini-batches of NumPy arrays as tidu tensors.

Batch GD, mini-batch GD and SGD differ only in the batch size fed to the same optimizer:
``batch_size=None`` gives the whole dataset as one batch (full-batch gradient descent),
``batch_size=1`` one sample per step (stochastic), anything between mini-batches.

Batches are cut from whole arrays, never assembled sample by sample: without shuffling a
batch is a slice (a view, no copy); with shuffling, one permutation is drawn per epoch and
each batch is ``array[permutation[i:i + batch_size]]``.
"""
from __future__ import annotations

import math

import numpy as np

from .._checks import check_cast_overflow
from ..backend import get_default_device, to_device
from .. import random as _random
from ..errors import ShapeError
from ..tensor import Tensor, get_default_dtype
from .validation import as_array, check_arrays

__all__ = ["ArrayDataset", "DataLoader", "make_generator"]


def make_generator(seed, owner: str) -> np.random.Generator:
    """An own ``np.random.Generator``: from an int seed, a given Generator (used as is), or —
    for ``None`` — seeded by one draw from tidu's global generator, so that
    ``tidu.manual_seed(s)`` makes it reproducible too."""
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None:
        return np.random.default_rng(int(_random.generator().integers(0, 2**63)))
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise TypeError(f"{owner}: seed must be a non-negative int, an np.random.Generator or "
                        f"None, got {seed!r}")
    return np.random.default_rng(int(seed))


def _cast(arr: np.ndarray, dtype, index: int) -> np.ndarray:
    """A float array in the training dtype; a value the cast overflows is refused (the
    NaN/Inf gate ran before the cast and could not see it)."""
    if arr.dtype.kind != "f":
        return arr
    with np.errstate(over="ignore"):  # reported below, with the sample and column
        out = arr.astype(dtype, copy=False)
    name = ("X", "y")[index] if index < 2 else f"array {index}"
    check_cast_overflow(arr, out, f"DataLoader: {name}")
    return out


class ArrayDataset:
    """Arrays that share their first (sample) axis, as `torch.utils.data.TensorDataset`.

    ``ArrayDataset(X, y)``: every array is validated once (`check_arrays`): no NaN/Inf, the
    same number of samples in each, not empty.  ``dataset[i]`` (an int, slice or index array)
    returns the tuple of the arrays indexed alike.
    """

    def __init__(self, *arrays):
        if not arrays:
            raise ValueError("ArrayDataset: expected at least one array, got none")
        raw = [as_array(a, f"ArrayDataset: array {i}") for i, a in enumerate(arrays)]
        for i, a in enumerate(raw):
            if a.ndim == 0:
                raise ShapeError(f"ArrayDataset: array {i} must have a sample axis, got a scalar")
            if i and a.shape[0] != raw[0].shape[0]:
                raise ShapeError(f"ArrayDataset: array {i} has {a.shape[0]} labels/targets but "
                                 f"array 0 (X) has {raw[0].shape[0]} samples; they must match")
        names = ["X", "y"] + [f"array {i}" for i in range(2, len(raw))]
        checked = [check_arrays(a, name="ArrayDataset", x_name=names[i])
                   for i, a in enumerate(raw)]
        self.arrays = tuple(checked)

    def __len__(self) -> int:
        return self.arrays[0].shape[0]

    def __getitem__(self, index):
        return tuple(a[index] for a in self.arrays)

    def __repr__(self) -> str:
        shapes = ", ".join(str(a.shape) for a in self.arrays)
        return f"ArrayDataset({shapes})"


def _as_dataset(data) -> ArrayDataset:
    if isinstance(data, ArrayDataset):
        return data
    if isinstance(data, (tuple, list)):
        return ArrayDataset(*data)
    return ArrayDataset(data)


class DataLoader:
    """Iterate over ``data`` in batches, each a tuple of tidu `Tensor` s.

    ``DataLoader(data, batch_size=1, shuffle=False, drop_last=False, seed=None,
    transform=None)`` — ``data`` is an `ArrayDataset`, a tuple ``(X, y, …)`` of arrays or a
    single array (batches are then 1-tuples).  PyTorch's defaults, except that
    ``batch_size=None`` here means *the whole dataset as one batch* (PyTorch: no batching).

    * batches are on the default device (`tidu.set_backend`; the host unless a GPU was
      chosen), copied there per batch, as ``.to(device)`` in a PyTorch loop;
    * float arrays are handed out in tidu's default dtype (float32 unless
      `tidu.set_default_dtype` changed it), converted once, not per batch; integer and bool
      arrays (class labels, token ids) keep their dtype;
    * ``shuffle=True`` draws a fresh permutation of the samples at the start of every epoch
      (every ``iter(loader)``) from the loader's own ``np.random.Generator``: ``seed`` is an
      int, a Generator, or ``None`` (then seeded from tidu's global generator, so
      ``tidu.manual_seed`` fixes it);
    * ``drop_last=True`` drops the last, smaller batch;
    * ``transform`` (e.g. an augmentation `Compose`) is applied to the first array of every
      batch (the features) after it is cut; it must not modify its input in place;
    * ``len(loader)`` is the number of batches per epoch.

    Without shuffling, batches are read-only views of the dataset (no copy per step — the
    full batch of ``batch_size=None`` costs nothing); with shuffling they are fresh arrays.

    ``state_dict()`` / ``load_state_dict()`` save and restore the generator and the position
    in the current epoch (and the transform's generator when it has its own): a training run
    resumed from a checkpoint taken mid-epoch continues with exactly the batches the
    interrupted run would have drawn.  (An epoch left early with ``break`` counts as
    unfinished: a checkpoint taken then resumes it, where the live loader would start anew.)
    """

    def __init__(self, data, batch_size: int | None = 1, shuffle: bool = False,
                 drop_last: bool = False, seed=None, transform=None):
        self.dataset = _as_dataset(data)
        n = len(self.dataset)
        if batch_size is not None and (isinstance(batch_size, (bool, np.bool_)) or
                                       not isinstance(batch_size, (int, np.integer)) or
                                       batch_size < 1):
            raise ValueError(f"DataLoader: batch_size must be a positive int or None (the whole "
                             f"dataset), got {batch_size!r}")
        if drop_last and batch_size is not None and batch_size > n:
            raise ValueError(f"DataLoader: drop_last=True with batch_size={batch_size} > "
                             f"{n} samples would give no batch at all")
        self.batch_size = batch_size
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.transform = transform
        self.generator = make_generator(seed, "DataLoader")
        self._epoch_start_state = self.generator.bit_generator.state
        self._batches_done = 0
        self._resume_at = None
        self._cache_dtype = None
        self._cache = None

    # ------------------------------------------------------------------ sizes
    @property
    def n_samples(self) -> int:
        return len(self.dataset)

    @property
    def _step(self) -> int:
        return self.n_samples if self.batch_size is None else int(self.batch_size)

    def __len__(self) -> int:
        n, bs = self.n_samples, self._step
        return n // bs if self.drop_last else math.ceil(n / bs)

    # ------------------------------------------------------------------ iteration
    def _arrays(self) -> tuple:
        dtype = get_default_dtype()
        if self._cache is None or self._cache_dtype != dtype:
            self._cache = tuple(_cast(a, dtype, i) for i, a in enumerate(self.dataset.arrays))
            self._cache_dtype = dtype
        return self._cache

    def __iter__(self):
        start = 0
        if self._resume_at is not None:
            # a checkpoint was taken mid-epoch: redraw that epoch's permutation, then skip
            # the batches already handed out
            self.generator.bit_generator.state = self._epoch_start_state
            start, self._resume_at = self._resume_at, None
        else:
            self._epoch_start_state = self.generator.bit_generator.state
        order = self.generator.permutation(self.n_samples) if self.shuffle else None
        self._batches_done = start
        return self._batches(self._arrays(), order, start, len(self))

    def _batches(self, arrays, order, start, n_batches):
        step, n, transform = self._step, self.n_samples, self.transform
        for b in range(start, n_batches):
            lo, hi = b * step, min((b + 1) * step, n)
            if order is None:
                batch = [a[lo:hi] for a in arrays]
                for view in batch:  # views of the dataset: guard it against in-place edits
                    view.flags.writeable = False
            else:
                index = order[lo:hi]
                batch = [a[index] for a in arrays]
            if transform is not None:
                batch[0] = as_array(transform(batch[0]), "DataLoader: transform output")
            self._batches_done = b + 1  # counts batches handed out in this epoch
            device = get_default_device()  # the host, unless tidu.set_backend chose a GPU
            if device != "cpu":
                batch = [to_device(x, device) for x in batch]
            yield tuple(Tensor._wrap(x) for x in batch)

    # ------------------------------------------------------------------ checkpoints
    def state_dict(self) -> dict:
        """Generator states and position in the epoch (plain ints and dicts, JSON-able)."""
        state = {"rng_state": self.generator.bit_generator.state,
                 "epoch_start_rng_state": self._epoch_start_state,
                 "batches_done": int(self._batches_done),
                 "n_samples": self.n_samples, "batch_size": self.batch_size}
        if hasattr(self.transform, "state_dict"):
            state["transform"] = self.transform.state_dict()
        return state

    def load_state_dict(self, state: dict) -> None:
        for key in ("n_samples", "batch_size"):
            if state.get(key) != getattr(self, key):
                raise ValueError(f"DataLoader.load_state_dict: the state has {key}="
                                 f"{state.get(key)!r}, this loader {getattr(self, key)!r}")
        done = int(state["batches_done"])
        if done < len(self):
            # mid-epoch (or an epoch begun with no batch handed out yet): the next iter()
            # redraws that epoch's permutation from its start state and skips `done` batches
            self.generator.bit_generator.state = state["epoch_start_rng_state"]
            self._resume_at = done if done else None
        else:  # the epoch was finished: the next iter() starts a new one
            self.generator.bit_generator.state = state["rng_state"]
            self._resume_at = None
        self._epoch_start_state = state["epoch_start_rng_state"]
        self._batches_done = done
        if "transform" in state and hasattr(self.transform, "load_state_dict"):
            self.transform.load_state_dict(state["transform"])

    def __repr__(self) -> str:
        return (f"DataLoader({self.dataset!r}, batch_size={self.batch_size}, "
                f"shuffle={self.shuffle}, drop_last={self.drop_last})")
