"""PixelShuffle / PixelUnshuffle / ChannelShuffle against PyTorch, float64."""
import numpy as np
import pytest
import torch

import tidu
import tidu.nn as nn
import tidu.nn.functional as F
from tests.oracle import compare_fn, compare_module
from tidu.errors import ArgumentError, ShapeError

rng = np.random.default_rng(7)
TF = torch.nn.functional


@pytest.mark.parametrize("shape, r", [((2, 8, 3, 4), 2), ((18, 2, 3), 3), ((2, 1, 4, 2, 3), 2),
                                      ((1, 3, 2, 2), 1)])
def test_pixel_shuffle(shape, r):
    x = rng.normal(size=shape)
    compare_fn(lambda t: F.pixel_shuffle(t, r), lambda t: TF.pixel_shuffle(t, r), x)


@pytest.mark.parametrize("shape, r", [((2, 2, 6, 4), 2), ((1, 6, 9), 3), ((2, 1, 3, 4, 2), 2)])
def test_pixel_unshuffle_and_roundtrip(shape, r):
    x = rng.normal(size=shape)
    compare_fn(lambda t: F.pixel_unshuffle(t, r), lambda t: TF.pixel_unshuffle(t, r), x)
    t = tidu.tensor(x)
    np.testing.assert_array_equal(F.pixel_shuffle(F.pixel_unshuffle(t, r), r).cpu().numpy(), x)


@pytest.mark.parametrize("shape, g", [((2, 6, 3), 2), ((2, 6, 2, 2), 3), ((1, 4, 2, 1, 3), 4)])
def test_channel_shuffle(shape, g):
    x = rng.normal(size=shape)
    compare_fn(lambda t: F.channel_shuffle(t, g), lambda t: TF.channel_shuffle(t, g), x)


@pytest.mark.parametrize("make, shape", [
    (lambda lib: lib.nn.PixelShuffle(2), (2, 8, 3, 3)),
    (lambda lib: lib.nn.PixelUnshuffle(2), (2, 2, 4, 6)),
    (lambda lib: lib.nn.ChannelShuffle(2), (2, 4, 3, 3))])
def test_modules(make, shape):
    ours, theirs = make(tidu), make(torch)
    compare_module(ours, theirs, rng.normal(size=shape))
    assert repr(ours) == repr(theirs)


def test_refusals():
    with pytest.raises(ShapeError, match="at least 3 dimensions, but got input with 2"):
        F.pixel_shuffle(tidu.zeros(2, 3), 2)
    with pytest.raises(ShapeError, match=r"input.size\(-3\)=5 is not divisible by 4"):
        F.pixel_shuffle(tidu.zeros(1, 5, 2, 2), 2)
    with pytest.raises(ShapeError, match=r"height to be divisible .* input.size\(-2\)=3"):
        F.pixel_unshuffle(tidu.zeros(1, 5, 3, 2), 2)
    with pytest.raises(ShapeError, match=r"width to be divisible .* input.size\(-1\)=3"):
        F.pixel_unshuffle(tidu.zeros(1, 5, 2, 3), 2)
    with pytest.raises(ArgumentError, match="positive upscale_factor, but got 0"):
        F.pixel_shuffle(tidu.zeros(1, 4, 2, 2), 0)
    with pytest.raises(ShapeError, match="Got 5 channels and 2 groups"):
        F.channel_shuffle(tidu.zeros(1, 5, 3), 2)
    with pytest.raises(ShapeError, match="> 2 dims"):
        nn.ChannelShuffle(2)(tidu.zeros(1, 4))
