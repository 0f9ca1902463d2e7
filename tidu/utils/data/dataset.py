"""Datasets, as ``torch.utils.data.dataset``: a map-style dataset is anything with
``__getitem__`` and ``__len__``; an iterable-style one is iterated.  `TensorDataset` holds
tensors sharing their first (sample) dim; `Subset`, `ConcatDataset` and `random_split`
select and join datasets without copying samples.
"""
from __future__ import annotations

import bisect
import itertools
import math
import warnings
from typing import Generic, TypeVar

import numpy as np

from ...errors import ArgumentError, ShapeError, shape_str
from ...tensor import Tensor, as_tensor
from .sampler import check_generator, resolve_generator

__all__ = ["Dataset", "IterableDataset", "TensorDataset", "StackDataset", "ConcatDataset",
           "ChainDataset", "Subset", "random_split"]

T_co = TypeVar("T_co", covariant=True)


class Dataset(Generic[T_co]):
    """Base class of map-style datasets: subclasses define ``__getitem__(index)`` (one
    sample) and usually ``__len__``; ``a + b`` is ``ConcatDataset([a, b])``.  `DataLoader`
    accepts any object with ``__getitem__``/``__len__``, subclass or not."""

    def __getitem__(self, index):
        raise NotImplementedError("Subclasses of Dataset should implement __getitem__.")

    def __add__(self, other):
        return ConcatDataset([self, other])


class IterableDataset(Dataset[T_co]):
    """Base class of iterable-style datasets: subclasses define ``__iter__`` (the samples in
    order); ``a + b`` is ``ChainDataset([a, b])``.  tidu never forks workers, so
    ``get_worker_info()`` is always ``None`` inside ``__iter__``."""

    def __iter__(self):
        raise NotImplementedError("Subclasses of IterableDataset should implement __iter__.")

    def __add__(self, other):
        return ChainDataset([self, other])


class TensorDataset(Dataset):
    """``TensorDataset(*tensors)``: sample ``i`` is ``tuple(t[i] for t in tensors)``.

    Each argument is a tidu `Tensor` or an array (converted with `as_tensor`: an array keeps
    its dtype, as ``torch.as_tensor``); all must share the size of their first dim.  A
    `DataLoader` with the default collation cuts whole batches from these tensors at once
    (one fancy index per tensor per batch), never sample by sample.  PyTorch raises an
    AssertionError for a size mismatch; tidu a `ShapeError` naming the tensor.
    """

    def __init__(self, *tensors) -> None:
        if not tensors:
            raise ArgumentError("TensorDataset: expected at least one tensor, got none")
        tensors = tuple(t if isinstance(t, Tensor) else as_tensor(t) for t in tensors)
        for i, t in enumerate(tensors):
            if t.ndim == 0:
                raise ShapeError(f"TensorDataset: tensor {i} must have a first (sample) dim, "
                                 f"got a 0-d tensor")
            if t.shape[0] != tensors[0].shape[0]:
                raise ShapeError(f"TensorDataset: size mismatch between tensors: tensor {i} has "
                                 f"shape {shape_str(t.shape)}, tensor 0 has "
                                 f"{shape_str(tensors[0].shape)}; the first dims must match")
        self.tensors = tensors

    def __getitem__(self, index):
        return tuple(t[index] for t in self.tensors)

    def __len__(self) -> int:
        return self.tensors[0].shape[0]

    def __repr__(self) -> str:
        return f"TensorDataset({', '.join(shape_str(t.shape) for t in self.tensors)})"


class StackDataset(Dataset):
    """``StackDataset(*datasets)`` → sample ``i`` is ``tuple(d[i] for d in datasets)``;
    ``StackDataset(**datasets)`` → ``{name: d[i]}``.  All must have one length."""

    def __init__(self, *args, **kwargs) -> None:
        if args and kwargs:
            raise ArgumentError("StackDataset: give datasets either as positional (tuple "
                                "samples) or as keyword arguments (dict samples), not both")
        if not args and not kwargs:
            raise ArgumentError("StackDataset: at least one dataset should be passed")
        parts = list(args) if args else list(kwargs.values())
        self._length = len(parts[0])
        if any(len(d) != self._length for d in parts):
            raise ShapeError(f"StackDataset: size mismatch between datasets: lengths "
                             f"{[len(d) for d in parts]}")
        self.datasets = args if args else kwargs

    def __getitem__(self, index):
        if isinstance(self.datasets, dict):
            return {k: d[index] for k, d in self.datasets.items()}
        return tuple(d[index] for d in self.datasets)

    def __len__(self) -> int:
        return self._length


class ConcatDataset(Dataset):
    """Map-style datasets one after the other: index ``i`` falls in the dataset whose
    cumulative size first exceeds it (``cumulative_sizes``); negative indices count from the
    end.  PyTorch raises AssertionError for an empty list or an `IterableDataset` in it;
    tidu an `ArgumentError` (a ValueError)."""

    @staticmethod
    def cumsum(sequence):
        return list(itertools.accumulate(len(d) for d in sequence))

    def __init__(self, datasets) -> None:
        self.datasets = list(datasets)
        if not self.datasets:
            raise ArgumentError("ConcatDataset: datasets should not be an empty iterable")
        for i, d in enumerate(self.datasets):
            if isinstance(d, IterableDataset):
                raise ArgumentError(f"ConcatDataset: dataset {i} is an IterableDataset, which "
                                    f"ConcatDataset does not support (use ChainDataset)")
        self.cumulative_sizes = self.cumsum(self.datasets)

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, idx):
        if idx < 0:
            if -idx > len(self):
                raise ArgumentError(f"ConcatDataset: absolute value of index should not "
                                    f"exceed dataset length {len(self)}, got {idx}")
            idx = len(self) + idx
        which = bisect.bisect_right(self.cumulative_sizes, idx)
        start = self.cumulative_sizes[which - 1] if which else 0
        return self.datasets[which][idx - start]


class ChainDataset(IterableDataset):
    """Iterable datasets one after the other (iterated lazily)."""

    def __init__(self, datasets) -> None:
        self.datasets = datasets

    def _checked(self):
        for d in self.datasets:
            if not isinstance(d, IterableDataset):
                raise ArgumentError(f"ChainDataset only supports IterableDataset, got "
                                    f"{type(d).__name__}")
            yield d

    def __iter__(self):
        for d in self._checked():
            yield from d

    def __len__(self) -> int:
        return sum(len(d) for d in self._checked())


class Subset(Dataset):
    """``Subset(dataset, indices)``: sample ``i`` is ``dataset[indices[i]]`` (no copy)."""

    def __init__(self, dataset, indices) -> None:
        self.dataset = dataset
        self.indices = indices

    def __getitem__(self, idx):
        if isinstance(idx, list):
            return self.dataset[[self.indices[i] for i in idx]]
        return self.dataset[self.indices[idx]]

    def __getitems__(self, indices):
        """A batch of samples, through the wrapped dataset's ``__getitems__`` if it has one
        (as PyTorch's `DataLoader` asks)."""
        inner = [self.indices[i] for i in indices]
        if callable(getattr(self.dataset, "__getitems__", None)):
            return self.dataset.__getitems__(inner)
        return [self.dataset[i] for i in inner]

    def __len__(self) -> int:
        return len(self.indices)


def random_split(dataset, lengths, generator=None) -> list:
    """Split ``dataset`` into non-overlapping `Subset` s of the given ``lengths``.

    ``lengths`` are ints summing to ``len(dataset)``, or fractions summing to 1 (each split
    gets ``floor(n * fraction)`` samples, the remainder handed out one by one from the first
    split on, as PyTorch ≥ 1.13; a split left empty warns).  The samples are assigned by one
    random permutation drawn from ``generator`` (a ``numpy.random.Generator``, e.g.
    ``tidu.Generator().manual_seed(42)``; default: tidu's global generator, which
    `tidu.manual_seed` fixes).  The permutation is not PyTorch's for the same seed.

    Examples
    --------
    >>> import numpy as np
    >>> from tidu.utils.data import random_split
    >>> train, val = random_split(range(10), [0.8, 0.2], generator=np.random.default_rng(0))
    >>> len(train), len(val), sorted(list(train) + list(val)) == list(range(10))
    (8, 2, True)
    """
    check_generator(generator, "random_split")
    lengths = list(lengths)
    n = len(dataset)
    total = sum(lengths)
    if math.isclose(total, 1) and total <= 1:
        sizes = []
        for i, frac in enumerate(lengths):
            if frac < 0 or frac > 1:
                raise ArgumentError(f"random_split: fraction at index {i} is not between 0 "
                                    f"and 1, got {frac!r}")
            sizes.append(math.floor(n * frac))
        for i in range(n - sum(sizes)):
            sizes[i % len(sizes)] += 1
        for i, size in enumerate(sizes):
            if size == 0:
                warnings.warn(f"Length of split at index {i} is 0. This might result in an "
                              f"empty dataset.", stacklevel=2)
        lengths = sizes
    if any(not isinstance(k, (int, np.integer)) or k < 0 for k in lengths):
        raise ArgumentError(f"random_split: lengths must be non-negative ints or fractions "
                            f"summing to 1, got {lengths!r}")
    if sum(lengths) != n:
        raise ArgumentError(f"random_split: sum of input lengths ({sum(lengths)}) does not "
                            f"equal the length of the input dataset ({n})")
    order = resolve_generator(generator, "random_split").permutation(n).tolist()
    bounds = list(itertools.accumulate(lengths))
    return [Subset(dataset, order[stop - k:stop]) for stop, k in zip(bounds, lengths)]
