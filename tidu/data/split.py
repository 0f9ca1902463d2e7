"""`train_test_split`: hold out a test (or validation) set, as scikit-learn's.

Given the same int ``seed`` as sklearn's ``random_state`` it returns exactly sklearn's split
(plain and stratified): it draws from a legacy ``np.random.RandomState(seed)`` in the same
order, so results can be compared with, and reproduced from, scikit-learn code.
"""
from __future__ import annotations

import math

import numpy as np

from .. import random as _random
from ..errors import ShapeError
from ..tensor import Tensor
from .validation import as_array, check_arrays

__all__ = ["train_test_split"]


def _sizes(n: int, test_size, train_size) -> tuple[int, int]:
    def kind(v):
        if v is None:
            return None
        if isinstance(v, (bool, np.bool_)):
            raise TypeError(f"train_test_split: sizes must be ints or floats, got {v!r}")
        return "i" if isinstance(v, (int, np.integer)) else "f"

    if test_size is None and train_size is None:
        test_size = 0.25
    for name, v in (("test_size", test_size), ("train_size", train_size)):
        k = kind(v)
        if (k == "i" and not 0 < v < n) or (k == "f" and not 0 < v < 1):
            raise ValueError(f"train_test_split: {name}={v} must be an int in [1, {n - 1}] or "
                             f"a float in (0, 1) for {n} samples (no split may be empty)")
    n_test = None if test_size is None else (
        math.ceil(test_size * n) if kind(test_size) == "f" else int(test_size))
    n_train = None if train_size is None else (
        math.floor(train_size * n) if kind(train_size) == "f" else int(train_size))
    if n_train is None:
        n_train = n - n_test
    if n_test is None:
        n_test = n - n_train
    if n_train + n_test > n:
        raise ValueError(f"train_test_split: train ({n_train}) + test ({n_test}) samples exceed "
                         f"the {n} available")
    if n_train == 0 or n_test == 0:
        raise ValueError(f"train_test_split: with {n} samples, test_size={test_size} and "
                         f"train_size={train_size} one split would be empty")
    return n_train, n_test


def _random_state(seed) -> np.random.RandomState:
    if seed is None:
        seed = int(_random.generator().integers(0, 2**32))
    elif isinstance(seed, np.random.Generator):
        seed = int(seed.integers(0, 2**32))
    return np.random.RandomState(seed)


def _approximate_mode(counts: np.ndarray, n_draws: int, rng) -> np.ndarray:
    """sklearn's per-class allocation: floor of the proportional share, the remainder given
    to the largest fractional parts (ties broken at random)."""
    continuous = counts / counts.sum() * n_draws
    floored = np.floor(continuous)
    need = int(n_draws - floored.sum())
    if need > 0:
        remainder = continuous - floored
        for value in np.sort(np.unique(remainder))[::-1]:
            (inds,) = np.where(remainder == value)
            add_now = min(len(inds), need)
            inds = rng.choice(inds, size=add_now, replace=False)
            floored[inds] += 1
            need -= add_now
            if need == 0:
                break
    return floored.astype(int)


def _stratified(y: np.ndarray, n_train: int, n_test: int, rng):
    classes, y_idx, counts = np.unique(y, return_inverse=True, return_counts=True)
    if counts.min() < 2:
        raise ValueError(f"train_test_split: stratify needs ≥ 2 samples of every class; "
                         f"classes {classes[counts < 2].tolist()} have 1")
    if n_train < len(classes) or n_test < len(classes):
        raise ValueError(f"train_test_split: stratify needs ≥ {len(classes)} samples (one per "
                         f"class) in each split, got train {n_train}, test {n_test}")
    per_class = np.split(np.argsort(y_idx, kind="stable"), np.cumsum(counts)[:-1])
    n_i = _approximate_mode(counts, n_train, rng)
    t_i = _approximate_mode(counts - n_i, n_test, rng)
    train, test = [], []
    for i, members in enumerate(per_class):  # a loop over classes, not samples
        shuffled = members[rng.permutation(counts[i])]
        train.append(shuffled[:n_i[i]])
        test.append(shuffled[n_i[i]:n_i[i] + t_i[i]])
    return rng.permutation(np.concatenate(train)), rng.permutation(np.concatenate(test))


def train_test_split(*arrays, test_size=None, train_size=None, seed=None, shuffle: bool = True,
                     stratify=None):
    """Split arrays that share their first axis into ``[a_train, a_test, b_train, b_test, …]``.

    ``test_size`` / ``train_size``: a fraction in (0, 1) (test rounded up, train down) or a
    count; by default 25% test.  ``shuffle=False`` takes the first samples for training.
    ``stratify=y`` keeps each class's proportion in both parts (up to rounding).
    Empty splits, NaN/Inf and arrays of different lengths are refused.
    """
    if not arrays:
        raise ValueError("train_test_split: expected at least one array")
    raw = [check_arrays(a, name="train_test_split", x_name=f"array {i}")
           for i, a in enumerate(arrays)]
    n = raw[0].shape[0]
    for i, a in enumerate(raw[1:], start=1):
        if a.shape[0] != n:
            raise ShapeError(f"train_test_split: array {i} has {a.shape[0]} samples but array 0 "
                             f"has {n}")
    n_train, n_test = _sizes(n, test_size, train_size)
    if not shuffle:
        if stratify is not None:
            raise ValueError("train_test_split: stratify needs shuffle=True")
        train, test = np.arange(n_train), np.arange(n_train, n_train + n_test)
    else:
        rng = _random_state(seed)
        if stratify is not None:
            y = as_array(stratify, "train_test_split: stratify")
            if y.shape[:1] != (n,):
                raise ShapeError(f"train_test_split: stratify has {len(y)} labels but the "
                                 f"arrays have {n} samples")
            train, test = _stratified(y, n_train, n_test, rng)
        else:
            permutation = rng.permutation(n)
            test, train = permutation[:n_test], permutation[n_test:n_test + n_train]
    out = []
    for original, a in zip(arrays, raw):
        for index in (train, test):
            part = a[index]
            out.append(Tensor._wrap(part) if isinstance(original, Tensor) else part)
    return out
