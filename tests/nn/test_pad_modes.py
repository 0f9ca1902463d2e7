"""F.pad's reflect / replicate / circular modes against PyTorch (values and gradients)."""
import numpy as np
import pytest
import torch

import tidu.nn.functional as F
from tests.oracle import compare_fn
import tidu
from tidu.errors import ArgumentError

rng = np.random.default_rng(9)


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
@pytest.mark.parametrize("shape,pad", [((2, 3, 5), (2, 1)), ((2, 3, 4, 5), (1, 2, 3, 0)),
                                       ((1, 2, 3, 4, 5), (1, 1, 0, 2, 2, 1))])
def test_matches_torch(mode, shape, pad):
    x = rng.normal(size=shape)
    compare_fn(lambda t: F.pad(t, pad, mode=mode), lambda t: torch.nn.functional.pad(t, pad, mode=mode), x)


def test_refusals():
    x = tidu.tensor(rng.normal(size=(1, 1, 3)))
    with pytest.raises(ArgumentError, match="up to 2 for dim 2 of size 3"):
        F.pad(x, (3, 0), mode="reflect")
    with pytest.raises(ArgumentError, match="up to 3"):
        F.pad(x, (0, 4), mode="circular")
    with pytest.raises(ArgumentError, match="mode must be"):
        F.pad(x, (1, 1), mode="symmetric")
    with pytest.raises(ArgumentError, match="takes no value"):
        F.pad(x, (1, 1), mode="reflect", value=2.0)


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
@pytest.mark.parametrize("padding", [1, (2, 1), "same"])
def test_conv_padding_modes(mode, padding):
    from tests.oracle import compare_module
    compare_module(tidu.nn.Conv2d(2, 3, 3, padding=padding, padding_mode=mode),
                   torch.nn.Conv2d(2, 3, 3, padding=padding, padding_mode=mode),
                   rng.normal(size=(2, 2, 5, 6)))
    pad1 = padding if not isinstance(padding, tuple) else padding[0]
    compare_module(tidu.nn.Conv1d(2, 3, 4, padding=pad1, padding_mode=mode),
                   torch.nn.Conv1d(2, 3, 4, padding=pad1, padding_mode=mode),
                   rng.normal(size=(2, 2, 7)))
