"""train_test_split equals scikit-learn's for the same seed; empty splits are refused."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sklearn.model_selection import train_test_split as sk_split

import tidu
from tidu.data import train_test_split
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
    np.testing.assert_array_equal(tr.data[:, 0], np.arange(7))
    np.testing.assert_array_equal(te.data[:, 0], [7, 8, 9])
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
