"""Cross-validation splitters: `KFold`, `StratifiedKFold`, `LeaveOneOut`, `ShuffleSplit`.

The notes (note 001, 划分数据集) name three ways to validate: 留出法 (hold-out, see
`train_val_test_split`), 留一法 (leave-one-out: every test set is one sample, m models for
m samples — closest to the data's distribution, used when data is scarce) and k 折交叉验证
(k-fold: split the training data into k parts, each in turn the validation set and the
other k − 1 the training set; «k 一般取 10» — k is usually 10: larger for small data, smaller
for large data).

Every splitter has ``split(X, y=None)`` — a generator of ``(train_indices, test_indices)``
— and ``get_n_splits()``, and for the same arguments yields the same index arrays as
scikit-learn's class of the same name (the same order, the same dtype), including the
shuffling: an int ``random_state`` seeds a fresh ``np.random.RandomState`` on every
``split`` call (identical splits each time), a ``RandomState`` instance is advanced by each
call.  ``random_state=None`` with shuffling draws a seed from tidu's global generator, so
``tidu.manual_seed`` fixes it (sklearn draws from NumPy's global state).
"""
from __future__ import annotations

import numpy as np

from ..data.validation import as_array, check_finite
from ..errors import ShapeError
from ._checks import as_random_state, is_int, n_samples_of, split_sizes

__all__ = ["KFold", "StratifiedKFold", "LeaveOneOut", "ShuffleSplit", "check_cv"]


class _FoldSplitter:
    """Splitters that give every sample one fold id; fold i's test set is ``fold == i``."""

    def _fold_ids(self, n: int, y) -> np.ndarray:
        raise NotImplementedError

    def _n_folds(self, n: int) -> int:
        raise NotImplementedError

    def _split_from_folds(self, fold: np.ndarray, k: int):
        indices = np.arange(fold.shape[0])
        for i in range(k):
            mask = fold == i
            yield indices[~mask], indices[mask]


def _check_k_fold_args(owner: str, n_splits, shuffle, random_state) -> None:
    if not is_int(n_splits):
        raise TypeError(f"{owner}: n_splits must be an int ≥ 2, got {n_splits!r}")
    if n_splits < 2:
        raise ValueError(f"{owner}: k-fold cross-validation needs n_splits ≥ 2 (at least one "
                         f"train/test split), got n_splits={n_splits}")
    if not isinstance(shuffle, (bool, np.bool_)):
        raise TypeError(f"{owner}: shuffle must be True or False, got {shuffle!r}")
    if not shuffle and random_state is not None:
        raise ValueError(f"{owner}: random_state={random_state!r} has no effect with "
                         f"shuffle=False; leave it None or set shuffle=True (as scikit-learn)")


def _check_n_splits_vs_samples(owner: str, n_splits: int, n: int) -> None:
    if n_splits > n:
        raise ValueError(f"{owner}: n_splits={n_splits} is greater than the number of samples "
                         f"n_samples={n}; every fold needs at least one sample")


class KFold(_FoldSplitter):
    """k-fold cross-validation (k 折交叉验证): ``KFold(n_splits=10, shuffle=False,
    random_state=None)``.

    The samples (in order, or shuffled once per ``split`` call with
    ``RandomState.shuffle`` when ``shuffle=True``) are cut into k consecutive folds; the first
    ``n mod k`` folds hold ⌊n/k⌋ + 1 samples, the others ⌊n/k⌋.  Fold i is the test set of
    split i, the other k − 1 folds its training set; both index arrays come sorted.

    Default k = 10 as in the notes («k 一般取 10»); scikit-learn's default is 5.
    """

    def __init__(self, n_splits: int = 10, shuffle: bool = False, random_state=None):
        _check_k_fold_args(type(self).__name__, n_splits, shuffle, random_state)
        self.n_splits = int(n_splits)
        self.shuffle = bool(shuffle)
        self.random_state = random_state

    def get_n_splits(self, X=None, y=None) -> int:
        return self.n_splits

    def _fold_ids(self, n: int, y) -> np.ndarray:
        order = np.arange(n)
        if self.shuffle:
            as_random_state(self.random_state, type(self).__name__).shuffle(order)
        sizes = np.full(self.n_splits, n // self.n_splits)
        sizes[:n % self.n_splits] += 1
        fold = np.empty(n, dtype=np.intp)
        fold[order] = np.repeat(np.arange(self.n_splits), sizes)
        return fold

    def split(self, X, y=None):
        """Yield ``(train_indices, test_indices)`` for each of the k folds."""
        owner = type(self).__name__
        n = n_samples_of(X, owner)
        _check_n_splits_vs_samples(owner, self.n_splits, n)
        return self._split_from_folds(self._fold_ids(n, y), self.n_splits)

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(n_splits={self.n_splits}, shuffle={self.shuffle}, "
                f"random_state={self.random_state!r})")


def _class_labels(y, n: int, owner: str) -> np.ndarray:
    """1-D class labels (a column vector is flattened), refusing continuous targets."""
    if y is None:
        raise ValueError(f"{owner}: split needs the class labels y to stratify on")
    y = as_array(y, f"{owner}: y")
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1:
        raise ShapeError(f"{owner}: y must be 1-D class labels (binary or multiclass), got "
                         f"shape {y.shape}; multi-label and multi-output targets cannot be "
                         f"stratified")
    if y.shape[0] != n:
        raise ShapeError(f"{owner}: y has {y.shape[0]} labels but X has {n} samples")
    if y.dtype.kind in "fc":
        check_finite(y, f"{owner}: y")
        if np.any(y != np.round(y.real)):
            raise ValueError(f"{owner}: y holds continuous (non-integer) values; stratified "
                             f"splits need class labels (binary or multiclass)")
    return y


class StratifiedKFold(KFold):
    """Stratified k-fold: ``StratifiedKFold(n_splits=10, shuffle=False, random_state=None)``
    — every fold keeps each class's share of the samples (up to one sample), as sklearn's.

    The classes are numbered by first appearance in y; the sorted labels are dealt round
    robin to the k folds, which fixes how many samples of each class every fold gets; each
    class's samples, in their order, then fill its folds block by block (fold 0's share
    first).  With ``shuffle=True`` each class's block of fold ids is shuffled with
    ``RandomState.shuffle`` (classes in order of appearance) — the samples within a class
    are shuffled, never moved between classes.

    Default k = 10 as in the notes; scikit-learn's default is 5.  Unlike scikit-learn, which
    only warns, a class with fewer than k samples is an error: some folds would lack that
    class, and their scores would not be comparable.
    """

    def _fold_ids(self, n: int, y) -> np.ndarray:
        owner = type(self).__name__
        y = _class_labels(y, n, owner)
        k = self.n_splits
        labels, first_index, inverse, counts = np.unique(
            y, return_index=True, return_inverse=True, return_counts=True)
        if counts.min() < k:
            small = counts < k
            raise ValueError(f"{owner}: every class needs at least n_splits={k} samples, but "
                             f"classes {labels[small].tolist()} have only "
                             f"{counts[small].tolist()}; lower n_splits or gather more data")
        n_classes = labels.shape[0]
        rank = np.empty(n_classes, dtype=np.intp)  # class number by first appearance
        rank[np.argsort(first_index)] = np.arange(n_classes)
        encoded = rank[inverse.reshape(-1)]
        # samples of class c in sorted label order sit at positions j with j mod k = fold
        dealt = np.bincount((np.arange(n) % k) * n_classes + np.sort(encoded),
                            minlength=k * n_classes).reshape(k, n_classes)
        # fold ids, class by class, each class's block in fold order
        blocks = np.repeat(np.tile(np.arange(k), n_classes), dealt.T.reshape(-1))
        if self.shuffle:
            rng = as_random_state(self.random_state, owner)
            bounds = np.concatenate(([0], np.cumsum(np.bincount(encoded,
                                                                minlength=n_classes))))
            for c in range(n_classes):  # a loop over classes, not samples
                rng.shuffle(blocks[bounds[c]:bounds[c + 1]])
        fold = np.empty(n, dtype=np.intp)
        fold[np.argsort(encoded, kind="stable")] = blocks
        return fold

    def split(self, X, y=None):
        """Yield ``(train_indices, test_indices)`` for each of the k stratified folds."""
        return super().split(X, y)


class LeaveOneOut(_FoldSplitter):
    """Leave-one-out (留一法): n splits for n samples, each testing on one sample and
    training on the other n − 1 — the training set is the closest to the whole data, at the
    price of n models (the notes: for when data is scarce).  Equals ``KFold(n_splits=n)``."""

    def get_n_splits(self, X=None, y=None) -> int:
        if X is None:
            raise ValueError("LeaveOneOut.get_n_splits: needs X (one split per sample)")
        return n_samples_of(X, "LeaveOneOut")

    def split(self, X, y=None):
        """Yield ``(all indices but i, [i])`` for i = 0 … n − 1."""
        n = n_samples_of(X, "LeaveOneOut")
        if n < 2:
            raise ValueError(f"LeaveOneOut: needs at least 2 samples, got n_samples={n}")
        return self._split_from_folds(np.arange(n), n)

    def __repr__(self) -> str:
        return "LeaveOneOut()"


class ShuffleSplit:
    """Random permutation cross-validation: ``ShuffleSplit(n_splits=10, test_size=None,
    train_size=None, random_state=None)`` — ``n_splits`` independent random train/test
    splits (test sets of different splits may overlap), as sklearn's.

    Sizes as in `train_test_split` (a fraction rounded up for test, down for train, or a
    count; the missing one the complement); neither given: 10% test (sklearn's default).
    Each split takes a fresh ``RandomState.permutation(n)``: its first n_test entries are the
    test set, the next n_train the training set (in that random order, not sorted).
    """

    def __init__(self, n_splits: int = 10, test_size=None, train_size=None, random_state=None):
        if not is_int(n_splits) or n_splits < 1:
            raise ValueError(f"ShuffleSplit: n_splits must be a positive int, got {n_splits!r}")
        self.n_splits = int(n_splits)
        self.test_size = test_size
        self.train_size = train_size
        self.random_state = random_state

    def get_n_splits(self, X=None, y=None) -> int:
        return self.n_splits

    def split(self, X, y=None):
        """Yield ``(train_indices, test_indices)`` for each of the random splits."""
        n = n_samples_of(X, "ShuffleSplit")
        n_train, n_test = split_sizes(n, self.test_size, self.train_size, 0.1, "ShuffleSplit")
        rng = as_random_state(self.random_state, "ShuffleSplit")
        return self._iter(n, n_train, n_test, rng)

    def _iter(self, n: int, n_train: int, n_test: int, rng):
        for _ in range(self.n_splits):
            permutation = rng.permutation(n)
            yield permutation[n_test:n_test + n_train], permutation[:n_test]

    def __repr__(self) -> str:
        return (f"ShuffleSplit(n_splits={self.n_splits}, test_size={self.test_size!r}, "
                f"train_size={self.train_size!r}, random_state={self.random_state!r})")


def _is_class_labels(y) -> bool:
    if y is None:
        return False
    y = as_array(y, "check_cv: y")
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    return y.ndim == 1 and y.dtype.kind in "biu"


def check_cv(cv=10, y=None):
    """A splitter from ``cv``, as scikit-learn's ``check_cv`` for a classifier: an int k is
    ``StratifiedKFold(k)`` when y holds integer (or bool) class labels, else ``KFold(k)``
    (both unshuffled); an object with ``split`` is returned as it is; an iterable of
    ``(train, test)`` index pairs is wrapped in a splitter that yields them."""
    if is_int(cv):
        return StratifiedKFold(cv) if _is_class_labels(y) else KFold(cv)
    if isinstance(cv, (str, bytes)) or not (hasattr(cv, "split") or hasattr(cv, "__iter__")):
        raise TypeError(f"check_cv: cv must be an int (the number of folds), a splitter with "
                        f"split(X, y) or an iterable of (train, test) index pairs, got "
                        f"{cv!r}")
    if hasattr(cv, "split"):
        return cv
    return _PredefinedSplits(list(cv))


class _PredefinedSplits:
    """Given (train, test) index pairs, used as they are."""

    def __init__(self, pairs: list):
        for i, pair in enumerate(pairs):
            if not isinstance(pair, (tuple, list)) or len(pair) != 2:
                raise TypeError(f"check_cv: cv item {i} must be a (train, test) pair of index "
                                f"arrays, got {type(pair).__name__}")
        self.pairs = [(np.asarray(a), np.asarray(b)) for a, b in pairs]

    def get_n_splits(self, X=None, y=None) -> int:
        return len(self.pairs)

    def split(self, X, y=None):
        return iter(self.pairs)

    def __repr__(self) -> str:
        return f"<{len(self.pairs)} given (train, test) splits>"
