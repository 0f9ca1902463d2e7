"""TripletMarginWithDistanceLoss and MultiLabelMarginLoss (and their functions) against
PyTorch: values and gradients in float64 for every reduction, custom distances, swap,
targets ending in −1, reprs and errors."""
import numpy as np
import pytest
import torch

import tidu
from tidu import nn
from tidu.nn import functional as F
from tests.oracle import compare_fn, compare_module

TF = torch.nn.functional
REDUCTIONS = ["none", "mean", "sum"]


def _x(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("swap", [False, True])
def test_triplet_with_default_distance_matches_torch(reduction, swap):
    a, p, n = _x(3, 5, 4)
    kw = dict(swap=swap, reduction=reduction, margin=1.5)
    compare_fn(lambda *t: F.triplet_margin_with_distance_loss(*t, **kw),
               lambda *t: TF.triplet_margin_with_distance_loss(*t, **kw), a, p, n)


def test_triplet_with_custom_distance_matches_torch():
    def cos_dist(lib):
        return lambda u, v: 1.0 - lib.nn.functional.cosine_similarity(u, v)
    kw = dict(margin=0.5, swap=True)
    a, p, n = _x(3, 6, 4, seed=2)
    compare_fn(lambda *t: F.triplet_margin_with_distance_loss(*t, distance_function=cos_dist(tidu), **kw),
               lambda *t: TF.triplet_margin_with_distance_loss(*t, distance_function=cos_dist(torch), **kw),
               a, p, n)
    compare_fn(lambda *t: F.triplet_margin_with_distance_loss(*t), lambda *t: TF.triplet_margin_with_distance_loss(*t),
               a[0], p[0], n[0])  # unbatched


def test_triplet_module_matches_torch():
    a, p, n = _x(3, 5, 4, seed=3)
    m = nn.TripletMarginWithDistanceLoss(margin=2.0, reduction="sum")
    t = torch.nn.TripletMarginWithDistanceLoss(margin=2.0, reduction="sum")
    compare_module(m, t, a, p, n)
    assert repr(nn.TripletMarginWithDistanceLoss()) == repr(torch.nn.TripletMarginWithDistanceLoss())
    custom = nn.TripletMarginWithDistanceLoss(distance_function=nn.PairwiseDistance(p=1))
    compare_module(custom, torch.nn.TripletMarginWithDistanceLoss(
        distance_function=torch.nn.PairwiseDistance(p=1)), a, p, n)


def test_triplet_errors():
    a = tidu.randn(3, 4)
    with pytest.raises(ValueError, match="expected margin to be greater than 0, got 0"):
        F.triplet_margin_with_distance_loss(a, a, a, margin=0)
    with pytest.raises(ValueError, match="expected margin to be greater than 0"):
        nn.TripletMarginWithDistanceLoss(margin=-1.0)
    with pytest.raises(ValueError, match="anchor 2D, positive 1D, and negative 2D"):
        F.triplet_margin_with_distance_loss(a, a[0], a)
    with pytest.raises(ValueError, match="reduction"):
        F.triplet_margin_with_distance_loss(a, a, a, reduction="avg")
    with pytest.raises(TypeError):
        F.triplet_margin_with_distance_loss(a, a, a, None)  # keyword-only, as torch


TARGETS = np.array([[3, 0, -1, 1, 2], [1, 2, 3, 4, 0], [-1, 1, 1, 1, 1], [4, 4, -1, 0, 0]])


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_multilabel_margin_matches_torch(reduction):
    x = _x(4, 5)
    compare_fn(lambda a, b: F.multilabel_margin_loss(a, b, reduction=reduction),
               lambda a, b: TF.multilabel_margin_loss(a, b, reduction=reduction), x, TARGETS)
    compare_fn(lambda a, b: F.multilabel_margin_loss(a, b, reduction=reduction),
               lambda a, b: TF.multilabel_margin_loss(a, b, reduction=reduction), x[0], TARGETS[0])


def test_multilabel_margin_module_and_hinge_edges():
    x = np.array([[0.1, 0.2, 0.4, 0.8], [1.0, -1.0, 0.0, 0.5]])
    y = np.array([[3, 0, -1, 1], [0, 1, 2, 3]])   # row 2: every class a target → loss 0
    compare_module(nn.MultiLabelMarginLoss(), torch.nn.MultiLabelMarginLoss(), x, y)
    compare_module(nn.MultiLabelMarginLoss(reduction="none"),
                   torch.nn.MultiLabelMarginLoss(reduction="none"), x, y)
    assert repr(nn.MultiLabelMarginLoss()) == "MultiLabelMarginLoss()"


def test_multilabel_margin_errors():
    x = tidu.randn(2, 3)
    with pytest.raises(TypeError, match="int64"):
        F.multilabel_margin_loss(x, tidu.tensor(np.zeros((2, 3), dtype=np.int32)))
    with pytest.raises(ValueError, match="inconsistent target size"):
        F.multilabel_margin_loss(x, tidu.tensor(np.zeros((2, 2), dtype=np.int64)))
    with pytest.raises(IndexError, match=r"class indices in \[-1, 3\)"):
        F.multilabel_margin_loss(x, tidu.tensor(np.full((2, 3), 3, dtype=np.int64)))
