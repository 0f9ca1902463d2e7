"""trapezoid / trapz / cumulative_trapezoid (tidu.ops.integrate) against torch in float64:
constant spacing, 1-D and broadcast sample points, any dim, gradients to y and x, edge sizes
and errors."""
import numpy as np
import pytest
import torch

import tidu
from tests.oracle import compare_fn, finite_difference_check
from tidu.errors import ArgumentError, ShapeError

RNG = np.random.default_rng(89)
FNS = ["trapezoid", "trapz", "cumulative_trapezoid"]


@pytest.mark.parametrize("name", FNS)
@pytest.mark.parametrize("dim", [-1, 0, 1])
def test_constant_spacing(name, dim):
    y = RNG.standard_normal((4, 5, 3))
    compare_fn(lambda t: getattr(tidu, name)(t, dim=dim), lambda t: getattr(torch, name)(t, dim=dim), y)
    compare_fn(lambda t: getattr(tidu, name)(t, dx=0.3, dim=dim),
               lambda t: getattr(torch, name)(t, dx=0.3, dim=dim), y)


@pytest.mark.parametrize("name", FNS)
def test_one_dim_sample_points_get_their_gradient(name):
    y, x = RNG.standard_normal((3, 6)), np.sort(RNG.uniform(0, 2, 6))
    compare_fn(getattr(tidu, name), getattr(torch, name), y, x)
    compare_fn(lambda a, b: getattr(tidu, name)(a, b, dim=0), lambda a, b: getattr(torch, name)(a, b, dim=0),
               RNG.standard_normal((6, 2)), x)
    finite_difference_check(getattr(tidu, name), y, x)


@pytest.mark.parametrize("name", FNS)
def test_broadcast_sample_points(name):
    y = RNG.standard_normal((2, 3, 4))
    x = np.cumsum(RNG.uniform(0.1, 1, (3, 4)), axis=0)  # (3, 4) broadcast against y, dim 1
    compare_fn(lambda a, b: getattr(tidu, name)(a, b, dim=1), lambda a, b: getattr(torch, name)(a, b, dim=1), y, x)
    x = np.cumsum(RNG.uniform(0.1, 1, (2, 3, 4)), axis=-1)
    compare_fn(getattr(tidu, name), getattr(torch, name), y, x)


def test_edge_sizes_and_integer_samples():
    for shape in ((2, 0), (2, 1)):
        y = np.zeros(shape) + 1.5
        for name in FNS:
            got, expect = getattr(tidu, name)(tidu.tensor(y)), getattr(torch, name)(torch.tensor(y))
            assert tuple(got.shape) == tuple(expect.shape), (name, shape)
            np.testing.assert_array_equal(got.cpu().numpy(), expect.numpy())
    got = tidu.trapezoid(tidu.arange(4))
    assert got.dtype == np.float32 and float(got) == float(torch.trapezoid(torch.arange(4)))


def test_roc_auc_by_hand():
    fpr, tpr = np.array([0.0, 0.1, 0.4, 1.0]), np.array([0.0, 0.5, 0.8, 1.0])
    got = tidu.trapz(tidu.tensor(tpr), tidu.tensor(fpr))
    assert float(got) == pytest.approx(float(torch.trapz(torch.tensor(tpr), torch.tensor(fpr))), rel=1e-15)
    # the script's next line: the Youden point via the top-level argmax / argmin
    j = tidu.tensor(tpr) - tidu.tensor(fpr)
    assert tidu.argmax(j).item() == torch.argmax(torch.tensor(tpr - fpr)).item()
    assert tidu.argmin(j, dim=0).item() == torch.argmin(torch.tensor(tpr - fpr), dim=0).item()


def test_errors():
    y = tidu.tensor(RNG.standard_normal(5))
    with pytest.raises(ShapeError, match="one x value for each sample point"):
        tidu.trapezoid(y, tidu.tensor(np.arange(4.0)))
    with pytest.raises(RuntimeError):
        torch.trapezoid(torch.zeros(5), torch.arange(4.0))
    with pytest.raises(TypeError, match="x must be a tensor"):
        tidu.trapezoid(y, 0.5)
    with pytest.raises(TypeError):
        torch.trapezoid(torch.zeros(5), 0.5)
    with pytest.raises(ArgumentError, match="not both"):
        tidu.trapezoid(y, tidu.tensor(np.arange(5.0)), dx=2)
    with pytest.raises(ShapeError, match="0-d"):
        tidu.cumulative_trapezoid(tidu.tensor(1.0))
    with pytest.raises(IndexError):
        tidu.trapz(y, dim=2)
