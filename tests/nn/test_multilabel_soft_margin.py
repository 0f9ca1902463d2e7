"""F.multilabel_soft_margin_loss and nn.MultiLabelSoftMarginLoss against PyTorch float64."""
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


def labels(*shape, seed=3):
    return (np.random.default_rng(seed).random(shape) < 0.4).astype(np.float64)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("shape", [(6, 5), (5,), (2, 3, 4)])
def test_matches_torch(reduction, shape):
    x, y = 3 * rand(*shape), labels(*shape)
    compare_fn(lambda x: F.multilabel_soft_margin_loss(x, tidu.tensor(y), reduction=reduction),
               lambda x: TF.multilabel_soft_margin_loss(x, torch.tensor(y), reduction=reduction),
               x)


@pytest.mark.parametrize("reduction", ["mean", "none"])
def test_weight_and_soft_target_gradient_match_torch(reduction):
    x, y, w = rand(4, 5), np.random.default_rng(1).random((4, 5)), np.abs(rand(5, seed=2))
    compare_fn(lambda x, y: F.multilabel_soft_margin_loss(x, y, weight=tidu.tensor(w),
                                                          reduction=reduction),
               lambda x, y: TF.multilabel_soft_margin_loss(x, y, weight=torch.tensor(w),
                                                           reduction=reduction), x, y)


def test_module_matches_torch_with_weight_buffer():
    w = np.abs(rand(5, seed=2))
    y = labels(6, 5)
    ours = nn.MultiLabelSoftMarginLoss(weight=tidu.tensor(w))
    ref = torch.nn.MultiLabelSoftMarginLoss(weight=torch.tensor(w))
    compare_module(ours, ref, rand(6, 5), y)
    assert set(ours.state_dict()) == set(ref.state_dict()) == {"weight"}
    assert nn.MultiLabelSoftMarginLoss().reduction == "mean"


def test_large_logits_stay_finite_and_finite_differences():
    x = np.array([[800.0, -800.0, 0.5]])
    y = np.array([[0.0, 1.0, 1.0]])
    got = F.multilabel_soft_margin_loss(tidu.tensor(x), tidu.tensor(y)).item()
    np.testing.assert_allclose(got, (800 + 800 + np.log1p(np.exp(-0.5))) / 3, rtol=1e-12)
    finite_difference_check(lambda x, y: F.multilabel_soft_margin_loss(x, y, reduction="sum"),
                            rand(3, 4), labels(3, 4))


def test_errors():
    with pytest.raises(RuntimeError):
        TF.multilabel_soft_margin_loss(torch.zeros(3, 4), torch.zeros(3, 5))
    with pytest.raises(ShapeError, match="same shape"):
        F.multilabel_soft_margin_loss(tidu.zeros(3, 4), tidu.zeros(3, 5))
    with pytest.raises(ValueError):
        TF.multilabel_soft_margin_loss(torch.zeros(3, 4), torch.zeros(3, 4), reduction="bad")
    with pytest.raises(ArgumentError, match="reduction"):
        F.multilabel_soft_margin_loss(tidu.zeros(3, 4), tidu.zeros(3, 4), reduction="bad")
    with pytest.raises(ArgumentError, match="reduction"):
        nn.MultiLabelSoftMarginLoss(reduction="bad")
    with pytest.raises(RuntimeError):
        TF.multilabel_soft_margin_loss(torch.zeros(3, 4), torch.zeros(3, 4), weight=torch.ones(3))
    with pytest.raises(ShapeError, match="weight"):
        F.multilabel_soft_margin_loss(tidu.zeros(3, 4), tidu.zeros(3, 4), weight=tidu.ones(3))
