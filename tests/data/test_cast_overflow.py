"""float64 data that is finite but beyond float32's range passes the NaN/Inf gate and would
turn into ±Inf when cast to the training dtype: the cast is checked, and the error names
how many values, the first one, and its sample and column."""
import numpy as np
import pytest

import tidu
from tidu.data import DataLoader
from tidu.errors import ArgumentError

PLACES = [((0, 0), 1e39), ((3, 2), -5e38), ((7, 1), 3.5e38), ((2, 0), np.finfo(np.float64).max)]


def _data(where, value):
    X = np.random.default_rng(0).standard_normal((8, 3))
    X[where] = value
    return X


@pytest.mark.parametrize("where,value", PLACES, ids=str)
@pytest.mark.parametrize("entry", ["DataLoader", "Tensor", "tensor", "Tensor dtype"])
def test_overflowing_cast_names_sample_and_column(entry, where, value):
    X = _data(where, value)
    build = {"DataLoader": lambda: next(iter(DataLoader((X, np.zeros(8)), batch_size=4))),
             "Tensor": lambda: tidu.Tensor(X),
             "tensor": lambda: tidu.tensor(X, dtype=tidu.float32),
             "Tensor dtype": lambda: tidu.Tensor(X, dtype=np.float32)}[entry]
    with pytest.raises(ArgumentError) as info:
        build()
    message = str(info.value)
    assert f"at sample {where[0]}, column {where[1]}" in message, message
    assert "overflow float32" in message and f"{value:g}" in message


def test_every_overflowing_value_is_counted():
    X = np.zeros((4, 2))
    X[1, 1] = X[3, 0] = 1e300
    with pytest.raises(ArgumentError, match="2 finite values"):
        tidu.Tensor(X)


def test_target_arrays_are_checked_too():
    y = np.zeros(6)
    y[4] = 1e40
    with pytest.raises(ArgumentError, match=r"DataLoader: y: .* at index 4"):
        list(DataLoader((np.zeros((6, 2)), y)))


def test_in_range_values_and_float64_default_pass():
    X = _data((1, 1), 3.0e38)  # just below float32's largest
    assert np.isfinite(tidu.Tensor(X)._data).all()
    tidu.set_default_dtype(np.float64)
    try:
        assert tidu.Tensor(_data((1, 1), 1e39)).dtype == np.float64
    finally:
        tidu.set_default_dtype(np.float32)


def test_nan_already_in_raw_tensors_is_not_reported_as_overflow():
    # NaN in a tensor is legal (PyTorch allows it); the data gate (check_arrays) refuses it
    assert np.isnan(tidu.Tensor(np.array([np.nan, 1.0]))._data[0])
