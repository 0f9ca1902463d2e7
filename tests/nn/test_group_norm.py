"""GroupNorm / InstanceNorm (functional and modules) against PyTorch, float64."""
import numpy as np
import pytest
import torch

import tidu
import tidu.nn as nn
import tidu.nn.functional as F
from tests.oracle import compare_fn, compare_module
from tidu.errors import ArgumentError, ShapeError

rng = np.random.default_rng(3)
X4 = rng.normal(2.0, 3.0, (3, 6, 4, 5))
X3 = rng.normal(-1.0, 2.0, (2, 4, 7))


@pytest.mark.parametrize("groups", [1, 2, 3, 6])
def test_group_norm_functional(groups):
    w, b = rng.normal(size=6), rng.normal(size=6)
    compare_fn(lambda x, w, b: F.group_norm(x, groups, w, b, eps=1e-3),
               lambda x, w, b: torch.nn.functional.group_norm(x, groups, w, b, eps=1e-3),
               X4, w, b)


def test_group_norm_without_affine_and_instance_norm_functional():
    compare_fn(lambda x: F.group_norm(x, 2), lambda x: torch.nn.functional.group_norm(x, 2), X3)
    compare_fn(lambda x: F.instance_norm(x), lambda x: torch.nn.functional.instance_norm(x), X4)


@pytest.mark.parametrize("make", [
    lambda lib: lib.nn.GroupNorm(2, 6), lambda lib: lib.nn.GroupNorm(3, 6, affine=False),
    lambda lib: lib.nn.InstanceNorm2d(6), lambda lib: lib.nn.InstanceNorm2d(6, affine=True)])
def test_modules(make):
    ours, theirs = make(tidu), make(torch)
    with torch.no_grad():
        for p in theirs.parameters():  # not the identity affine map
            p.copy_(torch.from_numpy(rng.normal(size=tuple(p.shape))))
    compare_module(ours, theirs, X4)


@pytest.mark.parametrize("x", [X3, X3[0]], ids=["batched", "unbatched"])
def test_instance_norm_1d(x):
    compare_module(nn.InstanceNorm1d(4, affine=True), torch.nn.InstanceNorm1d(4, affine=True), x)


def test_instance_norm_3d_and_state_dict_names():
    x = rng.normal(size=(2, 3, 2, 3, 4))
    compare_module(nn.InstanceNorm3d(3), torch.nn.InstanceNorm3d(3), x)
    assert set(nn.GroupNorm(2, 4).state_dict()) == set(torch.nn.GroupNorm(2, 4).state_dict())
    for ours, theirs in ((nn.InstanceNorm2d(3), torch.nn.InstanceNorm2d(3)),
                         (nn.InstanceNorm1d(3, affine=True), torch.nn.InstanceNorm1d(3, affine=True))):
        assert ours.running_mean is None and theirs.running_mean is None
        assert set(ours.state_dict()) == set(theirs.state_dict())


def test_refusals():
    with pytest.raises(ArgumentError, match="divisible"):
        nn.GroupNorm(4, 6)
    with pytest.raises(ArgumentError, match="num_groups must divide"):
        F.group_norm(tidu.tensor(X4), 4)
    with pytest.raises(ShapeError, match=r"expected an input \(N, 6, \*\)"):
        nn.GroupNorm(2, 6)(tidu.tensor(X3))
    with pytest.raises(ArgumentError, match="track_running_stats"):
        nn.InstanceNorm2d(3, track_running_stats=True)
    with pytest.raises(ShapeError, match="expected 6 channels"):
        nn.InstanceNorm2d(6)(tidu.tensor(X3[None]))
