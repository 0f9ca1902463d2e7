"""Shared argument checks: seeds as scikit-learn's ``random_state``, split sizes, sample counts."""
from __future__ import annotations

import math

import numpy as np

from .. import random as _random
from ..data.validation import as_array

__all__ = ["as_random_state", "split_sizes", "n_samples_of", "is_int"]


def is_int(value) -> bool:
    """An int (Python or NumPy), not a bool."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def as_random_state(seed, owner: str) -> np.random.RandomState:
    """A legacy ``np.random.RandomState`` to draw splits from, as sklearn's
    ``check_random_state``: an int gives a fresh ``RandomState(seed)`` (the same splits on
    every call), a ``RandomState`` is used — and advanced — as it is.

    Differences from sklearn: ``None`` draws a seed from tidu's global generator (so
    ``tidu.manual_seed(s)`` makes the split reproducible; sklearn uses NumPy's global
    ``np.random`` state), and an ``np.random.Generator`` is accepted (one seed drawn from it).
    """
    if isinstance(seed, np.random.RandomState):
        return seed
    if seed is None:
        return np.random.RandomState(int(_random.generator().integers(0, 2**32)))
    if isinstance(seed, np.random.Generator):
        return np.random.RandomState(int(seed.integers(0, 2**32)))
    if not is_int(seed) or not 0 <= seed < 2**32:
        raise TypeError(f"{owner}: the seed must be an int in [0, 2**32), an "
                        f"np.random.RandomState, an np.random.Generator or None, got {seed!r}")
    return np.random.RandomState(int(seed))


def _size_kind(owner: str, name: str, value) -> str | None:
    if value is None:
        return None
    if is_int(value):
        return "i"
    if isinstance(value, (float, np.floating)):
        return "f"
    raise TypeError(f"{owner}: {name} must be an int (a count), a float (a fraction) or None, "
                    f"got {value!r}")


def split_sizes(n: int, test_size, train_size, default_test_size: float,
                owner: str) -> tuple[int, int]:
    """``(n_train, n_test)`` as sklearn's ``_validate_shuffle_split``: a float is a fraction
    in (0, 1) — the test count rounded up, the train count down — an int a count in
    [1, n − 1]; a missing size is the complement of the other; neither given means
    ``default_test_size``.  Empty parts and parts that overlap are refused."""
    if test_size is None and train_size is None:
        test_size = default_test_size
    kinds = {}
    for name, value in (("test_size", test_size), ("train_size", train_size)):
        kind = kinds[name] = _size_kind(owner, name, value)
        if (kind == "i" and not 0 < value < n) or (kind == "f" and not 0 < value < 1):
            raise ValueError(f"{owner}: {name}={value} must be an int in [1, {n - 1}] or a "
                             f"float in (0, 1) for {n} samples (no split may be empty)")
    if kinds["test_size"] == "f" and kinds["train_size"] == "f" and test_size + train_size > 1:
        raise ValueError(f"{owner}: test_size + train_size = {test_size + train_size:g} "
                         f"exceeds 1; reduce one of them")
    n_test = None if test_size is None else (
        math.ceil(test_size * n) if kinds["test_size"] == "f" else int(test_size))
    n_train = None if train_size is None else (
        math.floor(train_size * n) if kinds["train_size"] == "f" else int(train_size))
    if n_train is None:
        n_train = n - n_test
    if n_test is None:
        n_test = n - n_train
    if n_train + n_test > n:
        raise ValueError(f"{owner}: train ({n_train}) + test ({n_test}) samples exceed the {n} "
                         f"available; reduce test_size and/or train_size")
    if n_train == 0 or n_test == 0:
        raise ValueError(f"{owner}: with {n} samples, test_size={test_size} and "
                         f"train_size={train_size} one split would be empty")
    return n_train, n_test


def n_samples_of(X, owner: str) -> int:
    """The length of the sample (first) axis of an array, tensor or list."""
    arr = as_array(X, f"{owner}: X")
    if arr.ndim == 0:
        raise ValueError(f"{owner}: X must have a sample axis, got a scalar")
    return int(arr.shape[0])
