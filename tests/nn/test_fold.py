"""F.unfold / F.fold and nn.Unfold / nn.Fold against PyTorch, float64."""
import numpy as np
import pytest
import torch

import tidu
import tidu.nn as nn
import tidu.nn.functional as F
from tests.oracle import compare_fn, compare_module
from tidu.errors import ShapeError

rng = np.random.default_rng(17)
TF = torch.nn.functional

GEOMETRIES = [dict(kernel_size=2), dict(kernel_size=(2, 3), stride=2),
              dict(kernel_size=3, padding=1), dict(kernel_size=2, dilation=2, stride=(1, 2)),
              dict(kernel_size=(3, 1), padding=(1, 0), dilation=(1, 3))]


@pytest.mark.parametrize("kw", GEOMETRIES, ids=str)
@pytest.mark.parametrize("batched", [True, False])
def test_unfold_and_fold(kw, batched):
    x = rng.normal(size=(2, 3, 6, 7) if batched else (3, 6, 7))
    compare_fn(lambda t: F.unfold(t, **kw), lambda t: TF.unfold(t, **kw), x)
    cols = TF.unfold(torch.from_numpy(x), **kw).numpy()
    cols = rng.normal(size=cols.shape)
    compare_fn(lambda t: F.fold(t, (6, 7), **kw), lambda t: TF.fold(t, (6, 7), **kw), cols)


def test_modules():
    x = rng.normal(size=(2, 2, 5, 5))
    ours, theirs = nn.Unfold(2, padding=1, stride=2), torch.nn.Unfold(2, padding=1, stride=2)
    compare_module(ours, theirs, x)
    assert repr(ours) == repr(theirs)
    cols = rng.normal(size=(2, 8, 9))
    ours, theirs = nn.Fold(5, 2, padding=1, stride=2), torch.nn.Fold(5, 2, padding=1, stride=2)
    compare_module(ours, theirs, cols)
    assert repr(ours) == repr(theirs)


def test_refusals():
    with pytest.raises(ShapeError, match=r"divisible by the product of kernel_size, but got "
                                         r"input.size\(1\)=5"):
        F.fold(tidu.zeros(1, 5, 4), 3, 2)
    with pytest.raises(ShapeError, match=r"sliding blocks 2 \* 2 = 4, but got input.size\(2\)=5"):
        F.fold(tidu.zeros(1, 4, 5), 3, 2)
    with pytest.raises(ShapeError, match="no sliding block fits"):
        F.unfold(tidu.zeros(1, 1, 2, 2), 3)
    with pytest.raises(ShapeError, match="3-D .* or 4-D"):
        F.unfold(tidu.zeros(2, 2), 1)
