"""train_test_split equals scikit-learn's for the same seed; train_val_test_split follows the
notes' rule (60/20/20, fixed-size validation and test sets for large data); bad sizes refused."""
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sklearn.model_selection import train_test_split as sk_split

import tidu
from tidu.model_selection import train_test_split, train_val_test_split
from tidu.errors import ShapeError


@given(st.integers(4, 80), st.integers(0, 10**6), st.sampled_from([0.1, 0.25, 0.5, 3, None]),
       st.sampled_from([None, 0.5, 2]))
def test_plain_split_equals_sklearn(n, seed, test_size, train_size):
    X = np.arange(n * 2, dtype=float).reshape(n, 2)
    y = np.arange(n) % 3
    kw = dict(test_size=test_size, train_size=train_size)
    try:
        expected = sk_split(X, y, random_state=seed, **kw)
    except ValueError:
        with pytest.raises(ValueError):
            train_test_split(X, y, seed=seed, **kw)
        return
    got = train_test_split(X, y, seed=seed, **kw)
    assert len(got) == 4
    for g, e in zip(got, expected):
        np.testing.assert_array_equal(g, e)


@given(st.integers(0, 10**6), st.sampled_from([0.2, 0.3, 12]))
def test_stratified_split_equals_sklearn(seed, test_size):
    rng = np.random.default_rng(seed)
    y = rng.choice(4, size=60, p=[0.5, 0.25, 0.15, 0.1])
    y[:8] = [0, 0, 1, 1, 2, 2, 3, 3]
    X = rng.standard_normal((60, 3))
    got = train_test_split(X, y, test_size=test_size, seed=seed, stratify=y)
    expected = sk_split(X, y, test_size=test_size, random_state=seed, stratify=y)
    for g, e in zip(got, expected):
        np.testing.assert_array_equal(g, e)


def test_unshuffled_tensor_and_errors():
    X = tidu.Tensor(np.arange(10.0)[:, None])
    tr, te = train_test_split(X, test_size=0.3, shuffle=False)
    assert isinstance(tr, tidu.Tensor)
    np.testing.assert_array_equal(tr._data[:, 0], np.arange(7))
    np.testing.assert_array_equal(te._data[:, 0], [7, 8, 9])
    with pytest.raises(ValueError, match="no split may be empty"):
        train_test_split(np.zeros((5, 1)), test_size=5)
    with pytest.raises(ValueError, match="no split may be empty"):
        train_test_split(np.zeros((5, 1)), test_size=1.0)
    with pytest.raises(ValueError, match="empty"):
        train_test_split(np.zeros((0, 1)))
    with pytest.raises(ShapeError, match="array 1 has 4 samples but array 0 has 5"):
        train_test_split(np.zeros((5, 1)), np.zeros(4))
    with pytest.raises(ValueError, match="classes \\[1\\] have 1"):
        train_test_split(np.zeros((5, 1)), stratify=[0, 0, 0, 0, 1], seed=0)


# ---------------------------------------------------------------------- train_val_test_split
def _sizes(parts):
    return [len(p) for p in parts]


@given(st.integers(10, 3000), st.integers(0, 2**32 - 1))
def test_small_data_is_split_60_20_20(n, seed):
    X = np.arange(n)
    train, val, test = train_val_test_split(X, seed=seed)
    n_val = n_test = math.ceil(n / 5)
    assert _sizes((train, val, test)) == [n - n_val - n_test, n_val, n_test]
    # disjoint, and together every sample once
    np.testing.assert_array_equal(np.sort(np.concatenate([train, val, test])), X)


def test_large_data_gets_fixed_size_validation_and_test_sets():
    """The notes: 100w 条数据，那么留 1w 验证集，1w 测试集即可."""
    n = 100_000
    train, val, test = train_val_test_split(np.arange(n), seed=0)
    assert _sizes((train, val, test)) == [80_000, 10_000, 10_000]
    assert _sizes(train_val_test_split(np.arange(n - 1), seed=0)) == [59_999, 20_000, 20_000]
    assert _sizes(train_val_test_split(np.arange(35), seed=0)) == [21, 7, 7]  # 0.2·35 ≠ 7 in floats
    # the threshold and the fixed size are arguments; an int size is always a count
    parts = train_val_test_split(np.arange(60), seed=0, large_data_threshold=50,
                                 large_fixed_size=7)
    assert _sizes(parts) == [46, 7, 7]
    parts = train_val_test_split(np.arange(60), val_size=5, test_size=0.1, seed=0,
                                 large_data_threshold=50, large_fixed_size=7)
    assert _sizes(parts) == [48, 5, 7]
    parts = train_val_test_split(np.arange(n), seed=0, large_data_threshold=None)
    assert _sizes(parts) == [60_000, 20_000, 20_000]


@given(st.integers(0, 2**32 - 1), st.booleans())
def test_equals_two_sklearn_splits_sharing_one_random_state(seed, stratified):
    rng = np.random.default_rng(seed)
    n = 97
    y = rng.choice(3, size=n, p=[0.6, 0.3, 0.1])
    y[:6] = [0, 0, 1, 1, 2, 2]
    X = rng.standard_normal((n, 2))
    (X_tr, y_tr), (X_va, y_va), (X_te, y_te) = train_val_test_split(
        X, y, seed=seed, stratify=y if stratified else None)
    rs = np.random.RandomState(seed)
    X_rest, X_test, y_rest, y_test = sk_split(X, y, test_size=20, random_state=rs,
                                              stratify=y if stratified else None)
    X_train, X_val, y_train, y_val = sk_split(X_rest, y_rest, test_size=20, random_state=rs,
                                              stratify=y_rest if stratified else None)
    for g, e in zip([X_tr, X_va, X_te, y_tr, y_va, y_te],
                    [X_train, X_val, X_test, y_train, y_val, y_test]):
        np.testing.assert_array_equal(g, e)


@given(st.integers(0, 2**32 - 1))
def test_stratification_keeps_the_class_proportions(seed):
    y = np.repeat([0, 1, 2], [500, 300, 200])
    parts = train_val_test_split(y, stratify=y, seed=seed)
    for part, share in zip(parts, (0.6, 0.2, 0.2)):
        counts = np.bincount(part, minlength=3)
        np.testing.assert_allclose(counts, np.array([500, 300, 200]) * share, atol=1)


def test_train_val_test_split_tensors_and_errors():
    X = tidu.Tensor(np.arange(20.0)[:, None])
    parts = train_val_test_split(X, np.arange(20), seed=1)
    assert len(parts) == 3 and all(len(part) == 2 for part in parts)
    assert [type(x) for x, _ in parts] == [tidu.Tensor] * 3
    assert [type(y) for _, y in parts] == [np.ndarray] * 3
    assert [x.shape[0] for x, _ in parts] == [12, 4, 4]
    for x, y in parts:  # rows stay paired across the arrays
        np.testing.assert_array_equal(x._data[:, 0], y)
    with pytest.raises(ValueError, match="validation \\(10\\) \\+ test \\(10\\) samples leave no "
                                         "training data out of 20"):
        train_val_test_split(np.zeros(20), val_size=0.5, test_size=0.5)
    with pytest.raises(ValueError, match="val_size=1.5 must be a float in \\(0, 1\\)"):
        train_val_test_split(np.zeros(20), val_size=1.5)
    with pytest.raises(ValueError, match="test_size=20 must be an int in \\[1, 19\\]"):
        train_val_test_split(np.zeros(20), test_size=20)
    with pytest.raises(TypeError, match="val_size must be a float"):
        train_val_test_split(np.zeros(20), val_size="0.2")
    with pytest.raises(ValueError, match="large_data_threshold must be a positive int"):
        train_val_test_split(np.zeros(20), large_data_threshold=0.5)
    with pytest.raises(ValueError, match="large_fixed_size must be a positive int"):
        train_val_test_split(np.zeros(20), large_fixed_size=0)
    with pytest.raises(ShapeError, match="stratify has 3 labels but the arrays have 20"):
        train_val_test_split(np.zeros(20), stratify=[0, 1, 0])
    with pytest.raises(ShapeError, match="array 1 has 4 samples but array 0 has 20"):
        train_val_test_split(np.zeros(20), np.zeros(4))
    with pytest.raises(ValueError, match="classes \\[1\\] have 1"):
        train_val_test_split(np.zeros(20), stratify=[0] * 19 + [1])
