"""cummax / cummin against torch: values, indices (ties to the latest) and gradients."""
import numpy as np
import pytest
import torch

import tidu
from tests.oracle import assert_close, compare_fn

rng = np.random.default_rng(4)
X = rng.integers(-2, 3, (3, 4, 5)).astype(np.float64)  # many ties


@pytest.mark.parametrize("name", ["cummax", "cummin"])
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_matches_torch(name, dim):
    compare_fn(lambda t: getattr(tidu, name)(t, dim).values,
               lambda t: getattr(torch, name)(t, dim).values, X)
    ours, theirs = getattr(tidu.tensor(X), name)(dim), getattr(torch.tensor(X), name)(dim)
    assert_close(ours.indices, theirs.indices, "indices")
    assert ours.indices.dtype == np.int64


def test_zero_dim():
    values, indices = tidu.cummax(tidu.tensor(3.0), 0)
    assert values.item() == 3.0 and indices.item() == 0
