"""conv1d / Conv1d against PyTorch float64 (outputs, input, weight and bias gradients) and
central finite differences."""
import doctest
import math

import numpy as np
import pytest
import torch

import tidu
from tidu import nn
from tidu.errors import ArgumentError, ShapeError
from tidu.nn import functional as F
from tests.oracle import compare_fn, compare_module, finite_difference_check

TF = torch.nn.functional


def rand(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


GEOMETRIES = [  # (kernel, stride, padding, dilation)
    (3, 1, 0, 1),
    (2, 2, 1, 1),
    (3, 1, 2, 2),
    (4, 3, (1,), (2,)),
    (4, 1, "same", 1),
    (3, 1, "same", 2),
    (3, 2, "valid", 1),
]


@pytest.mark.parametrize("geometry", GEOMETRIES)
@pytest.mark.parametrize("groups,c,o", [(1, 4, 6), (2, 4, 6), (4, 4, 8)])
def test_conv1d_matches_torch(groups, c, o, geometry):
    k, stride, padding, dilation = geometry
    x, wt, b = rand(2, c, 11), rand(o, c // groups, k, seed=1), rand(o, seed=2)
    kw = dict(stride=stride, padding=padding, dilation=dilation, groups=groups)
    out = compare_fn(lambda x, w, b: F.conv1d(x, w, b, **kw),
                     lambda x, w, b: TF.conv1d(x, w, b, **kw), x, wt, b)
    assert out.shape[:2] == (2, o)


def test_conv1d_unbatched_without_bias():
    x, wt = rand(3, 7), rand(5, 3, 2, seed=1)
    out = compare_fn(lambda x, w: F.conv1d(x, w, padding=1),
                     lambda x, w: TF.conv1d(x, w, padding=1), x, wt)
    assert out.shape == (5, 8)


def test_conv1d_finite_differences():
    x, wt, b = rand(2, 4, 6), rand(4, 2, 3, seed=1), rand(4, seed=2)
    finite_difference_check(lambda x, w, b: F.conv1d(x, w, b, stride=2, padding=1, groups=2),
                            x, wt, b)


@pytest.mark.parametrize("kwargs", [dict(), dict(stride=2, padding=1),
                                    dict(padding="same", dilation=2, groups=2, bias=False)])
def test_conv1d_module_matches_torch(kwargs):
    torch.manual_seed(0)
    ref = torch.nn.Conv1d(4, 6, 3, **kwargs)
    layer = nn.Conv1d(4, 6, 3, **kwargs)
    assert tuple(layer.weight.shape) == tuple(ref.weight.shape)
    assert set(layer.state_dict()) == set(ref.state_dict())
    for attr in ("kernel_size", "stride", "padding", "dilation", "groups"):
        assert getattr(layer, attr) == getattr(ref, attr), attr
    compare_module(layer, ref, rand(3, 4, 9))


def test_conv1d_init_bounds_as_torch():
    layer = nn.Conv1d(6, 10, 5, groups=2)
    bound = 1 / math.sqrt(3 * 5)  # fan_in = in/groups · k
    w, b = layer.weight.cpu().numpy(), layer.bias.cpu().numpy()
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.8 * bound
    assert np.abs(b).max() <= bound


def test_conv1d_errors():
    layer = nn.Conv1d(4, 6, 3)
    with pytest.raises(ShapeError, match="expected input of shape"):
        layer(tidu.zeros(2, 5, 9))
    with pytest.raises(ShapeError, match="expects input with 4 channels"):
        F.conv1d(tidu.zeros(2, 5, 9), tidu.zeros(6, 4, 3))
    with pytest.raises(ShapeError, match="smaller than the kernel"):
        F.conv1d(tidu.zeros(2, 4, 2), tidu.zeros(6, 4, 3))
    with pytest.raises(ShapeError, match="divisible by 2 at dimension 0.*\\(3, 2, 3\\)"):
        F.conv1d(tidu.zeros(2, 4, 9), tidu.zeros(3, 2, 3), groups=2)
    with pytest.raises(ShapeError, match="weight must be 3-D"):
        F.conv1d(tidu.zeros(2, 4, 9), tidu.zeros(6, 4, 3, 1))
    with pytest.raises(ArgumentError, match="same"):
        nn.Conv1d(4, 6, 3, stride=2, padding="same")
    with pytest.raises(ArgumentError, match="divisible by groups"):
        nn.Conv1d(4, 6, 3, groups=3)


def test_conv1d_textcnn_pooling_pipeline():
    """embedding → permute → Conv1d → relu → max over time, as a TextCNN (vs torch)."""
    torch.manual_seed(1)
    ref = torch.nn.Conv1d(8, 5, 3).double()
    layer = nn.Conv1d(8, 5, 3)

    def run(m, x, F_):
        c = F_.relu(m(x.permute(0, 2, 1)))
        return F_.max_pool1d(c, c.shape[2]).squeeze(2)

    compare_module(layer, ref, rand(4, 10, 8), call=lambda m, x: run(
        m, x, F if isinstance(m, nn.Module) else TF))


def test_docstring_example_runs():
    finder, runner = doctest.DocTestFinder(), doctest.DocTestRunner()
    for test in finder.find(nn.Conv1d, "Conv1d", globs={}):
        runner.run(test)
    assert runner.failures == 0 and runner.tries > 0
