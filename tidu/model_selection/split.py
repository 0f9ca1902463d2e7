"""Hold-out splits (留出法): `train_test_split` and `train_val_test_split`.

`train_test_split` returns exactly scikit-learn's split (plain and stratified) for the same
int seed: it draws from a legacy ``np.random.RandomState(seed)`` in sklearn's order.
`train_val_test_split` applies the notes' rule for the sizes (note 001, 划分数据集 · 留出法):

    1. 对于小规模样本集（几万量级），常用的分配比例是 60% 训练集、20% 验证集、20% 测试集。
    2. 对于大规模样本集（百万级以上），只要验证集和测试集的数量足够即可，例如有 100w 条数据，
       那么留 1w 验证集，1w 测试集即可。1000w 的数据，同样留 1w 验证集和 1w 测试集。

(small data — tens of thousands of samples: 60% training, 20% validation, 20% test; large
data — a million and more: the validation and test sets need only be big enough, e.g.
10,000 each out of 1,000,000 or out of 10,000,000.)
"""
from __future__ import annotations

import math

import numpy as np

from ..data.validation import as_array, check_arrays
from ..errors import ShapeError
from ..tensor import Tensor
from ._checks import as_random_state, is_int, split_sizes

__all__ = ["train_test_split", "train_val_test_split"]


def _approximate_mode(counts: np.ndarray, n_draws: int, rng) -> np.ndarray:
    """sklearn's per-class allocation: the floor of each class's proportional share, the
    remainder given to the largest fractional parts (ties broken at random)."""
    continuous = counts / counts.sum() * n_draws
    floored = np.floor(continuous)
    need = int(n_draws - floored.sum())
    if need > 0:
        remainder = continuous - floored
        for value in np.sort(np.unique(remainder))[::-1]:  # a loop over distinct remainders
            (inds,) = np.where(remainder == value)
            add_now = min(len(inds), need)
            inds = rng.choice(inds, size=add_now, replace=False)
            floored[inds] += 1
            need -= add_now
            if need == 0:
                break
    return floored.astype(int)


def _stratified(y: np.ndarray, n_train: int, n_test: int, rng, owner: str):
    """sklearn's ``StratifiedShuffleSplit`` (one split): per class, the approximate-mode
    share of the train and test counts, drawn by a per-class permutation."""
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1:
        raise ShapeError(f"{owner}: stratify must be 1-D class labels, got shape {y.shape}")
    classes, y_idx, counts = np.unique(y, return_inverse=True, return_counts=True)
    if counts.min() < 2:
        raise ValueError(f"{owner}: stratify needs ≥ 2 samples of every class; classes "
                         f"{classes[counts < 2].tolist()} have 1")
    if n_train < len(classes) or n_test < len(classes):
        raise ValueError(f"{owner}: stratify needs ≥ {len(classes)} samples (one per class) in "
                         f"each split, got train {n_train}, test {n_test}")
    per_class = np.split(np.argsort(y_idx, kind="stable"), np.cumsum(counts)[:-1])
    n_i = _approximate_mode(counts, n_train, rng)
    t_i = _approximate_mode(counts - n_i, n_test, rng)
    train, test = [], []
    for i, members in enumerate(per_class):  # a loop over classes, not samples
        shuffled = members[rng.permutation(counts[i])]
        train.append(shuffled[:n_i[i]])
        test.append(shuffled[n_i[i]:n_i[i] + t_i[i]])
    return rng.permutation(np.concatenate(train)), rng.permutation(np.concatenate(test))


def _check_inputs(arrays, owner: str):
    if not arrays:
        raise ValueError(f"{owner}: expected at least one array")
    raw = [check_arrays(a, name=owner, x_name=f"array {i}") for i, a in enumerate(arrays)]
    n = raw[0].shape[0]
    for i, a in enumerate(raw[1:], start=1):
        if a.shape[0] != n:
            raise ShapeError(f"{owner}: array {i} has {a.shape[0]} samples but array 0 has {n}")
    return raw, n


def _labels(stratify, n: int, owner: str) -> np.ndarray:
    y = as_array(stratify, f"{owner}: stratify")
    if y.shape[:1] != (n,):
        raise ShapeError(f"{owner}: stratify has {len(y) if y.ndim else 0} labels but the "
                         f"arrays have {n} samples")
    return y


def _split_indices(n: int, n_train: int, n_test: int, rng, y, owner: str):
    """(train, test) indices of one shuffled split, drawn from ``rng`` as sklearn does."""
    if y is not None:
        return _stratified(y, n_train, n_test, rng, owner)
    permutation = rng.permutation(n)
    return permutation[n_test:n_test + n_train], permutation[:n_test]


def _take(arrays, raw, index_sets) -> list:
    """``[a[part] for each array, for each part]``, keeping tidu Tensors as Tensors."""
    out = []
    for original, a in zip(arrays, raw):
        for index in index_sets:
            part = a[index]
            out.append(Tensor._wrap(part) if isinstance(original, Tensor) else part)
    return out


def train_test_split(*arrays, test_size=None, train_size=None, seed=None, shuffle: bool = True,
                     stratify=None):
    """Split arrays that share their first axis into ``[a_train, a_test, b_train, b_test, …]``.

    ``test_size`` / ``train_size``: a fraction in (0, 1) (test rounded up, train down) or a
    count; by default 25% test (scikit-learn's defaults).  ``shuffle=False`` takes the first
    samples for training.  ``stratify=y`` keeps each class's proportion in both parts (up to
    rounding).  ``seed``: an int (the same split as sklearn's ``random_state=seed``), an
    ``np.random.RandomState`` (advanced, as sklearn), an ``np.random.Generator`` or None (a
    seed drawn from tidu's global generator — sklearn uses NumPy's global state).
    Empty splits, NaN/Inf and arrays of different lengths are refused.
    """
    owner = "train_test_split"
    raw, n = _check_inputs(arrays, owner)
    n_train, n_test = split_sizes(n, test_size, train_size, 0.25, owner)
    if not shuffle:
        if stratify is not None:
            raise ValueError(f"{owner}: stratify needs shuffle=True")
        train, test = np.arange(n_train), np.arange(n_train, n_train + n_test)
    else:
        y = None if stratify is None else _labels(stratify, n, owner)
        train, test = _split_indices(n, n_train, n_test, as_random_state(seed, owner), y, owner)
    return _take(arrays, raw, (train, test))


def _part_size(value, name: str, n: int, large: bool, fixed: int, owner: str) -> int:
    """A part's sample count: an int is a count; a float a fraction of all n samples (rounded
    up) — replaced by the fixed size when the data is large (the notes' rule)."""
    if is_int(value):
        if not 0 < value < n:
            raise ValueError(f"{owner}: {name}={value} must be an int in [1, {n - 1}] or a "
                             f"float in (0, 1) for {n} samples")
        return int(value)
    if isinstance(value, (float, np.floating)):
        if not 0 < value < 1:
            raise ValueError(f"{owner}: {name}={value} must be a float in (0, 1) or an int "
                             f"count, got {value}")
        # rounded first so that float noise cannot add a sample (0.2 · 35 = 7.000000000000001)
        return fixed if large else math.ceil(round(value * n, 9))
    raise TypeError(f"{owner}: {name} must be a float (a fraction) or an int (a count), got "
                    f"{value!r}")


def train_val_test_split(*arrays, val_size=0.2, test_size=0.2, stratify=None, seed=None,
                         large_data_threshold: int | None = 100_000,
                         large_fixed_size: int = 10_000):
    """Split arrays that share their first axis into training, validation and test parts,
    grouped by part: ``(X_train, y_train), (X_val, y_val), (X_test, y_test) =
    train_val_test_split(X, y)`` — each part a tuple with one array per input array, ready to
    pass to ``fit`` as ``train_data`` / ``val_data``; with a single input array each part is
    that array's piece (``train, val, test = train_val_test_split(X)``).  (`train_test_split`
    keeps scikit-learn's flat ``[a_train, a_test, b_train, b_test]`` instead.)

    The notes' rule (note 001, 划分数据集 · 留出法): «对于小规模样本集（几万量级），常用的分配
    比例是 60% 训练集、20% 验证集、20% 测试集。对于大规模样本集（百万级以上），只要验证集和
    测试集的数量足够即可，例如有 100w 条数据，那么留 1w 验证集，1w 测试集即可。»  So:

    * n < ``large_data_threshold`` (100,000): the fractions ``val_size`` and ``test_size`` of
      all n samples (each rounded up; by default 20% and 20%, leaving 60% for training);
    * n ≥ ``large_data_threshold``: every size given as a fraction becomes
      ``large_fixed_size`` samples (10,000) — the validation and test sets only need to be
      big enough, the rest trains.  ``large_data_threshold=None`` turns the rule off.

    A size given as an int is a count and is always used as it is.  The notes also say that
    with few or easy hyper-parameters the validation share can shrink (超参数越少…可以减少
    验证集的比例): pass a smaller ``val_size``.

    The test set is drawn first, then the validation set from the rest, both from one
    ``np.random.RandomState`` — exactly two scikit-learn ``train_test_split`` calls sharing
    ``rs = RandomState(seed)``: ``rest, test = split(X, test_size=n_test, random_state=rs)``,
    then ``train, val = split(rest, test_size=n_val, random_state=rs)`` (each stratified on
    its part of ``stratify`` when given, keeping the class proportions in all three parts).
    ``seed`` as in `train_test_split`.
    """
    owner = "train_val_test_split"
    raw, n = _check_inputs(arrays, owner)
    if large_data_threshold is not None and (not is_int(large_data_threshold)
                                             or large_data_threshold < 1):
        raise ValueError(f"{owner}: large_data_threshold must be a positive int or None, got "
                         f"{large_data_threshold!r}")
    if not is_int(large_fixed_size) or large_fixed_size < 1:
        raise ValueError(f"{owner}: large_fixed_size must be a positive int, got "
                         f"{large_fixed_size!r}")
    large = large_data_threshold is not None and n >= large_data_threshold
    n_val = _part_size(val_size, "val_size", n, large, large_fixed_size, owner)
    n_test = _part_size(test_size, "test_size", n, large, large_fixed_size, owner)
    n_train = n - n_val - n_test
    if n_train < 1:
        raise ValueError(f"{owner}: validation ({n_val}) + test ({n_test}) samples leave no "
                         f"training data out of {n}; reduce val_size and/or test_size")
    rng = as_random_state(seed, owner)
    y = None if stratify is None else _labels(stratify, n, owner)
    rest, test = _split_indices(n, n - n_test, n_test, rng, y, owner)
    train, val = _split_indices(len(rest), n_train, n_val, rng,
                                None if y is None else y[rest], owner)
    index_sets = (rest[train], rest[val], test)
    pieces = _take(arrays, raw, index_sets)  # per array: train, val, test
    if len(arrays) == 1:
        return tuple(pieces)
    return tuple(tuple(pieces[a * 3 + part] for a in range(len(arrays))) for part in range(3))
