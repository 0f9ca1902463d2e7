"""Grouped and depthwise convolution (conv2d / Conv2d ``groups=``) against PyTorch float64."""
import math

import numpy as np
import pytest
import torch

import tidu
from tidu.errors import ArgumentError
from tidu import nn
from tidu.nn import functional as F
from tests.oracle import compare_fn, compare_module, finite_difference_check

TF = torch.nn.functional


def rand(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


GEOMETRIES = [  # (kernel, stride, padding, dilation)
    ((3, 3), 1, 0, 1),
    ((3, 2), (2, 1), (1, 2), 1),
    ((2, 3), 1, 1, (2, 1)),
    ((3, 3), 2, 1, 2),
    ((3, 3), 1, "same", 1),
]


@pytest.mark.parametrize("geometry", GEOMETRIES)
@pytest.mark.parametrize("groups,c,o", [(1, 4, 6), (2, 4, 6), (4, 4, 4), (4, 4, 8), (3, 6, 3)])
def test_conv2d_groups_match_torch(groups, c, o, geometry):
    kernel, stride, padding, dilation = geometry
    x, wt, b = rand(2, c, 7, 8), rand(o, c // groups, *kernel, seed=1), rand(o, seed=2)
    kw = dict(stride=stride, padding=padding, dilation=dilation, groups=groups)
    out = compare_fn(lambda x, w, b: F.conv2d(x, w, b, **kw),
                     lambda x, w, b: TF.conv2d(x, w, b, **kw), x, wt, b)
    assert out.shape[1] == o


def test_conv2d_groups_without_bias_and_unbatched():
    x, wt = rand(4, 6, 5), rand(6, 2, 3, 3, seed=1)
    out = compare_fn(lambda x, w: F.conv2d(x, w, padding=1, groups=2),
                     lambda x, w: TF.conv2d(x, w, padding=1, groups=2), x, wt)
    assert out.shape == (6, 6, 5)


def test_grouped_conv_is_the_sum_of_separate_convs():
    """groups=g equals g ordinary convolutions on the channel blocks, concatenated."""
    x, wt = rand(2, 6, 5, 5), rand(4, 3, 3, 3, seed=1)
    with tidu.no_grad():
        out = F.conv2d(tidu.Tensor(x, dtype=np.float64), tidu.Tensor(wt, dtype=np.float64),
                       groups=2).cpu().numpy()
        parts = [F.conv2d(tidu.Tensor(x[:, 3 * g:3 * g + 3], dtype=np.float64),
                          tidu.Tensor(wt[2 * g:2 * g + 2], dtype=np.float64)).cpu().numpy()
                 for g in range(2)]
    np.testing.assert_allclose(out, np.concatenate(parts, axis=1), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("groups", [2, 4])
def test_conv2d_groups_finite_differences(groups):
    kw = dict(stride=(2, 1), padding=1, dilation=(1, 2), groups=groups)
    finite_difference_check(lambda x, w, b: F.conv2d(x, w, b, **kw),
                            rand(1, 4, 5, 5), rand(4, 4 // groups, 2, 2, seed=1), rand(4, seed=2))


@pytest.mark.parametrize("groups,c,o", [(1, 4, 4), (2, 4, 6), (4, 4, 4), (4, 4, 8)])
def test_Conv2d_groups_matches_torch_module(groups, c, o):
    layer = nn.Conv2d(c, o, 3, stride=2, padding=1, groups=groups)
    ref = torch.nn.Conv2d(c, o, 3, stride=2, padding=1, groups=groups)
    assert layer.weight.shape == tuple(ref.weight.shape) == (o, c // groups, 3, 3)
    compare_module(layer, ref, rand(2, c, 7, 6))


def test_Conv2d_depthwise_init_bound_uses_fan_in_of_one_group():
    tidu.manual_seed(0)
    layer = nn.Conv2d(16, 32, 5, groups=16)
    bound = 1 / math.sqrt(1 * 5 * 5)  # fan_in = in/groups · kH · kW
    w, b = layer.weight.cpu().numpy(), layer.bias.cpu().numpy()
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound
    assert np.abs(b).max() <= bound and np.abs(b).max() > 0.8 * bound
    assert "groups=16" in repr(layer) and "groups=16" in repr(torch.nn.Conv2d(16, 32, 5, groups=16))


def test_Conv2d_groups_errors_as_torch():
    for args, what in [((4, 6, 3), "out_channels must be divisible by groups"),
                       ((6, 4, 3), "in_channels must be divisible by groups")]:
        with pytest.raises(ValueError, match=what):
            torch.nn.Conv2d(*args, groups=4)
        with pytest.raises(ArgumentError, match=f"Conv2d: {what}"):
            nn.Conv2d(*args, groups=4)
    with pytest.raises(ValueError, match="groups must be a positive integer"):
        torch.nn.Conv2d(4, 4, 3, groups=0)
    with pytest.raises(ArgumentError, match="groups must be a positive integer, got 0"):
        nn.Conv2d(4, 4, 3, groups=0)


def test_conv2d_groups_errors_as_torch():
    x = tidu.Tensor(rand(1, 4, 5, 5))
    with pytest.raises(RuntimeError, match="expected input.*to have 6 channels"):
        TF.conv2d(torch.zeros(1, 4, 5, 5), torch.zeros(4, 3, 3, 3), groups=2)
    with pytest.raises(tidu.ShapeError, match=r"Given groups=2, weight of shape \(4, 3, 3, 3\) "
                                              r"expects input with 6 channels.*got input of "
                                              r"shape \(1, 4, 5, 5\) with 4 channels"):
        F.conv2d(x, tidu.Tensor(rand(4, 3, 3, 3)), groups=2)
    with pytest.raises(RuntimeError, match="divisible by 2 at dimension 0"):
        TF.conv2d(torch.zeros(1, 4, 5, 5), torch.zeros(3, 2, 3, 3), groups=2)
    with pytest.raises(tidu.ShapeError, match="divisible by 2 at dimension 0.*\\(3, 2, 3, 3\\)"):
        F.conv2d(x, tidu.Tensor(rand(3, 2, 3, 3)), groups=2)
    with pytest.raises(RuntimeError, match="non-positive groups"):
        TF.conv2d(torch.zeros(1, 4, 5, 5), torch.zeros(4, 4, 3, 3), groups=0)
    with pytest.raises(ArgumentError, match="non-positive groups is not supported.*got 0"):
        F.conv2d(x, tidu.Tensor(rand(4, 4, 3, 3)), groups=0)
    with pytest.raises(tidu.ShapeError, match=r"Conv2d\(4, 8.*groups=2.*got shape \(1, 2, 5, 5\)"):
        nn.Conv2d(4, 8, 3, groups=2)(tidu.Tensor(rand(1, 2, 5, 5)))
