"""check_arrays: the one gate for bad data (NaN/Inf, label-count mismatch, empty, dtype)."""
import numpy as np
import pytest

import tidu
from tidu.data import ArrayDataset, DataLoader, MinMaxScaler, check_arrays
from tidu.errors import DTypeError, ShapeError


def test_valid_data_passes_through_without_copy():
    X, y = np.ones((4, 2)), np.arange(4)
    X2, y2 = check_arrays(X, y)
    assert X2 is X and y2 is y
    t = tidu.Tensor(X)
    assert check_arrays(t) is t._data


def test_nan_and_inf_are_counted_and_the_first_located():
    X = np.zeros((5, 3))
    X[3, 1] = np.nan
    X[1, 2] = np.inf
    X[4, 0] = np.nan
    with pytest.raises(ValueError, match=r"train: X contains 3 non-finite values .* the first "
                                         r"is \+Inf at index \(1, 2\)"):
        check_arrays(X, name="train")
    with pytest.raises(ValueError, match=r"y contains 1 non-finite value .* -Inf at index \(2,\)"):
        check_arrays(np.zeros((3, 1)), np.array([0.0, 1.0, -np.inf]))


def test_label_count_mismatch_names_both_counts():
    with pytest.raises(ShapeError, match="y has 9 labels/targets but X has 10 samples"):
        check_arrays(np.zeros((10, 2)), np.zeros(9))
    with pytest.raises(ShapeError, match="array 1 has 9 labels/targets but array 0 .X. has 10"):
        ArrayDataset(np.zeros((10, 2)), np.zeros(9))


def test_empty_and_non_numeric_and_rank():
    with pytest.raises(ValueError, match="empty .0 samples"):
        check_arrays(np.zeros((0, 3)), name="val split")
    with pytest.raises(ValueError, match="empty"):
        DataLoader((np.zeros((0, 2)), np.zeros(0)))
    with pytest.raises(DTypeError, match="numeric"):
        check_arrays(np.array([["a", "b"]]))
    with pytest.raises(ShapeError, match="must be 2-D .n_samples, n_features., got shape .5,."):
        check_arrays(np.zeros(5), ndim=2)
    with pytest.raises(ShapeError, match="scalar"):
        check_arrays(np.float64(1.0))


def test_loader_and_scaler_use_the_gate():
    X = np.ones((4, 2))
    X[2, 0] = np.nan
    with pytest.raises(ValueError, match="ArrayDataset: X contains 1 non-finite value"):
        DataLoader((X, np.arange(4)))
    with pytest.raises(ValueError, match="MinMaxScaler.fit: X contains 1 non-finite value"):
        MinMaxScaler().fit(X)
