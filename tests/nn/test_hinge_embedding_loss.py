"""HingeEmbeddingLoss against PyTorch, float64."""
import numpy as np
import pytest
import torch

import tidu
import tidu.nn as nn
import tidu.nn.functional as F
from tests.oracle import compare_fn
from tidu.errors import ShapeError

rng = np.random.default_rng(19)
TF = torch.nn.functional
X = rng.normal(scale=1.5, size=(4, 5))
Y = rng.choice([-1.0, 1.0], size=(4, 5))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("margin", [1.0, 0.3])
def test_functional(reduction, margin):
    compare_fn(lambda x: F.hinge_embedding_loss(x, tidu.tensor(Y), margin, reduction=reduction),
               lambda x: TF.hinge_embedding_loss(x, torch.from_numpy(Y), margin,
                                                 reduction=reduction), X)


def test_other_labels_integer_and_broadcast_targets():
    y = np.array([[1.0, 0.5, -1, 1, 0]] * 4)  # PyTorch adds both terms for labels ≠ ±1
    compare_fn(lambda x: F.hinge_embedding_loss(x, tidu.tensor(y), reduction="none"),
               lambda x: TF.hinge_embedding_loss(x, torch.from_numpy(y), reduction="none"), X)
    yi = Y.astype(np.int64)
    compare_fn(lambda x: F.hinge_embedding_loss(x, tidu.tensor(yi)),
               lambda x: TF.hinge_embedding_loss(x, torch.from_numpy(yi)), X)
    row = Y[0]
    compare_fn(lambda x: F.hinge_embedding_loss(x, tidu.tensor(row), reduction="sum"),
               lambda x: TF.hinge_embedding_loss(x, torch.from_numpy(row), reduction="sum"), X)


def test_module():
    ours, theirs = nn.HingeEmbeddingLoss(margin=0.5), torch.nn.HingeEmbeddingLoss(margin=0.5)
    compare_fn(lambda x: ours(x, tidu.tensor(Y)), lambda x: theirs(x, torch.from_numpy(Y)), X)
    target = tidu.tensor(Y, requires_grad=True)  # labels get no gradient, as in PyTorch
    ours(tidu.tensor(X, requires_grad=True), target).backward()
    assert target.grad is None
    assert nn.HingeEmbeddingLoss().margin == 1.0
    assert nn.HingeEmbeddingLoss(reduction="sum").reduction == "sum"


def test_refusals():
    with pytest.raises(ShapeError, match="broadcast to it"):
        F.hinge_embedding_loss(tidu.tensor(X), tidu.tensor(Y[:, :2]))
    with pytest.raises(ValueError, match="reduction must be"):
        F.hinge_embedding_loss(tidu.tensor(X), tidu.tensor(Y), reduction="avg")
