"""Padding modules (Zero/Constant/Reflection/Replication/CircularPad 1-3d) against PyTorch."""
import numpy as np
import pytest
import torch

import tidu
import tidu.nn as nn
from tests.oracle import compare_module
from tidu.errors import ArgumentError, ShapeError

rng = np.random.default_rng(11)
SHAPES = {1: (2, 3, 6), 2: (2, 3, 5, 6), 3: (1, 2, 4, 5, 6)}
KINDS = ["ZeroPad", "ReflectionPad", "ReplicationPad", "CircularPad"]


@pytest.mark.parametrize("dims", [1, 2, 3])
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("padding", ["int", "tuple"])
def test_pad_modules(kind, dims, padding):
    pad = 2 if padding == "int" else (1, 3, 2, 0, 1, 2)[:2 * dims]
    name = f"{kind}{dims}d"
    ours, theirs = getattr(nn, name)(pad), getattr(torch.nn, name)(pad)
    compare_module(ours, theirs, rng.normal(size=SHAPES[dims]))
    assert repr(ours) == repr(theirs) and ours.padding == theirs.padding


@pytest.mark.parametrize("dims", [1, 2, 3])
def test_constant_pad_and_unbatched(dims):
    name = f"ConstantPad{dims}d"
    ours, theirs = getattr(nn, name)(1, 3.5), getattr(torch.nn, name)(1, 3.5)
    compare_module(ours, theirs, rng.normal(size=SHAPES[dims]))
    assert repr(ours) == repr(theirs)
    ours, theirs = nn.ReflectionPad2d((1, 2, 0, 1)), torch.nn.ReflectionPad2d((1, 2, 0, 1))
    compare_module(ours, theirs, rng.normal(size=(3, 4, 5)))  # (C, H, W)


def test_refusals():
    with pytest.raises(ArgumentError, match="mode='reflect' allows widths up to 2"):
        nn.ReflectionPad1d(3)(tidu.zeros(1, 2, 3))
    with pytest.raises(ShapeError, match=r"ReflectionPad2d: expected a 3-D \(unbatched\) or 4-D"):
        nn.ReflectionPad2d(1)(tidu.zeros(2, 3, 4, 5, 6))
    with pytest.raises(ArgumentError, match="negative widths"):
        nn.ZeroPad2d(-1)(tidu.zeros(1, 1, 3, 3))
