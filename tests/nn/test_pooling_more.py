"""Adaptive pooling (1-D and 2-D, average and max) and 1-D max/average pooling against
torch in float64: outputs, indices, input gradients (also overlapping and uneven adaptive
windows and the ResNet head (1, 1)), finite differences, modules, reprs and errors."""
import numpy as np
import pytest
import torch

import tidu
from tidu import nn
from tidu.errors import ArgumentError, ShapeError
from tidu.nn import functional as F
from tests.oracle import assert_close, compare_fn, compare_module, finite_difference_check

TF = torch.nn.functional

SIZES_2D = [(1, 1), 1, (3, 2), (5, 5), (7, 5), (4, None), (None, 2), (2, 4), 3]


@pytest.mark.parametrize("output_size", SIZES_2D)
@pytest.mark.parametrize("shape", [(2, 3, 7, 5), (3, 7, 5)])
def test_adaptive_avg_pool2d_matches_torch(output_size, shape):
    x = np.random.default_rng(0).standard_normal(shape)
    compare_fn(lambda a: F.adaptive_avg_pool2d(a, output_size),
               lambda a: TF.adaptive_avg_pool2d(a, output_size), x)


@pytest.mark.parametrize("output_size", SIZES_2D)
@pytest.mark.parametrize("shape", [(2, 3, 7, 5), (3, 7, 5)])
def test_adaptive_max_pool2d_matches_torch(output_size, shape):
    x = np.random.default_rng(1).standard_normal(shape)
    compare_fn(lambda a: F.adaptive_max_pool2d(a, output_size, return_indices=True),
               lambda a: TF.adaptive_max_pool2d(a, output_size, return_indices=True), x)


def test_adaptive_max_pool2d_ties_go_to_the_first_maximum():
    x = np.zeros((1, 2, 5, 4))
    x[0, 1, 1:3, 1:3] = 1.0
    compare_fn(lambda a: F.adaptive_max_pool2d(a, (3, 3), True),
               lambda a: TF.adaptive_max_pool2d(a, (3, 3), True), x)


@pytest.mark.parametrize("output_size", [1, 2, 3, 7, 9])
@pytest.mark.parametrize("shape", [(2, 3, 7), (3, 7)])
def test_adaptive_pool1d_matches_torch(output_size, shape):
    x = np.random.default_rng(2).standard_normal(shape)
    compare_fn(lambda a: F.adaptive_avg_pool1d(a, output_size),
               lambda a: TF.adaptive_avg_pool1d(a, output_size), x)
    compare_fn(lambda a: F.adaptive_max_pool1d(a, output_size, True),
               lambda a: TF.adaptive_max_pool1d(a, output_size, True), x)


@pytest.mark.parametrize("kw", [dict(kernel_size=2), dict(kernel_size=3, stride=1),
                                dict(kernel_size=3, stride=2, padding=1),
                                dict(kernel_size=2, stride=1, dilation=2),
                                dict(kernel_size=(3,), stride=(2,), padding=(1,))])
@pytest.mark.parametrize("shape", [(2, 3, 9), (3, 8)])
def test_max_pool1d_matches_torch(kw, shape):
    x = np.random.default_rng(3).standard_normal(shape)
    compare_fn(lambda a: F.max_pool1d(a, **kw), lambda a: TF.max_pool1d(a, **kw), x)
    compare_fn(lambda a: F.max_pool1d(a, return_indices=True, **kw),
               lambda a: TF.max_pool1d(a, return_indices=True, **kw), x)


@pytest.mark.parametrize("kw", [dict(kernel_size=2), dict(kernel_size=3, stride=1),
                                dict(kernel_size=3, stride=2, padding=1),
                                dict(kernel_size=3, stride=2, padding=1, count_include_pad=False)])
@pytest.mark.parametrize("shape", [(2, 3, 9), (3, 8)])
def test_avg_pool1d_matches_torch(kw, shape):
    x = np.random.default_rng(4).standard_normal(shape)
    compare_fn(lambda a: F.avg_pool1d(a, **kw), lambda a: TF.avg_pool1d(a, **kw), x)


@pytest.mark.parametrize("fn", [lambda a: F.adaptive_avg_pool2d(a, (2, 3)),
                                lambda a: F.adaptive_max_pool2d(a, (3, 2)),
                                lambda a: F.adaptive_avg_pool1d(a[0], 3),
                                lambda a: F.max_pool1d(a[0], 2, 1),
                                lambda a: F.avg_pool1d(a[0], 3, 2, 1)])
def test_finite_differences(fn):
    x = np.random.default_rng(5).permutation(40).reshape(2, 4, 5) / 7.0  # no ties
    finite_difference_check(fn, x)


MODULES = [
    (lambda: nn.AdaptiveAvgPool2d((1, 1)), lambda: torch.nn.AdaptiveAvgPool2d((1, 1)), (2, 3, 6, 6)),
    (lambda: nn.AdaptiveAvgPool2d(3), lambda: torch.nn.AdaptiveAvgPool2d(3), (2, 3, 7, 8)),
    (lambda: nn.AdaptiveAvgPool2d((None, 2)), lambda: torch.nn.AdaptiveAvgPool2d((None, 2)), (2, 3, 7, 8)),
    (lambda: nn.AdaptiveMaxPool2d((2, 3)), lambda: torch.nn.AdaptiveMaxPool2d((2, 3)), (2, 3, 7, 8)),
    (lambda: nn.AdaptiveMaxPool2d(2, return_indices=True),
     lambda: torch.nn.AdaptiveMaxPool2d(2, return_indices=True), (3, 5, 5)),
    (lambda: nn.AdaptiveAvgPool1d(4), lambda: torch.nn.AdaptiveAvgPool1d(4), (2, 3, 10)),
    (lambda: nn.AdaptiveMaxPool1d(3), lambda: torch.nn.AdaptiveMaxPool1d(3), (2, 3, 10)),
    (lambda: nn.MaxPool1d(3, 2, 1), lambda: torch.nn.MaxPool1d(3, 2, 1), (2, 3, 10)),
    (lambda: nn.AvgPool1d(2), lambda: torch.nn.AvgPool1d(2), (2, 3, 10)),
    (lambda: nn.AvgPool1d(3, 1, 1, count_include_pad=False),
     lambda: torch.nn.AvgPool1d(3, 1, 1, count_include_pad=False), (3, 10)),
]


@pytest.mark.parametrize("i", range(len(MODULES)))
def test_modules_match_torch(i):
    mt, mp, shape = MODULES[i]
    x = np.random.default_rng(i).standard_normal(shape)
    compare_module(mt(), mp(), x)
    assert repr(mt()) == repr(mp())


def test_resnet_head_is_the_global_mean():
    x = np.random.default_rng(6).standard_normal((4, 8, 7, 7))
    head_t = nn.Sequential(nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(), nn.Linear(8, 3))
    head_p = torch.nn.Sequential(torch.nn.AdaptiveAvgPool2d((1, 1)), torch.nn.Flatten(),
                                 torch.nn.Linear(8, 3))
    out = compare_module(head_t, head_p, x)
    assert out.shape == (4, 3)
    pooled = F.adaptive_avg_pool2d(tidu.Tensor(x, dtype=np.float64), 1)
    assert_close(pooled, torch.from_numpy(x.mean(axis=(2, 3), keepdims=True)), "global mean")


def test_float32_is_kept():
    x = tidu.Tensor(np.ones((1, 2, 5, 5), dtype=np.float32), requires_grad=True)
    for out in [F.adaptive_avg_pool2d(x, 2), F.adaptive_max_pool2d(x, 2),
                F.max_pool1d(x[0], 2), F.avg_pool1d(x[0], 2)]:
        assert out.dtype == np.float32
        out.sum().backward()
        assert x.grad.dtype == np.float32


def test_errors():
    x4 = tidu.Tensor(np.ones((1, 2, 4, 4)))
    with pytest.raises(ShapeError, match="adaptive_avg_pool2d"):
        F.adaptive_avg_pool2d(tidu.Tensor(np.ones((4, 4))), 2)
    with pytest.raises(ArgumentError, match="output_size"):
        F.adaptive_max_pool2d(x4, (2, 2, 2))
    with pytest.raises(ArgumentError, match="output_size"):
        nn.AdaptiveAvgPool2d(0)
    with pytest.raises(ShapeError, match="max_pool1d"):
        F.max_pool1d(x4, 2)
    with pytest.raises(ArgumentError, match="padding"):
        nn.MaxPool1d(2, padding=2)
    with pytest.raises(ArgumentError, match="kernel_size"):
        F.avg_pool1d(x4[0], (2, 2))
    with pytest.raises(NotImplementedError, match="ceil_mode"):
        nn.AvgPool1d(2, ceil_mode=True)
