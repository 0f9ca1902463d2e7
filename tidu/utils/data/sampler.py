"""Samplers: which sample indices a `DataLoader` reads, and in what order (as
``torch.utils.data.sampler``).

Random samplers draw from a ``numpy.random.Generator`` (`tidu.Generator` is one): the one
passed as ``generator=``, else tidu's global generator (`tidu.manual_seed` fixes it).  The
orders are not PyTorch's numbers, only the same distributions.
"""
from __future__ import annotations

import itertools

import numpy as np

from ... import random as _random
from ...errors import ArgumentError

__all__ = ["Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler",
           "WeightedRandomSampler", "BatchSampler"]


def _is_int(value) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def resolve_generator(generator, owner: str) -> np.random.Generator:
    """``generator`` itself, or tidu's global generator for ``None``."""
    if generator is None:
        return _random.generator()
    if not isinstance(generator, np.random.Generator):
        raise TypeError(f"{owner}: generator must be a numpy.random.Generator (e.g. "
                        f"tidu.Generator().manual_seed(0)) or None, got "
                        f"{type(generator).__name__}")
    return generator


def check_generator(generator, owner: str):
    if generator is not None:
        resolve_generator(generator, owner)
    return generator


class Sampler:
    """Base class: a sampler is iterable over indices (or, for a batch sampler, over lists
    of indices); ``__len__`` is optional.  ``data_source`` is accepted and ignored, as in
    PyTorch (deprecated there)."""

    def __init__(self, data_source=None) -> None:
        pass

    def __iter__(self):
        raise NotImplementedError

    def __class_getitem__(cls, item):  # Sampler[int] in annotations, as typing.Generic
        return cls


class SequentialSampler(Sampler):
    """``0, 1, …, len(data_source) - 1``, always in that order."""

    def __init__(self, data_source) -> None:
        self.data_source = data_source

    def _order(self) -> np.ndarray:
        return np.arange(len(self.data_source))

    def __iter__(self):
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)


class RandomSampler(Sampler):
    """Indices in random order, a fresh order at every ``iter``.

    ``RandomSampler(data_source, replacement=False, num_samples=None, generator=None)``:
    without replacement, a permutation of ``range(len(data_source))`` (``num_samples``
    defaults to ``len(data_source)``; a larger ``num_samples`` chains whole permutations, the
    last one cut, as PyTorch); with replacement, ``num_samples`` independent uniform draws.
    """

    def __init__(self, data_source, replacement: bool = False, num_samples=None,
                 generator=None) -> None:
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = check_generator(generator, "RandomSampler")
        if not isinstance(replacement, bool):
            raise TypeError(f"RandomSampler: replacement should be a boolean value, but got "
                            f"replacement={replacement!r}")
        if not _is_int(self.num_samples) or self.num_samples <= 0:
            raise ArgumentError(f"RandomSampler: num_samples should be a positive integer "
                                f"value, but got num_samples={self.num_samples!r}")

    @property
    def num_samples(self) -> int:
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def _order(self) -> np.ndarray:
        """One epoch's indices, drawn at once."""
        n, m = len(self.data_source), int(self.num_samples)
        rng = resolve_generator(self.generator, "RandomSampler")
        if self.replacement:
            return rng.integers(0, n, size=m)
        parts = [rng.permutation(n) for _ in range(m // n)]
        if m % n:
            parts.append(rng.permutation(n)[:m % n])
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)

    def __iter__(self):
        return iter(self._order().tolist())

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given ``indices`` in a random order, a fresh one at every ``iter``."""

    def __init__(self, indices, generator=None) -> None:
        self.indices = indices
        self.generator = check_generator(generator, "SubsetRandomSampler")

    def __iter__(self):
        rng = resolve_generator(self.generator, "SubsetRandomSampler")
        for i in rng.permutation(len(self.indices)).tolist():
            yield self.indices[i]

    def __len__(self) -> int:
        return len(self.indices)


class WeightedRandomSampler(Sampler):
    """``num_samples`` indices ``i`` drawn with probability ``weights[i] / Σ weights``.

    ``WeightedRandomSampler(weights, num_samples, replacement=True, generator=None)``: with
    ``replacement=False`` an index is drawn at most once.  Weights need not sum to one; they
    must be finite and ≥ 0 with a positive sum (checked here, where PyTorch only fails when
    iterating, with a RuntimeError).
    """

    def __init__(self, weights, num_samples: int, replacement: bool = True,
                 generator=None) -> None:
        if not _is_int(num_samples) or num_samples <= 0:
            raise ArgumentError(f"WeightedRandomSampler: num_samples should be a positive "
                                f"integer value, but got num_samples={num_samples!r}")
        if not isinstance(replacement, bool):
            raise ArgumentError(f"WeightedRandomSampler: replacement should be a boolean "
                                f"value, but got replacement={replacement!r}")
        w = np.asarray(getattr(weights, "_data", weights), dtype=np.float64)
        if w.ndim != 1:
            raise ArgumentError(f"WeightedRandomSampler: weights should be a 1d sequence but "
                                f"given weights have shape {tuple(w.shape)}")
        if not np.all(np.isfinite(w)) or np.any(w < 0) or not w.sum() > 0:
            raise ArgumentError("WeightedRandomSampler: weights must be finite and >= 0 with a "
                                "positive sum")
        if not replacement and num_samples > np.count_nonzero(w):
            raise ArgumentError(f"WeightedRandomSampler: cannot draw num_samples={num_samples} "
                                f"without replacement from {np.count_nonzero(w)} non-zero "
                                f"weights")
        self.weights = w
        self.num_samples = int(num_samples)
        self.replacement = replacement
        self.generator = check_generator(generator, "WeightedRandomSampler")

    def _order(self) -> np.ndarray:
        rng = resolve_generator(self.generator, "WeightedRandomSampler")
        return rng.choice(len(self.weights), size=self.num_samples, replace=self.replacement,
                          p=self.weights / self.weights.sum())

    def __iter__(self):
        return iter(self._order().tolist())

    def __len__(self) -> int:
        return self.num_samples


class BatchSampler(Sampler):
    """Group another sampler's indices into lists of ``batch_size``; ``drop_last=True`` drops
    the last, shorter list.  ``len`` is ``len(sampler) // batch_size`` with ``drop_last``,
    else rounded up."""

    def __init__(self, sampler, batch_size: int, drop_last: bool) -> None:
        if not _is_int(batch_size) or batch_size <= 0:
            raise ArgumentError(f"BatchSampler: batch_size should be a positive integer value, "
                                f"but got batch_size={batch_size!r}")
        if not isinstance(drop_last, bool):
            raise ArgumentError(f"BatchSampler: drop_last should be a boolean value, but got "
                                f"drop_last={drop_last!r}")
        self.sampler = sampler
        self.batch_size = int(batch_size)
        self.drop_last = drop_last

    def __iter__(self):
        it, size = iter(self.sampler), self.batch_size
        while True:
            batch = list(itertools.islice(it, size))
            if not batch or (self.drop_last and len(batch) < size):
                return
            yield batch

    def _index_arrays(self):
        """The same batches as index arrays: cut from one epoch's order drawn at once when
        the sampler is one of tidu's own (same random draws as ``iter``), else gathered."""
        if type(self.sampler) in (SequentialSampler, RandomSampler, WeightedRandomSampler):
            order, size = self.sampler._order(), self.batch_size
            stop = len(order) - len(order) % size if self.drop_last else len(order)
            for lo in range(0, stop, size):
                yield order[lo:lo + size]
        else:
            for batch in self:
                yield np.asarray(batch)

    def __len__(self) -> int:
        n = len(self.sampler)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
