"""`DataLoader`, as ``torch.utils.data.DataLoader``: batches from any dataset.

A map-style dataset (anything with ``__getitem__``/``__len__``) is read through a sampler
(`SequentialSampler`, or `RandomSampler` for ``shuffle=True``) grouped by a `BatchSampler`,
and each batch of samples goes through ``collate_fn`` (`default_collate`); an
`IterableDataset` is iterated and its samples grouped in turn.  For a `TensorDataset` (or a
`Subset` of one) with the default collation, each batch is cut from the whole tensors by one
fancy index, as tidu's array loader (`tidu.data.DataLoader`) does; the batches are the same
as sample-by-sample collation would give.  Batches cut this way are copies on the default
device (`tidu.set_backend`).

Where tidu differs from PyTorch: ``num_workers > 0`` is accepted but tidu never starts
worker processes: everything loads in the main process, so results are identical and only
the speed differs (``worker_init_fn`` is therefore never called, and `get_worker_info`
returns ``None``); ``pin_memory`` is accepted and does nothing; ``generator`` is a
``numpy.random.Generator`` (`tidu.Generator`), and shuffled orders are not PyTorch's numbers.
"""
from __future__ import annotations

import numpy as np

from ...backend import get_default_device, to_device
from ...errors import ArgumentError
from ...tensor import Tensor
from .collate import default_collate, default_convert
from .dataset import IterableDataset, Subset, TensorDataset
from .sampler import BatchSampler, RandomSampler, SequentialSampler, check_generator

__all__ = ["DataLoader", "get_worker_info"]


def get_worker_info():
    """Always ``None``: tidu loads every batch in the main process (no workers)."""
    return None


def _fast_source(dataset):
    """``(tensors, index_map)`` when batches of ``dataset`` can be cut from whole tensors:
    a plain `TensorDataset` (tensors that need no gradient) or a `Subset` chain over one;
    ``index_map`` turns batch indices into rows of the tensors (None: identity)."""
    index_map = None
    while type(dataset) is Subset:
        inner = np.asarray(dataset.indices, dtype=np.int64).reshape(-1)
        index_map = inner if index_map is None else inner[index_map]
        dataset = dataset.dataset
    if type(dataset) is not TensorDataset:
        return None
    if any(t.requires_grad for t in dataset.tensors):
        return None  # sample by sample, so that the stacked batch keeps the graph
    return dataset.tensors, index_map


class _InfiniteConstantSampler:
    """The sampler of an `IterableDataset`: ``None`` forever (indices mean nothing there)."""

    def __iter__(self):
        while True:
            yield None


class DataLoader:
    """Iterate over ``dataset`` in batches, as ``torch.utils.data.DataLoader``.

    ``DataLoader(dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None,
    num_workers=0, collate_fn=None, pin_memory=False, drop_last=False, timeout=0,
    worker_init_fn=None, multiprocessing_context=None, generator=None, *,
    prefetch_factor=None, persistent_workers=False, pin_memory_device='', in_order=True)``

    * ``shuffle=True``: a `RandomSampler` (a fresh permutation at every ``iter(loader)``,
      drawn from ``generator`` or tidu's global generator); ``sampler``: any iterable of
      indices (exclusive with ``shuffle``); ``batch_sampler``: any iterable of index lists
      (exclusive with ``batch_size``, ``shuffle``, ``sampler`` and ``drop_last``);
    * ``batch_size=None`` turns batching off: each sample goes through `default_convert`
      alone (PyTorch's meaning; tidu's array loader instead reads it as "one full batch");
    * ``drop_last=True`` drops the last, smaller batch; ``len(loader)`` is the number of
      batches (for an `IterableDataset`, derived from its ``len`` if it has one);
    * ``collate_fn`` defaults to `default_collate` (batching) or `default_convert`.

    Misused options raise `ArgumentError` (a ValueError, as PyTorch's ValueError).

    Examples
    --------
    >>> import numpy as np
    >>> from tidu.utils.data import DataLoader, TensorDataset
    >>> data = TensorDataset(np.arange(10.0).reshape(5, 2), np.arange(5))
    >>> [tuple(x.shape) for x, y in DataLoader(data, batch_size=2)]
    [(2, 2), (2, 2), (1, 2)]
    """

    _FROZEN = ("batch_size", "batch_sampler", "sampler", "drop_last", "dataset",
               "persistent_workers")

    def __init__(self, dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None,
                 num_workers: int = 0, collate_fn=None, pin_memory: bool = False,
                 drop_last: bool = False, timeout: float = 0, worker_init_fn=None,
                 multiprocessing_context=None, generator=None, *, prefetch_factor=None,
                 persistent_workers: bool = False, pin_memory_device: str = "",
                 in_order: bool = True) -> None:
        if num_workers < 0:
            raise ArgumentError("DataLoader: num_workers option should be non-negative; use "
                                f"num_workers=0 to disable multiprocessing, got {num_workers}")
        if timeout < 0:
            raise ArgumentError(f"DataLoader: timeout option should be non-negative, got "
                                f"{timeout}")
        if num_workers == 0 and prefetch_factor is not None:
            raise ArgumentError("DataLoader: prefetch_factor option could only be specified in "
                                "multiprocessing; let num_workers > 0 to enable it, otherwise "
                                "set prefetch_factor to None")
        if num_workers > 0 and prefetch_factor is None:
            prefetch_factor = 2
        elif prefetch_factor is not None and prefetch_factor < 0:
            raise ArgumentError(f"DataLoader: prefetch_factor option should be non-negative, "
                                f"got {prefetch_factor}")
        if persistent_workers and num_workers == 0:
            raise ArgumentError("DataLoader: persistent_workers option needs num_workers > 0")
        if multiprocessing_context is not None and num_workers == 0:
            raise ArgumentError("DataLoader: multiprocessing_context can only be used with "
                                "multi-process loading (num_workers > 0), but got "
                                "num_workers=0")
        check_generator(generator, "DataLoader")
        self._iterable = isinstance(dataset, IterableDataset)
        if self._iterable:
            if shuffle not in (False, None):
                raise ArgumentError(f"DataLoader with IterableDataset: expected unspecified "
                                    f"shuffle option, but got shuffle={shuffle}")
            if sampler is not None:
                raise ArgumentError(f"DataLoader with IterableDataset: expected unspecified "
                                    f"sampler option, but got sampler={sampler}")
            if batch_sampler is not None:
                raise ArgumentError(f"DataLoader with IterableDataset: expected unspecified "
                                    f"batch_sampler option, but got batch_sampler="
                                    f"{batch_sampler}")
        else:
            shuffle = bool(shuffle)
        if sampler is not None and shuffle:
            raise ArgumentError("DataLoader: sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ArgumentError("DataLoader: batch_sampler option is mutually exclusive "
                                    "with batch_size, shuffle, sampler, and drop_last")
            batch_size, drop_last = None, False
        elif batch_size is None and drop_last:
            raise ArgumentError("DataLoader: batch_size=None option disables auto-batching and "
                                "is mutually exclusive with drop_last")
        if sampler is None:
            if self._iterable:
                sampler = _InfiniteConstantSampler()
            elif shuffle:
                sampler = RandomSampler(dataset, generator=generator)
            else:
                sampler = SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)

        self.dataset = dataset
        self.num_workers = num_workers
        self.prefetch_factor = prefetch_factor
        self.pin_memory = pin_memory  # accepted, no effect: there is nothing to pin
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn  # never called: no worker processes
        self.multiprocessing_context = multiprocessing_context
        self.in_order = in_order
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.generator = generator
        if collate_fn is None:
            collate_fn = default_collate if self._auto_collation else default_convert
        self.collate_fn = collate_fn
        self.persistent_workers = persistent_workers
        self._initialized = True

    def __setattr__(self, attr, value) -> None:
        if getattr(self, "_initialized", False) and attr in self._FROZEN:
            raise ArgumentError(f"{attr} attribute should not be set after "
                                f"{type(self).__name__} is initialized")
        super().__setattr__(attr, value)

    @property
    def _auto_collation(self) -> bool:
        return self.batch_sampler is not None

    @property
    def _index_sampler(self):
        return self.batch_sampler if self._auto_collation else self.sampler

    def __len__(self) -> int:
        if self._iterable:
            n = len(self.dataset)
            if self.batch_size is not None:
                n = n // self.batch_size if self.drop_last else -(-n // self.batch_size)
            return n
        return len(self._index_sampler)

    def __iter__(self):
        if self._iterable:
            return self._iterable_batches()
        fast = (_fast_source(self.dataset)
                if self._auto_collation and self.collate_fn is default_collate else None)
        if fast is not None:
            return self._tensor_batches(*fast)
        return self._map_batches()

    # ------------------------------------------------------------------ the three paths
    def _map_batches(self):
        dataset, collate = self.dataset, self.collate_fn
        if not self._auto_collation:
            for index in self.sampler:
                yield collate(dataset[index])
            return
        getitems = getattr(dataset, "__getitems__", None)
        for indices in self.batch_sampler:
            if callable(getitems):
                samples = getitems(indices)
            else:
                samples = [dataset[i] for i in indices]
            yield collate(samples)

    def _tensor_batches(self, tensors, index_map):
        sampler = self.batch_sampler
        batches = (sampler._index_arrays() if isinstance(sampler, BatchSampler)
                   else (np.asarray(b) for b in sampler))
        n = len(tensors[0]._data)
        for index in batches:
            index = np.asarray(index, dtype=np.int64)
            if index_map is not None:
                index = index_map[index]
            bad = index[(index >= n) | (index < -n)]
            if bad.size:  # (CuPy would wrap an out-of-range index silently)
                raise IndexError(f"DataLoader: index {int(bad[0])} is out of range for a "
                                 f"TensorDataset of {n} samples")
            device = get_default_device()
            yield [Tensor._wrap(to_device(t._data[index], device)) for t in tensors]

    def _iterable_batches(self):
        collate, size = self.collate_fn, self.batch_size
        it = iter(self.dataset)
        if not self._auto_collation:
            for sample in it:
                yield collate(sample)
            return
        while True:
            samples = []
            for sample in it:
                samples.append(sample)
                if len(samples) == size:
                    break
            if not samples or (self.drop_last and len(samples) < size):
                return
            yield collate(samples)
            if len(samples) < size:
                return

    def __repr__(self) -> str:
        return (f"DataLoader({type(self.dataset).__name__}, batch_size={self.batch_size}, "
                f"drop_last={self.drop_last}, sampler={type(self.sampler).__name__})")
