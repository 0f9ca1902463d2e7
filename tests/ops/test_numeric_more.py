"""diff, nansum, nanmean, quantile, nanquantile, cov, corrcoef against PyTorch (float64),
gradients included."""
import numpy as np
import pytest
import torch

import tidu
from tests.oracle import assert_close, compare_fn, finite_difference_check

RNG = np.random.default_rng(7)


def _x(*shape):
    return RNG.standard_normal(shape)


@pytest.mark.parametrize("n,dim", [(1, -1), (2, 0), (3, 1), (0, 1)])
def test_diff(n, dim):
    compare_fn(lambda x: tidu.diff(x, n=n, dim=dim), lambda x: torch.diff(x, n=n, dim=dim),
               _x(4, 5))


def test_diff_prepend_append_and_method():
    compare_fn(lambda x, p, a: x.diff(dim=0, prepend=p, append=a),
               lambda x, p, a: x.diff(dim=0, prepend=p, append=a), _x(3, 2), _x(1, 2), _x(2, 2))
    b = np.array([True, True, False, True])
    assert_close(tidu.diff(tidu.tensor(b)), torch.diff(torch.tensor(b)), "bool diff")


def test_diff_errors():
    with pytest.raises(ValueError, match="order must be non-negative"):
        tidu.diff(tidu.ones(3), n=-1)
    with pytest.raises(IndexError, match="at least one-dimensional"):
        tidu.diff(tidu.tensor(1.0))
    with pytest.raises(ValueError, match="prepend .* same number of dims"):
        tidu.diff(tidu.ones(2, 3), prepend=tidu.ones(3))


def _with_nans(*shape):
    x = _x(*shape)
    x[RNG.random(shape) < 0.3] = np.nan
    return x


@pytest.mark.parametrize("dim,keepdim", [(None, False), (1, False), (0, True), ((0, 2), False)])
def test_nansum_nanmean(dim, keepdim):
    x = _with_nans(3, 4, 2)
    compare_fn(lambda t: tidu.nansum(t, dim=dim, keepdim=keepdim),
               lambda t: torch.nansum(t, dim=dim, keepdim=keepdim), x)
    compare_fn(lambda t: t.nanmean(dim=dim, keepdim=keepdim),
               lambda t: t.nanmean(dim=dim, keepdim=keepdim), x)


def test_nanmean_all_nan_slice_and_int_input():
    x = np.array([[np.nan, np.nan], [1.0, np.nan]])
    compare_fn(lambda t: tidu.nanmean(t, dim=1), lambda t: torch.nanmean(t, dim=1), x)
    assert_close(tidu.nansum(tidu.tensor([1, 2, 3])), torch.nansum(torch.tensor([1, 2, 3])), "int")
    with pytest.raises(TypeError, match="nanmean: expects a float tensor"):
        tidu.nanmean(tidu.tensor([1, 2]))


@pytest.mark.parametrize("interpolation", ["linear", "lower", "higher", "midpoint", "nearest"])
@pytest.mark.parametrize("dim,keepdim", [(None, False), (None, True), (1, False), (0, True)])
def test_quantile(interpolation, dim, keepdim):
    x = _x(5, 6)
    q = np.array([0.0, 0.3, 0.5, 0.75, 1.0])
    # q is data, not a differentiated input: give it as a constant tensor to both
    compare_fn(lambda t: t.quantile(tidu.tensor(q, dtype=tidu.float64), dim=dim, keepdim=keepdim,
                                    interpolation=interpolation),
               lambda t: t.quantile(torch.tensor(q), dim=dim, keepdim=keepdim,
                                    interpolation=interpolation), x)
    compare_fn(lambda t: tidu.quantile(t, 0.4, dim=dim, keepdim=keepdim, interpolation=interpolation),
               lambda t: torch.quantile(t, 0.4, dim=dim, keepdim=keepdim,
                                        interpolation=interpolation), x)


def test_quantile_nan_and_nanquantile():
    # one NaN per slice: which of several NaNs gets the gradient is torch's unstable sort's choice
    x = np.array([[1.0, np.nan, 3.0, 0.5], [2.0, 4.0, -1.0, 0.0], [0.3, 0.1, np.nan, 0.2]])
    for dim in (None, 1):
        compare_fn(lambda t: tidu.quantile(t, 0.3, dim=dim), lambda t: torch.quantile(t, 0.3, dim=dim), x)
    for dim in (None, 1):
        compare_fn(lambda t: tidu.nanquantile(t, 0.3, dim=dim),
                   lambda t: torch.nanquantile(t, 0.3, dim=dim), x)
    compare_fn(lambda t: t.nanquantile(tidu.tensor([0.2, 0.9], dtype=tidu.float64), dim=1,
                                       interpolation="midpoint"),
               lambda t: t.nanquantile(torch.tensor([0.2, 0.9], dtype=torch.float64), dim=1,
                                       interpolation="midpoint"), x)
    all_nan = np.array([[np.nan, np.nan], [1.0, 2.0]])
    for fn in ("quantile", "nanquantile"):
        compare_fn(lambda t: getattr(tidu, fn)(t, 0.5, dim=1),
                   lambda t: getattr(torch, fn)(t, 0.5, dim=1), all_nan, grad=False)


def test_quantile_finite_differences():
    finite_difference_check(lambda t: tidu.quantile(t, 0.37, dim=0), _x(6, 3))


def test_quantile_errors():
    x = tidu.ones(4, dtype=tidu.float64)
    with pytest.raises(ValueError, match=r"q values must be in the range \[0, 1\]"):
        tidu.quantile(x, 1.5)
    with pytest.raises(ValueError, match="interpolation must be one of"):
        tidu.quantile(x, 0.5, interpolation="cubic")
    with pytest.raises(TypeError, match="float or double"):
        tidu.quantile(tidu.tensor([1, 2]), 0.5)
    with pytest.raises(TypeError, match="same dtype"):
        tidu.quantile(x, tidu.tensor([0.5], dtype=tidu.float32))
    with pytest.raises(ValueError, match="non-empty"):
        tidu.quantile(tidu.ones(0, dtype=tidu.float64), 0.5)


@pytest.mark.parametrize("correction", [0, 1, 2])
def test_cov(correction):
    compare_fn(lambda t: tidu.cov(t, correction=correction),
               lambda t: torch.cov(t, correction=correction), _x(3, 7))
    compare_fn(lambda t: t.cov(correction=correction), lambda t: t.cov(correction=correction),
               _x(6))


def test_cov_weights():
    fw = np.array([1, 3, 2, 1, 1])
    compare_fn(lambda t, a: tidu.cov(t, fweights=tidu.tensor(fw), aweights=a),
               lambda t, a: torch.cov(t, fweights=torch.tensor(fw), aweights=a),
               _x(2, 5), RNG.random(5) + 0.5)
    compare_fn(lambda t, a: tidu.cov(t, correction=0, aweights=a),
               lambda t, a: torch.cov(t, correction=0, aweights=a), _x(2, 5), RNG.random(5) + 0.5)
    compare_fn(lambda t: tidu.cov(t, fweights=tidu.tensor(fw)),
               lambda t: torch.cov(t, fweights=torch.tensor(fw)), _x(3, 5))


def test_cov_errors():
    with pytest.raises(IndexError, match="two or fewer dimensions"):
        tidu.cov(tidu.ones(2, 2, 2))
    with pytest.raises(ValueError, match="fweights .* 4 entries"):
        tidu.cov(tidu.ones(2, 4), fweights=tidu.tensor([1, 2]))
    with pytest.raises(TypeError, match="fweights to have an integral dtype"):
        tidu.cov(tidu.ones(2, 2), fweights=tidu.tensor([1.0, 2.0]))
    with pytest.raises(ValueError, match="aweights cannot be negative"):
        tidu.cov(tidu.ones(2, 2), aweights=tidu.tensor([1.0, -2.0]))


def test_corrcoef():
    compare_fn(tidu.corrcoef, torch.corrcoef, _x(4, 9))
    compare_fn(lambda t: t.corrcoef(), lambda t: t.corrcoef(), _x(8))
