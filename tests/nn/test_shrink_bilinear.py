"""Hardshrink / Softshrink / Softmax2d / Bilinear against PyTorch, float64."""
import math

import numpy as np
import pytest
import torch

import tidu
import tidu.nn as nn
import tidu.nn.functional as F
from tests.oracle import compare_fn, compare_module
from tidu.errors import ArgumentError, ShapeError

rng = np.random.default_rng(13)
TF = torch.nn.functional
X = rng.normal(scale=1.0, size=(3, 4, 5))


@pytest.mark.parametrize("lambd", [0.5, 0.1, 1.3])
def test_shrink_functions(lambd):
    compare_fn(lambda t: F.hardshrink(t, lambd), lambda t: TF.hardshrink(t, lambd), X)
    compare_fn(lambda t: F.softshrink(t, lambd), lambda t: TF.softshrink(t, lambd), X)


def test_shrink_defaults_nan_and_modules():
    compare_module(nn.Hardshrink(), torch.nn.Hardshrink(), X)
    compare_module(nn.Softshrink(0.3), torch.nn.Softshrink(0.3), X)
    assert repr(nn.Hardshrink()) == "Hardshrink(0.5)" and repr(nn.Softshrink(0.3)) == "Softshrink(0.3)"
    x = np.array([np.nan, 1.0, -0.2, 0.7])
    for ours, theirs in [(F.hardshrink, TF.hardshrink), (F.softshrink, TF.softshrink)]:
        np.testing.assert_array_equal(ours(tidu.tensor(x)).cpu().numpy(),
                                      theirs(torch.from_numpy(x)).numpy())
    with pytest.raises(ArgumentError, match="lambd must be ≥ 0"):
        F.softshrink(tidu.tensor(x), -1.0)


@pytest.mark.parametrize("shape", [(2, 3, 4, 5), (3, 4, 5)])
def test_softmax2d(shape):
    compare_module(nn.Softmax2d(), torch.nn.Softmax2d(), rng.normal(size=shape))


def test_softmax2d_refuses_other_ranks():
    with pytest.raises(ShapeError, match="expected input to be 3D or 4D, got 2D"):
        nn.Softmax2d()(tidu.zeros(2, 3))


@pytest.mark.parametrize("lead", [(5,), (2, 3), ()])
def test_bilinear_functional(lead):
    x1, x2 = rng.normal(size=lead + (3,)), rng.normal(size=lead + (4,))
    w, b = rng.normal(size=(2, 3, 4)), rng.normal(size=2)
    compare_fn(F.bilinear, TF.bilinear, x1, x2, w, b)
    compare_fn(F.bilinear, TF.bilinear, x1, x2, w)


@pytest.mark.parametrize("bias", [True, False])
def test_bilinear_module(bias):
    ours, theirs = nn.Bilinear(3, 4, 5, bias=bias), torch.nn.Bilinear(3, 4, 5, bias=bias)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert repr(ours) == repr(theirs)
    compare_module(ours, theirs, rng.normal(size=(6, 3)), rng.normal(size=(6, 4)))


def test_bilinear_init_bound():
    tidu.manual_seed(0)
    m = nn.Bilinear(9, 2, 50)
    bound = 1 / math.sqrt(9)
    for p in (m.weight, m.bias):
        v = p.cpu().numpy()
        assert np.abs(v).max() <= bound and np.abs(v).max() > 0.9 * bound


def test_bilinear_refusals():
    w = tidu.zeros(2, 3, 4)
    with pytest.raises(ShapeError, match="input1 size does not match"):
        F.bilinear(tidu.zeros(5, 2), tidu.zeros(5, 4), w)
    with pytest.raises(ShapeError, match="input2 size does not match"):
        F.bilinear(tidu.zeros(5, 3), tidu.zeros(5, 3), w)
    with pytest.raises(ShapeError, match="batch dimensions do not match"):
        F.bilinear(tidu.zeros(5, 3), tidu.zeros(4, 4), w)
    with pytest.raises(ShapeError, match="weight must be 3-D"):
        F.bilinear(tidu.zeros(5, 3), tidu.zeros(5, 4), tidu.zeros(3, 4))
