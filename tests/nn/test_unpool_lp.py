"""max_pool*_with_indices, MaxUnpool1d/2d and LPPool1d/2d against PyTorch (values, indices,
gradients in float64), reprs and errors."""
import numpy as np
import pytest
import torch

import tidu
from tidu import nn
from tidu.nn import functional as F
from tests.oracle import compare_fn, compare_module

TF = torch.nn.functional


def _x(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


POOL2D = [dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1),
          dict(kernel_size=(2, 3), stride=(2, 1), padding=(1, 1))]


@pytest.mark.parametrize("kw", POOL2D)
def test_max_pool2d_with_indices_matches_torch(kw):
    out = compare_fn(lambda a: F.max_pool2d_with_indices(a, **kw),
                     lambda a: TF.max_pool2d_with_indices(a, **kw), _x(2, 3, 6, 8))
    assert len(out) == 2 and out[1].dtype == tidu.int64


@pytest.mark.parametrize("kw", [dict(kernel_size=3), dict(kernel_size=3, stride=2, padding=1)])
def test_max_pool1d_with_indices_and_unpool1d_match_torch(kw):
    x = _x(2, 3, 9)
    compare_fn(lambda a: F.max_pool1d_with_indices(a, **kw),
               lambda a: TF.max_pool1d_with_indices(a, **kw), x)
    o, i = TF.max_pool1d(torch.tensor(x), return_indices=True, **kw)
    for size in (None, [9], (2, 3, 9)):
        compare_fn(lambda a, b: F.max_unpool1d(a, b, **kw, output_size=size),
                   lambda a, b: TF.max_unpool1d(a, b, **kw, output_size=size),
                   o.cpu().numpy(), i.cpu().numpy())
    compare_fn(lambda a, b: F.max_unpool1d(a, b, **kw), lambda a, b: TF.max_unpool1d(a, b, **kw),
               o[0].cpu().numpy(), i[0].cpu().numpy())   # unbatched (C, L)


@pytest.mark.parametrize("kw", POOL2D)
def test_max_unpool2d_matches_torch(kw):
    x = _x(2, 3, 6, 8)
    o, i = TF.max_pool2d(torch.tensor(x), return_indices=True, **kw)
    compare_fn(lambda a, b: F.max_unpool2d(a, b, **kw, output_size=x.shape),
               lambda a, b: TF.max_unpool2d(a, b, **kw, output_size=x.shape),
               o.cpu().numpy(), i.cpu().numpy())
    if kw["kernel_size"] != 3:  # the default size (H−1)s − 2p + k covers every index here
        compare_fn(lambda a, b: F.max_unpool2d(a, b, **kw), lambda a, b: TF.max_unpool2d(a, b, **kw),
                   o.cpu().numpy(), i.cpu().numpy())


def test_max_pool_then_unpool_module_round_trip():
    x = tidu.tensor(_x(2, 3, 4, 6))
    out, idx = nn.MaxPool2d(2, return_indices=True)(x)
    back = nn.MaxUnpool2d(2)(out, idx)
    kept = back.cpu().numpy() != 0
    np.testing.assert_array_equal(back.cpu().numpy()[kept], x.cpu().numpy()[kept])
    assert kept.sum() == out.numel()
    compare_module(nn.MaxUnpool2d(2), torch.nn.MaxUnpool2d(2), out.cpu().numpy(), idx.cpu().numpy())


def test_unpool_reprs_match_torch():
    for args in [(2,), (3, 2, 1)]:
        assert repr(nn.MaxUnpool2d(*args)) == repr(torch.nn.MaxUnpool2d(*args))
        assert repr(nn.MaxUnpool1d(*args)) == repr(torch.nn.MaxUnpool1d(*args))


def test_unpool_errors():
    out, idx = F.max_pool2d_with_indices(tidu.randn(1, 1, 4, 4), 2)
    with pytest.raises(ValueError, match=r"invalid output_size .*dim 0 must be between 2 and 6"):
        F.max_unpool2d(out, idx, 2, output_size=(7, 4))
    with pytest.raises(ValueError, match="output_size should be a sequence containing 2 or 4 elements"):
        F.max_unpool2d(out, idx, 2, output_size=(4, 4, 4))
    with pytest.raises(IndexError, match="invalid max index: 99"):
        F.max_unpool2d(out, tidu.tensor(np.full((1, 1, 2, 2), 99)), 2)
    with pytest.raises(ValueError, match="indices to be same as that of the input"):
        F.max_unpool2d(out, idx[..., :1], 2)


@pytest.mark.parametrize("p", [1, 2, 3.5])
def test_lp_pool2d_matches_torch(p):
    x = np.abs(_x(2, 3, 6, 8)) + 0.1
    compare_fn(lambda a: F.lp_pool2d(a, p, 2), lambda a: TF.lp_pool2d(a, p, 2), x)
    compare_fn(lambda a: F.lp_pool2d(a, p, (2, 3), stride=1),
               lambda a: TF.lp_pool2d(a, p, (2, 3), stride=1), x)


def test_lp_pool_even_power_of_signed_input_matches_torch():
    compare_fn(lambda a: F.lp_pool2d(a, 2, 3, 2), lambda a: TF.lp_pool2d(a, 2, 3, 2), _x(2, 3, 7, 7))
    compare_fn(lambda a: F.lp_pool1d(a, 2, 2), lambda a: TF.lp_pool1d(a, 2, 2), _x(2, 3, 8))


@pytest.mark.parametrize("p", [1, 2, 3.5])
def test_lp_pool1d_and_modules_match_torch(p):
    x = np.abs(_x(2, 3, 9)) + 0.1
    compare_fn(lambda a: F.lp_pool1d(a, p, 3, 2), lambda a: TF.lp_pool1d(a, p, 3, 2), x)
    compare_module(nn.LPPool1d(p, 3), torch.nn.LPPool1d(p, 3), x)
    compare_module(nn.LPPool2d(p, (2, 2), 1), torch.nn.LPPool2d(p, (2, 2), 1), x[:, :, None].repeat(3, 2))
    assert repr(nn.LPPool2d(p, 3)) == repr(torch.nn.LPPool2d(p, 3))
    assert repr(nn.LPPool1d(p, 3, 2)) == repr(torch.nn.LPPool1d(p, 3, 2))
