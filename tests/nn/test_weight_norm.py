"""nn.utils.weight_norm / remove_weight_norm (the old hook API) against PyTorch, float64."""
import warnings

import numpy as np
import pytest
import torch

import tidu
import tidu.nn as nn
from tests.oracle import compare_module

rng = np.random.default_rng(23)
pytestmark = pytest.mark.filterwarnings("ignore::FutureWarning")


@pytest.mark.parametrize("make, x, dim", [
    (lambda lib: lib.nn.Linear(4, 3), (5, 4), 0),
    (lambda lib: lib.nn.Linear(4, 3), (5, 4), 1),
    (lambda lib: lib.nn.Linear(4, 3), (5, 4), None),
    (lambda lib: lib.nn.Conv2d(2, 3, 3), (2, 2, 5, 5), 0),
    (lambda lib: lib.nn.Conv1d(2, 4, 2), (2, 2, 6), 2),
])
def test_weight_norm_matches_torch(make, x, dim):
    ours, theirs = make(tidu), make(torch).double()
    ours = nn.utils.weight_norm(ours, dim=dim)
    theirs = torch.nn.utils.weight_norm(theirs, dim=dim)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    with torch.no_grad():  # g not equal to ‖v‖, so the magnitude matters
        theirs.weight_g.mul_(torch.from_numpy(rng.uniform(0.5, 2.0, theirs.weight_g.shape)))
    compare_module(ours, theirs, rng.normal(size=x))
    assert tuple(ours.weight_g.shape) == tuple(theirs.weight_g.shape)


def test_weight_recomputed_each_forward_and_removed():
    m = nn.utils.weight_norm(nn.Linear(3, 2, dtype=tidu.float64))
    x = tidu.tensor(rng.normal(size=(4, 3)))
    with tidu.no_grad():
        m.weight_g.mul_(2.0)
    y = m(x)
    v, g = m.weight_v.cpu().numpy(), m.weight_g.cpu().numpy()
    w = g * v / np.linalg.norm(v, axis=1, keepdims=True)
    np.testing.assert_allclose(y.cpu().numpy(), x.cpu().numpy() @ w.T + m.bias.cpu().numpy(), rtol=1e-6)
    nn.utils.remove_weight_norm(m)
    assert list(m.state_dict()) == ["bias", "weight"]
    assert isinstance(m.weight, nn.Parameter) and not m._forward_pre_hooks
    np.testing.assert_allclose(m.weight.cpu().numpy(), w, rtol=1e-6)
    np.testing.assert_allclose(m(x).cpu().numpy(), y.cpu().numpy(), rtol=1e-6)


def test_warning_and_refusals():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        m = nn.utils.weight_norm(nn.Linear(3, 2))
    assert any(issubclass(c.category, FutureWarning) for c in caught)
    with pytest.raises(RuntimeError, match="Cannot register two weight_norm hooks"):
        nn.utils.weight_norm(m)
    with pytest.raises(ValueError, match="weight_norm of 'bias' not found"):
        nn.utils.remove_weight_norm(m, "bias")
    with pytest.raises(ValueError, match="has no parameter 'kernel'"):
        nn.utils.weight_norm(nn.Linear(3, 2), name="kernel")
